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

const transferSelfPath = "/client/v4/accounts/acct/registrar/registrations/x.com/transfer-in-status"

// transferStatus returns a transfer-in status of x.com in state s; a
// blocked one waits on the losing registrar until actBy (none if zero).
func transferStatus(s State, actBy time.Time) *WorkflowStatus {
	st := wfStatus(s)
	st.Links.Self = "/accounts/acct/registrar/registrations/x.com/transfer-in-status"
	if s == StateBlocked {
		st.Context.BlockedBy, st.Context.WaitingOn = BlockedByLosingRegistrar, BlockedByLosingRegistrar
		st.Context.Detail = "The losing registrar has until the act-by date to approve or reject the transfer."
		st.Context.TransferActBy = actBy
	}
	if s == StateFailed {
		st.Error = &WorkflowError{Code: WorkflowErrTransferRejected, Message: "the losing registrar rejected the transfer"}
	}
	return st
}

// TestTransferEndpoints checks each transfer call's request on the wire
// and its decoded result.
func TestTransferEndpoints(t *testing.T) {
	prefix := "/client/v4/accounts/acct/registrar"
	checked := map[string]TransferCheckResult{
		"x.com":      {Name: "x.com", Transferable: true, Reasons: []TransferReason{}, Pricing: &TransferPricing{Currency: "USD", TransferCost: "10.44", RenewalCost: "10.44"}},
		"locked.com": {Name: "locked.com", Reasons: []TransferReason{{Code: TransferReasonDomainLocked}}},
	}
	blocked := transferStatus(StateBlocked, time.Date(2026, 12, 1, 18, 51, 21, 0, time.UTC))
	tests := []struct {
		name   string
		answer answer
		call   func(c *Client) (any, error)
		method string
		path   string
		header map[string]string
		body   string
		want   any
	}{
		{"TransferCheck", ok(map[string]any{"domains": checked}),
			func(c *Client) (any, error) {
				return c.TransferCheck(t.Context(), TransferCheckName{DomainName: "x.com", AuthCode: "c2FuZGJveC1hdXRo"}, TransferCheckName{DomainName: "locked.com"})
			},
			"POST", prefix + "/domain-transfer-check", nil,
			`{"domains":[{"domain_name":"x.com","auth_code":"c2FuZGJveC1hdXRo"},{"domain_name":"locked.com"}]}`, checked},
		{"TransferIn", okStatus(202, blocked),
			func(c *Client) (any, error) {
				return c.TransferIn(t.Context(), "x.com", TransferInRequest{AuthCode: "c2FuZGJveC1hdXRo", AutoRenew: true}, TransferInOptions{})
			},
			"POST", prefix + "/registrations/x.com/transfer-in", nil, `{"auth_code":"c2FuZGJveC1hdXRo","auto_renew":true}`, blocked},
		{"TransferIn async", okStatus(202, transferStatus(StatePending, time.Time{})),
			func(c *Client) (any, error) {
				return c.TransferIn(t.Context(), "x.com", TransferInRequest{AuthCode: "YQ=="}, TransferInOptions{Async: true})
			},
			"POST", prefix + "/registrations/x.com/transfer-in", map[string]string{"Prefer": "respond-async"}, `{"auth_code":"YQ=="}`,
			transferStatus(StatePending, time.Time{})},
		{"TransferInStatus", ok(blocked),
			func(c *Client) (any, error) { return c.TransferInStatus(t.Context(), "x.com") },
			"GET", prefix + "/registrations/x.com/transfer-in-status", nil, "", blocked},
		{"CancelTransferIn", ok(transferStatus(StateFailed, time.Time{})),
			func(c *Client) (any, error) { return c.CancelTransferIn(t.Context(), "x.com") },
			"DELETE", prefix + "/registrations/x.com/transfer-in", nil, "", transferStatus(StateFailed, time.Time{})},
		{"TransferOutStatus", ok(blocked),
			func(c *Client) (any, error) { return c.TransferOutStatus(t.Context(), "x.com") },
			"GET", prefix + "/registrations/x.com/transfer-out-status", nil, "", blocked},
		{"ApproveTransferOut", ok(wfStatus(StateSucceeded)),
			func(c *Client) (any, error) { return c.ApproveTransferOut(t.Context(), "x.com") },
			"POST", prefix + "/registrations/x.com/transfer-out/approve", nil, "", wfStatus(StateSucceeded)},
		{"RejectTransferOut", ok(transferStatus(StateFailed, time.Time{})),
			func(c *Client) (any, error) { return c.RejectTransferOut(t.Context(), "x.com") },
			"POST", prefix + "/registrations/x.com/transfer-out/reject", nil, "", transferStatus(StateFailed, time.Time{})},
		{"ResendVerification", ok(wfStatus(StateActionRequired)),
			func(c *Client) (any, error) { return c.ResendVerification(t.Context(), "x.com") },
			"POST", prefix + "/registrations/x.com/resend-verification", nil, "", wfStatus(StateActionRequired)},
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
			if r.Method != tt.method || r.Path != tt.path || r.Body != tt.body {
				t.Errorf("request = %s %s %s, want %s %s %s", r.Method, r.Path, r.Body, tt.method, tt.path, tt.body)
			}
			for k, v := range tt.header {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.header == nil && r.Header.Get("Prefer") != "" {
				t.Errorf("Prefer = %q, want none", r.Header.Get("Prefer"))
			}
		})
	}
}

