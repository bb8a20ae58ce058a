package epp

import (
	"strconv"
	"strings"
	"time"
)

// Response is a server-to-client <response>.
type Response struct {
	Results []Result // at least one
	MsgQ    *MsgQ

	// resData: at most one of these is set.
	DomainCheck    *DomainChkData
	DomainInfo     *DomainInfData
	DomainCreate   *DomainCreData
	DomainRenew    *DomainRenData
	DomainTransfer *DomainTrnData // e.g. in a poll message about a transfer
	DomainPan      *DomainPanData // poll message: pending action completed
	ContactCreate  *ContactCreData
	ContactInfo    *ContactInfData
	HostCreate     *HostCreData
	HostCheck      *HostChkData
	HostInfo       *HostInfData

	// extension
	FeeCheck  *FeeChkData       // <fee:chkData>
	FeeCreate *FeeTransformData // <fee:creData>
	FeeRenew  *FeeTransformData // <fee:renData>
	// FeeTransfer is <fee:trnData>: the fee of a transfer request, or the
	// fee of the transfer a query or a poll message reports.
	FeeTransfer *FeeTransformData
	// RGPInfo is <rgp:infData>, the RGP statuses of a domain info (RFC
	// 3915 section 4.1.2); RGPUpdate is <rgp:upData>, those after an
	// update (section 4.2.5).
	RGPInfo   *RGPData
	RGPUpdate *RGPData
	// SecDNSInfo is <secDNS:infData>, the DS records of a domain info
	// (RFC 5910 section 5.1.2).
	SecDNSInfo *SecDNSData

	ClTRID string // echoed, optional
	SvTRID string // required, 3-64 characters
}

// Result is one <result>.
type Result struct {
	Code int
	Msg  string // usually CodeText(Code); written as is
	// Values are <value> and <extValue> entries: the elements that
	// caused an error, with a reason for <extValue>.
	Values []Value
}

// Value is a <value> (Reason empty) or an <extValue> (Reason set). It
// names one element, by namespace URI and local name, and its text
// content. An empty Name stands for <undef/> in the EPP namespace, for a
// reason that is about no particular element; an empty NS with a Name is
// an element in no namespace.
type Value struct {
	NS     string
	Name   string
	Text   string
	Reason string
}

// MsgQ is <msgQ>: the state of the client's message queue.
type MsgQ struct {
	Count int
	ID    string    // required: the message ID to ack
	QDate time.Time // optional: when the message was queued
	Msg   string    // optional human-readable message
}

// DomainChkData is <domain:chkData>.
type DomainChkData struct {
	CDs []DomainCD
}

// DomainCD is one <domain:cd>.
type DomainCD struct {
	Name   string
	Avail  bool
	Reason string // optional, 1-32 characters
}

// DomainInfData is <domain:infData>. Statuses are status values only
// (their free text is not kept); NS are hostObj names (for a server using
// hostAttr, the host names).
type DomainInfData struct {
	Name       string
	ROID       string
	Statuses   []string
	Registrant string
	Contacts   []DomainContact
	NS         []string
	Hosts      []string // subordinate hosts (<domain:host>)
	ClID       string
	CrID       string
	CrDate     time.Time
	UpID       string
	UpDate     time.Time
	ExDate     time.Time
	TrDate     time.Time
	AuthInfo   string
}

// RGPData is the content of <rgp:infData> and <rgp:upData>: one or more
// RGP status values (their free text is not kept).
type RGPData struct {
	Statuses []string
}

// rgpStatuses are the values of rgp:statusValueType.
var rgpStatuses = []string{"addPeriod", "autoRenewPeriod", "renewPeriod", "transferPeriod", "pendingDelete",
	"pendingRestore", "redemptionPeriod"}

func (d *RGPData) validate(v *checker, field string) {
	if d == nil {
		return
	}
	if len(d.Statuses) == 0 {
		v.fail(CodeMissingParam, field, "at least one rgp:rgpStatus required")
	}
	for _, s := range d.Statuses {
		v.enum("rgp:rgpStatus@s", s, true, rgpStatuses...)
	}
}

// DomainCreData is <domain:creData>.
type DomainCreData struct {
	Name   string
	CrDate time.Time
	ExDate time.Time // optional
}

// DomainRenData is <domain:renData>.
type DomainRenData struct {
	Name   string
	ExDate time.Time // optional
}

