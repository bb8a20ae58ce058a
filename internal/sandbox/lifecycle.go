package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// A domain's life at the registry after its create (RFC 3915, ICANN
// ERRP): the auto-renewal at expiry or the registry's own delete (by
// Config.ExpiryModel), the client's delete into redemption, the restore,
// and the purge that frees the name. Lifecycle is evaluated lazily: every
// command's transaction first runs settleLife, a few set-based UPDATEs
// on indexed time columns (expires_at, rgp_until), so that a command sees
// the registry as it stands at the engine's clock, however far the clock
// has jumped.

// The RGP periods' defaults (RFC 3915, gTLD practice).
const (
	DefaultAddGrace       = 5 * 24 * time.Hour
	DefaultAutoRenewGrace = 45 * 24 * time.Hour
	DefaultRedemption     = 30 * 24 * time.Hour
	DefaultPendingDelete  = 5 * 24 * time.Hour
	DefaultPendingRestore = 7 * 24 * time.Hour
)

// The lifecycle scenarios, by the first label's prefix (epp.go).
const (
	scenarioRenewFail   scenario = "renewfail-"   // every renew refused
	scenarioRenewFlaky  scenario = "renewflaky-"  // the first renew answers 2400, later ones succeed
	scenarioRestoreFail scenario = "restorefail-" // every restore request refused
	scenarioRenewSlow   scenario = "renewslow-"   // commits the renew, then answers only after Delay
)

// rgp values of domains.rgp besides "": the RGP statuses the registry
// keeps (addPeriod is derived from created_at).
const (
	rgpAutoRenew      = registrar.RGPAutoRenewPeriod
	rgpRedemption     = registrar.RGPRedemption
	rgpPendingRestore = registrar.RGPPendingRestore
	rgpPendingDelete  = registrar.RGPPendingDelete
)

// periods are the engine's lifecycle settings.
type periods struct {
	model                                                               registrar.ExpiryModel
	addGrace, autoRenewGrace, redemption, pendingDelete, pendingRestore time.Duration
}

func (cfg *Config) lifecycleDefaults() error {
	switch cfg.ExpiryModel {
	case "":
		cfg.ExpiryModel = registrar.ExpiryAutoRenew
	case registrar.ExpiryAutoRenew, registrar.ExpiryDelete:
	default:
		return fmt.Errorf("sandbox: expiry model %q: want %q or %q", cfg.ExpiryModel, registrar.ExpiryAutoRenew, registrar.ExpiryDelete)
	}
	for _, p := range []struct {
		name string
		d    *time.Duration
		def  time.Duration
	}{
		{"add grace", &cfg.AddGrace, DefaultAddGrace},
		{"auto-renew grace", &cfg.AutoRenewGrace, DefaultAutoRenewGrace},
		{"redemption", &cfg.Redemption, DefaultRedemption},
		{"pending delete", &cfg.PendingDelete, DefaultPendingDelete},
		{"pending restore", &cfg.PendingRestore, DefaultPendingRestore},
	} {
		if *p.d < 0 {
			return fmt.Errorf("sandbox: negative %s period %v", p.name, *p.d)
		}
		if *p.d == 0 {
			*p.d = p.def
		}
	}
	return nil
}

func periodsOf(cfg Config) periods {
	return periods{model: cfg.ExpiryModel, addGrace: cfg.AddGrace, autoRenewGrace: cfg.AutoRenewGrace,
		redemption: cfg.Redemption, pendingDelete: cfg.PendingDelete, pendingRestore: cfg.PendingRestore}
}

// Settle brings the registry's lifecycle up to the engine's clock now, as
// every command does first: auto-renewals or expiry deletes that are due,
// the ends of grace, redemption, pendingRestore and pendingDelete periods
// (purging domains at the end of pendingDelete), and due pending creates
// and transfers. Nothing is logged.
func (e *Engine) Settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), txTimeout)
	defer cancel()
	tx, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("sandbox: settle: %w", err)
	}
	defer tx.tx.Rollback()
	now := e.now()
	for _, step := range []func(context.Context, *txn, time.Time) error{e.settle, e.settleTransfers, e.settleLife} {
		if err := step(ctx, tx, now); err != nil {
			return fmt.Errorf("sandbox: settle: %w", err)
		}
	}
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("sandbox: settle: %w", err)
	}
	return nil
}

