package registrar

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Env separates live registrations from those made through the sandbox API
// (`/registrar-sandbox/`). The two never see each other's registrations or
// workflows; sandbox registrations are never billed.
type Env string

// The environments.
const (
	EnvLive    Env = "live"
	EnvSandbox Env = "sandbox"
)

// Valid reports whether e is a known environment.
func (e Env) Valid() bool { return e == EnvLive || e == EnvSandbox }

// State is a workflow's lifecycle state, as the API reports it.
type State string

// The workflow states. See docs/ARCHITECTURE.md for the transitions.
const (
	StatePending        State = "pending"         // accepted, not started
	StateInProgress     State = "in_progress"     // working; has an internal deadline
	StateActionRequired State = "action_required" // paused until the user acts; expires
	StateBlocked        State = "blocked"         // waiting on a third party; gives up after a while
	StateSucceeded      State = "succeeded"       // terminal
	StateFailed         State = "failed"          // terminal; ErrorCode says why
)

// Terminal reports whether s is succeeded or failed.
func (s State) Terminal() bool { return s == StateSucceeded || s == StateFailed }

// WorkflowKind says what a workflow does.
type WorkflowKind string

// The workflow kinds.
const (
	WorkflowRegistration WorkflowKind = "registration"
	WorkflowUpdate       WorkflowKind = "update"
)

// Workflow error codes: the `error.code` of a failed workflow. They are
// separate from HTTP error codes and listed in docs/API.md.
const (
	CodeDomainUnavailable = "domain_unavailable" // the registry (or another account) already has the name
	CodeDomainPremium     = "domain_premium"     // premium names cannot be registered through the API
	CodeRegistryRejected  = "registry_rejected"  // the registry refused the create; message has its reason
	CodeActionExpired     = "action_expired"     // the user did not act before the action expired
	CodeDeadlineExceeded  = "deadline_exceeded"  // the workflow ran out of time (in progress or blocked too long)
	CodeQuotaExceeded     = "quota_exceeded"     // the account holds its maximum number of domains
	CodeInternalError     = "internal_error"     // a bug; the log has details under the workflow ID
)

// Workflow is a durable, resumable operation on one domain. Its state lives
// in the database; each step runs as a job.
type Workflow struct {
	ID        string
	AccountID string
	Env       Env
	Kind      WorkflowKind
	Domain    string // ASCII form
	State     State
	Step      string // the step that runs next (or ran last, when terminal)
	Version   int64  // incremented on every change, for optimistic concurrency
	// Context is the public `context` object of the status, as JSON.
	Context json.RawMessage
	// Data is the workflow's private state (the request, registry
	// references), as JSON. Never shown to users.
	Data         json.RawMessage
	ErrorCode    string
	ErrorMessage string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Deadline is when a non-terminal workflow gives up; zero when terminal.
	Deadline time.Time
	// RegistryTRID is the client transaction ID of a registry command that
	// went pending; the registry's poll message names it.
	RegistryTRID string
	// Existing is not stored: StartRegistration and StartTransferIn set it
	// when they return the account's workflow for the domain that an
	// earlier request started (the domain name is the idempotency key),
	// so that the API can tell a repeat from a new workflow.
	Existing bool
}

// Completed reports whether the workflow is in a terminal state.
func (w *Workflow) Completed() bool { return w.State.Terminal() }

// StatusContext is the public `context` of a workflow status. The keys
// Cloudflare documents (action, confirmation_sent_to, blocked_by, detail,
// fields_updated, pending_registry_confirmation, registration) keep their
// names and meaning; the others are ours and documented in docs/API.md.
type StatusContext struct {
	DomainName string `json:"domain_name"`
	// Action names what the user must do while action_required: one of
	// the Action constants.
	Action string `json:"action,omitempty"`
	// ConfirmationSentTo is where the confirmation for Action went,
	// masked by MaskEmail ("a***@example.com"): the full address never
	// appears in the API.
	ConfirmationSentTo string `json:"confirmation_sent_to,omitempty"`
	// Awaiting (ours) names the parties a change of registrant still waits
	// for (PartyPriorRegistrant, PartyNewRegistrant), and
	// ConfirmationsSentTo where each one's link went, masked by MaskEmail.
	Awaiting            []string          `json:"awaiting,omitempty"`
	ConfirmationsSentTo map[string]string `json:"confirmations_sent_to,omitempty"`
	// TransferLockedUntil (ours) is the end of the 60-day lock against
	// transfers out that a change of registrant set.
	TransferLockedUntil *time.Time `json:"transfer_locked_until,omitempty"`
	// ActionExpiresAt is when an action_required workflow fails with action_expired.
	ActionExpiresAt *time.Time `json:"action_expires_at,omitempty"`
	// BlockedBy names the third party a blocked workflow waits for: one of
	// the BlockedBy constants.
	BlockedBy string `json:"blocked_by,omitempty"`
	// Detail says in a sentence why the workflow is blocked, for humans.
	Detail string `json:"detail,omitempty"`
	// NextAttemptAt is ours: when a blocked workflow next tries again on
	// its own, when it knows (absent while it waits for a registry's
	// message). The API's Retry-After on the status is the time until it.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// WaitingOn is ours, from before blocked_by: the same value.
	WaitingOn string `json:"waiting_on,omitempty"`
	// BlockedReason is ours, from before detail: the reason as a clause.
	BlockedReason string `json:"blocked_reason,omitempty"`
	// FieldsUpdated names the settings an update workflow changes.
	FieldsUpdated []string `json:"fields_updated,omitempty"`
	// PendingRegistryConfirmation is true while an update workflow has not
	// yet been confirmed (applied) by the registry.
	PendingRegistryConfirmation bool `json:"pending_registry_confirmation,omitempty"`
	// Changes are the requested changes of an update workflow, with their
	// values (ours).
	Changes map[string]any `json:"changes,omitempty"`
	// TransferActBy is ours: when the losing registrar must act on a
	// transfer by, after which the registry approves it (transfer in
	// and outbound transfer workflows).
	TransferActBy *time.Time `json:"transfer_act_by,omitempty"`
	// Registration is the resulting registration, on success.
	Registration *Registration `json:"registration,omitempty"`
}

