package httpapi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// decode reads a strictly decoded JSON body of bounded size into v. The
// body must be JSON whatever its Content-Type says (curl -d sends a form
// type); there is no cross-site risk, since every request needs a bearer
// token, which a browser form cannot send.
func (s *Server) decode(w http.ResponseWriter, r *request, v any) error {
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	return jsonstrict.Decode(bytes.NewReader(raw), v)
}

// readBody reads the whole request body, at most MaxBodyBytes of it. A
// body that does not arrive within the server's read timeout is 408, one
// cut short (the client closed before Content-Length) is 400: the client's
// doing, never a 500.
// readEmptyBody reads the body of a request that takes none: empty, or
// the empty object {}; anything else is the decoder's error.
func (s *Server) readEmptyBody(w http.ResponseWriter, r *request) error {
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	return emptyBody(raw)
}

// emptyBody checks that raw is empty or {}.
func emptyBody(raw []byte) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var empty struct{}
	return jsonstrict.Decode(bytes.NewReader(raw), &empty)
}

func (s *Server) readBody(w http.ResponseWriter, r *request) ([]byte, error) {
	const op = "httpapi.readBody"
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var ne net.Error
	switch {
	case err == nil:
		return b, nil
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		// The connection cannot be reused: the rest of the body is unread.
		w.Header().Set("Connection", "close")
		return nil, registrar.Wrap(kindRequestTimeout, op, err, "the request body did not arrive in time")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		w.Header().Set("Connection", "close")
		return nil, &jsonstrict.Error{Message: "the request body ended before its announced length"}
	}
	return nil, err
}

