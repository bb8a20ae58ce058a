package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/registrar"
)

// This file holds the engine's EPP-shaped commands: contacts (RFC 5733),
// hosts (RFC 5732), and the domain commands with contact IDs, name
// servers and fees (RFC 5731, RFC 8748) that the EPP server maps to.

// roidSuffix ends every repository object ID (RFC 5730 roid).
const roidSuffix = "-SANDBOX"

// PostalInfo is a contact's postal information in one form (RFC 5733
// section 2.3).
type PostalInfo struct {
	// Type is "int" (7-bit US-ASCII only) or "loc".
	Type   string   `json:"type"`
	Name   string   `json:"name"`
	Org    string   `json:"org,omitempty"`
	Street []string `json:"street,omitempty"` // 0 to 3 lines
	City   string   `json:"city"`
	SP     string   `json:"sp,omitempty"`
	PC     string   `json:"pc,omitempty"`
	CC     string   `json:"cc"` // ISO 3166 two-letter code
}

// Contact is a contact object as its sponsor creates it (RFC 5733).
type Contact struct {
	// ID is chosen by the client: 3 to 16 characters, no white space.
	ID string
	// PostalInfo holds one or two forms, of different types.
	PostalInfo []PostalInfo
	Voice      string // optional, E.164 "+CC.NUMBER"
	Fax        string // optional, E.164
	Email      string
	AuthInfo   string
	// Unspec are the registry-specific values of NeuLevel's extension
	// (urn:ietf:params:xml:ns:neulevel-1.0), such as the .us nexus;
	// checkUnspec says which the registry checks.
	Unspec []epp.KeyValue
}

// ContactInfo is what ContactInfo reports of a contact.
type ContactInfo struct {
	// Contact is the contact's data; AuthInfo is set for its sponsor only.
	Contact
	ROID      string
	Sponsor   string
	Linked    bool // a domain uses the contact
	CreatedAt time.Time
}

// HostAddr is a host address (RFC 5732 <host:addr>).
type HostAddr struct {
	// IP is "v4" or "v6"; "" means "v4".
	IP   string `json:"ip"`
	Addr string `json:"addr"`
}

// DomainContact is a domain's contact of a type: admin, billing or tech.
type DomainContact struct {
	Type string
	ID   string
}

// DomainCreate is a domain create over EPP: the contacts are contact IDs
// and the name servers host names, all of which must exist.
type DomainCreate struct {
	Name  string
	Years int
	// Registrant is the registrant's contact ID; required, and sponsored
	// by the client, as are Contacts.
	Registrant string
	Contacts   []DomainContact
	// NS are names of existing hosts, of any sponsor.
	NS       []string
	AuthInfo string
	// Fee is the fee extension; nil when the command carries none.
	Fee *FeeOffer
}

// DomainCreated is the result of CreateDomain.
type DomainCreated struct {
	// Pending means 1001: the create awaits offline review.
	Pending   bool
	CreatedAt time.Time
	ExpiresAt time.Time
	// Price is what the create cost.
	Price Price
}

// DomainRenew is a domain renew over EPP.
type DomainRenew struct {
	Name string
	// CurExpiry's date (UTC) must be the current expiry's date.
	CurExpiry time.Time
	Years     int
	Fee       *FeeOffer
}

// DomainRenewed is the result of RenewDomain.
type DomainRenewed struct {
	ExpiresAt time.Time
	Price     Price
}

// DomainDetails is what DomainInfo reports of a domain: a
// registrar.DomainInfo (AuthInfo for the sponsor only) and the EPP
// fields.
type DomainDetails struct {
	registrar.DomainInfo
	ROID    string
	Sponsor string // clID (after a transfer, the gaining registrar), also crID
	// Registrant is the registrant's contact ID; "" for a taken- name and
	// for a domain written by schema version 1.
	Registrant string
	Contacts   []DomainContact // sorted by type, then ID
	NS         []string        // sorted
	// Hosts are the subordinate hosts (hosts created under the domain),
	// sorted.
	Hosts []string
	// UpdatedAt is the last change after the create; zero if none.
	UpdatedAt time.Time
}

