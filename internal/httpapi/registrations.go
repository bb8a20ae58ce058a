package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// registrationBody is the body of POST /registrations.
type registrationBody struct {
	DomainName        string              `json:"domain_name"`
	Years             *int                `json:"years"`
	AutoRenew         *bool               `json:"auto_renew"`
	PrivacyMode       *string             `json:"privacy_mode"`
	Contacts          *registrar.Contacts `json:"contacts"`
	ContactExtensions map[string]any      `json:"contact_extensions"`
	Acknowledgements  map[string]any      `json:"acknowledgements"`
}

// editBody is the body of PATCH /registrations/{domain}.
type editBody struct {
	AutoRenew *bool `json:"auto_renew"`
}

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

// readBody reads the whole request body, at most MaxBodyBytes of it.
func (s *Server) readBody(w http.ResponseWriter, r *request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
}

// validate checks a registration body and turns it into a request,
// reporting every violation with its pointer. req.Extension is set when
// the domain name is valid.
func (b *registrationBody) validate() (registrar.RegistrationRequest, []registrar.FieldError) {
	var req registrar.RegistrationRequest
	var errs []registrar.FieldError
	if b.DomainName == "" {
		errs = append(errs, registrar.FieldError{Pointer: "/domain_name", Message: "is required"})
	} else if n, err := domainname.Parse(b.DomainName); err != nil {
		errs = append(errs, registrar.FieldError{Pointer: "/domain_name", Message: err.Error()})
	} else {
		req.Domain, req.Extension = n.ASCII, n.Extension
	}
	if b.Years != nil {
		if *b.Years < 1 || *b.Years > 10 {
			errs = append(errs, registrar.FieldError{Pointer: "/years", Message: "must be between 1 and 10"})
		}
		req.Years = *b.Years
	}
	if b.AutoRenew != nil {
		req.AutoRenew = *b.AutoRenew
	}
	if b.PrivacyMode != nil {
		switch pm := registrar.PrivacyMode(*b.PrivacyMode); pm {
		case registrar.PrivacyRedaction, registrar.PrivacyOff:
			req.PrivacyMode = pm
		default:
			errs = append(errs, registrar.FieldError{Pointer: "/privacy_mode", Message: `must be "redaction" or "off"`})
		}
	}
	if b.Contacts != nil {
		for _, c := range []struct {
			role string
			c    *registrar.Contact
		}{{"registrant", b.Contacts.Registrant}, {"administrator", b.Contacts.Administrator}, {"technical", b.Contacts.Technical}, {"billing", b.Contacts.Billing}} {
			if c.c == nil {
				continue
			}
			c.c.Normalize()
			errs = append(errs, c.c.Validate("/contacts/"+c.role)...)
		}
		req.Contacts = *b.Contacts
	}
	req.ContactExtensions, req.Acknowledgements = b.ContactExtensions, b.Acknowledgements
	return req, errs
}

// handleRegistrationCreate starts a registration. The body is decoded
// strictly, its fields validated, and then, for an extension registrable
// through the API, the raw body is validated against the extension's
// registration schema; every violation is reported once, with its
// pointer. An extension that is not registrable is left to the workflow
// engine's routes, which reject it at /domain_name.
func (s *Server) handleRegistrationCreate(w http.ResponseWriter, r *request) error {
	const op = "httpapi.handleRegistrationCreate"
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var body registrationBody
	if err := jsonstrict.Decode(bytes.NewReader(raw), &body); err != nil {
		return err
	}
	req, errs := body.validate()
	if ext, ok := s.catalog().Lookup(req.Extension); ok && req.Extension != "" && ext.Support == registrar.SupportAPI {
		schemaErrs, err := s.checkSchema(ext, raw)
		if err != nil {
			return registrar.Wrap(registrar.KindInternal, op, err, "")
		}
		errs = mergeFieldErrors(errs, schemaErrs)
	}
	if len(errs) > 0 {
		return &registrar.Error{Kind: registrar.KindInvalid, Op: op, Message: errs[0].Message, Fields: errs}
	}
	if s.Domains != nil && s.Domains.KnownPremium(r.env, req.Domain) {
		return registrar.Invalid(op, "/domain_name", "%s is a premium name; premium names cannot be registered through the API", req.Domain)
	}
	wf, err := s.Workflows.StartRegistration(r.Context(), r.principal, r.env, req)
	if err != nil {
		return err
	}
	return s.respondWorkflow(w, r, wf, http.StatusCreated)
}

func (s *Server) handleRegistrationEdit(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	var body editBody
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	wf, err := s.Workflows.StartUpdate(r.Context(), r.principal, r.env, domain, registrar.UpdateRequest{AutoRenew: body.AutoRenew})
	if err != nil {
		return err
	}
	return s.respondWorkflow(w, r, wf, http.StatusOK)
}

// respondWorkflow answers a request that started a workflow: at once with
// 202 when the client prefers it (RFC 7240 respond-async), otherwise after
// the sync window, with done (201 or 200) when the workflow finished in it.
func (s *Server) respondWorkflow(w http.ResponseWriter, r *request, wf *registrar.Workflow, done int) error {
	if preferAsync(r.Header.Values("Prefer")) {
		w.Header().Set("Preference-Applied", "respond-async")
		writeStatus(w, http.StatusAccepted, wf)
		return nil
	}
	wf = s.awaitDone(r.Context(), wf)
	status := http.StatusAccepted
	if wf.Completed() {
		status = done
	}
	writeStatus(w, status, wf)
	return nil
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

func (s *Server) handleRegistrationStatus(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	wf, err := s.Reader.RegistrationStatus(r.Context(), r.accountID(), r.env, domain)
	if err != nil {
		return err
	}
	writeStatus(w, http.StatusOK, wf)
	return nil
}

func (s *Server) handleUpdateStatus(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	wf, err := s.Reader.UpdateStatus(r.Context(), r.accountID(), r.env, domain)
	if err != nil {
		return err
	}
	writeStatus(w, http.StatusOK, wf)
	return nil
}

func (s *Server) handleRegistrationGet(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	g, err := s.Reader.Registration(r.Context(), r.accountID(), r.env, domain)
	if err != nil {
		return err
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
	n, err := domainname.Parse(r.PathValue("domain"))
	if err != nil {
		return "", registrar.Errorf(registrar.KindInvalid, "httpapi.pathDomain", "domain_name in the path: %s", err.Error())
	}
	return n.ASCII, nil
}
