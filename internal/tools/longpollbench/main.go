//go:build unix

// Command longpollbench measures long-polled workflow statuses (docs/API.md,
// "ETags and long-poll") against polling every 2 s, on one in-process
// registrar (SQLite in a temporary directory), over loopback, and prints a
// table: requests per state change, wake-up latency from commit to
// response, process CPU and memory.
//
//	go run ./internal/tools/longpollbench [-waiters 10000] [-changes 1000] [-rate 100] [-poll 2s]
//
// Each of the waiters follows its own in_progress registration workflow
// on its own keep-alive connection: GET registration-status once, then
// long-polls (If-None-Match, Prefer: wait=60) again after each answer.
// Once every waiter is held, changes of distinct workflows are committed
// through the store at -rate a second. The same clients then poll every
// -poll without conditions while the same number of other workflows
// change. Both phases are measured over the same window: the changes,
// then one polling interval. The clients run in a second process (this
// command with -clients): the server's CPU (getrusage) and memory
// (/proc/self/status, runtime.MemStats) are its own.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

func main() {
	waiters := flag.Int("waiters", 10000, "concurrent clients, one workflow and one connection each")
	changes := flag.Int("changes", 1000, "state changes committed in each phase")
	rate := flag.Float64("rate", 100, "state changes a second")
	poll := flag.Duration("poll", 2*time.Second, "the polling phase's interval")
	clientsOf := flag.String("clients", "", "run as the clients' process of this base URL (internal)")
	token := flag.String("token", "", "the clients' API token (internal)")
	flag.Parse()
	if *clientsOf != "" {
		if err := clients(*clientsOf, *token, *waiters, *poll); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *changes*2 > *waiters {
		log.Fatal("-changes must be at most half of -waiters: each phase changes its own workflows")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *waiters, *changes, *rate, *poll); err != nil {
		log.Fatal(err)
	}
}

// raiseNoFile lifts the open-file limit to need, or to its hard limit
// when it cannot raise that (not privileged): each waiter holds a client
// and a server socket.
func raiseNoFile(need uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Max < need {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: need, Max: need}); err == nil {
			return nil
		}
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur < need {
		return fmt.Errorf("RLIMIT_NOFILE hard limit %d is below the %d sockets needed; lower -waiters or raise it", l.Cur, need)
	}
	return nil
}

func domain(i int) string { return fmt.Sprintf("lp-%05d.com", i) }

type bench struct {
	d        *daemon.Daemon
	db       *store.DB
	account  string
	token    string
	base     string
	commitAt []atomic.Int64 // unix nanos of the change of workflow i, 0 before
	ids      []string
}

