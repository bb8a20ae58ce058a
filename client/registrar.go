package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// maxCheckDomains is the most names one Check takes.
const maxCheckDomains = 20

// Check asks the registry, now, whether each of 1 to 20 domains can be
// registered, and at what price (POST domain-check). Malformed names may
// be left out of the result.
func (c *Client) Check(ctx context.Context, domains ...string) ([]DomainAvailability, error) {
	if len(domains) == 0 || len(domains) > maxCheckDomains {
		return nil, fmt.Errorf("client: Check takes 1 to %d domains, not %d", maxCheckDomains, len(domains))
	}
	u, err := c.endpoint("domain-check")
	if err != nil {
		return nil, err
	}
	var res struct {
		Domains []DomainAvailability `json:"domains"`
	}
	body := struct {
		Domains []string `json:"domains"`
	}{domains}
	if _, err := c.call(ctx, http.MethodPost, u, body, nil, &res); err != nil {
		return nil, err
	}
	return res.Domains, nil
}

// Search suggests domains for a keyword, phrase or domain name (GET
// domain-search). The results come from cached data: confirm with Check
// before registering.
func (c *Client) Search(ctx context.Context, q string, opts SearchOptions) ([]DomainAvailability, error) {
	u, err := c.endpoint("domain-search")
	if err != nil {
		return nil, err
	}
	v := url.Values{"q": {q}}
	for _, e := range opts.Extensions {
		v.Add("extensions", e)
	}
	if opts.Limit != 0 {
		v.Set("limit", strconv.Itoa(opts.Limit))
	}
	var res struct {
		Domains []DomainAvailability `json:"domains"`
	}
	if _, err := c.call(ctx, http.MethodGet, u+"?"+v.Encode(), nil, nil, &res); err != nil {
		return nil, err
	}
	return res.Domains, nil
}

// Extensions lists the extensions registrable through the API, with their
// registration schemas, a page at a time as the loop advances (GET
// extensions). An error ends the sequence.
func (c *Client) Extensions(ctx context.Context, opts ListOptions) iter.Seq2[Extension, error] {
	return paginate[Extension](ctx, c, opts, "extensions")
}

// Extension returns one extension ("com", "co.uk") and what a registration
// on it needs (GET extensions/{ext}).
func (c *Client) Extension(ctx context.Context, ext string) (*Extension, error) {
	if ext == "" {
		return nil, errors.New("client: Extension: empty extension")
	}
	u, err := c.endpoint("extensions", ext)
	if err != nil {
		return nil, err
	}
	var e Extension
	if _, err := c.call(ctx, http.MethodGet, u, nil, nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// Register starts the registration of req.DomainName, or returns the
// account's workflow for it if there is one that has not failed (POST
// registrations). It is billable once the workflow succeeds. The status is
// completed when the server finished within its sync window; otherwise
// follow it with Wait. With opts.Async the server answers at once.
//
// Retrying Register is safe: the domain name is the idempotency key.
func (c *Client) Register(ctx context.Context, req RegisterRequest, opts RegisterOptions) (*WorkflowStatus, error) {
	if req.DomainName == "" {
		return nil, errors.New("client: Register: empty DomainName")
	}
	u, err := c.endpoint("registrations")
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

// Registration returns a registration of the account (GET
// registrations/{domain}); the domain may be Unicode or punycode.
func (c *Client) Registration(ctx context.Context, domain string) (*Registration, error) {
	if domain == "" {
		return nil, errors.New("client: Registration: empty domain")
	}
	u, err := c.endpoint("registrations", domain)
	if err != nil {
		return nil, err
	}
	var r Registration
	if _, err := c.call(ctx, http.MethodGet, u, nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Registrations lists the account's registrations, a page at a time as
// the loop advances (GET registrations). An error ends the sequence.
func (c *Client) Registrations(ctx context.Context, opts ListOptions) iter.Seq2[Registration, error] {
	return paginate[Registration](ctx, c, opts, "registrations")
}

// UpdateRegistration starts an update of a registration's settings (PATCH
// registrations/{domain}) and returns the update workflow's status:
// completed when the server finished within its sync window, otherwise
// to follow with Wait.
func (c *Client) UpdateRegistration(ctx context.Context, domain string, req UpdateRequest, opts UpdateOptions) (*WorkflowStatus, error) {
	if domain == "" {
		return nil, errors.New("client: UpdateRegistration: empty domain")
	}
	u, err := c.endpoint("registrations", domain)
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	if _, err := c.call(ctx, http.MethodPatch, u, req, preferHeader(opts.Async), &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// RegistrationStatus returns the status of the domain's newest
// registration workflow (GET registrations/{domain}/registration-status).
func (c *Client) RegistrationStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "registration-status")
}

// UpdateStatus returns the status of the domain's newest update workflow
// (GET registrations/{domain}/update-status).
func (c *Client) UpdateStatus(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.workflowStatus(ctx, domain, "update-status")
}

// ResendVerification sends the registrant email verification of the
// domain's registration again, with a new link (POST
// registrations/{domain}/resend-verification; this server's, not
// Cloudflare's), while the registration waits on it (StateActionRequired,
// ActionRegistrantEmailConfirmationPending). It returns the
// registration's status, still action_required with the same deadline:
// the links sent before keep working until then. An *APIError with
// status 409 says the registration waits on no email, or was sent it
// again the most times (5); within a minute of the previous resend the
// server answers 429 with Retry-After, which the client waits out and
// retries like any 429.
func (c *Client) ResendVerification(ctx context.Context, domain string) (*WorkflowStatus, error) {
	return c.transferCall(ctx, http.MethodPost, domain, "resend-verification")
}

func (c *Client) workflowStatus(ctx context.Context, domain, which string) (*WorkflowStatus, error) {
	if domain == "" {
		return nil, errors.New("client: empty domain")
	}
	u, err := c.endpoint("registrations", domain, which)
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	if _, err := c.call(ctx, http.MethodGet, u, nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// preferHeader is the Prefer header of an async request.
func preferHeader(async bool) http.Header {
	if !async {
		return nil
	}
	return http.Header{"Prefer": {"respond-async"}}
}

// paginate iterates over a cursor-paginated list at path under the
// account's environment.
func paginate[T any](ctx context.Context, c *Client, opts ListOptions, path string) iter.Seq2[T, error] {
	q := url.Values{}
	if opts.SortBy != "" {
		q.Set("sort_by", string(opts.SortBy))
	}
	if opts.Direction != "" {
		q.Set("direction", string(opts.Direction))
	}
	if opts.PerPage != 0 {
		q.Set("per_page", strconv.Itoa(opts.PerPage))
	}
	return paginateQuery[T](ctx, c, q, path)
}

// paginateQuery iterates over the pages of a cursor list with query q.
func paginateQuery[T any](ctx context.Context, c *Client, q url.Values, path string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		u, err := c.endpoint(path)
		if err != nil {
			yield(zero, err)
			return
		}
		seen := map[string]bool{}
		for {
			page := u
			if len(q) > 0 {
				page += "?" + q.Encode()
			}
			var items []T
			res, err := c.call(ctx, http.MethodGet, page, nil, nil, &items)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if res.Info == nil || res.Info.Cursor == "" {
				return
			}
			cursor := res.Info.Cursor
			if seen[cursor] {
				yield(zero, fmt.Errorf("client: %s: the server returned cursor %q twice; stopping", path, cursor))
				return
			}
			seen[cursor] = true
			q.Set("cursor", cursor)
		}
	}
}
