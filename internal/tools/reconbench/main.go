// Command reconbench measures a full reconciliation: N registrations in a
// fresh SQLite store and their N domains in a sandbox registry served
// over EPP and TLS on loopback, each infoed and compared once, with the
// rate limit off, so the registry sets the pace. It runs each size in
// turn in one process and prints a Markdown table per size: time, infos
// per second, and the memory of the reconciliation alone. The process's
// peak RSS (VmHWM) is reset (/proc/self/clear_refs) after loading, so it
// is the peak of the reconciliation, and a sampler records the peaks of
// its anonymous and file-backed parts (RssAnon, RssFile: SQLite's
// mmap of the registrar's database) and of the Go heap (HeapInuse,
// HeapSys). Both stores are loaded in batches of 10,000.
//
// With -registrar (a built registrar binary) the sandbox registry runs
// in its own process (`registrar sandbox serve`), so the figures are the
// registrar's alone; the registry's peak RSS is reported beside them.
//
//	go run ./internal/tools/reconbench [-n 10000,100000] [-sessions 4] [-registrar ./registrar]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
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
	bin := flag.String("registrar", "", "a registrar binary: run the sandbox registry in its own process with it (default: in this process)")
	flag.Parse()
	fmt.Println("| N | registry | time | infos/s | differences | peak RSS | peak RssAnon | peak RssFile | peak HeapInuse | peak HeapSys | registry's peak RSS | registrar.db | sandbox.db |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("-n: %v", err)
		}
		r, err := run(n, *sessions, *bin)
		if err != nil {
			log.Fatal(err)
		}
		where, regRSS := "in process", "(included)"
		if *bin != "" {
			where, regRSS = "own process", mib(r.registryRSS)
		}
		fmt.Printf("| %d | %s | %.1f s | %.0f | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, where, r.elapsed.Seconds(),
			float64(r.checked)/r.elapsed.Seconds(), r.differences, mib(r.mem.vmHWM), mib(r.mem.rssAnon), mib(r.mem.rssFile),
			mib(int64(r.mem.heapInuse)), mib(int64(r.mem.heapSys)), regRSS, mib(r.dbSize), mib(r.sandboxSize))
	}
}

type result struct {
	elapsed             time.Duration
	checked             int
	differences         int
	mem                 peaks
	registryRSS         int64
	dbSize, sandboxSize int64
}

// router is the one registry for .com in the live environment.
type router struct{ reg registrar.Registry }

func (r router) Lookup(env registrar.Env, ext string) (registrar.Registry, registrar.Extension, error) {
	return r.reg, registrar.Extension{Name: ext, MinYears: 1, MaxYears: 10}, nil
}

func (r router) All() []registrar.Registry { return []registrar.Registry{r.reg} }

func run(n, sessions int, bin string) (result, error) {
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

	// The registry's data dir, laid out as `registrar sandbox serve`
	// expects it.
	regDir := filepath.Join(dir, "sandbox")
	if err := os.MkdirAll(regDir, 0o700); err != nil {
		return res, err
	}
	sandboxPath := daemon.SandboxPath(regDir)
	files, err := tlsca.Ensure(daemon.TLSDir(regDir), clientID)
	if err != nil {
		return res, err
	}
	engine, err := sandbox.Open(sandboxPath, sandbox.Config{})
	if err != nil {
		return res, err
	}
	defer func() {
		if engine != nil {
			engine.Close()
		}
	}()

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

	var addr string
	var registryPID int
	if bin == "" {
		srvTLS, err := files.ServerConfig(true)
		if err != nil {
			return res, err
		}
		srv := sandbox.NewServer(engine, sandbox.ServerConfig{TLS: srvTLS, Accounts: map[string]string{clientID: password}, MaxSessionsPerClient: 100})
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			return res, err
		}
		defer srv.Close()
		addr = srv.Addr()
	} else {
		engine.Close()
		engine = nil
		cmd, a, err := serveRegistry(bin, regDir)
		if err != nil {
			return res, err
		}
		defer func() {
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		}()
		addr, registryPID = a, cmd.Process.Pid
	}

	cliTLS, err := files.ClientConfig()
	if err != nil {
		return res, err
	}
	client, err := epp.NewClient(epp.ClientConfig{Addr: addr, TLS: cliTLS, ClientID: clientID, Password: password,
		PoolSize: sessions, RateLimit: math.Inf(1)})
	if err != nil {
		return res, err
	}
	defer client.Close()
	reg := eppregistry.New("sandbox", client, clientID, nil)

	e, err := workflows.New(workflows.Deps{DB: db, Registries: router{reg}}, workflows.Config{ReconcileRate: -1})
	if err != nil {
		return res, err
	}

	// The loading is done: measure the reconciliation alone from here.
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return res, fmt.Errorf("reset the peak RSS: %w", err)
	}
	if registryPID != 0 {
		os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", registryPID), []byte("5"), 0)
	}
	stop := sample(&res.mem)

	startAt := time.Now()
	for res.checked < n {
		st, err := e.Reconcile(ctx, n-res.checked)
		if err != nil {
			stop()
			return res, err
		}
		if st.Checked == 0 {
			stop()
			return res, fmt.Errorf("a run checked nothing (%d of %d checked, %d skipped)", res.checked, n, st.Skipped)
		}
		res.checked += st.Checked
		res.differences += st.Differences
	}
	res.elapsed = time.Since(startAt)
	stop()
	if registryPID != 0 {
		res.registryRSS = procStatus(registryPID, "VmHWM")
	}
	res.dbSize = fileSizes(filepath.Join(dir, "registrar.db"))
	res.sandboxSize = fileSizes(sandboxPath)
	return res, nil
}

// serveRegistry starts `bin sandbox serve` on the registry's data dir
// and a free loopback port, and returns once it accepts connections.
func serveRegistry(bin, dataDir string) (*exec.Cmd, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "sandbox", "serve", "--listen", addr, "--data-dir", dataDir,
		"--client-id", clientID, "--password", password, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, addr, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", fmt.Errorf("the sandbox registry did not listen on %s", addr)
}

// peaks are the highest memory figures the sampler saw, in bytes; vmHWM
// is the kernel's own peak RSS, exact.
type peaks struct {
	vmHWM, rssAnon, rssFile int64
	heapInuse, heapSys      uint64
}

// sample records into p, every 50 ms until stop is called, the
// process's RssAnon and RssFile and the Go heap's HeapInuse and HeapSys.
func sample(p *peaks) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	once := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.heapInuse = max(p.heapInuse, ms.HeapInuse)
		p.heapSys = max(p.heapSys, ms.HeapSys)
		p.rssAnon = max(p.rssAnon, procStatus(os.Getpid(), "RssAnon"))
		p.rssFile = max(p.rssFile, procStatus(os.Getpid(), "RssFile"))
	}
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			once()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		once()
		p.vmHWM = procStatus(os.Getpid(), "VmHWM")
	}
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

// procStatus is a field of /proc/pid/status in kB, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
