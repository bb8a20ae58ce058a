package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/openapi/openapitest"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
	"github.com/openregistrar/registrar/internal/workflows"
)

// server is a registrar started in-process on a loopback port, with an
// account and its token, for end-to-end tests over HTTP.
type server struct {
	t       testing.TB
	d       *daemon.Daemon
	cfg     daemon.Config
	clock   *registrar.ShiftClock
	account string
	token   string
}

// startServer starts a registrar on backend b with test-sized timings;
// edit may change the configuration first. It stops when the test ends.
func startServer(t testing.TB, b storetest.Backend, edit func(*daemon.Config)) *server {
	t.Helper()
	clock := &registrar.ShiftClock{}
	cfg := daemon.Config{
		Listen:  "127.0.0.1:0",
		DataDir: t.TempDir(),
		// A test's data dir need not survive an OS crash, and an fsync per
		// commit on a CI disk shared with parallel builds can take seconds
		// (ext4 syncs other files' data with the journal). The default,
		// full, is tested by TestDataDirPrivate, TestDamagedFilesAtStart
		// and the store's and sandbox's durability tests.
		SQLiteSynchronous: store.SynchronousNormal,
		// Long enough that a registration finishes inside it even on a
		// loaded CI machine; tests of the 202 path set their own.
		API:          httpapi.Config{SyncWait: 15 * time.Second, RateLimit: -1},
		SandboxDelay: 300 * time.Millisecond,
		Workflows: workflows.Config{
			// A registry command gets three quarters of a job's time: on a
			// loaded CI machine (2 cores, -race, parallel tests) a create
			// on the built-in registry has taken over 4 s, and a timeout
			// turns a test's expected state into "no answer in time".
			// Tests of timeouts and rescues set their own.
			JobTimeout:    20 * time.Second,
			RescueAfter:   40 * time.Second,
			PollInterval:  100 * time.Millisecond,
			SweepInterval: 100 * time.Millisecond,
		},
		Clock:  clock,
		Logger: testLogger(t),
	}
	if b == storetest.Postgres {
		cfg.DatabaseURL = storetest.NewPostgresDatabase(t)
	}
	if edit != nil {
		edit(&cfg)
	}
	d, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("daemon.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	s := &server{t: t, d: d, cfg: cfg, clock: clock}
	s.account, s.token = s.newAccount("test", daemon.SampleContact())
	return s
}

// testLogger logs to the test output at warn level, or at debug level
// when REGISTRAR_TEST_LOG is set.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("REGISTRAR_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// newAccount creates another account and returns its ID and token.
func (s *server) newAccount(name string, contact *registrar.Contact) (string, string) {
	s.t.Helper()
	acct, token, err := s.d.DB().CreateAccount(context.Background(), name, contact, time.Now())
	if err != nil {
		s.t.Fatalf("CreateAccount: %v", err)
	}
	return acct.ID, token
}

// base returns the API URL of an environment's endpoints for the test
// account: ".../accounts/ID/registrar".
func (s *server) base(env string) string {
	return strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + s.account + "/" + env
}

// response is a decoded API response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	Env    struct {
		Success    bool              `json:"success"`
		Errors     []apiError        `json:"errors"`
		Messages   []json.RawMessage `json:"messages"`
		Result     json.RawMessage   `json:"result"`
		ResultInfo *struct {
			Count   int    `json:"count"`
			Cursor  string `json:"cursor"`
			PerPage int    `json:"per_page"`
		} `json:"result_info"`
	}
}

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Source  *struct {
		Pointer string `json:"pointer"`
	} `json:"source"`
}

// status is the part of a WorkflowStatus tests look at.
type status struct {
	Completed bool            `json:"completed"`
	State     registrar.State `json:"state"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Links     struct {
		Self     string `json:"self"`
		Resource string `json:"resource"`
	} `json:"links"`
	Context struct {
		DomainName         string                  `json:"domain_name"`
		Action             string                  `json:"action"`
		ConfirmationSentTo string                  `json:"confirmation_sent_to"`
		WaitingOn          string                  `json:"waiting_on"`
		Registration       *registrar.Registration `json:"registration"`
	} `json:"context"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request with the given token ("" for none) and decodes the
// envelope.
func (s *server) do(method, url, token string, body any, header ...string) *response {
	s.t.Helper()
	var raw []byte // the body, for the OpenAPI validation
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	r := &response{Status: res.StatusCode, Header: res.Header}
	r.Body, err = io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	// Every exchange of the end-to-end tests must match the API's OpenAPI
	// document: a drift between server and document fails the test.
	openapitest.CheckT(s.t, req, raw, res, r.Body)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(r.Body, &r.Env); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, url, r.Body, err)
		}
	}
	return r
}

