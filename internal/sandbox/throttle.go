package sandbox

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// maxThrottleKeys bounds the keys a loginThrottle tracks, so that an
// attack from many addresses or with many client IDs cannot grow its
// memory without bound.
const maxThrottleKeys = 10000

// loginThrottle limits failed logins with one token bucket per key (a
// client ID, a remote address): a key holds up to burst failures and gets
// one back per interval. A key whose bucket is full again is forgotten.
// When maxThrottleKeys keys are tracked and none can be forgotten, new
// keys share one overflow bucket: under such an attack, logins with a key
// not seen before are throttled together rather than not at all.
type loginThrottle struct {
	burst    float64
	interval time.Duration
	max      int
	now      func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	overflow  bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64 // failures left
	at     time.Time
}

func newLoginThrottle(burst int, interval time.Duration) *loginThrottle {
	return &loginThrottle{
		burst: float64(burst), interval: interval, max: maxThrottleKeys, now: time.Now,
		buckets: make(map[string]*bucket), overflow: bucket{tokens: float64(burst)},
	}
}

// refill adds the failures b earned back since it was last used.
func (l *loginThrottle) refill(b *bucket, now time.Time) {
	if !b.at.IsZero() {
		b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.interval))
	}
	b.at = now
}

// lookup returns the bucket of key, or nil when key has no failures
// (its bucket is full). With create it makes one, or returns the overflow
// bucket when the map is full.
func (l *loginThrottle) lookup(key string, now time.Time, create bool) *bucket {
	if b, ok := l.buckets[key]; ok {
		return b
	}
	if len(l.buckets) >= l.max {
		l.sweep(now)
	}
	switch {
	case len(l.buckets) >= l.max:
		return &l.overflow
	case !create:
		return nil
	}
	b := &bucket{tokens: l.burst, at: now}
	l.buckets[key] = b
	return b
}

// sweep forgets the keys whose buckets are full again, at most once per
// interval (a bucket refills no faster).
func (l *loginThrottle) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.interval {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// allow reports whether every key has a failure left; if not, wait is
// when the first of them next has one.
func (l *loginThrottle) allow(keys ...string) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ok = true
	for _, k := range keys {
		b := l.lookup(k, now, false)
		if b == nil {
			continue
		}
		if l.refill(b, now); b.tokens < 1 {
			ok = false
			wait = max(wait, time.Duration((1-b.tokens)*float64(l.interval)))
		}
	}
	return ok, wait
}

// fail takes one failure from the bucket of every key.
func (l *loginThrottle) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		b := l.lookup(k, now, true)
		l.refill(b, now)
		b.tokens = max(0, b.tokens-1)
	}
}

// len returns the number of keys tracked.
func (l *loginThrottle) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// addrKey returns the throttle key of a remote address: its IP, or its
// /64 for IPv6 (one subscriber's usual allocation).
func addrKey(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return "addr:" + a.String()
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}