// Transfer statuses.
const (
	TrPending         = "pending"
	TrClientApproved  = "clientApproved"
	TrClientCancelled = "clientCancelled"
	TrClientRejected  = "clientRejected"
	TrServerApproved  = "serverApproved"
	TrServerCancelled = "serverCancelled"
)

// DomainTrnData is <domain:trnData>.
type DomainTrnData struct {
	Name     string
	TrStatus string
	ReID     string
	ReDate   time.Time
	AcID     string
	AcDate   time.Time
	ExDate   time.Time // optional
}

// DomainPanData is <domain:panData>, the resData of the poll message
// that reports the end of a pending action.
type DomainPanData struct {
	Name     string
	PaResult bool   // true: the action succeeded
	PaClTRID string // the original command's clTRID (optional)
	PaSvTRID string // the original command's svTRID
	PaDate   time.Time
}

// ContactCreData is <contact:creData>.
type ContactCreData struct {
	ID     string
	CrDate time.Time
}

// ContactInfData is <contact:infData>.
type ContactInfData struct {
	ID         string
	ROID       string
	Statuses   []string // 1-7 status values
	PostalInfo []PostalInfo
	Voice      string
	Fax        string
	Email      string
	ClID       string
	CrID       string
	CrDate     time.Time
	UpID       string
	UpDate     time.Time
	TrDate     time.Time
	AuthInfo   string
}

// HostCreData is <host:creData>.
type HostCreData struct {
	Name   string
	CrDate time.Time
}

// Code returns the code of the first result, or 0 if there is none.
func (r *Response) Code() int {
	if len(r.Results) == 0 {
		return 0
	}
	return r.Results[0].Code
}

// Err returns an *Error if the response's code is 2000 or above, and nil
// otherwise.
func (r *Response) Err() error {
	if r.Code() < 2000 {
		return nil
	}
	res := r.Results[0]
	e := &Error{Code: res.Code, Msg: res.Msg, ClTRID: r.ClTRID, SvTRID: r.SvTRID}
	for _, v := range res.Values {
		if v.Reason != "" {
			e.Reason = v.Reason
			break
		}
	}
	return e
}

// ---- validation ----

