package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// lifecycleWorkflows answers renewals and restores as a workflow in
// state (pending when unset), or err, recording the renewal requests.
type lifecycleWorkflows struct {
	fakeWorkflows
	state   registrar.State
	err     error
	renewed []registrar.RenewalRequest
}

func (f *lifecycleWorkflows) workflow(p registrar.Principal, env registrar.Env, kind registrar.WorkflowKind, domain string) *registrar.Workflow {
	now := time.Now()
	state := f.state
	if state == "" {
		state = registrar.StatePending
	}
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: kind, Domain: domain, State: state,
		CreatedAt: now, UpdatedAt: now, Context: json.RawMessage(`{"domain_name":"` + domain + `"}`)}
}

func (f *lifecycleWorkflows) StartRenewal(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.RenewalRequest) (*registrar.Workflow, error) {
	f.mu.Lock()
	f.renewed = append(f.renewed, req)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return f.workflow(p, env, registrar.WorkflowRenewal, domain), nil
}

func (f *lifecycleWorkflows) StartRestore(ctx context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.workflow(p, env, registrar.WorkflowRestore, domain), nil
}

// lifecycleReader answers the statuses and the history of example.com;
// any other domain is not found.
type lifecycleReader struct {
	fakeReader
	events []registrar.RegistrationEvent
	wfs    *lifecycleWorkflows
}

// Workflow re-reads a started workflow as the sync window does: still in
// the fake's state.
func (f lifecycleReader) Workflow(ctx context.Context, accountID, id string) (*registrar.Workflow, error) {
	wf := f.wfs.workflow(registrar.Principal{AccountID: accountID}, registrar.EnvLive, registrar.WorkflowRenewal, "example.com")
	wf.ID = id
	return wf, nil
}

// silentNotifier never announces a change: the sync window runs out.
type silentNotifier struct{}

func (silentNotifier) Subscribe(string) (<-chan struct{}, func()) { return nil, func() {} }

func (f lifecycleReader) status(accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	if domain != "example.com" {
		return nil, registrar.Errorf(registrar.KindNotFound, "fake", "no workflow")
	}
	now := time.Now()
	return &registrar.Workflow{ID: "w1", AccountID: accountID, Env: env, Kind: kind, Domain: domain, State: registrar.StateSucceeded,
		CreatedAt: now, UpdatedAt: now, Context: json.RawMessage(`{"domain_name":"example.com"}`)}, nil
}

func (f lifecycleReader) RenewalStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return f.status(accountID, env, registrar.WorkflowRenewal, domain)
}

func (f lifecycleReader) RestoreStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return f.status(accountID, env, registrar.WorkflowRestore, domain)
}

func (f lifecycleReader) RegistrationHistory(ctx context.Context, accountID string, env registrar.Env, domain string) ([]registrar.RegistrationEvent, error) {
	if domain != "example.com" {
		return nil, registrar.Errorf(registrar.KindNotFound, "fake", "no registration")
	}
	return f.events, nil
}

// newLifecycleAPI is newTestAPI with the lifecycle fakes.
func newLifecycleAPI(t *testing.T, events ...registrar.RegistrationEvent) (*testAPI, *lifecycleWorkflows) {
	a := newTestAPI(t, nil)
	wfs := &lifecycleWorkflows{}
	a.srv = New(Deps{Reader: lifecycleReader{fakeReader: a.srv.Reader.(fakeReader), events: events, wfs: wfs}, Workflows: wfs, Notifier: silentNotifier{}},
		Config{RateLimit: -1, SyncWait: time.Millisecond})
	return a, wfs
}

// TestRenew: POST .../renew decodes its body strictly, defaults years to
// 1, refuses 0 and a term beyond the maximum (domain_max_term, visible in
// the message) before starting anything, and answers as registrations
// do: 201 when completed, 202 otherwise or with respond-async.
func TestRenew(t *testing.T) {
	t.Parallel()
	exp := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		body    string
		state   registrar.State
		header  []string
		status  int
		pointer string
		reason  string
		want    *registrar.RenewalRequest
	}{
		{"empty body", "", registrar.StateSucceeded, nil, 201, "", "", &registrar.RenewalRequest{Years: 1}},
		{"{}", "{}", registrar.StateSucceeded, nil, 201, "", "", &registrar.RenewalRequest{Years: 1}},
		{"years and expiry", `{"years":2,"current_expires_at":"2027-03-01T12:00:00Z"}`, registrar.StateSucceeded, nil, 201, "", "",
			&registrar.RenewalRequest{Years: 2, CurrentExpiresAt: &exp}},
		{"not done in the window", `{"years":1}`, registrar.StateInProgress, nil, 202, "", "", &registrar.RenewalRequest{Years: 1}},
		{"respond-async", `{"years":1}`, registrar.StateSucceeded, []string{"Prefer", "respond-async"}, 202, "", "", &registrar.RenewalRequest{Years: 1}},
		{"years 0", `{"years":0}`, "", nil, 400, "/years", "", nil},
		{"years 11", `{"years":11}`, "", nil, 400, "/years", registrar.CodeDomainMaxTerm, nil},
		{"years as a string", `{"years":"2"}`, "", nil, 400, "/years", "", nil},
		{"unknown member", `{"period":2}`, "", nil, 400, "/period", "", nil},
		{"bad expiry", `{"current_expires_at":"tomorrow"}`, "", nil, 400, "/current_expires_at", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, wfs := newLifecycleAPI(t)
			wfs.state = c.state
			r := a.do("POST", "registrar", "registrations/example.com/renew", c.body, c.header...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if c.pointer != "" {
				if got := r.pointers(); len(got) != 1 || got[0] != c.pointer {
					t.Errorf("pointers %q, want [%s]: %s", got, c.pointer, r.Body)
				}
				if c.reason != "" && !strings.HasPrefix(r.Env.Errors[0].Message, c.reason+": ") {
					t.Errorf("message %q does not begin with %s", r.Env.Errors[0].Message, c.reason)
				}
			}
			var want []registrar.RenewalRequest
			if c.want != nil {
				want = append(want, *c.want)
			}
			if diff := cmp.Diff(want, wfs.renewed); diff != "" {
				t.Errorf("renewals started (-want +got):\n%s", diff)
			}
			if c.status < 300 {
				var st workflowStatus
				json.Unmarshal(r.Env.Result, &st)
				if !strings.HasSuffix(st.Links.Self, "/registrar/registrations/example.com/renewal-status") {
					t.Errorf("links.self %q, want the renewal-status URL", st.Links.Self)
				}
			}
		})
	}
}

