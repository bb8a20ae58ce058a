package epp

// ParseCommand decodes a client-to-server message (<hello> or
// <command>), as a server does. Elements are matched on namespace URI and
// local name, so any prefixes (or default namespaces) work; element order
// inside an object is not enforced; unknown extensions are ignored.
//
// Errors are *FormatError, whose Code is the result code to answer with
// and whose ClTRID is the command's clTRID when it could be read.
func ParseCommand(b []byte) (*Command, error) {
	root, err := parseXML(b)
	if err != nil {
		return nil, &FormatError{Code: CodeSyntaxError, Field: "epp", Reason: "malformed XML: " + err.Error(), Err: err}
	}
	p := &parser{strict: true}
	c := &Command{}
	body := p.body(root)
	if p.err == nil {
		switch body.local {
		case "hello":
			c.Hello = true
		case "command":
			c.ClTRID = p.command(body, c)
		case "extension":
			p.fail(CodeUnknownCommand, "extension", "protocol extension commands are not supported")
		default:
			p.fail(CodeSyntaxError, body.local, "a <%s> is not a command", body.local)
		}
	}
	if p.err == nil {
		if err := c.validate(); err != nil {
			p.err = err.(*FormatError)
		}
	}
	if p.err != nil {
		if c.ClTRID != "" {
			v := &checker{}
			v.optToken("clTRID", c.ClTRID, 3, 64)
			if v.err == nil {
				p.err.ClTRID = c.ClTRID
			}
		}
		return nil, p.err
	}
	return c, nil
}

// body checks the <epp> root and returns its single child element.
func (p *parser) body(root *element) *element {
	if root.space != NSEPP || root.local != "epp" {
		p.fail(CodeSyntaxError, qname(root.space, root.local), "root element is not {%s}epp", NSEPP)
		return nil
	}
	if collapse(string(root.text)) != "" {
		p.fail(CodeSyntaxError, "epp", "unexpected text")
		return nil
	}
	if len(root.children) != 1 || root.children[0].space != NSEPP {
		p.fail(CodeSyntaxError, "epp", "want exactly one EPP element in <epp>")
		return nil
	}
	return root.children[0]
}

// commandChildren are the elements a <command> may hold.
var commandChildren = map[string]bool{"check": true, "create": true, "delete": true, "info": true, "login": true,
	"logout": true, "poll": true, "renew": true, "transfer": true, "update": true, "extension": true, "clTRID": true}

// command decodes <command> into c and returns its clTRID.
func (p *parser) command(cmd *element, c *Command) string {
	// Read the clTRID first, so that later errors can carry it.
	var verb, ext *element
	clTRID := ""
	for _, k := range cmd.children {
		if k.space == NSEPP && k.local == "clTRID" && len(k.children) == 0 {
			clTRID = collapse(string(k.text))
		}
	}
	for _, x := range cmd.children {
		if x.space == NSEPP && !commandChildren[x.local] {
			p.fail(CodeUnknownCommand, x.local, "unknown command")
			return clTRID
		}
	}
	k := p.kids(cmd, NSEPP, kid{"check", opt1}, kid{"create", opt1}, kid{"delete", opt1}, kid{"info", opt1},
		kid{"login", opt1}, kid{"logout", opt1}, kid{"poll", opt1}, kid{"renew", opt1}, kid{"transfer", opt1},
		kid{"update", opt1}, kid{"extension", opt1}, kid{"clTRID", opt1})
	if p.err != nil {
		return clTRID
	}
	n := 0
	for _, name := range []string{"check", "create", "delete", "info", "login", "logout", "poll", "renew", "transfer", "update"} {
		if e := first(k[name]); e != nil {
			verb = e
			n++
		}
	}
	if n != 1 {
		p.fail(CodeSyntaxError, "command", "want exactly one command element, got %d", n)
		return clTRID
	}
	ext = first(k["extension"])
	if e := first(k["clTRID"]); e != nil {
		clTRID = p.tok(e)
	}
	switch verb.local {
	case "login":
		c.Login = p.login(verb)
	case "logout":
		p.kids(verb, NSEPP)
		c.Logout = true
	case "poll":
		p.kids(verb, NSEPP)
		op, ok := verb.attr("op")
		if !ok {
			p.fail(CodeMissingParam, "poll@op", "required attribute missing")
		}
		c.Poll = &Poll{Op: collapse(op), MsgID: attrTok(verb, "msgID")}
	default:
		p.object(verb, c)
	}
	if ext != nil && p.err == nil {
		p.commandExtension(ext, c)
	}
	return clTRID
}

