package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// These tests run the real `registrar serve` binary as a child process,
// kill or stop it, and start it again on the same data dir.

// TestCrashRecovery posts batches of registrations, SIGKILLs the server
// while their creates are in flight, restarts it, and checks that every
// registration ends up succeeded with exactly one create at the registry.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the registrar binary as a child process and SIGKILLs it")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		h := newHarness(t, bin, b,
			"--sandbox-delay", "1s", "--job-timeout", "3s", "--rescue-after", "5s",
			"--poll-interval", "200ms", "--rate-limit", "-1",
			"--max-in-flight", "1000") // a killed round's registrations stay in flight until rescued
		const rounds, perRound = 4, 10

		var names []string                // every domain posted, in order
		created := map[string]time.Time{} // workflow created_at of each domain
		p := h.start()
		for round := 1; round <= rounds; round++ {
			if round > 1 {
				p = h.start()
				h.checkIdempotent(p, pick(names, 3), created)
			}
			batch := make([]string, perRound)
			for i := range batch {
				batch[i] = fmt.Sprintf("crash-r%d-n%d.com", round, i)
				if i%2 == 0 {
					batch[i] = "slow-" + batch[i]
				}
			}
			for i, r := range h.postAll(p, batch) {
				st, err := checkPosted(r, batch[i], http.StatusAccepted)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				created[batch[i]] = st.CreatedAt
			}
			names = append(names, batch...)
			pause := rand.N(1500 * time.Millisecond)
			time.Sleep(pause)
			p.kill()
			t.Logf("round %d: posted %d registrations, killed the server %v later", round, len(batch), pause.Round(time.Millisecond))
		}

		killed := time.Now()
		p = h.start()
		restarted := time.Now()
		h.checkIdempotent(p, pick(names, 3), created)

		// Every registration must succeed once River rescues the jobs of
		// the killed processes (after --rescue-after plus its rescuer's
		// interval).
		pending := slices.Clone(names)
		deadline := restarted.Add(90 * time.Second)
		for len(pending) > 0 {
			var still []string
			for _, n := range pending {
				st, err := h.getStatus(p, n)
				if err != nil {
					t.Fatalf("registration-status of %s: %v", n, err)
				}
				switch st.State {
				case registrar.StateSucceeded:
				case registrar.StateFailed:
					t.Errorf("registration of %s failed: %+v", n, st.Error)
				default:
					still = append(still, n)
				}
			}
			pending = still
			if len(pending) == 0 || t.Failed() {
				break
			}
			if time.Now().After(deadline) {
				states := map[string]registrar.State{}
				for _, n := range pending {
					if st, err := h.getStatus(p, n); err == nil {
						states[n] = st.State
					}
				}
				t.Fatalf("%d of %d registrations not succeeded 90s after the last restart: %v", len(pending), len(names), states)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if t.Failed() {
			t.FailNow()
		}
		t.Logf("recovery: all %d registrations succeeded %v after the last restart (%v after the last kill)",
			len(names), time.Since(restarted).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

		// A repeated POST after success still finds the same workflow.
		h.checkIdempotent(p, pick(names, 3), created)

		// Exactly one create per domain reached the registry.
		creates, infos := h.creates(), h.commands("info")
		t.Logf("sandbox log: %d domains were reconciled with an info after a crash", len(infos))
		for _, n := range names {
			if creates[n] != 1 {
				t.Errorf("sandbox log has %d creates of %s, want 1", creates[n], n)
			}
			delete(creates, n)
		}
		for n, c := range creates {
			t.Errorf("sandbox log has %d creates of %s, which was never posted", c, n)
		}

		// The list shows every domain once, active.
		listed := map[string]int{}
		for _, g := range h.list(p) {
			listed[g.DomainName]++
			if g.Status != registrar.RegistrationActive {
				t.Errorf("listed registration %s has status %q, want %q", g.DomainName, g.Status, registrar.RegistrationActive)
			}
		}
		for _, n := range names {
			if listed[n] != 1 {
				t.Errorf("GET registrations lists %s %d times, want once", n, listed[n])
			}
			delete(listed, n)
		}
		for n, c := range listed {
			t.Errorf("GET registrations lists %s (%d times), which was never posted", n, c)
		}
	})
}

