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
