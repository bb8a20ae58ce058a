package daemon_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestWebhookAPI drives the webhook endpoints over HTTP: strict bodies
// with errors at their pointers, the secret only in the answers of create
// and rotate, and another account's endpoint not found.
func TestWebhookAPI(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Workflows.WebhookAllowPrivate = true })
	base := s.base("registrar") + "/webhooks"

	for _, tc := range []struct {
		name, body, pointer string
	}{
		{"no url", `{"description":"x"}`, "/url"},
		{"unknown member", `{"url":"http://127.0.0.1:9/","secret":"whsec_AAAA"}`, "/secret"},
		{"url not a string", `{"url":42}`, "/url"},
		{"relative url", `{"url":"/hook"}`, "/url"},
		{"unknown type", `{"url":"http://127.0.0.1:9/","event_types":["registration.status_changed","nope"]}`, "/event_types/1"},
		{"types not a list", `{"url":"http://127.0.0.1:9/","event_types":"webhook.test"}`, "/event_types"},
	} {
		r := s.do("POST", base, s.token, tc.body)
		if r.Status != http.StatusBadRequest || len(r.Env.Errors) == 0 || r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != tc.pointer {
			t.Errorf("%s: POST webhooks %s = %d %s, want 400 at %s", tc.name, tc.body, r.Status, r.Body, tc.pointer)
		}
	}

	r := s.do("POST", base, s.token, `{"url":"http://127.0.0.1:9/hook","event_types":["webhook.test"],"description":"ci"}`)
	var created struct {
		ID, Secret string
		EventTypes []string `json:"event_types"`
		Enabled    bool
	}
	if r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &created) != nil || !strings.HasPrefix(created.Secret, "whsec_") || !created.Enabled {
		t.Fatalf("POST webhooks = %d %s, want 201 with a whsec_ secret, enabled", r.Status, r.Body)
	}
	one := base + "/" + created.ID
	for _, u := range []string{one, base} {
		if r := s.do("GET", u, s.token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), created.ID) || strings.Contains(string(r.Body), created.Secret) || strings.Contains(string(r.Body), `"secret"`) {
			t.Errorf("GET %s = %d %s, want the endpoint without its secret", u, r.Status, r.Body)
		}
	}
	if r := s.do("PATCH", one, s.token, `{"enabled":false,"description":"off"}`); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"enabled":false`) || !strings.Contains(string(r.Body), `"description":"off"`) {
		t.Errorf("PATCH = %d %s, want it disabled with the new description", r.Status, r.Body)
	}
	if r := s.do("PATCH", one, s.token, `{"url":"ftp://x/"}`); r.Status != http.StatusBadRequest || r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != "/url" {
		t.Errorf("PATCH with an ftp url = %d %s, want 400 at /url", r.Status, r.Body)
	}

	// Another account, and the other environment, do not see it.
	other, otherToken := s.newAccount("other", daemon.SampleContact())
	otherOne := strings.Replace(one, s.account, other, 1)
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		if r := s.do(m, otherOne, otherToken, `{}`); r.Status != http.StatusNotFound {
			t.Errorf("%s another account's webhook = %d %s, want 404", m, r.Status, r.Body)
		}
	}
	if r := s.do("POST", otherOne+"/rotate", otherToken, nil); r.Status != http.StatusNotFound {
		t.Errorf("rotate another account's webhook = %d, want 404", r.Status)
	}
	if r := s.do("GET", s.base("registrar-sandbox")+"/webhooks/"+created.ID, s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("GET the live webhook under /registrar-sandbox/ = %d, want 404", r.Status)
	}

	r = s.do("POST", one+"/rotate", s.token, nil)
	var rot struct {
		Secret  string
		Expires time.Time
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &rot) != nil || rot.Secret == created.Secret || time.Until(rot.Expires) < 23*time.Hour {
		t.Errorf("rotate = %d %s, want a new secret and the old one's expiry 24h ahead", r.Status, r.Body)
	}
	if r := s.do("GET", one, s.token, nil); !strings.Contains(string(r.Body), "previous_secret_expires") {
		t.Errorf("GET after rotate = %s, want previous_secret_expires", r.Body)
	}
	if r := s.do("GET", one+"/deliveries", s.token, nil); r.Status != http.StatusOK || string(r.Env.Result) != "[]" {
		t.Errorf("GET deliveries = %d %s, want an empty log", r.Status, r.Body)
	}
	if r := s.do("POST", one+"/deliveries/12345/redeliver", s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("redeliver an unknown delivery = %d %s, want 404", r.Status, r.Body)
	}
	if r := s.do("DELETE", one, s.token, nil); r.Status != http.StatusOK {
		t.Errorf("DELETE = %d %s", r.Status, r.Body)
	}
	if r := s.do("GET", one, s.token, nil); r.Status != http.StatusNotFound {
		t.Errorf("GET after DELETE = %d, want 404", r.Status)
	}
}

// TestWebhookTestEventDelivered: on each database, POST .../test reaches
// a receiver through the feed, the dispatcher and River, signed.
func TestWebhookTestEventDelivered(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) { c.Workflows.WebhookAllowPrivate = true })
		got := make(chan *http.Request, 4)
		bodies := make(chan []byte, 4)
		rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- r
			bodies <- body
		}))
		t.Cleanup(rx.Close)
		base := s.base("registrar-sandbox") + "/webhooks"
		r := s.do("POST", base, s.token, map[string]any{"url": rx.URL})
		var ep struct{ ID, Secret string }
		if r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &ep) != nil {
			t.Fatalf("create = %d %s", r.Status, r.Body)
		}
		r = s.do("POST", base+"/"+ep.ID+"/test", s.token, nil)
		var test struct {
			EventID int64 `json:"event_id"`
		}
		if r.Status != http.StatusAccepted || json.Unmarshal(r.Env.Result, &test) != nil {
			t.Fatalf("test = %d %s", r.Status, r.Body)
		}
		select {
		case req := <-got:
			body := <-bodies
			wh, _ := standardwebhooks.NewWebhook(ep.Secret)
			if err := wh.Verify(body, req.Header); err != nil {
				t.Errorf("reference Verify: %v", err)
			}
			if id := req.Header.Get("webhook-id"); id != "evt_"+strconv.FormatInt(test.EventID, 10) {
				t.Errorf("webhook-id = %q, want evt_%d", id, test.EventID)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no delivery within 30s")
		}
	})
}

// TestWebhookDeliversRegistrationEvents: a registration run through the
// API reaches a subscribed endpoint as the same events the feed shows
// (same IDs in webhook-id, same data), each verified by the Standard
// Webhooks reference library; a type the endpoint did not subscribe to
// is not sent to it.
func TestWebhookDeliversRegistrationEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) { c.Workflows.WebhookAllowPrivate = true })
		type delivery struct {
			header http.Header
			body   []byte
		}
		got := make(chan delivery, 64)
		rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- delivery{r.Header.Clone(), body}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(rx.Close)
		const env, domain = "registrar-sandbox", "webhook-e2e.com"
		r := s.do("POST", s.base(env)+"/webhooks", s.token, map[string]any{
			"url": rx.URL, "event_types": []string{registrar.EventRegistrationChanged}})
		var ep struct{ ID, Secret string }
		if r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &ep) != nil {
			t.Fatalf("create = %d %s", r.Status, r.Body)
		}
		wh, err := standardwebhooks.NewWebhook(ep.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if r := s.register(env, domain); r.Status != http.StatusCreated {
			t.Fatalf("POST registrations = %d %s", r.Status, r.Body)
		}
		if st := s.waitState(env, domain, 30*time.Second, completed); st.State != registrar.StateSucceeded {
			t.Fatalf("registration ended %s, want succeeded", st.State)
		}

		// The feed's registration events, which the endpoint must get.
		fr := s.do("GET", s.base(env)+"/events", s.token, nil)
		var feed []feedEvent
		if fr.Status != http.StatusOK || json.Unmarshal(fr.Env.Result, &feed) != nil {
			t.Fatalf("GET events = %d %s", fr.Status, fr.Body)
		}
		want := map[string]feedEvent{}
		for _, e := range feed {
			if e.Type == registrar.EventRegistrationChanged {
				want["evt_"+strconv.FormatInt(e.ID, 10)] = e
			}
		}
		if len(want) == 0 {
			t.Fatalf("the feed has no %s event: %s", registrar.EventRegistrationChanged, fr.Body)
		}
		wantIDs := slices.Collect(maps.Keys(want))
		var sawActive bool
		deadline := time.After(30 * time.Second)
		for len(want) > 0 {
			select {
			case d := <-got:
				if err := wh.Verify(d.body, d.header); err != nil {
					t.Errorf("reference Verify: %v", err)
				}
				var p struct {
					Type string `json:"type"`
					Data struct {
						ID         int64           `json:"id"`
						Type       string          `json:"type"`
						DomainName string          `json:"domain_name"`
						Data       json.RawMessage `json:"data"`
					} `json:"data"`
				}
				if err := json.Unmarshal(d.body, &p); err != nil {
					t.Fatalf("delivery body %s: %v", d.body, err)
				}
				id := d.header.Get("webhook-id")
				e, ok := want[id]
				if !ok {
					t.Fatalf("delivery %s of type %s, which the endpoint did not subscribe to or was already delivered: %s", id, p.Type, d.body)
				}
				delete(want, id)
				if p.Type != e.Type || p.Data.ID != e.ID || p.Data.DomainName != domain || string(p.Data.Data) != string(e.Data) {
					t.Errorf("delivery %s = %s, want the feed's event %+v", id, d.body, e)
				}
				var g registrar.Registration
				if json.Unmarshal(p.Data.Data, &g) == nil && g.Status == registrar.RegistrationActive {
					sawActive = true
				}
			case <-deadline:
				t.Fatalf("events %v not delivered within 30s", slices.Collect(maps.Keys(want)))
			}
		}
		if !sawActive {
			t.Errorf("no delivery showed %s active", domain)
		}
		// The delivery log shows each as delivered, once the server has
		// recorded the answers the receiver gave (after it gave them).
		regEvents := len(wantIDs)
		var log []struct {
			EventType  string `json:"event_type"`
			StatusCode int    `json:"status_code"`
		}
		var lr *response
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			lr = s.do("GET", s.base(env)+"/webhooks/"+ep.ID+"/deliveries", s.token, nil)
			log = nil
			if lr.Status != http.StatusOK || json.Unmarshal(lr.Env.Result, &log) != nil {
				t.Fatalf("GET deliveries = %d %s", lr.Status, lr.Body)
			}
			if len(log) >= regEvents || time.Now().After(deadline) {
				break
			}
		}
		if len(log) != regEvents {
			t.Errorf("the delivery log has %d attempts, want one for each of the %d %s events: %s", len(log), regEvents, registrar.EventRegistrationChanged, lr.Body)
		}
		for _, l := range log {
			if l.EventType != registrar.EventRegistrationChanged || l.StatusCode != http.StatusNoContent {
				t.Errorf("delivery log entry %+v, want %s answered 204", l, registrar.EventRegistrationChanged)
			}
		}
	})
}
