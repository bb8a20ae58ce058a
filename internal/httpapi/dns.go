package httpapi

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// What makes a domain resolve (issue 14, ours): nameservers and dnssec on
// PATCH registrations/{domain}, and the glue hosts of a registration.

// hostName is domainname's rule for host names, as registrar's
// validators take it, but for the built-in registries' documented
// default name servers (registrar.BuiltinNameserver1 and 2): they are under
// .test (RFC 6761), not a public TLD, and a user who changed a domain's
// name servers must be able to set them back.
func hostName(s string) (string, error) {
	h, err := domainname.ParseHost(s)
	if err != nil {
		if n := strings.ToLower(strings.TrimSuffix(s, ".")); n == registrar.BuiltinNameserver1 || n == registrar.BuiltinNameserver2 {
			return n, nil
		}
	}
	return h.ASCII, err
}

// validateDNS checks and normalises the nameservers and dnssec members of
// a PATCH body, reporting each violation at its pointer
// (/nameservers/3, /dnssec/ds_records/0/digest).
func validateDNS(req *registrar.UpdateRequest) error {
	var errs []registrar.FieldError
	if req.Nameservers != nil {
		ns, e := registrar.ValidateNameservers("/nameservers", req.Nameservers, hostName)
		req.Nameservers, errs = ns, append(errs, e...)
	}
	if req.DNSSEC != nil {
		d, e := registrar.ValidateDNSSEC("/dnssec", *req.DNSSEC)
		req.DNSSEC, errs = &d, append(errs, e...)
	}
	return registrar.InvalidFields("httpapi.validateDNS", errs)
}

func (s *Server) hostRoutes(env registrar.Env, base string) {
	s.handle(base+"/registrations/{domain}/hosts/{host}", map[string]http.HandlerFunc{
		"GET":    s.api(env, registrar.ScopeRead, s.handleHostGet),
		"POST":   s.api(env, registrar.ScopeWrite, s.hostChange(registrar.HostCreate)),
		"PATCH":  s.api(env, registrar.ScopeWrite, s.hostChange(registrar.HostUpdate)),
		"DELETE": s.api(env, registrar.ScopeWrite, s.hostChange(registrar.HostDelete)),
	})
}

// hostBody is the body of POST and PATCH .../hosts/{host}: the host's
// addresses, which replace those it has.
type hostBody struct {
	IPv4 []string `json:"ipv4"`
	IPv6 []string `json:"ipv6"`
}

// hostChange starts a host workflow: POST creates the glue host named in
// the path with the body's addresses, PATCH replaces its addresses,
// DELETE (no body, or {}) deletes it. The host must be under the domain.
func (s *Server) hostChange(op registrar.HostOp) func(w http.ResponseWriter, r *request) error {
	return func(w http.ResponseWriter, r *request) error {
		domain, err := pathDomain(r)
		if err != nil {
			return err
		}
		raw, err := s.readBody(w, r)
		if err != nil {
			return err
		}
		var body hostBody
		h := registrar.Host{Name: r.PathValue("host")}
		if op == registrar.HostDelete {
			if err := emptyBody(raw); err != nil {
				return err
			}
			n, err := hostName(h.Name)
			if err != nil {
				return registrar.Invalid("httpapi.hostChange", "", "host in the path: %s", err.Error())
			}
			if !registrar.InBailiwick(n, domain) {
				return registrar.Invalid("httpapi.hostChange", "", "host in the path: glue host %s is not under %s", n, domain)
			}
			h.Name = n
		} else {
			if err := jsonstrict.Decode(bytes.NewReader(raw), &body); err != nil {
				return err
			}
			h.IPv4, h.IPv6 = body.IPv4, body.IPv6
			var errs []registrar.FieldError
			h, errs = registrar.ValidateHost("", domain, h, "", hostName)
			for i := range errs {
				if errs[i].Pointer == "" {
					errs[i].Message = "host in the path: " + errs[i].Message
				}
			}
			if err := registrar.InvalidFields("httpapi.hostChange", errs); err != nil {
				return err
			}
		}
		wf, err := s.Workflows.StartHost(r.Context(), r.principal, r.env, domain, registrar.HostChange{Op: op, Host: h})
		if err != nil {
			return domainNotFound(err)
		}
		return s.respondWorkflow(w, r, wf, http.StatusOK)
	}
}

// hostResult is a glue host as GET .../hosts/{host} shows it: what the
// registry holds now, and whether a domain uses it as a name server.
type hostResult struct {
	registrar.Host
	Linked bool `json:"linked"`
}

// handleHostGet asks the registry for a glue host of the account's
// registration: the registry is the record of hosts.
func (s *Server) handleHostGet(w http.ResponseWriter, r *request) error {
	const op = "httpapi.handleHostGet"
	n, err := pathName(r)
	if err != nil {
		return err
	}
	if _, err := s.Reader.Registration(r.Context(), r.accountID(), r.env, n.ASCII); err != nil {
		return domainNotFound(err)
	}
	host, err := hostName(r.PathValue("host"))
	if err == nil && !registrar.InBailiwick(host, n.ASCII) {
		return registrar.Errorf(registrar.KindNotFound, op, "%s has no glue host %s: a glue host is under its domain", n.ASCII, host)
	}
	if err != nil {
		return registrar.Invalid(op, "", "host in the path: %s", err.Error())
	}
	reg, _, err := s.Registries.Lookup(r.env, n.Extension)
	if err != nil {
		return err
	}
	hr, ok := reg.(registrar.HostRegistry)
	if !ok {
		return registrar.Errorf(registrar.KindNotFound, op, "the registry serving .%s does not manage host objects", n.Extension)
	}
	h, linked, err := hr.HostInfo(r.Context(), host)
	if registrar.IsKind(err, registrar.KindNotFound) {
		return registrar.Errorf(registrar.KindNotFound, op, "%s has no glue host %s", n.ASCII, host)
	}
	if err != nil {
		return err
	}
	h.Name = host
	writeResult(w, http.StatusOK, hostResult{Host: h, Linked: linked})
	return nil
}