func (r *Response) validate() error {
	v := &checker{}
	if len(r.Results) == 0 {
		v.fail(CodeMissingParam, "result", "at least one result required")
	}
	for _, res := range r.Results {
		if !ValidCode(res.Code) {
			v.fail(CodeParamSyntaxError, "result@code", "%d is not an EPP result code", res.Code)
		}
		v.normalized("msg", res.Msg, 0, 0)
		for _, val := range res.Values {
			val.validate(v)
		}
	}
	if q := r.MsgQ; q != nil {
		if q.Count < 0 {
			v.fail(CodeParamRangeError, "msgQ@count", "negative count %d", q.Count)
		}
		v.token("msgQ@id", q.ID, 1, 0)
		v.dateTime("qDate", q.QDate, false)
		v.text("msgQ/msg", q.Msg)
	}
	n := 0
	for _, set := range []bool{r.DomainCheck != nil, r.DomainInfo != nil, r.DomainCreate != nil, r.DomainRenew != nil,
		r.DomainTransfer != nil, r.DomainPan != nil, r.ContactCreate != nil, r.ContactInfo != nil, r.HostCreate != nil,
		r.HostCheck != nil, r.HostInfo != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		v.fail(CodeSyntaxError, "resData", "%d resData elements set, at most one allowed", n)
	}
	if d := r.DomainCheck; d != nil {
		if len(d.CDs) == 0 {
			v.fail(CodeMissingParam, "domain:cd", "at least one domain:cd required")
		}
		for _, cd := range d.CDs {
			v.token("domain:name", cd.Name, 1, 255)
			v.optToken("domain:reason", cd.Reason, 1, 32)
		}
	}
	if d := r.DomainInfo; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.roid("domain:roid", d.ROID)
		if len(d.Statuses) > 11 {
			v.fail(CodeSyntaxError, "domain:status", "%d statuses, at most 11 allowed", len(d.Statuses))
		}
		for _, s := range d.Statuses {
			v.enum("domain:status@s", s, true, domainStatuses...)
		}
		v.optToken("domain:registrant", d.Registrant, 3, 16)
		validateContacts(v, d.Contacts)
		for _, ns := range d.NS {
			v.token("domain:hostObj", ns, 1, 255)
		}
		for _, h := range d.Hosts {
			v.token("domain:host", h, 1, 255)
		}
		v.token("domain:clID", d.ClID, 3, 16)
		v.optToken("domain:crID", d.CrID, 3, 16)
		v.dateTime("domain:crDate", d.CrDate, false)
		v.optToken("domain:upID", d.UpID, 3, 16)
		v.dateTime("domain:upDate", d.UpDate, false)
		v.dateTime("domain:exDate", d.ExDate, false)
		v.dateTime("domain:trDate", d.TrDate, false)
		v.normalized("domain:pw", d.AuthInfo, 0, 0)
	}
	if d := r.DomainCreate; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.dateTime("domain:crDate", d.CrDate, true)
		v.dateTime("domain:exDate", d.ExDate, false)
	}
	if d := r.DomainRenew; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.dateTime("domain:exDate", d.ExDate, false)
	}
	if d := r.DomainTransfer; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.enum("domain:trStatus", d.TrStatus, true, TrClientApproved, TrClientCancelled, TrClientRejected,
			TrPending, TrServerApproved, TrServerCancelled)
		v.token("domain:reID", d.ReID, 3, 16)
		v.dateTime("domain:reDate", d.ReDate, true)
		v.token("domain:acID", d.AcID, 3, 16)
		v.dateTime("domain:acDate", d.AcDate, true)
		v.dateTime("domain:exDate", d.ExDate, false)
	}
	if d := r.DomainPan; d != nil {
		v.token("domain:name", d.Name, 1, 255)
		v.optToken("domain:paTRID/clTRID", d.PaClTRID, 3, 64)
		v.token("domain:paTRID/svTRID", d.PaSvTRID, 3, 64)
		v.dateTime("domain:paDate", d.PaDate, true)
	}
	if c := r.ContactCreate; c != nil {
		v.token("contact:id", c.ID, 3, 16)
		v.dateTime("contact:crDate", c.CrDate, true)
	}
	if c := r.ContactInfo; c != nil {
		v.token("contact:id", c.ID, 3, 16)
		v.roid("contact:roid", c.ROID)
		if len(c.Statuses) == 0 || len(c.Statuses) > 7 {
			v.fail(CodeSyntaxError, "contact:status", "%d statuses, want 1 to 7", len(c.Statuses))
		}
		for _, s := range c.Statuses {
			v.enum("contact:status@s", s, true, contactStatuses...)
		}
		validatePostal(v, c.PostalInfo)
		v.e164("contact:voice", c.Voice)
		v.e164("contact:fax", c.Fax)
		v.token("contact:email", c.Email, 1, 0)
		v.token("contact:clID", c.ClID, 3, 16)
		v.token("contact:crID", c.CrID, 3, 16)
		v.dateTime("contact:crDate", c.CrDate, true)
		v.optToken("contact:upID", c.UpID, 3, 16)
		v.dateTime("contact:upDate", c.UpDate, false)
		v.dateTime("contact:trDate", c.TrDate, false)
		v.normalized("contact:pw", c.AuthInfo, 0, 0)
	}
	if h := r.HostCreate; h != nil {
		v.token("host:name", h.Name, 1, 255)
		v.dateTime("host:crDate", h.CrDate, true)
	}
	r.FeeCheck.validate(v)
	r.FeeCreate.validate(v)
	r.FeeRenew.validate(v)
	r.FeeTransfer.validate(v)
	r.HostCheck.validate(v)
	r.HostInfo.validate(v)
	r.SecDNSInfo.validate(v)
	r.RGPInfo.validate(v, "rgp:infData")
	r.RGPUpdate.validate(v, "rgp:upData")
	v.optToken("clTRID", r.ClTRID, 3, 64)
	v.token("svTRID", r.SvTRID, 3, 64)
	return v.result()
}

func (val Value) validate(v *checker) {
	switch {
	case val.Name == "" && val.NS != "":
		v.fail(CodeSyntaxError, "value", "namespace %q without an element name", val.NS)
	case val.Name != "" && !isNCName(val.Name):
		v.fail(CodeParamSyntaxError, "value", "%q is not an element name", val.Name)
	case val.NS == NSEPP && val.Name == "undef":
		v.fail(CodeSyntaxError, "value", "write <undef/> as an empty Name")
	case val.NS == nsXML || val.NS == nsXMLNS:
		v.fail(CodeSyntaxError, "value", "reserved namespace %q", val.NS)
	case strings.ContainsAny(val.NS, " \t\r\n"):
		v.fail(CodeParamSyntaxError, "value", "namespace %q is not a URI", val.NS)
	}
	v.text("value", val.NS)
	v.text("value", val.Text)
	v.normalized("extValue/reason", val.Reason, 0, 0)
}

