package registrar

import (
	"context"
)

// Reader is what the API reads. Implementations serve reads from a pool
// that never queues behind writes. Every method is scoped to one account:
// other accounts' resources are KindNotFound.
type Reader interface {
	// Authenticate returns the principal of the token whose hash is given,
	// or KindUnauthorized for an unknown, revoked or expired token. It may
	// cache, but a revocation takes effect at once on every replica.
	Authenticate(ctx context.Context, tokenHash string) (Principal, error)
	// RegistrationStatus returns the newest registration workflow for domain.
	RegistrationStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// UpdateStatus returns the newest update workflow for domain.
	UpdateStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// Workflow returns a workflow by ID.
	Workflow(ctx context.Context, accountID, id string) (*Workflow, error)
	// Registration returns the account's registration of domain.
	Registration(ctx context.Context, accountID string, env Env, domain string) (*Registration, error)
	// TransferInStatus returns the newest transfer-in workflow for domain.
	TransferInStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// TransferOutStatus returns the newest outbound transfer workflow for
	// domain.
	TransferOutStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// RenewalStatus and RestoreStatus return the newest renewal and
	// restore workflow for domain.
	RenewalStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	RestoreStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// RegistrationHistory returns the events of the account's
	// registration of domain, oldest first (at most 1,000, the newest).
	RegistrationHistory(ctx context.Context, accountID string, env Env, domain string) ([]RegistrationEvent, error)
	// ListRegistrations returns a page of the account's registrations.
	ListRegistrations(ctx context.Context, accountID string, env Env, opts ListOptions) (Page[Registration], error)
	// ListWorkflows returns a page of the account's workflows, newest
	// first (ours). Their Data is left empty.
	ListWorkflows(ctx context.Context, accountID string, env Env, opts WorkflowListOptions) (Page[Workflow], error)
	// Events returns up to limit of the account's events with an ID above
	// after, oldest first (ours), and how far the feed was pruned.
	Events(ctx context.Context, accountID string, env Env, after int64, limit int) (EventPage, error)
}

// Workflows starts and resumes workflows.
type Workflows interface {
	// StartRegistration starts a registration workflow, or returns the
	// existing one for the same domain in the same account when it has not
	// failed: the domain name is the idempotency key. req has passed its
	// extension's registration schema (internal/schema); the workflow
	// fills in its defaults and stores it as it is.
	StartRegistration(ctx context.Context, p Principal, env Env, req RegistrationRequest) (*Workflow, error)
	// StartUpdate starts an update workflow for a registration.
	StartUpdate(ctx context.Context, p Principal, env Env, domain string, req UpdateRequest) (*Workflow, error)
	// StartAuthCode starts an update workflow that sets a new auth code
	// (from NewAuthCode) for the account's registration of domain at its
	// registry, and returns the workflow and the code. The code is given
	// to the caller only here: the workflow keeps it in its private data
	// until the registry has it (so that the step can be retried) and
	// redacts it in the transaction that records its end. The caller
	// shows it only once the workflow has succeeded.
	StartAuthCode(ctx context.Context, p Principal, env Env, domain string) (*Workflow, string, error)
	// StartHost starts an update workflow that creates, updates or
	// deletes a glue host of the account's registration of domain at its
	// registry (HostRegistry); c is validated (ValidateHost).
	StartHost(ctx context.Context, p Principal, env Env, domain string, c HostChange) (*Workflow, error)
	// StartTransferIn starts a transfer-in workflow, or returns the
	// existing one for the same domain in the same account when it has not
	// failed: the domain name is the idempotency key, as for
	// registrations. req has passed its extension's transfer schema.
	StartTransferIn(ctx context.Context, p Principal, env Env, req TransferInRequest) (*Workflow, error)
	// CancelTransferIn cancels the account's running transfer in of
	// domain; the workflow ends failed with transfer_cancelled.
	CancelTransferIn(ctx context.Context, p Principal, env Env, domain string) (*Workflow, error)
	// DecideTransferOut approves or rejects a transfer of the account's
	// domain that another registrar asked for.
	DecideTransferOut(ctx context.Context, p Principal, env Env, domain string, d TransferOutDecision) (*Workflow, error)
	// StartRenewal starts a renewal of the account's registration of
	// domain, or returns the renewal of the same term (the expiry it
	// extends: req.CurrentExpiresAt, or the registration's) when one
	// exists: repeated and concurrent requests start one workflow, and
	// the automatic renewal of that term is the same one.
	StartRenewal(ctx context.Context, p Principal, env Env, domain string, req RenewalRequest) (*Workflow, error)
	// StartRestore starts the RGP restore of the account's registration of
	// domain during its redemption period, or returns the running one.
	StartRestore(ctx context.Context, p Principal, env Env, domain string) (*Workflow, error)
	// ConfirmEmail completes the email verification whose code is given and
	// resumes its workflow.
	ConfirmEmail(ctx context.Context, code string) (*Workflow, error)
	// ResendVerification sends the registrant email verification of the
	// account's registration of domain again, with a new link, while the
	// registration waits for it (action_required): KindConflict otherwise.
	// The links sent before keep working, and every link expires at the
	// workflow's deadline, which a resend does not move. Resends are
	// limited (MaxVerificationResends, one per VerificationResendInterval:
	// KindConflict, KindRateLimited with when to retry). It needs
	// ScopeWrite.
	ResendVerification(ctx context.Context, p Principal, env Env, domain string) (*Workflow, error)
}

