package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"time"
)

// State is a workflow's lifecycle state.
type State string

// The workflow states.
const (
	// StatePending: accepted, not started. Keep polling.
	StatePending State = "pending"
	// StateInProgress: working, with an internal deadline. Keep polling
	// with backoff.
	StateInProgress State = "in_progress"
	// StateActionRequired: paused until the user acts (see
	// StatusContext.Action); it never resolves on its own. Stop polling and
	// show the action; do not re-submit.
	StateActionRequired State = "action_required"
	// StateBlocked: waiting on a third party such as the registry; no user
	// action helps. Poll slower, and not forever.
	StateBlocked State = "blocked"
	// StateSucceeded is terminal: done.
	StateSucceeded State = "succeeded"
	// StateFailed is terminal: WorkflowStatus.Error says why. Do not retry
	// without the user's review.
	StateFailed State = "failed"
)

// Terminal reports whether s is succeeded or failed.
func (s State) Terminal() bool { return s == StateSucceeded || s == StateFailed }

// Known reports whether s is one of the states above.
func (s State) Known() bool {
	switch s {
	case StatePending, StateInProgress, StateActionRequired, StateBlocked, StateSucceeded, StateFailed:
		return true
	}
	return false
}

// Workflow error codes: the WorkflowError.Code of a failed workflow. They
// are separate from the HTTP error codes of ErrorItem.Code.
const (
	WorkflowErrDomainUnavailable    = "domain_unavailable"     // the registry, or another account, already has the name
	WorkflowErrDomainPremium        = "domain_premium"         // premium names cannot be registered through the API
	WorkflowErrRegistryRejected     = "registry_rejected"      // the registry refused; Message has its reason
	WorkflowErrActionExpired        = "action_expired"         // the user did not act before the action expired
	WorkflowErrDeadlineExceeded     = "deadline_exceeded"      // the workflow ran out of time
	WorkflowErrRegistrationNotFound = "registration_not_found" // an update found its registration gone
	WorkflowErrPaymentDeclined      = "payment_declined"       // the charge was declined (Cloudflare)
	WorkflowErrTransferRejected     = "transfer_rejected"      // the losing registrar (or, for a transfer out, the account) rejected the transfer
	WorkflowErrTransferCancelled    = "transfer_cancelled"     // the transfer was cancelled by the account or the registry
	WorkflowErrDomainMaxTerm        = "domain_max_term"        // a renewal would take the registration past the registry's maximum term (10 years)
	WorkflowErrRenewalWindowClosed  = "renewal_window_closed"  // the registration expired past its grace period before the renewal succeeded
	WorkflowErrNotRestorable        = "not_restorable"         // a restore of a registration not in its redemption period
)

// Who a blocked workflow waits on (StatusContext.BlockedBy).
const (
	// BlockedByRegistry: the registry is unreachable, slow or reviewing.
	BlockedByRegistry = "registry"
	// BlockedByLosingRegistrar: a transfer waits for the losing registrar
	// (for a transfer out, the account) to approve or reject it, or for
	// the registry to approve it at StatusContext.TransferActBy.
	BlockedByLosingRegistrar = "losing_registrar"
)

// Actions a workflow in action_required can wait for (StatusContext.Action).
const (
	// ActionRegistrantEmailConfirmationPending: the registrant must open
	// the link sent to StatusContext.ConfirmationSentTo (Cloudflare's
	// value).
	ActionRegistrantEmailConfirmationPending = "registrant_email_confirmation_pending"
	// ActionRegistrantChangeConfirmationPending (this server's): a change
	// of registrant waits for the parties in StatusContext.Awaiting
	// ("prior_registrant", "new_registrant") to open the links sent to
	// StatusContext.ConfirmationsSentTo.
	ActionRegistrantChangeConfirmationPending = "registrant_change_confirmation_pending"
)

