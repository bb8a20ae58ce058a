package epp

import (
	"fmt"
	"strings"
)

// Result codes of RFC 5730 §3 (epp-1.0.xsd resultCodeType), all 34 of them.
const (
	CodeOK                            = 1000 // Command completed successfully
	CodePending                       = 1001 // Command completed successfully; action pending
	CodeNoMessages                    = 1300 // Command completed successfully; no messages
	CodeAckToDequeue                  = 1301 // Command completed successfully; ack to dequeue
	CodeEndingSession                 = 1500 // Command completed successfully; ending session
	CodeUnknownCommand                = 2000 // Unknown command
	CodeSyntaxError                   = 2001 // Command syntax error
	CodeUseError                      = 2002 // Command use error
	CodeMissingParam                  = 2003 // Required parameter missing
	CodeParamRangeError               = 2004 // Parameter value range error
	CodeParamSyntaxError              = 2005 // Parameter value syntax error
	CodeUnimplementedVersion          = 2100 // Unimplemented protocol version
	CodeUnimplementedCommand          = 2101 // Unimplemented command
	CodeUnimplementedOption           = 2102 // Unimplemented option
	CodeUnimplementedExtension        = 2103 // Unimplemented extension
	CodeBillingFailure                = 2104 // Billing failure
	CodeNotEligibleForRenewal         = 2105 // Object is not eligible for renewal
	CodeNotEligibleForTransfer        = 2106 // Object is not eligible for transfer
	CodeAuthenticationError           = 2200 // Authentication error
	CodeAuthorizationError            = 2201 // Authorization error
	CodeInvalidAuthInfo               = 2202 // Invalid authorization information
	CodePendingTransfer               = 2300 // Object pending transfer
	CodeNotPendingTransfer            = 2301 // Object not pending transfer
	CodeObjectExists                  = 2302 // Object exists
	CodeObjectDoesNotExist            = 2303 // Object does not exist
	CodeStatusProhibitsOperation      = 2304 // Object status prohibits operation
	CodeAssociationProhibitsOperation = 2305 // Object association prohibits operation
	CodeParamPolicyError              = 2306 // Parameter value policy error
	CodeUnimplementedObjectService    = 2307 // Unimplemented object service
	CodeDataMgmtPolicyViolation       = 2308 // Data management policy violation
	CodeCommandFailed                 = 2400 // Command failed
	CodeCommandFailedClosing          = 2500 // Command failed; server closing connection
	CodeAuthErrorClosing              = 2501 // Authentication error; server closing connection
	CodeSessionLimitExceeded          = 2502 // Session limit exceeded; server closing connection
)

var codeTexts = map[int]string{
	CodeOK:                            "Command completed successfully",
	CodePending:                       "Command completed successfully; action pending",
	CodeNoMessages:                    "Command completed successfully; no messages",
	CodeAckToDequeue:                  "Command completed successfully; ack to dequeue",
	CodeEndingSession:                 "Command completed successfully; ending session",
	CodeUnknownCommand:                "Unknown command",
	CodeSyntaxError:                   "Command syntax error",
	CodeUseError:                      "Command use error",
	CodeMissingParam:                  "Required parameter missing",
	CodeParamRangeError:               "Parameter value range error",
	CodeParamSyntaxError:              "Parameter value syntax error",
	CodeUnimplementedVersion:          "Unimplemented protocol version",
	CodeUnimplementedCommand:          "Unimplemented command",
	CodeUnimplementedOption:           "Unimplemented option",
	CodeUnimplementedExtension:        "Unimplemented extension",
	CodeBillingFailure:                "Billing failure",
	CodeNotEligibleForRenewal:         "Object is not eligible for renewal",
	CodeNotEligibleForTransfer:        "Object is not eligible for transfer",
	CodeAuthenticationError:           "Authentication error",
	CodeAuthorizationError:            "Authorization error",
	CodeInvalidAuthInfo:               "Invalid authorization information",
	CodePendingTransfer:               "Object pending transfer",
	CodeNotPendingTransfer:            "Object not pending transfer",
	CodeObjectExists:                  "Object exists",
	CodeObjectDoesNotExist:            "Object does not exist",
	CodeStatusProhibitsOperation:      "Object status prohibits operation",
	CodeAssociationProhibitsOperation: "Object association prohibits operation",
	CodeParamPolicyError:              "Parameter value policy error",
	CodeUnimplementedObjectService:    "Unimplemented object service",
	CodeDataMgmtPolicyViolation:       "Data management policy violation",
	CodeCommandFailed:                 "Command failed",
	CodeCommandFailedClosing:          "Command failed; server closing connection",
	CodeAuthErrorClosing:              "Authentication error; server closing connection",
	CodeSessionLimitExceeded:          "Session limit exceeded; server closing connection",
}

