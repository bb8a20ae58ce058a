package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestTransferCrashRecovery runs transfers in through the registrar
// binary and SIGKILLs it twice: once while the transfers of a first batch
// are blocked on the losing registrar (their requests sent), once right
// after the POSTs of a second batch (their requests in flight). After a
// restart every transfer must succeed, with exactly one transfer request
// per name at the registry and, where the live environment is billed,
// exactly one charge per transfer. demo: the live API in demo mode, the
// built-in demo registry, no charges. billed: a registries file, a
// standalone sandbox registry, charges.
func TestTransferCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the registrar binary as a child process and SIGKILLs it")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	for _, mode := range []string{"demo", "billed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, b storetest.Backend) {
				t.Parallel()
				flags := []string{"--sandbox-transfer-delay", "3s", "--job-timeout", "3s", "--rescue-after", "5s",
					"--poll-interval", "200ms", "--rate-limit", "-1", "--max-in-flight", "1000"}
				var reg *registry
				if mode == "billed" {
					// Its transfer delay is the sandbox default, 5s.
					reg = startRegistry(t, time.Second)
					flags = append(flags, "--registries", reg.file)
				}
				h := newHarness(t, bin, b, flags...)
				transferCrash(t, h, reg)
			})
		})
	}
}

func transferCrash(t *testing.T, h *harness, reg *registry) {
	batch := func(round int) []string {
		return []string{
			fmt.Sprintf("xfer-crash-r%d-a.com", round), fmt.Sprintf("xfer-crash-r%d-b.com", round),
			fmt.Sprintf("xfer-crash-r%d-c.com", round),
			fmt.Sprintf("xfer-ack-crash-r%d-a.com", round), fmt.Sprintf("xfer-ack-crash-r%d-b.com", round),
		}
	}
	created := map[string]time.Time{}
	post := func(p *proc, names []string) {
		t.Helper()
		for i, r := range h.postTransfers(p, names) {
			st, err := checkTransferPosted(r, names[i])
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := created[names[i]]; ok {
				// A repeated POST answers the running transfer.
				if !st.CreatedAt.Truncate(time.Microsecond).Equal(c.Truncate(time.Microsecond)) {
					t.Errorf("re-POST transfer-in of %s answered a workflow created at %v, want the first, created at %v", names[i], st.CreatedAt, c)
				}
			} else {
				created[names[i]] = st.CreatedAt
			}
		}
	}

	// Round 1: killed while the silent transfers are blocked on the losing
	// registrar, their requests sent.
	first := batch(1)
	p := h.start()
	post(p, first)
	for _, n := range first {
		if !strings.HasPrefix(n, "xfer-ack-") {
			if _, err := h.waitTransfer(p, n, 60*time.Second, func(st status) bool { return st.State == registrar.StateBlocked || st.Completed }); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.kill()
	t.Log("round 1: killed the server with the silent transfers blocked")

	// Round 2: killed right after the POSTs, the requests in flight.
	p = h.start()
	post(p, pick(first, 2)) // the same transfers, not new ones
	second := batch(2)
	post(p, second)
	pause := rand.N(300 * time.Millisecond)
	time.Sleep(pause)
	p.kill()
	t.Logf("round 2: killed the server %v after the POSTs", pause.Round(time.Millisecond))

	p = h.start()
	restarted := time.Now()
	names := append(slices.Clone(first), second...)
	for _, n := range names {
		st, err := h.waitTransfer(p, n, 90*time.Second, completed)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != registrar.StateSucceeded {
			t.Errorf("transfer of %s ended %s %+v, want succeeded", n, st.State, st.Error)
		}
	}
	t.Logf("all %d transfers completed %v after the last restart", len(names), time.Since(restarted).Round(time.Millisecond))

	// Exactly one transfer request per name at the registry.
	var log []registrarLogEntry
	if reg != nil {
		entries, err := reg.engine.Log(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			log = append(log, registrarLogEntry{e.Command, e.Domain})
		}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		entries, err := daemon.ReadBuiltinLog(ctx, h.dataDir, h.dbURL, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			log = append(log, registrarLogEntry{e.Command, e.Domain})
		}
	}
	requests := map[string]int{}
	for _, e := range log {
		if e.command == "transfer:request" {
			requests[e.domain]++
		}
	}
	for _, n := range names {
		if requests[n] != 1 {
			t.Errorf("the registry logged %d transfer requests of %s, want 1", requests[n], n)
		}
	}

	// The list shows every transferred domain once, active.
	listed := map[string]int{}
	for _, g := range h.list(p) {
		listed[g.DomainName]++
		if slices.Contains(names, g.DomainName) && g.Status != registrar.RegistrationActive {
			t.Errorf("listed registration %s has status %q, want %q", g.DomainName, g.Status, registrar.RegistrationActive)
		}
	}
	for _, n := range names {
		if listed[n] != 1 {
			t.Errorf("GET registrations lists %s %d times, want once", n, listed[n])
		}
	}

	// One charge per transfer where the live environment is billed, none
	// in demo mode.
	cfg := store.Config{DatabaseURL: h.dbURL, SQLitePath: daemon.SQLitePath(h.dataDir), ReadOnly: true}
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	charges, err := db.Charges(context.Background(), h.account)
	if err != nil {
		t.Fatal(err)
	}
	charged := map[string]int{}
	for _, c := range charges {
		charged[c.Domain]++
	}
	want := 0
	if reg != nil {
		want = 1
	}
	for _, n := range names {
		if charged[n] != want {
			t.Errorf("%d charges for the transfer of %s, want %d", charged[n], n, want)
		}
		delete(charged, n)
	}
	for n, c := range charged {
		t.Errorf("%d charges for %s, which was never transferred", c, n)
	}
}

type registrarLogEntry struct{ command, domain string }

// postTransfers POSTs live transfers in of names, with the sandbox auth
// code, concurrently with Prefer: respond-async, and returns the responses
// in order; it fails the test on a transport error.
func (h *harness) postTransfers(p *proc, names []string) []*response {
	h.t.Helper()
	out := make([]*response, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			out[i], errs[i] = h.call("POST", h.base(p)+"/registrations/"+n+"/transfer-in",
				map[string]any{"auth_code": sandboxAuthCode}, "Prefer", "respond-async")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			h.t.Fatalf("POST transfer-in of %s: %v", names[i], err)
		}
	}
	return out
}

// checkTransferPosted checks the answer to a POST transfer-in: 202 with
// a transfer workflow of that domain that has not failed.
func checkTransferPosted(r *response, domain string) (status, error) {
	var st status
	// A repeat of a transfer that has completed is 200 with message
	// 1101; a first POST (respond-async) or a repeat of a running one 202.
	repeat := strings.Contains(string(r.Body), `"messages":[{"code":1101,`)
	if (r.Status != http.StatusAccepted && !(repeat && r.Status == http.StatusOK)) || !r.Env.Success {
		return st, fmt.Errorf("POST transfer-in %s = %d %s, want 202 (200 for a completed repeat) and success", domain, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Env.Result, &st); err != nil {
		return st, fmt.Errorf("POST transfer-in %s: decode status %s: %v", domain, r.Body, err)
	}
	if r.Status == http.StatusOK && !st.Completed {
		return st, fmt.Errorf("POST transfer-in %s = 200 for a transfer not completed: %s", domain, r.Body)
	}
	if st.Context.DomainName != domain || st.CreatedAt.IsZero() || !strings.HasSuffix(st.Links.Self, "/registrations/"+domain+"/transfer-in-status") {
		return st, fmt.Errorf("POST transfer-in %s answered a status for another workflow: %s", domain, r.Body)
	}
	if st.State == registrar.StateFailed {
		return st, fmt.Errorf("POST transfer-in %s: workflow failed: %s", domain, r.Body)
	}
	return st, nil
}

// waitTransfer polls domain's transfer-in status until want holds, for at
// most limit.
func (h *harness) waitTransfer(p *proc, domain string, limit time.Duration, want func(status) bool) (status, error) {
	deadline := time.Now().Add(limit)
	for {
		var st status
		r, err := h.call("GET", h.base(p)+"/registrations/"+domain+"/transfer-in-status", nil)
		if err != nil {
			return st, err
		}
		if r.Status != http.StatusOK {
			return st, fmt.Errorf("GET transfer-in-status of %s = %d %s", domain, r.Status, r.Body)
		}
		if err := json.Unmarshal(r.Env.Result, &st); err != nil {
			return st, fmt.Errorf("decode status %s: %v", r.Body, err)
		}
		if want(st) {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("transfer of %s still %q after %v", domain, st.State, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
