package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// testAPI is a Server on fakes: one account whose token has every scope,
// a workflow engine that records what it is asked to start, and a
// Domains that knows some names to be premium.
type testAPI struct {
	t       testing.TB
	srv     *Server
	token   string
	account string
	wfs     *fakeWorkflows
}

func newTestAPI(t testing.TB, cat *registrar.Catalog, premium ...string) *testAPI {
	t.Helper()
	token, hash := registrar.NewToken()
	account := registrar.NewID()
	wfs := &fakeWorkflows{}
	doms := &fakeDomains{premium: map[string]bool{}}
	for _, p := range premium {
		doms.premium[p] = true
	}
	srv := New(Deps{
		Reader:    fakeReader{hash: hash, p: registrar.Principal{AccountID: account, TokenID: "t1", Scopes: []registrar.Scope{registrar.ScopeRead, registrar.ScopeWrite}}},
		Workflows: wfs, Domains: doms, Catalog: cat,
	}, Config{RateLimit: -1})
	return &testAPI{t: t, srv: srv, token: token, account: account, wfs: wfs}
}

// apiResponse is a recorded response with its envelope decoded (when it
// has a body).
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
	Env    struct {
		Success bool `json:"success"`
		Errors  []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Source  *struct {
				Pointer string `json:"pointer"`
			} `json:"source"`
		} `json:"errors"`
		Result     json.RawMessage `json:"result"`
		ResultInfo *struct {
			Count   int    `json:"count"`
			Cursor  string `json:"cursor"`
			PerPage int    `json:"per_page"`
		} `json:"result_info"`
	}
}

// pointers lists the errors' source pointers ("" for none).
func (r *apiResponse) pointers() []string {
	var ps []string
	for _, e := range r.Env.Errors {
		p := ""
		if e.Source != nil {
			p = e.Source.Pointer
		}
		ps = append(ps, p)
	}
	return ps
}

// do sends a request to the server, in env's path ("registrar" or
// "registrar-sandbox"), with the test token.
func (a *testAPI) do(method, env, path, body string, header ...string) *apiResponse {
	a.t.Helper()
	url := "/client/v4/accounts/" + a.account + "/" + env + "/" + path
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	r := &apiResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if len(r.Body) > 0 {
		if err := json.Unmarshal(r.Body, &r.Env); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, url, r.Body, err)
		}
	}
	return r
}

type fakeReader struct {
	registrar.Reader
	hash string
	p    registrar.Principal
}

func (f fakeReader) Authenticate(ctx context.Context, hash string) (registrar.Principal, error) {
	if hash != f.hash {
		return registrar.Principal{}, registrar.Errorf(registrar.KindUnauthorized, "fake", "invalid API token")
	}
	return f.p, nil
}

// fakeWorkflows starts nothing: it records the requests and answers a
// pending workflow (tests send Prefer: respond-async, so the server does
// not wait on it).
type fakeWorkflows struct {
	registrar.Workflows
	mu      sync.Mutex
	reqs    []registrar.RegistrationRequest
	updates []registrar.UpdateRequest
	hosts   []registrar.HostChange // StartHost's (dns_test.go)
	// authCode is the state StartAuthCode's workflow has when answered.
	authCode registrar.State
	// resendErr is what ResendVerification fails with (nil: it answers
	// an action_required registration); resent records its domains.
	resendErr error
	resent    []string
}

// ResendVerification records the domain and answers a registration
// waiting on its registrant's email, or fails with f.resendErr.
func (f *fakeWorkflows) ResendVerification(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	f.mu.Lock()
	f.resent = append(f.resent, string(env)+" "+domain)
	f.mu.Unlock()
	if f.resendErr != nil {
		return nil, f.resendErr
	}
	now := time.Now()
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowRegistration,
		Domain: domain, State: registrar.StateActionRequired, Step: "verify_email", Version: 3, CreatedAt: now, UpdatedAt: now, Deadline: now.Add(15 * 24 * time.Hour),
		Context: json.RawMessage(`{"domain_name":"` + domain + `","action":"registrant_email_confirmation_pending","confirmation_sent_to":"v***@example.com"}`)}, nil
}

// StartUpdate records the request and answers a pending workflow.
func (f *fakeWorkflows) StartUpdate(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.UpdateRequest) (*registrar.Workflow, error) {
	f.mu.Lock()
	f.updates = append(f.updates, req)
	f.mu.Unlock()
	now := time.Now()
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowUpdate,
		Domain: domain, State: registrar.StatePending, CreatedAt: now, UpdatedAt: now}, nil
}

// testAuthCode is the code the fake StartAuthCode gives.
const testAuthCode = "N3w-Code_9xYz.Q2"

// StartAuthCode answers a workflow in the state f.authCode (pending when
// unset) and testAuthCode.
func (f *fakeWorkflows) StartAuthCode(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, string, error) {
	now := time.Now()
	state := f.authCode
	if state == "" {
		state = registrar.StatePending
	}
	wf := &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowUpdate,
		Domain: domain, State: state, CreatedAt: now, UpdatedAt: now, Context: json.RawMessage(`{"domain_name":"` + domain + `","fields_updated":["auth_code"]}`)}
	if state == registrar.StateFailed {
		wf.ErrorCode, wf.ErrorMessage = registrar.CodeRegistryRejected, "the registry refused the update"
	}
	return wf, testAuthCode, nil
}

func (f *fakeWorkflows) StartRegistration(ctx context.Context, p registrar.Principal, env registrar.Env, req registrar.RegistrationRequest) (*registrar.Workflow, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	now := time.Now()
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowRegistration,
		Domain: req.DomainName, State: registrar.StatePending, CreatedAt: now, UpdatedAt: now}, nil
}

func (f *fakeWorkflows) started() []registrar.RegistrationRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]registrar.RegistrationRequest(nil), f.reqs...)
}

type fakeDomains struct {
	registrar.Domains
	premium map[string]bool
}

func (f *fakeDomains) KnownPremium(env registrar.Env, name string) bool { return f.premium[name] }
