package epp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Namespace URIs (epp.md §1). NSEPP to NSNeuLevel, and NSRGP, are encoded
// and decoded by this package; the others are here for greetings and logins.
const (
	NSEPP     = "urn:ietf:params:xml:ns:epp-1.0"
	NSEPPCom  = "urn:ietf:params:xml:ns:eppcom-1.0"
	NSDomain  = "urn:ietf:params:xml:ns:domain-1.0"
	NSContact = "urn:ietf:params:xml:ns:contact-1.0"
	NSHost    = "urn:ietf:params:xml:ns:host-1.0"
	NSFee     = "urn:ietf:params:xml:ns:epp:fee-1.0"
	// NSNeuLevel is NeuLevel's extension of key=value pairs (neulevel.go).
	NSNeuLevel = "urn:ietf:params:xml:ns:neulevel-1.0"

	NSRGP                 = "urn:ietf:params:xml:ns:rgp-1.0"
	NSSecDNS              = "urn:ietf:params:xml:ns:secDNS-1.1"
	NSChangePoll          = "urn:ietf:params:xml:ns:changePoll-1.0"
	NSLoginSec            = "urn:ietf:params:xml:ns:epp:loginSec-1.0"
	NSUnhandledNamespaces = "urn:ietf:params:xml:ns:epp:unhandled-namespaces-1.0"
)

// prefixes are the prefixes this package writes, and uses in field names.
var prefixes = map[string]string{NSDomain: "domain", NSContact: "contact", NSHost: "host", NSFee: "fee", NSNeuLevel: "neulevel", NSRGP: "rgp", NSSecDNS: "secDNS"}

// qname names an element for error messages: canonical prefix, local name.
func qname(space, local string) string {
	if p, ok := prefixes[space]; ok {
		return p + ":" + local
	}
	if space == NSEPP || space == "" {
		return local
	}
	return "{" + space + "}" + local
}

// ---- XML Schema white space and character rules ----

func isXMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// isXMLChar reports whether r matches the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// collapse applies the XML Schema "collapse" white-space facet (xs:token
// and derived types): runs of XML white space become one space, and
// leading and trailing white space is removed.
func collapse(s string) string {
	if isCollapsed(s) {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if isXMLSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isCollapsed(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r':
			return false
		case ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			prevSpace = false
		}
	}
	return s == "" || !prevSpace
}

// replaceWS applies the "replace" facet (xs:normalizedString): tabs and
// line breaks become spaces.
func replaceWS(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isXMLSpace(r) {
			return ' '
		}
		return r
	}, s)
}

// ---- validation ----

// checker validates values before they are written and after they are
// read, so that anything Parse accepts, Marshal accepts too. It keeps the
// first failure.
type checker struct{ err *FormatError }

func (v *checker) fail(code int, field, format string, args ...any) {
	if v.err == nil {
		v.err = &FormatError{Code: code, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

func (v *checker) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// chars checks that s is UTF-8 made of XML characters only.
func (v *checker) chars(field, s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) || !isXMLChar(r) {
			v.fail(CodeParamSyntaxError, field, "invalid character at byte %d", i)
			return false
		}
	}
	return true
}

func (v *checker) length(field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	if n < min || (max > 0 && n > max) {
		if max > 0 {
			v.fail(CodeParamSyntaxError, field, "length %d, want %d to %d characters", n, min, max)
		} else {
			v.fail(CodeParamSyntaxError, field, "length %d, want at least %d characters", n, min)
		}
	}
}

// token checks a required xs:token-derived value: present, collapsed
// white space, min to max characters (max 0: unbounded).
func (v *checker) token(field, s string, min, max int) {
	if s == "" {
		v.fail(CodeMissingParam, field, "required value missing")
		return
	}
	v.optToken(field, s, min, max)
}

// optToken is token for an optional value: "" means absent.
func (v *checker) optToken(field, s string, min, max int) {
	if s == "" || !v.chars(field, s) {
		return
	}
	if !isCollapsed(s) {
		v.fail(CodeParamSyntaxError, field, "leading, trailing or repeated white space, tab or line break")
		return
	}
	v.length(field, s, min, max)
}

// normalized checks an xs:normalizedString-derived value: no tabs or line
// breaks, min to max characters. Required when min > 0.
func (v *checker) normalized(field, s string, min, max int) {
	if s == "" && min > 0 {
		v.fail(CodeMissingParam, field, "required value missing")
		return
	}
	if !v.chars(field, s) {
		return
	}
	if strings.ContainsAny(s, "\t\n\r") {
		v.fail(CodeParamSyntaxError, field, "tab or line break")
		return
	}
	v.length(field, s, min, max)
}

// text checks a free-text (xs:string or mixed content) value.
func (v *checker) text(field, s string) { v.chars(field, s) }

// enum checks that s is one of allowed; "" is accepted only if !required.
func (v *checker) enum(field, s string, required bool, allowed ...string) {
	if s == "" {
		if required {
			v.fail(CodeMissingParam, field, "required value missing")
		}
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.fail(CodeParamSyntaxError, field, "%q is not one of %s", s, strings.Join(allowed, ", "))
}

// dateTime checks an xs:dateTime: zero means absent.
func (v *checker) dateTime(field string, t time.Time, required bool) {
	if t.IsZero() {
		if required {
			v.fail(CodeMissingParam, field, "required date missing")
		}
		return
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		v.fail(CodeParamRangeError, field, "year %d outside 1 to 9999", y)
	}
}

// lang checks an xs:language value.
func (v *checker) lang(field, s string) {
	if s == "" {
		v.fail(CodeMissingParam, field, "required value missing")
		return
	}
	for i, part := range strings.Split(s, "-") {
		ok := len(part) >= 1 && len(part) <= 8
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || (i > 0 && r >= '0' && r <= '9')) {
				ok = false
			}
		}
		if !ok {
			v.fail(CodeParamSyntaxError, field, "%q is not a language tag", s)
			return
		}
	}
}

