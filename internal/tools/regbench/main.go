// Command regbench measures end-to-end registration throughput: POSTs with
// `Prefer: respond-async` from concurrent clients, each registration
// followed until its workflow has succeeded, against a real registrar with
// the sandbox registry answering at once. It prints registrations per
// second and the latency from POST to succeeded.
//
//	go run ./internal/tools/regbench [-n 2000] [-clients 32] [-database postgres://…]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
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
	"github.com/openregistrar/registrar/internal/workflows"
)

func main() {
	n := flag.Int("n", 2000, "registrations")
	clients := flag.Int("clients", 32, "concurrent clients, each POSTing then polling its registration")
	sync := flag.Bool("sync", false, "POST without Prefer: respond-async and take the 201 (needs registrations done within the sync window)")
	database := flag.String("database", "", "PostgreSQL URL; SQLite in a temporary directory when empty")
	synchronous := flag.String("sqlite-synchronous", "full", "SQLite synchronous setting (full or normal), as --sqlite-synchronous")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*n, *clients, *database, *synchronous, *sync); err != nil {
		log.Print(err)
	}
}

func run(n, clients int, database, synchronous string, syncPOST bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "regbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := daemon.Start(ctx, daemon.Config{
		Listen: "127.0.0.1:0", DataDir: dir, DatabaseURL: database, SQLiteSynchronous: synchronous, API: httpapi.Config{RateLimit: -1},
		Workflows: workflows.Config{MaxDomains: n + 1, MaxInFlight: -1, PollInterval: time.Second}, SandboxDelay: time.Millisecond,
	})
	if err != nil {
		return err
	}
	defer d.Stop(ctx)
	acct, token, err := d.DB().CreateAccount(ctx, "bench", daemon.SampleContact(), time.Now())
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(d.URL(), "/") + "/accounts/" + acct.ID + "/registrar/registrations"
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr}
	do := func(method, url, body string) (registrar.State, error) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if !syncPOST {
			req.Header.Set("Prefer", "respond-async")
		}
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var env struct {
			Result struct {
				State registrar.State `json:"state"`
			} `json:"result"`
		}
		if err := json.Unmarshal(b, &env); err != nil || (res.StatusCode != 202 && res.StatusCode != 200 && res.StatusCode != 201) {
			return "", fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, b)
		}
		return env.Result.State, nil
	}
	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				domain := fmt.Sprintf("bench-%06d.com", i)
				t0 := time.Now()
				state, err := do("POST", base, `{"domain_name":"`+domain+`"}`)
				for err == nil && !state.Terminal() {
					time.Sleep(5 * time.Millisecond)
					state, err = do("GET", base+"/"+domain+"/registration-status", "")
				}
				if err != nil || state != registrar.StateSucceeded {
					failed.Add(1)
					log.Printf("%s: %s %v", domain, state, err)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	db := "SQLite"
	if database != "" {
		db = "PostgreSQL"
	}
	mode := "POST with Prefer: respond-async, then GET status until succeeded"
	if syncPOST {
		mode = "POST held until done (201)"
	}
	fmt.Printf("%d registrations (%s), %d concurrent clients, %s, sandbox registry over EPP answering at once, GOMAXPROCS %d\n\n",
		n, db, clients, mode, runtime.GOMAXPROCS(0))
	fmt.Printf("| registrations/s | POST→succeeded p50 | p99 | failed |\n|---:|---:|---:|---:|\n")
	if len(all) == 0 {
		fmt.Printf("| 0 | - | - | %d |\n", failed.Load())
		return nil
	}
	fmt.Printf("| %.0f | %.1f ms | %.1f ms | %d |\n", float64(len(all))/elapsed.Seconds(),
		float64(all[len(all)/2].Microseconds())/1000, float64(all[len(all)*99/100].Microseconds())/1000, failed.Load())
	return nil
}
