package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestWebhooks: endpoints are scoped to their account and environment, a
// delivery is recorded once per event and endpoint, the dispatcher's
// cursor only moves from where its reader found it, and attempts number
// themselves.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		now := time.Now().UTC().Truncate(time.Microsecond)
		ep := registrar.WebhookEndpoint{ID: registrar.NewID(), AccountID: "acct1", Env: registrar.EnvSandbox, URL: "https://hooks.example.com/",
			EventTypes: []string{registrar.EventWebhookTest, registrar.EventRegistrationChanged}, Enabled: true, Secret: "whsec_AAAA",
			CreatedAt: now, UpdatedAt: now}
		var ev registrar.Event
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWebhook(ctx, &ep); err != nil {
				return err
			}
			ev = registrar.Event{AccountID: "acct1", Env: registrar.EnvSandbox, Type: registrar.EventRegistrationChanged, CreatedAt: now, Data: json.RawMessage(`{}`)}
			return tx.InsertEvent(ctx, &ev)
		})
		if err != nil {
			t.Fatal(err)
		}

		if got, err := db.Webhooks(ctx, "acct1", registrar.EnvSandbox); err != nil || len(got) != 1 || got[0].URL != ep.URL || len(got[0].EventTypes) != 2 || !got[0].Enabled || got[0].Secret != ep.Secret {
			t.Errorf("Webhooks = %+v, %v; want the endpoint as stored", got, err)
		}
		for _, scope := range []struct {
			account string
			env     registrar.Env
		}{{"acct2", registrar.EnvSandbox}, {"acct1", registrar.EnvLive}} {
			if got, _ := db.Webhooks(ctx, scope.account, scope.env); len(got) != 0 {
				t.Errorf("Webhooks(%s, %s) = %d endpoints, want none", scope.account, scope.env, len(got))
			}
			err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Webhook(ctx, scope.account, scope.env, ep.ID); return err })
			if !registrar.IsKind(err, registrar.KindNotFound) {
				t.Errorf("Webhook(%s, %s) = %v, want not found", scope.account, scope.env, err)
			}
		}

		var delivery int64
		from, err := db.WebhookCursor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if from >= ev.ID {
				t.Errorf("cursor %d, want it before event %d (set at migration, before any event)", from, ev.ID)
			}
			id, ok, err := tx.InsertWebhookDelivery(ctx, ep.ID, &ev, now)
			if err != nil || !ok {
				t.Fatalf("InsertWebhookDelivery = %d, %v, %v", id, ok, err)
			}
			delivery = id
			if _, ok, err := tx.InsertWebhookDelivery(ctx, ep.ID, &ev, now); err != nil || ok {
				t.Errorf("second InsertWebhookDelivery = %v, %v; want a no-op", ok, err)
			}
			if moved, err := tx.AdvanceWebhookCursor(ctx, from+1000, ev.ID); err != nil || moved {
				t.Errorf("AdvanceWebhookCursor from a stale position = %v, %v; want not moved", moved, err)
			}
			if moved, err := tx.AdvanceWebhookCursor(ctx, from, ev.ID); err != nil || !moved {
				t.Errorf("AdvanceWebhookCursor = %v, %v; want moved", moved, err)
			}
			for i, status := range []int{500, 200} {
				a := registrar.WebhookAttempt{DeliveryID: id, StatusCode: status, Latency: 1500 * time.Microsecond, At: now}
				if err := tx.RecordWebhookAttempt(ctx, &a); err != nil || a.Attempt != i+1 {
					t.Errorf("RecordWebhookAttempt = attempt %d, %v; want %d", a.Attempt, err, i+1)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		log, err := db.WebhookAttempts(ctx, ep.ID, 10)
		if err != nil || len(log) != 2 || log[0].Attempt != 2 || log[0].StatusCode != 200 || log[1].StatusCode != 500 || log[0].EventID != ev.ID ||
			log[0].DeliveryID != delivery || log[0].Latency != 1500*time.Microsecond || !log[0].At.Equal(now) {
			t.Errorf("WebhookAttempts = %+v, %v; want attempts 2 (200) and 1 (500), newest first", log, err)
		}

		// Deleting the endpoint deletes its deliveries and their log.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteWebhook(ctx, "acct1", registrar.EnvSandbox, ep.ID) }); err != nil {
			t.Fatal(err)
		}
		if log, err := db.WebhookAttempts(ctx, ep.ID, 10); err != nil || len(log) != 0 {
			t.Errorf("WebhookAttempts after delete = %d, %v; want none", len(log), err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.WebhookDelivery(ctx, delivery, ""); return err })
		if !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("WebhookDelivery after delete = %v, want not found", err)
		}
	})
}