// QueuedMessage is a poll message with the state of its queue.
type QueuedMessage struct {
	registrar.PollMessage
	// ServerTRID is the svTRID of the command whose outcome it reports.
	ServerTRID string
	// Count is the number of messages in the queue, this one included.
	Count int
}

var (
	e164Pattern   = regexp.MustCompile(`^\+[0-9]{1,3}\.[0-9]{1,14}$`)
	countryCode   = regexp.MustCompile(`^[A-Z]{2}$`)
	domainContact = map[string]bool{"admin": true, "billing": true, "tech": true}
)

// validID reports whether s is a client identifier (eppcom:clIDType as
// the sandbox takes it): 3 to 16 characters without white space or
// control characters.
func validID(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 3 || n > 16 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func checkContact(c Contact) error {
	switch {
	case !validID(c.ID):
		return failf(CodeSyntaxError, "invalid contact ID %q", c.ID)
	case len(c.PostalInfo) == 0:
		return fail(CodeMissingParam, "postalInfo is required")
	case len(c.PostalInfo) > 2, len(c.PostalInfo) == 2 && c.PostalInfo[0].Type == c.PostalInfo[1].Type:
		return fail(CodeSyntaxError, "at most one postalInfo of each type")
	case strings.TrimSpace(c.Email) == "":
		return fail(CodeMissingParam, "email is required")
	case c.AuthInfo == "":
		return fail(CodeMissingParam, "authInfo is required")
	}
	for _, p := range []struct{ field, v string }{{"voice", c.Voice}, {"fax", c.Fax}} {
		if p.v != "" && (len(p.v) > 17 || !e164Pattern.MatchString(p.v)) {
			return failf(CodeSyntaxError, "%s %q is not E.164 (+CC.NUMBER)", p.field, p.v)
		}
	}
	for _, p := range c.PostalInfo {
		switch {
		case p.Type != "int" && p.Type != "loc":
			return failf(CodeSyntaxError, "postalInfo type %q, want int or loc", p.Type)
		case strings.TrimSpace(p.Name) == "":
			return fail(CodeMissingParam, "postalInfo name is required")
		case strings.TrimSpace(p.City) == "":
			return fail(CodeMissingParam, "postalInfo city is required")
		case !countryCode.MatchString(p.CC):
			return failf(CodeSyntaxError, "country code %q, want two capital letters", p.CC)
		case len(p.Street) > 3:
			return fail(CodeSyntaxError, "at most three street lines")
		case len(p.PC) > 16:
			return fail(CodeSyntaxError, "postal code longer than 16 characters")
		}
		if p.Type == "int" {
			for _, s := range append([]string{p.Name, p.Org, p.City, p.SP, p.PC}, p.Street...) {
				for i := 0; i < len(s); i++ {
					if s[i] >= 0x80 {
						return fail(CodeSyntaxError, "int postalInfo must be 7-bit US-ASCII")
					}
				}
			}
		}
	}
	return nil
}

// usNexus are the values the .us registry accepts for the keys of the
// usTLD nexus (usTLD Nexus Requirements), which it checks wherever they
// appear; other keys are stored as sent.
var usNexus = map[string]*regexp.Regexp{
	"AppPurpose":    regexp.MustCompile(`^P[1-5]$`),
	"NexusCategory": regexp.MustCompile(`^(C11|C12|C21|C3[12](/[A-Z]{2})?)$`),
}

// checkUnspec checks the NeuLevel values of a contact as the .us registry
// does: a nexus value it does not know is a policy error (2306).
func checkUnspec(pairs []epp.KeyValue) error {
	for _, kv := range pairs {
		if re, ok := usNexus[kv.Key]; ok && !re.MatchString(kv.Value) {
			return failf(CodePolicyError, "%s=%s is not a valid usTLD nexus value", kv.Key, kv.Value)
		}
	}
	return nil
}

// ContactCreate creates a contact sponsored by clientID and returns its
// creation time. An ID that exists is 2302, whoever sponsors it and
// whatever its data: a client repeating a create after an unknown
// outcome must tell its own contact apart (ContactInfo) itself.
func (e *Engine) ContactCreate(ctx context.Context, clientID, clTRID string, c Contact) (time.Time, Response, error) {
	cmd := &command{name: "contact:create", clientID: clientID, clTRID: clTRID, domain: c.ID}
	var created time.Time
	resp, err := e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkContact(c); err != nil {
			return 0, err
		}
		if err := checkUnspec(c.Unspec); err != nil {
			return 0, err
		}
		postal, err := json.Marshal(c.PostalInfo)
		if err != nil {
			return 0, err
		}
		var unspec string
		if len(c.Unspec) > 0 {
			unspec = epp.FormatUnspec(c.Unspec)
			cmd.extensions = "neulevel:unspec " + unspec
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO contacts (id, sponsor, postal_info, voice, fax, email, auth_info, unspec, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			c.ID, clientID, string(postal), c.Voice, c.Fax, c.Email, c.AuthInfo, unspec, now.UnixMicro())
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			return 0, fail(CodeObjectExists, "")
		}
		created = now
		return CodeOK, nil
	})
	if err != nil {
		return time.Time{}, resp, err
	}
	return created, resp, nil
}

