package daemon_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestWebhookDeliverySurvivesSIGKILL: the server is SIGKILLed while a
// committed delivery is in flight (the receiver holds the request); after
// a restart the delivery is made again, under the same webhook-id, signed
// (checked with the Standard Webhooks reference library), and logged.
func TestWebhookDeliverySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the registrar binary as a child process and SIGKILLs it")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	h := newHarness(t, bin, storetest.SQLite, "--webhook-allow-private", "--job-timeout", "3s", "--rescue-after", "5s", "--rate-limit", "-1")

	type got struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var reqs []got
	arrived := make(chan struct{}, 16)
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, got{r.Header.Clone(), body})
		first := len(reqs) == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first {
			<-r.Context().Done() // held until the server dies
		}
	}))
	t.Cleanup(rx.Close)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(reqs)
	}

	p := h.start()
	r, err := h.call("POST", h.base(p)+"/webhooks", map[string]any{"url": rx.URL + "/hook", "event_types": []string{"webhook.test"}})
	var ep struct{ ID, Secret string }
	if err != nil || r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &ep) != nil {
		t.Fatalf("create webhook: %s", describe(r, err))
	}
	if r, err := h.call("POST", h.base(p)+"/webhooks/"+ep.ID+"/test", nil); err != nil || r.Status != http.StatusAccepted {
		t.Fatalf("test webhook: %s", describe(r, err))
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the first delivery never arrived")
	}
	p.kill()

	p = h.start()
	deadline := time.Now().Add(90 * time.Second) // the rescuer's interval, the job's timeout and a retry's backoff
	for count() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the delivery in flight at the SIGKILL was not made again after the restart")
		}
		select {
		case <-arrived:
		case <-time.After(time.Second):
		}
	}

	mu.Lock()
	first, again := reqs[0], reqs[len(reqs)-1]
	mu.Unlock()
	wh, err := standardwebhooks.NewWebhook(ep.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(again.body, again.header); err != nil {
		t.Errorf("the redelivery does not verify with the reference library: %v", err)
	}
	if a, b := first.header.Get("webhook-id"), again.header.Get("webhook-id"); a == "" || a != b {
		t.Errorf("webhook-id %q before the crash, %q after: want the same", a, b)
	}
	for time.Now().Before(deadline) {
		r, err := h.call("GET", h.base(p)+"/webhooks/"+ep.ID+"/deliveries", nil)
		var log []struct {
			StatusCode int `json:"status_code"`
		}
		if err == nil && json.Unmarshal(r.Env.Result, &log) == nil && len(log) > 0 && log[0].StatusCode == http.StatusOK {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Error("the delivery log shows no successful attempt after the restart")
}