// status decodes a response's result as a workflow status.
func (r *response) status(t testing.TB) status {
	t.Helper()
	var st status
	if err := json.Unmarshal(r.Env.Result, &st); err != nil {
		t.Fatalf("decode status %s: %v", r.Body, err)
	}
	return st
}

// register POSTs a registration of domain with the test account's default
// contact: in the live API by leaving contacts out (express mode), in the
// sandbox, which has no express mode, by naming it.
func (s *server) register(env, domain string, header ...string) *response {
	s.t.Helper()
	body := map[string]any{"domain_name": domain}
	if env == "registrar-sandbox" {
		body["contacts"] = map[string]any{"registrant": daemon.SampleContact()}
	}
	return s.do("POST", s.base(env)+"/registrations", s.token, body, header...)
}

// getStatus reads a domain's registration status.
func (s *server) getStatus(env, domain string) status {
	s.t.Helper()
	r := s.do("GET", s.base(env)+"/registrations/"+domain+"/registration-status", s.token, nil)
	if r.Status != http.StatusOK {
		s.t.Fatalf("GET registration-status of %s = %d %s", domain, r.Status, r.Body)
	}
	return r.status(s.t)
}

// waitState polls a domain's registration status until want(state) holds
// or the limit passes, and returns the last status.
func (s *server) waitState(env, domain string, limit time.Duration, want func(status) bool) status {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		st := s.getStatus(env, domain)
		if want(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func completed(st status) bool { return st.Completed }

func inState(states ...registrar.State) func(status) bool {
	return func(st status) bool {
		for _, s := range states {
			if st.State == s {
				return true
			}
		}
		return false
	}
}

// creates counts the create commands the built-in registries (the
// sandbox registry, and the demo registry behind the live API) received
// for domain.
func (s *server) creates(domain string) int {
	s.t.Helper()
	n := createsIn(s.t, s.d.Sandbox(), domain)
	if demo := s.d.Demo(); demo != nil {
		n += createsIn(s.t, demo, domain)
	}
	return n
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// waitExists waits until a domain has a registration workflow.
func (s *server) waitExists(env, domain string, limit time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		r := s.do("GET", s.base(env)+"/registrations/"+domain+"/registration-status", s.token, nil)
		if r.Status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no workflow for %s after %s: %d %s", domain, limit, r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openVerificationLink opens the link of the newest verification email
// about domain, as its registrant would.
func (s *server) openVerificationLink(domain string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs, err := s.d.DB().Outbox(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if link := linkRE.FindString(msgs[i].Body); link != "" && strings.Contains(msgs[i].Subject, domain) {
				c := &http.Client{Transport: openapitest.Transport(s.t, nil)}
				res, err := c.Get(link)
				if err != nil {
					s.t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					s.t.Fatalf("GET %s = %d", link, res.StatusCode)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no verification email about %s in the outbox", domain)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startLiveServer starts a registrar in live mode on backend b, with a
// standalone sandbox registry behind a registries file, and verifies the
// test account's registrant address with a first registration, so that
// later ones go straight to the registry.
func startLiveServer(t *testing.T, b storetest.Backend) (*server, *registry) {
	t.Helper()
	reg := startRegistry(t, 300*time.Millisecond)
	s := startServer(t, b, func(c *daemon.Config) { c.Registries = reg.file })
	s.verifyRegistrant()
	return s, reg
}

// verifyRegistrant has the test account's default registrant verify its
// address, live, through a first registration (verify-first.com) and its
// emailed link, as the live rule asks once per address.
func (s *server) verifyRegistrant() {
	s.t.Helper()
	if r := s.register("registrar", "verify-first.com"); r.Status != http.StatusAccepted {
		s.t.Fatalf("first live POST = %d %s, want 202 action_required", r.Status, r.Body)
	}
	s.openVerificationLink("verify-first.com")
	if st := s.waitState("registrar", "verify-first.com", time.Minute, completed); st.State != registrar.StateSucceeded {
		s.t.Fatalf("verify-first.com after verification: %s %+v", st.State, st.Error)
	}
}

// builtin returns the built-in registry behind an environment's API
// ("registrar": the demo registry; "registrar-sandbox": the sandbox's).
func (s *server) builtin(env string) *sandbox.Engine {
	if env == "registrar-sandbox" {
		return s.d.Sandbox()
	}
	return s.d.Demo()
}