// WorkflowStatus is the status of a registration or update workflow, as
// POST and PATCH registrations and the registration-status and
// update-status endpoints return it.
type WorkflowStatus struct {
	// Completed is true exactly when State is succeeded or failed.
	Completed bool `json:"completed"`
	// State is the workflow's lifecycle state.
	State State `json:"state"`
	// CreatedAt and UpdatedAt are when the workflow started and last
	// changed.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Links locate this status and the registration it is about.
	Links Links `json:"links"`
	// Context carries what the state needs: the domain, the action asked of
	// the user, what the workflow is waiting on, the registration made.
	Context StatusContext `json:"context"`
	// Error says why a failed workflow failed; nil in every other state.
	Error *WorkflowError `json:"error"`

	// Existing is set by Register and TransferIn when the server answered
	// with the workflow an earlier request for the domain started (the
	// domain name is the idempotency key): this request's years,
	// auto-renew and other fields were not applied. Not part of the JSON.
	Existing bool `json:"-"`
	// Messages are the messages of the answer that carried this status
	// (the envelope's messages), e.g. the one of CodeExistingWorkflow.
	// Not part of the JSON.
	Messages []Message `json:"-"`
	// RetryAfter is the Retry-After of the response that carried the
	// status, zero if none: when the server advises to look again. Wait
	// follows it.
	RetryAfter time.Duration `json:"-"`
	// ETag is the entity tag of the response that carried the status,
	// empty if none: it changes exactly when the workflow does. Wait sends
	// it as If-None-Match to long-poll (docs/API.md, "ETags and
	// long-poll"). Not part of the JSON.
	ETag string `json:"-"`
}

// Message is one of an answer's messages (the envelope's messages): a
// note about a request that succeeded.
type Message struct {
	// Code says what the message is about, e.g. CodeExistingWorkflow.
	Code int `json:"code"`
	// Message is for people.
	Message string `json:"message"`
}

// noteMessages keeps the messages of the answer that carried s, and sets
// Existing when one says the workflow is an earlier request's.
func (s *WorkflowStatus) noteMessages(ms []Message) {
	s.Messages = ms
	for _, m := range ms {
		if m.Code == CodeExistingWorkflow {
			s.Existing = true
		}
	}
}

// Err returns the workflow's error when it failed, and nil otherwise.
func (s *WorkflowStatus) Err() error {
	if s == nil || s.State != StateFailed {
		return nil
	}
	if s.Error == nil {
		return &WorkflowError{Code: "unknown", Message: "the workflow failed without saying why"}
	}
	return s.Error
}

// Links are a workflow status's URLs, relative to the API's base URL
// ("/accounts/ID/registrar/registrations/example.com/registration-status").
type Links struct {
	// Self is this status; poll it while the workflow runs.
	Self string `json:"self"`
	// Resource is the registration the workflow is about.
	Resource string `json:"resource,omitempty"`
}