func (p *parser) login(e *element) *Login {
	k := p.kids(e, NSEPP, kid{"clID", req1}, kid{"pw", req1}, kid{"newPW", opt1}, kid{"options", req1}, kid{"svcs", req1})
	l := &Login{
		ClID:        p.tok(first(k["clID"])),
		Password:    p.tok(first(k["pw"])),
		NewPassword: p.tok(first(k["newPW"])),
	}
	ok := p.kids(first(k["options"]), NSEPP, kid{"version", req1}, kid{"lang", req1})
	l.Version = p.tok(first(ok["version"]))
	l.Lang = p.tok(first(ok["lang"]))
	sk := p.kids(first(k["svcs"]), NSEPP, kid{"objURI", reqN}, kid{"svcExtension", opt1})
	for _, u := range sk["objURI"] {
		l.ObjURIs = append(l.ObjURIs, p.tok(u))
	}
	if se := first(sk["svcExtension"]); se != nil {
		ek := p.kids(se, NSEPP, kid{"extURI", reqN})
		for _, u := range ek["extURI"] {
			l.ExtURIs = append(l.ExtURIs, p.tok(u))
		}
	}
	return l
}

// object decodes the object element of check, create, delete, info,
// renew, transfer or update.
func (p *parser) object(verb *element, c *Command) {
	if len(verb.children) != 1 || collapse(string(verb.text)) != "" {
		p.fail(CodeSyntaxError, verb.local, "want exactly one object element")
		return
	}
	o := verb.children[0]
	if o.space == NSEPP || o.local != verb.local {
		p.fail(CodeSyntaxError, verb.local, "unexpected element %s", qname(o.space, o.local))
		return
	}
	switch o.space {
	case NSDomain:
		switch o.local {
		case "check":
			k := p.kids(o, NSDomain, kid{"name", reqN})
			d := &DomainCheck{}
			for _, n := range k["name"] {
				d.Names = append(d.Names, p.tok(n))
			}
			c.DomainCheck = d
		case "info":
			k := p.kids(o, NSDomain, kid{"name", req1}, kid{"authInfo", opt1})
			n := first(k["name"])
			c.DomainInfo = &DomainInfo{Name: p.tok(n), Hosts: attrTok(n, "hosts"), AuthInfo: p.authInfo(first(k["authInfo"]), NSDomain)}
		case "create":
			k := p.kids(o, NSDomain, kid{"name", req1}, kid{"period", opt1}, kid{"ns", opt1}, kid{"registrant", opt1},
				kid{"contact", optN}, kid{"authInfo", req1})
			c.DomainCreate = &DomainCreate{
				Name:       p.tok(first(k["name"])),
				Period:     p.period(first(k["period"])),
				NS:         p.ns(first(k["ns"])),
				Registrant: p.tok(first(k["registrant"])),
				Contacts:   p.contacts(k["contact"]),
				AuthInfo:   p.authInfo(first(k["authInfo"]), NSDomain),
			}
		case "renew":
			k := p.kids(o, NSDomain, kid{"name", req1}, kid{"curExpDate", req1}, kid{"period", opt1})
			c.DomainRenew = &DomainRenew{
				Name:       p.tok(first(k["name"])),
				CurExpDate: p.date(first(k["curExpDate"])),
				Period:     p.period(first(k["period"])),
			}
		case "transfer":
			op, ok := verb.attr("op")
			if !ok {
				p.fail(CodeMissingParam, "transfer@op", "required attribute missing")
			}
			k := p.kids(o, NSDomain, kid{"name", req1}, kid{"period", opt1}, kid{"authInfo", opt1})
			c.DomainTransfer = &DomainTransfer{
				Op:       collapse(op),
				Name:     p.tok(first(k["name"])),
				Period:   p.period(first(k["period"])),
				AuthInfo: p.authInfo(first(k["authInfo"]), NSDomain),
			}
		case "delete":
			k := p.kids(o, NSDomain, kid{"name", req1})
			c.DomainDelete = &DomainDelete{Name: p.tok(first(k["name"]))}
		case "update":
			k := p.kids(o, NSDomain, kid{"name", req1}, kid{"add", opt1}, kid{"rem", opt1}, kid{"chg", opt1})
			c.DomainUpdate = &DomainUpdate{
				Name: p.tok(first(k["name"])),
				Add:  p.addRem(first(k["add"])),
				Rem:  p.addRem(first(k["rem"])),
				Chg:  p.chg(first(k["chg"])),
			}
		default:
			p.fail(CodeUnimplementedCommand, "domain:"+o.local, "command not implemented")
		}
	case NSContact:
		switch o.local {
		case "create":
			k := p.kids(o, NSContact, kid{"id", req1}, kid{"postalInfo", reqN}, kid{"voice", opt1}, kid{"fax", opt1},
				kid{"email", req1}, kid{"authInfo", req1}, kid{"disclose", opt1})
			if first(k["disclose"]) != nil {
				p.fail(CodeUnimplementedOption, "contact:disclose", "disclose is not supported")
			}
			c.ContactCreate = &ContactCreate{
				ID:         p.tok(first(k["id"])),
				PostalInfo: p.postalInfo(k["postalInfo"]),
				Voice:      p.tok(first(k["voice"])),
				Fax:        p.tok(first(k["fax"])),
				Email:      p.tok(first(k["email"])),
				AuthInfo:   p.authInfo(first(k["authInfo"]), NSContact),
			}
		case "info":
			k := p.kids(o, NSContact, kid{"id", req1}, kid{"authInfo", opt1})
			c.ContactInfo = &ContactInfo{ID: p.tok(first(k["id"])), AuthInfo: p.authInfo(first(k["authInfo"]), NSContact)}
		default:
			p.fail(CodeUnimplementedCommand, "contact:"+o.local, "command not implemented")
		}
	case NSHost:
		switch o.local {
		case "create":
			k := p.kids(o, NSHost, kid{"name", req1}, kid{"addr", optN})
			h := &HostCreate{Name: p.tok(first(k["name"]))}
			for _, a := range k["addr"] {
				h.Addrs = append(h.Addrs, HostAddr{IP: attrTok(a, "ip"), Addr: p.tok(a)})
			}
			c.HostCreate = h
		default:
			if p.hostCommand(o, c) {
				break
			}
			p.fail(CodeUnimplementedCommand, "host:"+o.local, "command not implemented")
		}
	default:
		p.fail(CodeUnimplementedObjectService, qname(o.space, o.local), "object service not implemented")
	}
}

