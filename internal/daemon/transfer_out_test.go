package daemon_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestTransferOutScenarios drives a transfer out over HTTP against the
// demo registry: its other registrar asks for three names the account
// registered here; each starts an outbound_transfer workflow blocked on
// the account, with an email. Rejected, the registration stays; approved,
// or left alone until the registry approves it, it leaves the account.
// The registry logs the one approve and the one reject.
func TestTransferOutScenarios(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		// Long enough to decide two transfers before the registry does.
		// (8 s was not enough under a full CI run's load for the server to
		// hear of the requests first.)
		const delay = 15 * time.Second
		s := startServer(t, b, func(c *daemon.Config) { c.SandboxTransferDelay = delay })
		base := s.base("registrar")
		const rejected, approved, silent = "out-reject.com", "out-approve.com", "out-silent.com"
		names := []string{rejected, approved, silent}
		for _, n := range names {
			if r := s.register("registrar", n); r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
				t.Fatalf("POST registration of %s = %d %s", n, r.Status, r.Body)
			}
			if st := s.waitState("registrar", n, 30*time.Second, completed); st.State != registrar.StateSucceeded {
				t.Fatalf("registration of %s ended %s %+v", n, st.State, st.Error)
			}
			// Registered locked at the registry: unlocked, as an account
			// does before it moves a domain away.
			if r := s.do(http.MethodPatch, base+"/registrations/"+n, s.token, map[string]any{"locked": false}); r.Status != http.StatusOK && r.Status != http.StatusAccepted {
				t.Fatalf("PATCH %s locked false = %d %s", n, r.Status, r.Body)
			}
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				st := s.do("GET", base+"/registrations/"+n+"/update-status", s.token, nil).status(t)
				if st.State == registrar.StateSucceeded {
					break
				}
				if st.Completed || time.Now().After(deadline) {
					t.Fatalf("unlocking %s: update %s %+v", n, st.State, st.Error)
				}
			}
		}
		ctx := context.Background()
		for _, n := range names {
			if err := s.d.Demo().RequestTransferFromOther(ctx, n); err != nil {
				t.Fatalf("RequestTransferFromOther(%s): %v", n, err)
			}
		}

		type outStatus struct {
			status
			Context struct {
				DomainName    string     `json:"domain_name"`
				BlockedBy     string     `json:"blocked_by"`
				Detail        string     `json:"detail"`
				TransferActBy *time.Time `json:"transfer_act_by"`
			} `json:"context"`
		}
		outStatusOf := func(n string) (*response, outStatus) {
			var st outStatus
			r := s.do("GET", base+"/registrations/"+n+"/transfer-out-status", s.token, nil)
			if r.Status == http.StatusOK {
				if err := jsonUnmarshal(r.Env.Result, &st); err != nil {
					t.Fatalf("decode %s: %v", r.Body, err)
				}
			}
			return r, st
		}
		waitOut := func(n string, limit time.Duration, want func(outStatus) bool) outStatus {
			t.Helper()
			deadline := time.Now().Add(limit)
			for {
				r, st := outStatusOf(n)
				if r.Status == http.StatusOK && want(st) {
					return st
				}
				if time.Now().After(deadline) {
					t.Fatalf("transfer-out-status of %s after %v: %d %s", n, limit, r.Status, r.Body)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}

		// The registry poll worker starts one blocked workflow per name.
		for _, n := range names {
			st := waitOut(n, delay, func(st outStatus) bool { return true })
			if st.State != registrar.StateBlocked || st.Context.BlockedBy != registrar.BlockedByLosingRegistrar ||
				st.Context.Detail == "" || st.Context.TransferActBy == nil || !strings.HasSuffix(st.Links.Self, "/registrations/"+n+"/transfer-out-status") {
				t.Errorf("transfer out of %s: %+v, want blocked on the losing registrar (the account) with a detail and an act-by date", n, st)
			}
		}
		// An email about each to the account's default contact.
		msgs, err := s.d.DB().Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			found := false
			for _, m := range msgs {
				if strings.Contains(m.Subject, n) && strings.Contains(m.Subject, "Transfer") {
					found = true
					if m.To != daemon.SampleContact().Email || !strings.Contains(m.Body, "/registrations/"+n+"/transfer-out/approve") {
						t.Errorf("transfer-out email about %s: to %q, body %q", n, m.To, m.Body)
					}
				}
			}
			if !found {
				t.Errorf("no transfer-out email about %s in the outbox", n)
			}
		}

		// Rejected: the registration stays.
		r := s.do("POST", base+"/registrations/"+rejected+"/transfer-out/reject", s.token, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("POST transfer-out/reject = %d %s", r.Status, r.Body)
		}
		if st := waitOut(rejected, 30*time.Second, func(st outStatus) bool { return st.Completed }); st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != "transfer_rejected" {
			t.Errorf("rejected transfer out ended %s %+v, want failed transfer_rejected", st.State, st.Error)
		}
		// Approved: the registration leaves the account.
		if r := s.do("POST", base+"/registrations/"+approved+"/transfer-out/approve", s.token, nil); r.Status != http.StatusOK {
			t.Fatalf("POST transfer-out/approve = %d %s", r.Status, r.Body)
		}
		if st := waitOut(approved, 30*time.Second, func(st outStatus) bool { return st.Completed }); st.State != registrar.StateSucceeded {
			t.Errorf("approved transfer out ended %s %+v, want succeeded", st.State, st.Error)
		}
		// Left alone: the registry approves it after the delay.
		if st := waitOut(silent, delay+30*time.Second, func(st outStatus) bool { return st.Completed }); st.State != registrar.StateSucceeded {
			t.Errorf("undecided transfer out ended %s %+v, want succeeded (serverApproved)", st.State, st.Error)
		}

		if r := s.do("GET", base+"/registrations/"+rejected, s.token, nil); r.Status != http.StatusOK {
			t.Errorf("GET the registration whose transfer out was rejected = %d %s, want 200", r.Status, r.Body)
		}
		for _, n := range []string{approved, silent} {
			r := s.do("GET", base+"/registrations/"+n, s.token, nil)
			if r.Status != http.StatusNotFound || len(r.Env.Errors) == 0 || r.Env.Errors[0].Code != 10000 {
				t.Errorf("GET a registration transferred out (%s) = %d %s, want 404 code 10000", n, r.Status, r.Body)
			}
			// Its workflows stay as history.
			if r, _ := outStatusOf(n); r.Status != http.StatusOK {
				t.Errorf("transfer-out-status of %s after it left = %d %s, want 200", n, r.Status, r.Body)
			}
		}
		r = s.do("GET", base+"/registrations?per_page=50", s.token, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET registrations = %d %s", r.Status, r.Body)
		}
		var listed []registrar.Registration
		if err := jsonUnmarshal(r.Env.Result, &listed); err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, g := range listed {
			in[g.DomainName] = true
		}
		if !in[rejected] || in[approved] || in[silent] {
			t.Errorf("GET registrations lists %v; want %s, not %s nor %s", in, rejected, approved, silent)
		}

		// The registry saw the account's one approve and one reject.
		log, err := s.d.Demo().Log(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range log {
			if strings.HasPrefix(e.Command, "transfer:") {
				count[e.Command+" "+e.Domain]++
			}
		}
		for key, want := range map[string]int{
			"transfer:request " + rejected: 1, "transfer:request " + approved: 1, "transfer:request " + silent: 1,
			"transfer:reject " + rejected: 1, "transfer:approve " + approved: 1,
			"transfer:approve " + rejected: 0, "transfer:reject " + approved: 0,
			"transfer:approve " + silent: 0, "transfer:reject " + silent: 0,
		} {
			if count[key] != want {
				t.Errorf("the registry logged %d × %s, want %d", count[key], key, want)
			}
		}
	})
}
