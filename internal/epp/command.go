package epp

import (
	"fmt"
	"net/netip"
	"time"
)

// Command is a client-to-server message: <hello> or one <command>.
// Exactly one of the message fields must be set.
type Command struct {
	// ClTRID is the client transaction ID: optional, 3-64 characters when
	// set. It cannot be set on Hello, which has no <command> element.
	ClTRID string

	Hello         bool // <hello/>
	Login         *Login
	Logout        bool // <logout/>
	Poll          *Poll
	DomainCheck   *DomainCheck
	DomainInfo    *DomainInfo
	DomainCreate  *DomainCreate
	DomainRenew   *DomainRenew
	DomainUpdate  *DomainUpdate
	DomainDelete  *DomainDelete
	ContactCreate *ContactCreate
	ContactInfo   *ContactInfo
	HostCreate    *HostCreate
	HostCheck     *HostCheck
	HostInfo      *HostInfo
	HostUpdate    *HostUpdate
	HostDelete    *HostDelete
	// DomainTransfer is <transfer op="..."><domain:transfer> (RFC 5730
	// §2.9.3.4, RFC 5731 §3.1.3 and §3.2.4).
	DomainTransfer *DomainTransfer
}

// Login is <login> (RFC 5730 §2.9.1.1).
type Login struct {
	ClID        string // 3-16 characters
	Password    string // <pw>: 6-16 characters
	NewPassword string // <newPW>: optional, 6-16 characters
	Version     string // <options><version>: "1.0"
	Lang        string // <options><lang>, e.g. "en"
	ObjURIs     []string
	ExtURIs     []string // <svcExtension><extURI>, optional
}

// Poll operations.
const (
	PollReq = "req"
	PollAck = "ack"
)

// Poll is <poll op="req|ack" msgID="...">; MsgID is required for "ack"
// and not allowed for "req".
type Poll struct {
	Op    string
	MsgID string
}

// Period units.
const (
	PeriodYears  = "y"
	PeriodMonths = "m"
)

// Period is a registration period: Value 1-99 of Unit "y" or "m".
type Period struct {
	Value int
	Unit  string
}

// Domain contact types.
const (
	ContactAdmin   = "admin"
	ContactBilling = "billing"
	ContactTech    = "tech"
)

// DomainContact is a <domain:contact type="...">id</domain:contact>.
type DomainContact struct {
	Type string // "admin", "billing" or "tech"
	ID   string // contact ID, 3-16 characters
}

// DomainCheck is <domain:check>, optionally with the fee extension.
type DomainCheck struct {
	Names []string // one or more, 1-255 characters each
	Fee   *FeeCheck
}

// DomainInfo is <domain:info>.
type DomainInfo struct {
	Name string
	// Hosts is the hosts attribute: "all", "del", "sub" or "none"; ""
	// leaves it out, which means "all".
	Hosts    string
	AuthInfo string // <domain:authInfo><domain:pw>, "" for none
}

// DomainCreate is <domain:create>. NS are host object names (hostObj);
// the host attribute model is not supported.
type DomainCreate struct {
	Name       string
	Period     *Period // nil: the server's default
	NS         []string
	Registrant string // optional, 3-16 characters
	Contacts   []DomainContact
	AuthInfo   string // required by the schema; "" is sent as an empty <domain:pw/>
	Fee        *FeeTransform
}

// DomainRenew is <domain:renew>. CurExpDate is an xs:date: only its
// calendar date in UTC is sent, and Parse returns midnight UTC.
type DomainRenew struct {
	Name       string
	CurExpDate time.Time
	Period     *Period
	Fee        *FeeTransform
}

// DomainUpdate is <domain:update>. At least one of Add, Rem and Chg must
// be set; an empty one is written as an empty element (as in an RGP
// restore, which sends an empty <domain:chg/>).
type DomainUpdate struct {
	Name string
	Add  *DomainAddRem
	Rem  *DomainAddRem
	Chg  *DomainChg
	// RGP is the RGP extension (RFC 3915 section 4.2.5): a restore
	// request or report; nil for none.
	RGP *RGPRestore
	// SecDNS is the secDNS-1.1 extension (RFC 5910 section 5.2.5): DS
	// records removed and added; nil for none.
	SecDNS *SecDNSUpdate
}