// TestGracefulShutdown sends SIGTERM while a synchronous POST is held in
// its sync window, and checks that the request still gets its answer, the
// process exits 0, and the registration completes once after a restart.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the registrar binary as a child process and signals it")
	}
	t.Parallel()
	bin := buildRegistrar(t)
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		h := newHarness(t, bin, b,
			"--sync-wait", "5s", "--sandbox-delay", "1500ms", "--job-timeout", "3s", "--rescue-after", "5s",
			"--poll-interval", "200ms", "--rate-limit", "-1")
		const domain = "slow-graceful.com"
		p := h.start()

		type result struct {
			r   *response
			err error
		}
		posted := make(chan result, 1)
		go func() {
			r, err := h.call("POST", h.base(p)+"/registrations", map[string]any{"domain_name": domain})
			posted <- result{r, err}
		}()

		// Once the workflow exists, the POST is in its sync window.
		deadline := time.Now().Add(15 * time.Second)
		for {
			r, err := h.call("GET", h.base(p)+"/registrations/"+domain+"/registration-status", nil)
			if err == nil && r.Status == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("registration-status of %s never answered 200; last: %v", domain, describe(r, err))
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("SIGTERM: %v", err)
		}
		termed := time.Now()

		select {
		case res := <-posted:
			if res.err != nil {
				t.Fatalf("in-flight POST during graceful shutdown: %v", res.err)
			}
			if res.r.Status != http.StatusCreated && res.r.Status != http.StatusAccepted {
				t.Fatalf("in-flight POST during graceful shutdown = %d %s, want 201 or 202", res.r.Status, res.r.Body)
			}
			st, err := checkPosted(res.r, domain, res.r.Status)
			if err != nil {
				t.Fatalf("in-flight POST during graceful shutdown: %v", err)
			}
			if res.r.Status == http.StatusCreated && st.State != registrar.StateSucceeded {
				t.Errorf("in-flight POST answered 201 with state %q, want succeeded", st.State)
			}
			if res.r.Status == http.StatusAccepted && st.Completed {
				t.Errorf("in-flight POST answered 202 with a completed workflow (state %q)", st.State)
			}
			t.Logf("in-flight POST answered %d (state %s) %v after SIGTERM", res.r.Status, st.State, time.Since(termed).Round(time.Millisecond))
		case <-time.After(30 * time.Second):
			t.Fatalf("in-flight POST got no answer within 30s of SIGTERM")
		}

		if !p.waitExit(45 * time.Second) {
			t.Fatalf("server still running 45s after SIGTERM")
		}
		if p.err != nil || p.cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("server exited with %v (code %d) after SIGTERM, want status 0", p.err, p.cmd.ProcessState.ExitCode())
		}
		t.Logf("server exited %v after SIGTERM", time.Since(termed).Round(time.Millisecond))
		if conn, err := net.DialTimeout("tcp", p.addr, 2*time.Second); err == nil {
			conn.Close()
			t.Errorf("a new connection to %s succeeded after the server exited", p.addr)
		} else if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial %s after exit = %v, want connection refused", p.addr, err)
		}

		p = h.start()
		restarted := time.Now()
		st, err := h.waitStatus(p, domain, 90*time.Second, func(st status) bool { return st.Completed })
		if err != nil {
			t.Fatal(err)
		}
		if st.State != registrar.StateSucceeded {
			t.Fatalf("after restart, registration of %s ended %q (%+v), want succeeded", domain, st.State, st.Error)
		}
		t.Logf("after restart, %s is succeeded (seen %v after the restart)", domain, time.Since(restarted).Round(time.Millisecond))
		if n := h.creates()[domain]; n != 1 {
			t.Errorf("sandbox log has %d creates of %s, want 1", n, domain)
		}
	})
}

