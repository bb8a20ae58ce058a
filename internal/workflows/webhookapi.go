package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/webhooks"
)

var _ registrar.Webhooks = (*Engine)(nil)

// maxDescription bounds an endpoint's description, in characters.
const maxDescription = 500

// checkWebhook validates an endpoint's settings, reporting each violation
// at its pointer in the request body.
func (e *Engine) checkWebhook(w *registrar.WebhookEndpoint) error {
	var errs []registrar.FieldError
	if msg := webhooks.CheckURL(w.URL, e.cfg.WebhookAllowPrivate); msg != "" {
		errs = append(errs, registrar.FieldError{Pointer: "/url", Message: "url " + msg})
	}
	seen := map[string]bool{}
	for i, t := range w.EventTypes {
		switch {
		case !registrar.KnownEventType(t):
			errs = append(errs, registrar.FieldError{Pointer: fmt.Sprintf("/event_types/%d", i),
				Message: fmt.Sprintf("unknown event type %q; known types: %s", t, strings.Join(registrar.EventTypes(), ", "))})
		case seen[t]:
			errs = append(errs, registrar.FieldError{Pointer: fmt.Sprintf("/event_types/%d", i), Message: fmt.Sprintf("event type %q is listed twice", t)})
		}
		seen[t] = true
	}
	if utf8.RuneCountInString(w.Description) > maxDescription {
		errs = append(errs, registrar.FieldError{Pointer: "/description", Message: fmt.Sprintf("description is longer than %d characters", maxDescription)})
	}
	return registrar.InvalidFields("workflows.checkWebhook", errs)
}

// CreateWebhook implements registrar.Webhooks: the answer carries the
// secret, which no later read shows.
func (e *Engine) CreateWebhook(ctx context.Context, p registrar.Principal, env registrar.Env, w registrar.WebhookEndpoint) (registrar.WebhookEndpoint, error) {
	const op = "workflows.CreateWebhook"
	if err := e.checkWebhook(&w); err != nil {
		return w, err
	}
	now := time.Now()
	w.ID, w.AccountID, w.Env, w.Secret = registrar.NewID(), p.AccountID, env, webhooks.NewSecret()
	w.OldSecret, w.OldSecretExpires, w.FailingSince, w.CreatedAt, w.UpdatedAt = "", time.Time{}, time.Time{}, now, now
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		existing, err := e.DB.Webhooks(ctx, p.AccountID, env)
		if err != nil {
			return err
		}
		if len(existing) >= maxWebhooks {
			return registrar.Errorf(registrar.KindConflict, op, "an account may have %d webhook endpoints per environment; delete one first", maxWebhooks)
		}
		return tx.InsertWebhook(ctx, &w)
	})
	return w, err
}

// Webhooks implements registrar.Webhooks.
func (e *Engine) Webhooks(ctx context.Context, p registrar.Principal, env registrar.Env) ([]registrar.WebhookEndpoint, error) {
	return e.DB.Webhooks(ctx, p.AccountID, env)
}

// Webhook implements registrar.Webhooks.
func (e *Engine) Webhook(ctx context.Context, p registrar.Principal, env registrar.Env, id string) (w registrar.WebhookEndpoint, err error) {
	err = e.DB.InTx(ctx, func(tx *store.Tx) error { w, err = tx.Webhook(ctx, p.AccountID, env, id); return err })
	return w, err
}

// UpdateWebhook implements registrar.Webhooks. Enabling an endpoint
// forgets its failures: the disable period starts again.
func (e *Engine) UpdateWebhook(ctx context.Context, p registrar.Principal, env registrar.Env, id string, c registrar.WebhookChange) (w registrar.WebhookEndpoint, err error) {
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if w, err = tx.Webhook(ctx, p.AccountID, env, id); err != nil {
			return err
		}
		if c.URL != nil {
			w.URL = *c.URL
		}
		if c.EventTypes != nil {
			w.EventTypes = slices.Clone(*c.EventTypes)
		}
		if c.Description != nil {
			w.Description = *c.Description
		}
		if c.Enabled != nil {
			if *c.Enabled && !w.Enabled {
				w.FailingSince = time.Time{}
			}
			w.Enabled = *c.Enabled
		}
		if err := e.checkWebhook(&w); err != nil {
			return err
		}
		w.UpdatedAt = time.Now()
		return tx.UpdateWebhook(ctx, &w)
	})
	return w, err
}

// DeleteWebhook implements registrar.Webhooks: its queued deliveries are
// cancelled when they run.
func (e *Engine) DeleteWebhook(ctx context.Context, p registrar.Principal, env registrar.Env, id string) error {
	return e.DB.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteWebhook(ctx, p.AccountID, env, id) })
}

// RotateWebhookSecret implements registrar.Webhooks.
func (e *Engine) RotateWebhookSecret(ctx context.Context, p registrar.Principal, env registrar.Env, id string) (w registrar.WebhookEndpoint, err error) {
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if w, err = tx.Webhook(ctx, p.AccountID, env, id); err != nil {
			return err
		}
		now := time.Now()
		w.OldSecret, w.OldSecretExpires, w.Secret, w.UpdatedAt = w.Secret, now.Add(e.cfg.WebhookOverlap), webhooks.NewSecret(), now
		return tx.UpdateWebhook(ctx, &w)
	})
	return w, err
}

// WebhookAttempts implements registrar.Webhooks.
func (e *Engine) WebhookAttempts(ctx context.Context, p registrar.Principal, env registrar.Env, id string, limit int) ([]registrar.WebhookAttempt, error) {
	if _, err := e.Webhook(ctx, p, env, id); err != nil {
		return nil, err
	}
	return e.DB.WebhookAttempts(ctx, id, limit)
}

// Redeliver implements registrar.Webhooks: a new job for the delivery,
// whose attempts continue its log.
func (e *Engine) Redeliver(ctx context.Context, p registrar.Principal, env registrar.Env, id string, delivery int64) error {
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		w, err := tx.Webhook(ctx, p.AccountID, env, id)
		if err != nil {
			return err
		}
		if _, err := tx.WebhookDelivery(ctx, delivery, id); err != nil {
			return err
		}
		if !w.Enabled {
			return registrar.Errorf(registrar.KindConflict, "workflows.Redeliver", "webhook %s is disabled; enable it first", id)
		}
		return e.jobs.insert(ctx, tx, webhookArgs{DeliveryID: delivery}, nil)
	})
	if err == nil {
		e.jobs.wake(ctx)
	}
	return err
}

// TestWebhook implements registrar.Webhooks: the event goes through the
// feed and the dispatcher like any other, to this endpoint alone.
func (e *Engine) TestWebhook(ctx context.Context, p registrar.Principal, env registrar.Env, id string) (ev registrar.Event, err error) {
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		w, err := tx.Webhook(ctx, p.AccountID, env, id)
		if err != nil {
			return err
		}
		if !w.Enabled {
			return registrar.Errorf(registrar.KindConflict, "workflows.TestWebhook", "webhook %s is disabled; enable it first", id)
		}
		data, err := json.Marshal(testData{EndpointID: id, Message: "a test event, sent by request"})
		if err != nil {
			return err
		}
		ev = registrar.Event{AccountID: p.AccountID, Env: env, Type: registrar.EventWebhookTest, CreatedAt: e.clock(env).Now(), Data: data}
		if err := tx.InsertEvent(ctx, &ev); err != nil {
			return err
		}
		return e.jobs.insert(ctx, tx, dispatchArgs{}, nil)
	})
	if err == nil {
		e.jobs.wake(ctx)
	}
	return ev, err
}
