package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/testtools"
)

// readmeBlock is a fenced block of README.md, with the headings it is
// under.
type readmeBlock struct {
	section    string // the "## " heading
	subsection string // the "### " heading after it, or ""
	lang       string // what follows the opening ```
	lines      []string
}

// readmeBlocks returns every fenced block of README.md, in order.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks              []readmeBlock
		section, subsection string
		cur                 *readmeBlock
	)
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		case strings.HasPrefix(line, "```"):
			cur = &readmeBlock{section: section, subsection: subsection, lang: strings.TrimPrefix(line, "```")}
		case strings.HasPrefix(line, "## "):
			section, subsection = strings.TrimPrefix(line, "## "), ""
		case strings.HasPrefix(line, "### "):
			subsection = strings.TrimPrefix(line, "### ")
		}
	}
	if cur != nil {
		t.Fatalf("README.md: the ``` block under %q is not closed", section)
	}
	return blocks
}

// readmeStep is a command of a ```console block and what the README says
// it prints.
type readmeStep struct {
	command string
	code    int
	output  []string
}

var exitComment = regexp.MustCompile(`#\s*exit status (\d+)\s*$`)

// steps parses a ```console block: a line "$ COMMAND" (ending in
// "# exit status N" when it does not exit 0), then the lines it prints.
func (b readmeBlock) steps(t *testing.T) []readmeStep {
	t.Helper()
	var steps []readmeStep
	for _, line := range b.lines {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			s := readmeStep{command: cmd}
			if m := exitComment.FindStringSubmatch(cmd); m != nil {
				s.code, _ = strconv.Atoi(m[1])
			}
			steps = append(steps, s)
			continue
		}
		if len(steps) == 0 {
			t.Fatalf("README.md, %s: a console block starts with %q, not a $ command", b.section, line)
		}
		steps[len(steps)-1].output = append(steps[len(steps)-1].output, line)
	}
	return steps
}

// readmeNotRun are the (sub)sections whose console blocks
// TestREADMEWalkthrough leaves to other tests: transfers wait on the
// registry's transfer delay and on the server's next poll of the registry
// (internal/cli/transfers_test.go runs the same commands).
var readmeNotRun = map[string]bool{"Transfers from the command line": true}

