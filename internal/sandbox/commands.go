package sandbox

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/registrar"
)

// command runs a logged-in session's object or poll command in the engine
// and returns the answer.
func (ss *session) command(cmd *epp.Command) *epp.Response {
	switch {
	case cmd.DomainCheck != nil:
		return ss.domainCheck(cmd)
	case cmd.DomainInfo != nil:
		return ss.domainInfo(cmd)
	case cmd.DomainCreate != nil:
		return ss.domainCreate(cmd)
	case cmd.DomainRenew != nil:
		return ss.domainRenew(cmd)
	case cmd.DomainUpdate != nil && cmd.DomainUpdate.RGP != nil:
		return ss.domainRestore(cmd)
	case cmd.DomainUpdate != nil:
		return ss.domainUpdate(cmd)
	case cmd.DomainDelete != nil:
		return ss.domainDelete(cmd)
	case cmd.ContactCreate != nil:
		return ss.contactCreate(cmd)
	case cmd.ContactInfo != nil:
		return ss.contactInfo(cmd)
	case cmd.HostCreate != nil:
		return ss.hostCreate(cmd)
	case cmd.HostCheck != nil:
		return ss.hostCheck(cmd)
	case cmd.HostInfo != nil:
		return ss.hostInfo(cmd)
	case cmd.HostUpdate != nil:
		return ss.hostUpdate(cmd)
	case cmd.HostDelete != nil:
		return ss.hostDelete(cmd)
	case cmd.DomainTransfer != nil:
		return ss.domainTransfer(cmd)
	case cmd.Poll != nil && cmd.Poll.Op == epp.PollReq:
		return ss.pollReq(cmd)
	case cmd.Poll != nil && cmd.Poll.Op == epp.PollAck:
		return ss.pollAck(cmd)
	}
	return ss.failure(cmd.ClTRID, epp.CodeUnimplementedCommand, cmd.Kind()+" is not implemented")
}

// answer turns an engine command's outcome into a response: the engine's
// code and svTRID, and a failure's reason as an <extValue>. A 2400 (the
// command never reached the registry, or its outcome is unknown) carries
// no reason, and a server svTRID when the engine logged no command. The
// caller adds the resData of a success.
func (ss *session) answer(clTRID string, resp Response, err error) *epp.Response {
	if err == nil {
		return ss.result(clTRID, resp.ServerTRID, resp.Code, "")
	}
	ee := &Error{Code: CodeCommandFailed}
	errors.As(err, &ee)
	svTRID := resp.ServerTRID
	if svTRID == "" {
		svTRID = ss.s.svTRID()
	}
	return ss.result(clTRID, svTRID, ee.Code, ee.Reason)
}

func ok(r *epp.Response) bool { return r.Code() < 2000 }

// periodYears converts an EPP period to years (nil: one year); false for
// months that are no whole number of years.
func periodYears(p *epp.Period) (int, bool) {
	switch {
	case p == nil:
		return 1, true
	case p.Unit == epp.PeriodYears:
		return p.Value, true
	case p.Unit == epp.PeriodMonths && p.Value%12 == 0:
		return p.Value / 12, true
	}
	return 0, false
}

func feeOffer(f *epp.FeeTransform) *FeeOffer {
	if f == nil {
		return nil
	}
	o := &FeeOffer{Currency: f.Currency}
	for _, x := range f.Fees {
		o.Fees = append(o.Fees, x.Amount)
	}
	return o
}

func feeData(p Price, years int) *epp.FeeTransformData {
	return &epp.FeeTransformData{Currency: p.Currency, Period: &epp.Period{Value: years, Unit: epp.PeriodYears},
		Fees: []epp.Fee{{Amount: p.Amount}}}
}

func (ss *session) domainCheck(cmd *epp.Command) *epp.Response {
	avail, resp, err := ss.s.engine.Check(ss.s.ctx, ss.clientID, cmd.ClTRID, cmd.DomainCheck.Names)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	data := &epp.DomainChkData{}
	for _, a := range avail {
		data.CDs = append(data.CDs, epp.DomainCD{Name: a.Name, Avail: a.Available, Reason: a.Reason})
	}
	r.DomainCheck = data
	if f := cmd.DomainCheck.Fee; f != nil {
		names := make([]string, len(avail))
		for i, a := range avail {
			names[i] = a.Name
		}
		r.FeeCheck = ss.s.engine.feeCheck(names, f)
	}
	return r
}

