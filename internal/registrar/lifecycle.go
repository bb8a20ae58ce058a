package registrar

import (
	"context"
	"time"
)

// A domain's life after its registration (docs/ARCHITECTURE.md, "The life
// of a domain"): renewals, expiry with its grace and redemption periods
// (ICANN ERRP, RFC 3915's RGP), restore and deletion, each driven by the
// environment's clock; and reconciliation with the registry.

// The workflow kinds of a domain's life.
const (
	WorkflowRenewal WorkflowKind = "renewal" // a renewal, explicit or automatic
	WorkflowRestore WorkflowKind = "restore" // an RGP restore during redemption
	WorkflowExpiry  WorkflowKind = "expiry"  // the registry's part of an expiry: the delete that starts redemption
)

// The registration statuses after expiry, as the Cloudflare SDKs name
// them (RegistrationStatus).
const (
	RegistrationExpired          RegistrationStatus = "expired"           // past expires_at, in the auto-renew grace period: renewable at the normal price
	RegistrationRedemptionPeriod RegistrationStatus = "redemption_period" // deleted at the registry; only a restore brings it back
	RegistrationPendingDelete    RegistrationStatus = "pending_delete"    // past redemption; released when it ends
	RegistrationSuspended        RegistrationStatus = "suspended"         // the registry no longer has it for us (reconciliation): never active here
)

// Workflow error codes of renewals and restores.
const (
	CodeDomainMaxTerm       = "domain_max_term"       // the renewal would take the registration past the registry's maximum term
	CodeRenewalWindowClosed = "renewal_window_closed" // the registration expired past its grace period before the renewal succeeded
	CodeNotRestorable       = "not_restorable"        // the registration is not in its redemption period
)

// ExpiryModel is how a registry treats a domain that reaches its expiry
// unrenewed (registries file: expiry_model).
type ExpiryModel string

// The expiry models.
const (
	// ExpiryAutoRenew: the registry renews the domain for a year at
	// expiry and credits a delete sent within its auto-renew grace period
	// (most gTLD registries). The registrar deletes an unrenewed domain at
	// the end of its own grace period, which starts redemption.
	ExpiryAutoRenew ExpiryModel = "autorenew"
	// ExpiryDelete: the registry itself deletes the domain at the end of
	// the grace period (many ccTLD registries); the registrar sends
	// nothing.
	ExpiryDelete ExpiryModel = "delete"
)

// Lifecycle is how an extension's registrations live after their first
// term: when auto-renew starts, the periods after expiry, the restore
// price. Zero fields take the defaults of WithDefaults.
type Lifecycle struct {
	Model ExpiryModel
	// RenewWindow is how long before expiry auto-renew renews [30 days, as
	// Cloudflare charges auto-renewals].
	RenewWindow time.Duration
	// Grace is the auto-renew grace period after expiry, when a renewal
	// still costs the normal price [30 days].
	Grace time.Duration
	// Redemption is the redemption grace period, when only a restore
	// brings a deleted domain back [30 days, RFC 3915].
	Redemption time.Duration
	// PendingDelete is how long a domain stays pendingDelete before the
	// registry releases it [5 days, RFC 3915].
	PendingDelete time.Duration
	// RestoreCents is the restore fee, in the currency's minor unit
	// [the extension's renewal price times 4].
	RestoreCents int64
}

// The defaults of Lifecycle.
const (
	RenewWindowDefault   = 30 * 24 * time.Hour
	GraceDefault         = 30 * 24 * time.Hour
	RedemptionDefault    = 30 * 24 * time.Hour
	PendingDeleteDefault = 5 * 24 * time.Hour
	// MaxRenewWindow bounds RenewWindow: the lifecycle job looks this far
	// ahead of expiry and no further.
	MaxRenewWindow = 90 * 24 * time.Hour
	// MaxTermYears is the longest a registration may run ahead (RFC 5731
	// practice, ICANN RAA): a renewal beyond it is refused with
	// domain_max_term.
	MaxTermYears = 10
)

// WithDefaults returns l with its zero fields set to the defaults; the
// restore fee defaults to four years of renewalCents.
func (l Lifecycle) WithDefaults(renewalCents int64) Lifecycle {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if l.Model == "" {
		l.Model = ExpiryAutoRenew
	}
	def(&l.RenewWindow, RenewWindowDefault)
	def(&l.Grace, GraceDefault)
	def(&l.Redemption, RedemptionDefault)
	def(&l.PendingDelete, PendingDeleteDefault)
	if l.RestoreCents == 0 {
		l.RestoreCents = 4 * renewalCents
	}
	return l
}

