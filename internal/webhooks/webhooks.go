// Package webhooks is the outbound side of signed webhooks (Standard
// Webhooks 1.0): secrets, signatures, and the HTTP client that delivers
// them, which refuses to reach the registrar's own network (SSRF).
//
// An endpoint's URL is checked when it is set (CheckURL: https, and a
// host that is not an address of a private network) and again at every
// connection, on the address the name resolved to (the dialer's Control
// hook), so that a name that resolves to a public address at creation and
// to 127.0.0.1 later (DNS rebinding) is refused too. Redirects are not
// followed, a delivery has a time limit, and at most MaxResponseBytes of
// an answer are read.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults of [Config].
const (
	TimeoutDefault = 10 * time.Second
	// MaxResponseBytes is how much of a receiver's answer is read.
	MaxResponseBytes = 64 << 10
	// SecretPrefix starts every signing secret, as Standard Webhooks
	// recommends.
	SecretPrefix = "whsec_"
	// secretBytes is the size of a secret's key: Standard Webhooks asks
	// for 24 to 64 bytes.
	secretBytes = 32
)

// NewSecret returns a new signing secret: SecretPrefix and the base64 of
// 32 random bytes.
func NewSecret() string {
	var b [secretBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand contract since Go 1.24)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// Sign returns the webhook-signature header of a message signed with each
// of secrets: "v1," and the base64 of HMAC-SHA256 over "id.timestamp.body"
// keyed with the base64-decoded part of the secret after SecretPrefix,
// space-separated.
func Sign(secrets []string, id string, timestamp time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
		if err != nil {
			return "", fmt.Errorf("webhooks: a signing secret is not base64: %w", err)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + strconv.FormatInt(timestamp.Unix(), 10) + "."))
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// metadata are cloud providers' instance metadata addresses that no
// other rule covers (169.254.169.254 and fd00:ec2::254 are link-local
// and private).
var metadata = [...]netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (CGNAT); Alibaba's 100.100.100.200
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments; Oracle's 192.0.0.192
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64: an IPv4 address in disguise
	netip.MustParsePrefix("2002::/16"),     // 6to4: likewise
}

// Forbidden reports why a delivery may not go to ip, or "" if it may:
// loopback, private, link-local, unspecified, multicast and cloud
// metadata addresses are the registrar's own network.
func Forbidden(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "not an IP address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address (cloud metadata among them)"
	case ip.IsUnspecified():
		return "the unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, p := range metadata {
		if p.Contains(ip) {
			return "a reserved address"
		}
	}
	return ""
}

// CheckURL checks an endpoint's URL and returns a message for the user,
// or "": an absolute https URL without credentials, whose host is not a
// forbidden address or localhost. allowPrivate (--webhook-allow-private)
// allows http and any host, for local development and tests.
func CheckURL(raw string, allowPrivate bool) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return "must be an absolute https:// URL"
	}
	if u.User != nil {
		return "must not contain credentials (user:password@)"
	}
	if u.Fragment != "" {
		return "must not contain a fragment (#)"
	}
	if allowPrivate {
		if u.Scheme != "https" && u.Scheme != "http" {
			return "must be an https:// or http:// URL"
		}
		return ""
	}
	if u.Scheme != "https" {
		return "must be an https:// URL (plain http only with the server's --webhook-allow-private)"
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "must not name this machine (localhost) without the server's --webhook-allow-private"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := Forbidden(ip); why != "" {
			return "must not name " + why + " without the server's --webhook-allow-private"
		}
	}
	return ""
}

// Config tunes a Client.
type Config struct {
	// AllowPrivate lets deliveries reach any address, and plain http
	// (--webhook-allow-private).
	AllowPrivate bool
	// Timeout bounds one delivery, connection to answer [TimeoutDefault].
	Timeout time.Duration
	// Resolver resolves endpoints' names [net.DefaultResolver]; tests
	// give one that answers what they need.
	Resolver *net.Resolver
}

// Client delivers signed messages.
type Client struct {
	http *http.Client
}

// forbiddenError is a connection refused by the address rules.
type forbiddenError struct {
	address string
	why     string
}

func (e *forbiddenError) Error() string { return e.address + " is " + e.why }

// New returns a client that delivers within cfg's rules.
func New(cfg Config) *Client {
	if cfg.Timeout == 0 {
		cfg.Timeout = TimeoutDefault
	}
	d := &net.Dialer{Timeout: cfg.Timeout, Resolver: cfg.Resolver}
	if !cfg.AllowPrivate {
		// The check runs on the address about to be connected to, after
		// resolution: what a name resolves to now, not at creation.
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &forbiddenError{address, "not an IP address and port"}
			}
			if why := Forbidden(ap.Addr()); why != "" {
				return &forbiddenError{ap.Addr().String(), why}
			}
			return nil
		}
	}
	t := &http.Transport{
		// No proxy: a proxy would connect on our behalf, past the check.
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{http: &http.Client{
		Transport: t,
		Timeout:   cfg.Timeout,
		// A redirect is the receiver's answer, not a new destination.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Message is one signed delivery.
type Message struct {
	URL string
	// ID is the webhook-id header: the event's, the same on every retry.
	ID        string
	Timestamp time.Time
	Body      []byte
	Secrets   []string
}

// Result is what came of a delivery.
type Result struct {
	// StatusCode is the receiver's; 0 when none came.
	StatusCode int
	Latency    time.Duration
}

// OK reports whether the receiver accepted the message (a 2xx).
func (r Result) OK() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// Deliver POSTs m, signed, and reads at most MaxResponseBytes of the
// answer. An error means no answer came (or the address was refused); a
// non-2xx answer is a Result with its status and no error.
func (c *Client) Deliver(ctx context.Context, m Message) (Result, error) {
	sig, err := Sign(m.Secrets, m.ID, m.Timestamp, m.Body)
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Result{}, fmt.Errorf("webhooks: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "OpenRegistrar-Webhooks/1")
	h.Set("webhook-id", m.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(m.Timestamp.Unix(), 10))
	h.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start)}, describe(err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseBytes))
	resp.Body.Close()
	res := Result{StatusCode: resp.StatusCode, Latency: time.Since(start)}
	if err != nil && !res.OK() {
		return res, describe(err)
	}
	return res, nil
}

// describe turns a transport error into a message for the delivery log,
// which its owner reads: the cause, not Go's wrapping.
func describe(err error) error {
	var fe *forbiddenError
	switch {
	case errors.As(err, &fe):
		return errors.New("refused: " + fe.Error() + ", which deliveries may not reach (the server's --webhook-allow-private allows it)")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errors.New("timed out")
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return errors.New("timed out")
	}
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