var (
	tokenRE   = regexp.MustCompile(`orat_[A-Za-z0-9_-]{20,}`)
	addressRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// normalizeReadme is normalize, plus the server's address (the README's
// server listens on 127.0.0.1:8080) and API tokens.
func normalizeReadme(s string) string {
	return normalize(addressRE.ReplaceAllString(tokenRE.ReplaceAllString(s, "orat_<token>"), "127.0.0.1:8080"))
}

// TestREADMEWalkthrough follows README.md from the top, as a newcomer
// would, on one data dir and one server: it builds ./cmd/registrar as
// ./registrar in a new directory (standing for the clone), runs
// `./registrar serve` there as "Run it" says (with REGISTRAR_LISTEN set to
// a free port) and checks its banner against the README's, runs the
// commands the banner prints, then every ```console block of the README
// in order in one shell session (so that variables set in one carry over),
// checking each command's exit status and that it prints what the README
// shows, with times, IDs, tokens, addresses and durations normalized, JSON
// from curl indented, and "..." standing for any lines. The Go SDK program
// the README shows must be examples/sdkregister, which a console block
// runs. Last, it stops the server as the README says, by its PID file.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command and runs it as a child process")
	}
	t.Parallel()
	// The README's examples use curl, which a machine with Go alone may
	// lack.
	testtools.Program(t, "curl", "curl")
	blocks := readmeBlocks(t)
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build ./cmd/registrar with: %v", err)
	}
	work := t.TempDir()
	build := exec.Command(goCmd, "build", "-o", filepath.Join(work, "registrar"), "./cmd/registrar")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/registrar: %v\n%s", err, out)
	}
	// The clone's files the README's commands use besides the binary:
	// the module, for `go run ./examples/sdkregister`.
	for _, f := range []string{"go.mod", "go.sum", "examples/sdkregister/main.go"} {
		raw, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(work, f)), 0o755)
		if err := os.WriteFile(filepath.Join(work, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The environment of the commands: none of the developer's REGISTRAR_*
	// settings; the server on a free port.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRAR_") {
			env = append(env, kv)
		}
	}

	// "Run it": the server, and its banner as the README shows it.
	var banner readmeStep
	for _, b := range blocks {
		if b.section == "Run it" && b.lang == "console" {
			banner = b.steps(t)[0]
			break
		}
	}
	if banner.command != "./registrar serve" {
		t.Fatalf(`README.md's "Run it" has no console block starting "$ ./registrar serve"`)
	}
	serve := exec.Command("sh", "-c", "exec "+banner.command)
	serve.Dir, serve.Env = work, append(env, "REGISTRAR_LISTEN=127.0.0.1:0")
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serveErr strings.Builder
	serve.Stderr = &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	t.Cleanup(func() {
		serve.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			serve.Process.Kill()
		}
	})
	ready := make(chan string, 1)
	go func() {
		var out strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "registrar is serving the API at ") {
				ready <- out.String()
			}
		}
		close(ready)
	}()
	var printed string
	select {
	case b, ok := <-ready:
		if !ok {
			t.Fatalf("registrar serve ended before serving:\n%s", serveErr.String())
		}
		printed = b
	case <-time.After(time.Minute):
		t.Fatalf("registrar serve is not serving after a minute:\n%s", serveErr.String())
	}
	checkOutput(t, banner, printed)

	shellEnv := env
	if raceEnabled {
		// `go run ./examples/sdkregister` then reuses the race build of
		// the Cloudflare SDK's 130 packages that the daemon's SDK tests
		// made, instead of compiling them again beside the other tests.
		shellEnv = append(slices.Clone(env), "GOFLAGS=-race")
	}
	sh := startShell(t, work, shellEnv)
	// The banner's commands, as printed: the command line's, then the
	// variables for curl, then curl.
	var cmds []string
	cont := false
	for _, line := range strings.Split(printed, "\n") {
		switch {
		case cont:
			cmds[len(cmds)-1] += "\n" + line
		case strings.HasPrefix(line, "  ./registrar "), strings.HasPrefix(line, "  export "), strings.HasPrefix(line, "  curl "):
			cmds = append(cmds, strings.TrimSpace(line))
		}
		cont = strings.HasSuffix(line, `\`) && len(cmds) > 0
	}
	var exportLine string
	wantOut := []string{"NAME", "201 Created", "", `"state":"succeeded"`}
	if len(cmds) != len(wantOut) {
		t.Fatalf("the banner has commands %q, want check, register, export and curl", cmds)
	}
	for i, c := range cmds {
		out, code := sh.run(t, c)
		if strings.HasPrefix(c, "export ") {
			exportLine = c
		}
		if code != 0 || !strings.Contains(out, wantOut[i]) {
			t.Errorf("the banner's $ %s\nexit status %d, printed:\n%s\nwant exit 0 and %q in it", c, code, out, wantOut[i])
		}
	}

	// The README's console blocks, in order, in the same shell.
	var sdkShown bool
	for _, b := range blocks {
		if b.lang == "go" && b.subsection == "With the Cloudflare Go SDK" {
			raw, err := os.ReadFile("../../examples/sdkregister/main.go")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(b.lines, "\n") + "\n"; got != string(raw) {
				t.Errorf("the README's Go SDK program is not examples/sdkregister/main.go; the README shows:\n%s", got)
			}
			sdkShown = true
		}
		if b.lang != "console" || b.section == "Run it" || readmeNotRun[b.subsection] || readmeNotRun[b.section] {
			continue
		}
		for _, s := range b.steps(t) {
			command := s.command
			if strings.HasPrefix(command, "export REGISTRAR_API_URL=") {
				// The README shows the banner's line with example values:
				// paste the real one.
				if normalizeReadme(command) != normalizeReadme(exportLine) {
					t.Errorf("the README's\n$ %s\nis not the banner's\n%s", command, exportLine)
				}
				command = exportLine
			}
			out, code := sh.run(t, command)
			if strings.HasPrefix(command, "curl ") {
				var indented bytes.Buffer
				if json.Indent(&indented, []byte(out), "", "  ") == nil {
					out = indented.String()
				}
			}
			if code != s.code {
				t.Errorf("%s: $ %s\nexit status %d, the README says %d; it printed:\n%s", b.section, s.command, code, s.code, out)
			} else {
				checkOutput(t, s, out)
			}
		}
	}
	if !sdkShown {
		t.Error(`README.md has no go block under "### With the Cloudflare Go SDK"`)
	}
	// Nothing the walkthrough wrote landed beside the binary but the data
	// dir (the clone stays clean).
	entries, _ := os.ReadDir(work)
	for _, e := range entries {
		switch e.Name() {
		case "registrar", "registrar-data", "go.mod", "go.sum", "examples":
		default:
			t.Errorf("the walkthrough wrote %s into the clone", e.Name())
		}
	}

	// Stopping it as the README says: SIGTERM to the PID in the data dir.
	if out, code := sh.run(t, "kill $(cat registrar-data/registrar.pid)"); code != 0 {
		t.Fatalf("kill $(cat registrar-data/registrar.pid): exit status %d: %s", code, out)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("registrar serve after SIGTERM: %v, want exit status 0\n%s", err, serveErr.String())
		}
		exited <- err
	case <-time.After(30 * time.Second):
		t.Fatal("registrar serve is still running 30s after SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(work, "registrar-data", "registrar.pid")); !os.IsNotExist(err) {
		t.Errorf("registrar.pid after the server stopped: %v, want it removed", err)
	}
}

// checkOutput reports a step whose output, normalized, is not what the
// README shows.
func checkOutput(t *testing.T, s readmeStep, out string) {
	t.Helper()
	got := trimBlankEnd(strings.Split(normalizeReadme(out), "\n"))
	want := trimBlankEnd(strings.Split(normalizeReadme(strings.Join(s.output, "\n")), "\n"))
	if !matchLines(want, got) {
		t.Errorf("$ %s\nprinted (normalized):\n%s\nthe README shows (normalized):\n%s", s.command, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// shell is one sh session: the README's commands run in it one after
// another, as a reader pastes them into one terminal.
type shell struct {
	in    io.Writer
	lines chan string
	n     int
}

func startShell(t *testing.T, dir string, env []string) *shell {
	t.Helper()
	cmd := exec.Command("sh")
	cmd.Dir, cmd.Env = dir, env
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	// Its own process group, so that the cleanup ends what it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &shell{in: in, lines: make(chan string, 64)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	t.Cleanup(func() {
		in.Close()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return s
}

// run runs command in the session, its stdin empty and its stderr with
// its stdout, and returns what it printed and its exit status.
func (s *shell) run(t *testing.T, command string) (string, int) {
	t.Helper()
	s.n++
	marker := fmt.Sprintf("__readme_step_%d__", s.n)
	fmt.Fprintf(s.in, "{ %s\n} </dev/null 2>&1; printf '\\n%s %%d\\n' $?\n", command, marker)
	var out []string
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("$ %s: the shell ended; it printed:\n%s", command, strings.Join(out, "\n"))
			}
			if rest, ok := strings.CutPrefix(line, marker+" "); ok {
				code, _ := strconv.Atoi(rest)
				// printf began with a newline: after output that ended
				// with one, that is an empty line of its own.
				if n := len(out); n > 0 && out[n-1] == "" {
					out = out[:n-1]
				}
				return strings.Join(out, "\n"), code
			}
			out = append(out, line)
		case <-timeout:
			t.Fatalf("$ %s: no end after 3 minutes; it printed:\n%s", command, strings.Join(out, "\n"))
		}
	}
}

// matchLines reports whether got are the lines of want, where a line
// "..." stands for any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && want[0] == got[0] && matchLines(want[1:], got[1:])
}

func trimBlankEnd(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