// isNCName reports whether s is an ASCII XML name without a colon.
func isNCName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '-')) {
			return false
		}
	}
	return s != ""
}

// ---- marshalling ----

// Marshal encodes the response as a complete <epp> document. It validates
// first and returns a *FormatError naming the offending field.
func (r *Response) Marshal() ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	w := newWriter()
	w.start("epp", "xmlns", NSEPP)
	w.start("response")
	for _, res := range r.Results {
		w.start("result", "code", strconv.Itoa(res.Code))
		w.leaf("msg", res.Msg)
		for _, val := range res.Values {
			if val.Reason == "" {
				val.write(w)
				continue
			}
			w.start("extValue")
			val.write(w)
			w.leaf("reason", val.Reason)
			w.end("extValue")
		}
		w.end("result")
	}
	if q := r.MsgQ; q != nil {
		attrs := []string{"count", strconv.Itoa(q.Count), "id", q.ID}
		if q.QDate.IsZero() && q.Msg == "" {
			w.leaf("msgQ", "", attrs...)
		} else {
			w.start("msgQ", attrs...)
			if !q.QDate.IsZero() {
				w.leaf("qDate", formatDateTime(q.QDate))
			}
			w.optLeaf("msg", q.Msg)
			w.end("msgQ")
		}
	}
	r.writeResData(w)
	if r.FeeCheck != nil || r.FeeCreate != nil || r.FeeRenew != nil || r.FeeTransfer != nil || r.RGPInfo != nil || r.RGPUpdate != nil || r.SecDNSInfo != nil {
		w.start("extension")
		if r.SecDNSInfo != nil {
			r.SecDNSInfo.write(w)
		}
		if r.FeeCheck != nil {
			r.FeeCheck.write(w)
		}
		if r.FeeCreate != nil {
			r.FeeCreate.write(w, "fee:creData")
		}
		if r.FeeRenew != nil {
			r.FeeRenew.write(w, "fee:renData")
		}
		if r.FeeTransfer != nil {
			r.FeeTransfer.write(w, "fee:trnData")
		}
		for _, x := range []struct {
			name string
			d    *RGPData
		}{{"rgp:infData", r.RGPInfo}, {"rgp:upData", r.RGPUpdate}} {
			if x.d != nil {
				w.start(x.name, "xmlns:rgp", NSRGP)
				writeStatuses(w, "rgp:rgpStatus", x.d.Statuses)
				w.end(x.name)
			}
		}
		w.end("extension")
	}
	w.start("trID")
	w.optLeaf("clTRID", r.ClTRID)
	w.leaf("svTRID", r.SvTRID)
	w.end("trID")
	w.end("response")
	w.end("epp")
	return w.bytes(), nil
}

func (val Value) write(w *writer) {
	w.start("value")
	switch {
	case val.Name == "":
		w.leaf("undef", val.Text)
	case val.NS == NSEPP:
		w.leaf(val.Name, val.Text)
	case val.NS == "":
		w.leaf(val.Name, val.Text, "xmlns", "")
	default:
		prefix, ok := prefixes[val.NS]
		if !ok {
			prefix = "v"
		}
		w.leaf(prefix+":"+val.Name, val.Text, "xmlns:"+prefix, val.NS)
	}
	w.end("value")
}

func dateLeaf(w *writer, name string, t time.Time) {
	if !t.IsZero() {
		w.leaf(name, formatDateTime(t))
	}
}