// Signs accepted by decimal.
const (
	anySign     = 0
	nonNegative = 1
	nonPositive = -1
)

// decimal checks an xs:decimal lexical value, optionally restricted in
// sign. Required when required is true; "" means absent otherwise.
func (v *checker) decimal(field, s string, required bool, sign int) {
	if s == "" {
		if required {
			v.fail(CodeMissingParam, field, "required value missing")
		}
		return
	}
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	ok := (intPart != "" || (hasDot && frac != "")) && allDigits(intPart) && allDigits(frac)
	if !ok {
		v.fail(CodeParamSyntaxError, field, "%q is not a decimal number", s)
		return
	}
	zero := strings.Trim(intPart+frac, "0") == ""
	switch {
	case sign == nonNegative && neg && !zero:
		v.fail(CodeParamRangeError, field, "%s is negative", s)
	case sign == nonPositive && !neg && !zero:
		v.fail(CodeParamRangeError, field, "%s is positive", s)
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isXSDWord reports whether r matches the XML Schema \w class: any
// character except punctuation, separators and "other" (control etc.).
func isXSDWord(r rune) bool {
	return !unicode.In(r, unicode.P, unicode.Z, unicode.C)
}

// roid checks eppcom:roidType, pattern (\w|_){1,80}-\w{1,8}.
func (v *checker) roid(field, s string) {
	v.token(field, s, 1, 0)
	if v.err != nil {
		return
	}
	i := strings.LastIndexByte(s, '-')
	ok := i > 0
	if ok {
		head, tail := []rune(s[:i]), []rune(s[i+1:])
		ok = len(head) <= 80 && len(tail) >= 1 && len(tail) <= 8
		for _, r := range head {
			ok = ok && (r == '_' || isXSDWord(r))
		}
		for _, r := range tail {
			ok = ok && isXSDWord(r)
		}
	}
	if !ok {
		v.fail(CodeParamSyntaxError, field, "%q does not match (\\w|_){1,80}-\\w{1,8}", s)
	}
}

// e164 checks contact:e164StringType, (\+[0-9]{1,3}\.[0-9]{1,14})?,
// at most 17 characters; "" means absent.
func (v *checker) e164(field, s string) {
	if s == "" {
		return
	}
	cc, num, ok := strings.Cut(strings.TrimPrefix(s, "+"), ".")
	ok = ok && strings.HasPrefix(s, "+") && len(cc) >= 1 && len(cc) <= 3 && len(num) >= 1 && len(num) <= 14 &&
		allDigits(cc) && allDigits(num) && len(s) <= 17
	if !ok {
		v.fail(CodeParamSyntaxError, field, "%q is not an E.164 number +CC.NUMBER", s)
	}
}

// currency checks fee:currencyType, [A-Z]{3}; "" means absent.
func (v *checker) currency(field, s string, required bool) {
	if s == "" {
		if required {
			v.fail(CodeMissingParam, field, "required value missing")
		}
		return
	}
	ok := len(s) == 3
	for i := 0; i < len(s); i++ {
		ok = ok && s[i] >= 'A' && s[i] <= 'Z'
	}
	if !ok {
		v.fail(CodeParamSyntaxError, field, "%q is not a currency code [A-Z]{3}", s)
	}
}

// ---- formatting ----

func formatDateTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
func formatDate(t time.Time) string     { return t.UTC().Format(time.DateOnly) }

func formatBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ---- parsing ----

// occurs is how often a child element may appear.
type occurs uint8

const (
	opt1 occurs = iota // 0 or 1
	req1               // exactly 1
	optN               // any number
	reqN               // 1 or more
)

type kid struct {
	local string
	occ   occurs
}

// parser decodes a tree, keeping the first failure. In strict mode
// (commands) unknown child elements and stray text are errors; otherwise
// (responses, greetings) they are ignored, so that registry additions do
// not break the client.
type parser struct {
	err    *FormatError
	strict bool
}

func (p *parser) fail(code int, field, format string, args ...any) {
	if p.err == nil {
		p.err = &FormatError{Code: code, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
}

// kids groups the element children of e that are in namespace ns by local
// name, checking them against spec. Missing required children give
// CodeMissingParam; repeated single ones and (in strict mode) unknown ones
// give CodeSyntaxError.
func (p *parser) kids(e *element, ns string, spec ...kid) map[string][]*element {
	out := make(map[string][]*element, len(spec))
	if p.err != nil || e == nil {
		return out
	}
	if p.strict && strings.Trim(string(e.text), " \t\r\n") != "" {
		p.fail(CodeSyntaxError, qname(e.space, e.local), "unexpected text")
		return out
	}
	for _, c := range e.children {
		known := false
		if c.space == ns {
			for _, k := range spec {
				if k.local == c.local {
					known = true
					break
				}
			}
		}
		if !known {
			if p.strict {
				p.fail(CodeSyntaxError, qname(e.space, e.local), "unexpected element %s", qname(c.space, c.local))
				return out
			}
			continue
		}
		out[c.local] = append(out[c.local], c)
	}
	for _, k := range spec {
		n := len(out[k.local])
		switch {
		case n == 0 && (k.occ == req1 || k.occ == reqN):
			p.fail(CodeMissingParam, qname(ns, k.local), "required element missing in %s", qname(e.space, e.local))
		case n > 1 && (k.occ == opt1 || k.occ == req1):
			p.fail(CodeSyntaxError, qname(ns, k.local), "element repeated in %s", qname(e.space, e.local))
		}
	}
	return out
}

// first returns the first element of list, or nil.
func first(list []*element) *element {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// text returns the character data of a simple-content element; element
// children are an error.
func (p *parser) text(e *element) string {
	if e == nil || p.err != nil {
		return ""
	}
	if len(e.children) > 0 {
		p.fail(CodeSyntaxError, qname(e.space, e.local), "unexpected element %s in a simple value", qname(e.children[0].space, e.children[0].local))
		return ""
	}
	return string(e.text)
}

// tok returns the xs:token value of e (white space collapsed).
func (p *parser) tok(e *element) string { return collapse(p.text(e)) }

// norm returns the xs:normalizedString value of e.
func (p *parser) norm(e *element) string { return replaceWS(p.text(e)) }

// attrTok returns the collapsed value of e's unqualified attribute name.
func attrTok(e *element, name string) string {
	if e == nil {
		return ""
	}
	s, _ := e.attr(name)
	return collapse(s)
}

// parseBool decodes an xs:boolean.
func (p *parser) parseBool(field, s string) bool {
	switch s {
	case "1", "true":
		return true
	case "0", "false":
		return false
	}
	p.fail(CodeParamSyntaxError, field, "%q is not a boolean", s)
	return false
}

// parseUint decodes a non-negative xs:integer lexical value ([+]?[0-9]+).
func (p *parser) parseUint(field, s string, max uint64) uint64 {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || !allDigits(digits) {
		p.fail(CodeParamSyntaxError, field, "%q is not a non-negative integer", s)
		return 0
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > max {
		p.fail(CodeParamRangeError, field, "%s is out of range", s)
		return 0
	}
	return n
}

// dateTime decodes an xs:dateTime element to UTC. A value without a time
// zone is taken as UTC.
func (p *parser) dateTime(e *element) time.Time {
	s := p.tok(e)
	if e == nil || p.err != nil {
		return time.Time{}
	}
	field := qname(e.space, e.local)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err != nil {
		p.fail(CodeParamSyntaxError, field, "%q is not an xs:dateTime", s)
		return time.Time{}
	}
	return p.checkYear(field, t.UTC())
}

// date decodes an xs:date element (an optional time zone is ignored) to
// midnight UTC of that date.
func (p *parser) date(e *element) time.Time {
	s := p.tok(e)
	if e == nil || p.err != nil {
		return time.Time{}
	}
	field := qname(e.space, e.local)
	day, zone := s, ""
	if len(s) > 10 {
		day, zone = s[:10], s[10:]
	}
	ok := zone == "" || zone == "Z"
	if !ok && len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' {
		ok = allDigits(zone[1:3]) && allDigits(zone[4:])
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil || !ok {
		p.fail(CodeParamSyntaxError, field, "%q is not an xs:date", s)
		return time.Time{}
	}
	return p.checkYear(field, t)
}

func (p *parser) checkYear(field string, t time.Time) time.Time {
	if t.IsZero() || t.Year() < 1 || t.Year() > 9999 {
		p.fail(CodeParamRangeError, field, "date out of range")
		return time.Time{}
	}
	return t
}
