package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestAppendStatusMatchesJSON: the hand-written status encoder writes what
// encoding/json writes for the documented struct, in every state.
func TestAppendStatusMatchesJSON(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 123456000, time.UTC)
	base := registrar.Workflow{
		ID: registrar.NewID(), AccountID: registrar.NewID(), Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
		Domain: "xn--bcher-kva.com", Context: json.RawMessage(`{"domain_name":"xn--bcher-kva.com"}`), CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
	tests := []struct {
		name string
		edit func(w *registrar.Workflow)
	}{
		{"pending", func(w *registrar.Workflow) { w.State = registrar.StatePending }},
		{"blocked in the sandbox", func(w *registrar.Workflow) { w.State, w.Env = registrar.StateBlocked, registrar.EnvSandbox }},
		{"succeeded update", func(w *registrar.Workflow) { w.State, w.Kind = registrar.StateSucceeded, registrar.WorkflowUpdate }},
		{"failed with quotes", func(w *registrar.Workflow) {
			w.State, w.ErrorCode, w.ErrorMessage = registrar.StateFailed, "registry_rejected", "2306 \"reserved\" <name> & \u2028 line"
		}},
		{"no context", func(w *registrar.Workflow) { w.State, w.Context = registrar.StateInProgress, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := base
			tt.edit(&wf)
			want, err := json.Marshal(status(&wf))
			if err != nil {
				t.Fatal(err)
			}
			if got := appendStatus(nil, &wf); string(got) != string(want) {
				t.Errorf("appendStatus =\n%s\nwant (encoding/json)\n%s", got, want)
			}
		})
	}
}

func BenchmarkAppendStatus(b *testing.B) {
	wf := &registrar.Workflow{
		ID: registrar.NewID(), AccountID: registrar.NewID(), Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
		Domain: "example.com", State: registrar.StateSucceeded, CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Context: json.RawMessage(`{"domain_name":"example.com","registration":{"domain_name":"example.com","status":"active","created_at":"2026-11-26T19:21:41.123456Z","expires_at":"2027-11-26T19:21:41.123456Z","auto_renew":false,"locked":true,"privacy_mode":"redaction"}}`),
	}
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = appendStatus(buf[:0], wf)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: status(wf)})
		}
	})
}
