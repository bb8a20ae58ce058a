package cli_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// TestReconcileReport: the report lists the recorded differences, newest
// first, as a table or JSON, of one environment or both.
func TestReconcileReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(dir, "registrar.db")})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	acct, _, err := db.CreateAccount(ctx, "ada", nil, at)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		env    registrar.Env
		domain string
		diff   registrar.SyncDifference
	}{
		{registrar.EnvLive, "old.com", registrar.SyncDifference{Field: "expires_at", Ours: "2027-03-01T12:00:00Z", Registry: "2028-03-01T12:00:00Z", Action: registrar.SyncOursCorrected}},
		{registrar.EnvLive, "away.com", registrar.SyncDifference{Field: "sponsor", Ours: "us", Registry: "otherreg", Action: registrar.SyncOursCorrected}},
		{registrar.EnvSandbox, "hold.com", registrar.SyncDifference{Field: "status:serverHold", Ours: "absent", Registry: "present", Action: registrar.SyncRecorded}},
	} {
		exp := at.AddDate(1, 0, 0)
		g := &registrar.Registration{AccountID: acct.ID, Env: c.env, DomainName: c.domain, WorkflowID: "wf-" + c.domain,
			Status: registrar.RegistrationActive, CreatedAt: at, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}
		checked := at.Add(time.Duration(i) * time.Hour)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ClaimDomain(ctx, g, 1); err != nil {
				return err
			}
			_, err := tx.RecordSync(ctx, store.SyncResult{Env: c.env, Domain: c.domain, AccountID: acct.ID, WorkflowID: g.WorkflowID, Status: g.Status,
				Sync:   registrar.RegistrySync{State: registrar.SyncDiffers, CheckedAt: checked, Differences: []registrar.SyncDifference{c.diff}},
				Report: []registrar.SyncDifference{c.diff}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	code, out, errOut := run(t, "reconcile", "report", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("reconcile report = %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "WHEN") || !strings.Contains(lines[1], "hold.com") ||
		!strings.Contains(lines[2], "away.com") || !strings.Contains(lines[3], "old.com") ||
		!strings.Contains(lines[3], "2028-03-01T12:00:00Z") || !strings.Contains(lines[3], "ours_corrected") {
		t.Errorf("reconcile report printed:\n%s\nwant a header and hold.com, away.com, old.com, newest first", out)
	}

	code, out, errOut = run(t, "reconcile", "report", "--data-dir", dir, "--env", "live", "--output", "json")
	if code != 0 {
		t.Fatalf("reconcile report --output json = %d, stderr %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("reconcile report printed %q: %v", out, err)
	}
	if len(rows) != 2 || rows[0]["domain"] != "away.com" || rows[0]["field"] != "sponsor" || rows[0]["registry"] != "otherreg" ||
		rows[0]["action"] != "ours_corrected" || rows[0]["at"] != "2026-03-01T13:00:00Z" || rows[1]["domain"] != "old.com" {
		t.Errorf("reconcile report --env live --output json = %v, want away.com then old.com", rows)
	}

	if code, _, errOut := run(t, "reconcile", "report", "--data-dir", dir, "--env", "staging"); code == 0 || !strings.Contains(errOut, "--env") {
		t.Errorf("reconcile report --env staging = %d, %q; want a usage error", code, errOut)
	}
}