// feeCheck answers a <fee:check> for names (RFC 8748 section 3.1.1): per
// name, its class and the price of each command asked. A name whose price
// cannot be given (no price for its extension, a command other than
// create, renew or transfer, a period the registry does not offer, or a currency
// other than the name's) is avail="0" with a reason.
func (e *Engine) feeCheck(names []string, f *epp.FeeCheck) *epp.FeeChkData {
	out := &epp.FeeChkData{Currency: f.Currency}
	for _, name := range names {
		cd := epp.FeeCD{ObjID: name, Avail: true}
		for _, c := range f.Commands {
			years, valid := periodYears(c.Period)
			p, priced := e.Price(name, c.Name, years)
			reason := ""
			switch {
			case c.Name != epp.FeeCreate && c.Name != epp.FeeRenew && c.Name != epp.FeeTransfer:
				reason = "command " + c.Name + " not priced"
			case !valid || years < 1 || years > maxYears:
				reason = "period not offered"
			case !priced:
				reason = "no price for this name"
			case out.Currency != "" && p.Currency != out.Currency:
				reason = "priced in " + p.Currency
			}
			if reason != "" {
				cd = epp.FeeCD{ObjID: name, Avail: false, Reason: reason}
				break
			}
			if out.Currency == "" {
				out.Currency = p.Currency
			}
			period := c.Period
			if period == nil {
				period = &epp.Period{Value: 1, Unit: epp.PeriodYears}
			}
			cd.Class = p.Class
			cd.Commands = append(cd.Commands, epp.FeeCommandData{Name: c.Name, Standard: p.Class == ClassStandard,
				Period: period, Fees: []epp.Fee{{Amount: p.Amount}}})
		}
		out.CDs = append(out.CDs, cd)
	}
	if out.Currency == "" {
		// No name could be priced: the currency of the table's first
		// answer, as a currency is required.
		out.Currency = "USD"
		if len(names) > 0 {
			if _, ext, ok := strings.Cut(names[0], "."); ok {
				if cur, _, ok := e.prices(ext); ok && validCurrency(cur) {
					out.Currency = cur
				}
			}
		}
	}
	return out
}

func (ss *session) domainInfo(cmd *epp.Command) *epp.Response {
	q := cmd.DomainInfo
	d, resp, err := ss.s.engine.DomainInfo(ss.s.ctx, ss.clientID, cmd.ClTRID, q.Name, q.AuthInfo)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	data := &epp.DomainInfData{
		Name:       d.Name,
		ROID:       d.ROID,
		Statuses:   d.Statuses,
		Registrant: d.Registrant,
		ClID:       d.Sponsor,
		CrID:       d.Sponsor,
		CrDate:     d.CreatedAt,
		ExDate:     d.ExpiresAt,
		AuthInfo:   d.AuthInfo,
	}
	if !d.UpdatedAt.IsZero() {
		data.UpID, data.UpDate = d.Sponsor, d.UpdatedAt
	}
	for _, c := range d.Contacts {
		data.Contacts = append(data.Contacts, epp.DomainContact{Type: c.Type, ID: c.ID})
	}
	switch q.Hosts {
	case "", "all":
		data.NS, data.Hosts = d.NS, d.Hosts
	case "del":
		data.NS = d.NS
	case "sub":
		data.Hosts = d.Hosts
	}
	r.DomainInfo = data
	if len(d.DSRecords) > 0 && ss.exts[epp.NSSecDNS] {
		r.SecDNSInfo = &epp.SecDNSData{DS: dsData(d.DSRecords)}
	}
	if len(d.RGPStatuses) > 0 && ss.exts[epp.NSRGP] {
		r.RGPInfo = &epp.RGPData{Statuses: d.RGPStatuses}
	}
	return r
}

func (ss *session) domainDelete(cmd *epp.Command) *epp.Response {
	resp, err := ss.s.engine.DeleteDomain(ss.s.ctx, ss.clientID, cmd.ClTRID, cmd.DomainDelete.Name)
	return ss.answer(cmd.ClTRID, resp, err)
}

