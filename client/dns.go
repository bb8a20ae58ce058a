package client

import (
	"context"
	"errors"
	"net/http"
)

// DNSSEC is a registration's DNSSEC data (this server's field dnssec):
// no records, DNSSEC off.
type DNSSEC struct {
	DSRecords []DSRecord `json:"ds_records"`
}

// DSRecord is a delegation signer record (RFC 4034 section 5). The server
// accepts the algorithms and digest types RFC 8624 allows for new
// delegations: digest type 2 (SHA-256) or 4 (SHA-384), with a hex digest
// of 32 or 48 bytes.
type DSRecord struct {
	KeyTag     int    `json:"key_tag"`
	Algorithm  int    `json:"algorithm"`
	DigestType int    `json:"digest_type"`
	Digest     string `json:"digest"`
}

// Host is a glue host of a registration (this server's): a name server
// inside the domain and its addresses.
type Host struct {
	Name string   `json:"name"`
	IPv4 []string `json:"ipv4,omitempty"`
	IPv6 []string `json:"ipv6,omitempty"`
	// Linked says that a domain uses the host as a name server: it cannot
	// be deleted until none does. Only in GetHost's answer.
	Linked bool `json:"linked,omitempty"`
}

// HostAddresses are the addresses of a glue host, which replace those it
// has.
type HostAddresses struct {
	IPv4 []string `json:"ipv4,omitempty"`
	IPv6 []string `json:"ipv6,omitempty"`
}

// CreateHost starts the creation of a glue host of domain (POST
// registrations/{domain}/hosts/{host}, this server's) and returns the
// update workflow's status.
func (c *Client) CreateHost(ctx context.Context, domain, host string, addrs HostAddresses, opts UpdateOptions) (*WorkflowStatus, error) {
	return c.hostCall(ctx, http.MethodPost, domain, host, addrs, opts)
}

// UpdateHost starts replacing the addresses of a glue host (PATCH).
func (c *Client) UpdateHost(ctx context.Context, domain, host string, addrs HostAddresses, opts UpdateOptions) (*WorkflowStatus, error) {
	return c.hostCall(ctx, http.MethodPatch, domain, host, addrs, opts)
}

// DeleteHost starts deleting a glue host (DELETE). The workflow fails
// with error code host_in_use while a domain uses it.
func (c *Client) DeleteHost(ctx context.Context, domain, host string, opts UpdateOptions) (*WorkflowStatus, error) {
	return c.hostCall(ctx, http.MethodDelete, domain, host, nil, opts)
}

// GetHost returns a glue host as the registry holds it (GET).
func (c *Client) GetHost(ctx context.Context, domain, host string) (*Host, error) {
	if domain == "" || host == "" {
		return nil, errors.New("client: GetHost: empty domain or host")
	}
	u, err := c.endpoint("registrations", domain, "hosts", host)
	if err != nil {
		return nil, err
	}
	var h Host
	if _, err := c.call(ctx, http.MethodGet, u, nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

func (c *Client) hostCall(ctx context.Context, method, domain, host string, body any, opts UpdateOptions) (*WorkflowStatus, error) {
	if domain == "" || host == "" {
		return nil, errors.New("client: empty domain or host")
	}
	u, err := c.endpoint("registrations", domain, "hosts", host)
	if err != nil {
		return nil, err
	}
	var st WorkflowStatus
	if _, err := c.call(ctx, method, u, body, preferHeader(opts.Async), &st); err != nil {
		return nil, err
	}
	return &st, nil
}
