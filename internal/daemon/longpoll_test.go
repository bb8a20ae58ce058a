package daemon_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestLongPollE2E drives long-polled statuses (docs/API.md, "ETags and
// long-poll") through the real store and HTTP: a registration the
// registry reviews for 2s is followed with If-None-Match and Prefer: wait,
// each answer a change (never a 304 while it runs); a held request with
// the final tag answers 304 when its wait ends; the wait is capped at 60;
// a new update wakes the waiters of update-status. On PostgreSQL the
// requests are held on a second replica, woken by LISTEN/NOTIFY from the
// replica that runs the workflow.
func TestLongPollE2E(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		a := startServer(t, b, func(c *daemon.Config) { c.SandboxDelay = 2 * time.Second })
		poll := a
		if b == storetest.Postgres {
			cfg := a.cfg
			cfg.DataDir = t.TempDir()
			d2, err := daemon.Start(context.Background(), cfg)
			if err != nil {
				t.Fatalf("second replica: %v", err)
			}
			t.Cleanup(func() { d2.Stop(context.Background()) })
			poll = &server{t: t, d: d2, cfg: cfg, clock: a.clock, account: a.account, token: a.token}
		}
		const domain = "pending-longpoll.com"
		r := a.register("registrar", domain, "Prefer", "respond-async")
		tag := r.Header.Get("ETag")
		if r.Status != http.StatusAccepted || tag == "" {
			t.Fatalf("POST registrations = %d with ETag %q, want 202 with a tag\n%s", r.Status, tag, r.Body)
		}
		url := poll.base("registrar") + "/registrations/" + domain + "/registration-status"
		start := time.Now()
		var states []registrar.State
		for len(states) < 20 {
			res := poll.do("GET", url, poll.token, nil, "If-None-Match", tag, "Prefer", "wait=30")
			if res.Status != http.StatusOK {
				t.Fatalf("long-poll after %v (states %v) = %d, want 200 with the next change", time.Since(start), states, res.Status)
			}
			if got := res.Header.Get("Preference-Applied"); got != "wait=30" {
				t.Errorf("Preference-Applied = %q, want wait=30", got)
			}
			next := res.Header.Get("ETag")
			if next == tag || next == "" {
				t.Fatalf("200 with ETag %q after %q: want a new tag", next, tag)
			}
			tag = next
			st := res.status(t)
			states = append(states, st.State)
			if st.Completed {
				break
			}
		}
		if last := states[len(states)-1]; last != registrar.StateSucceeded {
			t.Fatalf("states seen %v, want the last succeeded", states)
		}
		if took := time.Since(start); took > 15*time.Second {
			t.Errorf("followed the 2s review in %v", took)
		}

		// Nothing changes any more: held for the wait, then 304.
		t0 := time.Now()
		res := poll.do("GET", url, poll.token, nil, "If-None-Match", tag, "Prefer", "wait=1")
		if took := time.Since(t0); res.Status != http.StatusNotModified || took < time.Second || len(res.Body) != 0 || res.Header.Get("ETag") != tag {
			t.Errorf("long-poll of a settled status = %d after %v with ETag %q and %d bytes, want 304 after 1s with %s and no body",
				res.Status, took, res.Header.Get("ETag"), len(res.Body), tag)
		}
		// The cap: applied as 60 (no tag, so answered at once).
		res = poll.do("GET", url, poll.token, nil, "Prefer", "wait=3600")
		if res.Status != http.StatusOK || res.Header.Get("Preference-Applied") != "wait=60" {
			t.Errorf("GET with Prefer: wait=3600 = %d, Preference-Applied %q; want 200, wait=60", res.Status, res.Header.Get("Preference-Applied"))
		}

		// A new update workflow wakes the waiters of update-status.
		res = a.do("PATCH", a.base("registrar")+"/registrations/"+domain, a.token, `{"auto_renew": true}`)
		if res.Status != http.StatusOK {
			t.Fatalf("PATCH = %d %s", res.Status, res.Body)
		}
		first := res.Header.Get("ETag")
		type answer struct {
			res  *response
			took time.Duration
		}
		held := make(chan answer, 1)
		go func() {
			t0 := time.Now()
			res := poll.do("GET", poll.base("registrar")+"/registrations/"+domain+"/update-status", poll.token, nil, "If-None-Match", first, "Prefer", "wait=30")
			held <- answer{res, time.Since(t0)}
		}()
		time.Sleep(300 * time.Millisecond)
		if res := a.do("PATCH", a.base("registrar")+"/registrations/"+domain, a.token, `{"auto_renew": false}`); res.Status != http.StatusOK {
			t.Fatalf("second PATCH = %d %s", res.Status, res.Body)
		}
		got := <-held
		if got.res.Status != http.StatusOK || got.res.Header.Get("ETag") == first || got.took > 20*time.Second {
			t.Errorf("update-status held on the first update's tag = %d with ETag %q after %v; want 200 with the new update's tag at once",
				got.res.Status, got.res.Header.Get("ETag"), got.took)
		}
	})
}

// TestLongPollEndsOnShutdown: Stop answers a held long-poll at once (304)
// instead of waiting out its minute, since http.Server.Shutdown waits for
// handlers.
func TestLongPollEndsOnShutdown(t *testing.T) {
	t.Parallel()
	cfg := daemon.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), SQLiteSynchronous: store.SynchronousNormal,
		API: httpapi.Config{RateLimit: -1, SyncWait: 15 * time.Second}, SandboxDelay: 100 * time.Millisecond, Logger: testLogger(t)}
	d, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			d.Stop(context.Background())
		}
	})
	s := &server{t: t, d: d, cfg: cfg}
	s.account, s.token = s.newAccount("test", daemon.SampleContact())
	const domain = "shutdown-longpoll.com"
	if r := s.register("registrar", domain); r.Status != http.StatusCreated {
		t.Fatalf("POST registrations = %d %s, want 201", r.Status, r.Body)
	}
	url := s.base("registrar") + "/registrations/" + domain + "/registration-status"
	tag := s.do("GET", url, s.token, nil).Header.Get("ETag")
	type answer struct {
		status int
		took   time.Duration
	}
	held := make(chan answer, 1)
	go func() {
		t0 := time.Now()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("If-None-Match", tag)
		req.Header.Set("Prefer", "wait=60")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			held <- answer{0, time.Since(t0)}
			return
		}
		res.Body.Close()
		held <- answer{res.StatusCode, time.Since(t0)}
	}()
	time.Sleep(300 * time.Millisecond) // the request is held
	t0 := time.Now()
	stopped = true
	if err := d.Stop(context.Background()); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if took := time.Since(t0); took > 10*time.Second {
		t.Errorf("Stop took %v with a long-poll held", took)
	}
	got := <-held
	if got.status != http.StatusNotModified || got.took > 10*time.Second {
		t.Errorf("held long-poll = %d after %v, want 304 at shutdown, not after its 60s", got.status, got.took)
	}
}
