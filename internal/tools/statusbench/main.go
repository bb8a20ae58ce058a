// Command statusbench measures the hottest path of the API, GET
// .../registration-status, against a handler that returns a fixed body of
// the same size, in the same run and on the same machine, and prints a
// table of requests per second and latency percentiles for both.
//
//	go run ./internal/tools/statusbench [-workflows 10000] [-conns 64] [-duration 10s] [-database postgres://…]
//
// It starts a real registrar (SQLite in a temporary directory unless
// -database is given), stores the workflows through the store, and drives
// both servers over loopback from one keep-alive connection per client.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

func main() {
	n := flag.Int("workflows", 10000, "stored workflows to read")
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	duration := flag.Duration("duration", 10*time.Second, "how long each target is driven")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured load before each measurement")
	database := flag.String("database", "", "PostgreSQL URL; SQLite in a temporary directory when empty")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the registration-status run to this file")
	flag.Parse()
	profile = *cpuProfile
	if err := run(*n, *conns, *duration, *warmup, *database); err != nil {
		log.Fatal(err)
	}
}

func run(n, conns int, duration, warmup time.Duration, database string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "statusbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := daemon.Start(ctx, daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, DatabaseURL: database, API: httpapi.Config{RateLimit: -1}})
	if err != nil {
		return err
	}
	defer d.Stop(ctx)
	acct, token, err := d.DB().CreateAccount(ctx, "bench", daemon.SampleContact(), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "storing %d workflows...\n", n)
	if err := seed(ctx, d.DB(), acct.ID, n); err != nil {
		return err
	}
	base := strings.TrimSuffix(d.URL(), "/") + "/accounts/" + acct.ID + "/registrar/registrations/"
	statusURL := func(i int) string { return base + domain(i) + "/registration-status" }

	// The fixed handler serves a real status body, byte for byte.
	body, err := fetch(statusURL(0), token)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fixed := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	go fixed.Serve(ln)
	defer fixed.Close()
	fixedURL := func(int) string { return "http://" + ln.Addr().String() + "/fixed" }

	fmt.Fprintf(os.Stderr, "driving each target for %s with %d connections (after %s warm-up)...\n", duration, conns, warmup)
	rFixed := drive(fixedURL, token, n, conns, warmup, duration)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
	}
	rStatus := drive(statusURL, token, n, conns, warmup, duration)
	pprof.StopCPUProfile()

	db := "SQLite"
	if database != "" {
		db = "PostgreSQL"
	}
	fmt.Printf("GET registration-status over %d stored workflows (%s), %d keep-alive connections, %s each, body %d bytes, GOMAXPROCS %d\n\n",
		n, db, conns, duration, len(body), runtime.GOMAXPROCS(0))
	fmt.Printf("| target | requests/s | p50 | p99 | errors |\n|---|---:|---:|---:|---:|\n")
	for _, r := range []struct {
		name string
		res  result
	}{{"fixed body (net/http, no work)", rFixed}, {"registration-status", rStatus}} {
		fmt.Printf("| %s | %.0f | %s | %s | %d |\n", r.name, r.res.rps, fmtDur(r.res.p50), fmtDur(r.res.p99), r.res.errors)
	}
	fmt.Printf("\nstatus / fixed throughput: %.0f%%\n", 100*rStatus.rps/rFixed.rps)
	return nil
}

// profile is the -cpuprofile file.
var profile string

func domain(i int) string { return fmt.Sprintf("bench-%05d.com", i) }

// seed stores n succeeded registration workflows with their registrations,
// as the engine leaves them.
func seed(ctx context.Context, db *store.DB, account string, n int) error {
	now := registrar.SystemClock{}.Now()
	for start := 0; start < n; start += 500 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+500, n); i++ {
				exp := now.AddDate(1, 0, 0)
				g := &registrar.Registration{AccountID: account, Env: registrar.EnvLive, WorkflowID: registrar.NewID(), DomainName: domain(i),
					Status: registrar.RegistrationActive, CreatedAt: now, ExpiresAt: &exp, Locked: true, PrivacyMode: registrar.PrivacyRedaction}
				if _, err := tx.ClaimDomain(ctx, g, 1); err != nil {
					return err
				}
				c, _ := json.Marshal(registrar.StatusContext{DomainName: g.DomainName, Registration: g})
				wf := &registrar.Workflow{ID: g.WorkflowID, AccountID: account, Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
					Domain: g.DomainName, State: registrar.StateSucceeded, Step: "create", Context: c, Data: []byte(`{}`), CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertWorkflow(ctx, wf); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func fetch(url, token string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d %s", url, res.StatusCode, b)
	}
	return b, err
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// drive sends GETs from conns goroutines, each on its own keep-alive
// connection, to url(i) for random i, and measures after a warm-up.
func drive(url func(int) string, token string, n, conns int, warmup, duration time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var measuring atomic.Bool
	var errs atomic.Int64
	stop := make(chan struct{})
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", url(0), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := req.Clone(context.Background())
				r.URL, _ = r.URL.Parse(url(rand.IntN(n)))
				t0 := time.Now()
				res, err := client.Do(r)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				if !measuring.Load() {
					continue
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	time.Sleep(warmup)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(duration)
	measuring.Store(false)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return result{errors: errs.Load()}
	}
	return result{
		rps: float64(len(all)) / elapsed.Seconds(),
		p50: all[len(all)/2], p99: all[len(all)*99/100],
		errors: errs.Load(),
	}
}

func fmtDur(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