// DomainDelete is <domain:delete> (RFC 5731 section 3.2.2).
type DomainDelete struct {
	Name string
}

// RGP restore operations (the op attribute of <rgp:restore>).
const (
	RGPRestoreRequest = "request"
	RGPRestoreReport  = "report"
)

// RGPRestore is <rgp:update><rgp:restore op="...">, the extension of a
// <domain:update> restoring a domain in its redemption period. Report is
// required with op "report" and not allowed with op "request".
type RGPRestore struct {
	Op     string
	Report *RGPReport
}

// RGPReport is <rgp:report> (RFC 3915 section 4.2.5): the registration
// data before the delete and after the restore, when each happened, why,
// and the registrar's statements. PreData, PostData, the statements and
// Other are kept as text (the schema allows any markup; the parser keeps
// its character data).
type RGPReport struct {
	PreData    string
	PostData   string
	DelTime    time.Time
	ResTime    time.Time
	ResReason  string
	Statements []string // one or two; RFC 3915 asks for two
	Other      string   // optional
}

// DomainAddRem is the content of <domain:add> or <domain:rem>.
type DomainAddRem struct {
	NS       []string // hostObj names
	Contacts []DomainContact
	Statuses []string // status values ("clientHold", ...), at most 11
}

// DomainChg is the content of <domain:chg>. A nil field is not changed;
// a pointer to "" sends an empty value (for Registrant, removing it).
type DomainChg struct {
	Registrant *string
	AuthInfo   *string
}

// Transfer operations (the op attribute of <transfer>).
const (
	TransferRequest = "request"
	TransferQuery   = "query"
	TransferCancel  = "cancel"
	TransferApprove = "approve"
	TransferReject  = "reject"
)

// DomainTransfer is <transfer op="..."><domain:transfer>. Period is only
// sent with op "request"; AuthInfo (the domain's <domain:pw>) is required
// by registries for a request and optional for the other operations; Fee
// is the fee extension (<fee:transfer>) of a request.
type DomainTransfer struct {
	Op       string
	Name     string
	Period   *Period
	AuthInfo string // "" leaves <domain:authInfo> out
	Fee      *FeeTransform
}

// ContactCreate is <contact:create>.
type ContactCreate struct {
	ID         string       // 3-16 characters
	PostalInfo []PostalInfo // one or two, of different types
	Voice      string       // optional, E.164 "+CC.NUMBER"
	Fax        string       // optional, E.164
	Email      string
	AuthInfo   string // required by the schema; "" is sent as an empty <contact:pw/>
	// Unspec are registry-specific values sent in NeuLevel's extension
	// (.us nexus: AppPurpose, NexusCategory); optional.
	Unspec []KeyValue
}

// Postal info types.
const (
	PostalInt = "int" // 7-bit US-ASCII only
	PostalLoc = "loc"
)

// PostalInfo is <contact:postalInfo>.
type PostalInfo struct {
	Type   string // "int" or "loc"
	Name   string
	Org    string   // optional
	Street []string // 0-3 lines
	City   string
	SP     string // optional state or province
	PC     string // optional postal code, up to 16 characters
	CC     string // two-letter country code
}

// ContactInfo is <contact:info>.
type ContactInfo struct {
	ID       string
	AuthInfo string // optional
}

// HostCreate is <host:create>.
type HostCreate struct {
	Name  string
	Addrs []HostAddr
}

// Host address types.
const (
	IPv4 = "v4"
	IPv6 = "v6"
)

// HostAddr is <host:addr ip="v4|v6">. An empty IP leaves the attribute
// out, which means "v4".
type HostAddr struct {
	IP   string
	Addr string
}