// ContactInfo returns a contact. Its sponsor sees everything; another
// client sees the data (without the auth info) only when it quotes the
// contact's auth info (2202 if wrong, 2201 if none).
func (e *Engine) ContactInfo(ctx context.Context, clientID, clTRID, id, authInfo string) (ContactInfo, Response, error) {
	cmd := &command{name: "contact:info", clientID: clientID, clTRID: clTRID, domain: id}
	var info ContactInfo
	resp, err := e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if !validID(id) {
			return 0, failf(CodeSyntaxError, "invalid contact ID %q", id)
		}
		c, err := loadContact(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		if c.Sponsor != clientID {
			switch {
			case authInfo == "":
				return 0, fail(CodeAuthorization, "")
			case authInfo != c.AuthInfo:
				return 0, fail(CodeInvalidAuthInfo, "")
			}
			c.AuthInfo = ""
		}
		info = *c
		return CodeOK, nil
	})
	if err != nil {
		return ContactInfo{}, resp, err
	}
	return info, resp, nil
}

// loadContact returns the contact id, with its auth info, or a 2303
// failure.
func loadContact(ctx context.Context, tx *txn, id string) (*ContactInfo, error) {
	c := &ContactInfo{}
	var rowid, created int64
	var postal string
	err := tx.QueryRowContext(ctx, `
		SELECT rowid, sponsor, postal_info, voice, fax, email, auth_info, created_at,
			EXISTS (SELECT 1 FROM domains WHERE registrant_id = contacts.id)
			OR EXISTS (SELECT 1 FROM domain_contacts WHERE contact = contacts.id)
		FROM contacts WHERE id = ?`, id).
		Scan(&rowid, &c.Sponsor, &postal, &c.Voice, &c.Fax, &c.Email, &c.AuthInfo, &created, &c.Linked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, failf(CodeObjectNotExists, "contact %s", id)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(postal), &c.PostalInfo); err != nil {
		return nil, err
	}
	c.ID, c.ROID, c.CreatedAt = id, "C"+strconv.FormatInt(rowid, 10)+roidSuffix, time.UnixMicro(created).UTC()
	return c, nil
}