// StatusContext is a workflow status's context: always the domain, and by
// state what the workflow waits for or produced. Raw keeps the JSON as
// received, with any member this package does not know.
type StatusContext struct {
	// DomainName is the domain the workflow is about, in punycode.
	DomainName string `json:"domain_name"`
	// Action is what the user must do in action_required, e.g.
	// ActionRegistrantEmailConfirmationPending.
	Action string `json:"action,omitempty"`
	// ConfirmationSentTo is where the confirmation for Action was sent,
	// masked ("a***@example.com").
	ConfirmationSentTo string `json:"confirmation_sent_to,omitempty"`
	// ActionExpiresAt is when an unanswered action fails the workflow
	// (zero if not given).
	ActionExpiresAt time.Time `json:"action_expires_at,omitzero"`
	// BlockedBy names the third party a blocked workflow waits on:
	// "registry" or "losing_registrar".
	BlockedBy string `json:"blocked_by,omitempty"`
	// Detail says in a sentence why a blocked workflow waits.
	Detail string `json:"detail,omitempty"`
	// WaitingOn is this server's older name of BlockedBy (the same value);
	// Cloudflare does not send it.
	WaitingOn string `json:"waiting_on,omitempty"`
	// BlockedReason is this server's reason for a block as a clause;
	// Cloudflare does not send it.
	BlockedReason string `json:"blocked_reason,omitempty"`
	// TransferActBy is when the registry approves a transfer the losing
	// registrar has not answered (zero if not given); this server's.
	TransferActBy time.Time `json:"transfer_act_by,omitzero"`
	// Registration is the registration a succeeded registration workflow
	// made.
	Registration *Registration `json:"registration,omitempty"`
	// FieldsUpdated names the settings an update workflow changes, e.g.
	// ["auto_renew"].
	FieldsUpdated []string `json:"fields_updated,omitempty"`
	// PendingRegistryConfirmation is true while the registry has not yet
	// confirmed an update.
	PendingRegistryConfirmation bool `json:"pending_registry_confirmation,omitempty"`
	// Changes are the settings an update workflow changes with their new
	// values, e.g. {"auto_renew": true}; Cloudflare does not send it.
	Changes map[string]any `json:"changes,omitempty"`
	// Awaiting names the parties a change of registrant still waits for,
	// and ConfirmationsSentTo where each one's link went (masked); this
	// server's.
	Awaiting            []string          `json:"awaiting,omitempty"`
	ConfirmationsSentTo map[string]string `json:"confirmations_sent_to,omitempty"`
	// TransferLockedUntil is the end of the lock against transfers out
	// after a change of registrant (zero if none); this server's.
	TransferLockedUntil time.Time `json:"transfer_locked_until,omitzero"`
	// Raw is the context's JSON as received; nil when it was null or absent.
	Raw json.RawMessage `json:"-"`
}

// Blocker returns who a blocked workflow waits on and why: blocked_by and
// detail, or this server's waiting_on and blocked_reason when a field is
// missing.
func (c StatusContext) Blocker() (by, reason string) {
	by, reason = cmp.Or(c.BlockedBy, c.WaitingOn), cmp.Or(c.BlockedReason, c.Detail)
	return by, reason
}

// UnmarshalJSON decodes the known members and keeps the JSON in Raw.
func (c *StatusContext) UnmarshalJSON(b []byte) error {
	type plain StatusContext
	*c = StatusContext{}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*c = StatusContext(p)
	c.Raw = bytes.Clone(b)
	return nil
}

// WorkflowError is why a workflow failed. It is an error.
type WorkflowError struct {
	// Code is machine-readable, e.g. WorkflowErrRegistryRejected.
	Code string `json:"code"`
	// Message is for people; it may quote the registry.
	Message string `json:"message"`
}

// Error implements error.
func (e *WorkflowError) Error() string {
	if e.Message == "" {
		return "workflow failed: " + e.Code
	}
	return "workflow failed: " + e.Code + ": " + e.Message
}

// DomainStatus is a registration's status at the registry.
type DomainStatus string

// The registration statuses.
const (
	DomainRegistrationPending DomainStatus = "registration_pending"
	DomainActive              DomainStatus = "active"
	DomainExpired             DomainStatus = "expired"
	DomainSuspended           DomainStatus = "suspended"
	DomainRedemptionPeriod    DomainStatus = "redemption_period"
	DomainPendingDelete       DomainStatus = "pending_delete"
	// DomainTransferPending: a transfer in runs (this server's).
	DomainTransferPending DomainStatus = "transfer_pending"
)

// PrivacyMode is a registration's WHOIS privacy mode.
type PrivacyMode string

// The privacy modes.
const (
	PrivacyRedaction PrivacyMode = "redaction" // the default
	PrivacyOff       PrivacyMode = "off"
)

