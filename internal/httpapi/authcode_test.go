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

// TestResendVerification: POST .../resend-verification (ours) answers the
// registration's status with 200, takes an empty body or {}, and gives
// the core's refusals their statuses: 404 for no registration workflow,
// 409, and 429 with Retry-After.
func TestResendVerification(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"registrar", "registrar-sandbox"} {
		for _, body := range []string{"", "{}"} {
			a := newTestAPI(t, nil)
			r := a.do("POST", env, "registrations/example.com/resend-verification", body)
			var st struct {
				State   registrar.State `json:"state"`
				Context struct {
					Action string `json:"action"`
				} `json:"context"`
			}
			if err := json.Unmarshal(r.Env.Result, &st); err != nil {
				t.Fatal(err)
			}
			if r.Status != http.StatusOK || st.State != registrar.StateActionRequired || st.Context.Action != registrar.ActionRegistrantEmailConfirmationPending || r.Header.Get("ETag") == "" {
				t.Errorf("%s, body %q: %d %s, want 200 action_required with an ETag", env, body, r.Status, r.Body)
			}
			wantEnv := registrar.EnvLive
			if env == "registrar-sandbox" {
				wantEnv = registrar.EnvSandbox
			}
			if len(a.wfs.resent) != 1 || a.wfs.resent[0] != string(wantEnv)+" example.com" {
				t.Errorf("%s: resent %q", env, a.wfs.resent)
			}
		}
	}
	a := newTestAPI(t, nil)
	if r := a.do("POST", "registrar", "registrations/example.com/resend-verification", `{"email":"x@example.com"}`); r.Status != http.StatusBadRequest || len(a.wfs.resent) != 0 {
		t.Errorf("a body with members: status %d, want 400 before the core: %s", r.Status, r.Body)
	}
	cases := []struct {
		name   string
		err    error
		status int
		retry  string
		msg    string
	}{
		{"no registration", registrar.Errorf(registrar.KindNotFound, "fake", "registration workflow for example.com not found"), http.StatusNotFound, "", "No workflow found for example.com"},
		{"not waiting", registrar.Errorf(registrar.KindConflict, "fake", "not waiting"), http.StatusConflict, "", "not waiting"},
		{"too soon", &registrar.Error{Kind: registrar.KindRateLimited, Op: "fake", Message: "retry in 42 seconds", RetryAfterSeconds: 42}, http.StatusTooManyRequests, "42", "retry in 42 seconds"},
	}
	for _, c := range cases {
		a := newTestAPI(t, nil)
		a.wfs.resendErr = c.err
		r := a.do("POST", "registrar", "registrations/example.com/resend-verification", "")
		if r.Status != c.status || r.Header.Get("Retry-After") != c.retry || len(r.Env.Errors) != 1 || r.Env.Errors[0].Message != c.msg {
			t.Errorf("%s: %d Retry-After %q %s; want %d Retry-After %q %q", c.name, r.Status, r.Header.Get("Retry-After"), r.Body, c.status, c.retry, c.msg)
		}
	}
}
