package daemon_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestOneAccountCannotStarveAnother: an account that floods the server
// with slow registrations gets its in-flight share (the rest: 429 with
// Retry-After), and another account's first registration still finishes
// inside the sync window. Without the cap the flood takes every worker
// for the registry's 18 s and the other account's POST answers 202.
func TestOneAccountCannotStarveAnother(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: holds workers with 18s creates")
	}
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
		c.Workflows.Workers, c.Workflows.MaxInFlight = 6, 4
		// Without the cap the flood holds every worker for 18 s (under the
		// EPP client's 20 s transform timeout), past the sync window; with
		// it, the other account's registration has room to finish inside
		// the window even on a loaded CI machine.
		c.SandboxDelay = 18 * time.Second
		c.Workflows.JobTimeout, c.Workflows.RescueAfter = time.Minute, 2*time.Minute
		c.API.SyncWait = 15 * time.Second
	})
	accepted, limited := 0, 0
	for i := range 8 {
		r := s.register("registrar", fmt.Sprintf("slow-flood%d.com", i), "Prefer", "respond-async")
		switch r.Status {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if r.Header.Get("Retry-After") == "" || len(r.Env.Errors) != 1 || !strings.Contains(r.Env.Errors[0].Message, "pending or in progress") {
				t.Errorf("429 for slow-flood%d.com without Retry-After or reason: %s", i, r.Body)
			}
		default:
			t.Fatalf("POST slow-flood%d.com = %d %s", i, r.Status, r.Body)
		}
	}
	if accepted != 4 || limited != 4 {
		t.Errorf("the flood: %d accepted and %d limited, want 4 and 4", accepted, limited)
	}
	other, token := s.newAccount("other", daemon.SampleContact())
	r := s.do("POST", strings.TrimSuffix(s.d.URL(), "/")+"/accounts/"+other+"/registrar/registrations", token,
		map[string]any{"domain_name": "fair-share.com"})
	if st := r.status(t); r.Status != http.StatusCreated || st.State != registrar.StateSucceeded {
		t.Errorf("the other account's registration during the flood = %d %s, want 201 succeeded", r.Status, r.Body)
	}
}