// domainRestore runs an RGP restore (RFC 3915 section 4.2.5): an update
// whose only change is the extension, with an empty <domain:chg/> (or an
// empty add or rem), answered with <rgp:upData>.
func (ss *session) domainRestore(cmd *epp.Command) *epp.Response {
	u := cmd.DomainUpdate
	for _, ar := range []*epp.DomainAddRem{u.Add, u.Rem} {
		if ar != nil && (len(ar.NS) > 0 || len(ar.Contacts) > 0 || len(ar.Statuses) > 0) {
			return ss.failure(cmd.ClTRID, epp.CodeParamPolicyError, "a restore changes nothing else")
		}
	}
	if ch := u.Chg; ch != nil && (ch.Registrant != nil || ch.AuthInfo != nil) || u.SecDNS != nil {
		return ss.failure(cmd.ClTRID, epp.CodeParamPolicyError, "a restore changes nothing else")
	}
	statuses, resp, err := ss.s.engine.Restore(ss.s.ctx, ss.clientID, cmd.ClTRID, RestoreCommand{Name: u.Name, Op: u.RGP.Op})
	r := ss.answer(cmd.ClTRID, resp, err)
	if ok(r) && len(statuses) > 0 {
		r.RGPUpdate = &epp.RGPData{Statuses: statuses}
	}
	return r
}

func (ss *session) domainCreate(cmd *epp.Command) *epp.Response {
	c := cmd.DomainCreate
	years, valid := periodYears(c.Period)
	if !valid {
		return ss.failure(cmd.ClTRID, epp.CodeParamRangeError, "the period must be a whole number of years")
	}
	req := DomainCreate{Name: c.Name, Years: years, Registrant: c.Registrant, NS: c.NS, AuthInfo: c.AuthInfo, Fee: feeOffer(c.Fee)}
	for _, dc := range c.Contacts {
		req.Contacts = append(req.Contacts, DomainContact{Type: dc.Type, ID: dc.ID})
	}
	res, resp, err := ss.s.engine.CreateDomain(ss.s.ctx, ss.clientID, cmd.ClTRID, req)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	r.DomainCreate = &epp.DomainCreData{Name: normalizeName(c.Name), CrDate: res.CreatedAt, ExDate: res.ExpiresAt}
	if c.Fee != nil {
		r.FeeCreate = feeData(res.Price, years)
	}
	return r
}

func (ss *session) domainRenew(cmd *epp.Command) *epp.Response {
	c := cmd.DomainRenew
	years, valid := periodYears(c.Period)
	if !valid {
		return ss.failure(cmd.ClTRID, epp.CodeParamRangeError, "the period must be a whole number of years")
	}
	res, resp, err := ss.s.engine.RenewDomain(ss.s.ctx, ss.clientID, cmd.ClTRID,
		DomainRenew{Name: c.Name, CurExpiry: c.CurExpDate, Years: years, Fee: feeOffer(c.Fee)})
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	r.DomainRenew = &epp.DomainRenData{Name: normalizeName(c.Name), ExDate: res.ExpiresAt}
	if c.Fee != nil {
		r.FeeRenew = feeData(res.Price, years)
	}
	return r
}

func (ss *session) domainUpdate(cmd *epp.Command) *epp.Response {
	u := cmd.DomainUpdate
	ch := DomainChange{DomainUpdate: registrar.DomainUpdate{Name: u.Name}}
	for _, ar := range []*epp.DomainAddRem{u.Add, u.Rem} {
		if ar != nil && len(ar.Contacts) > 0 {
			return ss.failure(cmd.ClTRID, epp.CodeUnimplementedOption, "the sandbox does not change a domain's admin, billing or tech contacts")
		}
	}
	if c := u.Chg; c != nil {
		if c.Registrant != nil {
			if *c.Registrant == "" {
				return ss.failure(cmd.ClTRID, epp.CodeParamPolicyError, "a domain keeps a registrant")
			}
			ch.RegistrantID = *c.Registrant
		}
		if c.AuthInfo != nil {
			if *c.AuthInfo == "" {
				return ss.failure(cmd.ClTRID, epp.CodeParamRangeError, "the new authInfo is empty")
			}
			ch.AuthInfo = *c.AuthInfo
		}
	}
	if u.Add != nil {
		ch.AddStatuses, ch.AddNameservers = u.Add.Statuses, u.Add.NS
	}
	if u.Rem != nil {
		ch.RemoveStatuses, ch.RemoveNameservers = u.Rem.Statuses, u.Rem.NS
	}
	if s := u.SecDNS; s != nil {
		ch.RemoveAllDS = s.RemAll
		ch.RemoveDS, ch.AddDS = dsRecords(s.Rem), dsRecords(s.Add)
	}
	resp, err := ss.s.engine.UpdateDomain(ss.s.ctx, ss.clientID, cmd.ClTRID, ch)
	return ss.answer(cmd.ClTRID, resp, err)
}

func dsRecords(ds []epp.DSData) []registrar.DSRecord {
	var out []registrar.DSRecord
	for _, d := range ds {
		out = append(out, registrar.DSRecord{KeyTag: d.KeyTag, Algorithm: d.Alg, DigestType: d.DigestType, Digest: d.Digest})
	}
	return out
}