// Kind names the message: "hello", "login", "logout", "poll",
// "domain:check", "domain:info", "domain:create", "domain:renew",
// "domain:update", "domain:delete", "domain:transfer", "contact:create", "contact:info",
// "host:create", "host:check", "host:info", "host:update", "host:delete",
// or "" when no message field is set.
func (c *Command) Kind() string {
	switch {
	case c.Hello:
		return "hello"
	case c.Login != nil:
		return "login"
	case c.Logout:
		return "logout"
	case c.Poll != nil:
		return "poll"
	case c.DomainCheck != nil:
		return "domain:check"
	case c.DomainInfo != nil:
		return "domain:info"
	case c.DomainCreate != nil:
		return "domain:create"
	case c.DomainRenew != nil:
		return "domain:renew"
	case c.DomainUpdate != nil:
		return "domain:update"
	case c.DomainDelete != nil:
		return "domain:delete"
	case c.ContactCreate != nil:
		return "contact:create"
	case c.ContactInfo != nil:
		return "contact:info"
	case c.HostCreate != nil:
		return "host:create"
	case c.HostCheck != nil:
		return "host:check"
	case c.HostInfo != nil:
		return "host:info"
	case c.HostUpdate != nil:
		return "host:update"
	case c.HostDelete != nil:
		return "host:delete"
	case c.DomainTransfer != nil:
		return "domain:transfer"
	}
	return ""
}

func (c *Command) count() int {
	n := 0
	for _, set := range []bool{c.Hello, c.Login != nil, c.Logout, c.Poll != nil, c.DomainCheck != nil,
		c.DomainInfo != nil, c.DomainCreate != nil, c.DomainRenew != nil, c.DomainUpdate != nil,
		c.DomainDelete != nil, c.ContactCreate != nil, c.ContactInfo != nil, c.HostCreate != nil, c.DomainTransfer != nil,
		c.HostCheck != nil, c.HostInfo != nil, c.HostUpdate != nil, c.HostDelete != nil} {
		if set {
			n++
		}
	}
	return n
}

// ---- validation ----

var domainStatuses = []string{
	"clientDeleteProhibited", "clientHold", "clientRenewProhibited", "clientTransferProhibited",
	"clientUpdateProhibited", "inactive", "ok", "pendingCreate", "pendingDelete", "pendingRenew",
	"pendingTransfer", "pendingUpdate", "serverDeleteProhibited", "serverHold", "serverRenewProhibited",
	"serverTransferProhibited", "serverUpdateProhibited",
}

var contactStatuses = []string{
	"clientDeleteProhibited", "clientTransferProhibited", "clientUpdateProhibited", "linked", "ok",
	"pendingCreate", "pendingDelete", "pendingTransfer", "pendingUpdate", "serverDeleteProhibited",
	"serverTransferProhibited", "serverUpdateProhibited",
}

