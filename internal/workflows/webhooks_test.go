package workflows

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// hookReceiver is a loopback receiver that answers each request with the
// next of its statuses (200 once they run out) and keeps what it got.
type hookReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	h := &hookReceiver{statuses: statuses}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.got = append(h.got, hookRequest{r.Header.Clone(), body})
		if len(h.statuses) > 0 {
			w.WriteHeader(h.statuses[0])
			h.statuses = h.statuses[1:]
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

// webhookBundle is a bundle whose engine may deliver to loopback
// receivers (--webhook-allow-private), with cfg's changes.
func webhookBundle(t *testing.T, change func(*Config)) *bundle {
	cfg := testConfig()
	cfg.WebhookAllowPrivate = true
	if change != nil {
		change(&cfg)
	}
	return newBundle(t, bundleOpts{cfg: cfg})
}

func (b *bundle) createWebhook(url string, types ...string) registrar.WebhookEndpoint {
	b.t.Helper()
	ep, err := b.e.CreateWebhook(b.ctx, b.p, registrar.EnvSandbox, registrar.WebhookEndpoint{URL: url, EventTypes: types, Enabled: true})
	if err != nil {
		b.t.Fatal(err)
	}
	return ep
}

func (b *bundle) insertEvent(typ string) registrar.Event {
	b.t.Helper()
	ev := registrar.Event{AccountID: b.acct.ID, Env: registrar.EnvSandbox, Type: typ, Domain: "example.com", CreatedAt: t0, Data: json.RawMessage(`{"state":"succeeded"}`)}
	if err := b.db.InTx(b.ctx, func(tx *store.Tx) error { return tx.InsertEvent(b.ctx, &ev) }); err != nil {
		b.t.Fatal(err)
	}
	return ev
}

// runWebhook runs the oldest queued delivery job as attempt n, settling
// it as River would.
func (b *bundle) runWebhook(n int) error {
	b.t.Helper()
	q := b.jobsOf(webhookArgs{}.Kind(), "available")
	if len(q) == 0 {
		b.t.Fatal("no delivery job queued")
	}
	var args webhookArgs
	if err := json.Unmarshal([]byte(q[0].Args), &args); err != nil {
		b.t.Fatal(err)
	}
	err := (&webhookWorker{e: b.e}).Work(b.ctx, &river.Job[webhookArgs]{JobRow: &rivertype.JobRow{ID: q[0].ID, Attempt: n}, Args: args})
	var cancel *river.JobCancelError
	switch {
	case err == nil:
		b.setJobState(q[0].ID, "completed", "")
	case errors.As(err, &cancel):
		b.setJobState(q[0].ID, "cancelled", err.Error())
	}
	return err
}

func (b *bundle) dispatch() {
	b.t.Helper()
	if err := b.e.dispatchWebhooks(b.ctx); err != nil {
		b.t.Fatal(err)
	}
}

func verify(t *testing.T, secret string, r hookRequest) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh.Verify(r.body, r.header)
}