func run(ctx context.Context, n, changes int, rate float64, poll time.Duration) error {
	if err := raiseNoFile(uint64(n + 1000)); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "longpollbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := daemon.Start(ctx, daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, API: httpapi.Config{RateLimit: -1}})
	if err != nil {
		return err
	}
	defer d.Stop(context.Background())
	acct, token, err := d.DB().CreateAccount(ctx, "bench", daemon.SampleContact(), time.Now())
	if err != nil {
		return err
	}
	b := &bench{d: d, db: d.DB(), account: acct.ID, token: token, commitAt: make([]atomic.Int64, n),
		base: strings.TrimSuffix(d.URL(), "/") + "/accounts/" + acct.ID + "/registrar/registrations/"}
	fmt.Fprintf(os.Stderr, "storing %d in_progress workflows...\n", n)
	if err := b.seed(ctx, n); err != nil {
		return err
	}
	rssBefore, heapBefore := rssNow(), heapNow()

	c, err := startClients(b.base, token, n, poll)
	if err != nil {
		return err
	}
	defer c.cmd.Wait()
	defer c.in.Close()
	// Long-polls, then the same clients polling every interval, each
	// phase with its own workflows changing.
	perm := rand.Perm(n)
	lp, err := b.phase(ctx, c, "longpoll", perm[:changes], rate, poll)
	if err != nil {
		return err
	}
	pl, err := b.phase(ctx, c, "poll", perm[changes:2*changes], rate, poll)
	if err != nil {
		return err
	}

	fmt.Printf("%d waiters, %d state changes a phase at %.0f/s, SQLite, GOMAXPROCS %d, loopback; clients in a second process\n\n",
		n, changes, rate, runtime.GOMAXPROCS(0))
	fmt.Printf("| | long-poll (wait=60) | polling every %s | polling / long-poll |\n|---|---:|---:|---:|\n", poll)
	fmt.Printf("| requests during the changes | %d | %d | %.0f× |\n", lp.requests, pl.requests, ratio(pl.requests, lp.requests))
	fmt.Printf("| changes seen by waiters | %d | %d | |\n", lp.seen, pl.seen)
	fmt.Printf("| requests per change seen | %.2f | %.1f | |\n", ratio(lp.requests, lp.seen), ratio(pl.requests, pl.seen))
	fmt.Printf("| 304 answers | %d | - | |\n", lp.notModified)
	fmt.Printf("| commit → response p50 | %s | %s | |\n", ms(lp.p50), ms(pl.p50))
	fmt.Printf("| commit → response p99 | %s | %s | |\n", ms(lp.p99), ms(pl.p99))
	fmt.Printf("| server process CPU in the window | %s | %s | %.1f× |\n", lp.cpu.Round(time.Millisecond), pl.cpu.Round(time.Millisecond), ratio(int64(pl.cpu), int64(lp.cpu)))
	fmt.Printf("| clients' process CPU in the window | %s | %s | %.1f× |\n", lp.clientCPU.Round(time.Millisecond), pl.clientCPU.Round(time.Millisecond), ratio(int64(pl.clientCPU), int64(lp.clientCPU)))
	fmt.Printf("| window | %s | %s | |\n", lp.window.Round(time.Millisecond), pl.window.Round(time.Millisecond))
	fmt.Printf("| errors | %d | %d | |\n", lp.errors, pl.errors)
	fmt.Printf("\nserver process memory with the %d long-polls held: RSS %s (%s before the clients), Go heap in use %s (%s before): %s RSS a held request; peak RSS of the server process (VmHWM) %s\n",
		n, mib(lp.rssHeld), mib(rssBefore), mib(lp.heapHeld), mib(heapBefore), kib((lp.rssHeld-rssBefore)/int64(n)), mib(hwm()))
	return nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// seed stores n in_progress registration workflows, one per domain.
func (b *bench) seed(ctx context.Context, n int) error {
	now := time.Now()
	b.ids = make([]string, n)
	for start := 0; start < n; start += 500 {
		err := b.db.InTx(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+500, n); i++ {
				c, _ := json.Marshal(registrar.StatusContext{DomainName: domain(i)})
				wf := &registrar.Workflow{ID: registrar.NewID(), AccountID: b.account, Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration,
					Domain: domain(i), State: registrar.StateInProgress, Step: "create", Context: c, Data: []byte(`{}`), CreatedAt: now, UpdatedAt: now}
				b.ids[i] = wf.ID
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

// change commits workflow i's success through the store, recording the
// time just before the transaction (so latencies include the commit).
func (b *bench) change(ctx context.Context, i int) error {
	return b.db.InTx(ctx, func(tx *store.Tx) error {
		wf, err := tx.Workflow(ctx, b.ids[i])
		if err != nil {
			return err
		}
		wf.State, wf.UpdatedAt = registrar.StateSucceeded, time.Now()
		b.commitAt[i].Store(time.Now().UnixNano())
		return tx.SaveWorkflow(ctx, wf)
	})
}

// commit changes the workflows of idx at rate a second.
func (b *bench) commit(ctx context.Context, idx []int, rate float64) error {
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for _, i := range idx {
		<-tick.C
		if err := b.change(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

type phaseResult struct {
	requests, seen, notModified, errors int64
	p50, p99, cpu, window               time.Duration
	rssHeld, heapHeld                   int64
	clientCPU                           time.Duration
}

// latencies collects commit → response times.
type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

func (l *latencies) percentiles() (p50, p99 time.Duration) {
	slices.Sort(l.ds)
	if len(l.ds) == 0 {
		return 0, 0
	}
	return l.ds[len(l.ds)/2], l.ds[len(l.ds)*99/100]
}

// window is how long each phase is measured: the changes, then one
// polling interval for the last of them to be seen.
func window(changes int, rate float64, every time.Duration) time.Duration {
	return time.Duration(float64(changes)/rate*float64(time.Second)) + every
}

// The clients run in a child process (this program with -clients), so
// that the server's memory and CPU are measured alone, and each process
// needs one socket a waiter, within a hard RLIMIT_NOFILE of 20,000. The
// parent drives it over stdin and stdout, one command or answer a line:
//
//	parent: longpoll | poll     child: ready (every waiter held, or polled once)
//	parent: stop                child: seen I UNIXNANO (one a change seen), then
//	                            result REQUESTS NOTMODIFIED ERRORS CPUNANOS
type childProc struct {
	in  io.WriteCloser
	out *bufio.Scanner
	cmd *exec.Cmd
}

func startClients(base, token string, n int, every time.Duration) (*childProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-clients", base, "-token", token, "-waiters", strconv.Itoa(n), "-poll", every.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &childProc{in: in, out: sc, cmd: cmd}, nil
}

func (c *childProc) send(cmd string) error {
	_, err := fmt.Fprintln(c.in, cmd)
	return err
}

func (c *childProc) expect(word string) ([]string, error) {
	if !c.out.Scan() {
		return nil, fmt.Errorf("the clients' process ended: %v", c.out.Err())
	}
	f := strings.Fields(c.out.Text())
	if len(f) == 0 || f[0] != word {
		return nil, fmt.Errorf("the clients' process said %q, want %s", c.out.Text(), word)
	}
	return f[1:], nil
}

// phase runs one phase: the clients start (mode longpoll or poll), the
// changes of idx are committed, and the window ends.
func (b *bench) phase(ctx context.Context, c *childProc, mode string, idx []int, rate float64, every time.Duration) (phaseResult, error) {
	var r phaseResult
	fmt.Fprintf(os.Stderr, "%s: starting the clients...\n", mode)
	if err := c.send(mode); err != nil {
		return r, err
	}
	if _, err := c.expect("ready"); err != nil {
		return r, err
	}
	runtime.GC()
	r.rssHeld, r.heapHeld = rssNow(), heapNow()
	fmt.Fprintf(os.Stderr, "%s: committing %d changes...\n", mode, len(idx))
	cpu0, start := cpuNow(), time.Now()
	if err := b.commit(ctx, idx, rate); err != nil {
		return r, err
	}
	time.Sleep(time.Until(start.Add(window(len(idx), rate, every))))
	r.window, r.cpu = time.Since(start), cpuNow()-cpu0
	if err := c.send("stop"); err != nil {
		return r, err
	}
	in := make(map[int]bool, len(idx))
	for _, i := range idx {
		in[i] = true
	}
	var lat latencies
	for c.out.Scan() {
		f := strings.Fields(c.out.Text())
		switch {
		case len(f) == 3 && f[0] == "seen":
			i, _ := strconv.Atoi(f[1])
			at, _ := strconv.ParseInt(f[2], 10, 64)
			if c0 := b.commitAt[i].Load(); in[i] && c0 != 0 && at-c0 < int64(r.window) {
				r.seen++
				lat.add(time.Duration(at - c0))
			}
		case len(f) == 5 && f[0] == "result":
			r.requests, _ = strconv.ParseInt(f[1], 10, 64)
			r.notModified, _ = strconv.ParseInt(f[2], 10, 64)
			r.errors, _ = strconv.ParseInt(f[3], 10, 64)
			ns, _ := strconv.ParseInt(f[4], 10, 64)
			r.clientCPU = time.Duration(ns)
			r.p50, r.p99 = lat.percentiles()
			return r, nil
		default:
			return r, fmt.Errorf("the clients' process said %q", c.out.Text())
		}
	}
	return r, fmt.Errorf("the clients' process ended: %v", c.out.Err())
}

// clients is the child process: n clients of workflows 0..n-1 at base.
func clients(base, token string, n int, every time.Duration) error {
	if err := raiseNoFile(uint64(n + 500)); err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n + 100, DisableCompression: true, IdleConnTimeout: time.Minute}}
	get := func(ctx context.Context, i int, etag string, wait int) (int, string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+domain(i)+"/registration-status", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		if wait > 0 {
			req.Header.Set("Prefer", "wait="+strconv.Itoa(wait))
		}
		res, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotModified {
			return res.StatusCode, "", fmt.Errorf("GET %s = %d", domain(i), res.StatusCode)
		}
		return res.StatusCode, res.Header.Get("ETag"), nil
	}
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		mode := in.Text()
		ctx, cancel := context.WithCancel(context.Background())
		var ready, requests, notModified, errs atomic.Int64
		var counting atomic.Bool
		seen := make([]atomic.Int64, n) // unix nanos of the answer showing the change
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, tag, err := get(ctx, i, "", 0)
				if err != nil {
					errs.Add(1)
				}
				ready.Add(1)
				var timer *time.Timer
				if mode == "poll" {
					timer = time.NewTimer(rand.N(every)) // spread, as clients are
					defer timer.Stop()
				}
				for ctx.Err() == nil {
					code, newTag, err := 0, "", error(nil)
					if mode == "poll" {
						select {
						case <-ctx.Done():
							return
						case <-timer.C:
						}
						timer.Reset(every)
						if counting.Load() {
							requests.Add(1)
						}
						code, newTag, err = get(ctx, i, "", 0)
					} else {
						if counting.Load() {
							requests.Add(1)
						}
						code, newTag, err = get(ctx, i, tag, 60)
					}
					now := time.Now().UnixNano()
					switch {
					case ctx.Err() != nil:
						return
					case err != nil:
						errs.Add(1)
						time.Sleep(time.Second)
						continue
					case code == http.StatusNotModified:
						notModified.Add(1)
					case tag != "" && newTag != tag && counting.Load():
						seen[i].CompareAndSwap(0, now)
					}
					tag = newTag
				}
			})
		}
		for ready.Load() < int64(n) {
			time.Sleep(50 * time.Millisecond)
		}
		if mode == "poll" {
			time.Sleep(every + time.Second) // every client polled once
		} else {
			time.Sleep(2 * time.Second) // every first long-poll sent and held
		}
		errs.Store(0)
		counting.Store(true)
		cpu0 := cpuNow()
		fmt.Fprintln(out, "ready")
		out.Flush()
		if !in.Scan() || in.Text() != "stop" {
			cancel()
			return fmt.Errorf("clients: want stop, got %q", in.Text())
		}
		counting.Store(false)
		cpu := cpuNow() - cpu0
		for i := range seen {
			if at := seen[i].Load(); at != 0 {
				fmt.Fprintf(out, "seen %d %d\n", i, at)
			}
		}
		fmt.Fprintf(out, "result %d %d %d %d\n", requests.Load(), notModified.Load(), errs.Load(), int64(cpu))
		out.Flush()
		cancel()
		wg.Wait()
		hc.CloseIdleConnections()
	}
	return in.Err()
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapNow() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func rssNow() int64 { return procStatus("VmRSS") }
func hwm() int64    { return procStatus("VmHWM") }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func mib(b int64) string        { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
func kib(b int64) string        { return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10)) }