func (r *Response) writeResData(w *writer) {
	start := func(name, prefix, ns string) {
		w.start("resData")
		w.start(name, "xmlns:"+prefix, ns)
	}
	end := func(name string) {
		w.end(name)
		w.end("resData")
	}
	switch {
	case r.DomainCheck != nil:
		start("domain:chkData", "domain", NSDomain)
		for _, cd := range r.DomainCheck.CDs {
			w.start("domain:cd")
			w.leaf("domain:name", cd.Name, "avail", formatBool(cd.Avail))
			w.optLeaf("domain:reason", cd.Reason)
			w.end("domain:cd")
		}
		end("domain:chkData")
	case r.DomainInfo != nil:
		d := r.DomainInfo
		start("domain:infData", "domain", NSDomain)
		w.leaf("domain:name", d.Name)
		w.leaf("domain:roid", d.ROID)
		writeStatuses(w, "domain:status", d.Statuses)
		w.optLeaf("domain:registrant", d.Registrant)
		writeContacts(w, d.Contacts)
		writeNS(w, d.NS)
		for _, h := range d.Hosts {
			w.leaf("domain:host", h)
		}
		w.leaf("domain:clID", d.ClID)
		w.optLeaf("domain:crID", d.CrID)
		dateLeaf(w, "domain:crDate", d.CrDate)
		w.optLeaf("domain:upID", d.UpID)
		dateLeaf(w, "domain:upDate", d.UpDate)
		dateLeaf(w, "domain:exDate", d.ExDate)
		dateLeaf(w, "domain:trDate", d.TrDate)
		if d.AuthInfo != "" {
			writeAuthInfo(w, "domain", d.AuthInfo)
		}
		end("domain:infData")
	case r.DomainCreate != nil:
		d := r.DomainCreate
		start("domain:creData", "domain", NSDomain)
		w.leaf("domain:name", d.Name)
		dateLeaf(w, "domain:crDate", d.CrDate)
		dateLeaf(w, "domain:exDate", d.ExDate)
		end("domain:creData")
	case r.DomainRenew != nil:
		d := r.DomainRenew
		start("domain:renData", "domain", NSDomain)
		w.leaf("domain:name", d.Name)
		dateLeaf(w, "domain:exDate", d.ExDate)
		end("domain:renData")
	case r.DomainTransfer != nil:
		d := r.DomainTransfer
		start("domain:trnData", "domain", NSDomain)
		w.leaf("domain:name", d.Name)
		w.leaf("domain:trStatus", d.TrStatus)
		w.leaf("domain:reID", d.ReID)
		dateLeaf(w, "domain:reDate", d.ReDate)
		w.leaf("domain:acID", d.AcID)
		dateLeaf(w, "domain:acDate", d.AcDate)
		dateLeaf(w, "domain:exDate", d.ExDate)
		end("domain:trnData")
	case r.DomainPan != nil:
		d := r.DomainPan
		start("domain:panData", "domain", NSDomain)
		w.leaf("domain:name", d.Name, "paResult", formatBool(d.PaResult))
		w.start("domain:paTRID")
		w.optLeaf("clTRID", d.PaClTRID)
		w.leaf("svTRID", d.PaSvTRID)
		w.end("domain:paTRID")
		dateLeaf(w, "domain:paDate", d.PaDate)
		end("domain:panData")
	case r.ContactCreate != nil:
		c := r.ContactCreate
		start("contact:creData", "contact", NSContact)
		w.leaf("contact:id", c.ID)
		dateLeaf(w, "contact:crDate", c.CrDate)
		end("contact:creData")
	case r.ContactInfo != nil:
		c := r.ContactInfo
		start("contact:infData", "contact", NSContact)
		w.leaf("contact:id", c.ID)
		w.leaf("contact:roid", c.ROID)
		writeStatuses(w, "contact:status", c.Statuses)
		writePostal(w, c.PostalInfo)
		w.optLeaf("contact:voice", c.Voice)
		w.optLeaf("contact:fax", c.Fax)
		w.leaf("contact:email", c.Email)
		w.leaf("contact:clID", c.ClID)
		w.leaf("contact:crID", c.CrID)
		dateLeaf(w, "contact:crDate", c.CrDate)
		w.optLeaf("contact:upID", c.UpID)
		dateLeaf(w, "contact:upDate", c.UpDate)
		dateLeaf(w, "contact:trDate", c.TrDate)
		if c.AuthInfo != "" {
			writeAuthInfo(w, "contact", c.AuthInfo)
		}
		end("contact:infData")
	case r.HostCreate != nil:
		h := r.HostCreate
		start("host:creData", "host", NSHost)
		w.leaf("host:name", h.Name)
		dateLeaf(w, "host:crDate", h.CrDate)
		end("host:creData")
	default:
		r.writeHostResData(w)
	}
}

// ---- parsing ----

