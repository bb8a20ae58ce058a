package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// HTTP-only kinds: the core never needs them.
const (
	kindMethodNotAllowed registrar.Kind = 255
	// kindRequestTimeout: the client did not send its body within the
	// server's read timeout.
	kindRequestTimeout registrar.Kind = 254
	// kindNoRoute: no route has the request's path.
	kindNoRoute registrar.Kind = 253
	// kindNoAccount: the path's account is not the token's (or not an
	// account at all: the two are not told apart).
	kindNoAccount registrar.Kind = 252
	// kindGone: the event feed was pruned past the position a reader
	// asked to resume after.
	kindGone registrar.Kind = 251
)

// HTTP error codes (`errors[].code`), all listed in docs/API.md. The
// first group are the codes of Cloudflare's API reference; the second
// are ours, where the reference has none. A code is told apart by its
// status where one number has several uses (10000: 400 validation, 401
// authentication, 403 permission, 404 not found).
const (
	CodeValidation     = 10000 // 400: the request breaks a rule (with source.pointer for a body field), or the account's domain limit
	CodeNotFound       = 10000 // 404: no such registration, workflow or extension
	CodeAuthentication = 10000 // 401: no token, or not a valid one
	CodePermission     = 10000 // 403: the token lacks the scope (Cloudflare's "Authentication error" for a token without the permission)
	CodeQueryMissing   = 1001  // domain-search without q
	CodeQueryTooLong   = 1002  // domain-search q over 100 characters
	CodeNoDomains      = 1006  // domain-check naming no domain
	CodeTooManyDomains = 1007  // domain-check naming more than 20
	CodeNoValidDomain  = 1008  // domain-check where no name is a domain name
	CodeNoAccount      = 7003  // 404: the path's account is not the token's

	CodeConflict         = 1005
	CodeBodyTooLarge     = 1013
	CodeRequestTimeout   = 1408
	CodeRateLimited      = 971
	CodeNoRoute          = 7000
	CodeMethodNotAllowed = 7001
	CodeUnavailable      = 1503
	CodeInternal         = 1500
	CodeFeedPruned       = 1410 // 410: GET events after a position retention has pruned
)

// errorMapping is the one table from error kinds to HTTP: the status, the
// error code, and whether a client may retry unchanged.
var errorMapping = map[registrar.Kind]struct {
	status int
	code   int
	retry  bool
}{
	registrar.KindInvalid:      {http.StatusBadRequest, CodeValidation, false},
	registrar.KindUnauthorized: {http.StatusUnauthorized, CodeAuthentication, false},
	registrar.KindForbidden:    {http.StatusForbidden, CodePermission, false},
	registrar.KindNotFound:     {http.StatusNotFound, CodeNotFound, false},
	registrar.KindConflict:     {http.StatusConflict, CodeConflict, false},
	registrar.KindQuota:        {http.StatusBadRequest, CodeValidation, false},
	registrar.KindTooLarge:     {http.StatusRequestEntityTooLarge, CodeBodyTooLarge, false},
	registrar.KindRateLimited:  {http.StatusTooManyRequests, CodeRateLimited, true},
	registrar.KindUnavailable:  {http.StatusServiceUnavailable, CodeUnavailable, true},
	registrar.KindRejected:     {http.StatusUnprocessableEntity, CodeValidation, false},
	registrar.KindInternal:     {http.StatusInternalServerError, CodeInternal, true},
	kindMethodNotAllowed:       {http.StatusMethodNotAllowed, CodeMethodNotAllowed, false},
	kindRequestTimeout:         {http.StatusRequestTimeout, CodeRequestTimeout, true},
	kindNoRoute:                {http.StatusNotFound, CodeNoRoute, false},
	kindNoAccount:              {http.StatusNotFound, CodeNoAccount, false},
	kindGone:                   {http.StatusGone, CodeFeedPruned, false},
}

// ruleCodes are the codes of the rules the API reference gives codes of
// their own (all KindInvalid, 400); other violations get their kind's.
var ruleCodes = map[registrar.Rule]int{
	registrar.RuleDomainsEmpty:   CodeNoDomains,
	registrar.RuleDomainsTooMany: CodeTooManyDomains,
	registrar.RuleNoValidDomain:  CodeNoValidDomain,
	registrar.RuleQueryMissing:   CodeQueryMissing,
	registrar.RuleQueryTooLong:   CodeQueryTooLong,
}