// TestTransferArgs: bad arguments fail before any request; a 409 of a
// cancel with no transfer running is an *APIError.
func TestTransferArgs(t *testing.T) {
	f := newFake(t, fail(http.StatusConflict, 1002, "no transfer in of x.com is running"))
	c := newTestClient(t, f)
	if _, err := c.TransferCheck(t.Context()); err == nil || !strings.Contains(err.Error(), "1 to 10") {
		t.Errorf("TransferCheck() = %v, want an error", err)
	}
	if _, err := c.TransferCheck(t.Context(), make([]TransferCheckName, 11)...); err == nil {
		t.Error("TransferCheck of 11 names succeeded")
	}
	if _, err := c.TransferIn(t.Context(), "", TransferInRequest{}, TransferInOptions{}); err == nil {
		t.Error("TransferIn of no domain succeeded")
	}
	for name, call := range map[string]func() (*WorkflowStatus, error){
		"TransferInStatus":   func() (*WorkflowStatus, error) { return c.TransferInStatus(t.Context(), "") },
		"CancelTransferIn":   func() (*WorkflowStatus, error) { return c.CancelTransferIn(t.Context(), "") },
		"TransferOutStatus":  func() (*WorkflowStatus, error) { return c.TransferOutStatus(t.Context(), "") },
		"ApproveTransferOut": func() (*WorkflowStatus, error) { return c.ApproveTransferOut(t.Context(), "") },
		"RejectTransferOut":  func() (*WorkflowStatus, error) { return c.RejectTransferOut(t.Context(), "") },
		"ResendVerification": func() (*WorkflowStatus, error) { return c.ResendVerification(t.Context(), "") },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s of no domain succeeded", name)
		}
	}
	if n := len(f.seen()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	_, err := c.CancelTransferIn(t.Context(), "x.com")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict {
		t.Errorf("CancelTransferIn with none running = %v, want a 409 *APIError", err)
	}
}

// TestWaitTransferBlocked: blocked on the losing registrar, polls start
// at 5 minutes and grow to 30, and Wait does not give up at MaxBlocked
// (an hour): a transfer takes days.
func TestWaitTransferBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		blocked := ok(transferStatus(StateBlocked, time.Time{}))
		f := newFake(t, append(repeat(6, blocked), ok(transferStatus(StateSucceeded, time.Time{})))...)
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), transferStatus(StateBlocked, time.Time{}), WaitOptions{})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
		}
		m := time.Minute
		want := cumulative(5*m, 10*m, 20*m, 30*m, 30*m, 30*m, 30*m)
		if diff := cmp.Diff(want, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
		for i, r := range f.seen() {
			if r.Method != http.MethodGet || r.Path != transferSelfPath {
				t.Errorf("request %d = %s %s, want GET %s", i, r.Method, r.Path, transferSelfPath)
			}
		}
	})
}