// settleLife applies the lifecycle events due at now. When none is due it
// costs one query on the two indexes.
func (e *Engine) settleLife(ctx context.Context, tx *txn, now time.Time) error {
	n := now.UnixMicro()
	var due bool
	if err := tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM domains WHERE expires_at <= ? AND deleted_at IS NULL)
			OR EXISTS (SELECT 1 FROM domains WHERE rgp_until <= ?)`, n, n).Scan(&due); err != nil {
		return err
	}
	if !due {
		return nil
	}
	p := e.life
	// Expiry. Under the autorenew model the registry renews for a year
	// (as often as the clock has passed expiries) and shows
	// autoRenewPeriod until the last old expiry plus the grace. Under the
	// delete model it deletes the domain itself at expiry plus the grace.
	switch p.model {
	case registrar.ExpiryAutoRenew:
		type row struct {
			name string
			exp  int64
		}
		var rows []row
		r, err := tx.QueryContext(ctx, `SELECT name, expires_at FROM domains
			WHERE expires_at <= ? AND deleted_at IS NULL AND pending_until IS NULL ORDER BY name`, n)
		if err != nil {
			return err
		}
		for r.Next() {
			var x row
			if err := r.Scan(&x.name, &x.exp); err != nil {
				r.Close()
				return err
			}
			rows = append(rows, x)
		}
		if err := closeRows(r); err != nil {
			return err
		}
		for _, x := range rows {
			old := time.UnixMicro(x.exp).UTC()
			exp := old.AddDate(1, 0, 0)
			for !exp.After(now) {
				old, exp = exp, exp.AddDate(1, 0, 0)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE domains SET expires_at = ?, rgp = ?, rgp_until = ?, updated_at = ? WHERE name = ?`,
				exp.UnixMicro(), rgpAutoRenew, old.Add(p.autoRenewGrace).UnixMicro(), old.UnixMicro(), x.name); err != nil {
				return err
			}
		}
	case registrar.ExpiryDelete:
		grace := p.autoRenewGrace.Microseconds()
		if _, err := tx.ExecContext(ctx, `UPDATE domains
			SET deleted_at = expires_at + ?, rgp = ?, rgp_until = expires_at + ?, updated_at = expires_at + ?
			WHERE expires_at <= ? AND deleted_at IS NULL AND pending_until IS NULL`,
			grace, rgpRedemption, grace+p.redemption.Microseconds(), grace, n-grace); err != nil {
			return err
		}
	}
	// The RGP periods' ends, in the order a domain passes them.
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE domains SET rgp = '', rgp_until = NULL WHERE rgp_until <= ? AND rgp = ?`, []any{n, rgpAutoRenew}},
		// No report within pendingRestore: back to redemption, for what
		// is left of it.
		{`UPDATE domains SET rgp = ?, rgp_until = CASE WHEN deleted_at + ? > rgp_until THEN deleted_at + ? ELSE rgp_until END
			WHERE rgp_until <= ? AND rgp = ?`,
			[]any{rgpRedemption, p.redemption.Microseconds(), p.redemption.Microseconds(), n, rgpPendingRestore}},
		{`UPDATE domains SET rgp = ?, rgp_until = rgp_until + ? WHERE rgp_until <= ? AND rgp = ?`,
			[]any{rgpPendingDelete, p.pendingDelete.Microseconds(), n, rgpRedemption}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return err
		}
	}
	return purge(ctx, tx, `rgp_until <= ? AND rgp = ?`, n, rgpPendingDelete)
}

// purge deletes the domains matching where (a condition on domains) with
// what hangs on them: statuses, contact and name server links, transfers
// and their poll messages, subordinate hosts no other domain uses. Their
// contacts stay.
func purge(ctx context.Context, tx *txn, where string, args ...any) error {
	sel := `SELECT name FROM domains WHERE ` + where
	for _, q := range []string{
		`DELETE FROM messages WHERE domain IN (` + sel + `)`,
		`DELETE FROM transfers WHERE domain IN (` + sel + `)`,
		`DELETE FROM domain_statuses WHERE domain IN (` + sel + `)`,
		`DELETE FROM domain_contacts WHERE domain IN (` + sel + `)`,
		`DELETE FROM domain_ns WHERE domain IN (` + sel + `)`,
		`DELETE FROM domain_ds WHERE domain IN (` + sel + `)`,
		// Subordinate hosts: a delete with some is refused (2305), so
		// only Alter's purge meets them; their links go with them.
		`DELETE FROM domain_ns WHERE host IN (SELECT name FROM hosts WHERE superordinate IN (` + sel + `))`,
		`DELETE FROM hosts WHERE superordinate IN (` + sel + `)`,
		`DELETE FROM domains WHERE ` + where,
	} {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// deleted reports whether the domain has been deleted and awaits its
// purge (redemptionPeriod, pendingRestore, pendingDelete).
func (d *domain) deleted() bool { return d.deletedAt != nil }

// rgpStatuses returns the domain's RGP statuses at now.
func (d *domain) rgpStatuses(now time.Time, p periods) []string {
	var out []string
	if !d.deleted() && now.Before(d.createdAt.Add(p.addGrace)) {
		out = append(out, registrar.RGPAddPeriod)
	}
	if d.rgp != "" {
		out = append(out, d.rgp)
	}
	return out
}

// DeleteDomain deletes a domain (RFC 5731 section 3.2.2) for its sponsor.
// Within the add grace period of its create it is purged at once (1000);
// otherwise it enters redemption (1001, EPP status pendingDelete), and is
// purged after the redemption and pendingDelete periods unless restored.
// Under the autorenew model a delete within the auto-renew grace period
// takes back the auto-renewal's year.
func (e *Engine) DeleteDomain(ctx context.Context, clientID, clTRID, name string) (Response, error) {
	name = normalizeName(name)
	c := &command{name: "delete", clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	return e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		switch {
		case d.sponsor != clientID:
			return 0, fail(CodeAuthorization, "")
		case d.deleted():
			return 0, fail(CodeStatusProhibits, "pendingDelete")
		case d.pending:
			return 0, fail(CodeStatusProhibits, "pendingCreate")
		case d.pendingTransfer:
			return 0, fail(CodeStatusProhibits, "pendingTransfer")
		case d.has("clientDeleteProhibited"):
			return 0, fail(CodeStatusProhibits, "clientDeleteProhibited")
		case d.has("serverDeleteProhibited"):
			return 0, fail(CodeStatusProhibits, "serverDeleteProhibited")
		}
		var hosts int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hosts WHERE superordinate = ?`, name).Scan(&hosts); err != nil {
			return 0, err
		}
		if hosts > 0 {
			return 0, failf(CodeAssociation, "%d subordinate hosts", hosts)
		}
		if now.Before(d.createdAt.Add(e.life.addGrace)) {
			return CodeOK, purge(ctx, tx, `name = ?`, name)
		}
		exp := d.expiresAt
		if d.rgp == rgpAutoRenew {
			exp = exp.AddDate(-1, 0, 0) // the auto-renewal is credited
		}
		if _, err := tx.ExecContext(ctx, `UPDATE domains SET expires_at = ?, deleted_at = ?, rgp = ?, rgp_until = ?, updated_at = ? WHERE name = ?`,
			exp.UnixMicro(), now.UnixMicro(), rgpRedemption, now.Add(e.life.redemption).UnixMicro(), now.UnixMicro(), name); err != nil {
			return 0, err
		}
		return CodePending, nil
	})
}