// Notifier tells waiters that a workflow changed. A subscription sees every
// change committed after Subscribe returns.
type Notifier interface {
	// Subscribe returns a channel that receives (coalesced) after each
	// change of the workflow, and a function to cancel the subscription.
	// The topic is a workflow ID, or a StatusTopic: every change of any
	// workflow of that kind for that domain, new workflows included.
	Subscribe(topic string) (<-chan struct{}, func())
}

// StatusTopic is the Notifier topic of what a status endpoint shows: the
// newest workflow of kind for domain in an account and environment. It
// never equals a workflow ID (IDs have no tab).
func StatusTopic(accountID string, env Env, kind WorkflowKind, domain string) string {
	return "status\t" + accountID + "\t" + string(env) + "\t" + string(kind) + "\t" + domain
}

// RegistrationRequest is the body of POST /registrations, and, once
// validated, the request a registration workflow stores as its data: one
// type from the handler to the registry. The extension's registration
// schema (Extension.RegistrationSchema) holds every rule of its fields;
// internal/schema applies it, with domain name parsing for domain_name.
// Past validation, DomainName is the ASCII form and Extension is set; the
// workflow fills in the defaults (years, privacy mode, the registrant).
type RegistrationRequest struct {
	DomainName  string      `json:"domain_name"`
	Years       int         `json:"years,omitempty"` // 0: the extension's minimum
	AutoRenew   bool        `json:"auto_renew"`
	PrivacyMode PrivacyMode `json:"privacy_mode,omitempty"`
	Contacts    Contacts    `json:"contacts"`
	// ContactExtensions are registry-specific values of the registrant
	// (.us nexus); they go to the registry with the registrant contact.
	ContactExtensions map[string]any `json:"contact_extensions,omitempty"`
	// Nameservers (ours): 2 to 13 host names; without them the registry
	// configuration's defaults.
	Nameservers []string `json:"nameservers,omitempty"`
	// Acknowledgements are what the registrant accepted (.page HSTS
	// preload); the workflow records them as consents, with the time.
	Acknowledgements map[string]any `json:"acknowledgements,omitempty"`
	// Extension is the extension of DomainName, set by validation; never
	// read from a body.
	Extension string `json:"-"`
}

// UpdateRequest is the body of PATCH /registrations/{domain}: a requested
// change to a registration. A nil field is left as it is.
type UpdateRequest struct {
	// AutoRenew is Cloudflare's, and ours alone: no registry is asked.
	AutoRenew *bool `json:"auto_renew,omitempty"`
	// Locked is our extension: true sets the registry status
	// clientTransferProhibited (StatusTransferLocked), false removes it.
	Locked *bool `json:"locked,omitempty"`
	// Nameservers (ours) replaces the domain's name servers: 2 to 13 host
	// names.
	Nameservers []string `json:"nameservers,omitempty"`
	// DNSSEC (ours) replaces the domain's DS records; none turns DNSSEC off.
	DNSSEC *DNSSEC `json:"dnssec,omitempty"`
	// Contacts (ours) changes the registrant and the other roles; a
	// material change of registrant (name, organisation, email) waits for
	// both registrants' confirmation (ICANN Transfer Policy, change of
	// registrant).
	Contacts *Contacts `json:"contacts,omitempty"`
	// TransferLockOptOut (ours) waives the 60-day lock against transfers
	// out that a change of registrant sets.
	TransferLockOptOut bool `json:"transfer_lock_opt_out,omitempty"`
}

// Reasons a domain cannot be registered through the API (`reason` of a
// domain check or search result).
const (
	ReasonExtensionNotSupportedViaAPI    = "extension_not_supported_via_api"
	ReasonExtensionNotSupported          = "extension_not_supported"
	ReasonExtensionDisallowsRegistration = "extension_disallows_registration"
	ReasonDomainPremium                  = "domain_premium"
	ReasonDomainUnavailable              = "domain_unavailable"
)

// Pricing tiers.
const (
	TierStandard = "standard"
	TierPremium  = "premium"
)

// DomainAvailability is one result of a domain check or search.
type DomainAvailability struct {
	Name        string // ASCII (punycode)
	Registrable bool
	Reason      string // one of the Reason constants when not registrable
	Tier        string // TierStandard or TierPremium; "" when unknown
	// Pricing, per year, when registrable.
	Currency         string
	RegistrationCost string
	RenewalCost      string
}

// Domains answers availability questions before a registration.
type Domains interface {
	// Check asks the registries about names (already parsed, ASCII), one
	// round trip per registry for the whole batch. Authoritative: never
	// cached.
	Check(ctx context.Context, env Env, names []string) ([]DomainAvailability, error)
	// Search suggests registrable names for a query across extensions,
	// ranked, at most limit; availability comes from a cache and is not
	// authoritative.
	Search(ctx context.Context, env Env, query string, extensions []string, limit int) ([]DomainAvailability, error)
	// TransferCheck says whether names (as sent) can be transferred in,
	// asking their registries every time (never cached), at most 10.
	TransferCheck(ctx context.Context, env Env, names []TransferCheckName) ([]TransferAvailability, error)
	// KnownPremium reports whether a recent check or search found name
	// premium, without asking a registry.
	KnownPremium(env Env, name string) bool
}
