package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default retry policy: see WithRetry.
const (
	DefaultMaxRetries = 3
	DefaultRetryBase  = 500 * time.Millisecond
	DefaultRetryCap   = 10 * time.Second
)

// DefaultUserAgent is the User-Agent sent unless WithUserAgent says
// otherwise.
const DefaultUserAgent = "openregistrar-client-go/1"

// maxResponseBytes bounds the bodies read.
const maxResponseBytes = 16 << 20

// Client calls the Registrar API. It is safe for concurrent use; its
// settings do not change after New (ForAccount returns a new Client).
type Client struct {
	base      *url.URL // with a trailing slash
	token     string
	hc        *http.Client
	account   string
	sandbox   bool
	userAgent string

	maxRetries int
	retryBase  time.Duration
	retryCap   time.Duration

	// rand returns a number in [0, 1) for jitter; tests make it constant.
	rand func() float64
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sends requests with hc [a client with a 2 minute timeout].
// Its Transport is what tests replace.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: WithHTTPClient(nil)")
		}
		c.hc = hc
		return nil
	}
}

// WithAccountID sets the account the calls act on.
func WithAccountID(id string) Option {
	return func(c *Client) error {
		c.account = id
		return nil
	}
}

// WithSandbox makes the calls use the /registrar-sandbox/ endpoints: a
// separate set of registrations, never billed.
func WithSandbox(on bool) Option {
	return func(c *Client) error {
		c.sandbox = on
		return nil
	}
}

// WithRetry sets the retry policy: at most maxRetries retries after the
// first attempt (0 turns retries off), waiting base, 2×base, 4×base...
// capped at cap, each with jitter (between half and all of it), or the
// server's Retry-After instead. A Retry-After longer than max(cap, 1
// minute) is not waited for: the *APIError is returned, with its
// RetryAfter, for the caller to decide. [DefaultMaxRetries,
// DefaultRetryBase, DefaultRetryCap]
func WithRetry(maxRetries int, base, cap time.Duration) Option {
	return func(c *Client) error {
		if maxRetries < 0 || base <= 0 || cap < base {
			return fmt.Errorf("client: WithRetry(%d, %s, %s): want maxRetries >= 0 and 0 < base <= cap", maxRetries, base, cap)
		}
		c.maxRetries, c.retryBase, c.retryCap = maxRetries, base, cap
		return nil
	}
}

// WithUserAgent sets the User-Agent header [DefaultUserAgent].
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}

// New returns a client of the API at baseURL, e.g.
// "http://127.0.0.1:8080/client/v4/" for this server or
// "https://api.cloudflare.com/client/v4/" for Cloudflare (the trailing
// slash is optional), authenticating with an API token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: want an http:// or https:// URL such as https://api.cloudflare.com/client/v4/", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: base URL %q: want no query or fragment", baseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	if token == "" {
		return nil, errors.New("client: empty API token")
	}
	c := &Client{
		base:       u,
		token:      token,
		hc:         &http.Client{Timeout: 2 * time.Minute},
		userAgent:  DefaultUserAgent,
		maxRetries: DefaultMaxRetries,
		retryBase:  DefaultRetryBase,
		retryCap:   DefaultRetryCap,
		rand:       rand.Float64,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// ForAccount returns a client like c that acts on account id.
func (c *Client) ForAccount(id string) *Client {
	cc := *c
	cc.account = id
	return &cc
}

// AccountID returns the account c acts on.
func (c *Client) AccountID() string { return c.account }

// BaseURL returns the API's base URL, with a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// env is the path segment of the calls' environment.
func (c *Client) env() string {
	if c.sandbox {
		return "registrar-sandbox"
	}
	return "registrar"
}

// endpoint returns the URL of accounts/{account}/{env}/{segments...},
// each segment path-escaped.
func (c *Client) endpoint(segments ...string) (string, error) {
	if c.account == "" {
		return "", ErrNoAccount
	}
	var b strings.Builder
	b.WriteString(c.base.String())
	b.WriteString("accounts/")
	b.WriteString(url.PathEscape(c.account))
	b.WriteString("/")
	b.WriteString(c.env())
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}

// resolve returns the URL of a link relative to the base URL, as
// links.self is ("/accounts/ID/registrar/registrations/x.com/registration-status").
// An absolute link must be on the base URL's scheme and host: the token is
// never sent elsewhere.
func (c *Client) resolve(link string) (string, error) {
	if link == "" {
		return "", errors.New("client: empty link")
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("client: link %q: %w", link, err)
	}
	if u.IsAbs() || u.Host != "" {
		if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
			return "", fmt.Errorf("client: link %q is not on the API's host %s", link, c.base.Host)
		}
		return u.String(), nil
	}
	return c.base.String() + strings.TrimPrefix(link, "/"), nil
}

// envelope is the API's v4 response envelope.
type envelope struct {
	Success    *bool             `json:"success"`
	Errors     []ErrorItem       `json:"errors"`
	Messages   []json.RawMessage `json:"messages"`
	Result     json.RawMessage   `json:"result"`
	ResultInfo *resultInfo       `json:"result_info"`
}