// commandExtension decodes the fee extension of a command, the RGP
// extension of a domain update, and the NeuLevel extension of a contact
// create. Other extensions, and elements
// that do not belong to the command, are ignored.
func (p *parser) commandExtension(ext *element, c *Command) {
	if len(ext.children) == 0 {
		p.fail(CodeSyntaxError, "extension", "empty extension")
		return
	}
	seen := false
	for _, e := range ext.children {
		if e.space == NSNeuLevel && e.local == "extension" && c.ContactCreate != nil {
			if c.ContactCreate.Unspec != nil {
				p.fail(CodeSyntaxError, "neulevel:extension", "neulevel extension repeated")
			}
			c.ContactCreate.Unspec = p.unspec(e)
			continue
		}
		if e.space == NSRGP && e.local == "update" && c.DomainUpdate != nil {
			if c.DomainUpdate.RGP != nil {
				p.fail(CodeSyntaxError, "rgp:update", "rgp extension repeated")
			}
			c.DomainUpdate.RGP = p.rgpUpdate(e)
			continue
		}
		if e.space == NSSecDNS && e.local == "update" && c.DomainUpdate != nil {
			if c.DomainUpdate.SecDNS != nil {
				p.fail(CodeSyntaxError, "secDNS:update", "secDNS extension repeated")
			}
			c.DomainUpdate.SecDNS = p.secDNSUpdate(e)
			continue
		}
		if e.space != NSFee {
			continue
		}
		var use bool
		switch {
		case e.local == "check" && c.DomainCheck != nil:
			c.DomainCheck.Fee, use = p.feeCheck(e), true
		case e.local == "create" && c.DomainCreate != nil:
			c.DomainCreate.Fee, use = p.feeTransform(e), true
		case e.local == "renew" && c.DomainRenew != nil:
			c.DomainRenew.Fee, use = p.feeTransform(e), true
		case e.local == "transfer" && c.DomainTransfer != nil:
			c.DomainTransfer.Fee, use = p.feeTransform(e), true
		}
		if use {
			if seen {
				p.fail(CodeSyntaxError, "fee:"+e.local, "fee extension repeated")
			}
			seen = true
		}
	}
}

