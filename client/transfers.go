package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// maxTransferCheckDomains is the most names one TransferCheck takes.
const maxTransferCheckDomains = 10

// TransferCheck asks the registries, now, whether each of 1 to 10 domains
// held elsewhere can be transferred in, and at what price (POST
// domain-transfer-check). The answers are keyed by domain name as sent.
// A name's AuthCode, when given, is checked too; without one the
// registry's other answers still count.
func (c *Client) TransferCheck(ctx context.Context, names ...TransferCheckName) (map[string]TransferCheckResult, error) {
	if len(names) == 0 || len(names) > maxTransferCheckDomains {
		return nil, fmt.Errorf("client: TransferCheck takes 1 to %d domains, not %d", maxTransferCheckDomains, len(names))
	}
	u, err := c.endpoint("domain-transfer-check")
	if err != nil {
		return nil, err
	}
	body := struct {
		Domains []TransferCheckName `json:"domains"`
	}{names}
	var res struct {
		Domains map[string]TransferCheckResult `json:"domains"`
	}
	if _, err := c.call(ctx, http.MethodPost, u, body, nil, &res); err != nil {
		return nil, err
	}
	return res.Domains, nil
}

// TransferIn starts the transfer of domain, held at another registrar,
// into the account, or returns the account's running transfer of it (POST
// registrations/{domain}/transfer-in). The server answers after its sync
// window, or at once with opts.Async; follow the status with Wait, which
// polls slowly while the losing registrar decides (up to the registry's
// five days). It is billable once the workflow succeeds.
//
// Retrying TransferIn is safe: the domain name is the idempotency key.
func (c *Client) TransferIn(ctx context.Context, domain string, req TransferInRequest, opts TransferInOptions) (*WorkflowStatus, error) {
	if domain == "" {
		return nil, errors.New("client: TransferIn: empty domain")
	}
	u, err := c.endpoint("registrations", domain, "transfer-in")
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	res, err := c.call(ctx, http.MethodPost, u, req, preferHeader(opts.Async), &st)
	if err != nil {
		return nil, err
	}
	st.noteMessages(res.Messages)
	return &st, nil
}

// TransferInStatus returns the status of the domain's newest transfer in
// (GET registrations/{domain}/transfer-in-status).
func (c *Client) TransferInStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "transfer-in-status")
}

// CancelTransferIn cancels the domain's running transfer in at the
// registry (DELETE registrations/{domain}/transfer-in; this server's, not
// Cloudflare's) and returns its status, failed with
// WorkflowErrTransferCancelled. An *APIError with status 409 says no
// transfer runs.
func (c *Client) CancelTransferIn(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.transferCall(ctx, http.MethodDelete, domain, "transfer-in")
}

// TransferOutStatus returns the status of the domain's newest transfer
// out: another registrar's request for a domain the account holds (GET
// registrations/{domain}/transfer-out-status; this server's). While the
// account decides it is blocked on the losing registrar (BlockedBy
// BlockedByLosingRegistrar) until Context.TransferActBy, when the
// registry approves it.
func (c *Client) TransferOutStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "transfer-out-status")
}

// ApproveTransferOut lets the domain go to the registrar that asked for
// it (POST registrations/{domain}/transfer-out/approve; this server's).
// Once the workflow succeeds the registration leaves the account.
func (c *Client) ApproveTransferOut(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.transferCall(ctx, http.MethodPost, domain, "transfer-out", "approve")
}

// RejectTransferOut refuses another registrar's request for the domain
// (POST registrations/{domain}/transfer-out/reject; this server's): the
// workflow fails with WorkflowErrTransferRejected and the registration
// stays.
func (c *Client) RejectTransferOut(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.transferCall(ctx, http.MethodPost, domain, "transfer-out", "reject")
}

// transferCall sends a bodiless request to registrations/{domain}/{path...}
// and decodes the workflow status it answers with (the transfer calls,
// and ResendVerification).
func (c *Client) transferCall(ctx context.Context, method, domain string, path ...string) (*WorkflowStatus, error) {
	if domain == "" {
		return nil, errors.New("client: empty domain")
	}
	u, err := c.endpoint(append([]string{"registrations", domain}, path...)...)
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	if _, err := c.call(ctx, method, u, nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}
