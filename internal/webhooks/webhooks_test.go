package webhooks

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestNewSecret(t *testing.T) {
	t.Parallel()
	s := NewSecret()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if !strings.HasPrefix(s, SecretPrefix) || err != nil || len(key) < 24 {
		t.Fatalf("NewSecret() = %q (decode: %v, %d bytes), want whsec_ and base64 of 24+ bytes", s, err, len(key))
	}
	if s2 := NewSecret(); s2 == s {
		t.Errorf("NewSecret() twice = %q both times", s)
	}
}

// TestSignVerifiesWithReferenceLibrary checks our signatures with the
// Standard Webhooks reference library for Go, each secret of a rotation's
// overlap alone.
func TestSignVerifiesWithReferenceLibrary(t *testing.T) {
	t.Parallel()
	old, cur := NewSecret(), NewSecret()
	body := []byte(`{"type":"webhook.test","timestamp":"2026-12-04T06:00:00Z","data":{}}`)
	now := time.Now()
	sig, err := Sign([]string{cur, old}, "evt_7", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(sig)); n != 2 {
		t.Fatalf("Sign(2 secrets) = %q, want 2 space-separated signatures", sig)
	}
	h := http.Header{}
	h.Set("webhook-id", "evt_7")
	h.Set("webhook-timestamp", strconvUnix(now))
	h.Set("webhook-signature", sig)
	for _, s := range []string{cur, old} {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Errorf("reference Verify with one secret of the pair: %v", err)
		}
	}
	other, _ := standardwebhooks.NewWebhook(NewSecret())
	if err := other.Verify(body, h); err == nil {
		t.Error("reference Verify with an unrelated secret succeeded")
	}
	// The reference library's own signature is ours.
	ref, _ := standardwebhooks.NewWebhook(cur)
	want, _ := ref.Sign("evt_7", now, body)
	if got, _ := Sign([]string{cur}, "evt_7", now, body); got != want {
		t.Errorf("Sign = %q, reference Sign = %q", got, want)
	}
}

func strconvUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// dnsServer returns the client end of a DNS connection (TCP framing, as
// Go's resolver speaks over a stream) whose server answers every A query
// with ip, and AAAA with nothing.
func dnsServer(t *testing.T, ip netip.Addr) net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		for {
			var n [2]byte
			if _, err := io.ReadFull(server, n[:]); err != nil {
				return
			}
			q := make([]byte, int(n[0])<<8|int(n[1]))
			if _, err := io.ReadFull(server, q); err != nil {
				return
			}
			var m dnsmessage.Message
			if err := m.Unpack(q); err != nil || len(m.Questions) != 1 {
				t.Errorf("dnsServer: bad query: %v", err)
				return
			}
			m.Header.Response, m.Header.Authoritative = true, true
			if m.Questions[0].Type == dnsmessage.TypeA {
				m.Answers = []dnsmessage.Resource{{
					Header: dnsmessage.ResourceHeader{Name: m.Questions[0].Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
					Body:   &dnsmessage.AResource{A: ip.As4()},
				}}
			}
			out, err := m.Pack()
			if err != nil {
				t.Errorf("dnsServer: %v", err)
				return
			}
			if _, err := server.Write(append([]byte{byte(len(out) >> 8), byte(len(out))}, out...)); err != nil {
				return
			}
		}
	}()
	return client
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ip        string
		forbidden bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fd00:ec2::254", true}, {"fe80::1", true}, {"0.0.0.0", true}, {"::", true},
		{"224.0.0.1", true}, {"ff02::1", true}, {"100.100.100.200", true}, {"::ffff:127.0.0.1", true},
		{"255.255.255.255", true}, {"64:ff9b::7f00:1", true},
		{"93.184.215.14", false}, {"2606:4700::6810:84e5", false}, {"1.1.1.1", false},
	} {
		if got := Forbidden(netip.MustParseAddr(tc.ip)) != ""; got != tc.forbidden {
			t.Errorf("Forbidden(%s) = %v, want %v", tc.ip, got, tc.forbidden)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/registrar", false, true},
		{"https://hooks.example.com:8443/x?y=1", false, true},
		{"http://hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"https://localhost/", false, false},
		{"https://a.localhost/", false, false},
		{"https://127.0.0.1/", false, false},
		{"https://[::1]/", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://[fd00:ec2::254]/", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"https://hooks.example.com/#frag", false, false},
		{"/relative", false, false},
		{"", false, false},
		{"http://127.0.0.1:8080/hook", true, true},
		{"https://localhost/", true, true},
		{"ftp://127.0.0.1/", true, false},
	} {
		if got := CheckURL(tc.url, tc.allowPrivate); (got == "") != tc.ok {
			t.Errorf("CheckURL(%q, %v) = %q, want ok %v", tc.url, tc.allowPrivate, got, tc.ok)
		}
	}
}

// receiver is a loopback test receiver that records what it got.
func receiver(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDeliverRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	url := receiver(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	port := url[strings.LastIndex(url, ":"):]
	// A resolver that answers 127.0.0.1 for every name: DNS rebinding, a
	// name that passed CheckURL resolving to loopback at delivery.
	rebind := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return dnsServer(t, netip.MustParseAddr("127.0.0.1")), nil
	}}
	c := New(Config{Resolver: rebind, Timeout: 5 * time.Second})
	for _, u := range []string{url, "http://localhost" + port, "http://rebind.example.com" + port} {
		_, err := c.Deliver(context.Background(), Message{URL: u, ID: "evt_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: []string{NewSecret()}})
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("Deliver(%s) without AllowPrivate: error %v, want refused", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver got %d requests, want 0", n)
	}
}

func TestDeliverAllowed(t *testing.T) {
	t.Parallel()
	secret := NewSecret()
	var mu sync.Mutex
	var got http.Header
	var gotBody []byte
	url := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got, gotBody = r.Header.Clone(), mustRead(r.Body)
		if r.URL.Path == "/big" {
			w.Write([]byte(strings.Repeat("x", 1<<20)))
		}
	})
	c := New(Config{AllowPrivate: true})
	body := []byte(`{"type":"webhook.test"}`)
	res, err := c.Deliver(context.Background(), Message{URL: url + "/big", ID: "evt_9", Timestamp: time.Now(), Body: body, Secrets: []string{secret}})
	if err != nil || !res.OK() {
		t.Fatalf("Deliver with AllowPrivate = %+v, %v; want a 2xx", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	wh, _ := standardwebhooks.NewWebhook(secret)
	if err := wh.Verify(gotBody, got); err != nil {
		t.Errorf("reference Verify of the delivered request: %v (headers %v)", err, got)
	}
	if got.Get("webhook-id") != "evt_9" {
		t.Errorf("webhook-id = %q, want evt_9", got.Get("webhook-id"))
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	url := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	res, err := New(Config{AllowPrivate: true}).Deliver(context.Background(), Message{URL: url, ID: "evt_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: []string{NewSecret()}})
	if err != nil || res.StatusCode != http.StatusTemporaryRedirect || res.OK() || followed.Load() {
		t.Errorf("Deliver to a redirect = %+v, %v, followed %v; want 307, not OK, not followed", res, err, followed.Load())
	}
}

func TestDeliverTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	url := receiver(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	_, err := New(Config{AllowPrivate: true, Timeout: 200 * time.Millisecond}).Deliver(context.Background(),
		Message{URL: url, ID: "evt_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: []string{NewSecret()}})
	if err == nil || err.Error() != "timed out" {
		t.Errorf("Deliver to a silent receiver: %v, want timed out", err)
	}
}

func mustRead(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}
