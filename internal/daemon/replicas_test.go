package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestReplicasMustShareRegistries: a second replica of a PostgreSQL
// database whose live environment would register at other registries
// than the running replica's (a registries file against demo mode) refuses
// to start, saying how to fix it; one with the same configuration starts.
func TestReplicasMustShareRegistries(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	first := startServer(t, storetest.Postgres, nil) // demo mode
	reg := startRegistry(t, 0)

	cfg := first.cfg
	cfg.DataDir = t.TempDir()
	cfg.Registries = reg.file
	d, err := daemon.Start(context.Background(), cfg)
	if err == nil {
		d.Stop(context.Background())
		t.Fatal("a replica with a registries file started beside one in demo mode")
	}
	if !errors.Is(err, store.ErrReplicaConflict) || !strings.Contains(err.Error(), "--registries") || !strings.Contains(err.Error(), "live=demo") {
		t.Errorf("refusal %q: want ErrReplicaConflict naming the running replica's configuration and --registries", err)
	}

	cfg.Registries = ""
	second, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("a second demo-mode replica: %v", err)
	}
	if err := second.Stop(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestReplicasShareOneRegistry runs three `registrar serve` processes on
// one PostgreSQL database, started at once on the empty database, with a
// registries file for the live environment and the built-in sandbox
// registry behind /registrar-sandbox/. Registrations in both environments
// are spread across the replicas; while their creates are in flight one
// replica is SIGKILLed and PostgreSQL is restarted. Every registration
// must end succeeded, with exactly one create per name at each registry,
// one charge per live registration, and the same domain-check answers on
// every replica.
func TestReplicasShareOneRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs three registrar binaries as child processes, SIGKILLs one and restarts PostgreSQL")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	pg := storetest.StartServer(t)
	reg := startRegistry(t, time.Second)
	// Two sessions per replica (pool_size is the deployment's total), and
	// timeouts a loaded CI machine keeps: this test is about replicas.
	file, err := os.ReadFile(reg.file)
	if err != nil {
		t.Fatal(err)
	}
	tuned := strings.NewReplacer("pool_size: 4", "pool_size: 6", "query_timeout: 1s", "query_timeout: 5s",
		"transform_timeout: 1s", "transform_timeout: 5s").Replace(string(file))
	if tuned == string(file) {
		t.Fatal("the registries file changed its pool_size and timeouts: update this test")
	}
	regFile := filepath.Join(t.TempDir(), "registries.yaml")
	if err := os.WriteFile(regFile, []byte(tuned), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--registries", regFile, "--sandbox-delay", "1s", "--job-timeout", "3s", "--rescue-after", "5s",
		"--poll-interval", "200ms", "--rate-limit", "-1", "--max-in-flight", "1000"}
	hs := make([]*harness, 3)
	for i := range hs {
		hs[i] = newHarness(t, bin, storetest.SQLite, flags...)
		hs[i].dbURL, hs[i].replica = pg.URL, true
	}

	// Three first starts at once on the empty database: one account.
	procs := make([]*proc, len(hs))
	var wg sync.WaitGroup
	for i, h := range hs {
		wg.Go(func() { procs[i] = h.start() })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var banners []*harness
	for _, h := range hs {
		if h.account != "" {
			banners = append(banners, h)
		}
	}
	if len(banners) != 1 {
		t.Fatalf("%d of 3 replicas starting at once on an empty database printed a first-start account, want 1", len(banners))
	}
	for _, h := range hs {
		h.account, h.token = banners[0].account, banners[0].token
		h.replica = false // restarts must not print a banner
	}

	// The live rule: the account's registrant verifies its address once.
	h := hs[0]
	if r, err := h.call("POST", h.base(procs[0])+"/registrations", map[string]any{"domain_name": "verify-replicas.com"}); err != nil || r.Status != http.StatusAccepted {
		t.Fatalf("first live registration: %s", describe(r, err))
	}
	openLink(t, pg.URL, "verify-replicas.com")
	if _, err := h.waitStatus(procs[0], "verify-replicas.com", 30*time.Second, completed); err != nil {
		t.Fatal(err)
	}

	// Registrations in both environments through every replica.
	envs := []string{"registrar", "registrar-sandbox"}
	names := map[string][]string{}
	for i, p := range procs {
		for _, env := range envs {
			batch := make([]string, 8)
			for j := range batch {
				batch[j] = fmt.Sprintf("replica%d-%s-n%d.com", i, env, j)
				if j%2 == 0 {
					batch[j] = "slow-" + batch[j]
				}
			}
			names[env] = append(names[env], batch...)
			wg.Go(func() {
				for j, r := range postEnv(hs[i], p, env, batch) {
					if _, err := checkPosted(r, batch[j], http.StatusAccepted); err != nil {
						t.Errorf("replica %d: %v", i, err)
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// Mid-flight: the slow- creates take a second at each registry.
	time.Sleep(300 * time.Millisecond)
	procs[1].kill()
	t.Log("SIGKILLed replica 1; restarting PostgreSQL")
	pg.Restart()
	procs[1] = hs[1].start()

	// Every registration succeeds, whichever replica is asked.
	for _, env := range envs {
		for k, n := range names[env] {
			p := procs[k%len(procs)]
			st, err := waitEnv(hs[0], p, env, n, 120*time.Second)
			if err != nil {
				t.Fatalf("%s %s: %v", env, n, err)
			}
			if st.State != registrar.StateSucceeded {
				t.Errorf("%s registration of %s ended %s: %+v", env, n, st.State, st.Error)
			}
		}
	}

	// Exactly one create per name at each registry.
	live := reg.creates(t)
	sbxLog, err := daemon.ReadBuiltinLog(context.Background(), "", pg.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	sbx := map[string]int{}
	for _, e := range sbxLog {
		if e.Command == "create" {
			sbx[e.Domain]++
		}
	}
	for env, creates := range map[string]map[string]int{"registrar": live, "registrar-sandbox": sbx} {
		for _, n := range names[env] {
			if creates[n] != 1 {
				t.Errorf("%s: the registry logged %d creates of %s, want 1", env, creates[n], n)
			}
		}
	}

	// One charge per live registration, none for the sandbox.
	conn, err := pgx.Connect(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT domain, count(*) FROM charges GROUP BY domain`)
	if err != nil {
		t.Fatal(err)
	}
	charges, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct {
		Domain string
		N      int
	}, error) {
		var c struct {
			Domain string
			N      int
		}
		return c, r.Scan(&c.Domain, &c.N)
	})
	if err != nil {
		t.Fatal(err)
	}
	charged := map[string]int{}
	for _, c := range charges {
		charged[c.Domain] = c.N
	}
	for _, n := range append(names["registrar"], "verify-replicas.com") {
		if charged[n] != 1 {
			t.Errorf("%d charges for %s, want 1", charged[n], n)
		}
		delete(charged, n)
	}
	for n, c := range charged {
		t.Errorf("%d charges for %s, which is no live registration", c, n)
	}

	// The same domain-check answers on every replica, in each environment.
	for _, env := range envs {
		ask := []string{names[env][0], names[env][1], "taken-replicas.com", "free-replicas.com", "premium-replicas.com"}
		var first string
		for i, p := range procs {
			r, err := hs[0].call("POST", envBase(hs[0], p, env)+"/domain-check", map[string]any{"domains": ask})
			if err != nil || r.Status != http.StatusOK {
				t.Fatalf("%s domain-check on replica %d: %s", env, i, describe(r, err))
			}
			if i == 0 {
				first = string(r.Env.Result)
			} else if got := string(r.Env.Result); got != first {
				t.Errorf("%s domain-check on replica %d = %s, replica 0 said %s", env, i, got, first)
			}
		}
	}
}

// envBase is the account's endpoints of environment env on p.
func envBase(h *harness, p *proc, env string) string {
	return "http://" + p.addr + "/client/v4/accounts/" + h.account + "/" + env
}

// postEnv POSTs registrations of names in env concurrently with Prefer:
// respond-async and returns the responses in order; it fails the test on
// a transport error.
func postEnv(h *harness, p *proc, env string, names []string) []*response {
	h.t.Helper()
	out := make([]*response, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		body := map[string]any{"domain_name": n}
		if env == "registrar-sandbox" {
			body["contacts"] = map[string]any{"registrant": daemon.SampleContact()} // the sandbox has no express mode
		}
		wg.Go(func() {
			out[i], errs[i] = h.call("POST", envBase(h, p, env)+"/registrations", body, "Prefer", "respond-async")
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		h.t.Fatalf("POST registrations: %v", err)
	}
	return out
}

// waitEnv polls a registration's status in env until it completes, for at
// most limit, riding out a database restart (503) and a replica's restart.
func waitEnv(h *harness, p *proc, env, domain string, limit time.Duration) (status, error) {
	deadline := time.Now().Add(limit)
	for {
		var st status
		r, err := h.call("GET", envBase(h, p, env)+"/registrations/"+domain+"/registration-status", nil)
		if err == nil && r.Status == http.StatusOK {
			if err := json.Unmarshal(r.Env.Result, &st); err != nil {
				return st, err
			}
			if st.Completed {
				return st, nil
			}
		} else if err == nil && r.Status != http.StatusServiceUnavailable {
			return st, fmt.Errorf("GET registration-status = %s", describe(r, err))
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("not completed after %v (last: %s, state %q)", limit, describe(r, err), st.State)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// openLink opens the verification link about domain from the outbox of
// the database at url, as the registrant would.
func openLink(t *testing.T, url, domain string) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs, err := db.Outbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if link := linkRE.FindString(m.Body); link != "" && strings.Contains(m.Subject, domain) {
				res, err := http.Get(link)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %d", link, res.StatusCode)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verification email about %s in the outbox", domain)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
