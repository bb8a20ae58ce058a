package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestWriteStatus pins the WorkflowStatus JSON, byte for byte, in every
// shape: links by kind and environment, a context or none, an error only
// when failed, escaped.
func TestWriteStatus(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 123456000, time.UTC)
	base := registrar.Workflow{
		ID: "0123456789abcdef0123456789abcdef", AccountID: "fedcba9876543210fedcba9876543210", Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
		Domain: "xn--bcher-kva.com", Context: json.RawMessage(`{"domain_name":"xn--bcher-kva.com"}`), CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
	const (
		envelope = `{"success":true,"errors":[],"messages":[],"result":`
		times    = `"created_at":"2026-11-26T12:00:00.123456Z","updated_at":"2026-11-26T12:00:01.123456Z"`
		live     = `"/accounts/fedcba9876543210fedcba9876543210/registrar/registrations/xn--bcher-kva.com`
		sandbox  = `"/accounts/fedcba9876543210fedcba9876543210/registrar-sandbox/registrations/xn--bcher-kva.com`
		context  = `"context":{"domain_name":"xn--bcher-kva.com"}`
	)
	tests := []struct {
		name string
		edit func(w *registrar.Workflow)
		want string
	}{
		{"pending", func(w *registrar.Workflow) { w.State = registrar.StatePending },
			`{"completed":false,"state":"pending",` + times + `,"links":{"self":` + live + `/registration-status","resource":` + live + `"},` + context + `,"error":null}`},
		{"blocked in the sandbox", func(w *registrar.Workflow) { w.State, w.Env = registrar.StateBlocked, registrar.EnvSandbox },
			`{"completed":false,"state":"blocked",` + times + `,"links":{"self":` + sandbox + `/registration-status","resource":` + sandbox + `"},` + context + `,"error":null}`},
		{"succeeded update", func(w *registrar.Workflow) { w.State, w.Kind = registrar.StateSucceeded, registrar.WorkflowUpdate },
			`{"completed":true,"state":"succeeded",` + times + `,"links":{"self":` + live + `/update-status","resource":` + live + `"},` + context + `,"error":null}`},
		{"failed with quotes", func(w *registrar.Workflow) {
			w.State, w.ErrorCode, w.ErrorMessage = registrar.StateFailed, "registry_rejected", "2306 \"reserved\" <name> & \u2028 line"
		}, `{"completed":true,"state":"failed",` + times + `,"links":{"self":` + live + `/registration-status","resource":` + live + `"},` + context +
			`,"error":{"code":"registry_rejected","message":"2306 \"reserved\" \u003cname\u003e \u0026 \u2028 line"}}`},
		{"no context", func(w *registrar.Workflow) { w.State, w.Context = registrar.StateInProgress, nil },
			`{"completed":false,"state":"in_progress",` + times + `,"links":{"self":` + live + `/registration-status","resource":` + live + `"},"context":null,"error":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := base
			tt.edit(&wf)
			rec := httptest.NewRecorder()
			(&Server{}).writeStatus(rec, http.StatusAccepted, &wf)
			if rec.Code != http.StatusAccepted {
				t.Errorf("status code %d, want %d", rec.Code, http.StatusAccepted)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if got, want := rec.Body.String(), envelope+tt.want+"}\n"; got != want {
				t.Errorf("body =\n%s\nwant\n%s", got, want)
			}
		})
	}
}