// buildRegistrar builds ./cmd/registrar into the test's temporary
// directory, once per top-level test (its subtests share it), with the go
// command on PATH.
func buildRegistrar(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH (go test puts its own there): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "registrar")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", bin, "./cmd/registrar")
	cmd.Dir = filepath.Join("..", "..") // the module root, from internal/daemon
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/registrar: %v\n%s", err, out)
	}
	return bin
}

// harness runs registrar serve processes, one at a time, on one data dir
// and database, and talks to them over HTTP as the first-start account.
type harness struct {
	t       *testing.T
	bin     string
	dataDir string
	dbURL   string
	flags   []string
	logDir  string
	client  *http.Client

	account, token string
	// replica: other processes serve the same database, so a first start
	// prints the banner only if it created the account.
	replica bool
	starts  int
	logs    []string // stderr files, one per start
}

func newHarness(t *testing.T, bin string, b storetest.Backend, flags ...string) *harness {
	t.Helper()
	h := &harness{
		t: t, bin: bin, dataDir: t.TempDir(), flags: flags, logDir: keptLogDir(t),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
	}
	// Registered first, so it runs last: after every child is killed.
	t.Cleanup(func() {
		h.client.CloseIdleConnections()
		if !t.Failed() {
			return
		}
		for _, path := range h.logs {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Logf("%s: %v", filepath.Base(path), err)
				continue
			}
			const max = 64 << 10
			if len(data) > max {
				data = append([]byte("[...]\n"), data[len(data)-max:]...)
			}
			t.Logf("stderr of server start %s:\n%s", filepath.Base(path), data)
		}
	})
	if b == storetest.Postgres {
		h.dbURL = storetest.NewPostgresDatabase(t)
	}
	return h
}

