package rdap

import (
	"time"

	"golang.org/x/net/idna"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// public reports whether a registration in status is published: only
// once the registry holds it for us, and until it is released.
// registration_pending is not yet at the registry; suspended is no
// longer ours there.
func public(status registrar.RegistrationStatus) bool {
	switch status {
	case registrar.RegistrationActive, registrar.RegistrationExpired,
		registrar.RegistrationRedemptionPeriod, registrar.RegistrationPendingDelete:
		return true
	}
	return false
}

// statuses maps a registration to RDAP status values (RFC 8056 §2, from
// the EPP statuses the registry holds). "active" is EPP's "ok", which
// RFC 5731 §2.3 does not combine with any other status, so a locked
// domain is "client transfer prohibited" alone. A domain in redemption
// is EPP pendingDelete with RGP's redemptionPeriod (RFC 3915 §3.1).
func statuses(g *registrar.Registration) []string {
	var st []string
	switch g.Status {
	case registrar.RegistrationExpired:
		st = append(st, "auto renew period")
	case registrar.RegistrationRedemptionPeriod:
		st = append(st, "redemption period", "pending delete")
	case registrar.RegistrationPendingDelete:
		st = append(st, "pending delete")
	}
	if g.Locked {
		st = append(st, "client transfer prohibited")
	}
	if len(st) == 0 {
		st = append(st, "active")
	}
	return st
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// domain builds the answer for a sponsored name.
func (s *server) domain(name domainname.Name, g *registrar.Registration, changed time.Time) Domain {
	self := s.url("domain/" + name.ASCII)
	d := Domain{
		Conformance:     conformance,
		ObjectClassName: "domain",
		// The registry's ROID is not kept; the name is unique among the
		// objects this server publishes.
		Handle:   name.ASCII,
		LDHName:  name.ASCII,
		Status:   statuses(g),
		Entities: append([]Entity{s.registrarEntity()}, redactedContacts()...),
		Links:    []Link{{Value: self, Rel: "self", Href: self, Type: ContentType}},
		Notices:  s.notices(),
		Redacted: redactions(),
	}
	if name.Unicode != name.ASCII {
		d.UnicodeName = name.Unicode
	}

	d.Events = append(d.Events, Event{"registration", rfc3339(g.CreatedAt)})
	if g.ExpiresAt != nil {
		d.Events = append(d.Events, Event{"expiration", rfc3339(*g.ExpiresAt)})
	}
	if changed.IsZero() {
		changed = g.CreatedAt
	}
	d.Events = append(d.Events, Event{"last changed", rfc3339(changed)},
		Event{"last update of RDAP database", rfc3339(s.cfg.Now())})

	for _, ns := range g.Nameservers {
		n := Nameserver{ObjectClassName: "nameserver", LDHName: ns}
		if u, err := idna.ToUnicode(ns); err == nil && u != ns {
			n.UnicodeName = u
		}
		d.Nameservers = append(d.Nameservers, n)
	}

	if g.DNSSEC != nil {
		for _, ds := range g.DNSSEC.DSRecords {
			d.SecureDNS.DSData = append(d.SecureDNS.DSData, DSData{ds.KeyTag, ds.Algorithm, ds.DigestType, ds.Digest})
		}
	}
	d.SecureDNS.DelegationSigned = len(d.SecureDNS.DSData) > 0
	return d
}

// registrarEntity is the sponsoring registrar (profile 2.4).
func (s *server) registrarEntity() Entity {
	e := Entity{
		ObjectClassName: "entity",
		Handle:          s.cfg.IANAID,
		Roles:           []string{"registrar"},
		VCardArray:      vcard(vprop("fn", "text", s.cfg.RegistrarName)),
	}
	if s.cfg.IANAID != "" {
		e.PublicIDs = []PublicID{{Type: "IANA Registrar ID", Identifier: s.cfg.IANAID}}
	}
	if s.cfg.AbuseEmail != "" {
		e.Entities = []Entity{{
			ObjectClassName: "entity",
			Roles:           []string{"abuse"},
			VCardArray:      vcard(vprop("fn", "text", "Abuse contact"), vprop("email", "text", s.cfg.AbuseEmail)),
		}}
	}
	return e
}

// vcard is a jCard (RFC 7095) of version 4.0 and props.
func vcard(props ...[]any) []any {
	all := append([][]any{vprop("version", "text", "4.0")}, props...)
	return []any{"vcard", all}
}

func vprop(name, typ string, value any) []any { return []any{name, map[string]any{}, typ, value} }

// redactedContacts are the registrant and technical contacts as ICANN's
// Registration Data Policy publishes them by default: no personal data,
// the name and address fields present and empty (RFC 9537 emptyValue),
// the rest removed; redactions lists the markers.
func redactedContacts() []Entity {
	contact := func(role string) Entity {
		return Entity{
			ObjectClassName: "entity",
			Roles:           []string{role},
			VCardArray: vcard(
				vprop("fn", "text", ""),
				[]any{"adr", map[string]any{}, "text", []any{"", "", "", "", "", "", ""}},
			),
		}
	}
	return []Entity{contact("registrant"), contact("technical")}
}

// The RFC 9537 paths (JSONPath, RFC 9535) of the redacted fields.
const (
	registrantPath = "$.entities[?(@.roles[0]=='registrant')]"
	techPath       = "$.entities[?(@.roles[0]=='technical')]"
)

// redactions are the RFC 9537 markers of redactedContacts, named with the
// ICANN RDAP JSON Values registry's "redacted name" types.
func redactions() []Redacted {
	reason := RedactedReason{Description: "Server policy"}
	empty := func(typ, path string) Redacted {
		return Redacted{Name: RedactedName{typ}, PostPath: path, PathLang: "jsonpath", Method: "emptyValue", Reason: reason}
	}
	removed := func(typ, path string) Redacted {
		return Redacted{Name: RedactedName{typ}, PrePath: path, PathLang: "jsonpath", Method: "removal", Reason: reason}
	}
	vc := func(entity, prop string) string { return entity + ".vcardArray[1][?(@[0]=='" + prop + "')]" }
	return []Redacted{
		removed("Registry Registrant ID", registrantPath+".handle"),
		empty("Registrant Name", vc(registrantPath, "fn")+"[3]"),
		empty("Registrant Street", vc(registrantPath, "adr")+"[3][2]"),
		empty("Registrant City", vc(registrantPath, "adr")+"[3][3]"),
		empty("Registrant Postal Code", vc(registrantPath, "adr")+"[3][5]"),
		removed("Registrant Phone", vc(registrantPath, "tel")),
		removed("Registrant Fax", vc(registrantPath, "tel")),
		removed("Registrant Email", vc(registrantPath, "email")),
		removed("Registry Tech ID", techPath+".handle"),
		empty("Tech Name", vc(techPath, "fn")+"[3]"),
		removed("Tech Phone", vc(techPath, "tel")),
		removed("Tech Email", vc(techPath, "email")),
	}
}

// notices are the profile's notices (2.6.3 status codes, 2.11 inaccuracy
// complaint form, 2.12 terms of service), on every answer and /help.
func (s *server) notices() []Notice {
	help := s.url("help")
	return []Notice{
		{
			Title: "Terms of Use",
			Description: []string{
				"This service publishes registration data of the domains " + s.cfg.RegistrarName + " sponsors, " +
					"redacted per ICANN's Registration Data Policy. Queries are rate-limited per address.",
			},
			Links: []Link{{Value: help, Rel: "help", Href: help, Type: ContentType}},
		},
		{
			Title:       "Status Codes",
			Description: []string{"For more information on domain status codes, please visit https://icann.org/epp"},
			Links:       []Link{{Value: help, Rel: "glossary", Href: "https://icann.org/epp", Type: "text/html"}},
		},
		{
			Title:       "RDDS Inaccuracy Complaint Form",
			Description: []string{"URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf"},
			Links:       []Link{{Value: help, Rel: "help", Href: "https://icann.org/wicf", Type: "text/html"}},
		},
	}
}