func (c *Command) validate() error {
	v := &checker{}
	switch n := c.count(); {
	case n == 0:
		v.fail(CodeUnknownCommand, "command", "no command set")
	case n > 1:
		v.fail(CodeSyntaxError, "command", "%d commands set, want exactly one", n)
	}
	if c.Hello && c.ClTRID != "" {
		v.fail(CodeSyntaxError, "clTRID", "a <hello> has no clTRID")
	}
	v.optToken("clTRID", c.ClTRID, 3, 64)
	if l := c.Login; l != nil {
		v.token("clID", l.ClID, 3, 16)
		v.token("pw", l.Password, 6, 16)
		v.optToken("newPW", l.NewPassword, 6, 16)
		switch l.Version {
		case "1.0":
		case "":
			v.fail(CodeMissingParam, "version", "required value missing")
		default:
			v.fail(CodeUnimplementedVersion, "version", "version %q, want 1.0", l.Version)
		}
		v.lang("lang", l.Lang)
		if len(l.ObjURIs) == 0 {
			v.fail(CodeMissingParam, "objURI", "at least one objURI required")
		}
		for _, u := range l.ObjURIs {
			v.token("objURI", u, 1, 0)
		}
		for _, u := range l.ExtURIs {
			v.token("extURI", u, 1, 0)
		}
	}
	if p := c.Poll; p != nil {
		v.enum("poll@op", p.Op, true, PollReq, PollAck)
		switch {
		case p.Op == PollAck && p.MsgID == "":
			v.fail(CodeMissingParam, "poll@msgID", "msgID required with op=\"ack\"")
		case p.Op == PollReq && p.MsgID != "":
			v.fail(CodeSyntaxError, "poll@msgID", "msgID not allowed with op=\"req\"")
		}
		v.optToken("poll@msgID", p.MsgID, 1, 0)
	}
	if d := c.DomainCheck; d != nil {
		if len(d.Names) == 0 {
			v.fail(CodeMissingParam, "domain:name", "at least one name required")
		}
		for _, n := range d.Names {
			v.token("domain:name", n, 1, 255)
		}
		d.Fee.validate(v)
	}
	if d := c.DomainInfo; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.enum("domain:name@hosts", d.Hosts, false, "all", "del", "none", "sub")
		v.normalized("domain:pw", d.AuthInfo, 0, 0)
	}
	if d := c.DomainCreate; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		d.Period.validate(v, "domain:period")
		for _, ns := range d.NS {
			v.token("domain:hostObj", ns, 1, 255)
		}
		v.optToken("domain:registrant", d.Registrant, 3, 16)
		validateContacts(v, d.Contacts)
		v.normalized("domain:pw", d.AuthInfo, 0, 0)
		d.Fee.validate(v, "fee:create")
	}
	if d := c.DomainRenew; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.dateTime("domain:curExpDate", d.CurExpDate, true)
		d.Period.validate(v, "domain:period")
		d.Fee.validate(v, "fee:renew")
	}
	if d := c.DomainUpdate; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		if d.Add == nil && d.Rem == nil && d.Chg == nil {
			v.fail(CodeMissingParam, "domain:update", "one of domain:add, domain:rem, domain:chg required")
		}
		d.Add.validate(v)
		d.Rem.validate(v)
		if ch := d.Chg; ch != nil {
			if ch.Registrant != nil && *ch.Registrant != "" {
				v.optToken("domain:registrant", *ch.Registrant, 0, 16)
			}
			if ch.AuthInfo != nil {
				v.normalized("domain:pw", *ch.AuthInfo, 0, 0)
			}
		}
		d.RGP.validate(v)
	}
	if d := c.DomainDelete; d != nil {
		v.token("domain:name", d.Name, 1, 255)
	}
	if ct := c.ContactCreate; ct != nil {
		v.token("contact:id", ct.ID, 3, 16)
		validatePostal(v, ct.PostalInfo)
		v.e164("contact:voice", ct.Voice)
		v.e164("contact:fax", ct.Fax)
		v.token("contact:email", ct.Email, 1, 0)
		v.normalized("contact:pw", ct.AuthInfo, 0, 0)
		checkUnspec(v, ct.Unspec)
	}
	if ct := c.ContactInfo; ct != nil {
		v.token("contact:id", ct.ID, 3, 16)
		v.normalized("contact:pw", ct.AuthInfo, 0, 0)
	}
	if h := c.HostCreate; h != nil {
		v.token("host:name", h.Name, 1, 255)
		for _, a := range h.Addrs {
			validateHostAddr(v, a)
		}
	}
	c.validateHosts(v)
	if d := c.DomainTransfer; d != nil {
		v.enum("transfer@op", d.Op, true, TransferApprove, TransferCancel, TransferQuery, TransferReject, TransferRequest)
		v.token("domain:name", d.Name, 1, 255)
		if d.Op != TransferRequest {
			if d.Period != nil {
				v.fail(CodeSyntaxError, "domain:period", "a period is only sent with op=\"request\"")
			}
			if d.Fee != nil {
				v.fail(CodeSyntaxError, "fee:transfer", "the fee extension is only sent with op=\"request\"")
			}
		}
		d.Period.validate(v, "domain:period")
		v.normalized("domain:pw", d.AuthInfo, 0, 0)
		d.Fee.validate(v, "fee:transfer")
	}
	return v.result()
}

func (p *Period) validate(v *checker, field string) {
	if p == nil {
		return
	}
	if p.Value < 1 || p.Value > 99 {
		v.fail(CodeParamRangeError, field, "%d outside 1 to 99", p.Value)
	}
	v.enum(field+"@unit", p.Unit, true, PeriodYears, PeriodMonths)
}

func (r *RGPRestore) validate(v *checker) {
	if r == nil {
		return
	}
	v.enum("rgp:restore@op", r.Op, true, RGPRestoreRequest, RGPRestoreReport)
	switch {
	case r.Op == RGPRestoreReport && r.Report == nil:
		v.fail(CodeMissingParam, "rgp:report", "a report is required with op=\"report\"")
	case r.Op == RGPRestoreRequest && r.Report != nil:
		v.fail(CodeSyntaxError, "rgp:report", "a report is only sent with op=\"report\"")
	}
	if p := r.Report; p != nil {
		v.text("rgp:preData", p.PreData)
		v.text("rgp:postData", p.PostData)
		v.dateTime("rgp:delTime", p.DelTime, true)
		v.dateTime("rgp:resTime", p.ResTime, true)
		v.text("rgp:resReason", p.ResReason)
		if n := len(p.Statements); n < 1 || n > 2 {
			v.fail(CodeSyntaxError, "rgp:statement", "%d statements, want 1 or 2", n)
		}
		for _, st := range p.Statements {
			v.text("rgp:statement", st)
		}
		v.text("rgp:other", p.Other)
	}
}

