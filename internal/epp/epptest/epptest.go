// Package epptest validates EPP frames against the protocol's XML schemas
// (RFC 5730-5734 and the extensions we use) with xmllint, for tests. The
// schemas are kept in xsd/, copied from the IETF/IANA registry versions
// (see xsd/README.md).
package epptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/testtools"
)

// SchemaPath returns the driver schema that imports every other one:
// $REGISTRAR_EPP_XSD when set, else xsd/all.xsd beside this file.
func SchemaPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("REGISTRAR_EPP_XSD"); p != "" {
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("epptest: cannot locate the schemas")
	}
	return filepath.Join(filepath.Dir(file), "xsd", "all.xsd")
}

// ValidateFiles checks XML files against the EPP schemas and fails the
// test for each one that does not validate. Without xmllint (Debian's
// libxml2-utils) the test skips, or fails under
// REGISTRAR_TEST_REQUIRE_TOOLS=1 (see testtools).
func ValidateFiles(t testing.TB, files []string, describe func(file string) string) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	xmllint := testtools.Program(t, "xmllint", "libxml2-utils")
	out, err := exec.Command(xmllint, append([]string{"--noout", "--schema", SchemaPath(t)}, files...)...).CombinedOutput()
	if err == nil {
		return
	}
	failed := 0
	for _, line := range strings.Split(string(out), "\n") {
		if f, ok := strings.CutSuffix(line, " fails to validate"); ok {
			failed++
			detail := ""
			if describe != nil {
				detail = describe(f)
			}
			t.Errorf("%s does not validate against the EPP schemas: %s", f, detail)
		}
	}
	if failed == 0 {
		t.Errorf("xmllint failed: %v\n%s", err, out)
	} else {
		t.Logf("xmllint output:\n%s", out)
	}
}

// Frames collects frames (from a client's or a server's trace hook) and
// validates them all at once.
type Frames struct {
	mu     sync.Mutex
	frames [][]byte
	labels []string
}

// Add records a frame; label says where it came from.
func (f *Frames) Add(label string, frame []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frames = append(f.frames, append([]byte(nil), frame...))
	f.labels = append(f.labels, label)
}

// Len returns how many frames were recorded.
func (f *Frames) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.frames)
}

// Validate writes every recorded frame to a temporary file and validates
// them against the schemas.
func (f *Frames) Validate(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := t.TempDir()
	files := make([]string, len(f.frames))
	label := map[string]string{}
	for i, b := range f.frames {
		files[i] = filepath.Join(dir, fmt.Sprintf("frame-%04d.xml", i))
		if err := os.WriteFile(files[i], b, 0o600); err != nil {
			t.Fatal(err)
		}
		label[files[i]] = f.labels[i] + ":\n" + string(b)
	}
	ValidateFiles(t, files, func(file string) string { return label[file] })
}