func dsData(ds []registrar.DSRecord) []epp.DSData {
	var out []epp.DSData
	for _, d := range ds {
		out = append(out, epp.DSData{KeyTag: d.KeyTag, Alg: d.Algorithm, DigestType: d.DigestType, Digest: d.Digest})
	}
	return out
}

func hostAddrs(as []epp.HostAddr) []HostAddr {
	out := make([]HostAddr, 0, len(as))
	for _, a := range as {
		out = append(out, HostAddr{IP: a.IP, Addr: a.Addr})
	}
	return out
}

func (ss *session) hostCheck(cmd *epp.Command) *epp.Response {
	avail, resp, err := ss.s.engine.HostCheck(ss.s.ctx, ss.clientID, cmd.ClTRID, cmd.HostCheck.Names)
	r := ss.answer(cmd.ClTRID, resp, err)
	if ok(r) {
		d := &epp.HostChkData{}
		for _, a := range avail {
			d.CDs = append(d.CDs, epp.HostCD{Name: a.Name, Avail: a.Avail, Reason: a.Reason})
		}
		r.HostCheck = d
	}
	return r
}

func (ss *session) hostInfo(cmd *epp.Command) *epp.Response {
	h, resp, err := ss.s.engine.HostInfo(ss.s.ctx, ss.clientID, cmd.ClTRID, cmd.HostInfo.Name)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	data := &epp.HostInfData{Name: h.Name, ROID: h.ROID, Statuses: []string{epp.HostStatusOK}, ClID: h.Sponsor, CrID: h.Sponsor,
		CrDate: h.CreatedAt}
	if h.Linked {
		data.Statuses = []string{epp.HostStatusLinked, epp.HostStatusOK}
	}
	for _, a := range h.Addrs {
		data.Addrs = append(data.Addrs, epp.HostAddr{IP: a.IP, Addr: a.Addr})
	}
	if !h.UpdatedAt.IsZero() {
		data.UpID, data.UpDate = h.Sponsor, h.UpdatedAt
	}
	r.HostInfo = data
	return r
}

func (ss *session) hostUpdate(cmd *epp.Command) *epp.Response {
	u := cmd.HostUpdate
	var add, rem []HostAddr
	for _, ar := range []*epp.HostAddRem{u.Add, u.Rem} {
		if ar != nil && len(ar.Statuses) > 0 {
			return ss.failure(cmd.ClTRID, epp.CodeUnimplementedOption, "the sandbox does not set host statuses")
		}
	}
	if u.NewName != "" {
		return ss.failure(cmd.ClTRID, epp.CodeUnimplementedOption, "the sandbox does not rename hosts")
	}
	if u.Add != nil {
		add = hostAddrs(u.Add.Addrs)
	}
	if u.Rem != nil {
		rem = hostAddrs(u.Rem.Addrs)
	}
	resp, err := ss.s.engine.HostUpdate(ss.s.ctx, ss.clientID, cmd.ClTRID, u.Name, add, rem)
	return ss.answer(cmd.ClTRID, resp, err)
}

func (ss *session) hostDelete(cmd *epp.Command) *epp.Response {
	resp, err := ss.s.engine.HostDelete(ss.s.ctx, ss.clientID, cmd.ClTRID, cmd.HostDelete.Name)
	return ss.answer(cmd.ClTRID, resp, err)
}

func (ss *session) contactCreate(cmd *epp.Command) *epp.Response {
	c := cmd.ContactCreate
	contact := Contact{ID: c.ID, Voice: c.Voice, Fax: c.Fax, Email: c.Email, AuthInfo: c.AuthInfo, Unspec: c.Unspec}
	for _, p := range c.PostalInfo {
		contact.PostalInfo = append(contact.PostalInfo, PostalInfo{Type: p.Type, Name: p.Name, Org: p.Org,
			Street: p.Street, City: p.City, SP: p.SP, PC: p.PC, CC: p.CC})
	}
	created, resp, err := ss.s.engine.ContactCreate(ss.s.ctx, ss.clientID, cmd.ClTRID, contact)
	r := ss.answer(cmd.ClTRID, resp, err)
	if ok(r) {
		r.ContactCreate = &epp.ContactCreData{ID: c.ID, CrDate: created}
	}
	return r
}