// TestLifecycleErrors: the engine's refusals keep their reason visible:
// a term beyond the maximum is 400 domain_max_term at /years, a restore
// outside redemption 409 not_restorable, another account's domain 404.
func TestLifecycleErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path string
		err        error
		status     int
		code       int
		prefix     string
	}{
		{"max term", "renew", &registrar.Error{Kind: registrar.KindInvalid, Reason: registrar.CodeDomainMaxTerm, Message: "the registration would run past 10 years"},
			400, CodeValidation, "domain_max_term: "},
		{"not restorable", "restore", &registrar.Error{Kind: registrar.KindConflict, Reason: registrar.CodeNotRestorable, Message: "example.com is not in its redemption period"},
			409, CodeConflict, "not_restorable: "},
		{"not ours", "renew", registrar.Errorf(registrar.KindNotFound, "fake", "no registration"), 404, CodeNotFound, "Domain not found"},
	}
	for _, c := range cases {
		a, wfs := newLifecycleAPI(t)
		wfs.err = c.err
		r := a.do("POST", "registrar", "registrations/example.com/"+c.path, "")
		if r.Status != c.status || len(r.Env.Errors) != 1 || r.Env.Errors[0].Code != c.code || !strings.HasPrefix(r.Env.Errors[0].Message, c.prefix) {
			t.Errorf("%s: POST %s = %d %s, want %d code %d, message beginning %q", c.name, c.path, r.Status, r.Body, c.status, c.code, c.prefix)
		}
		if r.Header.Get("x-should-retry") != "false" {
			t.Errorf("%s: x-should-retry %q, want false", c.name, r.Header.Get("x-should-retry"))
		}
	}
}

// TestRestore: POST .../restore takes an empty body or {} only, and
// answers with the restore's status; both statuses and the history read
// through the Reader, in both environments.
func TestRestore(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, wfs := newLifecycleAPI(t, registrar.RegistrationEvent{At: at, Type: registrar.EventRegistered, Status: registrar.RegistrationActive})
	wfs.state = registrar.StateSucceeded
	for _, body := range []string{"", "{}"} {
		r := a.do("POST", "registrar-sandbox", "registrations/example.com/restore", body)
		var st workflowStatus
		json.Unmarshal(r.Env.Result, &st)
		if r.Status != http.StatusCreated || !strings.HasSuffix(st.Links.Self, "/registrar-sandbox/registrations/example.com/restore-status") {
			t.Errorf("POST restore %q = %d %s, want 201 with the restore-status link", body, r.Status, r.Body)
		}
	}
	if r := a.do("POST", "registrar", "registrations/example.com/restore", `{"reason":"x"}`); r.Status != http.StatusBadRequest {
		t.Errorf("POST restore with a member = %d, want 400", r.Status)
	}
	for _, path := range []string{"renewal-status", "restore-status"} {
		if r := a.do("GET", "registrar", "registrations/example.com/"+path, ""); r.Status != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, r.Status, r.Body)
		}
		r := a.do("GET", "registrar", "registrations/other.com/"+path, "")
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "No workflow found for other.com") {
			t.Errorf("GET %s of another domain = %d %s, want 404", path, r.Status, r.Body)
		}
	}
	r := a.do("GET", "registrar", "registrations/example.com/history", "")
	if r.Status != http.StatusOK || string(r.Env.Result) != `[{"at":"2026-12-01T00:00:00Z","type":"registered","status":"active"}]` {
		t.Errorf("GET history = %d %s", r.Status, r.Body)
	}
	if r := a.do("GET", "registrar", "registrations/other.com/history", ""); r.Status != http.StatusNotFound {
		t.Errorf("GET history of another domain = %d, want 404", r.Status)
	}
}
