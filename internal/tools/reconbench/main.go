// Command reconbench measures a full reconciliation: N registrations in a
// fresh SQLite store and their N domains in a sandbox registry served
// over EPP and TLS on loopback, each infoed and compared once, with the
// rate limit off, so the registry sets the pace. It runs each size in
// turn in one process and prints a Markdown table: N, time, infos per second, the
// process's peak RSS so far (VmHWM), and the database's size. Both
// stores are loaded in batches of 10,000, so a flat peak RSS across sizes
// shows the reconciliation streams its registrations.
//
//	go run ./internal/tools/reconbench [-n 10000,100000] [-sessions 4]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/tlsca"
	"github.com/openregistrar/registrar/internal/workflows"
)

const (
	clientID = "openregistrar"
	password = "reconbench-pw"
	chunk    = 10000
)

func main() {
	sizes := flag.String("n", "10000,100000", "comma-separated numbers of registrations")
	sessions := flag.Int("sessions", 4, "EPP sessions to the registry")
	flag.Parse()
	fmt.Println("| N | time | infos/s | differences | peak RSS (VmHWM) | registrar.db | sandbox.db |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("-n: %v", err)
		}
		r, err := run(n, *sessions)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("| %d | %.1f s | %.0f | %d | %s | %s | %s |\n", n, r.elapsed.Seconds(), float64(r.checked)/r.elapsed.Seconds(),
			r.differences, mib(peakRSS()), mib(r.dbSize), mib(r.sandboxSize))
	}
}

type result struct {
	elapsed             time.Duration
	checked             int
	differences         int
	dbSize, sandboxSize int64
}

// router is the one registry for .com in the live environment.
type router struct{ reg registrar.Registry }

func (r router) Lookup(env registrar.Env, ext string) (registrar.Registry, registrar.Extension, error) {
	return r.reg, registrar.Extension{Name: ext, MinYears: 1, MaxYears: 10}, nil
}

func (r router) All() []registrar.Registry { return []registrar.Registry{r.reg} }

func run(n, sessions int) (result, error) {
	var res result
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "reconbench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	db, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(dir, "registrar.db")})
	if err != nil {
		return res, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return res, err
	}
	acct, _, err := db.CreateAccount(ctx, "bench", nil, time.Now())
	if err != nil {
		return res, err
	}

	files, err := tlsca.Ensure(filepath.Join(dir, "tls"), "reconbench")
	if err != nil {
		return res, err
	}
	srvTLS, err := files.ServerConfig(true)
	if err != nil {
		return res, err
	}
	engine, err := sandbox.Open(filepath.Join(dir, "sandbox.db"), sandbox.Config{})
	if err != nil {
		return res, err
	}
	defer engine.Close()
	srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: srvTLS, Accounts: map[string]string{clientID: password}, MaxSessionsPerClient: 100})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		return res, err
	}
	defer srv.Close()
	cliTLS, err := files.ClientConfig()
	if err != nil {
		return res, err
	}
	client, err := epp.NewClient(epp.ClientConfig{Addr: srv.Addr(), TLS: cliTLS, ClientID: clientID, Password: password,
		PoolSize: sessions, RateLimit: math.Inf(1)})
	if err != nil {
		return res, err
	}
	defer client.Close()
	reg := eppregistry.New("sandbox", client, clientID, nil)

	// Load both sides in chunks; one in a hundred domains has a later
	// expiry at the registry, a difference to correct and record.
	created := time.Now().UTC().Add(-30 * 24 * time.Hour).Truncate(time.Second)
	expires := created.AddDate(1, 0, 0)
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		domains := make([]sandbox.ImportedDomain, 0, end-start)
		tx, err := db.SQLite().BeginTx(ctx, nil)
		if err != nil {
			return res, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO registrations (env, domain, account_id, workflow_id, status, years, auto_renew, locked,
			privacy_mode, created_at, expires_at) VALUES ('live', ?, ?, ?, 'active', 1, 1, 0, 'redaction', ?, ?)`)
		if err != nil {
			return res, err
		}
		for i := start; i < end; i++ {
			name := fmt.Sprintf("bench-%07d.com", i)
			if _, err := stmt.ExecContext(ctx, name, acct.ID, registrar.NewID(), created.UnixMicro(), expires.UnixMicro()); err != nil {
				return res, err
			}
			exp := expires
			if i%100 == 0 {
				exp = exp.AddDate(1, 0, 0)
			}
			domains = append(domains, sandbox.ImportedDomain{Name: name, Sponsor: clientID, AuthInfo: "bench-auth-" + name, CreatedAt: created, ExpiresAt: exp})
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return res, err
		}
		if err := engine.ImportDomains(ctx, domains); err != nil {
			return res, err
		}
	}

	e, err := workflows.New(workflows.Deps{DB: db, Registries: router{reg}}, workflows.Config{ReconcileRate: -1})
	if err != nil {
		return res, err
	}
	startAt := time.Now()
	for res.checked < n {
		st, err := e.Reconcile(ctx, n-res.checked)
		if err != nil {
			return res, err
		}
		if st.Checked == 0 {
			return res, fmt.Errorf("a run checked nothing (%d of %d checked, %d skipped)", res.checked, n, st.Skipped)
		}
		res.checked += st.Checked
		res.differences += st.Differences
	}
	res.elapsed = time.Since(startAt)
	res.dbSize = fileSizes(filepath.Join(dir, "registrar.db"))
	res.sandboxSize = fileSizes(filepath.Join(dir, "sandbox.db"))
	return res, nil
}

// fileSizes is the size of a SQLite database with its WAL.
func fileSizes(path string) int64 {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