// Actions a workflow may wait for while action_required
// (StatusContext.Action).
const (
	// ActionRegistrantEmailConfirmationPending: the registrant must open
	// the link sent to the address in confirmation_sent_to. The value is
	// the one of Cloudflare's API reference.
	ActionRegistrantEmailConfirmationPending = "registrant_email_confirmation_pending"
)

// Third parties a blocked workflow may wait for (StatusContext.BlockedBy),
// as Cloudflare's API reference names them.
const (
	BlockedByRegistry        = "registry"
	BlockedByLosingRegistrar = "losing_registrar"
)

// Blocked returns the context of a workflow blocked by a third party:
// blocked_by and detail, and our waiting_on and blocked_reason. reason is
// a clause ("the registry is unreachable; retrying"); detail is it as a
// sentence.
func Blocked(by, reason string) StatusContext {
	return StatusContext{BlockedBy: by, Detail: sentence(reason), WaitingOn: by, BlockedReason: reason}
}

// sentence capitalises a clause's first letter and ends it with a period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// MaskEmail hides an email address as Cloudflare's API shows one: the
// first character of the local part, "***", and the domain
// ("ada@example.com" gives "a***@example.com"). Anything without an @
// is masked whole.
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "***"
	}
	local, domain := addr[:at], addr[at:]
	if local == "" {
		return "***" + domain
	}
	_, n := utf8.DecodeRuneInString(local)
	return local[:n] + "***" + domain
}

// RegistrationStatus is the status of a registration resource.
type RegistrationStatus string

// The registration statuses.
const (
	RegistrationPending RegistrationStatus = "registration_pending"
	RegistrationActive  RegistrationStatus = "active"
)

// PrivacyMode is the WHOIS privacy mode of a registration.
type PrivacyMode string

// The privacy modes.
const (
	PrivacyRedaction PrivacyMode = "redaction"
	PrivacyOff       PrivacyMode = "off"
)

// Registration is a domain held (or being registered) by an account. Its
// JSON form is the API's Registration object.
type Registration struct {
	AccountID   string             `json:"-"`
	Env         Env                `json:"-"`
	WorkflowID  string             `json:"-"`
	DomainName  string             `json:"domain_name"`
	Status      RegistrationStatus `json:"status"`
	CreatedAt   time.Time          `json:"created_at"`
	ExpiresAt   *time.Time         `json:"expires_at"`
	AutoRenew   bool               `json:"auto_renew"`
	Locked      bool               `json:"locked"`
	PrivacyMode PrivacyMode        `json:"privacy_mode"`
	// Nameservers and DNSSEC are ours: the name servers and DS records
	// the registry has for the domain.
	Nameservers []string `json:"nameservers,omitempty"`
	DNSSEC      *DNSSEC  `json:"dnssec,omitempty"`
	// Renewal is ours: the newest renewal of the current term, when
	// there is one (a failed auto-renewal shows here).
	Renewal *RenewalState `json:"renewal,omitempty"`
	// RegistrySync is ours: what reconciliation with the registry last
	// found, once it has checked.
	RegistrySync *RegistrySync `json:"registry_sync,omitempty"`
}

// Scope is a permission carried by an API token.
type Scope string

// The token scopes.
const (
	ScopeRead  Scope = "registrar:read"
	ScopeWrite Scope = "registrar:write"
)

// Principal is the authenticated caller of an API request.
type Principal struct {
	AccountID string
	TokenID   string
	Scopes    []Scope
	// SandboxOnly: the token may not reach the live environment.
	SandboxOnly bool
	// ExpiresAt is when the token expires; zero: never.
	ExpiresAt time.Time
}

// Can reports whether the principal holds scope s.
func (p Principal) Can(s Scope) bool {
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// Account owns registrations and API tokens.
type Account struct {
	ID        string
	Name      string
	CreatedAt time.Time
	// DefaultContact is used as the registrant when a registration request
	// names none.
	DefaultContact *Contact
}

// Sort orders for listing registrations.
const (
	SortCreatedAt = "registry_created_at"
	SortExpiresAt = "registry_expires_at"
	SortName      = "name"
)

// ListOptions select a page of registrations.
type ListOptions struct {
	SortBy     string // one of the Sort constants; default SortCreatedAt
	Descending bool
	PerPage    int    // 1 to MaxPerPage; default DefaultPerPage
	Cursor     string // opaque, from a previous page; "" for the first
}

// Paging limits, of every cursor list (registrations and extensions).
const (
	DefaultPerPage = 20
	MaxPerPage     = 50
)

// Page is one page of a cursor-paginated list.
type Page[T any] struct {
	Items []T
	// Next is the cursor of the next page, or "" on the last page.
	Next string
}
