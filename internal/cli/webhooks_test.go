package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/workflows"
)

// startWebhookServer is startAPIServer with --webhook-allow-private, so
// that deliveries reach a receiver on loopback.
func startWebhookServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	d, err := daemon.Start(context.Background(), daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, SQLiteSynchronous: "normal",
		API: httpapi.Config{RateLimit: -1}, SandboxDelay: time.Second,
		Workflows: workflows.Config{PollInterval: 100 * time.Millisecond, WebhookAllowPrivate: true}, Out: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop(context.Background()) })
	return dir
}

// signedReceiver is a loopback receiver keeping each request's headers
// and body.
type signedReceiver struct {
	mu  sync.Mutex
	got []*http.Request
	raw [][]byte
}

func (s *signedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got, s.raw = append(s.got, r), append(s.raw, body)
}

// verifyLast checks the last request with the Standard Webhooks reference
// library and each secret.
func (s *signedReceiver) verifyLast(t *testing.T, secrets ...string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) == 0 {
		t.Fatal("the receiver got nothing")
	}
	r, body := s.got[len(s.got)-1], s.raw[len(s.raw)-1]
	for _, secret := range secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, r.Header); err != nil {
			t.Errorf("reference Verify with %.10s...: %v", secret, err)
		}
	}
	var p struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Type != "webhook.test" {
		t.Errorf("body %s: want a webhook.test event", body)
	}
}

func TestWebhooksRefusePrivateURLsWithoutFlag(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 0)
	for _, u := range []string{"http://127.0.0.1:9/hook", "https://localhost/hook", "https://169.254.169.254/", "https://[::1]/"} {
		code, out, errOut := run(t, "webhooks", "create", u, "--data-dir", dir)
		if code != 1 || !strings.Contains(errOut, "url") || !strings.Contains(errOut, "--webhook-allow-private") {
			t.Errorf("webhooks create %s = %d, %q, %q; want 1 and an error about the url naming --webhook-allow-private", u, code, out, errOut)
		}
	}
	code, _, errOut := run(t, "webhooks", "create", "https://hooks.example.com/", "--events", "registration.status_changed,nope", "--data-dir", dir)
	if code != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("webhooks create with an unknown event type = %d, %q; want 1 naming it", code, errOut)
	}
}

func TestWebhooksCommands(t *testing.T) {
	t.Parallel()
	dir := startWebhookServer(t)
	rx := &signedReceiver{}
	srv := httptest.NewServer(rx)
	t.Cleanup(srv.Close)

	code, out, errOut := run(t, "webhooks", "create", srv.URL+"/hook", "--events", "webhook.test,registration.status_changed", "--description", "ci", "--output", "json", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("webhooks create = %d, %s %s", code, out, errOut)
	}
	var w struct {
		ID, Secret string
	}
	if err := json.Unmarshal([]byte(out), &w); err != nil || w.ID == "" || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("webhooks create --output json = %s (%v), want an ID and a whsec_ secret", out, err)
	}
	if code, out, _ := run(t, "webhooks", "list", "--data-dir", dir); code != 0 || !strings.Contains(out, w.ID) || strings.Contains(out, w.Secret) {
		t.Errorf("webhooks list = %d, %q; want the endpoint, without its secret", code, out)
	}
	if code, out, _ := run(t, "webhooks", "list", "--sandbox", "--data-dir", dir); code != 0 || strings.Contains(out, w.ID) {
		t.Errorf("webhooks list --sandbox = %d, %q; want the live endpoint absent", code, out)
	}

	code, out, errOut = run(t, "webhooks", "test", w.ID, "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "delivered") || !strings.Contains(out, "200") {
		t.Fatalf("webhooks test = %d, %q, %q; want delivered, 200", code, out, errOut)
	}
	rx.verifyLast(t, w.Secret)

	code, out, errOut = run(t, "webhooks", "rotate", w.ID, "--output", "json", "--data-dir", dir)
	var rot struct {
		Secret  string
		Expires time.Time
	}
	if code != 0 || json.Unmarshal([]byte(out), &rot) != nil || rot.Secret == w.Secret || time.Until(rot.Expires) < 23*time.Hour {
		t.Fatalf("webhooks rotate = %d, %q, %q; want a new secret, the old one kept 24h", code, out, errOut)
	}
	if code, out, errOut := run(t, "webhooks", "test", w.ID, "--data-dir", dir); code != 0 || !strings.Contains(out, "delivered") {
		t.Fatalf("webhooks test after rotate = %d, %q, %q", code, out, errOut)
	}
	rx.verifyLast(t, w.Secret, rot.Secret)

	code, out, _ = run(t, "webhooks", "deliveries", w.ID, "--output", "json", "--data-dir", dir)
	var log []struct {
		DeliveryID int64  `json:"delivery_id"`
		EventType  string `json:"event_type"`
		Attempt    int    `json:"attempt"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &log) != nil || len(log) != 2 || log[0].EventType != "webhook.test" || log[1].EventType != "webhook.test" {
		t.Fatalf("webhooks deliveries = %d, %q; want the two test deliveries", code, out)
	}
	// Redeliver the first test event: a second attempt of that delivery,
	// signed with the secrets in force now.
	first := log[1].DeliveryID
	if code, out, errOut := run(t, "webhooks", "redeliver", w.ID, strconv.FormatInt(first, 10), "--data-dir", dir); code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("webhooks redeliver = %d, %q, %q", code, out, errOut)
	}
	var again bool
	for deadline := time.Now().Add(30 * time.Second); !again && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, out, _ = run(t, "webhooks", "deliveries", w.ID, "--output", "json", "--data-dir", dir)
		log = log[:0]
		json.Unmarshal([]byte(out), &log)
		for _, l := range log {
			again = again || (l.DeliveryID == first && l.Attempt == 2)
		}
	}
	if !again {
		t.Errorf("after redeliver, the log %s has no second attempt of delivery %d", out, first)
	}
	rx.verifyLast(t, w.Secret, rot.Secret)
	if code, _, errOut := run(t, "webhooks", "redeliver", w.ID, "seven", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "DELIVERY column") {
		t.Errorf("webhooks redeliver with a bad delivery ID = %d, %q; want a usage error naming where IDs come from", code, errOut)
	}
	if code, _, errOut := run(t, "webhooks", "delete", w.ID, "--data-dir", dir); code != 0 {
		t.Fatalf("webhooks delete = %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "webhooks", "test", w.ID, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("webhooks test of a deleted endpoint = %d, %q; want not found", code, errOut)
	}
}