// TestWaitTransferActBy: no poll runs past the act-by date; after it the
// transfer is polled as blocked on the registry (30s, growing), and
// counts towards MaxBlocked from then on.
func TestWaitTransferActBy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		actBy := time.Now().Add(7 * time.Minute)
		blocked := ok(transferStatus(StateBlocked, actBy))
		f := newFake(t, blocked)
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), transferStatus(StateBlocked, actBy), WaitOptions{MaxBlocked: 2 * time.Minute})
		var be *BlockedError
		if !errors.As(err, &be) || be.Blocked != 2*time.Minute || st.State != StateBlocked {
			t.Fatalf("Wait = %v, %v; want blocked and a *BlockedError of 2m", st.State, err)
		}
		m, s := time.Minute, time.Second
		// 5m, then 2m to the act-by date; blocked on the registry from
		// there: 30s, 1m, then the last 30s of the 2m.
		want := cumulative(5*m, 2*m, 30*s, 1*m, 30*s)
		if diff := cmp.Diff(want, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
	})
}

// TestWaitTransferOptions: the transfer intervals are settable, and a
// transfer that turns to action_required (or any state Wait stops at) is
// returned at once.
func TestWaitTransferOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		blocked := ok(transferStatus(StateBlocked, time.Time{}))
		f := newFake(t, ok(transferStatus(StateInProgress, time.Time{})), blocked, blocked, blocked, ok(transferStatus(StateActionRequired, time.Time{})))
		c := newTestClient(t, f)
		var states []State
		st, err := c.Wait(t.Context(), transferStatus(StatePending, time.Time{}), WaitOptions{
			TransferInterval: 10 * time.Second, MaxTransferInterval: 15 * time.Second,
			OnChange: func(_, cur *WorkflowStatus, _ time.Duration) { states = append(states, cur.State) },
		})
		if err != nil || st.State != StateActionRequired {
			t.Fatalf("Wait = %v, %v; want action_required", st.State, err)
		}
		s := time.Second
		if diff := cmp.Diff(cumulative(1*s, 1*s, 10*s, 15*s, 15*s), f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
		want := []State{StatePending, StateInProgress, StateBlocked, StateActionRequired}
		if diff := cmp.Diff(want, states); diff != "" {
			t.Errorf("OnChange states (-want +got):\n%s", diff)
		}
	})
}

// TestTransferInThenWait: one POST, then only GETs of the transfer's
// links.self until it fails; the failure is the status's, not Wait's.
func TestTransferInThenWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t,
			okStatus(http.StatusAccepted, transferStatus(StatePending, time.Time{})),
			ok(transferStatus(StateBlocked, time.Time{})),
			ok(transferStatus(StateFailed, time.Time{})))
		c := newTestClient(t, f)
		st, err := c.TransferIn(t.Context(), "x.com", TransferInRequest{AuthCode: "YQ=="}, TransferInOptions{Async: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err = c.Wait(t.Context(), st, WaitOptions{})
		if err != nil || st.State != StateFailed || st.Err() == nil || st.Error.Code != WorkflowErrTransferRejected {
			t.Fatalf("Wait = %+v, %v; want failed transfer_rejected", st, err)
		}
		var got []string
		for _, r := range f.seen() {
			got = append(got, r.Method+" "+r.Path)
		}
		want := []string{"POST /client/v4/accounts/acct/registrar/registrations/x.com/transfer-in", "GET " + transferSelfPath, "GET " + transferSelfPath}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
}