func validateContacts(v *checker, cs []DomainContact) {
	for _, c := range cs {
		v.enum("domain:contact@type", c.Type, true, ContactAdmin, ContactBilling, ContactTech)
		v.token("domain:contact", c.ID, 3, 16)
	}
}

func (a *DomainAddRem) validate(v *checker) {
	if a == nil {
		return
	}
	for _, ns := range a.NS {
		v.token("domain:hostObj", ns, 1, 255)
	}
	validateContacts(v, a.Contacts)
	if len(a.Statuses) > 11 {
		v.fail(CodeSyntaxError, "domain:status", "%d statuses, at most 11 allowed", len(a.Statuses))
	}
	for _, s := range a.Statuses {
		v.enum("domain:status@s", s, true, domainStatuses...)
	}
}

func validatePostal(v *checker, ps []PostalInfo) {
	switch {
	case len(ps) == 0:
		v.fail(CodeMissingParam, "contact:postalInfo", "at least one postalInfo required")
	case len(ps) > 2:
		v.fail(CodeSyntaxError, "contact:postalInfo", "%d postalInfo elements, at most 2 allowed", len(ps))
	case len(ps) == 2 && ps[0].Type == ps[1].Type:
		v.fail(CodeParamSyntaxError, "contact:postalInfo@type", "two postalInfo elements of type %q", ps[0].Type)
	}
	for _, p := range ps {
		v.enum("contact:postalInfo@type", p.Type, true, PostalInt, PostalLoc)
		v.normalized("contact:name", p.Name, 1, 255)
		v.normalized("contact:org", p.Org, 0, 255)
		if len(p.Street) > 3 {
			v.fail(CodeSyntaxError, "contact:street", "%d street lines, at most 3 allowed", len(p.Street))
		}
		for _, s := range p.Street {
			v.normalized("contact:street", s, 0, 255)
		}
		v.normalized("contact:city", p.City, 1, 255)
		v.normalized("contact:sp", p.SP, 0, 255)
		v.optToken("contact:pc", p.PC, 1, 16)
		v.token("contact:cc", p.CC, 2, 2)
		if p.Type == PostalInt {
			for _, s := range append([]string{p.Name, p.Org, p.City, p.SP, p.PC, p.CC}, p.Street...) {
				if !isASCII(s) {
					v.fail(CodeParamSyntaxError, "contact:postalInfo", `type "int" allows 7-bit US-ASCII only`)
					break
				}
			}
		}
	}
}