// TestWebhookRetriesUntilDelivered: a receiver that fails twice then
// succeeds gets the event once per attempt, each signed (checked with the
// Standard Webhooks reference library) under the same webhook-id, and the
// delivery log shows the three attempts.
func TestWebhookRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	b := webhookBundle(t, nil)
	rx := newHookReceiver(t, 500, 503)
	ep := b.createWebhook(rx.srv.URL + "/hook")
	ev := b.insertEvent(registrar.EventRegistrationChanged)

	b.dispatch()
	b.dispatch() // nothing new: nothing queued twice
	if q := b.jobsOf(webhookArgs{}.Kind(), ""); len(q) != 1 {
		t.Fatalf("%d delivery jobs after two dispatches, want 1", len(q))
	}
	for n := 1; n <= 2; n++ {
		if err := b.runWebhook(n); err == nil {
			t.Fatalf("attempt %d to a failing receiver: no error, want one for River to retry", n)
		}
	}
	if err := b.runWebhook(3); err != nil {
		t.Fatalf("attempt 3: %v", err)
	}

	got := rx.requests()
	if len(got) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(got))
	}
	for i, r := range got {
		if err := verify(t, ep.Secret, r); err != nil {
			t.Errorf("request %d: reference Verify: %v", i+1, err)
		}
		if id := r.header.Get("webhook-id"); id != WebhookMessageID(ev.ID) {
			t.Errorf("request %d: webhook-id = %q, want %q on every attempt", i+1, id, WebhookMessageID(ev.ID))
		}
		var p struct {
			Type string `json:"type"`
			Data struct {
				ID     int64           `json:"id"`
				Domain string          `json:"domain_name"`
				Data   json.RawMessage `json:"data"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || p.Type != ev.Type || p.Data.ID != ev.ID || p.Data.Domain != "example.com" || string(p.Data.Data) != `{"state":"succeeded"}` {
			t.Errorf("request %d: body %s (%v), want the event in Standard Webhooks' shape", i+1, r.body, err)
		}
		if strings.Contains(string(r.body), ep.Secret) {
			t.Errorf("request %d: the body carries the secret", i+1)
		}
	}

	log, err := b.e.WebhookAttempts(b.ctx, b.p, registrar.EnvSandbox, ep.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, a := range log {
		summary = append(summary, strings.Join([]string{itoaInt(a.Attempt), itoaInt(a.StatusCode), a.Error}, "/"))
		if a.EventID != ev.ID {
			t.Errorf("attempt %d: event %d, want %d", a.Attempt, a.EventID, ev.ID)
		}
	}
	want := "3/200/ 2/503/the receiver answered 503 1/500/the receiver answered 500"
	if s := strings.Join(summary, " "); s != want {
		t.Errorf("delivery log = %q, want %q (newest first)", s, want)
	}
	if w, _ := b.e.Webhook(b.ctx, b.p, registrar.EnvSandbox, ep.ID); !w.FailingSince.IsZero() {
		t.Errorf("FailingSince = %v after a success, want zero", w.FailingSince)
	}

	// Redeliver sends it again, the log going on.
	if err := b.e.Redeliver(b.ctx, b.p, registrar.EnvSandbox, ep.ID, log[0].DeliveryID); err != nil {
		t.Fatal(err)
	}
	if err := b.runWebhook(1); err != nil {
		t.Fatal(err)
	}
	if log, _ := b.e.WebhookAttempts(b.ctx, b.p, registrar.EnvSandbox, ep.ID, 10); len(log) != 4 || log[0].Attempt != 4 {
		t.Errorf("after redeliver, log = %+v, want a 4th attempt", log)
	}
}

func itoaInt(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestWebhookRotationOverlap: during the overlap a delivery verifies with
// the old secret and with the new one.
func TestWebhookRotationOverlap(t *testing.T) {
	t.Parallel()
	b := webhookBundle(t, nil)
	rx := newHookReceiver(t)
	ep := b.createWebhook(rx.srv.URL)
	rot, err := b.e.RotateWebhookSecret(b.ctx, b.p, registrar.EnvSandbox, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rot.Secret == ep.Secret || rot.OldSecret != ep.Secret || time.Until(rot.OldSecretExpires) < 23*time.Hour {
		t.Fatalf("rotate = new %q old %q until %v; want a new secret, the old one kept for 24h", rot.Secret, rot.OldSecret, rot.OldSecretExpires)
	}
	if _, err := b.e.TestWebhook(b.ctx, b.p, registrar.EnvSandbox, ep.ID); err != nil {
		t.Fatal(err)
	}
	b.dispatch()
	if err := b.runWebhook(1); err != nil {
		t.Fatal(err)
	}
	got := rx.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	for name, s := range map[string]string{"old": ep.Secret, "new": rot.Secret} {
		if err := verify(t, s, got[0]); err != nil {
			t.Errorf("the %s secret does not verify during the overlap: %v", name, err)
		}
	}
}

// TestWebhookRouting: an endpoint gets the types it subscribed to, a test
// event goes to its endpoint alone, and another account's or a disabled
// endpoint gets nothing.
func TestWebhookRouting(t *testing.T) {
	t.Parallel()
	b := webhookBundle(t, nil)
	all := b.createWebhook("http://127.0.0.1:9/all")
	regs := b.createWebhook("http://127.0.0.1:9/regs", registrar.EventRegistrationChanged)
	off := b.createWebhook("http://127.0.0.1:9/off")
	no := false
	if _, err := b.e.UpdateWebhook(b.ctx, b.p, registrar.EnvSandbox, off.ID, registrar.WebhookChange{Enabled: &no}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.e.TestWebhook(b.ctx, b.p, registrar.EnvSandbox, off.ID); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("TestWebhook of a disabled endpoint: %v, want a conflict (nothing would deliver it)", err)
	}
	other := b.otherAccount()
	if _, err := b.e.Webhook(b.ctx, other, registrar.EnvSandbox, all.ID); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("another account's Webhook: %v, want not found", err)
	}
	if err := b.e.DeleteWebhook(b.ctx, other, registrar.EnvSandbox, all.ID); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("another account's DeleteWebhook: %v, want not found", err)
	}
	if _, err := b.e.Webhook(b.ctx, b.p, registrar.EnvLive, all.ID); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("the other environment's Webhook: %v, want not found", err)
	}

	b.insertEvent(registrar.EventWorkflowChanged)
	b.insertEvent(registrar.EventRegistrationChanged)
	if _, err := b.e.TestWebhook(b.ctx, b.p, registrar.EnvSandbox, regs.ID); err != nil {
		t.Fatal(err)
	}
	b.dispatch()
	perEndpoint := map[string][]string{}
	rows, err := b.db.SQLite().QueryContext(b.ctx, `SELECT endpoint_id, event_type FROM webhook_deliveries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ string
		rows.Scan(&id, &typ)
		perEndpoint[id] = append(perEndpoint[id], typ)
	}
	want := map[string]string{
		all.ID:  "workflow.state_changed registration.status_changed",
		regs.ID: "registration.status_changed webhook.test",
		off.ID:  "",
	}
	for id, w := range want {
		if got := strings.Join(perEndpoint[id], " "); got != w {
			t.Errorf("deliveries to %s = %q, want %q", id, got, w)
		}
	}
	if n := len(b.jobsOf(webhookArgs{}.Kind(), "")); n != 4 {
		t.Errorf("%d delivery jobs, want 4", n)
	}
}

// TestWebhookDisabledAfterFailing: an endpoint that fails every delivery
// for the disable period is disabled, with an event and mail to the
// account, and its delivery job ends.
func TestWebhookDisabledAfterFailing(t *testing.T) {
	t.Parallel()
	b := webhookBundle(t, func(c *Config) { c.WebhookDisableAfter = time.Nanosecond })
	rx := newHookReceiver(t, 500, 500, 500)
	ep := b.createWebhook(rx.srv.URL)
	b.insertEvent(registrar.EventRegistrationChanged)
	b.dispatch()
	if err := b.runWebhook(1); err == nil {
		t.Fatal("attempt 1: no error")
	}
	err := b.runWebhook(2)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("attempt 2 past the disable period: %v, want the job cancelled", err)
	}
	w, _ := b.e.Webhook(b.ctx, b.p, registrar.EnvSandbox, ep.ID)
	if w.Enabled {
		t.Error("the endpoint is still enabled")
	}
	evs, err := b.db.EventsAfter(b.ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Type != registrar.EventWebhookDisabled || !strings.Contains(string(last.Data), ep.ID) || strings.Contains(string(last.Data), ep.Secret) {
		t.Errorf("last event = %s %s, want %s naming the endpoint, without its secret", last.Type, last.Data, registrar.EventWebhookDisabled)
	}
	out := b.outbox()
	if len(out) != 1 || out[0].To != "ada@example.com" || !strings.Contains(out[0].Body, ep.URL) {
		t.Errorf("outbox = %+v, want one mail to ada@example.com about %s", out, ep.URL)
	}
}

func TestWebhookValidation(t *testing.T) {
	t.Parallel()
	b := newBundle(t) // without --webhook-allow-private
	for _, tc := range []struct {
		name    string
		ep      registrar.WebhookEndpoint
		pointer string
	}{
		{"http", registrar.WebhookEndpoint{URL: "http://hooks.example.com/"}, "/url"},
		{"loopback", registrar.WebhookEndpoint{URL: "https://127.0.0.1/"}, "/url"},
		{"localhost", registrar.WebhookEndpoint{URL: "https://localhost:8443/"}, "/url"},
		{"metadata", registrar.WebhookEndpoint{URL: "https://169.254.169.254/latest/meta-data/"}, "/url"},
		{"unknown type", registrar.WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{"registration.status_changed", "domain.exploded"}}, "/event_types/1"},
		{"duplicate type", registrar.WebhookEndpoint{URL: "https://hooks.example.com/", EventTypes: []string{"webhook.test", "webhook.test"}}, "/event_types/1"},
		{"long description", registrar.WebhookEndpoint{URL: "https://hooks.example.com/", Description: strings.Repeat("x", 501)}, "/description"},
	} {
		_, err := b.e.CreateWebhook(b.ctx, b.p, registrar.EnvSandbox, tc.ep)
		e := registrar.AsError(err)
		if e == nil || e.Kind != registrar.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Pointer != tc.pointer {
			t.Errorf("%s: CreateWebhook = %v, want invalid at %s", tc.name, err, tc.pointer)
		}
	}
	ep, err := b.e.CreateWebhook(b.ctx, b.p, registrar.EnvSandbox, registrar.WebhookEndpoint{URL: "https://hooks.example.com/x", Enabled: true})
	if err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Errorf("CreateWebhook(https public) = %+v, %v; want it, with a whsec_ secret", ep, err)
	}
}

// TestWebhookBackoff: retries grow fourfold from the base to the cap,
// jittered by at most 20%, and the attempts span about three days.
func TestWebhookBackoff(t *testing.T) {
	t.Parallel()
	var total time.Duration
	for n := 1; n < webhookMaxAttempts; n++ {
		nominal := webhookRetryBaseDefault
		for i := 1; i < n && nominal < webhookRetryCap; i++ {
			nominal *= 4
		}
		nominal = min(nominal, webhookRetryCap)
		for range 20 {
			d := webhookBackoff(n, webhookRetryBaseDefault)
			if d < nominal*8/10 || d > nominal*12/10 {
				t.Fatalf("webhookBackoff(%d) = %s, want %s ±20%%", n, d, nominal)
			}
		}
		total += nominal
	}
	if total < 60*time.Hour || total > 84*time.Hour {
		t.Errorf("%d attempts span %s, want about three days", webhookMaxAttempts, total)
	}
}
