package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Signed webhooks (this server's extension: Cloudflare's Registrar API has
// none). Deliveries are signed as Standard Webhooks 1.0 specifies; verify
// them with the specification's libraries and the endpoint's Secret.

// Webhook is a webhook endpoint of the account in the client's
// environment.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// EventTypes are the types delivered; empty: every type.
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	// Secret ("whsec_..." ) is in the answer of CreateWebhook only.
	Secret string `json:"secret,omitempty"`
	// PreviousSecretExpires, during a rotation's overlap, is until when
	// the previous secret signs deliveries too.
	PreviousSecretExpires *time.Time `json:"previous_secret_expires,omitempty"`
	// FailingSince is the first failed attempt since the last success.
	FailingSince *time.Time `json:"failing_since,omitempty"`
	CreatedOn    time.Time  `json:"created_on"`
	ModifiedOn   time.Time  `json:"modified_on"`
}

// WebhookRequest creates an endpoint (CreateWebhook) or changes one
// (UpdateWebhook, where nil members are kept).
type WebhookRequest struct {
	URL         *string   `json:"url,omitempty"`
	EventTypes  *[]string `json:"event_types,omitempty"`
	Description *string   `json:"description,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// WebhookSecret is the answer of RotateWebhookSecret: the new secret, and
// until when the previous one signs too.
type WebhookSecret struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Expires time.Time `json:"expires"`
}

// WebhookAttempt is an entry of an endpoint's delivery log.
type WebhookAttempt struct {
	DeliveryID int64  `json:"delivery_id"`
	EventID    int64  `json:"event_id"`
	EventType  string `json:"event_type"`
	Attempt    int    `json:"attempt"`
	// StatusCode is the receiver's answer; 0 when none came.
	StatusCode int       `json:"status_code"`
	LatencyMS  int64     `json:"latency_ms"`
	Error      string    `json:"error"`
	At         time.Time `json:"at"`
}

// WebhookTest is the event TestWebhook queued.
type WebhookTest struct {
	EventID   int64     `json:"event_id"`
	Type      string    `json:"type"`
	CreatedOn time.Time `json:"created_on"`
}

var errNoWebhookID = errors.New("client: empty webhook ID")

// CreateWebhook creates an endpoint (POST webhooks); the answer carries
// its signing secret, shown only here.
func (c *Client) CreateWebhook(ctx context.Context, req WebhookRequest) (*Webhook, error) {
	var w Webhook
	if err := c.webhookCall(ctx, http.MethodPost, req, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// Webhooks lists the endpoints (GET webhooks).
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var ws []Webhook
	return ws, c.webhookCall(ctx, http.MethodGet, nil, &ws)
}

// Webhook returns an endpoint (GET webhooks/{id}).
func (c *Client) Webhook(ctx context.Context, id string) (*Webhook, error) {
	var w Webhook
	if err := c.webhookCall(ctx, http.MethodGet, nil, &w, id); err != nil {
		return nil, err
	}
	return &w, nil
}

// UpdateWebhook changes an endpoint (PATCH webhooks/{id}).
func (c *Client) UpdateWebhook(ctx context.Context, id string, req WebhookRequest) (*Webhook, error) {
	var w Webhook
	if err := c.webhookCall(ctx, http.MethodPatch, req, &w, id); err != nil {
		return nil, err
	}
	return &w, nil
}

// DeleteWebhook deletes an endpoint (DELETE webhooks/{id}).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.webhookCall(ctx, http.MethodDelete, nil, nil, id)
}

// RotateWebhookSecret makes a new signing secret (POST
// webhooks/{id}/rotate); the previous one signs too until Expires.
func (c *Client) RotateWebhookSecret(ctx context.Context, id string) (*WebhookSecret, error) {
	var s WebhookSecret
	if err := c.webhookCall(ctx, http.MethodPost, nil, &s, id, "rotate"); err != nil {
		return nil, err
	}
	return &s, nil
}

// TestWebhook queues a webhook.test event for the endpoint alone (POST
// webhooks/{id}/test); its delivery shows in WebhookDeliveries.
func (c *Client) TestWebhook(ctx context.Context, id string) (*WebhookTest, error) {
	var t WebhookTest
	if err := c.webhookCall(ctx, http.MethodPost, nil, &t, id, "test"); err != nil {
		return nil, err
	}
	return &t, nil
}

// WebhookDeliveries is the endpoint's delivery log, newest first (GET
// webhooks/{id}/deliveries).
func (c *Client) WebhookDeliveries(ctx context.Context, id string) ([]WebhookAttempt, error) {
	var as []WebhookAttempt
	return as, c.webhookCall(ctx, http.MethodGet, nil, &as, id, "deliveries")
}

// Redeliver sends a delivery again (POST
// webhooks/{id}/deliveries/{delivery}/redeliver).
func (c *Client) Redeliver(ctx context.Context, id string, delivery int64) error {
	return c.webhookCall(ctx, http.MethodPost, nil, nil, id, "deliveries", strconv.FormatInt(delivery, 10), "redeliver")
}

// webhookCall calls webhooks/{path...}; a first path segment is the
// endpoint's ID and must not be empty.
func (c *Client) webhookCall(ctx context.Context, method string, body, out any, path ...string) error {
	if len(path) > 0 && path[0] == "" {
		return errNoWebhookID
	}
	u, err := c.endpoint(append([]string{"webhooks"}, path...)...)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, method, u, body, nil, out)
	return err
}