func (ss *session) contactInfo(cmd *epp.Command) *epp.Response {
	q := cmd.ContactInfo
	c, resp, err := ss.s.engine.ContactInfo(ss.s.ctx, ss.clientID, cmd.ClTRID, q.ID, q.AuthInfo)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	data := &epp.ContactInfData{
		ID:       c.ID,
		ROID:     c.ROID,
		Statuses: []string{"ok"},
		Voice:    c.Voice,
		Fax:      c.Fax,
		Email:    c.Email,
		ClID:     c.Sponsor,
		CrID:     c.Sponsor,
		CrDate:   c.CreatedAt,
		AuthInfo: c.AuthInfo,
	}
	if c.Linked {
		data.Statuses = []string{"linked", "ok"}
	}
	for _, p := range c.PostalInfo {
		data.PostalInfo = append(data.PostalInfo, epp.PostalInfo{Type: p.Type, Name: p.Name, Org: p.Org,
			Street: p.Street, City: p.City, SP: p.SP, PC: p.PC, CC: p.CC})
	}
	r.ContactInfo = data
	return r
}

func (ss *session) hostCreate(cmd *epp.Command) *epp.Response {
	h := cmd.HostCreate
	addrs := make([]HostAddr, 0, len(h.Addrs))
	for _, a := range h.Addrs {
		addrs = append(addrs, HostAddr{IP: a.IP, Addr: a.Addr})
	}
	created, resp, err := ss.s.engine.HostCreate(ss.s.ctx, ss.clientID, cmd.ClTRID, h.Name, addrs)
	r := ss.answer(cmd.ClTRID, resp, err)
	if ok(r) {
		r.HostCreate = &epp.HostCreData{Name: normalizeName(h.Name), CrDate: created}
	}
	return r
}

func (ss *session) pollReq(cmd *epp.Command) *epp.Response {
	m, resp, err := ss.s.engine.PollQueue(ss.s.ctx, ss.clientID, cmd.ClTRID)
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) || m == nil {
		return r
	}
	r.MsgQ = &epp.MsgQ{Count: m.Count, ID: m.ID, QDate: m.Date, Msg: m.Message}
	if t := m.Transfer; t != nil {
		r.DomainTransfer = trnData(*t)
		return r
	}
	pan := &epp.DomainPanData{Name: m.Domain, PaResult: m.Success, PaSvTRID: m.ServerTRID, PaDate: m.Date}
	if isTRID(m.TransactionID) {
		pan.PaClTRID = m.TransactionID
	}
	r.DomainPan = pan
	return r
}

func trnData(t registrar.TransferResult) *epp.DomainTrnData {
	return &epp.DomainTrnData{Name: t.Name, TrStatus: t.Status, ReID: t.RequestingID, ReDate: t.RequestedAt,
		AcID: t.ActingID, AcDate: t.ActBy, ExDate: t.ExpiresAt}
}

// domainTransfer runs a <transfer> (RFC 5731 section 3.2.4); a request
// with the fee extension gets <fee:trnData>.
func (ss *session) domainTransfer(cmd *epp.Command) *epp.Response {
	c := cmd.DomainTransfer
	years, valid := periodYears(c.Period)
	if !valid {
		return ss.failure(cmd.ClTRID, epp.CodeParamRangeError, "the period must be a whole number of years")
	}
	res, resp, err := ss.s.engine.Transfer(ss.s.ctx, ss.clientID, cmd.ClTRID, TransferCommand{
		Op: registrar.TransferOp(c.Op), Name: c.Name, AuthInfo: c.AuthInfo, Years: years, Fee: feeOffer(c.Fee)})
	r := ss.answer(cmd.ClTRID, resp, err)
	if !ok(r) {
		return r
	}
	r.DomainTransfer = trnData(res.TransferResult)
	if c.Fee != nil && c.Op == epp.TransferRequest {
		r.FeeTransfer = feeData(res.Price, years)
	}
	return r
}

func (ss *session) pollAck(cmd *epp.Command) *epp.Response {
	id := cmd.Poll.MsgID
	left, resp, err := ss.s.engine.AckQueue(ss.s.ctx, ss.clientID, cmd.ClTRID, id)
	r := ss.answer(cmd.ClTRID, resp, err)
	if ok(r) {
		r.MsgQ = &epp.MsgQ{Count: left, ID: id}
	}
	return r
}

// isTRID reports whether s can be sent as a transaction ID (epp:trIDStringType:
// a token of 3 to 64 characters). A create may have come without a clTRID,
// and the parser does not check the length of one.
func isTRID(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 3 && n <= 64 && s == strings.Join(strings.Fields(s), " ") && !strings.ContainsAny(s, "\t\n\r")
}