// HostCreate creates a host sponsored by clientID and returns its
// creation time. A host under a domain of the registry (its superordinate
// domain) must be under one of clientID's domains (2201 otherwise) and may
// have addresses; an external host may not (2306).
func (e *Engine) HostCreate(ctx context.Context, clientID, clTRID, name string, addrs []HostAddr) (time.Time, Response, error) {
	name = normalizeName(name)
	cmd := &command{name: "host:create", clientID: clientID, clTRID: clTRID, domain: name}
	var created time.Time
	resp, err := e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if !validName(name) {
			return 0, failf(CodeSyntaxError, "invalid host name %q", name)
		}
		clean, err := cleanAddrs(addrs)
		if err != nil {
			return 0, err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hosts WHERE name = ?`, name).Scan(&exists); err != nil {
			return 0, err
		}
		if exists > 0 {
			return 0, fail(CodeObjectExists, "")
		}
		super, err := superordinate(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		var superName *string
		switch {
		case super != nil && super.sponsor != clientID:
			return 0, failf(CodeAuthorization, "superordinate domain %s is sponsored by another registrar", super.name)
		case super != nil:
			superName = &super.name
		case len(clean) > 0:
			return 0, fail(CodePolicyError, "addresses are only allowed for hosts under a domain of this registry")
		}
		addrJSON, err := json.Marshal(clean)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO hosts (name, sponsor, superordinate, addrs, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, clientID, superName, string(addrJSON), now.UnixMicro()); err != nil {
			return 0, err
		}
		created = now
		return CodeOK, nil
	})
	if err != nil {
		return time.Time{}, resp, err
	}
	return created, resp, nil
}

// superordinate returns the domain of the registry a host name is under,
// or nil.
func superordinate(ctx context.Context, tx *txn, host string) (*domain, error) {
	rest := host
	for {
		_, after, ok := strings.Cut(rest, ".")
		if !ok || !strings.Contains(after, ".") {
			return nil, nil
		}
		rest = after
		var sponsor string
		err := tx.QueryRowContext(ctx, `SELECT sponsor FROM domains WHERE name = ?`, rest).Scan(&sponsor)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &domain{name: rest, sponsor: sponsor}, nil
	}
}

// checkContactRef checks that contact id exists and is sponsored by
// clientID.
func checkContactRef(ctx context.Context, tx *txn, clientID, id string) error {
	var sponsor string
	err := tx.QueryRowContext(ctx, `SELECT sponsor FROM contacts WHERE id = ?`, id).Scan(&sponsor)
	if errors.Is(err, sql.ErrNoRows) {
		return failf(CodeObjectNotExists, "contact %s", id)
	}
	if err != nil {
		return err
	}
	if sponsor != clientID {
		return failf(CodeAuthorization, "contact %s is sponsored by another registrar", id)
	}
	return nil
}

// CreateDomain registers a domain sponsored by clientID, as a create over
// EPP: the registrant (required) and contacts are contact IDs sponsored by
// clientID (2303 if missing, 2201 if another's); the name servers are
// existing hosts (2303 otherwise); the fee rules of RFC 8748 apply (see
// Price): a premium- name needs req.Fee (2003), and an offer below the
// price or in another currency is 2004. The scenarios apply as for
// Create, except that premium- names follow the fee rules.
func (e *Engine) CreateDomain(ctx context.Context, clientID, clTRID string, req DomainCreate) (DomainCreated, Response, error) {
	name := normalizeName(req.Name)
	c := &command{name: "create", clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	var res DomainCreated
	resp, err := e.create(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		if err := checkYears(req.Years); err != nil {
			return 0, err
		}
		switch {
		case req.AuthInfo == "":
			return 0, fail(CodeMissingParam, "authInfo is required")
		case req.Registrant == "":
			return 0, fail(CodeMissingParam, "registrant is required")
		}
		for _, dc := range req.Contacts {
			if !domainContact[dc.Type] {
				return 0, failf(CodeSyntaxError, "contact type %q, want admin, billing or tech", dc.Type)
			}
		}
		taken, err := exists(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		if taken {
			return 0, fail(CodeObjectExists, "")
		}
		if scenarioOf(name) == scenarioReject {
			return 0, fail(CodePolicyError, "name reserved by registry policy")
		}
		price, err := e.checkFee(name, "create", req.Years, req.Fee)
		if err != nil {
			return 0, err
		}
		if err := checkContactRef(ctx, tx, clientID, req.Registrant); err != nil {
			return 0, err
		}
		for _, dc := range req.Contacts {
			if err := checkContactRef(ctx, tx, clientID, dc.ID); err != nil {
				return 0, err
			}
		}
		ns := make([]string, 0, len(req.NS))
		for _, h := range req.NS {
			h = normalizeName(h)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hosts WHERE name = ?`, h).Scan(&n); err != nil {
				return 0, err
			}
			if n == 0 {
				return 0, failf(CodeObjectNotExists, "host %s", h)
			}
			ns = append(ns, h)
		}
		res = DomainCreated{CreatedAt: now, ExpiresAt: now.AddDate(req.Years, 0, 0), Price: price}
		var pendingUntil *int64
		if scenarioOf(name) == scenarioPending {
			res.Pending = true
			due := now.Add(e.delay).UnixMicro()
			pendingUntil = &due
		}
		// registrant and contacts are schema version 1's columns for
		// contact data held in the domain row; nothing reads them.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at,
				pending_until, create_cltrid, create_svtrid, registrant_id)
			VALUES (?, ?, ?, '{}', '{}', ?, ?, ?, ?, ?, ?, ?)`,
			name, clientID, req.AuthInfo,
			res.CreatedAt.UnixMicro(), res.ExpiresAt.UnixMicro(), now.UnixMicro(), pendingUntil, clTRID, c.svTRID,
			req.Registrant); err != nil {
			return 0, err
		}
		for _, dc := range req.Contacts {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO domain_contacts (domain, type, contact) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				name, dc.Type, dc.ID); err != nil {
				return 0, err
			}
		}
		for _, h := range ns {
			if _, err := tx.ExecContext(ctx, `INSERT INTO domain_ns (domain, host) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, h); err != nil {
				return 0, err
			}
		}
		if res.Pending {
			return CodePending, nil
		}
		return CodeOK, nil
	})
	if err != nil {
		return DomainCreated{}, resp, err
	}
	return res, resp, nil
}

