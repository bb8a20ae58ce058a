package client

import (
	"context"
	"errors"
	"net/http"
)

// Renew starts a renewal of a registration of the account, or returns
// the running or finished renewal of the same term (POST
// registrations/{domain}/renew; this server's, not Cloudflare's). It is
// billable once the workflow succeeds. The status is completed when the
// server finished within its sync window; otherwise follow it with Wait.
// A term beyond 10 years is an *APIError with status 400 whose message
// begins with domain_max_term.
//
// Retrying Renew is safe: the term it extends is the idempotency key;
// set req.CurrentExpiresAt to make a retry after success return that
// renewal whatever the timing.
func (c *Client) Renew(ctx context.Context, domain string, req RenewRequest, opts RenewOptions) (*WorkflowStatus, error) {
	return c.lifecycleCall(ctx, domain, "renew", req, opts.Async)
}

// RenewalStatus returns the status of the domain's newest renewal (GET
// registrations/{domain}/renewal-status; this server's).
func (c *Client) RenewalStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "renewal-status")
}

// Restore starts the RGP restore of a registration in its redemption
// period (POST registrations/{domain}/restore; this server's), billed the
// registry's restore fee once it succeeds. Outside redemption it is an
// *APIError with status 409 whose message begins with not_restorable.
func (c *Client) Restore(ctx context.Context, domain string, opts RestoreOptions) (*WorkflowStatus, error) {
	return c.lifecycleCall(ctx, domain, "restore", struct{}{}, opts.Async)
}

// RestoreStatus returns the status of the domain's newest restore (GET
// registrations/{domain}/restore-status; this server's).
func (c *Client) RestoreStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "restore-status")
}

// History returns a registration's events, oldest first (GET
// registrations/{domain}/history; this server's).
func (c *Client) History(ctx context.Context, domain string) ([]RegistrationEvent, error) {
	if domain == "" {
		return nil, errors.New("client: History: empty domain")
	}
	u, err := c.endpoint("registrations", domain, "history")
	if err != nil {
		return nil, err
	}
	var evs []RegistrationEvent
	if _, err := c.call(ctx, http.MethodGet, u, nil, nil, &evs); err != nil {
		return nil, err
	}
	return evs, nil
}

// lifecycleCall POSTs body to registrations/{domain}/{path} and decodes
// the workflow status it answers with.
func (c *Client) lifecycleCall(ctx context.Context, domain, path string, body any, async bool) (*WorkflowStatus, error) {
	if domain == "" {
		return nil, errors.New("client: " + path + ": empty domain")
	}
	u, err := c.endpoint("registrations", domain, path)
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	if _, err := c.call(ctx, http.MethodPost, u, body, preferHeader(async), &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// RenewOptions shape a renewal request.
type RenewOptions struct {
	// Async asks the server to answer 202 at once (Prefer: respond-async).
	Async bool
}

// RestoreOptions shape a restore request.
type RestoreOptions struct {
	// Async asks the server to answer 202 at once (Prefer: respond-async).
	Async bool
}
