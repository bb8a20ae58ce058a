package client

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// handlerTransport is an http.RoundTripper that serves each request with
// an http.Handler in the caller's goroutine: no network, so that tests in
// a synctest bubble move time only when everything is blocked.
type handlerTransport struct {
	h http.Handler
}

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	sr := r.Clone(r.Context())
	sr.Body = http.NoBody
	if r.Body != nil {
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		sr.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	sr.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sr)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// request is what a fake server saw of one request.
type request struct {
	Method string
	Path   string // escaped
	Query  string
	Header http.Header
	Body   string
	At     time.Duration // since the fake server was made
}

// fake is a scripted API server: each request gets the next answer of
// the script (the last one repeats), and is recorded.
type fake struct {
	t     testing.TB
	start time.Time

	mu       sync.Mutex
	requests []request
	answers  []answer
	next     int
}

// answer is one scripted response.
type answer struct {
	status int
	header map[string]string
	body   string // raw; see ok and fail
	netErr error  // a transport error instead of a response
}

func newFake(t testing.TB, answers ...answer) *fake {
	return &fake{t: t, start: time.Now(), answers: answers}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := f.record(r)
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fake) record(r *http.Request) answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
	}
	f.requests = append(f.requests, request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: string(b), At: time.Since(f.start)})
	if len(f.answers) == 0 {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return answer{status: 500, body: `{"success":false,"errors":[{"code":1500,"message":"no answer"}],"messages":[],"result":null}`}
	}
	a := f.answers[min(f.next, len(f.answers)-1)]
	f.next++
	return a
}

// seen returns the requests so far.
func (f *fake) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// times returns when each request came, since the fake was made.
func (f *fake) times() []time.Duration {
	var ts []time.Duration
	for _, r := range f.seen() {
		ts = append(ts, r.At)
	}
	return ts
}

// transport is a RoundTripper over the fake that fails with the answer's
// netErr where it has one.
func (f *fake) transport() http.RoundTripper {
	return rtFunc(func(r *http.Request) (*http.Response, error) {
		f.mu.Lock()
		var a answer
		if len(f.answers) > 0 {
			a = f.answers[min(f.next, len(f.answers)-1)]
		}
		f.mu.Unlock()
		if a.netErr != nil {
			f.record(r)
			if r.Body != nil {
				r.Body.Close()
			}
			return nil, a.netErr
		}
		return handlerTransport{f}.RoundTrip(r)
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// ok is a 200 answer with result in the success envelope.
func ok(result any, header ...string) answer {
	return okStatus(http.StatusOK, result, header...)
}

func okStatus(status int, result any, header ...string) answer {
	b, err := json.Marshal(result)
	if err != nil {
		panic(err)
	}
	return answer{status: status, header: pairs(header), body: `{"success":true,"errors":[],"messages":[],"result":` + string(b) + `}`}
}

// page is a 200 answer of a list page.
func page(items any, cursor string, perPage int) answer {
	b, err := json.Marshal(items)
	if err != nil {
		panic(err)
	}
	info, _ := json.Marshal(map[string]any{"count": 0, "cursor": cursor, "per_page": perPage})
	return answer{status: 200, body: `{"success":true,"errors":[],"messages":[],"result":` + string(b) + `,"result_info":` + string(info) + `}`}
}

// fail is an error answer in the envelope.
func fail(status, code int, message string, header ...string) answer {
	b, _ := json.Marshal(message)
	return answer{status: status, header: pairs(header),
		body: `{"success":false,"errors":[{"code":` + itoa(code) + `,"message":` + string(b) + `}],"messages":[],"result":null}`}
}

func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

const testBase = "http://registrar.test/client/v4/"

// newTestClient returns a client of the fake, with account "acct", no
// jitter and the given options.
func newTestClient(t testing.TB, f *fake, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: f.transport()}), WithAccountID("acct")}, opts...)
	c, err := New(testBase, "tok", opts...)
	if err != nil {
		t.Fatal(err)
	}
	c.rand = func() float64 { return 0 }
	return c
}

// wfStatus returns a workflow status of domain x.com in state s.
func wfStatus(s State) *WorkflowStatus {
	t0 := time.Date(2026, 11, 26, 18, 51, 21, 0, time.UTC)
	st := &WorkflowStatus{
		Completed: s.Terminal(), State: s, CreatedAt: t0, UpdatedAt: t0,
		Links: Links{Self: "/accounts/acct/registrar/registrations/x.com/registration-status",
			Resource: "/accounts/acct/registrar/registrations/x.com"},
		Context: StatusContext{DomainName: "x.com"},
	}
	switch s {
	case StateBlocked:
		st.Context.BlockedBy, st.Context.Detail = "registry", "The registry is reviewing the registration."
	case StateActionRequired:
		st.Context.Action, st.Context.ConfirmationSentTo = ActionRegistrantEmailConfirmationPending, "v***@example.com"
		st.Context.ActionExpiresAt = t0.Add(15 * 24 * time.Hour)
	case StateSucceeded:
		exp := t0.AddDate(1, 0, 0)
		st.Context.Registration = &Registration{DomainName: "x.com", Status: DomainActive, CreatedAt: t0, ExpiresAt: &exp,
			Locked: true, PrivacyMode: PrivacyRedaction}
	case StateFailed:
		st.Error = &WorkflowError{Code: WorkflowErrRegistryRejected, Message: "2306 parameter value policy error"}
	}
	return st
}

// statusAnswer is a 200 answer with the status of state s.
func statusAnswer(s State, header ...string) answer { return ok(wfStatus(s), header...) }
