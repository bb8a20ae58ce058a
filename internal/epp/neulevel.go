package epp

import (
	"strings"
)

// NeuLevel extension (urn:ietf:params:xml:ns:neulevel-1.0): registry
// specific values as key=value pairs separated by spaces in one
// <neulevel:unspec> element, on a command's <extension>. NeuLevel (now
// GoDaddy Registry) defined it for .us and .biz; the .us nexus of a
// registrant goes on its contact create:
//
//	<extension>
//	  <neulevel:extension xmlns:neulevel="urn:ietf:params:xml:ns:neulevel-1.0">
//	    <neulevel:unspec>AppPurpose=P1 NexusCategory=C11</neulevel:unspec>
//	  </neulevel:extension>
//	</extension>
//
// This package sends and reads it on <contact:create> only.

// KeyValue is one key=value pair of <neulevel:unspec>.
type KeyValue struct {
	Key, Value string
}

// maxUnspec bounds the text of <neulevel:unspec> (characters).
const maxUnspec = 1000

// FormatUnspec returns the text of <neulevel:unspec> for pairs, in order.
func FormatUnspec(pairs []KeyValue) string {
	parts := make([]string, len(pairs))
	for i, kv := range pairs {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, " ")
}

// ParseUnspec splits the text of <neulevel:unspec> into its pairs. Keys
// are letters and digits, starting with a letter; a value is any run of
// characters without white space, possibly empty ("NexusCategory=C31/DE"
// has the value "C31/DE").
func ParseUnspec(s string) ([]KeyValue, error) {
	var v checker
	pairs := parseUnspec(&v, s)
	return pairs, v.result()
}

func parseUnspec(v *checker, s string) []KeyValue {
	const field = "neulevel:unspec"
	v.length(field, s, 1, maxUnspec)
	var out []KeyValue
	seen := map[string]bool{}
	for _, f := range strings.Fields(s) {
		k, val, ok := strings.Cut(f, "=")
		switch {
		case !ok || !validUnspecKey(k):
			v.fail(CodeParamSyntaxError, field, "%q is not a key=value pair with a key of letters and digits", f)
			return nil
		case seen[strings.ToLower(k)]:
			v.fail(CodeParamSyntaxError, field, "key %q repeated", k)
			return nil
		}
		seen[strings.ToLower(k)] = true
		out = append(out, KeyValue{Key: k, Value: val})
	}
	if out == nil {
		v.fail(CodeParamSyntaxError, field, "no key=value pair")
	}
	return out
}

// checkUnspec validates pairs before they are written, with the rules
// ParseUnspec reads them by, so that what Marshal writes parses back the
// same.
func checkUnspec(v *checker, pairs []KeyValue) {
	if len(pairs) == 0 {
		return
	}
	for _, kv := range pairs {
		if strings.ContainsFunc(kv.Value, isXMLSpace) || strings.Contains(kv.Value, "=") {
			v.fail(CodeParamSyntaxError, "neulevel:unspec", "value of %s must not contain white space or =", kv.Key)
			return
		}
		v.chars("neulevel:unspec", kv.Value)
	}
	parseUnspec(v, FormatUnspec(pairs))
}

func validUnspecKey(k string) bool {
	if k == "" || !isASCIILetter(k[0]) {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isASCIILetter(k[i]) && (k[i] < '0' || k[i] > '9') {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// writeUnspec writes the command extension carrying pairs, if any.
func writeUnspec(w *writer, pairs []KeyValue) {
	if len(pairs) == 0 {
		return
	}
	w.start("extension")
	w.start("neulevel:extension", "xmlns:neulevel", NSNeuLevel)
	w.leaf("neulevel:unspec", FormatUnspec(pairs))
	w.end("neulevel:extension")
	w.end("extension")
}

// unspec decodes <neulevel:extension>.
func (p *parser) unspec(e *element) []KeyValue {
	k := p.kids(e, NSNeuLevel, kid{"unspec", req1})
	if p.err != nil {
		return nil
	}
	var v checker
	pairs := parseUnspec(&v, p.tok(first(k["unspec"])))
	if v.err != nil {
		p.fail(v.err.Code, v.err.Field, "%s", v.err.Reason)
		return nil
	}
	return pairs
}