// ParseResponse decodes a <response>, as a client does. Elements are
// matched on namespace URI and local name; unknown elements, unknown
// resData and unknown extensions are ignored. A 2xxx response is not an
// error here: use Response.Err. Errors are *FormatError.
func ParseResponse(b []byte) (*Response, error) {
	g, r, err := ParseServerMessage(b)
	if err != nil {
		return nil, err
	}
	if g != nil {
		return nil, &FormatError{Code: CodeSyntaxError, Field: "greeting", Reason: "got a greeting, want a response"}
	}
	return r, nil
}

// ParseServerMessage decodes either a <greeting> or a <response> (a
// client reads both on one connection: a greeting answers <hello>).
// Exactly one of greeting and resp is non-nil when err is nil.
func ParseServerMessage(b []byte) (greeting *Greeting, resp *Response, err error) {
	root, err := parseXML(b)
	if err != nil {
		return nil, nil, &FormatError{Code: CodeSyntaxError, Field: "epp", Reason: "malformed XML: " + err.Error(), Err: err}
	}
	p := &parser{}
	body := p.body(root)
	if p.err != nil {
		return nil, nil, p.err
	}
	switch body.local {
	case "greeting":
		g := p.greeting(body)
		if p.err == nil {
			if err := g.validate(); err != nil {
				return nil, nil, err
			}
			return g, nil, nil
		}
	case "response":
		r := p.response(body)
		if p.err == nil {
			if err := r.validate(); err != nil {
				return nil, nil, err
			}
			return nil, r, nil
		}
	default:
		p.fail(CodeSyntaxError, body.local, "want a greeting or a response")
	}
	return nil, nil, p.err
}

func (p *parser) response(e *element) *Response {
	k := p.kids(e, NSEPP, kid{"result", reqN}, kid{"msgQ", opt1}, kid{"resData", opt1}, kid{"extension", opt1}, kid{"trID", req1})
	r := &Response{}
	for _, re := range k["result"] {
		r.Results = append(r.Results, p.result(re))
	}
	if q := first(k["msgQ"]); q != nil {
		qk := p.kids(q, NSEPP, kid{"qDate", opt1}, kid{"msg", opt1})
		count, ok := q.attr("count")
		if !ok {
			p.fail(CodeMissingParam, "msgQ@count", "required attribute missing")
		}
		mq := &MsgQ{
			Count: int(p.parseUint("msgQ@count", collapse(count), 1<<63-1)),
			ID:    attrTok(q, "id"),
			QDate: p.dateTime(first(qk["qDate"])),
		}
		if m := first(qk["msg"]); m != nil {
			mq.Msg = m.allText()
		}
		r.MsgQ = mq
	}
	if rd := first(k["resData"]); rd != nil {
		p.resData(rd, r)
	}
	if ext := first(k["extension"]); ext != nil {
		for _, x := range ext.children {
			if x.space == NSSecDNS && x.local == "infData" {
				if r.SecDNSInfo != nil {
					p.fail(CodeSyntaxError, "secDNS:infData", "repeated")
				}
				k := p.kids(x, NSSecDNS, kid{"maxSigLife", opt1}, kid{"dsData", optN}, kid{"keyData", optN})
				if ds := p.dsData(k["dsData"]); len(ds) > 0 { // key data only: not kept
					r.SecDNSInfo = &SecDNSData{DS: ds}
				}
				continue
			}
			if x.space == NSRGP && (x.local == "infData" || x.local == "upData") {
				k := p.kids(x, NSRGP, kid{"rgpStatus", reqN})
				d := &RGPData{Statuses: p.statuses(k["rgpStatus"])}
				dst := &r.RGPInfo
				if x.local == "upData" {
					dst = &r.RGPUpdate
				}
				if *dst != nil {
					p.fail(CodeSyntaxError, "rgp:"+x.local, "repeated")
				}
				*dst = d
				continue
			}
			if x.space != NSFee {
				continue
			}
			switch x.local {
			case "chkData":
				if r.FeeCheck != nil {
					p.fail(CodeSyntaxError, "fee:chkData", "repeated")
				}
				r.FeeCheck = p.feeChkData(x)
			case "creData":
				if r.FeeCreate != nil {
					p.fail(CodeSyntaxError, "fee:creData", "repeated")
				}
				r.FeeCreate = p.feeTransformData(x)
			case "renData":
				if r.FeeRenew != nil {
					p.fail(CodeSyntaxError, "fee:renData", "repeated")
				}
				r.FeeRenew = p.feeTransformData(x)
			case "trnData":
				if r.FeeTransfer != nil {
					p.fail(CodeSyntaxError, "fee:trnData", "repeated")
				}
				r.FeeTransfer = p.feeTransformData(x)
			}
		}
	}
	tk := p.kids(first(k["trID"]), NSEPP, kid{"clTRID", opt1}, kid{"svTRID", req1})
	r.ClTRID = p.tok(first(tk["clTRID"]))
	r.SvTRID = p.tok(first(tk["svTRID"]))
	return r
}