// RenewalRequest is the body of POST .../registrations/{domain}/renew
// (ours), and a renewal workflow's request.
type RenewalRequest struct {
	// Years is the term added, 1 to 10 [1].
	Years int `json:"years,omitempty"`
	// CurrentExpiresAt, when given, is the expiry the renewal extends: a
	// request whose registration has moved on (its answer was lost, and a
	// retry comes after the renewal succeeded) gets that renewal back
	// instead of renewing twice. Without it the registration's current
	// expiry is used.
	CurrentExpiresAt *time.Time `json:"current_expires_at,omitempty"`
}

// RestoreRequest is what a registry needs to restore a deleted domain
// in its redemption period (RFC 3915): a restore request, then a
// restore report with the registration data before the delete and now,
// why it is restored, and the registrar's two statements.
type RestoreRequest struct {
	Name string // ASCII
	// DeletedAt and RestoredAt are the report's delTime and resTime.
	DeletedAt, RestoredAt time.Time
	// PreData and PostData describe the registration before the delete
	// and after the restore (the report's preData, postData).
	PreData, PostData string
	Reason            string
	// TransactionID is the clTRID of the request; the report's is
	// derived from it.
	TransactionID string
}

// Lifecycler is what a registry offers beyond Registry for a domain's
// life: delete (which starts redemption at a registry with grace
// periods) and the RGP restore of RFC 3915. eppregistry implements it.
type Lifecycler interface {
	// Delete deletes a domain we sponsor. At a registry with RGP it enters
	// redemption (DomainInfo.RGPStatuses redemptionPeriod).
	Delete(ctx context.Context, name, transactionID string) error
	// Restore restores a domain in redemption: the RGP restore request and
	// its report. A domain already restored is not an error: the report
	// alone is sent when the registry shows pendingRestore, nothing when it
	// shows neither.
	Restore(ctx context.Context, req RestoreRequest) error
}

// The RGP statuses of RFC 3915 (DomainInfo.RGPStatuses).
const (
	RGPAddPeriod       = "addPeriod"
	RGPAutoRenewPeriod = "autoRenewPeriod"
	RGPRenewPeriod     = "renewPeriod"
	RGPTransferPeriod  = "transferPeriod"
	RGPRedemption      = "redemptionPeriod"
	RGPPendingRestore  = "pendingRestore"
	RGPPendingDelete   = "pendingDelete"
)

// RegistrationEvent is one entry of a registration's history: a change
// of its status or expiry, a renewal, a restore, a difference found by
// reconciliation. It is written in the transaction of the change.
type RegistrationEvent struct {
	At   time.Time `json:"at"`
	Type string    `json:"type"` // one of the Event constants
	// Status is the registration's status after the event.
	Status RegistrationStatus `json:"status"`
	// ExpiresAt is the registration's expiry after the event.
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	WorkflowID string     `json:"workflow_id,omitempty"`
	Detail     string     `json:"detail,omitempty"`
}

// The events of a registration's history.
const (
	EventRegistered      = "registered"
	EventRenewed         = "renewed"
	EventRenewalFailed   = "renewal_failed"
	EventExpired         = "expired"
	EventRedemption      = "redemption_period"
	EventPendingDelete   = "pending_delete"
	EventDeleted         = "deleted"
	EventRestored        = "restored"
	EventNotice          = "expiry_notice"
	EventReconciled      = "reconciled" // reconciliation changed ours to the registry's
	EventRegistryMissing = "registry_missing"
)

// RegistrySync is what reconciliation last found for a registration (our
// extension field registry_sync).
type RegistrySync struct {
	// State is in_sync, differs (differences were found and acted on),
	// missing (the registry does not have the name) or foreign (another
	// registrar sponsors it).
	State       string           `json:"state"`
	CheckedAt   time.Time        `json:"checked_at"`
	Differences []SyncDifference `json:"differences"`
}

// The states of RegistrySync.
const (
	SyncInSync  = "in_sync"
	SyncDiffers = "differs"
	SyncMissing = "missing"
	SyncForeign = "foreign"
)

// SyncDifference is one difference reconciliation found between our
// record and the registry's, and what was done about it.
type SyncDifference struct {
	Field    string `json:"field"` // existence, sponsor, expires_at, status:<epp status>, registrant
	Ours     string `json:"ours"`
	Registry string `json:"registry"`
	// Action is what was done: ours_corrected (the registry is the truth:
	// existence, sponsor, expiry), reapplied (we are: locks, by an update
	// workflow), recorded (nothing to do but tell: a registry hold).
	Action string `json:"action"`
}

// The actions of SyncDifference.
const (
	SyncOursCorrected = "ours_corrected"
	SyncReapplied     = "reapplied"
	SyncRecorded      = "recorded"
)

// RenewalState is our extension field `renewal` of a registration: the
// newest renewal workflow of its current term, so that a failed
// auto-renewal shows on the registration itself.
type RenewalState struct {
	WorkflowID   string    `json:"workflow_id"`
	State        State     `json:"state"`
	Automatic    bool      `json:"automatic"`
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}
