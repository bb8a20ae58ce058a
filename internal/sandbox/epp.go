package sandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/openregistrar/registrar/internal/epp"
)

// EPP result codes (RFC 5730 section 3) the sandbox registry answers with;
// the protocol package owns their numbers and texts.
const (
	CodeOK              = epp.CodeOK
	CodePending         = epp.CodePending
	CodeNoMessages      = epp.CodeNoMessages
	CodeAckToDequeue    = epp.CodeAckToDequeue
	CodeMissingParam    = epp.CodeMissingParam
	CodeRangeError      = epp.CodeParamRangeError
	CodeSyntaxError     = epp.CodeParamSyntaxError
	CodeAuthorization   = epp.CodeAuthorizationError
	CodeInvalidAuthInfo = epp.CodeInvalidAuthInfo
	CodeObjectExists    = epp.CodeObjectExists
	CodeObjectNotExists = epp.CodeObjectDoesNotExist
	CodeStatusProhibits = epp.CodeStatusProhibitsOperation
	CodePolicyError     = epp.CodeParamPolicyError
	CodeCommandFailed   = epp.CodeCommandFailed
	CodeAssociation     = epp.CodeAssociationProhibitsOperation

	CodeNotEligibleForRenewal = epp.CodeNotEligibleForRenewal

	CodePendingTransfer        = epp.CodePendingTransfer
	CodeNotPendingTransfer     = epp.CodeNotPendingTransfer
	CodeNotEligibleForTransfer = epp.CodeNotEligibleForTransfer
)

// Response is the EPP-style answer to a command that reached the engine,
// whether it succeeded or not. A command refused by an outage window gets
// no Response (the zero value): it never arrived.
type Response struct {
	// Code is the EPP result code, such as 1000 or 2302.
	Code int
	// Message is the code's EPP text, followed by ": " and a reason for
	// some errors ("Parameter value policy error: curExpDate does not match").
	Message    string
	ClientTRID string
	// ServerTRID is the engine's unique ID for the command (EPP svTRID),
	// "SANDBOX-<log seq>".
	ServerTRID string
}

// Result returns the code and message as the log records them:
// "2302 Object exists".
func (r Response) Result() string {
	if r.Code == 0 {
		return ""
	}
	return strconv.Itoa(r.Code) + " " + r.Message
}

// Error is a command's failure, as the registry answers it: an EPP result
// code and, for some codes, a reason (sent as the result's <extValue>).
// Every error of an Engine command is an *Error. A command that reached
// the engine and failed by the registry's rules is logged and changed
// nothing. CodeCommandFailed (2400) stands for the rest: a command that
// never reached the registry (an outage- name, a closed engine, a context
// ended before it was sent; not logged) or whose outcome is unknown (a
// failure inside the engine, a slow- create whose caller stopped waiting,
// which happened all the same); its cause is in Err, not in Reason.
type Error struct {
	Code   int
	Reason string
	Err    error
}

func (e *Error) Error() string {
	msg := "sandbox: " + strconv.Itoa(e.Code) + " " + resultMessage(e.Code, e.Reason)
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// fail returns the failure of a command with an EPP error code and an
// optional reason.
func fail(code int, reason string) error { return &Error{Code: code, Reason: reason} }

func failf(code int, format string, args ...any) error {
	return fail(code, fmt.Sprintf(format, args...))
}

// commandFailed returns the 2400 of a command that did not reach the
// registry or whose outcome is unknown, with its cause.
func commandFailed(format string, args ...any) error {
	return &Error{Code: CodeCommandFailed, Err: fmt.Errorf(format, args...)}
}

func resultMessage(code int, reason string) string {
	msg := epp.CodeText(code)
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}

// The client statuses a sponsor may add and remove (RFC 5731 section 2.3).
var clientStatuses = map[string]bool{
	"clientDeleteProhibited":   true,
	"clientHold":               true,
	"clientRenewProhibited":    true,
	"clientTransferProhibited": true,
	"clientUpdateProhibited":   true,
}

// The statuses only a server may set (RFC 5731 section 2.3).
var serverStatuses = map[string]bool{
	"ok":                       true,
	"inactive":                 true,
	"pendingCreate":            true,
	"pendingDelete":            true,
	"pendingRenew":             true,
	"pendingTransfer":          true,
	"pendingUpdate":            true,
	"serverDeleteProhibited":   true,
	"serverHold":               true,
	"serverRenewProhibited":    true,
	"serverTransferProhibited": true,
	"serverUpdateProhibited":   true,
}

// scenario is the behaviour the sandbox registry shows for a name.
type scenario string

// The scenarios, named by the prefix of the first label that selects them.
const (
	scenarioNormal  scenario = ""
	scenarioSlow    scenario = "slow-"
	scenarioPending scenario = "pending-"
	scenarioOutage  scenario = "outage-"
	scenarioReject  scenario = "reject-"
	scenarioTaken   scenario = "taken-"
	scenarioPremium scenario = "premium-"

	// The transfer scenarios: names held by OtherRegistrar (transfer.go).
	scenarioXfer        scenario = "xfer-"         // auto-approved after the transfer delay
	scenarioXferAck     scenario = "xfer-ack-"     // approved by the losing registrar at once
	scenarioXferNack    scenario = "xfer-nack-"    // rejected by the losing registrar at once
	scenarioXferLocked  scenario = "xfer-locked-"  // clientTransferProhibited
	scenarioXferNew     scenario = "xfer-new-"     // created less than 60 days ago
	scenarioXferPremium scenario = "xfer-premium-" // premium class
)

// scenarios are matched in order: the longer xfer- prefixes first.
var scenarios = []scenario{scenarioSlow, scenarioPending, scenarioOutage, scenarioReject, scenarioTaken, scenarioPremium,
	scenarioRenewFail, scenarioRenewFlaky, scenarioRenewSlow, scenarioRestoreFail, scenarioXferAck, scenarioXferNack, scenarioXferLocked, scenarioXferNew, scenarioXferPremium, scenarioXfer}

// isXfer reports whether s is one of the transfer scenarios.
func (s scenario) isXfer() bool { return strings.HasPrefix(string(s), string(scenarioXfer)) }

// scenarioOf returns the scenario of a (normalized) name, chosen by the
// start of its first label.
func scenarioOf(name string) scenario {
	first, _, _ := strings.Cut(name, ".")
	for _, s := range scenarios {
		if strings.HasPrefix(first, string(s)) {
			return s
		}
	}
	return scenarioNormal
}

// normalizeName lower-cases an ASCII domain name.
func normalizeName(name string) string { return strings.ToLower(name) }

// validName reports whether name is a syntactically valid ASCII host name
// of at least two labels (RFC 1035, RFC 5891 A-labels).
func validName(name string) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}
