// Package testtools decides what a test does when an external tool it
// needs (xmllint, perl with Net::EPP, a PostgreSQL server) is missing.
//
// By default the test skips with one line naming the Debian package to
// install, so that `go test ./...` passes on a machine with Go alone. With
// REGISTRAR_TEST_REQUIRE_TOOLS=1 (set by .ci/run) the test fails instead,
// so CI never passes by silently skipping.
package testtools

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// EnvRequire names the variable that turns a missing tool into a failure.
const EnvRequire = "REGISTRAR_TEST_REQUIRE_TOOLS"

// Required reports whether a missing tool fails the test rather than
// skipping it. A value of EnvRequire that is not a boolean fails the test:
// a typo must not turn CI's failures back into skips.
func Required(t testing.TB) bool {
	t.Helper()
	v := os.Getenv(EnvRequire)
	if v == "" {
		return false
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		t.Fatalf("%s=%q: want 1 or 0", EnvRequire, v)
	}
	return on
}

// Require stops the test when err, the reason what is unusable, is not
// nil: it skips, naming the Debian package pkg that provides it, or fails
// when Required. It returns only when err is nil.
func Require(t testing.TB, what, pkg string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s unavailable (%v): install Debian package %s", what, err, pkg)
	if Required(t) {
		t.Fatalf("%s (%s is set, so a missing tool fails the test)", msg, EnvRequire)
	}
	t.Skip(msg)
}

// Program returns the path of the program name, found on PATH, or stops
// the test as Require does, naming the Debian package pkg.
func Program(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	Require(t, name, pkg, err)
	return path
}