func validateHostAddr(v *checker, a HostAddr) {
	v.enum("host:addr@ip", a.IP, false, IPv4, IPv6)
	v.token("host:addr", a.Addr, 3, 45)
	if v.err != nil {
		return
	}
	ip, err := netip.ParseAddr(a.Addr)
	if err != nil || ip.Zone() != "" || ip.Is4() != (a.IP != IPv6) {
		want := "IPv4"
		if a.IP == IPv6 {
			want = "IPv6"
		}
		v.fail(CodeParamSyntaxError, "host:addr", "%q is not an %s address", a.Addr, want)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ---- marshalling ----

// Marshal encodes the command as a complete <epp> document (UTF-8, with
// an XML declaration). It validates first and returns a *FormatError
// naming the offending field.
func (c *Command) Marshal() ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	w := newWriter()
	w.start("epp", "xmlns", NSEPP)
	if c.Hello {
		w.leaf("hello", "")
		w.end("epp")
		return w.bytes(), nil
	}
	w.start("command")
	switch {
	case c.Login != nil:
		l := c.Login
		w.start("login")
		w.leaf("clID", l.ClID)
		w.leaf("pw", l.Password)
		w.optLeaf("newPW", l.NewPassword)
		w.start("options")
		w.leaf("version", l.Version)
		w.leaf("lang", l.Lang)
		w.end("options")
		w.start("svcs")
		for _, u := range l.ObjURIs {
			w.leaf("objURI", u)
		}
		if len(l.ExtURIs) > 0 {
			w.start("svcExtension")
			for _, u := range l.ExtURIs {
				w.leaf("extURI", u)
			}
			w.end("svcExtension")
		}
		w.end("svcs")
		w.end("login")
	case c.Logout:
		w.leaf("logout", "")
	case c.Poll != nil:
		w.leaf("poll", "", "op", c.Poll.Op, "msgID", c.Poll.MsgID)
	case c.DomainCheck != nil:
		d := c.DomainCheck
		w.start("check")
		w.start("domain:check", "xmlns:domain", NSDomain)
		for _, n := range d.Names {
			w.leaf("domain:name", n)
		}
		w.end("domain:check")
		w.end("check")
		if d.Fee != nil {
			w.start("extension")
			d.Fee.write(w)
			w.end("extension")
		}
	case c.DomainInfo != nil:
		d := c.DomainInfo
		w.start("info")
		w.start("domain:info", "xmlns:domain", NSDomain)
		w.leaf("domain:name", d.Name, "hosts", d.Hosts)
		if d.AuthInfo != "" {
			writeAuthInfo(w, "domain", d.AuthInfo)
		}
		w.end("domain:info")
		w.end("info")
	case c.DomainCreate != nil:
		d := c.DomainCreate
		w.start("create")
		w.start("domain:create", "xmlns:domain", NSDomain)
		w.leaf("domain:name", d.Name)
		d.Period.write(w, "domain:period")
		writeNS(w, d.NS)
		w.optLeaf("domain:registrant", d.Registrant)
		writeContacts(w, d.Contacts)
		writeAuthInfo(w, "domain", d.AuthInfo)
		w.end("domain:create")
		w.end("create")
		writeFeeExtension(w, "fee:create", d.Fee)
	case c.DomainRenew != nil:
		d := c.DomainRenew
		w.start("renew")
		w.start("domain:renew", "xmlns:domain", NSDomain)
		w.leaf("domain:name", d.Name)
		w.leaf("domain:curExpDate", formatDate(d.CurExpDate))
		d.Period.write(w, "domain:period")
		w.end("domain:renew")
		w.end("renew")
		writeFeeExtension(w, "fee:renew", d.Fee)
	case c.DomainUpdate != nil:
		d := c.DomainUpdate
		w.start("update")
		w.start("domain:update", "xmlns:domain", NSDomain)
		w.leaf("domain:name", d.Name)
		d.Add.write(w, "domain:add")
		d.Rem.write(w, "domain:rem")
		if ch := d.Chg; ch != nil {
			if ch.Registrant == nil && ch.AuthInfo == nil {
				w.leaf("domain:chg", "")
			} else {
				w.start("domain:chg")
				if ch.Registrant != nil {
					w.leaf("domain:registrant", *ch.Registrant)
				}
				if ch.AuthInfo != nil {
					writeAuthInfo(w, "domain", *ch.AuthInfo)
				}
				w.end("domain:chg")
			}
		}
		w.end("domain:update")
		w.end("update")
		if d.RGP != nil || d.SecDNS != nil {
			w.start("extension")
		}
		if s := d.SecDNS; s != nil {
			s.write(w)
		}
		if r := d.RGP; r != nil {
			w.start("rgp:update", "xmlns:rgp", NSRGP)
			if r.Report == nil {
				w.leaf("rgp:restore", "", "op", r.Op)
			} else {
				p := r.Report
				w.start("rgp:restore", "op", r.Op)
				w.start("rgp:report")
				w.leaf("rgp:preData", p.PreData)
				w.leaf("rgp:postData", p.PostData)
				w.leaf("rgp:delTime", formatDateTime(p.DelTime))
				w.leaf("rgp:resTime", formatDateTime(p.ResTime))
				w.leaf("rgp:resReason", p.ResReason)
				for _, st := range p.Statements {
					w.leaf("rgp:statement", st)
				}
				w.optLeaf("rgp:other", p.Other)
				w.end("rgp:report")
				w.end("rgp:restore")
			}
			w.end("rgp:update")
		}
		if d.RGP != nil || d.SecDNS != nil {
			w.end("extension")
		}
	case c.DomainDelete != nil:
		w.start("delete")
		w.start("domain:delete", "xmlns:domain", NSDomain)
		w.leaf("domain:name", c.DomainDelete.Name)
		w.end("domain:delete")
		w.end("delete")
	case c.ContactCreate != nil:
		ct := c.ContactCreate
		w.start("create")
		w.start("contact:create", "xmlns:contact", NSContact)
		w.leaf("contact:id", ct.ID)
		writePostal(w, ct.PostalInfo)
		w.optLeaf("contact:voice", ct.Voice)
		w.optLeaf("contact:fax", ct.Fax)
		w.leaf("contact:email", ct.Email)
		writeAuthInfo(w, "contact", ct.AuthInfo)
		w.end("contact:create")
		w.end("create")
		writeUnspec(w, ct.Unspec)
	case c.ContactInfo != nil:
		ct := c.ContactInfo
		w.start("info")
		w.start("contact:info", "xmlns:contact", NSContact)
		w.leaf("contact:id", ct.ID)
		if ct.AuthInfo != "" {
			writeAuthInfo(w, "contact", ct.AuthInfo)
		}
		w.end("contact:info")
		w.end("info")
	case c.DomainTransfer != nil:
		d := c.DomainTransfer
		w.start("transfer", "op", d.Op)
		w.start("domain:transfer", "xmlns:domain", NSDomain)
		w.leaf("domain:name", d.Name)
		d.Period.write(w, "domain:period")
		if d.AuthInfo != "" {
			writeAuthInfo(w, "domain", d.AuthInfo)
		}
		w.end("domain:transfer")
		w.end("transfer")
		writeFeeExtension(w, "fee:transfer", d.Fee)
	case c.HostCreate != nil:
		h := c.HostCreate
		w.start("create")
		w.start("host:create", "xmlns:host", NSHost)
		w.leaf("host:name", h.Name)
		for _, a := range h.Addrs {
			w.leaf("host:addr", a.Addr, "ip", a.IP)
		}
		w.end("host:create")
		w.end("create")
	default:
		c.writeHostCommand(w)
	}
	w.optLeaf("clTRID", c.ClTRID)
	w.end("command")
	w.end("epp")
	return w.bytes(), nil
}

func (p *Period) write(w *writer, name string) {
	if p != nil {
		w.leaf(name, fmt.Sprint(p.Value), "unit", p.Unit)
	}
}

func writeAuthInfo(w *writer, prefix, pw string) {
	w.start(prefix + ":authInfo")
	w.leaf(prefix+":pw", pw)
	w.end(prefix + ":authInfo")
}

func writeNS(w *writer, ns []string) {
	if len(ns) == 0 {
		return
	}
	w.start("domain:ns")
	for _, n := range ns {
		w.leaf("domain:hostObj", n)
	}
	w.end("domain:ns")
}

func writeContacts(w *writer, cs []DomainContact) {
	for _, c := range cs {
		w.leaf("domain:contact", c.ID, "type", c.Type)
	}
}

func writeStatuses(w *writer, name string, ss []string) {
	for _, s := range ss {
		w.leaf(name, "", "s", s)
	}
}

func (a *DomainAddRem) write(w *writer, name string) {
	if a == nil {
		return
	}
	if len(a.NS) == 0 && len(a.Contacts) == 0 && len(a.Statuses) == 0 {
		w.leaf(name, "")
		return
	}
	w.start(name)
	writeNS(w, a.NS)
	writeContacts(w, a.Contacts)
	writeStatuses(w, "domain:status", a.Statuses)
	w.end(name)
}

func writePostal(w *writer, ps []PostalInfo) {
	for _, p := range ps {
		w.start("contact:postalInfo", "type", p.Type)
		w.leaf("contact:name", p.Name)
		w.optLeaf("contact:org", p.Org)
		w.start("contact:addr")
		for _, s := range p.Street {
			w.leaf("contact:street", s)
		}
		w.leaf("contact:city", p.City)
		w.optLeaf("contact:sp", p.SP)
		w.optLeaf("contact:pc", p.PC)
		w.leaf("contact:cc", p.CC)
		w.end("contact:addr")
		w.end("contact:postalInfo")
	}
}