// Registration is a domain registration.
type Registration struct {
	// DomainName is the domain, in punycode.
	DomainName string `json:"domain_name"`
	// Status is the registration's status at the registry.
	Status DomainStatus `json:"status"`
	// CreatedAt is when the registry created the domain.
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the registration expires; nil (null on the wire)
	// only while the registration is pending.
	ExpiresAt *time.Time `json:"expires_at"`
	// AutoRenew says whether the domain is renewed before it expires.
	AutoRenew bool `json:"auto_renew"`
	// Locked says whether the domain is locked against transfers.
	Locked bool `json:"locked"`
	// PrivacyMode is the WHOIS privacy mode.
	PrivacyMode PrivacyMode `json:"privacy_mode"`
	// Renewal is this server's: the newest renewal of the current term,
	// when there is one (a failed auto-renewal shows here).
	Renewal *RenewalState `json:"renewal,omitempty"`
	// RegistrySync is this server's: what the last reconciliation with
	// the registry found, once it has checked.
	RegistrySync *RegistrySync `json:"registry_sync,omitempty"`
	// Nameservers and DNSSEC are this server's: the name servers and DS
	// records the registry holds, once set through the API.
	Nameservers []string `json:"nameservers,omitempty"`
	DNSSEC      *DNSSEC  `json:"dnssec,omitempty"`
}

