package epp

// Fee extension (RFC 8748, urn:ietf:params:xml:ns:epp:fee-1.0).

// Fee command names.
const (
	FeeCreate   = "create"
	FeeRenew    = "renew"
	FeeTransfer = "transfer"
	FeeRestore  = "restore"
	FeeUpdate   = "update"
	FeeDelete   = "delete"
	FeeCustom   = "custom"
)

var feeCommands = []string{FeeCreate, FeeDelete, FeeRenew, FeeUpdate, FeeTransfer, FeeRestore, FeeCustom}

// FeeCheck is <fee:check>, the extension of a domain check.
type FeeCheck struct {
	Currency string // optional ISO 4217 code, e.g. "USD"
	Commands []FeeCommand
}

// FeeCommand is one <fee:command> of a fee check.
type FeeCommand struct {
	Name   string  // "create", "renew", "transfer", "restore", ...
	Period *Period // nil: the server assumes one year
}

// Fee is a <fee:fee> (non-negative) or a <fee:credit> (non-positive).
type Fee struct {
	Amount      string // an xs:decimal, e.g. "10.00"; never converted to float
	Description string // optional
}

// FeeTransform is the fee extension of a transform command
// (<fee:create>, <fee:renew>): the client's acceptance of the price.
type FeeTransform struct {
	Currency string // optional
	Fees     []Fee  // at least one
	Credits  []Fee
}

// FeeChkData is <fee:chkData>, the extension of a domain check response.
type FeeChkData struct {
	Currency string
	CDs      []FeeCD
}

// FeeCD is one <fee:cd>: the fees for one object.
type FeeCD struct {
	ObjID string
	// Avail false means the server cannot give fees for this object (for
	// example an unknown class), not that the object is registered.
	Avail    bool
	Class    string // optional: "standard", "premium", a registry tier...
	Commands []FeeCommandData
	Reason   string // optional
}

// FeeCommandData is a <fee:command> of a check response.
type FeeCommandData struct {
	Name     string
	Standard bool // standard="1": the fee is the standard one
	Period   *Period
	Fees     []Fee
	Credits  []Fee
	Reason   string // optional
}

// FeeTransformData is <fee:creData>/<fee:renData>: what a transform cost.
type FeeTransformData struct {
	Currency    string // optional
	Period      *Period
	Fees        []Fee
	Credits     []Fee
	Balance     string // optional decimal
	CreditLimit string // optional decimal
}

// ---- validation ----

func (f *FeeCheck) validate(v *checker) {
	if f == nil {
		return
	}
	v.currency("fee:currency", f.Currency, false)
	if len(f.Commands) == 0 {
		v.fail(CodeMissingParam, "fee:command", "at least one fee:command required")
	}
	for _, c := range f.Commands {
		v.enum("fee:command@name", c.Name, true, feeCommands...)
		c.Period.validate(v, "fee:period")
	}
}

func validateFees(v *checker, fees, credits []Fee) {
	for _, f := range fees {
		v.decimal("fee:fee", f.Amount, true, nonNegative)
		v.text("fee:fee@description", f.Description)
	}
	for _, f := range credits {
		v.decimal("fee:credit", f.Amount, true, nonPositive)
		v.text("fee:credit@description", f.Description)
	}
}

func (f *FeeTransform) validate(v *checker, field string) {
	if f == nil {
		return
	}
	v.currency("fee:currency", f.Currency, false)
	if len(f.Fees) == 0 {
		v.fail(CodeMissingParam, field, "at least one fee:fee required")
	}
	validateFees(v, f.Fees, f.Credits)
}

func (f *FeeChkData) validate(v *checker) {
	if f == nil {
		return
	}
	v.currency("fee:currency", f.Currency, true)
	if len(f.CDs) == 0 {
		v.fail(CodeMissingParam, "fee:cd", "at least one fee:cd required")
	}
	for _, cd := range f.CDs {
		v.token("fee:objID", cd.ObjID, 1, 255)
		v.optToken("fee:class", cd.Class, 0, 0)
		v.optToken("fee:reason", cd.Reason, 0, 0)
		for _, c := range cd.Commands {
			v.enum("fee:command@name", c.Name, true, feeCommands...)
			c.Period.validate(v, "fee:period")
			validateFees(v, c.Fees, c.Credits)
			v.optToken("fee:reason", c.Reason, 0, 0)
		}
	}
}

func (f *FeeTransformData) validate(v *checker) {
	if f == nil {
		return
	}
	v.currency("fee:currency", f.Currency, false)
	f.Period.validate(v, "fee:period")
	validateFees(v, f.Fees, f.Credits)
	v.decimal("fee:balance", f.Balance, false, anySign)
	v.decimal("fee:creditLimit", f.CreditLimit, false, anySign)
}

// ---- marshalling ----

func (f *FeeCheck) write(w *writer) {
	w.start("fee:check", "xmlns:fee", NSFee)
	w.optLeaf("fee:currency", f.Currency)
	for _, c := range f.Commands {
		if c.Period == nil {
			w.leaf("fee:command", "", "name", c.Name)
			continue
		}
		w.start("fee:command", "name", c.Name)
		c.Period.write(w, "fee:period")
		w.end("fee:command")
	}
	w.end("fee:check")
}

func writeFees(w *writer, fees, credits []Fee) {
	for _, f := range fees {
		w.leaf("fee:fee", f.Amount, "description", f.Description)
	}
	for _, f := range credits {
		w.leaf("fee:credit", f.Amount, "description", f.Description)
	}
}

