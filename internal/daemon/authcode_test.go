package daemon_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLockAndAuthCode drives our two extensions over HTTP against the
// demo registry (the live API in demo mode): PATCH locked sets and
// removes clientTransferProhibited at the registry, and POST auth-code
// sets a new code there that another registrar can then quote (and the
// old one no longer), answered once and kept nowhere: not in the
// workflow's stored context or data, not in any log line at debug level.
func TestLockAndAuthCode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		logs := &lockedBuffer{}
		s := startServer(t, b, func(c *daemon.Config) {
			c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		ctx := context.Background()
		base := s.base("registrar")
		const domain = "lock-me.com"
		if r := s.register("registrar", domain); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
			t.Fatalf("register %s = %d %s", domain, r.Status, r.Body)
		}
		demo := s.d.Demo()
		statuses := func() string {
			t.Helper()
			info, resp, err := demo.DomainInfo(ctx, daemon.SandboxClientID, "test-info", domain, "")
			if err != nil || resp.Code != 1000 {
				t.Fatalf("demo info of %s = %d %v", domain, resp.Code, err)
			}
			return strings.Join(info.Statuses, " ")
		}
		update := func(body map[string]any) *response {
			t.Helper()
			r := s.do("PATCH", base+"/registrations/"+domain, s.token, body)
			if r.Status != http.StatusOK || r.status(t).State != registrar.StateSucceeded {
				t.Fatalf("PATCH %v = %d %s", body, r.Status, r.Body)
			}
			return r
		}

		r := update(map[string]any{"locked": true})
		if !strings.Contains(statuses(), registrar.StatusTransferLocked) {
			t.Errorf("after PATCH locked true the registry shows %q", statuses())
		}
		var ctxt struct {
			FieldsUpdated []string                `json:"fields_updated"`
			Registration  *registrar.Registration `json:"registration"`
		}
		var res struct {
			Context json.RawMessage `json:"context"`
		}
		if err := json.Unmarshal(r.Env.Result, &res); err != nil || json.Unmarshal(res.Context, &ctxt) != nil {
			t.Fatal(err)
		}
		if len(ctxt.FieldsUpdated) != 1 || ctxt.FieldsUpdated[0] != "locked" || ctxt.Registration == nil || !ctxt.Registration.Locked {
			t.Errorf("PATCH locked context = %s, want fields_updated [locked] and the registration locked", res.Context)
		}

		// The registration workflow's data holds the code set at create.
		regWF, err := s.d.DB().RegistrationStatus(ctx, s.account, registrar.EnvLive, domain)
		if err == nil {
			regWF, err = s.d.DB().WorkflowByID(ctx, regWF.ID) // with its private data
		}
		if err != nil {
			t.Fatal(err)
		}
		var created struct {
			AuthInfo string `json:"auth_info"`
		}
		if err := json.Unmarshal(regWF.Data, &created); err != nil || created.AuthInfo == "" {
			t.Fatalf("registration data: %v %s", err, regWF.Data)
		}

		r = s.do("POST", base+"/registrations/"+domain+"/auth-code", s.token, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("POST auth-code = %d %s", r.Status, r.Body)
		}
		var answered struct {
			State    registrar.State `json:"state"`
			AuthCode string          `json:"auth_code"`
		}
		if err := json.Unmarshal(r.Env.Result, &answered); err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(answered.AuthCode)
		if answered.State != registrar.StateSucceeded || err != nil || len(raw) != registrar.AuthCodeLength {
			t.Fatalf("POST auth-code answered %s with auth_code %q (%v)", answered.State, answered.AuthCode, err)
		}
		code := string(raw)
		authWF, err := s.d.DB().UpdateStatus(ctx, s.account, registrar.EnvLive, domain)
		if err != nil {
			t.Fatal(err)
		}

		update(map[string]any{"locked": false})
		if strings.Contains(statuses(), registrar.StatusTransferLocked) {
			t.Errorf("after PATCH locked false the registry shows %q", statuses())
		}
		if _, resp, _ := demo.DomainInfo(ctx, sandbox.OtherRegistrar, "test-new", domain, code); resp.Code != 1000 {
			t.Errorf("another registrar's info with the new code = %d %s, want 1000", resp.Code, resp.Message)
		}
		if _, resp, _ := demo.DomainInfo(ctx, sandbox.OtherRegistrar, "test-old", domain, created.AuthInfo); resp.Code != 2202 {
			t.Errorf("another registrar's info with the old code = %d %s, want 2202", resp.Code, resp.Message)
		}

		// Nothing kept the code: the auth-code workflow's stored row, the
		// status API, the logs.
		wf, err := s.d.DB().WorkflowByID(ctx, authWF.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(wf.Data), `"new_auth_code":true`) || wf.State != registrar.StateSucceeded {
			t.Errorf("workflow %s is not the auth-code workflow: %s %s", wf.ID, wf.State, wf.Data)
		}
		for what, v := range map[string]string{"data": string(wf.Data), "context": string(wf.Context), "error": wf.ErrorMessage} {
			if strings.Contains(v, code) || strings.Contains(v, answered.AuthCode) {
				t.Errorf("the auth-code workflow keeps the code in its %s", what)
			}
		}
		if r := s.do("GET", base+"/registrations/"+domain+"/update-status", s.token, nil); strings.Contains(string(r.Body), answered.AuthCode) {
			t.Error("update-status shows the code")
		}
		if l := logs.String(); strings.Contains(l, code) || strings.Contains(l, answered.AuthCode) {
			t.Error("the code was logged")
		} else if !strings.Contains(l, "auth-code") && !strings.Contains(l, "workflow") {
			t.Errorf("the test logger captured nothing useful: %.200s", l)
		}
	})
}
