package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// feedEvent is an item of GET events.
type feedEvent struct {
	ID         int64           `json:"id"`
	Type       string          `json:"type"`
	CreatedAt  time.Time       `json:"created_at"`
	DomainName string          `json:"domain_name"`
	Data       json.RawMessage `json:"data"`
}

// TestEventFeedAndWorkflowList registers a name and follows it through
// our extensions: GET workflows lists its workflow with the status its
// status endpoint shows, and GET events has its workflow's changes (the
// last equal, byte for byte, to that status), its registration's new
// status, nothing of the other environment, and a 410 for a reader
// resuming below what retention pruned.
func TestEventFeedAndWorkflowList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		const env, domain = "registrar-sandbox", "feed-e2e.com"
		if r := s.register(env, domain); r.Status != http.StatusCreated {
			t.Fatalf("POST registrations = %d %s", r.Status, r.Body)
		}
		final := s.waitState(env, domain, 30*time.Second, completed)
		if final.State != registrar.StateSucceeded {
			t.Fatalf("registration ended %s, want succeeded", final.State)
		}
		statusRes := s.do("GET", s.base(env)+"/registrations/"+domain+"/registration-status", s.token, nil)

		// GET workflows: the registration's workflow, as its status shows it.
		wl := s.do("GET", s.base(env)+"/workflows?kind=registration&domain_name="+domain, s.token, nil)
		if wl.Status != http.StatusOK || wl.Env.ResultInfo == nil {
			t.Fatalf("GET workflows = %d %s", wl.Status, wl.Body)
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(wl.Env.Result, &items); err != nil || len(items) != 1 {
			t.Fatalf("GET workflows result %s (%v), want one workflow", wl.Env.Result, err)
		}
		var kind string
		json.Unmarshal(items[0]["kind"], &kind)
		var listed, shown map[string]json.RawMessage
		json.Unmarshal(statusRes.Env.Result, &shown)
		listed = items[0]
		if kind != "registration" || len(items[0]["id"]) < 3 {
			t.Errorf("GET workflows item kind %s id %s, want registration with an ID", kind, items[0]["id"])
		}
		for k, v := range shown {
			if string(listed[k]) != string(v) {
				t.Errorf("GET workflows item %s = %s, want %s as registration-status shows", k, listed[k], v)
			}
		}
		if r := s.do("GET", s.base(env)+"/workflows?state=nonsense", s.token, nil); r.Status != http.StatusBadRequest ||
			len(r.Env.Errors) != 1 || r.Env.Errors[0].Code != 10000 || !strings.HasPrefix(r.Env.Errors[0].Message, "state must be") {
			t.Errorf("GET workflows?state=nonsense = %d %s, want 400 code 10000 naming state", r.Status, r.Body)
		}
		if r := s.do("GET", s.base(env)+"/workflows?since=yesterday", s.token, nil); r.Status != http.StatusBadRequest {
			t.Errorf("GET workflows?since=yesterday = %d %s, want 400", r.Status, r.Body)
		}

		// GET events: the workflow's changes, ending with the status the
		// API shows, and the registration's.
		events := func(query string) ([]feedEvent, int64, *response) {
			t.Helper()
			r := s.do("GET", s.base(env)+"/events"+query, s.token, nil)
			var info struct {
				ResultInfo struct {
					Count int   `json:"count"`
					After int64 `json:"after"`
				} `json:"result_info"`
			}
			var es []feedEvent
			if r.Status == http.StatusOK {
				if err := json.Unmarshal(r.Env.Result, &es); err != nil {
					t.Fatalf("GET events%s: %v in %s", query, err, r.Body)
				}
				json.Unmarshal(r.Body, &info)
			}
			return es, info.ResultInfo.After, r
		}
		es, after, r := events("")
		if r.Status != http.StatusOK || len(es) == 0 {
			t.Fatalf("GET events = %d %s, want events", r.Status, r.Body)
		}
		var lastWF *feedEvent
		var sawRegistration bool
		for i := range es {
			e := &es[i]
			if e.DomainName != domain {
				t.Errorf("event %d of %s, want %s", e.ID, e.DomainName, domain)
			}
			if i > 0 && e.ID <= es[i-1].ID {
				t.Errorf("event IDs %d then %d, want increasing", es[i-1].ID, e.ID)
			}
			switch e.Type {
			case registrar.EventWorkflowChanged:
				lastWF = e
			case registrar.EventRegistrationChanged:
				var g registrar.Registration
				if err := json.Unmarshal(e.Data, &g); err == nil && g.Status == registrar.RegistrationActive {
					sawRegistration = true
				}
			}
		}
		if lastWF == nil {
			t.Errorf("no workflow.state_changed in %d events", len(es))
		} else if string(lastWF.Data) != string(statusRes.Env.Result) {
			t.Errorf("last workflow.state_changed data = %s, want registration-status's result %s", lastWF.Data, statusRes.Env.Result)
		}
		if !sawRegistration {
			t.Errorf("no registration.status_changed to active in %d events", len(es))
		}
		if after != es[len(es)-1].ID {
			t.Errorf("result_info.after = %d, want the last event's ID %d", after, es[len(es)-1].ID)
		}
		if more, next, _ := events("?after=" + strconv.FormatInt(after, 10)); len(more) != 0 || next != after {
			t.Errorf("GET events?after=%d = %d events, after %d; want none, after %d", after, len(more), next, after)
		}
		if page, _, _ := events("?limit=1"); len(page) != 1 || page[0].ID != es[0].ID {
			t.Errorf("GET events?limit=1 = %d events, want the first", len(page))
		}
		if live, _, _ := events(""); len(live) == 0 {
			t.Error("the sandbox feed emptied on a second read")
		}
		if r := s.do("GET", s.base("registrar")+"/events", s.token, nil); r.Status != http.StatusOK || string(r.Env.Result) != "[]" {
			t.Errorf("GET live events = %d %s, want none: the registration was in the sandbox", r.Status, r.Body)
		}
		if r := s.do("GET", s.base(env)+"/events?limit=501", s.token, nil); r.Status != http.StatusBadRequest {
			t.Errorf("GET events?limit=501 = %d, want 400", r.Status)
		}

		// Retention prunes them: a reader resuming below is told to resync.
		if _, err := s.d.DB().PruneEvents(context.Background(), time.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		gone := s.do("GET", s.base(env)+"/events?after="+strconv.FormatInt(es[0].ID, 10), s.token, nil)
		if gone.Status != http.StatusGone || len(gone.Env.Errors) != 1 || gone.Env.Errors[0].Code != 1410 {
			t.Errorf("GET events after a pruned ID = %d %s, want 410 code 1410", gone.Status, gone.Body)
		}
		rest, from, r := events("")
		if r.Status != http.StatusOK || len(rest) != 0 || from < es[len(es)-1].ID {
			t.Errorf("GET events after pruning = %d, %d events, after %d; want 200, none, after at least %d", r.Status, len(rest), from, es[len(es)-1].ID)
		}
		if _, _, r := events("?after=" + strconv.FormatInt(from, 10)); r.Status != http.StatusOK {
			t.Errorf("GET events?after=%d (the position given after pruning) = %d %s, want 200", from, r.Status, r.Body)
		}
	})
}
