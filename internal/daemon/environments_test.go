package daemon_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestDemoMode: with no registries file the live API runs in demo mode on
// its own built-in registry, separate from the sandbox API's: the same
// name can be bought in both, each registry sees only its own create, the
// sandbox's verification rule holds, no charge is written, and the banner
// and /healthz say so.
func TestDemoMode(t *testing.T) {
	t.Parallel()
	var banner bytes.Buffer
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Out = &banner })
	if !strings.Contains(banner.String(), "Demo mode") {
		t.Errorf("the first-start banner does not mention demo mode:\n%s", banner.String())
	}
	if mode := healthMode(t, s); mode != daemon.ModeDemo {
		t.Errorf("/healthz mode = %q, want %q", mode, daemon.ModeDemo)
	}
	for _, env := range []string{"registrar", "registrar-sandbox"} {
		if r := s.register(env, "shared-name.com"); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
			t.Fatalf("POST %s shared-name.com = %d %s, want 201 succeeded", env, r.Status, r.Body)
		}
	}
	if n := createsIn(t, s.d.Demo(), "shared-name.com"); n != 1 {
		t.Errorf("the demo registry received %d creates of shared-name.com, want 1 (the live API's)", n)
	}
	if n := createsIn(t, s.d.Sandbox(), "shared-name.com"); n != 1 {
		t.Errorf("the sandbox registry received %d creates of shared-name.com, want 1 (the sandbox API's)", n)
	}
	// The scenario rule: only "verify…" addresses are asked, also on live.
	contact := daemon.SampleContact()
	contact.Email = "verify-grace@example.com"
	r := s.do("POST", s.base("registrar")+"/registrations", s.token,
		map[string]any{"domain_name": "demo-verify.com", "contacts": map[string]any{"registrant": contact}})
	if st := r.status(t); r.Status != http.StatusAccepted || st.State != registrar.StateActionRequired {
		t.Errorf("live POST with a verify… registrant in demo mode = %d %s, want 202 action_required", r.Status, r.Body)
	}
	charges, err := s.d.DB().Charges(context.Background(), s.account)
	if err != nil {
		t.Fatal(err)
	}
	if len(charges) != 0 {
		t.Errorf("demo mode wrote charges: %+v", charges)
	}
}

// TestLiveVerification: with real registries the live API verifies every
// registrant address the account has not verified before, once; charges
// are written; the sandbox API keeps its scenario rule.
func TestLiveVerification(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, 300*time.Millisecond)
	var banner bytes.Buffer
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
		c.Registries = reg.file
		c.Out = &banner
	})
	if strings.Contains(banner.String(), "Demo mode") {
		t.Errorf("the banner mentions demo mode with a registries file:\n%s", banner.String())
	}
	if mode := healthMode(t, s); mode != daemon.ModeLive {
		t.Errorf("/healthz mode = %q, want %q", mode, daemon.ModeLive)
	}
	// Which registries: the file's by name, not "sandbox registry".
	if r := s.do("GET", "http://"+s.d.Addr()+"/healthz", "", nil); !strings.Contains(string(r.Body), `"registries":{"live":["faulty"],"sandbox":["sandbox"]}`) {
		t.Errorf("/healthz = %s, want the live registry faulty named", r.Body)
	}
	if got := s.d.Describe(); !strings.Contains(got, "live API: the registries of "+reg.file+": faulty (") || !strings.Contains(got, ", com)") {
		t.Errorf("the start line says %q, want the registries file's registry and its extension", got)
	}
	// The account's default registrant, ada@example.com, is new: asked.
	r := s.register("registrar", "first-live.com")
	if st := r.status(t); r.Status != http.StatusAccepted || st.State != registrar.StateActionRequired ||
		st.Context.ConfirmationSentTo != registrar.MaskEmail(daemon.SampleContact().Email) {
		t.Fatalf("first live POST = %d %s, want 202 action_required to %s", r.Status, r.Body, daemon.SampleContact().Email)
	}
	if n := reg.creates(t)["first-live.com"]; n != 0 {
		t.Fatalf("the registry received %d creates before the address was verified", n)
	}
	s.openVerificationLink("first-live.com")
	if st := s.waitState("registrar", "first-live.com", 20*time.Second, completed); st.State != registrar.StateSucceeded {
		t.Fatalf("after the link: %s %+v, want succeeded", st.State, st.Error)
	}
	// Verified once, not asked again.
	if r := s.register("registrar", "second-live.com"); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
		t.Errorf("second live POST with the verified address = %d %s, want 201 succeeded", r.Status, r.Body)
	}
	// Another account with the same address has not verified it.
	other, otherToken := s.newAccount("other", daemon.SampleContact())
	r = s.do("POST", strings.TrimSuffix(s.d.URL(), "/")+"/accounts/"+other+"/registrar/registrations", otherToken,
		map[string]any{"domain_name": "other-live.com"})
	if st := r.status(t); r.Status != http.StatusAccepted || st.State != registrar.StateActionRequired {
		t.Errorf("another account's first live POST = %d %s, want 202 action_required", r.Status, r.Body)
	}
	charges, err := s.d.DB().Charges(context.Background(), s.account)
	if err != nil {
		t.Fatal(err)
	}
	var charged []string
	for _, c := range charges {
		charged = append(charged, c.Domain)
	}
	if strings.Join(charged, ",") != "first-live.com,second-live.com" {
		t.Errorf("charges for %v, want first-live.com and second-live.com", charged)
	}
	// The sandbox API keeps the scenario rule: a new address is not asked.
	if r := s.register("registrar-sandbox", "sandbox-side.com"); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
		t.Errorf("sandbox POST = %d %s, want 201 succeeded", r.Status, r.Body)
	}
}

// healthMode reads the mode /healthz reports.
func healthMode(t *testing.T, s *server) string {
	t.Helper()
	r := s.do("GET", "http://"+s.d.Addr()+"/healthz", "", nil)
	var h struct {
		Status string `json:"status"`
		Mode   string `json:"mode"`
	}
	if r.Status != http.StatusOK || jsonUnmarshal(r.Body, &h) != nil || h.Status != "ok" {
		t.Fatalf("GET /healthz = %d %s", r.Status, r.Body)
	}
	return h.Mode
}

// createsIn counts the creates of domain a built-in registry received.
func createsIn(t testing.TB, e *sandbox.Engine, domain string) int {
	t.Helper()
	if e == nil {
		t.Fatal("no such built-in registry")
	}
	log, err := e.Log(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range log {
		if l.Command == "create" && l.Domain == domain {
			n++
		}
	}
	return n
}