func (p *parser) result(e *element) Result {
	code, ok := e.attr("code")
	if !ok {
		p.fail(CodeMissingParam, "result@code", "required attribute missing")
	}
	res := Result{Code: int(p.parseUint("result@code", collapse(code), 9999))}
	k := p.kids(e, NSEPP, kid{"msg", req1}, kid{"value", optN}, kid{"extValue", optN})
	res.Msg = p.norm(first(k["msg"]))
	for _, c := range e.children {
		if c.space != NSEPP {
			continue
		}
		switch c.local {
		case "value":
			res.Values = append(res.Values, p.value(c))
		case "extValue":
			xk := p.kids(c, NSEPP, kid{"value", req1}, kid{"reason", req1})
			val := p.value(first(xk["value"]))
			val.Reason = p.norm(first(xk["reason"]))
			res.Values = append(res.Values, val)
		}
	}
	return res
}

func (p *parser) value(e *element) Value {
	if e == nil || p.err != nil {
		return Value{}
	}
	if len(e.children) == 0 {
		return Value{Text: string(e.text)}
	}
	c := e.children[0]
	if c.space == NSEPP && c.local == "undef" {
		return Value{Text: c.allText()}
	}
	return Value{NS: c.space, Name: c.local, Text: c.allText()}
}

func (p *parser) resData(rd *element, r *Response) {
	n := 0
	for _, x := range rd.children {
		var known bool
		switch x.space {
		case NSDomain:
			known = true
			switch x.local {
			case "chkData":
				r.DomainCheck = p.domainChkData(x)
			case "infData":
				r.DomainInfo = p.domainInfData(x)
			case "creData":
				k := p.kids(x, NSDomain, kid{"name", req1}, kid{"crDate", req1}, kid{"exDate", opt1})
				r.DomainCreate = &DomainCreData{Name: p.tok(first(k["name"])), CrDate: p.dateTime(first(k["crDate"])),
					ExDate: p.dateTime(first(k["exDate"]))}
			case "renData":
				k := p.kids(x, NSDomain, kid{"name", req1}, kid{"exDate", opt1})
				r.DomainRenew = &DomainRenData{Name: p.tok(first(k["name"])), ExDate: p.dateTime(first(k["exDate"]))}
			case "trnData":
				k := p.kids(x, NSDomain, kid{"name", req1}, kid{"trStatus", req1}, kid{"reID", req1}, kid{"reDate", req1},
					kid{"acID", req1}, kid{"acDate", req1}, kid{"exDate", opt1})
				r.DomainTransfer = &DomainTrnData{
					Name: p.tok(first(k["name"])), TrStatus: p.tok(first(k["trStatus"])),
					ReID: p.tok(first(k["reID"])), ReDate: p.dateTime(first(k["reDate"])),
					AcID: p.tok(first(k["acID"])), AcDate: p.dateTime(first(k["acDate"])),
					ExDate: p.dateTime(first(k["exDate"])),
				}
			case "panData":
				k := p.kids(x, NSDomain, kid{"name", req1}, kid{"paTRID", req1}, kid{"paDate", req1})
				name := first(k["name"])
				pan := &DomainPanData{Name: p.tok(name), PaDate: p.dateTime(first(k["paDate"]))}
				if s, ok := name.attr("paResult"); ok {
					pan.PaResult = p.parseBool("domain:name@paResult", collapse(s))
				} else {
					p.fail(CodeMissingParam, "domain:name@paResult", "required attribute missing")
				}
				tk := p.kids(first(k["paTRID"]), NSEPP, kid{"clTRID", opt1}, kid{"svTRID", req1})
				pan.PaClTRID = p.tok(first(tk["clTRID"]))
				pan.PaSvTRID = p.tok(first(tk["svTRID"]))
				r.DomainPan = pan
			default:
				known = false
			}
		case NSContact:
			known = true
			switch x.local {
			case "creData":
				k := p.kids(x, NSContact, kid{"id", req1}, kid{"crDate", req1})
				r.ContactCreate = &ContactCreData{ID: p.tok(first(k["id"])), CrDate: p.dateTime(first(k["crDate"]))}
			case "infData":
				r.ContactInfo = p.contactInfData(x)
			default:
				known = false
			}
		case NSHost:
			known = p.hostResData(x, r)
		}
		if known {
			n++
		}
	}
	if n > 1 {
		p.fail(CodeSyntaxError, "resData", "%d known resData elements, at most one allowed", n)
	}
}

