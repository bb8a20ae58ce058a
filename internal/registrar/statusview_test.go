package registrar

import (
	"testing"
	"time"
)

// TestStatusView: each kind's links, the sandbox's path, and an error
// only when failed.
func TestStatusView(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := "/accounts/acct/registrar/registrations/b%C3%BCcher.com" // a path segment, escaped
	tests := []struct {
		name     string
		wf       Workflow
		self     string
		resource string
		err      *StatusError
	}{
		{"registration", Workflow{Kind: WorkflowRegistration, State: StatePending}, base + "/registration-status", base, nil},
		{"update", Workflow{Kind: WorkflowUpdate, State: StateSucceeded}, base + "/update-status", base, nil},
		{"transfer in", Workflow{Kind: WorkflowTransferIn, State: StateBlocked}, base + "/transfer-in-status", base, nil},
		{"transfer out", Workflow{Kind: WorkflowTransferOut, State: StateBlocked}, base + "/transfer-out-status", base, nil},
		{"renewal", Workflow{Kind: WorkflowRenewal, State: StateInProgress}, base + "/renewal-status", base, nil},
		{"restore", Workflow{Kind: WorkflowRestore, State: StateFailed, ErrorCode: "not_restorable", ErrorMessage: "late"},
			base + "/restore-status", base, &StatusError{Code: "not_restorable", Message: "late"}},
		{"sandbox", Workflow{Kind: WorkflowRegistration, Env: EnvSandbox, State: StatePending},
			"/accounts/acct/registrar-sandbox/registrations/b%C3%BCcher.com/registration-status", "/accounts/acct/registrar-sandbox/registrations/b%C3%BCcher.com", nil},
	}
	for _, tt := range tests {
		wf := tt.wf
		wf.AccountID, wf.Domain, wf.CreatedAt, wf.UpdatedAt = "acct", "bücher.com", at, at
		if wf.Env == "" {
			wf.Env = EnvLive
		}
		st := StatusView(&wf)
		if st.Links.Self != tt.self || st.Links.Resource != tt.resource {
			t.Errorf("%s: links %+v, want self %s resource %s", tt.name, st.Links, tt.self, tt.resource)
		}
		if (st.Error == nil) != (tt.err == nil) || (st.Error != nil && *st.Error != *tt.err) {
			t.Errorf("%s: error %+v, want %+v", tt.name, st.Error, tt.err)
		}
		if st.Completed != wf.State.Terminal() || st.State != wf.State || !st.CreatedAt.Equal(at) {
			t.Errorf("%s: completed %v state %s created %s, want %v %s %s", tt.name, st.Completed, st.State, st.CreatedAt, wf.State.Terminal(), wf.State, at)
		}
	}
}