// CodeText returns the standard English message of an RFC 5730 result
// code, exactly as the RFC spells it, or "" for a code EPP does not define.
func CodeText(code int) string { return codeTexts[code] }

// ValidCode reports whether code is one of the 34 RFC 5730 result codes.
func ValidCode(code int) bool { _, ok := codeTexts[code]; return ok }

// Error is a server's failure answer: a response whose (first) result code
// is 2000 or above. Response.Err returns it so that a client can use
// errors.As. Mapping codes to application errors is left to the caller.
type Error struct {
	Code   int    // result code, 2000-2502
	Msg    string // the server's <msg>
	Reason string // the first <extValue> reason of that result, if any
	ClTRID string // echoed client transaction ID ("" if none)
	SvTRID string // server transaction ID
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "epp: %d %s", e.Code, e.Msg)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	fmt.Fprintf(&b, " (clTRID %q, svTRID %q)", e.ClTRID, e.SvTRID)
	return b.String()
}

// FormatError reports a message that cannot be encoded or decoded: bad
// XML, a violation of the EPP schemas, a missing element, a value of the
// wrong syntax, or a command this package does not model.
//
// It is returned by every Parse function and every Marshal method. Code
// is the result code a server should answer a command with:
//   - CodeSyntaxError (2001): malformed XML, wrong structure, unexpected
//     or repeated elements, a message beyond the parser's limits (then
//     errors.Is(err, ErrLimit));
//   - CodeUnknownCommand (2000): an element that is no EPP command;
//   - CodeMissingParam (2003): a required element, attribute or value is
//     missing;
//   - CodeParamRangeError (2004): a number (period, year) out of range;
//   - CodeParamSyntaxError (2005): a bad value (length, pattern,
//     enumeration, date, boolean, decimal);
//   - CodeUnimplementedVersion (2100): login version other than 1.0;
//   - CodeUnimplementedCommand (2101): an EPP command not modelled here
//     (delete, transfer, contact check, host info...);
//   - CodeUnimplementedOption (2102): an option not modelled here
//     (authInfo roid, ext or null; hostAttr; contact disclose);
//   - CodeUnimplementedObjectService (2307): an unknown object namespace.
//
// A FormatError is never a server's answer: see Error for that.
type FormatError struct {
	Code   int
	Field  string // element or attribute, e.g. "domain:period", "clTRID", "poll@op"
	Reason string
	// ClTRID is the command's clTRID when ParseCommand could read a valid
	// one before failing, so that a server can echo it.
	ClTRID string
	// Err is the XML parser's error for malformed XML; it matches
	// ErrLimit when the message exceeds the parser's limits.
	Err error
}

// Unwrap returns Err.
func (e *FormatError) Unwrap() error { return e.Err }

func (e *FormatError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("epp: %s (%d)", e.Reason, e.Code)
	}
	return fmt.Sprintf("epp: %s: %s (%d)", e.Field, e.Reason, e.Code)
}

// Result returns the <result> a server should answer with: the error's
// code and standard message, and the field and reason as an <extValue>.
func (e *FormatError) Result() Result {
	r := Result{Code: e.Code, Msg: CodeText(e.Code)}
	reason := e.Reason
	if e.Field != "" {
		reason = e.Field + ": " + reason
	}
	reason = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || !isXMLChar(r) {
			return ' '
		}
		return r
	}, reason)
	r.Values = []Value{{Reason: reason}}
	return r
}