// keptLogDir is where a harness writes its servers' stderr: a directory
// under $REGISTRAR_TEST_KEEP_LOGS that outlives the test when that is set
// (to read whole logs after a failure), else a temporary one.
func keptLogDir(t *testing.T) string {
	root := os.Getenv("REGISTRAR_TEST_KEEP_LOGS")
	if root == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(root, strings.ReplaceAll(t.Name(), "/", "_")+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server logs kept in %s", dir)
	return dir
}

// proc is one registrar serve process.
type proc struct {
	cmd    *exec.Cmd
	addr   string
	stdout *syncBuffer
	stderr string
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, set before done is closed
}

var errPortTaken = errors.New("port taken")

// start starts a server on the data dir and waits until it is healthy. On
// the first start it reads the account and token from its stdout.
func (h *harness) start() *proc {
	h.t.Helper()
	for attempt := 1; ; attempt++ {
		p, err := h.tryStart()
		if err == nil {
			return p
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			h.t.Fatalf("start registrar serve: %v", err)
		}
	}
}

func (h *harness) tryStart() (*proc, error) {
	t := h.t
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	h.starts++
	p := &proc{
		addr:   "127.0.0.1:" + strconv.Itoa(port),
		stdout: &syncBuffer{},
		stderr: filepath.Join(h.logDir, fmt.Sprintf("start-%02d.log", h.starts)),
		done:   make(chan struct{}),
	}
	errFile, err := os.Create(p.stderr)
	if err != nil {
		return nil, err
	}
	h.logs = append(h.logs, p.stderr)
	args := []string{"serve", "--listen", p.addr, "--data-dir", h.dataDir, "--log-level", "debug"}
	if h.dbURL != "" {
		args = append(args, "--database", h.dbURL)
	}
	args = append(args, h.flags...)
	p.cmd = exec.Command(h.bin, args...)
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = errFile
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		errFile.Close()
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		errFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			p.cmd.Process.Kill()
		}
		if !p.waitExit(30 * time.Second) {
			t.Errorf("server pid %d did not exit within 30s of SIGKILL", p.cmd.Process.Pid)
		}
	})

	deadline := time.Now().Add(60 * time.Second)
	for {
		if p.exited() {
			data, _ := os.ReadFile(p.stderr)
			if bytes.Contains(data, []byte("address already in use")) {
				return nil, fmt.Errorf("%w: %s", errPortTaken, p.addr)
			}
			return nil, fmt.Errorf("server exited before it was healthy: %v\nstdout:\n%s\nstderr:\n%s", p.err, p.stdout, data)
		}
		if r, err := h.client.Get("http://" + p.addr + "/healthz"); err == nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			p.kill()
			return nil, fmt.Errorf("GET /healthz on %s not 200 within 60s", p.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The ready line follows the first-start banner.
	for !strings.Contains(p.stdout.String(), "registrar is serving the API at ") {
		if time.Now().After(deadline) || p.exited() {
			return nil, fmt.Errorf("no ready line on stdout:\n%s", p.stdout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := p.stdout.String()
	if !strings.Contains(out, "registrar is serving the API at http://"+p.addr+"/client/v4/") {
		t.Errorf("ready line does not name http://%s/client/v4/:\n%s", p.addr, out)
	}
	if h.account == "" {
		acct := regexp.MustCompile(`account ID: (\S+)`).FindStringSubmatch(out)
		tok := regexp.MustCompile(`API token:\s+(\S+)`).FindStringSubmatch(out)
		if h.replica && acct == nil && !strings.Contains(out, "API token:") {
			return p, nil // another replica created the account
		}
		if acct == nil || tok == nil {
			return nil, fmt.Errorf("no account ID and API token on the first start's stdout:\n%s", out)
		}
		h.account, h.token = acct[1], tok[1]
	} else if strings.Contains(out, "API token:") {
		t.Errorf("restart %d on the same data dir printed a new first-start banner:\n%s", h.starts, out)
	}
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits up to limit for the process to exit.
func (p *proc) waitExit(limit time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(limit):
		return false
	}
}

// kill SIGKILLs the process and waits for it to exit.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.waitExit(30 * time.Second)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// base returns the live registrar endpoints of the account on p.
func (h *harness) base(p *proc) string { return envBase(h, p, "registrar") }

// call sends an authenticated request and decodes the envelope. It is safe
// from any goroutine.
func (h *harness) call(method, url string, body any, header ...string) (*response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	r := &response{Status: res.StatusCode, Header: res.Header}
	if r.Body, err = io.ReadAll(res.Body); err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, url, err)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		return nil, fmt.Errorf("%s %s = %d with Content-Type %q: %s", method, url, r.Status, res.Header.Get("Content-Type"), r.Body)
	}
	if err := json.Unmarshal(r.Body, &r.Env); err != nil {
		return nil, fmt.Errorf("%s %s: decode %s: %w", method, url, r.Body, err)
	}
	return r, nil
}

func describe(r *response, err error) string {
	if err != nil {
		return err.Error()
	}
	if r == nil {
		return "no response"
	}
	return fmt.Sprintf("%d %s", r.Status, r.Body)
}

// postAll POSTs live registrations of names concurrently with Prefer:
// respond-async and returns the responses in order; it fails the test on
// a transport error.
func (h *harness) postAll(p *proc, names []string) []*response {
	h.t.Helper()
	return postEnv(h, p, "registrar", names)
}

// checkPosted checks the answer to a POST of domain: the wanted status,
// a successful envelope and a live workflow for that domain.
func checkPosted(r *response, domain string, want int) (status, error) {
	var st status
	if r.Status != want || !r.Env.Success {
		return st, fmt.Errorf("POST %s = %d %s, want %d and success", domain, r.Status, r.Body, want)
	}
	if err := json.Unmarshal(r.Env.Result, &st); err != nil {
		return st, fmt.Errorf("POST %s: decode status %s: %v", domain, r.Body, err)
	}
	if st.Context.DomainName != domain || st.CreatedAt.IsZero() || !strings.HasSuffix(st.Links.Self, "/registrations/"+domain+"/registration-status") {
		return st, fmt.Errorf("POST %s answered a status for another workflow: %s", domain, r.Body)
	}
	if st.State == registrar.StateFailed {
		return st, fmt.Errorf("POST %s: workflow failed: %s", domain, r.Body)
	}
	return st, nil
}

// checkIdempotent re-POSTs names and checks that each answer is the
// workflow of the first POST (same created_at), not a new one.
func (h *harness) checkIdempotent(p *proc, names []string, created map[string]time.Time) {
	h.t.Helper()
	for i, r := range h.postAll(p, names) {
		n := names[i]
		// A repeat is answered as one: 200 once the workflow has
		// completed, 202 while it runs, with message 1101.
		want := http.StatusAccepted
		if r.Status == http.StatusOK {
			want = http.StatusOK
		}
		st, err := checkPosted(r, n, want)
		if err != nil {
			h.t.Errorf("re-POST after a restart: %v", err)
			continue
		}
		if st.Completed != (want == http.StatusOK) || !strings.Contains(string(r.Body), `"messages":[{"code":1101,`) {
			h.t.Errorf("re-POST of %s after a restart = %d %s, want 200 when completed, 202 when not, with message 1101", n, r.Status, r.Body)
		}
		// The store keeps microseconds; the first POST's answer may carry
		// nanoseconds.
		if want := created[n].Truncate(time.Microsecond); !st.CreatedAt.Truncate(time.Microsecond).Equal(want) {
			h.t.Errorf("re-POST of %s after a restart answered a workflow created at %v, want the first one, created at %v", n, st.CreatedAt, want)
		}
	}
}

func (h *harness) getStatus(p *proc, domain string) (status, error) {
	var st status
	r, err := h.call("GET", h.base(p)+"/registrations/"+domain+"/registration-status", nil)
	if err != nil {
		return st, err
	}
	if r.Status != http.StatusOK {
		return st, fmt.Errorf("GET registration-status of %s = %d %s", domain, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Env.Result, &st); err != nil {
		return st, fmt.Errorf("decode status %s: %v", r.Body, err)
	}
	return st, nil
}

// waitStatus polls domain's registration status until want holds, for at
// most limit.
func (h *harness) waitStatus(p *proc, domain string, limit time.Duration, want func(status) bool) (status, error) {
	deadline := time.Now().Add(limit)
	for {
		st, err := h.getStatus(p, domain)
		if err != nil {
			return st, err
		}
		if want(st) {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("registration of %s still %q after %v", domain, st.State, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// list returns every registration of the account, following the cursor.
func (h *harness) list(p *proc) []registrar.Registration {
	h.t.Helper()
	var all []registrar.Registration
	cursor := ""
	for page := 0; ; page++ {
		if page == 50 {
			h.t.Fatalf("GET registrations: more than 50 pages")
		}
		url := h.base(p) + "/registrations?per_page=" + strconv.Itoa(registrar.MaxPerPage)
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		r, err := h.call("GET", url, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		if r.Status != http.StatusOK || r.Env.ResultInfo == nil {
			h.t.Fatalf("GET registrations = %d %s", r.Status, r.Body)
		}
		var items []registrar.Registration
		if err := json.Unmarshal(r.Env.Result, &items); err != nil {
			h.t.Fatalf("decode registrations %s: %v", r.Body, err)
		}
		all = append(all, items...)
		if cursor = r.Env.ResultInfo.Cursor; cursor == "" {
			return all
		}
	}
}

// creates counts the create commands in the demo registry's log (the
// live API's registry in demo mode), by domain.
func (h *harness) creates() map[string]int {
	h.t.Helper()
	return h.commands("create")
}

// commands counts the commands named command in the demo registry's log,
// by domain.
func (h *harness) commands(command string) map[string]int {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log, err := daemon.ReadBuiltinLog(ctx, h.dataDir, h.dbURL, true)
	if err != nil {
		h.t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range log {
		if e.Command == command {
			n[e.Domain]++
		}
	}
	return n
}

// pick returns up to k distinct names chosen at random.
func pick(names []string, k int) []string {
	out := slices.Clone(names)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(k, len(out))]
}

// syncBuffer is a bytes.Buffer safe for a writer and readers in other
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
