package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestMigrateContextKeys: migration 5 gives the action_required workflows
// an older version stored the context keys of Cloudflare's reference,
// with the address masked; other contexts stay as they are.
func TestMigrateContextKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		old := newWorkflow(acct.ID, "verify-old.com", t0)
		old.State, old.Step = registrar.StateActionRequired, "verify_email"
		old.Context = []byte(`{"domain_name":"verify-old.com","action":"verify_registrant_email","confirmation_sent_to":"verify.ada@example.com","action_expires_at":"2026-12-11T12:00:00Z"}`)
		other := newWorkflow(acct.ID, "pending-old.com", t0)
		other.Context = []byte(`{"domain_name":"pending-old.com","waiting_on":"registry","blocked_reason":"the registry is reviewing the registration"}`)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWorkflow(ctx, old); err != nil {
				return err
			}
			return tx.InsertWorkflow(ctx, other)
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, `DELETE FROM schema_migrations WHERE version = 5`); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			wf   *registrar.Workflow
			want map[string]any
		}{
			{old, map[string]any{"domain_name": "verify-old.com", "action": "registrant_email_confirmation_pending",
				"confirmation_sent_to": "v***@example.com", "action_expires_at": "2026-12-11T12:00:00Z"}},
			{other, map[string]any{"domain_name": "pending-old.com", "waiting_on": "registry", "blocked_reason": "the registry is reviewing the registration"}},
		} {
			got, err := db.Workflow(ctx, acct.ID, c.wf.ID)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(got.Context, &m); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, m); diff != "" {
				t.Errorf("context of %s after migration (-want +got):\n%s", c.wf.Domain, diff)
			}
		}
	})
}
