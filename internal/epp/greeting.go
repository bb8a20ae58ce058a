package epp

import "time"

// Greeting is a server's <greeting>, sent on connect and in answer to
// <hello>. Marshal always writes the same data collection policy: access
// to all data, collected for administrative and provisioning purposes, for
// the registry ("ours") only, retained for a stated period. Parse does not
// keep the policy.
type Greeting struct {
	SvID     string    // 3-64 characters
	SvDate   time.Time // the server's current time
	Versions []string  // ["1.0"]
	Langs    []string  // e.g. ["en"]
	ObjURIs  []string
	ExtURIs  []string // optional
}

func (g *Greeting) validate() error {
	v := &checker{}
	v.normalized("svID", g.SvID, 3, 64)
	v.dateTime("svDate", g.SvDate, true)
	if len(g.Versions) == 0 {
		v.fail(CodeMissingParam, "version", "at least one version required")
	}
	for _, s := range g.Versions {
		if s != "1.0" {
			v.fail(CodeParamSyntaxError, "version", "version %q, want 1.0", s)
		}
	}
	if len(g.Langs) == 0 {
		v.fail(CodeMissingParam, "lang", "at least one lang required")
	}
	for _, s := range g.Langs {
		v.lang("lang", s)
	}
	if len(g.ObjURIs) == 0 {
		v.fail(CodeMissingParam, "objURI", "at least one objURI required")
	}
	for _, u := range g.ObjURIs {
		v.token("objURI", u, 1, 0)
	}
	for _, u := range g.ExtURIs {
		v.token("extURI", u, 1, 0)
	}
	return v.result()
}

// Marshal encodes the greeting as a complete <epp> document.
func (g *Greeting) Marshal() ([]byte, error) {
	if err := g.validate(); err != nil {
		return nil, err
	}
	w := newWriter()
	w.start("epp", "xmlns", NSEPP)
	w.start("greeting")
	w.leaf("svID", g.SvID)
	w.leaf("svDate", formatDateTime(g.SvDate))
	w.start("svcMenu")
	for _, s := range g.Versions {
		w.leaf("version", s)
	}
	for _, s := range g.Langs {
		w.leaf("lang", s)
	}
	for _, s := range g.ObjURIs {
		w.leaf("objURI", s)
	}
	if len(g.ExtURIs) > 0 {
		w.start("svcExtension")
		for _, s := range g.ExtURIs {
			w.leaf("extURI", s)
		}
		w.end("svcExtension")
	}
	w.end("svcMenu")
	w.start("dcp")
	w.start("access")
	w.leaf("all", "")
	w.end("access")
	w.start("statement")
	w.start("purpose")
	w.leaf("admin", "")
	w.leaf("prov", "")
	w.end("purpose")
	w.start("recipient")
	w.leaf("ours", "")
	w.end("recipient")
	w.start("retention")
	w.leaf("stated", "")
	w.end("retention")
	w.end("statement")
	w.end("dcp")
	w.end("greeting")
	w.end("epp")
	return w.bytes(), nil
}

// ParseGreeting decodes a <greeting>. Errors are *FormatError.
func ParseGreeting(b []byte) (*Greeting, error) {
	g, _, err := ParseServerMessage(b)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, &FormatError{Code: CodeSyntaxError, Field: "response", Reason: "got a response, want a greeting"}
	}
	return g, nil
}

func (p *parser) greeting(e *element) *Greeting {
	k := p.kids(e, NSEPP, kid{"svID", req1}, kid{"svDate", req1}, kid{"svcMenu", req1}, kid{"dcp", opt1})
	g := &Greeting{SvID: p.norm(first(k["svID"])), SvDate: p.dateTime(first(k["svDate"]))}
	mk := p.kids(first(k["svcMenu"]), NSEPP, kid{"version", reqN}, kid{"lang", reqN}, kid{"objURI", reqN},
		kid{"svcExtension", opt1})
	for _, x := range mk["version"] {
		g.Versions = append(g.Versions, p.tok(x))
	}
	for _, x := range mk["lang"] {
		g.Langs = append(g.Langs, p.tok(x))
	}
	for _, x := range mk["objURI"] {
		g.ObjURIs = append(g.ObjURIs, p.tok(x))
	}
	if se := first(mk["svcExtension"]); se != nil {
		ek := p.kids(se, NSEPP, kid{"extURI", optN})
		for _, x := range ek["extURI"] {
			g.ExtURIs = append(g.ExtURIs, p.tok(x))
		}
	}
	return g
}