// RenewalState is a registration's newest renewal workflow of its
// current term (this server's field renewal).
type RenewalState struct {
	WorkflowID   string    `json:"workflow_id"`
	State        State     `json:"state"`
	Automatic    bool      `json:"automatic"`
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// RegistrySync is what reconciliation last found for a registration
// (this server's field registry_sync).
type RegistrySync struct {
	// State is in_sync, differs (differences found and acted on), missing
	// (the registry does not have the name) or foreign (another registrar
	// sponsors it).
	State       string           `json:"state"`
	CheckedAt   time.Time        `json:"checked_at"`
	Differences []SyncDifference `json:"differences"`
}

// SyncDifference is one difference between this registrar's record and
// the registry's, and what was done about it: ours_corrected, reapplied
// or recorded.
type SyncDifference struct {
	Field    string `json:"field"`
	Ours     string `json:"ours"`
	Registry string `json:"registry"`
	Action   string `json:"action"`
}

// RegistrationEvent is one entry of a registration's history (this
// server's): a change of its status or expiry, a renewal, a restore, a
// difference found by reconciliation.
type RegistrationEvent struct {
	At time.Time `json:"at"`
	// Type is registered, renewed, renewal_failed, expired,
	// redemption_period, pending_delete, deleted, restored,
	// expiry_notice, reconciled or registry_missing.
	Type string `json:"type"`
	// Status and ExpiresAt are the registration's after the event.
	Status     DomainStatus `json:"status"`
	ExpiresAt  *time.Time   `json:"expires_at,omitempty"`
	WorkflowID string       `json:"workflow_id,omitempty"`
	Detail     string       `json:"detail,omitempty"`
}

// RenewRequest is the body of a renewal (this server's).
type RenewRequest struct {
	// Years is the term added, 1 to 10; zero sends none and the server
	// renews for 1.
	Years int `json:"years,omitempty"`
	// CurrentExpiresAt, when set, is the expiry the renewal extends: a
	// retry after the renewal succeeded gets that renewal back instead
	// of renewing twice.
	CurrentExpiresAt *time.Time `json:"current_expires_at,omitempty"`
}

// RegisterRequest is the body of a registration. Only DomainName is
// required; zero values are left out and the server's defaults apply.
type RegisterRequest struct {
	// DomainName is the domain to register, with its extension; Unicode or
	// punycode. It is the request's idempotency key.
	DomainName string `json:"domain_name"`
	// Years is the registration period, 1 to 10 [the extension's minimum].
	Years int `json:"years,omitempty"`
	// AutoRenew opts in to renewing the domain before it expires [false].
	AutoRenew bool `json:"auto_renew,omitempty"`
	// PrivacyMode is the WHOIS privacy mode [PrivacyRedaction].
	PrivacyMode PrivacyMode `json:"privacy_mode,omitempty"`
	// Contacts are the domain's contacts; without a registrant, the
	// account's default contact is used.
	Contacts Contacts `json:"contacts,omitzero"`
	// ContactExtensions are registry-specific registrant values, as the
	// extension's registration schema describes (see Client.Extension).
	ContactExtensions map[string]any `json:"contact_extensions,omitempty"`
	// Acknowledgements are the user's acknowledgements the extension's
	// registration schema asks for.
	Acknowledgements map[string]any `json:"acknowledgements,omitempty"`
	// Nameservers (our extension) are the domain's name servers, 2 to 13
	// host names; without them, the registry's defaults.
	Nameservers []string `json:"nameservers,omitempty"`
}

// Contacts are a registration's contacts by role. Every supported extension
// needs at most the registrant.
type Contacts struct {
	// Registrant owns the domain [the account's default contact].
	Registrant *Contact `json:"registrant,omitempty"`
	// Administrator, Technical and Billing are optional roles, accepted
	// where the extension's schema has them.
	Administrator *Contact `json:"administrator,omitempty"`
	Technical     *Contact `json:"technical,omitempty"`
	Billing       *Contact `json:"billing,omitempty"`
}

// Contact is a domain contact.
type Contact struct {
	// Email is the contact's address.
	Email string `json:"email"`
	// Phone is in the form +CC.NUMBER, e.g. "+44.2071234567".
	Phone string `json:"phone"`
	// Fax is optional, in the form of Phone.
	Fax string `json:"fax,omitempty"`
	// PostalInfo is the contact's name and address.
	PostalInfo PostalInfo `json:"postal_info"`
}

// PostalInfo is a contact's name and postal address.
type PostalInfo struct {
	// Name is the full name, in one string.
	Name string `json:"name"`
	// Organization is optional.
	Organization string `json:"organization,omitempty"`
	// Address is the postal address.
	Address Address `json:"address"`
}

// Address is a postal address. State is the state, province or region
// (an abbreviation where usual); CountryCode is ISO 3166-1 alpha-2 ("GB").
type Address struct {
	Street      string `json:"street"`
	City        string `json:"city"`
	State       string `json:"state"`
	PostalCode  string `json:"postal_code"`
	CountryCode string `json:"country_code"`
}

// UpdateRequest is the body of a registration update. AutoRenew is the only
// setting that can change, and is required.
type UpdateRequest struct {
	// AutoRenew turns automatic renewal on or off; see Bool.
	AutoRenew *bool `json:"auto_renew,omitempty"`
	// Locked sets (true) or removes (false) the registry's transfer lock,
	// clientTransferProhibited (our extension); a domain must be unlocked
	// before another registrar can transfer it away.
	Locked *bool `json:"locked,omitempty"`
	// Nameservers (our extension) replaces the domain's name servers: 2
	// to 13 host names.
	Nameservers []string `json:"nameservers,omitempty"`
	// DNSSEC (our extension) replaces the domain's DS records; a DNSSEC
	// with no records turns DNSSEC off.
	DNSSEC *DNSSEC `json:"dnssec,omitempty"`
	// Contacts changes the registrant and the other roles (this server's
	// extension); roles left out stay. A material change of registrant
	// (name, organisation or email) waits in action_required
	// (ActionRegistrantChangeConfirmationPending) for the prior and the
	// new registrant to confirm, then locks the domain against transfers
	// out for 60 days.
	Contacts *Contacts `json:"contacts,omitempty"`
	// TransferLockOptOut waives that 60-day lock (this server's).
	TransferLockOptOut bool `json:"transfer_lock_opt_out,omitempty"`
}

// Bool returns a pointer to v, for UpdateRequest.AutoRenew and Locked.
func Bool(v bool) *bool { return &v }

// Tier is a domain's pricing tier.
type Tier string

// The pricing tiers.
const (
	TierStandard Tier = "standard"
	TierPremium  Tier = "premium" // cannot be registered through the API
)

// UnavailableReason is why a domain is not registrable.
type UnavailableReason string

// The reasons a domain is not registrable.
const (
	ReasonExtensionNotSupportedViaAPI    UnavailableReason = "extension_not_supported_via_api"
	ReasonExtensionNotSupported          UnavailableReason = "extension_not_supported"
	ReasonExtensionDisallowsRegistration UnavailableReason = "extension_disallows_registration"
	ReasonDomainPremium                  UnavailableReason = "domain_premium"
	ReasonDomainUnavailable              UnavailableReason = "domain_unavailable"
)

// DomainAvailability is one domain of a check or search result.
type DomainAvailability struct {
	// Name is the domain, in punycode.
	Name string `json:"name"`
	// Registrable says whether the domain can be registered through the
	// API. From Check it is authoritative; from Search, a hint.
	Registrable bool `json:"registrable"`
	// Reason says why a domain is not registrable.
	Reason UnavailableReason `json:"reason,omitempty"`
	// Tier is the pricing tier; always set when Registrable.
	Tier Tier `json:"tier,omitempty"`
	// Pricing is the yearly price; set when Registrable.
	Pricing *Pricing `json:"pricing,omitempty"`
}

// Pricing is a domain's price per year. Amounts are decimal strings.
type Pricing struct {
	// Currency is an ISO 4217 code, e.g. "USD".
	Currency string `json:"currency"`
	// RegistrationCost is the first year's price.
	RegistrationCost string `json:"registration_cost"`
	// RenewalCost is each further year's price.
	RenewalCost string `json:"renewal_cost"`
}

// Extension is an extension (TLD) registrable through the API, with what
// a registration on it needs.
type Extension struct {
	// Metadata names the extension.
	Metadata ExtensionMetadata `json:"metadata"`
	// RegistrationSchema is a JSON Schema of the body of a registration on
	// this extension.
	RegistrationSchema json.RawMessage `json:"registration_schema"`
	// TransferSchema is a JSON Schema of the body of a transfer in on this
	// extension (see Client.TransferIn).
	TransferSchema json.RawMessage `json:"transfer_schema,omitempty"`
}

// ExtensionMetadata names an extension.
type ExtensionMetadata struct {
	// Name is the whole extension, e.g. "co.uk".
	Name string `json:"name"`
	// TLD is its top-level domain, e.g. "uk".
	TLD string `json:"tld"`
}

// SortBy is the order of a list.
type SortBy string

// Sort orders. Registrations sort by the first three, extensions by the
// last three.
const (
	SortByRegistryCreatedAt SortBy = "registry_created_at" // registrations' default
	SortByRegistryExpiresAt SortBy = "registry_expires_at"
	SortByName              SortBy = "name" // extensions' default
	SortByCreatedAt         SortBy = "created_at"
	SortByUpdatedAt         SortBy = "updated_at"
)

// Direction is a sort direction.
type Direction string

// The sort directions.
const (
	Asc  Direction = "asc" // the default
	Desc Direction = "desc"
)

// ListOptions shape a list. Zero values leave the server's defaults.
type ListOptions struct {
	// SortBy is the sort order.
	SortBy SortBy
	// Direction is the sort direction.
	Direction Direction
	// PerPage is the page size, 1 to 50 [20]; the iterator fetches pages
	// of this size as it goes.
	PerPage int
}

// SearchOptions shape a domain search.
type SearchOptions struct {
	// Extensions limits the suggestions to these extensions ("com",
	// "dev"); unsupported ones are ignored. Empty means all.
	Extensions []string
	// Limit is the most suggestions to return, 1 to 50 [20].
	Limit int
}

// RegisterOptions shape a registration request.
type RegisterOptions struct {
	// Async asks the server to answer 202 at once (Prefer: respond-async)
	// instead of holding the request for its sync window.
	Async bool
}

// UpdateOptions shape an update request.
type UpdateOptions struct {
	// Async asks the server to answer 202 at once (Prefer: respond-async).
	Async bool
}

// TransferCheckName is one domain of a transfer check, with the auth code
// the losing registrar gave, when known.
type TransferCheckName struct {
	// DomainName is the domain; Unicode or punycode.
	DomainName string `json:"domain_name"`
	// AuthCode is the transfer authorization code, base64 (RFC 4648 §4,
	// padded) as the API takes it; optional.
	AuthCode string `json:"auth_code,omitempty"`
}

// Transfer check reasons (TransferReason.Code): why a domain cannot be
// transferred in. Cloudflare's SDK lists a few more, of its DNS product.
const (
	TransferReasonDomainUnsupported           = "domain_unsupported"
	TransferReasonExtensionNotSupportedViaAPI = "extension_not_supported_via_api"
	TransferReasonExtensionNotSupported       = "extension_not_supported"
	TransferReasonExtensionDisallowsTransfer  = "extension_disallows_transfer"
	TransferReasonInvalidAuthCodeFormat       = "invalid_auth_code_format"
	TransferReasonInvalidAuthCode             = "invalid_auth_code"
	TransferReasonDomainPremium               = "domain_premium"
	TransferReasonDomainNotExists             = "domain_not_exists"
	TransferReasonDomainOnCloudflare          = "domain_on_cloudflare"
	TransferReasonDomainLocked                = "domain_locked"
	TransferReasonRegistryStatus              = "registry_status"
	TransferReasonOutsideTransferWindow       = "domain_outside_transfer_window"
)

// TransferCheckResult is one domain of a transfer check.
type TransferCheckResult struct {
	// Name is the domain.
	Name string `json:"name"`
	// Transferable says whether a transfer in would be requested.
	Transferable bool `json:"transferable"`
	// Reasons say why a domain is not transferable; empty when it is.
	Reasons []TransferReason `json:"reasons"`
	// Pricing is the transfer's price; set when Transferable.
	Pricing *TransferPricing `json:"pricing,omitempty"`
}

// TransferReason is one reason a domain is not transferable.
type TransferReason struct {
	// Code is machine-readable, e.g. TransferReasonDomainLocked.
	Code string `json:"code"`
}

// TransferPricing is a transfer's price: a transfer adds a year, sold at
// the renewal price. Amounts are decimal strings.
type TransferPricing struct {
	// Currency is an ISO 4217 code, e.g. "USD".
	Currency string `json:"currency"`
	// TransferCost is the transfer's price.
	TransferCost string `json:"transfer_cost"`
	// RenewalCost is each further year's price.
	RenewalCost string `json:"renewal_cost"`
}

// TransferInRequest is the body of a transfer in; the domain is in the
// path. Zero values are left out and the server's defaults apply.
type TransferInRequest struct {
	// AuthCode is the transfer authorization code from the losing
	// registrar, base64 (RFC 4648 §4, padded); required except under .uk.
	AuthCode string `json:"auth_code,omitempty"`
	// AutoRenew opts in to renewing the domain before it expires [false].
	AutoRenew bool `json:"auto_renew,omitempty"`
	// PrivacyMode is the WHOIS privacy mode [PrivacyRedaction].
	PrivacyMode PrivacyMode `json:"privacy_mode,omitempty"`
	// Contacts are the domain's contacts; without a registrant, the
	// account's default contact is used.
	Contacts Contacts `json:"contacts,omitzero"`
	// ContactExtensions are registry-specific registrant values, as the
	// extension's transfer schema describes (see Client.Extension).
	ContactExtensions map[string]any `json:"contact_extensions,omitempty"`
}

// TransferInOptions shape a transfer-in request.
type TransferInOptions struct {
	// Async asks the server to answer 202 at once (Prefer: respond-async)
	// instead of holding the request for its sync window.
	Async bool
}
