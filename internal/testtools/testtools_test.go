package testtools_test

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/testtools"
)

// recorder is a testing.TB that records how a helper stopped the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on its own goroutine, as the testing
// package runs a test, and reports whether f returned normally.
func run(t *testing.T, f func(testing.TB)) (r *recorder, returned bool) {
	r = &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
		returned = true
	}()
	<-done
	return r, returned
}

func TestMissingTool(t *testing.T) {
	missing := errors.New(`exec: "xmllint": executable file not found in $PATH`)
	for _, tc := range []struct {
		env                     string
		wantSkipped, wantFailed bool
	}{
		{env: "", wantSkipped: true},
		{env: "0", wantSkipped: true},
		{env: "1", wantFailed: true},
		{env: "true", wantFailed: true},
		{env: "yes please", wantFailed: true}, // not a boolean: fails rather than skip
	} {
		t.Run("env="+tc.env, func(t *testing.T) {
			t.Setenv(testtools.EnvRequire, tc.env)
			r, returned := run(t, func(tb testing.TB) { testtools.Require(tb, "xmllint", "libxml2-utils", missing) })
			if returned {
				t.Fatal("Require returned for a missing tool")
			}
			if got := r.skipped != ""; got != tc.wantSkipped {
				t.Errorf("skipped = %q, want skipped %v", r.skipped, tc.wantSkipped)
			}
			if got := r.failed != ""; got != tc.wantFailed {
				t.Errorf("failed = %q, want failed %v", r.failed, tc.wantFailed)
			}
			msg := r.skipped + r.failed
			if strings.Contains(msg, "\n") {
				t.Errorf("message %q is more than one line", msg)
			}
			want := "libxml2-utils"
			if tc.env == "yes please" {
				want = testtools.EnvRequire
			}
			if !strings.Contains(msg, want) {
				t.Errorf("message %q does not name %s", msg, want)
			}
		})
	}
}

func TestPresentTool(t *testing.T) {
	for _, env := range []string{"", "1"} {
		t.Run("env="+env, func(t *testing.T) {
			t.Setenv(testtools.EnvRequire, env)
			r, returned := run(t, func(tb testing.TB) { testtools.Require(tb, "xmllint", "libxml2-utils", nil) })
			if !returned || r.skipped != "" || r.failed != "" {
				t.Errorf("Require(nil) stopped the test: returned %v, skipped %q, failed %q", returned, r.skipped, r.failed)
			}
		})
	}
}

func TestProgram(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // an empty directory: nothing is found
	for _, tc := range []struct {
		env        string
		wantFailed bool
	}{
		{env: ""},
		{env: "1", wantFailed: true},
	} {
		t.Run("env="+tc.env, func(t *testing.T) {
			t.Setenv(testtools.EnvRequire, tc.env)
			r, returned := run(t, func(tb testing.TB) { testtools.Program(tb, "no-such-tool", "no-such-package") })
			if returned {
				t.Fatal("Program returned for a program not on PATH")
			}
			msg := r.skipped + r.failed
			if (r.failed != "") != tc.wantFailed || !strings.Contains(msg, "no-such-package") || !strings.Contains(msg, "no-such-tool") {
				t.Errorf("skipped %q, failed %q; want failed %v and a line naming the program and package", r.skipped, r.failed, tc.wantFailed)
			}
		})
	}
	t.Run("found", func(t *testing.T) {
		// go test puts its own go on PATH; here PATH is the empty
		// directory, so write a program into one.
		dir := t.TempDir()
		t.Setenv("PATH", dir)
		if runtime.GOOS == "windows" {
			t.Skip("the fake program is a shell script")
		}
		prog := dir + "/fake-tool"
		if err := writeExecutable(prog); err != nil {
			t.Fatal(err)
		}
		r, returned := run(t, func(tb testing.TB) {
			if got := testtools.Program(tb, "fake-tool", "fake-package"); got != prog {
				t.Errorf("Program = %q, want %q", got, prog)
			}
		})
		if !returned || r.skipped != "" || r.failed != "" {
			t.Errorf("Program stopped the test: skipped %q, failed %q", r.skipped, r.failed)
		}
	})
}

func writeExecutable(path string) error {
	return os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755)
}