// rgpUpdate decodes <rgp:update>. The mixed content of the report's
// data, statements and other is kept as its character data.
func (p *parser) rgpUpdate(e *element) *RGPRestore {
	k := p.kids(e, NSRGP, kid{"restore", req1})
	re := first(k["restore"])
	if p.err != nil {
		return nil
	}
	op, ok := re.attr("op")
	if !ok {
		p.fail(CodeMissingParam, "rgp:restore@op", "required attribute missing")
	}
	r := &RGPRestore{Op: collapse(op)}
	rk := p.kids(re, NSRGP, kid{"report", opt1})
	if rep := first(rk["report"]); rep != nil {
		k := p.kids(rep, NSRGP, kid{"preData", req1}, kid{"postData", req1}, kid{"delTime", req1}, kid{"resTime", req1},
			kid{"resReason", req1}, kid{"statement", reqN}, kid{"other", opt1})
		if p.err != nil {
			return r
		}
		if n := len(k["statement"]); n > 2 {
			p.fail(CodeSyntaxError, "rgp:statement", "%d statements, at most 2 allowed", n)
		}
		r.Report = &RGPReport{
			PreData:   first(k["preData"]).allText(),
			PostData:  first(k["postData"]).allText(),
			DelTime:   p.dateTime(first(k["delTime"])),
			ResTime:   p.dateTime(first(k["resTime"])),
			ResReason: first(k["resReason"]).allText(),
		}
		for _, st := range k["statement"] {
			r.Report.Statements = append(r.Report.Statements, st.allText())
		}
		if o := first(k["other"]); o != nil {
			r.Report.Other = o.allText()
		}
	}
	return r
}

func (p *parser) authInfo(e *element, ns string) string {
	if e == nil || p.err != nil {
		return ""
	}
	prefix := prefixes[ns]
	k := p.kids(e, ns, kid{"pw", opt1}, kid{"ext", opt1}, kid{"null", opt1})
	pw := first(k["pw"])
	switch {
	case first(k["ext"]) != nil || first(k["null"]) != nil:
		if p.strict {
			p.fail(CodeUnimplementedOption, prefix+":authInfo", "only <%s:pw> authInfo is supported", prefix)
		}
		return ""
	case pw == nil:
		p.fail(CodeMissingParam, prefix+":pw", "required element missing")
		return ""
	}
	if _, ok := pw.attr("roid"); ok && p.strict {
		p.fail(CodeUnimplementedOption, prefix+":pw@roid", "authInfo roid is not supported")
	}
	return p.norm(pw)
}

