package registrar

import (
	"context"
)

// Reader is what the API reads. Implementations serve reads from a pool
// that never queues behind writes. Every method is scoped to one account:
// other accounts' resources are KindNotFound.
type Reader interface {
	// Authenticate returns the principal of the token whose hash is given,
	// or KindUnauthorized.
	Authenticate(ctx context.Context, tokenHash string) (Principal, error)
	// RegistrationStatus returns the newest registration workflow for domain.
	RegistrationStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// UpdateStatus returns the newest update workflow for domain.
	UpdateStatus(ctx context.Context, accountID string, env Env, domain string) (*Workflow, error)
	// Workflow returns a workflow by ID.
	Workflow(ctx context.Context, accountID, id string) (*Workflow, error)
	// Registration returns the account's registration of domain.
	Registration(ctx context.Context, accountID string, env Env, domain string) (*Registration, error)
	// ListRegistrations returns a page of the account's registrations.
	ListRegistrations(ctx context.Context, accountID string, env Env, opts ListOptions) (Page[Registration], error)
}

// Workflows starts and resumes workflows.
type Workflows interface {
	// StartRegistration starts a registration workflow, or returns the
	// existing one for the same domain in the same account when it has not
	// failed: the domain name is the idempotency key.
	StartRegistration(ctx context.Context, p Principal, env Env, req RegistrationRequest) (*Workflow, error)
	// StartUpdate starts an update workflow for a registration.
	StartUpdate(ctx context.Context, p Principal, env Env, domain string, req UpdateRequest) (*Workflow, error)
	// ConfirmEmail completes the email verification whose code is given and
	// resumes its workflow.
	ConfirmEmail(ctx context.Context, code string) (*Workflow, error)
}

// Notifier tells waiters that a workflow changed. A subscription sees every
// change committed after Subscribe returns.
type Notifier interface {
	// Subscribe returns a channel that receives (coalesced) after each
	// change of the workflow, and a function to cancel the subscription.
	Subscribe(workflowID string) (<-chan struct{}, func())
}

// RegistrationRequest is a validated request to register a domain.
type RegistrationRequest struct {
	Domain            string // ASCII, parsed
	Extension         string
	Years             int // 0: the extension's minimum
	AutoRenew         bool
	PrivacyMode       PrivacyMode
	Contacts          Contacts
	ContactExtensions map[string]any
	Acknowledgements  map[string]any
}

// UpdateRequest is a requested change to a registration.
type UpdateRequest struct {
	AutoRenew *bool `json:"auto_renew,omitempty"`
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
	// KnownPremium reports whether a recent check or search found name
	// premium, without asking a registry.
	KnownPremium(env Env, name string) bool
}
