package store

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// PublicRegistration returns the live registration of domain, whoever
// holds it, and when it last changed (its status's start, or its
// creation), for RDAP. Sandbox registrations are never public, so env is
// not a parameter.
func (db *DB) PublicRegistration(ctx context.Context, domain string) (*registrar.Registration, time.Time, error) {
	var since *int64
	g, err := scanRegistration(db.read.queryRow(ctx, `SELECT `+registrationColumns+`, status_since FROM registrations WHERE env = $1 AND domain = $2`,
		registrar.EnvLive, domain), &since)
	if err != nil {
		return nil, time.Time{}, notFound("store.PublicRegistration", "registration of "+domain, err)
	}
	changed := g.CreatedAt
	if since != nil && fromMicros(*since).After(changed) {
		changed = fromMicros(*since)
	}
	return g, changed, nil
}
