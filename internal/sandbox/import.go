package sandbox

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ImportedDomain is a domain ImportDomains puts in the registry as if it
// had been created long ago.
type ImportedDomain struct {
	Name      string
	Sponsor   string // the sponsoring registrar's client ID
	AuthInfo  string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Statuses are its client statuses, such as clientTransferProhibited.
	Statuses []string
}

// importBatch is how many domains one INSERT carries (11 parameters
// each, well under SQLite's limit), and one transaction commits.
const importBatch = 500

// ImportDomains bulk-loads domains for benchmarks and tests: batched
// INSERTs, one transaction per batch, no command log and no EPP. A name
// that exists fails its batch.
func (e *Engine) ImportDomains(ctx context.Context, domains []ImportedDomain) error {
	for len(domains) > 0 {
		n := min(importBatch, len(domains))
		if err := e.importBatch(ctx, domains[:n]); err != nil {
			return err
		}
		domains = domains[n:]
	}
	return nil
}

func (e *Engine) importBatch(ctx context.Context, batch []ImportedDomain) error {
	tx, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("sandbox: import: %w", err)
	}
	defer tx.tx.Rollback()
	now := e.now().UnixMicro()
	var q strings.Builder
	q.WriteString(`INSERT INTO domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at, create_cltrid, create_svtrid) VALUES `)
	args := make([]any, 0, 7*len(batch))
	var statuses []any
	for i, d := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`(?, ?, ?, '{}', '{}', ?, ?, ?, 'import', 'import')`)
		args = append(args, d.Name, d.Sponsor, d.AuthInfo, d.CreatedAt.UnixMicro(), d.ExpiresAt.UnixMicro(), now)
		for _, s := range d.Statuses {
			statuses = append(statuses, d.Name, s)
		}
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("sandbox: import: %w", err)
	}
	for len(statuses) > 0 {
		n := min(2*importBatch, len(statuses))
		values := strings.TrimSuffix(strings.Repeat("(?, ?), ", n/2), ", ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO domain_statuses (domain, status) VALUES `+values, statuses[:n]...); err != nil {
			return fmt.Errorf("sandbox: import: %w", err)
		}
		statuses = statuses[n:]
	}
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("sandbox: import: %w", err)
	}
	return nil
}
