package registrar

import (
	"context"
	"time"
)

// Transfers is what a registry offers for moving a domain between
// registrars (RFC 5731 §3.1.3 transfer query, §3.2.4 transfer command,
// fee-1.0 for the transfer price). eppregistry implements it; a Registry
// that does not is one whose extensions cannot be transferred here.
// Errors have the kinds of Registry's; an unknown outcome of a transfer
// request (KindUnavailable) is settled with TransferOpQuery, never with a
// second request.
type Transfers interface {
	// TransferInfo is what the registry tells a registrar that is not the
	// sponsor about a domain when given its auth code (an EPP info with
	// authInfo): KindNotFound when no one holds the name, KindRejected
	// with Reason TransferReasonInvalidAuthCode when the code is wrong.
	TransferInfo(ctx context.Context, name, authInfo string) (DomainInfo, error)
	// TransferPrice is the registry's price of a transfer of name (one
	// year added), and whether the registry classes the name premium.
	TransferPrice(ctx context.Context, name string) (TransferPrice, error)
	// Transfer runs one EPP transfer operation on a domain.
	Transfer(ctx context.Context, req TransferRequest) (TransferResult, error)
}

// TransferOp is an EPP transfer operation (RFC 5730 §2.9.3.4).
type TransferOp string

// The transfer operations. The gaining registrar requests, queries and
// cancels; the losing one (the sponsor) approves or rejects.
const (
	TransferOpRequest TransferOp = "request"
	TransferOpQuery   TransferOp = "query"
	TransferOpCancel  TransferOp = "cancel"
	TransferOpApprove TransferOp = "approve"
	TransferOpReject  TransferOp = "reject"
)

// TransferRequest is one transfer operation.
type TransferRequest struct {
	Op   TransferOp
	Name string // ASCII
	// AuthInfo is the domain's auth code (request; query by the gaining
	// registrar).
	AuthInfo string
	// Years is the period added by the transfer (request), usually 1.
	Years int
	// TransactionID is the client transaction ID (EPP clTRID) of this
	// attempt; the outcome's poll message is matched on the domain.
	TransactionID string
}

// The transfer statuses of RFC 5730 §2.9.3.4 (trStatus).
const (
	TransferPending         = "pending"
	TransferClientApproved  = "clientApproved"
	TransferClientCancelled = "clientCancelled"
	TransferClientRejected  = "clientRejected"
	TransferServerApproved  = "serverApproved"
	TransferServerCancelled = "serverCancelled"
)

// TransferResult is a registry's transfer data (trnData): the state of
// the domain's latest transfer.
type TransferResult struct {
	Name string
	// Status is one of the Transfer* statuses.
	Status string
	// RequestingID and ActingID are the gaining and the losing registrar.
	RequestingID, ActingID string
	// RequestedAt is when it was requested; ActBy when the losing
	// registrar must act by, or the status's date once settled.
	RequestedAt, ActBy time.Time
	// ExpiresAt is the domain's expiry after the transfer, when the
	// registry says.
	ExpiresAt time.Time
	// Pending is an EPP 1001 answer: the request awaits the losing
	// registrar.
	Pending bool
	// ServerTransactionID is the registry's ID for the command (svTRID).
	ServerTransactionID string
}

// TransferPrice is a registry's price of a transfer.
type TransferPrice struct {
	Currency string
	// Transfer is the transfer fee (one year added) and Renewal the
	// yearly renewal fee, as decimal strings.
	Transfer, Renewal string
	Premium           bool
}

// The reasons of a domain-transfer-check answer, as the TypeScript SDK
// (npm cloudflare 7.3.0, resources/registrar/registrar.d.ts) enumerates
// them. Those of Cloudflare's DNS product (zone_not_found,
// zone_status_invalid, invalid_zone_plan, dnssec_enabled) are never sent:
// this registrar hosts no zones. domain_on_cloudflare is the reference's
// "already here": the name is sponsored by this registrar.
const (
	TransferReasonExtensionNotSupportedViaAPI = "extension_not_supported_via_api"
	TransferReasonExtensionNotSupported       = "extension_not_supported"
	TransferReasonDomainPremium               = "domain_premium"
	TransferReasonExtensionDisallowsTransfer  = "extension_disallows_transfer"
	TransferReasonDomainNotExists             = "domain_not_exists"
	TransferReasonAlreadyHere                 = "domain_on_cloudflare"
	TransferReasonDomainLocked                = "domain_locked"
	TransferReasonRegistryStatus              = "registry_status"
	TransferReasonOutsideTransferWindow       = "domain_outside_transfer_window"
	TransferReasonMaxTerm                     = "domain_max_term"
	TransferReasonInvalidAuthCode             = "invalid_auth_code"
	TransferReasonInvalidAuthCodeFormat       = "invalid_auth_code_format"
	TransferReasonDomainUnsupported           = "domain_unsupported"
)

