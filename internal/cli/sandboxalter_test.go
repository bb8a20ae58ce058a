package cli_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/sandbox"
)

// TestSandboxAlter drives `registrar sandbox alter` on a data dir's
// built-in registry and reads the result back from the engine.
func TestSandboxAlter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *sandbox.Engine {
		e, err := sandbox.Open(daemon.SandboxPath(dir), sandbox.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	if _, _, err := e.ContactCreate(ctx, "openregistrar", "CON-1", sandbox.Contact{ID: "alter-reg", Email: "ada@example.com", AuthInfo: "Auth-contact-9x",
		PostalInfo: []sandbox.PostalInfo{{Type: "int", Name: "Ada Lovelace", City: "London", CC: "GB"}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateDomain(ctx, "openregistrar", "CRE-1", sandbox.DomainCreate{Name: "alter-me.com", Years: 1,
		AuthInfo: "Auth-alter-9x", Registrant: "alter-reg"}); err != nil {
		t.Fatal(err)
	}
	e.Close()

	if code, _, errOut := run(t, "sandbox", "alter", "alter-me.com", "--data-dir", dir); code == 0 || !strings.Contains(errOut, "needs a change") {
		t.Errorf("alter without a change = %d, stderr %q; want a usage error", code, errOut)
	}
	code, out, errOut := run(t, "sandbox", "alter", "alter-me.com", "--data-dir", dir, "--expires", "2030-01-02",
		"--add-status", "serverHold", "--add-status", "clientTransferProhibited", "--sponsor", "elsewhere")
	if code != 0 || !strings.Contains(out, "altered") {
		t.Fatalf("sandbox alter = %d, stdout %q, stderr %q", code, out, errOut)
	}
	e = open()
	d, _, err := e.DomainInfo(ctx, "elsewhere", "", "alter-me.com", "")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	if !d.ExpiresAt.Equal(want) || d.Sponsor != "elsewhere" || !slices.Equal(d.Statuses, []string{"clientTransferProhibited", "serverHold"}) {
		t.Errorf("after alter: expires %v, sponsor %q, statuses %q; want %v, elsewhere, clientTransferProhibited and serverHold",
			d.ExpiresAt, d.Sponsor, d.Statuses, want)
	}
	e.Close()

	if code, _, errOut := run(t, "sandbox", "alter", "alter-me.com", "--data-dir", dir, "--purge"); code != 0 {
		t.Fatalf("sandbox alter --purge = %d, stderr %q", code, errOut)
	}
	e = open()
	defer e.Close()
	if _, _, err := e.DomainInfo(ctx, "elsewhere", "", "alter-me.com", ""); err == nil {
		t.Error("info after --purge = nil, want 2303")
	}
	log, err := e.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range log {
		if l.Command == "alter" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d alter entries in the log, want 2", n)
	}
}
