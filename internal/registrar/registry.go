package registrar

import (
	"context"
	"time"
)

// Registry is the seam between the core and a domain registry. Its one
// implementation is eppregistry, over EPP: to real registries and to the
// sandbox registry alike. Implementations return *Error values whose kinds
// mean:
//
//   - KindUnavailable: the registry could not be reached or answered "try
//     later"; the outcome of a transform is unknown and must be reconciled
//     with Info before it is repeated. The workflow goes blocked.
//   - KindConflict: the object already exists (the name is taken).
//   - KindNotFound: the object does not exist.
//   - KindRejected: the registry refused the command by policy; Message holds
//     its reason.
//   - KindInvalid, KindInternal: our request or configuration is wrong.
type Registry interface {
	// Check reports the availability of names (ASCII), all in one round trip.
	Check(ctx context.Context, names []string) ([]Availability, error)
	// Create registers a domain. A pending result means the registry accepted
	// the command for offline review: the outcome arrives later via Poll.
	Create(ctx context.Context, req CreateRequest) (CreateResult, error)
	// Info returns what the registry knows of a domain, or KindNotFound.
	Info(ctx context.Context, name string) (DomainInfo, error)
	// Renew extends a registration; curExpiry guards against replays.
	Renew(ctx context.Context, name string, curExpiry time.Time, years int) (time.Time, error)
	// Update adds and removes client statuses such as
	// clientTransferProhibited, and changes the auth code. Adding a status
	// already set may be refused by a registry: callers compare with Info
	// first.
	Update(ctx context.Context, req DomainUpdate) error
	// Poll returns the oldest queued message, or nil when the queue is empty.
	// A message stays queued until it is acknowledged.
	Poll(ctx context.Context) (*PollMessage, error)
	// Ack removes a message from the queue once its result is stored.
	Ack(ctx context.Context, id string) error
}

// Registries routes an extension to the registry that serves it.
type Registries interface {
	// Lookup returns the registry serving ext ("com", "co.uk") in env and
	// the terms the extension is sold on, or KindInvalid when env does not
	// offer ext.
	Lookup(env Env, ext string) (Registry, Extension, error)
	// All returns every distinct registry, for poll workers.
	All() []Registry
}

// Availability is the answer of a Check for one name.
type Availability struct {
	Name      string
	Available bool
	// Reason is the registry's reason when the name is not available.
	Reason string
	// Premium is set when the registry prices the name above standard.
	Premium bool
	// Currency and CreatePrice are the registry's price for creating the
	// name for a year (a decimal string), when the registry quotes one.
	Currency    string
	CreatePrice string
}

// CreateRequest is a domain create.
type CreateRequest struct {
	Name       string // ASCII
	Years      int
	Registrant Contact
	Admin      *Contact
	Tech       *Contact
	Billing    *Contact
	// RegistrantExtensions are the registrant's contact extensions
	// (contact_extensions), by the key the registry knows each by
	// (Field.Key): AppPurpose and NexusCategory for .us.
	RegistrantExtensions []KeyValue
	// AuthInfo is the transfer secret set at create. The registrar derives it
	// from the workflow so that Info can tell our own create apart from
	// anyone else's after an unknown outcome.
	AuthInfo string
	// TransactionID is the client transaction ID (EPP clTRID) of this
	// attempt, unique per attempt; pending results are matched on it.
	TransactionID string
}

// KeyValue is one registry-specific value.
type KeyValue struct {
	Key, Value string
}

// CreateResult is the registry's answer to a create.
type CreateResult struct {
	// Pending means the registry accepted the create for offline review
	// (EPP 1001); the outcome arrives as a PollMessage.
	Pending   bool
	CreatedAt time.Time
	ExpiresAt time.Time
	// ServerTransactionID is the registry's ID for the command (EPP svTRID).
	ServerTransactionID string
}

// DomainInfo is what a registry reports about a domain.
type DomainInfo struct {
	Name string
	// Sponsored reports whether we are the sponsoring registrar.
	Sponsored bool
	// AuthInfo is the domain's transfer secret; only its sponsor sees it.
	AuthInfo string
	// Pending reports a pending create awaiting offline review.
	Pending   bool
	Statuses  []string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Sponsor is the sponsoring registrar's client ID (EPP clID).
	Sponsor string
	// RegistrantID is the registrant contact's handle.
	RegistrantID string
	// RGPStatuses are the domain's RGP statuses (RFC 3915 rgpStatus), such
	// as autoRenewPeriod or redemptionPeriod.
	RGPStatuses []string
	// Nameservers are the domain's name servers (hostObj names), and
	// DSRecords its DS records (secDNS-1.1 infData).
	Nameservers []string
	DSRecords   []DSRecord
	// Hosts are the domain's subordinate host objects (<domain:host>,
	// shown to its sponsor): its glue, which must go before the domain
	// can be deleted (RFC 5731 section 3.2.2).
	Hosts []string
}

// DomainUpdate changes a domain's client statuses and auth code at a
// registry.
type DomainUpdate struct {
	Name           string
	AddStatuses    []string
	RemoveStatuses []string
	// AuthInfo is the domain's new auth code (EPP <domain:chg>
	// <domain:authInfo>), or "" to leave it. It is a secret: never log it.
	AuthInfo string
	// AddNameservers and RemoveNameservers change the domain's name
	// servers (<domain:add>/<domain:rem> <domain:ns> hostObj).
	AddNameservers, RemoveNameservers []string
	// AddDS and RemoveDS change its DS records (secDNS-1.1 update);
	// RemoveAllDS removes every one (<secDNS:rem><secDNS:all>true).
	AddDS, RemoveDS []DSRecord
	RemoveAllDS     bool
	// Registrant, when set, is the new registrant's contact, created at
	// the registry first (<domain:chg><domain:registrant>).
	Registrant *Contact
}

// StatusTransferLocked is the EPP client status that locks a domain
// against transfers (RFC 5731): what a registration's locked sets.
const StatusTransferLocked = "clientTransferProhibited"

// PollMessage is a registry service message: here, the outcome of a pending
// action (EPP panData).
type PollMessage struct {
	ID     string
	Domain string
	// Success is the pending action's result (paResult).
	Success bool
	// TransactionID is the clTRID of the command that went pending.
	TransactionID string
	Message       string
	Date          time.Time
	// Transfer is set on a transfer message (EPP trnData): a transfer of
	// Domain was requested from us, or one we requested or were asked for
	// was approved, rejected, cancelled or settled by the registry.
	Transfer *TransferResult
}

// Clock tells the time. Production uses SystemClock; tests advance a
// ShiftClock to reach deadlines without waiting.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC, to the microsecond: the precision
// the store keeps, so a time reads back as it was written.
type SystemClock struct{}

// Now returns the current UTC time, truncated to the microsecond.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Mailer delivers email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Message is an email.
type Message struct {
	To      string
	Subject string
	Body    string
	// Secret is the one-time secret the body carries (a verification
	// code), or "". Where mail is delivered over SMTP the outbox keeps it
	// only until delivery, then keeps the body with Secret replaced by
	// SecretRedacted.
	Secret string
}

// SecretRedacted replaces a message's one-time secret in the outbox once
// the message is delivered.
const SecretRedacted = "[redacted once delivered]"