func (p *parser) domainChkData(x *element) *DomainChkData {
	k := p.kids(x, NSDomain, kid{"cd", reqN})
	d := &DomainChkData{}
	for _, cd := range k["cd"] {
		ck := p.kids(cd, NSDomain, kid{"name", req1}, kid{"reason", opt1})
		name := first(ck["name"])
		c := DomainCD{Name: p.tok(name), Reason: p.tok(first(ck["reason"]))}
		if s, ok := name.attr("avail"); ok {
			c.Avail = p.parseBool("domain:name@avail", collapse(s))
		} else {
			p.fail(CodeMissingParam, "domain:name@avail", "required attribute missing")
		}
		d.CDs = append(d.CDs, c)
	}
	return d
}

func (p *parser) domainInfData(x *element) *DomainInfData {
	k := p.kids(x, NSDomain, kid{"name", req1}, kid{"roid", req1}, kid{"status", optN}, kid{"registrant", opt1},
		kid{"contact", optN}, kid{"ns", opt1}, kid{"host", optN}, kid{"clID", req1}, kid{"crID", opt1},
		kid{"crDate", opt1}, kid{"upID", opt1}, kid{"upDate", opt1}, kid{"exDate", opt1}, kid{"trDate", opt1},
		kid{"authInfo", opt1})
	d := &DomainInfData{
		Name:       p.tok(first(k["name"])),
		ROID:       p.tok(first(k["roid"])),
		Statuses:   p.statuses(k["status"]),
		Registrant: p.tok(first(k["registrant"])),
		Contacts:   p.contacts(k["contact"]),
		NS:         p.ns(first(k["ns"])),
		ClID:       p.tok(first(k["clID"])),
		CrID:       p.tok(first(k["crID"])),
		CrDate:     p.dateTime(first(k["crDate"])),
		UpID:       p.tok(first(k["upID"])),
		UpDate:     p.dateTime(first(k["upDate"])),
		ExDate:     p.dateTime(first(k["exDate"])),
		TrDate:     p.dateTime(first(k["trDate"])),
		AuthInfo:   p.authInfo(first(k["authInfo"]), NSDomain),
	}
	for _, h := range k["host"] {
		d.Hosts = append(d.Hosts, p.tok(h))
	}
	return d
}

func (p *parser) contactInfData(x *element) *ContactInfData {
	k := p.kids(x, NSContact, kid{"id", req1}, kid{"roid", req1}, kid{"status", reqN}, kid{"postalInfo", reqN},
		kid{"voice", opt1}, kid{"fax", opt1}, kid{"email", req1}, kid{"clID", req1}, kid{"crID", req1},
		kid{"crDate", req1}, kid{"upID", opt1}, kid{"upDate", opt1}, kid{"trDate", opt1}, kid{"authInfo", opt1},
		kid{"disclose", opt1})
	return &ContactInfData{
		ID:         p.tok(first(k["id"])),
		ROID:       p.tok(first(k["roid"])),
		Statuses:   p.statuses(k["status"]),
		PostalInfo: p.postalInfo(k["postalInfo"]),
		Voice:      p.tok(first(k["voice"])),
		Fax:        p.tok(first(k["fax"])),
		Email:      p.tok(first(k["email"])),
		ClID:       p.tok(first(k["clID"])),
		CrID:       p.tok(first(k["crID"])),
		CrDate:     p.dateTime(first(k["crDate"])),
		UpID:       p.tok(first(k["upID"])),
		UpDate:     p.dateTime(first(k["upDate"])),
		TrDate:     p.dateTime(first(k["trDate"])),
		AuthInfo:   p.authInfo(first(k["authInfo"]), NSContact),
	}
}
