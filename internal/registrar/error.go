package registrar

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an Error. The HTTP layer maps kinds to statuses in one
// table; the registry adapters map registry result codes to kinds in one
// table. Nothing else inspects error strings.
type Kind uint8

// The kinds of error.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure; details go to the log only
	KindInvalid                  // the request is malformed or breaks a rule; do not retry unchanged
	KindUnauthorized             // no credentials, or credentials that are not valid
	KindForbidden                // valid credentials without the scope the operation needs
	KindNotFound                 // no such resource, or one the caller may not see
	KindConflict                 // the resource exists or is in a state that forbids the operation
	KindQuota                    // an account limit (such as the number of domains) is reached
	KindTooLarge                 // the request body is over the size limit
	KindRateLimited              // too many requests; retry after a while
	KindUnavailable              // a dependency (registry, database) is unreachable; retry later
	KindRejected                 // a registry refused the operation by policy; do not retry unchanged
)

var kindNames = [...]string{
	KindInternal:     "internal",
	KindInvalid:      "invalid",
	KindUnauthorized: "unauthorized",
	KindForbidden:    "forbidden",
	KindNotFound:     "not_found",
	KindConflict:     "conflict",
	KindQuota:        "quota",
	KindTooLarge:     "too_large",
	KindRateLimited:  "rate_limited",
	KindUnavailable:  "unavailable",
	KindRejected:     "rejected",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// FieldError names one offending request field and what is wrong with it.
type FieldError struct {
	Pointer string // RFC 6901 JSON Pointer into the request body, or a query parameter as "?name"
	Message string
}

// Error is the one error type of the project. Op says what was being done
// ("store.CreateRegistration", "sandbox.Create"); Message is safe to show to
// API users; Err is the cause, for the log only.
type Error struct {
	Kind    Kind
	Op      string
	Message string
	// Fields lists the offending request fields, one per violation.
	Fields []FieldError
	// Rule, when set, names the rule a KindInvalid request broke, for the
	// few rules the API reports with an error code of their own.
	Rule Rule
	// Reason, when set, is why a registry refused a transfer, as one of
	// the TransferReason* values (KindRejected, KindNotFound): the
	// registry adapters set it from the registry's result code, so that
	// a transfer check can report it without reading Message.
	Reason string
	// RetryAfterSeconds, when positive, tells a client when to try again
	// (KindRateLimited, KindUnavailable).
	RetryAfterSeconds int
	Err               error
}

// Rule names a request rule whose violation Cloudflare's API reference
// reports with a code of its own (the HTTP layer maps rules to codes);
// other violations are told apart by their pointer and message.
type Rule string

// The rules with codes of their own.
const (
	RuleDomainsEmpty   Rule = "domains_empty"    // a domain check names no domain
	RuleDomainsTooMany Rule = "domains_too_many" // a domain check names more than it may
	RuleNoValidDomain  Rule = "no_valid_domain"  // no name of a domain check is a domain name
	RuleQueryMissing   Rule = "query_missing"    // a domain search without a query
	RuleQueryTooLong   Rule = "query_too_long"   // a domain search query over its length limit
)

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k for operation op with a formatted,
// user-safe message.
func Errorf(k Kind, op, format string, args ...any) *Error {
	return &Error{Kind: k, Op: op, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k for op caused by err. The message shown to
// users is msg; err itself is only logged.
func Wrap(k Kind, op string, err error, msg string) *Error {
	return &Error{Kind: k, Op: op, Message: msg, Err: err}
}

// Invalid returns a KindInvalid error for one field.
func Invalid(op, pointer, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: KindInvalid, Op: op, Message: msg, Fields: []FieldError{{Pointer: pointer, Message: msg}}}
}

// InvalidRule returns a KindInvalid error for one field that breaks rule.
func InvalidRule(op string, rule Rule, pointer, format string, args ...any) *Error {
	e := Invalid(op, pointer, format, args...)
	e.Rule = rule
	return e
}

// KindOf returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err's kind is k.
func IsKind(err error, k Kind) bool {
	return err != nil && KindOf(err) == k
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
