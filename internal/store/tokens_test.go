package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestTokens creates, lists, authenticates and revokes tokens on both
// databases: scopes and limits survive the round trip, another account's
// tokens are not found, a use is recorded once per granularity, a cached
// token is refused once revoked, and the last full token stays.
func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, secret, err := db.CreateAccount(ctx, "Ada", nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		owner, err := db.Authenticate(ctx, registrar.HashSecret(secret))
		if err != nil {
			t.Fatal(err)
		}
		if owner.SandboxOnly || !owner.ExpiresAt.IsZero() || registrar.AccessOf(owner.Scopes) != registrar.AccessReadWrite {
			t.Errorf("an account's first token = %+v, want read_write, both environments, no expiry", owner)
		}

		now := time.Now()
		name, access, yes, exp := "ci", registrar.AccessRead, true, now.Add(time.Hour).UTC().Format(time.RFC3339)
		made, roSecret, err := db.CreateToken(ctx, owner, registrar.TokenRequest{Name: &name, Scope: &access, SandboxOnly: &yes, ExpiresOn: &exp}, now)
		if err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		got, err := db.Token(ctx, owner, made.ID)
		if err != nil {
			t.Fatalf("Token: %v", err)
		}
		if diff := cmp.Diff(made, got); diff != "" {
			t.Errorf("Token differs from what CreateToken returned (-created +read):\n%s", diff)
		}
		p, err := db.Authenticate(ctx, registrar.HashSecret(roSecret))
		if err != nil || p.TokenID != made.ID || p.Can(registrar.ScopeWrite) || !p.SandboxOnly || !p.ExpiresAt.Equal(made.ExpiresAt) {
			t.Errorf("Authenticate(new token) = %+v, %v: want the read-only, sandbox-only token expiring %v", p, err, made.ExpiresAt)
		}

		// A use is written once per granularity, not per request.
		first, _ := db.Token(ctx, owner, made.ID)
		if first.LastUsedAt.IsZero() || time.Since(first.LastUsedAt) > time.Minute {
			t.Fatalf("last used %v after a use, want about now", first.LastUsedAt)
		}
		if _, err := db.Authenticate(ctx, registrar.HashSecret(roSecret)); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.Token(ctx, owner, made.ID); !again.LastUsedAt.Equal(first.LastUsedAt) {
			t.Errorf("last used moved from %v to %v within %v", first.LastUsedAt, again.LastUsedAt, registrar.TokenLastUsedGranularity)
		}

		other, _, err := db.CreateAccount(ctx, "Bob", nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		stranger := registrar.Principal{AccountID: other.ID, TokenID: "x", Scopes: registrar.AccessReadWrite.Scopes()}
		if _, err := db.Token(ctx, stranger, made.ID); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("Token of another account: %v, want not found", err)
		}
		if err := db.RevokeToken(ctx, stranger, made.ID, now); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("RevokeToken of another account's token: %v, want not found", err)
		}
		if ts, err := db.Tokens(ctx, stranger); err != nil || len(ts) != 1 || ts[0].AccountID != other.ID {
			t.Errorf("Tokens(Bob) = %+v, %v: want Bob's one token", ts, err)
		}

		if err := db.RevokeToken(ctx, p, owner.TokenID, now); !registrar.IsKind(err, registrar.KindForbidden) {
			t.Errorf("a read-only token revoking a full one: %v, want forbidden", err)
		}
		if err := db.RevokeToken(ctx, owner, owner.TokenID, now); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("revoking the last full token: %v, want conflict", err)
		}
		if err := db.RevokeToken(ctx, owner, made.ID, now); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
		if _, err := db.Authenticate(ctx, registrar.HashSecret(roSecret)); !registrar.IsKind(err, registrar.KindUnauthorized) {
			t.Errorf("Authenticate(revoked, was cached) = %v, want unauthorized", err)
		}
		if err := db.RevokeToken(ctx, owner, made.ID, now); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("revoking twice: %v, want not found", err)
		}
		if ts, err := db.Tokens(ctx, owner); err != nil || len(ts) != 1 || ts[0].ID != owner.TokenID || ts[0].AccountID != acct.ID {
			t.Errorf("Tokens after revoking = %+v, %v: want the first token alone", ts, err)
		}
	})
}

// TestMigrateTokens: migration 13 keeps the tokens made before it, read
// and write in both environments, never expiring, never used.
func TestMigrateTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, secret, err := db.CreateAccount(ctx, "Ada", nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`DROP INDEX tokens_account`,
			`ALTER TABLE tokens DROP COLUMN sandbox_only`, `ALTER TABLE tokens DROP COLUMN expires_at`,
			`ALTER TABLE tokens DROP COLUMN last_used_at`, `ALTER TABLE tokens DROP COLUMN revoked_at`,
			`DELETE FROM schema_migrations WHERE version = 13`,
		} {
			if err := db.ExecForTest(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := db.Authenticate(ctx, registrar.HashSecret(secret))
		if err != nil {
			t.Fatalf("Authenticate after the migration: %v", err)
		}
		ts, err := db.Tokens(ctx, p)
		if err != nil || len(ts) != 1 {
			t.Fatalf("Tokens = %+v, %v", ts, err)
		}
		want := registrar.Token{ID: p.TokenID, AccountID: acct.ID, Name: "default", Scopes: registrar.AccessReadWrite.Scopes(), CreatedAt: t0, LastUsedAt: ts[0].LastUsedAt}
		if diff := cmp.Diff(want, ts[0]); diff != "" || ts[0].LastUsedAt.IsZero() {
			t.Errorf("a token made before the migration (-want +got):\n%s (last used %v, want set by the use)", diff, ts[0].LastUsedAt)
		}
	})
}
