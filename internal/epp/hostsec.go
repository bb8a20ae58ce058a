package epp

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Host objects (RFC 5732) beyond create, and DNSSEC (RFC 5910,
// secDNS-1.1, DS data interface only).

// HostCheck is <host:check>.
type HostCheck struct {
	Names []string // one or more
}

// HostInfo is <host:info>.
type HostInfo struct {
	Name string
}

// HostDelete is <host:delete>.
type HostDelete struct {
	Name string
}

// HostUpdate is <host:update>. At least one of Add, Rem and NewName must
// be set.
type HostUpdate struct {
	Name    string
	Add     *HostAddRem
	Rem     *HostAddRem
	NewName string // <host:chg><host:name>, "" to keep the name
}

// HostAddRem is the content of <host:add> or <host:rem>.
type HostAddRem struct {
	Addrs    []HostAddr
	Statuses []string // client statuses only
}

// HostChkData is <host:chkData>.
type HostChkData struct {
	CDs []HostCD
}

// HostCD is one <host:cd>.
type HostCD struct {
	Name   string
	Avail  bool
	Reason string // optional
}

// Host statuses (host:statusValueType).
const (
	HostStatusOK     = "ok"
	HostStatusLinked = "linked"
)

var hostStatuses = []string{
	"clientDeleteProhibited", "clientUpdateProhibited", "linked", "ok", "pendingCreate", "pendingDelete",
	"pendingTransfer", "pendingUpdate", "serverDeleteProhibited", "serverUpdateProhibited",
}

// HostInfData is <host:infData>. Statuses are values only.
type HostInfData struct {
	Name     string
	ROID     string
	Statuses []string // at least one
	Addrs    []HostAddr
	ClID     string
	CrID     string
	CrDate   time.Time
	UpID     string
	UpDate   time.Time
	TrDate   time.Time
}

// DSData is <secDNS:dsData> (RFC 5910 §4.1): Digest is hex (written in
// upper case).
type DSData struct {
	KeyTag     int // 0-65535
	Alg        int // 0-255
	DigestType int // 0-255
	Digest     string
}

// SecDNSUpdate is <secDNS:update> (RFC 5910 §5.2.5), the extension of a
// <domain:update>: remove all DS records (RemAll) or those listed, then
// add those listed. One of the three must be set.
type SecDNSUpdate struct {
	RemAll bool
	Rem    []DSData
	Add    []DSData
}

// SecDNSData is <secDNS:infData>: a domain's DS records.
type SecDNSData struct {
	DS []DSData
}

// MaxHostCheck bounds the names of one <host:check> (as the domain
// check's registries do).
const MaxHostCheck = 99

func validateHostName(v *checker, field, name string) {
	v.token(field, name, 1, 255)
}

func (a *HostAddRem) validate(v *checker, field string) {
	if a == nil {
		return
	}
	for _, ad := range a.Addrs {
		validateHostAddr(v, ad)
	}
	for _, s := range a.Statuses {
		v.enum(field+"/host:status@s", s, true, "clientDeleteProhibited", "clientUpdateProhibited")
	}
}

func (d DSData) validate(v *checker) {
	if d.KeyTag < 0 || d.KeyTag > 65535 {
		v.fail(CodeParamRangeError, "secDNS:keyTag", "%d outside 0 to 65535", d.KeyTag)
	}
	if d.Alg < 0 || d.Alg > 255 {
		v.fail(CodeParamRangeError, "secDNS:alg", "%d outside 0 to 255", d.Alg)
	}
	if d.DigestType < 0 || d.DigestType > 255 {
		v.fail(CodeParamRangeError, "secDNS:digestType", "%d outside 0 to 255", d.DigestType)
	}
	if d.Digest == "" || len(d.Digest)%2 != 0 {
		v.fail(CodeParamSyntaxError, "secDNS:digest", "digest must be an even number of hex digits")
		return
	}
	if _, err := hex.DecodeString(d.Digest); err != nil {
		v.fail(CodeParamSyntaxError, "secDNS:digest", "digest is not hex")
	}
}

func (s *SecDNSUpdate) validate(v *checker) {
	if s == nil {
		return
	}
	if !s.RemAll && len(s.Rem) == 0 && len(s.Add) == 0 {
		v.fail(CodeMissingParam, "secDNS:update", "one of secDNS:rem, secDNS:add required")
	}
	if s.RemAll && len(s.Rem) > 0 {
		v.fail(CodeSyntaxError, "secDNS:rem", "secDNS:all and dsData are exclusive")
	}
	for _, d := range s.Rem {
		d.validate(v)
	}
	for _, d := range s.Add {
		d.validate(v)
	}
}

func (s *SecDNSData) validate(v *checker) {
	if s == nil {
		return
	}
	if len(s.DS) == 0 {
		v.fail(CodeMissingParam, "secDNS:infData", "at least one secDNS:dsData required")
	}
	for _, d := range s.DS {
		d.validate(v)
	}
}

func (h *HostInfData) validate(v *checker) {
	if h == nil {
		return
	}
	validateHostName(v, "host:name", h.Name)
	v.roid("host:roid", h.ROID)
	if len(h.Statuses) == 0 || len(h.Statuses) > 7 {
		v.fail(CodeSyntaxError, "host:status", "%d statuses, want 1 to 7", len(h.Statuses))
	}
	for _, s := range h.Statuses {
		v.enum("host:status@s", s, true, hostStatuses...)
	}
	for _, a := range h.Addrs {
		validateHostAddr(v, a)
	}
	v.token("host:clID", h.ClID, 3, 16)
	v.token("host:crID", h.CrID, 3, 16)
	v.dateTime("host:crDate", h.CrDate, true)
	v.optToken("host:upID", h.UpID, 3, 16)
	v.dateTime("host:upDate", h.UpDate, false)
	v.dateTime("host:trDate", h.TrDate, false)
}

func (h *HostChkData) validate(v *checker) {
	if h == nil {
		return
	}
	if len(h.CDs) == 0 {
		v.fail(CodeMissingParam, "host:cd", "at least one host:cd required")
	}
	for _, cd := range h.CDs {
		validateHostName(v, "host:name", cd.Name)
		v.normalized("host:reason", cd.Reason, 0, 0)
	}
}

// validateHosts checks the host commands of c.
func (c *Command) validateHosts(v *checker) {
	if h := c.HostCheck; h != nil {
		if len(h.Names) == 0 {
			v.fail(CodeMissingParam, "host:name", "at least one name required")
		}
		if len(h.Names) > MaxHostCheck {
			v.fail(CodeParamRangeError, "host:name", "%d names, at most %d", len(h.Names), MaxHostCheck)
		}
		for _, n := range h.Names {
			validateHostName(v, "host:name", n)
		}
	}
	if h := c.HostInfo; h != nil {
		validateHostName(v, "host:name", h.Name)
	}
	if h := c.HostDelete; h != nil {
		validateHostName(v, "host:name", h.Name)
	}
	if h := c.HostUpdate; h != nil {
		validateHostName(v, "host:name", h.Name)
		if h.Add == nil && h.Rem == nil && h.NewName == "" {
			v.fail(CodeMissingParam, "host:update", "one of host:add, host:rem, host:chg required")
		}
		h.Add.validate(v, "host:add")
		h.Rem.validate(v, "host:rem")
		if h.NewName != "" {
			validateHostName(v, "host:chg/host:name", h.NewName)
		}
	}
	if d := c.DomainUpdate; d != nil {
		d.SecDNS.validate(v)
	}
}

// ---- marshalling ----

func writeHostAddrs(w *writer, as []HostAddr) {
	for _, a := range as {
		w.leaf("host:addr", a.Addr, "ip", a.IP)
	}
}

func (a *HostAddRem) write(w *writer, name string) {
	if a == nil {
		return
	}
	if len(a.Addrs) == 0 && len(a.Statuses) == 0 {
		w.leaf(name, "")
		return
	}
	w.start(name)
	writeHostAddrs(w, a.Addrs)
	writeStatuses(w, "host:status", a.Statuses)
	w.end(name)
}

// writeHostCommand writes the host commands other than create; it
// reports whether c was one.
func (c *Command) writeHostCommand(w *writer) bool {
	open := func(verb, obj string) {
		w.start(verb)
		w.start(obj, "xmlns:host", NSHost)
	}
	closeCmd := func(verb, obj string) {
		w.end(obj)
		w.end(verb)
	}
	switch {
	case c.HostCheck != nil:
		open("check", "host:check")
		for _, n := range c.HostCheck.Names {
			w.leaf("host:name", n)
		}
		closeCmd("check", "host:check")
	case c.HostInfo != nil:
		open("info", "host:info")
		w.leaf("host:name", c.HostInfo.Name)
		closeCmd("info", "host:info")
	case c.HostDelete != nil:
		open("delete", "host:delete")
		w.leaf("host:name", c.HostDelete.Name)
		closeCmd("delete", "host:delete")
	case c.HostUpdate != nil:
		h := c.HostUpdate
		open("update", "host:update")
		w.leaf("host:name", h.Name)
		h.Add.write(w, "host:add")
		h.Rem.write(w, "host:rem")
		if h.NewName != "" {
			w.start("host:chg")
			w.leaf("host:name", h.NewName)
			w.end("host:chg")
		}
		closeCmd("update", "host:update")
	default:
		return false
	}
	return true
}

func writeDSData(w *writer, ds []DSData) {
	for _, d := range ds {
		w.start("secDNS:dsData")
		w.leaf("secDNS:keyTag", strconv.Itoa(d.KeyTag))
		w.leaf("secDNS:alg", strconv.Itoa(d.Alg))
		w.leaf("secDNS:digestType", strconv.Itoa(d.DigestType))
		w.leaf("secDNS:digest", strings.ToUpper(d.Digest))
		w.end("secDNS:dsData")
	}
}

func (s *SecDNSUpdate) write(w *writer) {
	w.start("secDNS:update", "xmlns:secDNS", NSSecDNS)
	if s.RemAll || len(s.Rem) > 0 {
		w.start("secDNS:rem")
		if s.RemAll {
			w.leaf("secDNS:all", "true")
		}
		writeDSData(w, s.Rem)
		w.end("secDNS:rem")
	}
	if len(s.Add) > 0 {
		w.start("secDNS:add")
		writeDSData(w, s.Add)
		w.end("secDNS:add")
	}
	w.end("secDNS:update")
}

func (s *SecDNSData) write(w *writer) {
	w.start("secDNS:infData", "xmlns:secDNS", NSSecDNS)
	writeDSData(w, s.DS)
	w.end("secDNS:infData")
}

// writeHostResData writes host resData; it reports whether r had some.
func (r *Response) writeHostResData(w *writer) bool {
	switch {
	case r.HostCheck != nil:
		w.start("resData")
		w.start("host:chkData", "xmlns:host", NSHost)
		for _, cd := range r.HostCheck.CDs {
			w.start("host:cd")
			w.leaf("host:name", cd.Name, "avail", formatBool(cd.Avail))
			w.optLeaf("host:reason", cd.Reason)
			w.end("host:cd")
		}
		w.end("host:chkData")
		w.end("resData")
	case r.HostInfo != nil:
		h := r.HostInfo
		w.start("resData")
		w.start("host:infData", "xmlns:host", NSHost)
		w.leaf("host:name", h.Name)
		w.leaf("host:roid", h.ROID)
		writeStatuses(w, "host:status", h.Statuses)
		writeHostAddrs(w, h.Addrs)
		w.leaf("host:clID", h.ClID)
		w.leaf("host:crID", h.CrID)
		dateLeaf(w, "host:crDate", h.CrDate)
		w.optLeaf("host:upID", h.UpID)
		dateLeaf(w, "host:upDate", h.UpDate)
		dateLeaf(w, "host:trDate", h.TrDate)
		w.end("host:infData")
		w.end("resData")
	default:
		return false
	}
	return true
}

// ---- parsing ----

// hostCommand decodes a host object command other than create.
func (p *parser) hostCommand(o *element, c *Command) bool {
	switch o.local {
	case "check":
		k := p.kids(o, NSHost, kid{"name", reqN})
		if len(k["name"]) > MaxHostCheck {
			p.fail(CodeParamRangeError, "host:name", "%d names, at most %d", len(k["name"]), MaxHostCheck)
			return true
		}
		h := &HostCheck{}
		for _, n := range k["name"] {
			h.Names = append(h.Names, p.tok(n))
		}
		c.HostCheck = h
	case "info":
		k := p.kids(o, NSHost, kid{"name", req1})
		c.HostInfo = &HostInfo{Name: p.tok(first(k["name"]))}
	case "delete":
		k := p.kids(o, NSHost, kid{"name", req1})
		c.HostDelete = &HostDelete{Name: p.tok(first(k["name"]))}
	case "update":
		k := p.kids(o, NSHost, kid{"name", req1}, kid{"add", opt1}, kid{"rem", opt1}, kid{"chg", opt1})
		h := &HostUpdate{Name: p.tok(first(k["name"])), Add: p.hostAddRem(first(k["add"])), Rem: p.hostAddRem(first(k["rem"]))}
		if ch := first(k["chg"]); ch != nil {
			ck := p.kids(ch, NSHost, kid{"name", req1})
			h.NewName = p.tok(first(ck["name"]))
		}
		c.HostUpdate = h
	default:
		return false
	}
	return true
}

func (p *parser) hostAddrs(list []*element) []HostAddr {
	var out []HostAddr
	for _, a := range list {
		out = append(out, HostAddr{IP: attrTok(a, "ip"), Addr: p.tok(a)})
	}
	return out
}

func (p *parser) hostAddRem(e *element) *HostAddRem {
	if e == nil {
		return nil
	}
	k := p.kids(e, NSHost, kid{"addr", optN}, kid{"status", optN})
	return &HostAddRem{Addrs: p.hostAddrs(k["addr"]), Statuses: p.statuses(k["status"])}
}

// dsData decodes <secDNS:dsData> elements; key data is refused in
// commands (the DS data interface only) and ignored in responses.
func (p *parser) dsData(list []*element) []DSData {
	var out []DSData
	for _, e := range list {
		k := p.kids(e, NSSecDNS, kid{"keyTag", req1}, kid{"alg", req1}, kid{"digestType", req1}, kid{"digest", req1},
			kid{"keyData", opt1})
		if first(k["keyData"]) != nil && p.strict {
			p.fail(CodeUnimplementedOption, "secDNS:keyData", "only the DS data interface is supported")
		}
		if p.err != nil {
			return out
		}
		out = append(out, DSData{
			KeyTag:     int(p.parseUint("secDNS:keyTag", p.tok(first(k["keyTag"])), 65535)),
			Alg:        int(p.parseUint("secDNS:alg", p.tok(first(k["alg"])), 255)),
			DigestType: int(p.parseUint("secDNS:digestType", p.tok(first(k["digestType"])), 255)),
			Digest:     strings.ToUpper(p.tok(first(k["digest"]))),
		})
	}
	return out
}

// secDNSUpdate decodes <secDNS:update>.
func (p *parser) secDNSUpdate(e *element) *SecDNSUpdate {
	k := p.kids(e, NSSecDNS, kid{"rem", opt1}, kid{"add", opt1}, kid{"chg", opt1})
	if first(k["chg"]) != nil {
		p.fail(CodeUnimplementedOption, "secDNS:chg", "maxSigLife is not supported")
	}
	if _, ok := e.attr("urgent"); ok && p.strict && p.parseBool("secDNS:update@urgent", attrTok(e, "urgent")) {
		p.fail(CodeUnimplementedOption, "secDNS:update@urgent", "urgent updates are not supported")
	}
	s := &SecDNSUpdate{}
	if r := first(k["rem"]); r != nil {
		rk := p.kids(r, NSSecDNS, kid{"all", opt1}, kid{"dsData", optN}, kid{"keyData", optN})
		if len(rk["keyData"]) > 0 {
			p.fail(CodeUnimplementedOption, "secDNS:keyData", "only the DS data interface is supported")
		}
		if a := first(rk["all"]); a != nil {
			s.RemAll = p.parseBool("secDNS:all", p.tok(a))
			if !s.RemAll && len(rk["dsData"]) == 0 {
				p.fail(CodeParamRangeError, "secDNS:all", "secDNS:all false removes nothing")
			}
		}
		s.Rem = p.dsData(rk["dsData"])
	}
	if a := first(k["add"]); a != nil {
		ak := p.kids(a, NSSecDNS, kid{"dsData", optN}, kid{"keyData", optN})
		if len(ak["keyData"]) > 0 {
			p.fail(CodeUnimplementedOption, "secDNS:keyData", "only the DS data interface is supported")
		}
		s.Add = p.dsData(ak["dsData"])
	}
	return s
}

// hostResData decodes host resData; it reports whether x was known.
func (p *parser) hostResData(x *element, r *Response) bool {
	switch x.local {
	case "creData":
		k := p.kids(x, NSHost, kid{"name", req1}, kid{"crDate", req1})
		r.HostCreate = &HostCreData{Name: p.tok(first(k["name"])), CrDate: p.dateTime(first(k["crDate"]))}
	case "chkData":
		k := p.kids(x, NSHost, kid{"cd", reqN})
		d := &HostChkData{}
		for _, cd := range k["cd"] {
			ck := p.kids(cd, NSHost, kid{"name", req1}, kid{"reason", opt1})
			name := first(ck["name"])
			c := HostCD{Name: p.tok(name), Reason: p.norm(first(ck["reason"]))}
			if s, ok := name.attr("avail"); ok {
				c.Avail = p.parseBool("host:name@avail", collapse(s))
			} else if p.err == nil {
				p.fail(CodeMissingParam, "host:name@avail", "required attribute missing")
			}
			d.CDs = append(d.CDs, c)
		}
		r.HostCheck = d
	case "infData":
		k := p.kids(x, NSHost, kid{"name", req1}, kid{"roid", req1}, kid{"status", reqN}, kid{"addr", optN},
			kid{"clID", req1}, kid{"crID", req1}, kid{"crDate", req1}, kid{"upID", opt1}, kid{"upDate", opt1},
			kid{"trDate", opt1})
		r.HostInfo = &HostInfData{
			Name:     p.tok(first(k["name"])),
			ROID:     p.tok(first(k["roid"])),
			Statuses: p.statuses(k["status"]),
			Addrs:    p.hostAddrs(k["addr"]),
			ClID:     p.tok(first(k["clID"])),
			CrID:     p.tok(first(k["crID"])),
			CrDate:   p.dateTime(first(k["crDate"])),
			UpID:     p.tok(first(k["upID"])),
			UpDate:   p.dateTime(first(k["upDate"])),
			TrDate:   p.dateTime(first(k["trDate"])),
		}
	default:
		return false
	}
	return true
}