type resultInfo struct {
	Count   int    `json:"count"`
	Cursor  string `json:"cursor"`
	PerPage int    `json:"per_page"`
	// After is the event feed's position to resume from (GET events).
	After int64 `json:"after"`
}

// response is what a call returns besides its result.
type response struct {
	StatusCode int
	Header     http.Header
	Info       *resultInfo
	Messages   []Message
}

// call sends a request, with retries, and decodes the result into out
// (when not nil). body, when not nil, is sent as JSON.
func (c *Client) call(ctx context.Context, method, u string, body any, header http.Header, out any) (*response, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("client: encode request: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		res, data, err := c.send(ctx, method, u, raw, header)
		var delay time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt >= c.maxRetries || !retryableNetError(err) {
				return nil, err
			}
			delay = c.backoff(attempt)
		case res.StatusCode >= 200 && res.StatusCode < 300:
			return c.decode(method, u, res, data, out)
		case res.StatusCode == http.StatusNotModified:
			// Only a request with If-None-Match gets one: out is left
			// as the caller had it.
			return &response{StatusCode: res.StatusCode, Header: res.Header}, nil
		default:
			apiErr := decodeAPIError(res, data)
			retry, d := c.retryAfterStatus(res, apiErr, attempt)
			if !retry || attempt >= c.maxRetries {
				return nil, apiErr
			}
			delay = d
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// send makes one attempt and reads the whole body.
func (c *Client) send(ctx context.Context, method, u string, raw []byte, header http.Header) (*http.Response, []byte, error) {
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading the response: %w", method, u, err)
	}
	return res, data, nil
}

// decode decodes a 2xx response.
func (c *Client) decode(method, u string, res *http.Response, data []byte, out any) (*response, error) {
	r := &response{StatusCode: res.StatusCode, Header: res.Header}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("client: %s %s: %d response is not the API's JSON envelope: %w", method, u, res.StatusCode, err)
	}
	if env.Success != nil && !*env.Success {
		return nil, decodeAPIError(res, data)
	}
	r.Info = env.ResultInfo
	for _, m := range env.Messages {
		var msg Message
		if json.Unmarshal(m, &msg) == nil && msg.Message != "" {
			r.Messages = append(r.Messages, msg)
		}
	}
	if out != nil {
		if len(env.Result) == 0 {
			return nil, fmt.Errorf("client: %s %s: %d response has no result", method, u, res.StatusCode)
		}
		if err := json.Unmarshal(env.Result, out); err != nil {
			return nil, fmt.Errorf("client: %s %s: decode result: %w", method, u, err)
		}
		if st, ok := out.(*WorkflowStatus); ok {
			st.RetryAfter = parseRetryAfter(res.Header)
			st.ETag = res.Header.Get("ETag")
		}
	}
	return r, nil
}

// decodeAPIError makes the APIError of a response.
func decodeAPIError(res *http.Response, data []byte) *APIError {
	e := &APIError{StatusCode: res.StatusCode, RetryAfter: parseRetryAfter(res.Header)}
	e.RequestID = res.Header.Get("X-Request-Id")
	if e.RequestID == "" {
		e.RequestID = res.Header.Get("Cf-Ray")
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err == nil && env.Success != nil && len(env.Errors) > 0 {
		e.Errors = env.Errors
		return e
	}
	const maxBody = 512
	body := strings.TrimSpace(string(data))
	if len(body) > maxBody {
		body = body[:maxBody] + "…"
	}
	e.Body = body
	return e
}

// retryAfterStatus decides whether an error response is retried, and
// after how long. x-should-retry decides when present; otherwise 429 and
// 5xx but 501 are retried. Retry-After replaces the backoff; one beyond
// the longest wait (max(retry cap, 1 minute)) is not waited for.
func (c *Client) retryAfterStatus(res *http.Response, e *APIError, attempt int) (bool, time.Duration) {
	retry := res.StatusCode == http.StatusTooManyRequests ||
		(res.StatusCode >= 500 && res.StatusCode != http.StatusNotImplemented)
	switch strings.ToLower(strings.TrimSpace(res.Header.Get("x-should-retry"))) {
	case "true":
		retry = true
	case "false":
		retry = false
	}
	if !retry {
		return false, 0
	}
	if e.RetryAfter > 0 {
		if e.RetryAfter > max(c.retryCap, time.Minute) {
			return false, 0
		}
		return true, e.RetryAfter
	}
	return true, c.backoff(attempt)
}

// backoff is the delay before retry number attempt+1: base×2^attempt
// capped, then jittered down by up to half.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryBase
	for i := 0; i < attempt && d < c.retryCap; i++ {
		d *= 2
	}
	d = min(d, c.retryCap)
	return jitter(d, 0.5, c.rand)
}

// jitter takes away up to frac of d at random.
func jitter(d time.Duration, frac float64, rnd func() float64) time.Duration {
	return d - time.Duration(frac*rnd()*float64(d))
}

// retryableNetError reports whether a transport error may be retried: all
// but certificate errors and requests that cannot be made at all. (Errors
// from the caller's ctx are never retried: call checks ctx first.)
func retryableNetError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Err.Error(), "unsupported protocol scheme") {
		return false
	}
	return true
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