// writeFeeExtension writes <extension><name>...</name></extension> for a
// transform command.
func writeFeeExtension(w *writer, name string, f *FeeTransform) {
	if f == nil {
		return
	}
	w.start("extension")
	w.start(name, "xmlns:fee", NSFee)
	w.optLeaf("fee:currency", f.Currency)
	writeFees(w, f.Fees, f.Credits)
	w.end(name)
	w.end("extension")
}

func (f *FeeChkData) write(w *writer) {
	w.start("fee:chkData", "xmlns:fee", NSFee)
	w.leaf("fee:currency", f.Currency)
	for _, cd := range f.CDs {
		w.start("fee:cd", "avail", formatBool(cd.Avail))
		w.leaf("fee:objID", cd.ObjID)
		w.optLeaf("fee:class", cd.Class)
		for _, c := range cd.Commands {
			w.start("fee:command", "name", c.Name, "standard", formatBool(c.Standard))
			c.Period.write(w, "fee:period")
			writeFees(w, c.Fees, c.Credits)
			w.optLeaf("fee:reason", c.Reason)
			w.end("fee:command")
		}
		w.optLeaf("fee:reason", cd.Reason)
		w.end("fee:cd")
	}
	w.end("fee:chkData")
}

func (f *FeeTransformData) write(w *writer, name string) {
	if f.Currency == "" && f.Period == nil && len(f.Fees) == 0 && len(f.Credits) == 0 && f.Balance == "" && f.CreditLimit == "" {
		w.leaf(name, "", "xmlns:fee", NSFee)
		return
	}
	w.start(name, "xmlns:fee", NSFee)
	w.optLeaf("fee:currency", f.Currency)
	f.Period.write(w, "fee:period")
	writeFees(w, f.Fees, f.Credits)
	w.optLeaf("fee:balance", f.Balance)
	w.optLeaf("fee:creditLimit", f.CreditLimit)
	w.end(name)
}

// ---- parsing ----

func (p *parser) period(e *element) *Period {
	if e == nil || p.err != nil {
		return nil
	}
	field := qname(e.space, e.local)
	unit, ok := e.attr("unit")
	if !ok {
		p.fail(CodeMissingParam, field+"@unit", "required attribute missing")
		return nil
	}
	n := p.parseUint(field, p.tok(e), 65535)
	return &Period{Value: int(n), Unit: collapse(unit)}
}

func (p *parser) feeCheck(e *element) *FeeCheck {
	k := p.kids(e, NSFee, kid{"currency", opt1}, kid{"command", reqN})
	f := &FeeCheck{Currency: p.tok(first(k["currency"]))}
	for _, c := range k["command"] {
		kk := p.kids(c, NSFee, kid{"period", opt1})
		f.Commands = append(f.Commands, FeeCommand{Name: attrTok(c, "name"), Period: p.period(first(kk["period"]))})
	}
	return f
}

func (p *parser) fees(list []*element) []Fee {
	var out []Fee
	for _, e := range list {
		d, _ := e.attr("description")
		out = append(out, Fee{Amount: p.tok(e), Description: d})
	}
	return out
}

func (p *parser) feeTransform(e *element) *FeeTransform {
	k := p.kids(e, NSFee, kid{"currency", opt1}, kid{"fee", reqN}, kid{"credit", optN})
	return &FeeTransform{Currency: p.tok(first(k["currency"])), Fees: p.fees(k["fee"]), Credits: p.fees(k["credit"])}
}

func (p *parser) feeChkData(e *element) *FeeChkData {
	k := p.kids(e, NSFee, kid{"currency", req1}, kid{"cd", reqN})
	f := &FeeChkData{Currency: p.tok(first(k["currency"]))}
	for _, cd := range k["cd"] {
		kk := p.kids(cd, NSFee, kid{"objID", req1}, kid{"class", opt1}, kid{"command", optN}, kid{"reason", opt1})
		x := FeeCD{
			ObjID:  p.tok(first(kk["objID"])),
			Avail:  true, // the schema default
			Class:  p.tok(first(kk["class"])),
			Reason: p.tok(first(kk["reason"])),
		}
		if s, ok := cd.attr("avail"); ok {
			x.Avail = p.parseBool("fee:cd@avail", collapse(s))
		}
		for _, c := range kk["command"] {
			ck := p.kids(c, NSFee, kid{"period", opt1}, kid{"fee", optN}, kid{"credit", optN}, kid{"reason", opt1})
			cmd := FeeCommandData{
				Name:    attrTok(c, "name"),
				Period:  p.period(first(ck["period"])),
				Fees:    p.fees(ck["fee"]),
				Credits: p.fees(ck["credit"]),
				Reason:  p.tok(first(ck["reason"])),
			}
			if s, ok := c.attr("standard"); ok {
				cmd.Standard = p.parseBool("fee:command@standard", collapse(s))
			}
			x.Commands = append(x.Commands, cmd)
		}
		f.CDs = append(f.CDs, x)
	}
	return f
}

func (p *parser) feeTransformData(e *element) *FeeTransformData {
	k := p.kids(e, NSFee, kid{"currency", opt1}, kid{"period", opt1}, kid{"fee", optN}, kid{"credit", optN},
		kid{"balance", opt1}, kid{"creditLimit", opt1})
	return &FeeTransformData{
		Currency:    p.tok(first(k["currency"])),
		Period:      p.period(first(k["period"])),
		Fees:        p.fees(k["fee"]),
		Credits:     p.fees(k["credit"]),
		Balance:     p.tok(first(k["balance"])),
		CreditLimit: p.tok(first(k["creditLimit"])),
	}
}