// ns decodes <domain:ns>. In strict mode (commands) only hostObj is
// accepted; in responses hostAttr names are read too, without addresses.
func (p *parser) ns(e *element) []string {
	if e == nil || p.err != nil {
		return nil
	}
	k := p.kids(e, NSDomain, kid{"hostObj", optN}, kid{"hostAttr", optN})
	if len(k["hostAttr"]) > 0 {
		if p.strict {
			p.fail(CodeUnimplementedOption, "domain:hostAttr", "only hostObj name servers are supported")
			return nil
		}
		var out []string
		for _, h := range k["hostAttr"] {
			hk := p.kids(h, NSDomain, kid{"hostName", req1}, kid{"hostAddr", optN})
			out = append(out, p.tok(first(hk["hostName"])))
		}
		return out
	}
	if len(k["hostObj"]) == 0 {
		p.fail(CodeMissingParam, "domain:hostObj", "required element missing in domain:ns")
		return nil
	}
	var out []string
	for _, h := range k["hostObj"] {
		out = append(out, p.tok(h))
	}
	return out
}

func (p *parser) contacts(list []*element) []DomainContact {
	var out []DomainContact
	for _, e := range list {
		out = append(out, DomainContact{Type: attrTok(e, "type"), ID: p.tok(e)})
	}
	return out
}

func (p *parser) statuses(list []*element) []string {
	var out []string
	for _, e := range list {
		if _, ok := e.attr("s"); !ok {
			p.fail(CodeMissingParam, qname(e.space, e.local)+"@s", "required attribute missing")
		}
		p.text(e) // free text is allowed, and not kept
		out = append(out, attrTok(e, "s"))
	}
	return out
}

func (p *parser) addRem(e *element) *DomainAddRem {
	if e == nil {
		return nil
	}
	k := p.kids(e, NSDomain, kid{"ns", opt1}, kid{"contact", optN}, kid{"status", optN})
	return &DomainAddRem{NS: p.ns(first(k["ns"])), Contacts: p.contacts(k["contact"]), Statuses: p.statuses(k["status"])}
}

func (p *parser) chg(e *element) *DomainChg {
	if e == nil {
		return nil
	}
	k := p.kids(e, NSDomain, kid{"registrant", opt1}, kid{"authInfo", opt1})
	ch := &DomainChg{}
	if r := first(k["registrant"]); r != nil {
		s := p.tok(r)
		ch.Registrant = &s
	}
	if a := first(k["authInfo"]); a != nil {
		s := p.authInfo(a, NSDomain)
		ch.AuthInfo = &s
	}
	return ch
}

func (p *parser) postalInfo(list []*element) []PostalInfo {
	var out []PostalInfo
	for _, e := range list {
		if _, ok := e.attr("type"); !ok {
			p.fail(CodeMissingParam, "contact:postalInfo@type", "required attribute missing")
		}
		k := p.kids(e, NSContact, kid{"name", req1}, kid{"org", opt1}, kid{"addr", req1})
		ak := p.kids(first(k["addr"]), NSContact, kid{"street", optN}, kid{"city", req1}, kid{"sp", opt1},
			kid{"pc", opt1}, kid{"cc", req1})
		pi := PostalInfo{
			Type: attrTok(e, "type"),
			Name: p.norm(first(k["name"])),
			Org:  p.norm(first(k["org"])),
			City: p.norm(first(ak["city"])),
			SP:   p.norm(first(ak["sp"])),
			PC:   p.tok(first(ak["pc"])),
			CC:   p.tok(first(ak["cc"])),
		}
		for _, s := range ak["street"] {
			pi.Street = append(pi.Street, p.norm(s))
		}
		out = append(out, pi)
	}
	return out
}
