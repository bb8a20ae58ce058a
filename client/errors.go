package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTP error codes: the ErrorItem.Code values this server sends (see its
// docs/API.md). They follow Cloudflare's API reference, and one number
// can have several meanings told apart by the status: 10000 is a
// validation error with 400 (ErrorItem.Pointer names the field), an
// authentication error with 401, a missing permission with 403 and "not
// found" with 404.
const (
	CodeValidation     = 10000 // 400: the request breaks a rule, or the account holds its maximum number of domains
	CodeAuthentication = 10000 // 401: no token, or not a valid one
	CodePermission     = 10000 // 403: the token lacks the scope
	CodeNotFound       = 10000 // 404: no such registration, workflow or extension
	CodeQueryMissing   = 1001  // domain-search without q
	CodeQueryTooLong   = 1002  // domain-search q over 100 characters
	CodeNoDomains      = 1006  // domain-check naming no domain
	CodeTooManyDomains = 1007  // domain-check naming more than 20
	CodeNoValidDomain  = 1008  // domain-check where no name is a domain name
	CodeNoAccount      = 7003  // 404: the account in the path is not the token's

	CodeConflict         = 1005 // a conflict
	CodeBodyTooLarge     = 1013 // the body is too large
	CodeRateLimited      = 971  // over the token's rate limit
	CodeNoRoute          = 7000 // 404: no such route
	CodeMethodNotAllowed = 7001 // method not allowed
	CodeRequestTimeout   = 1408 // the body did not arrive in time
	CodeInternal         = 1500 // a server bug
	CodeUnavailable      = 1503 // the server's database, or a registry, is unavailable
	CodeFeedPruned       = 1410 // 410: Events after a position retention has pruned (ours): resync, restart without After
)

// CodeExistingWorkflow is the code of the message (Message.Code) of a
// Register or TransferIn answered with the workflow an earlier request
// for the domain started: this request was not applied. See
// WorkflowStatus.Existing.
const CodeExistingWorkflow = 1101

// APIError is the error of any request the server answered with a status
// other than 2xx (or with success false). Errors holds the envelope's error
// items; it is empty when the body was not an envelope, and Body then has
// the start of it.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Errors are the envelope's error items.
	Errors []ErrorItem
	// RequestID is the X-Request-Id (or Cloudflare's CF-Ray) of the
	// response; quote it when reporting a problem.
	RequestID string
	// RetryAfter is the response's Retry-After, zero if none.
	RetryAfter time.Duration
	// Body is the start of a body that was not an envelope.
	Body string
}

// Error implements error: the status, then each item's code, message and
// pointer.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "registrar API: %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	for i, it := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "[%d] %s", it.Code, it.Message)
		if it.Pointer != "" {
			fmt.Fprintf(&b, " (at %s)", it.Pointer)
		}
	}
	if len(e.Errors) == 0 && e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request ID %s)", e.RequestID)
	}
	return b.String()
}

// HasCode reports whether any error item has the code.
func (e *APIError) HasCode(code int) bool {
	for _, it := range e.Errors {
		if it.Code == code {
			return true
		}
	}
	return false
}

// ErrorItem is one item of an error envelope's errors.
type ErrorItem struct {
	// Code is the error code, e.g. CodeValidation.
	Code int
	// Message is for people; for a field it names the field.
	Message string
	// Pointer is the JSON Pointer (RFC 6901) of the request field at
	// fault (source.pointer on the wire), e.g. "/contacts/registrant/phone".
	Pointer string
	// DocumentationURL is a page about the error, when given.
	DocumentationURL string
}

type errorItemJSON struct {
	Code             int          `json:"code"`
	Message          string       `json:"message"`
	DocumentationURL string       `json:"documentation_url,omitempty"`
	Source           *errorSource `json:"source,omitempty"`
}

type errorSource struct {
	Pointer string `json:"pointer"`
}

// UnmarshalJSON decodes the wire form, with the pointer in
// source.pointer.
func (it *ErrorItem) UnmarshalJSON(b []byte) error {
	var w errorItemJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*it = ErrorItem{Code: w.Code, Message: w.Message, DocumentationURL: w.DocumentationURL}
	if w.Source != nil {
		it.Pointer = w.Source.Pointer
	}
	return nil
}

// MarshalJSON encodes the wire form.
func (it ErrorItem) MarshalJSON() ([]byte, error) {
	w := errorItemJSON{Code: it.Code, Message: it.Message, DocumentationURL: it.DocumentationURL}
	if it.Pointer != "" {
		w.Source = &errorSource{Pointer: it.Pointer}
	}
	return json.Marshal(w)
}

// ErrGaveUpBlocked is matched (errors.Is) by the error Wait returns when a
// workflow stayed blocked for WaitOptions.MaxBlocked in all. The workflow
// goes on at the server; Wait can be called again later.
var ErrGaveUpBlocked = errors.New("gave up waiting: the workflow stayed blocked too long")

// BlockedError is the error Wait returns when it gives up on a blocked
// workflow. It matches ErrGaveUpBlocked.
type BlockedError struct {
	// Status is the last status read, blocked.
	Status *WorkflowStatus
	// Blocked is how long Wait saw the workflow blocked, in all.
	Blocked time.Duration
}

// Error implements error.
func (e *BlockedError) Error() string {
	msg := fmt.Sprintf("gave up waiting for %s: blocked for %s", e.Status.Context.DomainName, e.Blocked)
	by, reason := e.Status.Context.Blocker()
	if by != "" {
		msg += ", waiting on the " + strings.ReplaceAll(by, "_", " ")
	}
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}

// Is makes errors.Is(err, ErrGaveUpBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrGaveUpBlocked }

// ErrNoAccount is returned by calls made without an account ID: see
// WithAccountID and Client.ForAccount.
var ErrNoAccount = errors.New("client: no account ID: use WithAccountID or Client.ForAccount")

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
// It returns 0 when there is none or it is in the past.
func parseRetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 || n > 1e9 {
			return 0
		}
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