// The workflow kinds of transfers: a transfer in from another registrar
// (GET .../transfer-in-status), and a transfer out that another registrar
// asked for (ours: GET .../transfer-out-status).
const (
	WorkflowTransferIn  WorkflowKind = "transfer_in"
	WorkflowTransferOut WorkflowKind = "outbound_transfer"
)

// RegistrationTransferPending is the status of a registration while its
// transfer in runs (the SDK's registration status enum).
const RegistrationTransferPending RegistrationStatus = "transfer_pending"

// Workflow error codes of transfers (docs/API.md). A transfer in refused
// before its request was sent fails with the transfer-check reason that
// refused it (domain_locked, domain_premium, invalid_auth_code, …).
const (
	// CodeTransferRejected: the losing registrar rejected the transfer.
	CodeTransferRejected = "transfer_rejected"
	// CodeTransferCancelled: the transfer was cancelled, by the account
	// (DELETE .../transfer-in) or by the registry.
	CodeTransferCancelled = "transfer_cancelled"
)

// TransferInRequest is the body of POST /registrations/{domain}/transfer-in
// and, once validated, what a transfer-in workflow stores. The extension's
// transfer schema (Extension.TransferSchema) holds every rule of its
// fields; internal/schema applies it.
type TransferInRequest struct {
	// AuthCode is the domain's auth code as sent: base64 (RFC 4648 §4).
	AuthCode          string         `json:"auth_code,omitempty"`
	AutoRenew         bool           `json:"auto_renew"`
	PrivacyMode       PrivacyMode    `json:"privacy_mode,omitempty"`
	Contacts          Contacts       `json:"contacts"`
	ContactExtensions map[string]any `json:"contact_extensions,omitempty"`
	// DomainName (ASCII) and Extension come from the path, never a body.
	DomainName string `json:"-"`
	Extension  string `json:"-"`
}

// TransferCheckName is one name of a domain-transfer-check, with its auth
// code as sent (base64), if any.
type TransferCheckName struct {
	DomainName string `json:"domain_name"`
	AuthCode   string `json:"auth_code,omitempty"`
}

// TransferAvailability is one answer of a domain-transfer-check.
type TransferAvailability struct {
	Name         string // ASCII
	Transferable bool
	// Reasons are TransferReason* codes; empty when transferable.
	Reasons []string
	// Pricing, when transferable: the transfer (one year added) and the
	// yearly renewal.
	Currency, TransferCost, RenewalCost string
}

// TransferOutDecision is the account's answer to a transfer out
// (POST .../transfer-out/approve or reject).
type TransferOutDecision string

// The decisions.
const (
	TransferOutApprove TransferOutDecision = "approve"
	TransferOutReject  TransferOutDecision = "reject"
)

// TransferWindowDays is how long after its creation (or its last
// transfer) a domain cannot be transferred (ICANN Transfer Policy I.A.3.7:
// 60 days).
const TransferWindowDays = 60

// TransferBlockers are the transfer-check reasons that the registry's
// data about a domain (TransferInfo) gives: transfer-prohibited statuses
// (domain_locked), pending states (registry_status), creation within
// TransferWindowDays of now (domain_outside_transfer_window). None: the
// data does not stand in the way.
func TransferBlockers(info DomainInfo, now time.Time) []string {
	var out []string
	add := func(r string) {
		for _, have := range out {
			if have == r {
				return
			}
		}
		out = append(out, r)
	}
	for _, s := range info.Statuses {
		switch s {
		case "clientTransferProhibited", "serverTransferProhibited":
			add(TransferReasonDomainLocked)
		case "pendingTransfer", "pendingDelete", "pendingCreate", "redemptionPeriod", "pendingRestore":
			add(TransferReasonRegistryStatus)
		}
	}
	if !info.CreatedAt.IsZero() && now.Before(info.CreatedAt.AddDate(0, 0, TransferWindowDays)) {
		add(TransferReasonOutsideTransferWindow)
	}
	return out
}

// TransferReasonOf is the transfer-check reason of a registry's refusal:
// its Reason when the registry gave one; domain_not_exists for
// KindNotFound; "" otherwise.
func TransferReasonOf(err error) string {
	e := AsError(err)
	switch {
	case e == nil:
		return ""
	case e.Reason != "":
		return e.Reason
	case e.Kind == KindNotFound:
		return TransferReasonDomainNotExists
	}
	return ""
}
