package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestRetryAfter pins the Retry-After chosen for each state and what a
// blocked workflow waits on (the table of docs/API.md).
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return `"` + now.Add(d).Format(time.RFC3339Nano) + `"` }
	tests := []struct {
		name    string
		state   registrar.State
		kind    registrar.WorkflowKind
		context string
		updated time.Duration // UpdatedAt, from now
		want    time.Duration
	}{
		{"pending", registrar.StatePending, registrar.WorkflowRegistration, `{}`, 0, time.Second},
		{"in_progress", registrar.StateInProgress, registrar.WorkflowTransferIn, `{}`, 0, 2 * time.Second},
		{"action_required: the user must act", registrar.StateActionRequired, registrar.WorkflowRegistration, `{"action":"registrant_email_confirmation_pending"}`, 0, 0},
		{"succeeded", registrar.StateSucceeded, registrar.WorkflowRegistration, `{}`, 0, 0},
		{"failed", registrar.StateFailed, registrar.WorkflowUpdate, `{}`, 0, 0},
		{"blocked on the registry, retry in 3.2s", registrar.StateBlocked, registrar.WorkflowRegistration,
			`{"blocked_by":"registry","next_attempt_at":` + at(3200*time.Millisecond) + `}`, -time.Second, 4 * time.Second},
		{"blocked on the registry, retry overdue", registrar.StateBlocked, registrar.WorkflowRegistration,
			`{"blocked_by":"registry","next_attempt_at":` + at(-time.Minute) + `}`, -2 * time.Minute, time.Second},
		{"blocked on the registry, retry in 50s: ceiling", registrar.StateBlocked, registrar.WorkflowUpdate,
			`{"blocked_by":"registry","next_attempt_at":` + at(50*time.Second) + `}`, 0, 30 * time.Second},
		{"registry reviewing for 5s", registrar.StateBlocked, registrar.WorkflowRegistration,
			`{"blocked_by":"registry"}`, -5 * time.Second, time.Second},
		{"registry reviewing for 2m", registrar.StateBlocked, registrar.WorkflowRegistration,
			`{"blocked_by":"registry"}`, -2 * time.Minute, 12 * time.Second},
		{"registry reviewing for an hour: ceiling", registrar.StateBlocked, registrar.WorkflowRenewal,
			`{"blocked_by":"registry"}`, -time.Hour, 30 * time.Second},
		{"losing registrar for 10s", registrar.StateBlocked, registrar.WorkflowTransferIn,
			`{"blocked_by":"losing_registrar","transfer_act_by":` + at(5*24*time.Hour) + `}`, -10 * time.Second, time.Second},
		{"losing registrar for an hour", registrar.StateBlocked, registrar.WorkflowTransferIn,
			`{"blocked_by":"losing_registrar","transfer_act_by":` + at(5*24*time.Hour) + `}`, -time.Hour, 6 * time.Minute},
		{"losing registrar for a day: ceiling", registrar.StateBlocked, registrar.WorkflowTransferIn,
			`{"blocked_by":"losing_registrar","transfer_act_by":` + at(4*24*time.Hour) + `}`, -24 * time.Hour, 30 * time.Minute},
		{"losing registrar, act-by in 90s", registrar.StateBlocked, registrar.WorkflowTransferOut,
			`{"blocked_by":"losing_registrar","transfer_act_by":` + at(90*time.Second) + `}`, -5 * 24 * time.Hour, 90 * time.Second},
		{"losing registrar, act-by passed", registrar.StateBlocked, registrar.WorkflowTransferIn,
			`{"blocked_by":"losing_registrar","transfer_act_by":` + at(-time.Hour) + `}`, -5 * 24 * time.Hour, 30 * time.Minute},
		{"blocked, unreadable context", registrar.StateBlocked, registrar.WorkflowRegistration, `[`, -time.Minute, 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wf := &registrar.Workflow{State: tt.state, Kind: tt.kind, Context: json.RawMessage(tt.context), UpdatedAt: now.Add(tt.updated)}
			if got := retryAfter(wf, now); got != tt.want {
				t.Errorf("retryAfter(%s %s %s) = %s, want %s", tt.kind, tt.state, tt.context, got, tt.want)
			}
		})
	}
}

// statusReader answers every status read with wf.
type statusReader struct {
	fakeReader
	wf *registrar.Workflow
}

func (r statusReader) RegistrationStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return r.wf, nil
}

func (r statusReader) TransferInStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return r.wf, nil
}

// TestStatusRetryAfterHeader checks Retry-After on real answers: status
// reads by state, in the clock of the workflow's environment, and the 202
// of a started workflow.
func TestStatusRetryAfterHeader(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	shifted := &registrar.ShiftClock{}
	shifted.Advance(48 * time.Hour) // the sandbox's time-travelled clock
	api.srv.Clocks = map[registrar.Env]registrar.Clock{registrar.EnvSandbox: shifted}
	reader := api.srv.Reader.(fakeReader)

	nextAttempt := func(c registrar.Clock, d time.Duration) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"domain_name": "ada.com", "blocked_by": "registry", "next_attempt_at": c.Now().Add(d)})
		return b
	}
	tests := []struct {
		name, env, path string
		wf              registrar.Workflow
		want            string
	}{
		{"pending", "registrar", "registration-status", registrar.Workflow{State: registrar.StatePending}, "1"},
		{"in progress transfer", "registrar", "transfer-in-status", registrar.Workflow{Kind: registrar.WorkflowTransferIn, State: registrar.StateInProgress}, "2"},
		{"blocked, retry in 3s", "registrar", "registration-status",
			registrar.Workflow{State: registrar.StateBlocked, Context: nextAttempt(registrar.SystemClock{}, 2500*time.Millisecond)}, "3"},
		{"blocked in the shifted sandbox, retry in 3s", "registrar-sandbox", "registration-status",
			registrar.Workflow{Env: registrar.EnvSandbox, State: registrar.StateBlocked, Context: nextAttempt(shifted, 2500*time.Millisecond)}, "3"},
		{"action_required", "registrar", "registration-status", registrar.Workflow{State: registrar.StateActionRequired}, ""},
		{"succeeded", "registrar", "registration-status", registrar.Workflow{State: registrar.StateSucceeded}, ""},
	}
	for _, tt := range tests {
		wf := tt.wf
		wf.Domain, wf.AccountID, wf.CreatedAt, wf.UpdatedAt = "ada.com", api.account, time.Now(), time.Now()
		if wf.Kind == "" {
			wf.Kind = registrar.WorkflowRegistration
		}
		api.srv.Reader = statusReader{fakeReader: reader, wf: &wf}
		r := api.do("GET", tt.env, "registrations/ada.com/"+tt.path, "")
		if r.Status != http.StatusOK {
			t.Fatalf("%s: GET %s = %d %s", tt.name, tt.path, r.Status, r.Body)
		}
		if got := r.Header.Get("Retry-After"); got != tt.want {
			t.Errorf("%s: Retry-After = %q, want %q", tt.name, got, tt.want)
		}
	}

	api.srv.Reader = reader
	r := api.do("PATCH", "registrar", "registrations/ada.com", `{"auto_renew": true}`, "Prefer", "respond-async")
	if r.Status != http.StatusAccepted {
		t.Fatalf("PATCH = %d %s, want 202", r.Status, r.Body)
	}
	if got := r.Header.Get("Retry-After"); got != "1" {
		t.Errorf("PATCH 202 (pending): Retry-After = %q, want 1", got)
	}
}
