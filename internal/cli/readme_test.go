package cli_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeStep is a command of the README's walkthrough and what the
// README says it prints.
type readmeStep struct {
	command string
	code    int
	output  []string
}

var exitComment = regexp.MustCompile(`#\s*exit status (\d+)\s*$`)

// readmeWalkthrough returns the steps of the first ```console block of
// README.md's section named section: a line "$ COMMAND" (ending in
// "# exit status N" when it does not exit 0), then the lines it prints.
func readmeWalkthrough(t *testing.T, section string) []readmeStep {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(raw), "\n## "+section+"\n")
	if !ok {
		t.Fatalf(`README.md has no "## %s" section`, section)
	}
	_, block, ok := strings.Cut(text, "\n```console\n")
	if !ok {
		t.Fatalf("the %s section of README.md has no ```console block", section)
	}
	block, _, _ = strings.Cut(block, "\n```\n")
	var steps []readmeStep
	for _, line := range strings.Split(block, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			s := readmeStep{command: cmd}
			if m := exitComment.FindStringSubmatch(cmd); m != nil {
				s.code, _ = strconv.Atoi(m[1])
			}
			steps = append(steps, s)
			continue
		}
		if len(steps) == 0 {
			t.Fatalf("the walkthrough starts with %q, not a $ command", line)
		}
		steps[len(steps)-1].output = append(steps[len(steps)-1].output, line)
	}
	return steps
}

// TestREADMEWalkthrough runs the command-line walkthrough of README.md as
// written, then those of "The life of a domain" and "Pointing a domain at
// its name servers" on the same server: it builds ./cmd/registrar as ./registrar in a new directory,
// runs `./registrar serve` there on a free port (the README runs it with
// its defaults in another terminal), then runs each $ line of the block
// with sh in that directory and checks its exit status and that it
// prints what the README shows, with times, IDs and durations normalized
// and "..." standing for any lines.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command and runs it as a child process")
	}
	t.Parallel()
	steps := readmeWalkthrough(t, "Command line")
	if len(steps) < 10 {
		t.Fatalf("the README walkthrough has %d commands; the parser must be wrong", len(steps))
	}
	life := readmeWalkthrough(t, "The life of a domain")
	if len(life) < 10 {
		t.Fatalf("the README's life of a domain has %d commands; the parser must be wrong", len(life))
	}
	steps = append(steps, life...)
	dns := readmeWalkthrough(t, "Pointing a domain at its name servers")
	if len(dns) < 5 {
		t.Fatalf("the README's name server walkthrough has %d commands; the parser must be wrong", len(dns))
	}
	steps = append(steps, dns...)
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
	// The environment of the commands: none of the developer's REGISTRAR_*
	// settings, and the server's data dir.
	dataDir := filepath.Join(work, "registrar-data")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRAR_") {
			env = append(env, kv)
		}
	}
	env = append(env, "REGISTRAR_DATA_DIR="+dataDir)

	serve := exec.Command("./registrar", "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox-delay", "1s", "--log-level", "warn")
	serve.Dir, serve.Env = work, env
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serveErr strings.Builder
	serve.Stderr = &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- serve.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			serve.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		var banner strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			banner.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "registrar is serving the API at ") {
				ready <- banner.String()
			}
		}
		close(ready)
	}()
	var banner string
	select {
	case b, ok := <-ready:
		if !ok {
			t.Fatalf("registrar serve ended before serving:\n%s", serveErr.String())
		}
		banner = b
	case <-time.After(time.Minute):
		t.Fatalf("registrar serve is not serving after a minute:\n%s", serveErr.String())
	}
	if !strings.Contains(banner, filepath.Join(dataDir, "cli.json")) {
		t.Errorf("the first start's banner does not name %s:\n%s", filepath.Join(dataDir, "cli.json"), banner)
	}

	for _, s := range steps {
		cmd := exec.Command("sh", "-c", s.command)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("$ %s: %v", s.command, err)
		}
		got := trimBlankEnd(strings.Split(normalize(string(out)), "\n"))
		want := trimBlankEnd(strings.Split(normalize(strings.Join(s.output, "\n")), "\n"))
		if code != s.code {
			t.Errorf("$ %s\nexit status %d, the README says %d; it printed:\n%s", s.command, code, s.code, out)
		} else if !matchLines(want, got) {
			t.Errorf("$ %s\nprinted (normalized):\n%s\nthe README shows (normalized):\n%s", s.command, strings.Join(got, "\n"), strings.Join(want, "\n"))
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