// Restore operations (RFC 3915 section 4.2.5).
const (
	RestoreRequest = "request"
	RestoreReport  = "report"
)

// RestoreCommand is an RGP restore: a request during redemptionPeriod,
// then a report while pendingRestore. The report's content is not kept.
type RestoreCommand struct {
	Name string
	Op   string // RestoreRequest or RestoreReport
}

// Restore runs an RGP restore for the domain's sponsor and returns its
// RGP statuses after it (rgp:upData). A request outside redemptionPeriod
// and a report without a pending restore are 2304; a restorefail- name
// refuses every request (2304).
func (e *Engine) Restore(ctx context.Context, clientID, clTRID string, req RestoreCommand) ([]string, Response, error) {
	name := normalizeName(req.Name)
	c := &command{name: "restore:" + req.Op, clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name, extensions: "rgp"}
	var out []string
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		if d.sponsor != clientID {
			return 0, fail(CodeAuthorization, "")
		}
		switch req.Op {
		case RestoreRequest:
			switch {
			case d.rgp != rgpRedemption:
				return 0, fail(CodeStatusProhibits, "not in redemptionPeriod")
			case scenarioOf(name) == scenarioRestoreFail:
				return 0, fail(CodeStatusProhibits, "restorefail- scenario: restores refused")
			}
			d.rgp = rgpPendingRestore
			_, err = tx.ExecContext(ctx, `UPDATE domains SET rgp = ?, rgp_until = ?, updated_at = ? WHERE name = ?`,
				d.rgp, now.Add(e.life.pendingRestore).UnixMicro(), now.UnixMicro(), name)
		case RestoreReport:
			if d.rgp != rgpPendingRestore {
				return 0, fail(CodeStatusProhibits, "no restore pending")
			}
			d.rgp, d.deletedAt = "", nil
			_, err = tx.ExecContext(ctx, `UPDATE domains SET rgp = '', rgp_until = NULL, deleted_at = NULL, updated_at = ? WHERE name = ?`,
				now.UnixMicro(), name)
		default:
			return 0, failf(CodeSyntaxError, "restore op %q", req.Op)
		}
		if err != nil {
			return 0, err
		}
		out = d.rgpStatuses(now, e.life)
		return CodeOK, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Alteration is a change made to a domain at the registry behind its
// sponsor's back (Alter): what a registry operator, a court order or
// another registrar's transfer does. Zero fields change nothing.
type Alteration struct {
	// ExpiresAt, when set, replaces the expiry.
	ExpiresAt time.Time
	// AddStatuses and RemoveStatuses are EPP statuses to set and clear,
	// client or server ones (serverHold, clientTransferProhibited...).
	AddStatuses, RemoveStatuses []string
	// Sponsor, when set, makes another client ID the sponsor, as after a
	// transfer away.
	Sponsor string
	// Purge deletes the domain outright, as at the end of pendingDelete.
	Purge bool
}

// Alter changes the domain called name as a registry operator would,
// without its sponsor (reconciliation tests and users, `registrar
// sandbox alter`), logged as the command "alter" of client ID "registry".
func (e *Engine) Alter(ctx context.Context, name string, a Alteration) error {
	name = normalizeName(name)
	c := &command{name: "alter", clientID: "registry", names: []string{name}, domain: name}
	_, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		if _, err := loadDomain(ctx, tx, name); err != nil {
			return 0, err
		}
		if a.Purge {
			return CodeOK, purge(ctx, tx, `name = ?`, name)
		}
		for _, s := range append(slices.Clone(a.AddStatuses), a.RemoveStatuses...) {
			if !clientStatuses[s] && !serverStatuses[s] || s == "ok" || strings.HasPrefix(s, "pending") || s == "inactive" {
				return 0, failf(CodeSyntaxError, "status %q cannot be altered", s)
			}
		}
		for _, s := range a.RemoveStatuses {
			if _, err := tx.ExecContext(ctx, `DELETE FROM domain_statuses WHERE domain = ? AND status = ?`, name, s); err != nil {
				return 0, err
			}
		}
		for _, s := range a.AddStatuses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO domain_statuses (domain, status) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, s); err != nil {
				return 0, err
			}
		}
		if !a.ExpiresAt.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE domains SET expires_at = ? WHERE name = ?`, a.ExpiresAt.UTC().UnixMicro(), name); err != nil {
				return 0, err
			}
		}
		if a.Sponsor != "" {
			if !validID(a.Sponsor) {
				return 0, failf(CodeSyntaxError, "invalid client ID %q", a.Sponsor)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE domains SET sponsor = ? WHERE name = ?`, a.Sponsor, name); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE hosts SET sponsor = ? WHERE superordinate = ?`, a.Sponsor, name); err != nil {
				return 0, err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE domains SET updated_at = ? WHERE name = ?`, now.UnixMicro(), name)
		return CodeOK, err
	})
	return err
}

// renewScenario applies the renew scenarios of name: renewfail- refuses
// every renew; renewflaky- answers the first renew of the domain 2400
// (counted in the domain's row by c.keep, which stays when the command
// fails).
func renewScenario(ctx context.Context, tx *txn, c *command, name string) error {
	switch scenarioOf(name) {
	case scenarioRenewFail:
		return fail(CodeNotEligibleForRenewal, "renewfail- scenario: renewals refused")
	case scenarioRenewFlaky:
		var n int
		err := tx.QueryRowContext(ctx, `SELECT renew_attempts FROM domains WHERE name = ?`, name).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		c.keep = func(ctx context.Context, tx *txn) error {
			_, err := tx.ExecContext(ctx, `UPDATE domains SET renew_attempts = renew_attempts + 1 WHERE name = ?`, name)
			return err
		}
		if n == 0 {
			return fail(CodeCommandFailed, "renewflaky- scenario: the first renew fails")
		}
	}
	return nil
}
