package rdap

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/ttlcache"
)

// limiter is a token bucket per client address, remembered in a bounded
// ttlcache. A bucket left alone until it would be full again is
// forgotten (the cache's ttl), which is the same as keeping it; when the
// cache is full of live buckets some are dropped, which gives those
// clients a full bucket again: memory stays bounded under a flood of
// addresses at the price of some leniency.
type limiter struct {
	rate  float64 // tokens per second
	burst float64
	mu    sync.Mutex
	m     *ttlcache.Cache[string, bucket]
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perMinute, burst, clients int) *limiter {
	rate := float64(perMinute) / 60
	full := time.Duration(float64(burst) / rate * float64(time.Second))
	return &limiter{rate: rate, burst: float64(burst), m: ttlcache.New[string, bucket](full, clients)}
}

// allow takes a token from key's bucket, or says how long until one is
// there.
func (l *limiter) allow(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m.Get(key, now)
	if !ok {
		b = bucket{tokens: l.burst, at: now}
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		l.m.Put(key, b, now)
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	l.m.Put(key, b, now)
	return 0, true
}

// clientKey is the rate-limit key of a request's remote address: the
// IPv4 address, or the /64 of an IPv6 one (a host is usually given a
// whole /64). Forwarding headers are not trusted.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