// DomainInfo returns everything the registry knows of a domain, as a
// domain info over EPP. Everyone sees everything but the auth info, which
// only the sponsor sees; a non-sponsor quoting a wrong authInfo gets 2202.
func (e *Engine) DomainInfo(ctx context.Context, clientID, clTRID, name, authInfo string) (DomainDetails, Response, error) {
	name = normalizeName(name)
	c := &command{name: "info", clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	var out DomainDetails
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		if d.sponsor != clientID && authInfo != "" && authInfo != d.authInfo {
			return 0, fail(CodeInvalidAuthInfo, "")
		}
		out = DomainDetails{
			DomainInfo: registrar.DomainInfo{
				Name:        d.name,
				Sponsored:   d.sponsor == clientID,
				Pending:     d.pending,
				Statuses:    d.eppStatuses(),
				CreatedAt:   d.createdAt,
				ExpiresAt:   d.expiresAt,
				Sponsor:     d.sponsor,
				RGPStatuses: d.rgpStatuses(now, e.life),
			},
			Sponsor: d.sponsor,
		}
		if out.Sponsored {
			out.AuthInfo = d.authInfo
		}
		var rowid, updated int64
		var registrant sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT rowid, registrant_id, updated_at FROM domains WHERE name = ?`, name).
			Scan(&rowid, &registrant, &updated); err != nil {
			return 0, err
		}
		out.ROID, out.Registrant = "D"+strconv.FormatInt(rowid, 10)+roidSuffix, registrant.String
		out.RegistrantID = registrant.String
		if u := time.UnixMicro(updated).UTC(); u.After(d.createdAt) {
			out.UpdatedAt = u
		}
		rows, err := tx.QueryContext(ctx, `SELECT type, contact FROM domain_contacts WHERE domain = ? ORDER BY type, contact`, name)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var dc DomainContact
			if err := rows.Scan(&dc.Type, &dc.ID); err != nil {
				rows.Close()
				return 0, err
			}
			out.Contacts = append(out.Contacts, dc)
		}
		if err := closeRows(rows); err != nil {
			return 0, err
		}
		if out.NS, err = queryColumn[string](ctx, tx, `SELECT host FROM domain_ns WHERE domain = ? ORDER BY host`, name); err != nil {
			return 0, err
		}
		if out.Hosts, err = queryColumn[string](ctx, tx, `SELECT name FROM hosts WHERE superordinate = ? ORDER BY name`, name); err != nil {
			return 0, err
		}
		out.Nameservers = out.NS
		if out.DSRecords, err = loadDS(ctx, tx, name); err != nil {
			return 0, err
		}
		return CodeOK, nil
	})
	if err != nil {
		return DomainDetails{}, resp, err
	}
	return out, resp, nil
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// queryColumn returns the one column of every row of query.
func queryColumn[T any](ctx context.Context, tx *txn, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, closeRows(rows)
}

// queueLength returns the number of messages in clientID's queue.
func queueLength(ctx context.Context, tx *txn, clientID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE client_id = ?`, clientID).Scan(&n)
	return n, err
}
