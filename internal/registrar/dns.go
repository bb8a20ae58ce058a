package registrar

import "context"

// Issue 14: what makes a domain resolve (nameservers, glue, DNSSEC) and
// who holds it (registrant changes). Every field here is our extension
// of Cloudflare's API (docs/API.md marks each as ours).

// The bounds of a registration's nameservers (RFC 5731 allows any
// number; registries ask for 2 to 13).
const (
	MinNameservers = 2
	MaxNameservers = 13
)

// Host is a name server host object (RFC 5732): glue for an
// in-bailiwick name server (ns1.example.com for example.com), whose
// addresses the registry publishes in the parent zone.
type Host struct {
	Name string   `json:"name"` // ASCII, lower case
	IPv4 []string `json:"ipv4,omitempty"`
	IPv6 []string `json:"ipv6,omitempty"`
}

// DSRecord is a delegation signer record (RFC 4034 §5, secDNS-1.1
// dsData). Digest is hex, upper case.
type DSRecord struct {
	KeyTag     int    `json:"key_tag"`
	Algorithm  int    `json:"algorithm"`
	DigestType int    `json:"digest_type"`
	Digest     string `json:"digest"`
}

// DNSSEC is a registration's DNSSEC data: no records, DNSSEC off.
type DNSSEC struct {
	DSRecords []DSRecord `json:"ds_records"`
}

// The built-in registries' default name servers (the sandbox package's
// DefaultNameserver1 and 2): under .test (RFC 6761), so not host names
// of a public TLD, but valid name servers wherever the API takes them,
// so that a user can set a domain back to its defaults.
const (
	BuiltinNameserver1 = "ns1.sandbox.openregistrar.test"
	BuiltinNameserver2 = "ns2.sandbox.openregistrar.test"
)

// HostRegistry is what a registry offers for host objects (RFC 5732).
// eppregistry implements it. Errors have Registry's kinds; deleting a
// host that a domain uses is KindConflict (EPP 2305).
type HostRegistry interface {
	// CreateHost creates a host object with its addresses.
	CreateHost(ctx context.Context, h Host) error
	// HostInfo returns a host object and whether a domain uses it
	// (status linked), or KindNotFound.
	HostInfo(ctx context.Context, name string) (Host, bool, error)
	// UpdateHost adds and removes addresses of a host object.
	UpdateHost(ctx context.Context, name string, add, remove Host) error
	// DeleteHost deletes a host object.
	DeleteHost(ctx context.Context, name string) error
}

// The fields of a DomainUpdate and DomainInfo added for issue 14 live in
// registry.go: DomainUpdate.AddNameservers/RemoveNameservers,
// AddDS/RemoveDS/RemoveAllDS, Registrant and the contact changes;
// DomainInfo.Nameservers and DSRecords.
