package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestAuthCode: POST .../auth-code shows the new code (base64) only in a
// 200 answer of a workflow that succeeded within it, never in a 202 or
// with a failure, and never lets the answer be cached.
func TestAuthCode(t *testing.T) {
	t.Parallel()
	encoded := base64.StdEncoding.EncodeToString([]byte(testAuthCode))
	cases := []struct {
		name   string
		state  registrar.State
		body   string
		header []string
		status int
		code   string
	}{
		{"succeeded", registrar.StateSucceeded, "", nil, http.StatusOK, encoded},
		{"succeeded, body {}", registrar.StateSucceeded, "{}", nil, http.StatusOK, encoded},
		{"failed", registrar.StateFailed, "", nil, http.StatusOK, ""},
		{"respond-async", registrar.StateSucceeded, "", []string{"Prefer", "respond-async"}, http.StatusAccepted, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t, nil)
			a.wfs.authCode = c.state
			r := a.do("POST", "registrar", "registrations/example.com/auth-code", c.body, c.header...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			var res struct {
				State    registrar.State `json:"state"`
				AuthCode *string         `json:"auth_code"`
			}
			if err := json.Unmarshal(r.Env.Result, &res); err != nil {
				t.Fatal(err)
			}
			got := ""
			if res.AuthCode != nil {
				got = *res.AuthCode
			}
			if got != c.code {
				t.Errorf("auth_code %q, want %q", got, c.code)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}

	a := newTestAPI(t, nil)
	if r := a.do("POST", "registrar", "registrations/example.com/auth-code", `{"auth_code":"x"}`); r.Status != http.StatusBadRequest {
		t.Errorf("a body with members: status %d, want 400: %s", r.Status, r.Body)
	}
}

// TestUpdateLocked: PATCH decodes our locked member strictly.
func TestUpdateLocked(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, nil)
	if r := a.do("PATCH", "registrar", "registrations/example.com", `{"locked":false}`, "Prefer", "respond-async"); r.Status != http.StatusAccepted {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if r := a.do("PATCH", "registrar", "registrations/example.com", `{"locked":"no"}`); r.Status != http.StatusBadRequest {
		t.Errorf("locked as a string: status %d, want 400", r.Status)
	}
	a.wfs.mu.Lock()
	defer a.wfs.mu.Unlock()
	if len(a.wfs.updates) != 1 || a.wfs.updates[0].Locked == nil || *a.wfs.updates[0].Locked || a.wfs.updates[0].AutoRenew != nil {
		t.Errorf("updates started: %+v, want one with locked false", a.wfs.updates)
	}
}