// registrationRequest is the one validation path of a registration body:
// strict decoding (syntax, unknown members, JSON types: code 1000), the
// domain name's own parser (IDNA, public suffixes), then the registration
// schema of its extension in env, which holds every other field rule;
// last, what the environment's registry cannot take. Every violation is
// reported once, with its pointer.
func (s *Server) registrationRequest(env registrar.Env, raw []byte) (registrar.RegistrationRequest, error) {
	const op = "httpapi.registrationRequest"
	var req registrar.RegistrationRequest
	if err := jsonstrict.Decode(bytes.NewReader(raw), &req); err != nil {
		return req, err
	}
	if req.DomainName == "" {
		return req, registrar.Invalid(op, "/domain_name", "is required")
	}
	n, err := domainname.Parse(req.DomainName)
	if err != nil {
		return req, registrar.Invalid(op, "/domain_name", "%s", err.Error())
	}
	req.DomainName, req.Extension = n.ASCII, n.Extension
	ext, err := s.extension(env, n.Extension)
	if err != nil {
		return req, err
	}
	errs, err := s.schemas.Registration(ext, raw)
	if err != nil {
		return req, registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	if len(req.ContactExtensions) > 0 && ext.ContactExtensionsUnsent {
		errs = append(errs, registrar.FieldError{Pointer: "/contact_extensions", Message: "cannot be sent: the registry serving ." + ext.Name +
			" is not configured to receive contact extensions (contact_extensions in the registries file)"})
	}
	if len(errs) == 0 && req.Nameservers != nil {
		// The schema holds the count; host names and duplicates need
		// domainname's rules.
		req.Nameservers, errs = registrar.ValidateNameservers("/nameservers", req.Nameservers, hostName)
		for i, ns := range req.Nameservers {
			if registrar.InBailiwick(ns, req.DomainName) && len(errs) == 0 {
				errs = append(errs, registrar.FieldError{Pointer: "/nameservers/" + strconv.Itoa(i), Message: ns + " is inside " + req.DomainName +
					" and needs a glue host, which can be created only once the domain is registered: register with other name servers, then add the glue host and change them"})
			}
		}
	}
	if len(errs) > 0 {
		return req, &registrar.Error{Kind: registrar.KindInvalid, Op: op, Message: errs[0].Message, Fields: errs}
	}
	for _, c := range []*registrar.Contact{req.Contacts.Registrant, req.Contacts.Administrator, req.Contacts.Technical, req.Contacts.Billing} {
		if c != nil {
			c.Normalize()
		}
	}
	return req, nil
}

// extension returns the terms ext is registrable on through the API in
// env, as the environment routes it.
func (s *Server) extension(env registrar.Env, ext string) (registrar.Extension, error) {
	_, e, err := s.Registries.Lookup(env, ext)
	if err != nil {
		return e, registrar.Invalid("httpapi.extension", "/domain_name", "%s", registrar.AsError(err).Message)
	}
	return e, nil
}

// handleRegistrationCreate starts a registration of a valid request for
// a name not known to be premium.
func (s *Server) handleRegistrationCreate(w http.ResponseWriter, r *request) error {
	const op = "httpapi.handleRegistrationCreate"
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, err := s.registrationRequest(r.env, raw)
	if err != nil {
		return err
	}
	if s.Domains != nil && s.Domains.KnownPremium(r.env, req.DomainName) {
		// The reason, as the message's start, tells a client this refusal
		// from other validation errors: it is the failure domain_premium
		// of a workflow, found out before one started.
		// (visibleReasons puts it at /domain_name.)
		return &registrar.Error{Kind: registrar.KindInvalid, Op: op, Reason: registrar.CodeDomainPremium,
			Message: req.DomainName + " is a premium name; premium names cannot be registered through the API"}
	}
	wf, err := s.Workflows.StartRegistration(r.Context(), r.principal, r.env, req)
	if e := registrar.AsError(err); e != nil && e.Kind == registrar.KindQuota {
		// The API reference reports the domain limit as a validation error
		// of the name being registered.
		return &registrar.Error{Kind: registrar.KindQuota, Op: op, Message: e.Message, Err: err,
			Fields: []registrar.FieldError{{Pointer: "/domain_name", Message: e.Message}}}
	}
	if err != nil {
		return err
	}
	return s.respondWorkflow(w, r, wf, http.StatusCreated)
}

// handleRegistrationEdit starts an update workflow. An empty body is
// valid: its workflow changes nothing and has completed when it is
// answered (see [registrar.Workflows.StartUpdate]).
func (s *Server) handleRegistrationEdit(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	var req registrar.UpdateRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if err := validateDNS(&req); err != nil {
		return err
	}
	if err := s.validateContacts(r, &req); err != nil {
		return err
	}
	wf, err := s.Workflows.StartUpdate(r.Context(), r.principal, r.env, domain, req)
	if err != nil {
		return domainNotFound(err)
	}
	return s.respondWorkflow(w, r, wf, http.StatusOK)
}

// handleAuthCode starts an update workflow that sets a new auth code at
// the registry (our extension). The code is in this answer only, and only
// when the workflow succeeded within it (200, result.auth_code, base64 as
// transfer-in takes it): a 202 (respond-async, or a registry slower than
// the sync window) never shows it, and neither does anything later, so
// the client must ask for a new one. The body must be empty or `{}`.
func (s *Server) handleAuthCode(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	if err := s.readEmptyBody(w, r); err != nil {
		return err
	}
	wf, code, err := s.Workflows.StartAuthCode(r.Context(), r.principal, r.env, domain)
	if err != nil {
		return domainNotFound(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if preferAsync(r.Header.Values("Prefer")) {
		w.Header().Set("Preference-Applied", "respond-async")
		s.writeStatus(w, http.StatusAccepted, wf)
		return nil
	}
	wf = s.awaitDone(r.Context(), wf)
	st := status(wf)
	switch {
	case wf.State == registrar.StateSucceeded:
		st.AuthCode = base64.StdEncoding.EncodeToString([]byte(code))
		writeResult(w, http.StatusOK, st)
	case wf.Completed():
		writeResult(w, http.StatusOK, st)
	default:
		setETag(w, wf)
		s.setRetryAfter(w, wf)
		writeResult(w, http.StatusAccepted, st)
	}
	return nil
}

// handleResendVerification sends the registrant email verification of a
// registration waiting on it again, with a new link (our extension), and
// answers the registration's status as registration-status does: still
// action_required, with the same deadline. The body must be empty or
// `{}`. 409 when the registration waits on no email (or has sent it again
// the most times), 429 with Retry-After within a minute of the previous
// resend.
func (s *Server) handleResendVerification(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	if err := s.readEmptyBody(w, r); err != nil {
		return err
	}
	wf, err := s.Workflows.ResendVerification(r.Context(), r.principal, r.env, domain)
	if err != nil {
		return workflowNotFound(err, domain)
	}
	s.writeStatus(w, http.StatusOK, wf)
	return nil
}

// domainNotFound gives a missing registration the API reference's message.
func domainNotFound(err error) error {
	if registrar.IsKind(err, registrar.KindNotFound) {
		return &registrar.Error{Kind: registrar.KindNotFound, Op: "httpapi.registration", Message: "Domain not found", Err: err}
	}
	return err
}

// workflowNotFound gives a missing workflow the API reference's message.
func workflowNotFound(err error, domain string) error {
	if registrar.IsKind(err, registrar.KindNotFound) {
		return &registrar.Error{Kind: registrar.KindNotFound, Op: "httpapi.workflow", Message: "No workflow found for " + domain, Err: err}
	}
	return err
}

// respondWorkflow answers a request that started a workflow: at once with
// 202 when the client prefers it (RFC 7240 respond-async), otherwise after
// the sync window, with done (201 or 200) when the workflow finished in it.
// A workflow an earlier request started (wf.Existing: a repeated POST of
// the same domain) is never 201: 200 when it has completed, 202 when not,
// with a message (CodeExistingWorkflow) saying the request was not applied.
func (s *Server) respondWorkflow(w http.ResponseWriter, r *request, wf *registrar.Workflow, done int) error {
	var messages []any
	if wf.Existing {
		done = http.StatusOK
		messages = []any{existingMessage(wf)}
	}
	if preferAsync(r.Header.Values("Prefer")) {
		w.Header().Set("Preference-Applied", "respond-async")
		status := http.StatusAccepted
		if wf.Existing && wf.Completed() {
			status = http.StatusOK
		}
		s.writeWorkflow(w, status, wf, messages)
		return nil
	}
	wf = s.awaitDone(r.Context(), wf)
	status := http.StatusAccepted
	if wf.Completed() {
		status = done
	}
	s.writeWorkflow(w, status, wf, messages)
	return nil
}

// CodeExistingWorkflow is the code of the message (`messages[].code`) of
// a POST registrations, transfer-in, renew or restore answered with the
// workflow an earlier request for the domain started (ours).
const CodeExistingWorkflow = 1101

// message is one entry of the envelope's messages array.
type message struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// existingMessage says that a POST found the workflow of an earlier one
// and changed nothing.
func existingMessage(wf *registrar.Workflow) message {
	what, fields := "registration", "years, auto_renew and the other fields apply only to a new registration"
	switch wf.Kind {
	case registrar.WorkflowTransferIn:
		what, fields = "transfer-in", "auth_code, auto_renew and the other fields apply only to a new transfer"
	case registrar.WorkflowRenewal:
		what, fields = "renewal", "a renewal of the same term exists: its years stand; renew again once it has extended the expiry"
	case registrar.WorkflowRestore:
		what, fields = "restore", "the running restore goes on"
	}
	return message{Code: CodeExistingWorkflow, Message: fmt.Sprintf("%s already has a %s workflow in this account, started %s; this request was not applied (%s)",
		wf.Domain, what, wf.CreatedAt.UTC().Format(time.RFC3339), fields)}
}

// writeWorkflow writes a workflow's status with messages (none: []) and
// the Retry-After a poller should follow (see retryAfter).
func (s *Server) writeWorkflow(w http.ResponseWriter, code int, wf *registrar.Workflow, messages []any) {
	setETag(w, wf)
	s.setRetryAfter(w, wf)
	if messages == nil {
		messages = []any{}
	}
	writeJSON(w, code, envelope{Success: true, Errors: []errorItem{}, Messages: messages, Result: status(wf)})
}

// preferAsync reports whether the Prefer headers ask for respond-async.
func preferAsync(values []string) bool {
	for _, v := range values {
		for _, pref := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(pref), "=")
			if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}

func (s *Server) handleRegistrationGet(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	g, err := s.Reader.Registration(r.Context(), r.accountID(), r.env, domain)
	if err != nil {
		return domainNotFound(err)
	}
	writeResult(w, http.StatusOK, g)
	return nil
}

func (s *Server) handleRegistrationList(w http.ResponseWriter, r *request) error {
	const op = "httpapi.list"
	q := r.URL.Query()
	opts := registrar.ListOptions{SortBy: q.Get("sort_by"), Cursor: q.Get("cursor")}
	switch q.Get("direction") {
	case "", "asc":
	case "desc":
		opts.Descending = true
	default:
		return registrar.Invalid(op, "?direction", `direction must be "asc" or "desc"`)
	}
	if pp := q.Get("per_page"); pp != "" {
		n, err := strconv.Atoi(pp)
		if err != nil {
			return registrar.Invalid(op, "?per_page", "per_page must be a whole number from 1 to %d", registrar.MaxPerPage)
		}
		if opts.PerPage = n; n == 0 {
			opts.PerPage = -1 // zero is out of range, not "the default"
		}
	}
	page, err := s.Reader.ListRegistrations(r.Context(), r.accountID(), r.env, opts)
	if err != nil {
		return err
	}
	perPage := opts.PerPage
	if perPage == 0 {
		perPage = registrar.DefaultPerPage
	}
	items := page.Items
	if items == nil {
		items = []registrar.Registration{}
	}
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: items,
		ResultInfo: &resultInfo{Count: len(items), Cursor: page.Next, PerPage: perPage}})
	return nil
}

// pathDomain parses the {domain} path segment with the one domain name
// parser, so that Unicode and punycode forms find the same registration.
func pathDomain(r *request) (string, error) {
	n, err := pathName(r)
	return n.ASCII, err
}

// pathName is the {domain} path segment parsed.
func pathName(r *request) (domainname.Name, error) {
	n, err := domainname.Parse(r.PathValue("domain"))
	if err != nil {
		return n, registrar.Errorf(registrar.KindInvalid, "httpapi.pathDomain", "domain_name in the path: %s", err.Error())
	}
	return n, nil
}
