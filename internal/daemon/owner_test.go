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

// TestRegistrantChangeEndToEnd: over HTTP against the demo registry, a
// change of registrant waits for both registrants' links from the
// outbox, is applied, and then a transfer out the other registrar asks
// for is rejected because of the 60-day lock, with the reason in
// transfer-out-status; the registration stays.
func TestRegistrantChangeEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) { c.SandboxTransferDelay = 30 * time.Second })
		base := s.base("registrar")
		const n = "owner-change.com"
		if r := s.register("registrar", n); r.Status != http.StatusCreated && r.Status != http.StatusAccepted {
			t.Fatalf("POST registration = %d %s", r.Status, r.Body)
		}
		if st := s.waitState("registrar", n, 30*time.Second, completed); st.State != registrar.StateSucceeded {
			t.Fatalf("registration ended %s %+v", st.State, st.Error)
		}
		update := func(body map[string]any) {
			t.Helper()
			if r := s.do(http.MethodPatch, base+"/registrations/"+n, s.token, body, "Prefer", "respond-async"); r.Status != http.StatusAccepted {
				t.Fatalf("PATCH %v = %d %s", body, r.Status, r.Body)
			}
		}
		waitUpdate := func(want func(status) bool) status {
			t.Helper()
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				st := s.do("GET", base+"/registrations/"+n+"/update-status", s.token, nil).status(t)
				if want(st) {
					return st
				}
				if time.Now().After(deadline) {
					t.Fatalf("update of %s: %s %+v", n, st.State, st.Error)
				}
			}
		}
		// Unlocked at the registry, so that only our lock can refuse.
		update(map[string]any{"locked": false})
		waitUpdate(completed)

		grace := daemon.SampleContact()
		grace.Email, grace.PostalInfo.Name = "grace@example.net", "Grace Hopper"
		update(map[string]any{"contacts": map[string]any{"registrant": grace}})
		st := waitUpdate(inState(registrar.StateActionRequired))
		if st.Context.Action != registrar.ActionRegistrantChangeConfirmationPending {
			t.Fatalf("action %q, want %q", st.Context.Action, registrar.ActionRegistrantChangeConfirmationPending)
		}
		// Both links, as each registrant opens theirs.
		ctx := context.Background()
		opened := map[string]bool{}
		for deadline := time.Now().Add(10 * time.Second); len(opened) < 2; time.Sleep(20 * time.Millisecond) {
			msgs, err := s.d.DB().Outbox(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				link := linkRE.FindString(m.Body)
				if link == "" || !strings.Contains(m.Subject, "change of registrant of "+n) || opened[m.To] {
					continue
				}
				res, err := http.Get(link)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d", link, res.StatusCode)
				}
				opened[m.To] = true
			}
			if time.Now().After(deadline) {
				t.Fatalf("links opened for %v, want the prior and the new registrant", opened)
			}
		}
		if !opened[daemon.SampleContact().Email] || !opened[grace.Email] {
			t.Errorf("links went to %v", opened)
		}
		if st := waitUpdate(completed); st.State != registrar.StateSucceeded {
			t.Fatalf("change of registrant ended %s %+v", st.State, st.Error)
		}

		if err := s.d.Demo().RequestTransferFromOther(ctx, n); err != nil {
			t.Fatalf("RequestTransferFromOther: %v", err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			r := s.do("GET", base+"/registrations/"+n+"/transfer-out-status", s.token, nil)
			if r.Status == http.StatusOK {
				st := r.status(t)
				if st.Completed {
					if st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != registrar.CodeTransferRejected ||
						!strings.Contains(st.Error.Message, registrar.TransferReasonRegistrantChangeLock) {
						t.Errorf("transfer out ended %s %+v, want failed transfer_rejected for the lock", st.State, st.Error)
					}
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("transfer-out-status: %d %s", r.Status, r.Body)
			}
		}
		if r := s.do("GET", base+"/registrations/"+n, s.token, nil); r.Status != http.StatusOK {
			t.Errorf("the registration left: GET = %d", r.Status)
		}
	})
}
