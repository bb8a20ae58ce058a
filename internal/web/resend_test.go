package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// resendWorkflows is the core as the actions page sees it: one
// registration waiting on its registrant's email (verify.com) and one
// change of registrant (owner.com); ResendVerification fails with err.
type resendWorkflows struct {
	registrar.Reader
	registrar.Workflows
	err    error
	resent []string
}

func (f *resendWorkflows) ListWorkflows(_ context.Context, _ string, _ registrar.Env, _ registrar.WorkflowListOptions) (registrar.Page[registrar.Workflow], error) {
	return registrar.Page[registrar.Workflow]{Items: []registrar.Workflow{
		{ID: "w1", Kind: registrar.WorkflowRegistration, Domain: "verify.com", State: registrar.StateActionRequired},
		{ID: "w2", Kind: registrar.WorkflowUpdate, Domain: "owner.com", State: registrar.StateActionRequired},
	}}, nil
}

func (f *resendWorkflows) Workflow(_ context.Context, _, id string) (*registrar.Workflow, error) {
	if id == "w1" {
		return &registrar.Workflow{ID: id, Kind: registrar.WorkflowRegistration, Domain: "verify.com", State: registrar.StateActionRequired,
			Context: json.RawMessage(`{"action":"registrant_email_confirmation_pending","confirmation_sent_to":"v***@example.com"}`)}, nil
	}
	return &registrar.Workflow{ID: id, Kind: registrar.WorkflowUpdate, Domain: "owner.com", State: registrar.StateActionRequired,
		Context: json.RawMessage(`{"action":"registrant_change_confirmation_pending","detail":"both registrants confirm"}`)}, nil
}

func (f *resendWorkflows) ResendVerification(_ context.Context, p registrar.Principal, env registrar.Env, domain string) (*registrar.Workflow, error) {
	f.resent = append(f.resent, p.AccountID+" "+string(env)+" "+domain)
	if f.err != nil {
		return nil, f.err
	}
	w, _ := f.Workflow(context.Background(), p.AccountID, "w1")
	return w, nil
}

// TestResendButton: the actions page offers "Resend the email" for a
// registration waiting on its registrant's email (only), the button's
// POST calls the core and comes back to the page saying where the email
// went, or why it did not.
func TestResendButton(t *testing.T) {
	const id = "write-session"
	sessions := &fakeSessions{live: map[string]registrar.Principal{
		registrar.HashSecret(id): {AccountID: "a", TokenID: "t1", Scopes: []registrar.Scope{registrar.ScopeRead, registrar.ScopeWrite}},
	}}
	core := &resendWorkflows{}
	s := New(Deps{Sessions: sessions, Reader: core, Workflows: core})
	get := func(path string) string {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: CookieName, Value: id})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	post := func(path string) string {
		t.Helper()
		form := url.Values{"csrf": {csrfToken(id)}}
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: CookieName, Value: id})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST %s = %d %s, want 303", path, rec.Code, rec.Body)
		}
		return rec.Header().Get("Location")
	}

	page := get("/dashboard/sandbox/actions")
	form := `<form method="post" action="/dashboard/sandbox/actions/verify.com/resend" class="resend">`
	if !strings.Contains(page, form) || !strings.Contains(page, `id="resend-verify.com"`) || !strings.Contains(page, `value="`+csrfToken(id)+`"`) {
		t.Errorf("actions page has no resend form for verify.com with the CSRF token:\n%s", page)
	}
	if strings.Count(page, `class="resend"`) != 1 {
		t.Errorf("want one resend form (not for the change of registrant):\n%s", page)
	}

	loc := post("/dashboard/sandbox/actions/verify.com/resend")
	if len(core.resent) != 1 || core.resent[0] != "a sandbox verify.com" {
		t.Errorf("core asked %q, want the session's account, the sandbox, verify.com", core.resent)
	}
	if !strings.HasPrefix(loc, "/dashboard/sandbox/actions?") {
		t.Fatalf("redirected to %q, want the actions page", loc)
	}
	if page := get(loc); !strings.Contains(page, `<p class="notice" role="status">Sent again to v***@example.com.</p>`) {
		t.Errorf("after a resend the page does not say where it went:\n%s", page)
	}

	core.err = &registrar.Error{Kind: registrar.KindRateLimited, Op: "fake", Message: "the verification email of verify.com was sent again less than a minute ago; retry in 42 seconds", RetryAfterSeconds: 42}
	loc = post("/dashboard/sandbox/actions/verify.com/resend")
	if page := get(loc); !strings.Contains(page, `<p class="error" role="alert">Not sent: the verification email of verify.com was sent again less than a minute ago; retry in 42 seconds</p>`) {
		t.Errorf("a refused resend does not say why:\n%s", page)
	}
}