// visibleReasons are the workflow error codes (Error.Reason) that an
// HTTP error shows, since errors[].code is a number: the message of each
// error item begins with the reason ("domain_max_term: ..."), so a client
// tells them apart without parsing the rest. domain_max_term is a 400
// (code 10000, at /years), not_restorable a 409 (code 1005), and
// domain_premium a 400 (code 10000, at /domain_name) for a name known to
// be premium before its registration starts.
var visibleReasons = map[string]string{
	registrar.CodeDomainMaxTerm: "/years",
	registrar.CodeNotRestorable: "",
	registrar.CodeDomainPremium: "/domain_name",
}

// errorItem is one entry of the envelope's errors array.
type errorItem struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Source  *errorSource `json:"source,omitempty"`
	// RequestID is ours (SDKs ignore it): the request's X-Request-ID,
	// to quote when reporting a problem.
	RequestID string `json:"request_id,omitempty"`
}

type errorSource struct {
	Pointer string `json:"pointer"`
}

// writeError writes err in the envelope. Internal details go to the log
// with the request ID, never to the client.
func (s *Server) writeError(w http.ResponseWriter, r *request, err error) {
	e := registrar.AsError(err)
	var mbe *http.MaxBytesError
	var je *jsonstrict.Error
	switch {
	case errors.As(err, &mbe):
		e = registrar.Errorf(registrar.KindTooLarge, "httpapi.decode", "the request body is larger than %d bytes", mbe.Limit)
	case errors.As(err, &je):
		e = &registrar.Error{Kind: registrar.KindInvalid, Op: "httpapi.decode", Message: je.Message,
			Fields: []registrar.FieldError{{Pointer: je.Pointer, Message: je.Message}}}
	case e == nil:
		e = &registrar.Error{Kind: registrar.KindInternal, Err: err}
	}
	m, ok := errorMapping[e.Kind]
	if !ok {
		m = errorMapping[registrar.KindInternal]
	}
	if c, ok := ruleCodes[e.Rule]; ok && e.Kind == registrar.KindInvalid {
		m.code = c
	}
	var items []errorItem
	switch {
	case e.Kind == registrar.KindInternal:
		s.Logger.Error("internal error", "request_id", r.id, "method", r.Method, "path", r.URL.Path, "error", err)
		items = []errorItem{{Code: m.code, Message: "internal error; quote request ID " + r.id + " when reporting it"}}
	case errors.As(err, &je):
		items = []errorItem{{Code: CodeValidation, Message: je.Error(), Source: pointer(je.Pointer)}}
	case len(e.Fields) > 0:
		for _, f := range e.Fields {
			items = append(items, errorItem{Code: m.code, Message: fieldMessage(f), Source: pointer(f.Pointer)})
		}
	default:
		items = []errorItem{{Code: m.code, Message: e.Message}}
		if e.Kind == registrar.KindUnavailable {
			s.Logger.Warn("dependency unavailable", "request_id", r.id, "path", r.URL.Path, "error", err)
		}
	}
	if p, ok := visibleReasons[e.Reason]; ok && e.Kind != registrar.KindInternal {
		for i := range items {
			if !strings.HasPrefix(items[i].Message, e.Reason) {
				items[i].Message = e.Reason + ": " + items[i].Message
			}
		}
		if len(items) == 1 && items[0].Source == nil && e.Kind == registrar.KindInvalid {
			items[0].Source = pointer(p)
		}
	}
	for i := range items {
		items[i].RequestID = r.id
	}
	if !m.retry {
		w.Header().Set("x-should-retry", "false")
	}
	switch {
	case e.RetryAfterSeconds > 0:
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	case e.Kind == registrar.KindUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(UnavailableRetryAfter))
	}
	writeJSON(w, m.status, envelope{Success: false, Errors: items, Messages: []any{}, Result: nil})
}

// fieldMessage prefixes a field's message with its name, so the message
// alone says what to fix.
func fieldMessage(f registrar.FieldError) string {
	if f.Pointer == "" || f.Pointer[0] == '?' {
		return f.Message
	}
	return f.Pointer[1:] + ": " + f.Message
}

func pointer(p string) *errorSource {
	if p == "" || p[0] != '/' {
		return nil
	}
	return &errorSource{Pointer: p}
}

// envelope is Cloudflare's v4 response envelope.
type envelope struct {
	Success    bool        `json:"success"`
	Errors     []errorItem `json:"errors"`
	Messages   []any       `json:"messages"`
	Result     any         `json:"result"`
	ResultInfo *resultInfo `json:"result_info,omitempty"`
}

type resultInfo struct {
	Count   int    `json:"count"`
	Cursor  string `json:"cursor"`
	PerPage int    `json:"per_page"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"success":false,"errors":[{"code":1500,"message":"internal error"}],"messages":[],"result":null}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeResult writes a successful envelope around result.
func writeResult(w http.ResponseWriter, status int, result any) {
	writeJSON(w, status, envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: result})
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
