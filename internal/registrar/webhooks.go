package registrar

import (
	"context"
	"slices"
	"time"
)

// Signed webhooks (issue 16, ours: Cloudflare's Registrar API has none):
// an account registers HTTPS endpoints per environment, and every event of
// its feed (Event) that an endpoint subscribes to is POSTed to it, signed
// as Standard Webhooks 1.0 specifies.

// EventTypes returns the event types an endpoint may subscribe to, in the
// order docs/API.md lists them.
func EventTypes() []string {
	return []string{
		EventWorkflowChanged, EventRegistrationChanged, EventReconciliationDrift,
		EventTransferOutRequested, EventWebhookDisabled, EventWebhookTest,
	}
}

// KnownEventType reports whether t is one of EventTypes.
func KnownEventType(t string) bool { return slices.Contains(EventTypes(), t) }

// WebhookEndpoint is where an account's events are delivered.
type WebhookEndpoint struct {
	ID        string
	AccountID string
	Env       Env
	URL       string
	// EventTypes are the types delivered; empty: every type.
	EventTypes  []string
	Description string
	Enabled     bool
	// Secret signs deliveries ("whsec_" and base64). OldSecret, until
	// OldSecretExpires, signs them too: the overlap of a rotation.
	Secret           string
	OldSecret        string
	OldSecretExpires time.Time
	// FailingSince is the first failed attempt since the last success
	// (zero: none); an endpoint failing for the disable period is
	// disabled.
	FailingSince time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Wants reports whether the endpoint takes an event: it is enabled and
// subscribed to the event's type (a webhook.test event goes only to the
// endpoint it names).
func (w *WebhookEndpoint) Wants(e *Event, testEndpoint string) bool {
	if !w.Enabled || w.AccountID != e.AccountID || w.Env != e.Env {
		return false
	}
	if e.Type == EventWebhookTest {
		return testEndpoint == w.ID
	}
	return len(w.EventTypes) == 0 || slices.Contains(w.EventTypes, e.Type)
}

// Secrets returns the secrets that sign a delivery at now: the current
// one, and the previous one during a rotation's overlap.
func (w *WebhookEndpoint) Secrets(now time.Time) []string {
	s := []string{w.Secret}
	if w.OldSecret != "" && now.Before(w.OldSecretExpires) {
		s = append(s, w.OldSecret)
	}
	return s
}

// WebhookAttempt is one attempt at delivering an event to an endpoint:
// an entry of the endpoint's delivery log.
type WebhookAttempt struct {
	// DeliveryID names the delivery (the event to the endpoint) that
	// redeliver sends again.
	DeliveryID int64
	EventID    int64
	EventType  string
	Attempt    int
	// StatusCode is the receiver's answer; 0 when none came.
	StatusCode int
	Latency    time.Duration
	Error      string
	At         time.Time
}

// WebhookChange is a PATCH of an endpoint: nil fields are kept.
type WebhookChange struct {
	URL         *string
	EventTypes  *[]string
	Description *string
	Enabled     *bool
}

// Webhooks manages an account's webhook endpoints. Every method is scoped
// to the account and environment: another account's endpoint is not found.
type Webhooks interface {
	CreateWebhook(ctx context.Context, p Principal, env Env, w WebhookEndpoint) (WebhookEndpoint, error)
	Webhooks(ctx context.Context, p Principal, env Env) ([]WebhookEndpoint, error)
	Webhook(ctx context.Context, p Principal, env Env, id string) (WebhookEndpoint, error)
	UpdateWebhook(ctx context.Context, p Principal, env Env, id string, c WebhookChange) (WebhookEndpoint, error)
	DeleteWebhook(ctx context.Context, p Principal, env Env, id string) error
	// RotateWebhookSecret makes a new secret; the old one keeps signing
	// until the returned endpoint's OldSecretExpires.
	RotateWebhookSecret(ctx context.Context, p Principal, env Env, id string) (WebhookEndpoint, error)
	// WebhookAttempts is the endpoint's delivery log, newest first.
	WebhookAttempts(ctx context.Context, p Principal, env Env, id string, limit int) ([]WebhookAttempt, error)
	// Redeliver sends a delivery of the endpoint again.
	Redeliver(ctx context.Context, p Principal, env Env, id string, delivery int64) error
	// TestWebhook records a webhook.test event for the endpoint alone and
	// returns it.
	TestWebhook(ctx context.Context, p Principal, env Env, id string) (Event, error)
}
