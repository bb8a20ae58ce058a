package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// renewalStatus is a renewal status of x.com in state s.
func renewalStatus(s State) *WorkflowStatus {
	st := wfStatus(s)
	st.Links.Self = "/accounts/acct/registrar/registrations/x.com/renewal-status"
	return st
}

// TestLifecycleEndpoints checks each renewal, restore and history call's
// request on the wire and its decoded result.
func TestLifecycleEndpoints(t *testing.T) {
	prefix := "/client/v4/accounts/acct/registrar/registrations/x.com"
	exp := time.Date(2027, 11, 26, 18, 51, 21, 0, time.UTC)
	events := []RegistrationEvent{
		{At: exp.AddDate(-1, 0, 0), Type: "registered", Status: DomainActive, ExpiresAt: &exp},
		{At: exp.AddDate(0, -1, 0), Type: "renewed", Status: DomainActive, WorkflowID: "w2"},
	}
	tests := []struct {
		name   string
		answer answer
		call   func(c *Client) (any, error)
		method string
		path   string
		async  bool
		body   string
		want   any
	}{
		{"Renew", okStatus(201, renewalStatus(StateSucceeded)),
			func(c *Client) (any, error) {
				return c.Renew(t.Context(), "x.com", RenewRequest{Years: 2}, RenewOptions{})
			},
			"POST", prefix + "/renew", false, `{"years":2}`, renewalStatus(StateSucceeded)},
		{"Renew with the expiry, async", okStatus(202, renewalStatus(StatePending)),
			func(c *Client) (any, error) {
				return c.Renew(t.Context(), "x.com", RenewRequest{CurrentExpiresAt: &exp}, RenewOptions{Async: true})
			},
			"POST", prefix + "/renew", true, `{"current_expires_at":"2027-11-26T18:51:21Z"}`, renewalStatus(StatePending)},
		{"RenewalStatus", ok(renewalStatus(StateFailed)),
			func(c *Client) (any, error) { return c.RenewalStatus(t.Context(), "x.com") },
			"GET", prefix + "/renewal-status", false, "", renewalStatus(StateFailed)},
		{"Restore", okStatus(201, wfStatus(StateSucceeded)),
			func(c *Client) (any, error) { return c.Restore(t.Context(), "x.com", RestoreOptions{}) },
			"POST", prefix + "/restore", false, `{}`, wfStatus(StateSucceeded)},
		{"RestoreStatus", ok(wfStatus(StateInProgress)),
			func(c *Client) (any, error) { return c.RestoreStatus(t.Context(), "x.com") },
			"GET", prefix + "/restore-status", false, "", wfStatus(StateInProgress)},
		{"History", ok(events),
			func(c *Client) (any, error) { return c.History(t.Context(), "x.com") },
			"GET", prefix + "/history", false, "", events},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			c := newTestClient(t, f)
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreRaw); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			reqs := f.seen()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path || strings.TrimSpace(r.Body) != tt.body {
				t.Errorf("request = %s %s %s, want %s %s %s", r.Method, r.Path, r.Body, tt.method, tt.path, tt.body)
			}
			if got := r.Header.Get("Prefer") == "respond-async"; got != tt.async {
				t.Errorf("Prefer %q, want async %v", r.Header.Get("Prefer"), tt.async)
			}
		})
	}
}

// TestRenewWait: Wait follows a renewal through its renewal-status link,
// and a refusal is an *APIError with the reason at the start.
func TestRenewWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, okStatus(202, renewalStatus(StatePending)), ok(renewalStatus(StateInProgress)), ok(renewalStatus(StateSucceeded)))
		c := newTestClient(t, f)
		st, err := c.Renew(t.Context(), "x.com", RenewRequest{}, RenewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st, err = c.Wait(t.Context(), st, WaitOptions{})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st, err)
		}
		for _, r := range f.seen()[1:] {
			if !strings.HasSuffix(r.Path, "/renewal-status") {
				t.Errorf("polled %s, want renewal-status", r.Path)
			}
		}
	})

	f := newFake(t, fail(http.StatusBadRequest, CodeValidation, "domain_max_term: years: a registration cannot run more than 10 years ahead"))
	c := newTestClient(t, f)
	_, err := c.Renew(t.Context(), "x.com", RenewRequest{Years: 11}, RenewOptions{})
	var e *APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || !strings.HasPrefix(e.Errors[0].Message, WorkflowErrDomainMaxTerm) {
		t.Errorf("Renew of 11 years = %v, want a 400 naming domain_max_term", err)
	}
	for name, call := range map[string]func() (any, error){
		"Renew":   func() (any, error) { return c.Renew(t.Context(), "", RenewRequest{}, RenewOptions{}) },
		"Restore": func() (any, error) { return c.Restore(t.Context(), "", RestoreOptions{}) },
		"History": func() (any, error) { return c.History(t.Context(), "") },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s of no domain succeeded", name)
		}
	}
}
