package domainname

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

const (
	// maxInputLen bounds the work done on any input: longer inputs are
	// rejected with RuleTooLong before anything else is looked at.
	maxInputLen = 1024
	// maxNameLen is the longest name in ASCII form, without the trailing dot
	// (RFC 1035 section 2.3.4 less the root label and length octets).
	maxNameLen = 253
	// maxLabelLen is the longest label, in octets of its ASCII form.
	maxLabelLen = 63
	// acePrefix starts every A-label.
	acePrefix = "xn--"

	zwnj = '\u200c'
	zwj  = '\u200d'
)

// uts46Mapper applies the UTS #46 mapping (case folding, width and
// compatibility mappings) without the STD3 restriction. It is only used to
// decide how to lower-case non-ASCII letters and to explain rejections; the
// result of a successful Parse always comes from idna.Registration.
var uts46Mapper = idna.New(idna.MapForLookup(), idna.StrictDomainName(false))

// normalize runs every rule except the public suffix ones on s and returns
// its ASCII and Unicode forms. input is the caller's original string, used in
// messages and Error.Input; what names the kind of thing being parsed.
func normalize(input, s, what string) (ascii, uni string, e *Error) {
	if len(input) > maxInputLen {
		return "", "", errorf(input, RuleTooLong,
			"%s is %d bytes long; a domain name can be at most %d characters", what, len(input), maxNameLen)
	}
	if strings.TrimFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) }) == "" {
		if input == "" {
			return "", "", errorf(input, RuleEmpty, "%s is empty", what)
		}
		return "", "", errorf(input, RuleEmpty, "%s %s is empty", what, quote(input))
	}
	if !utf8.ValidString(s) {
		return "", "", errorf(input, RuleCharacter, "%s %s is not valid UTF-8 text", what, quote(input))
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return "", "", errorf(input, RuleCharacter,
				"%s %s contains white space (%U); remove it", what, quote(input), r)
		case unicode.IsControl(r):
			return "", "", errorf(input, RuleCharacter,
				"%s %s contains the control character %U; remove it", what, quote(input), r)
		}
	}

	s = toLower(strings.TrimSuffix(s, "."))
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" {
			return "", "", errorf(input, RuleEmptyLabel, "%s %s has an empty label", what, quote(input))
		}
	}
	for _, l := range labels {
		for i := 0; i < len(l); i++ {
			if c := l[i]; c < utf8.RuneSelf && !isLDH(c) {
				return "", "", errorf(input, RuleCharacter,
					"%s %s contains %q, which is not allowed; use only letters, digits and hyphens",
					what, quote(input), string(c))
			}
		}
	}

	// Lengths are checked on the ASCII form, which for a U-label is its
	// punycode encoding; a label that cannot be encoded is left to IDNA.
	total := len(labels) - 1
	longest, longestLen := "", 0
	for _, l := range labels {
		n := len(l)
		if !isASCII(l) && !strings.HasPrefix(l, acePrefix) {
			if a, err := idna.Punycode.ToASCII(l); err == nil {
				n = len(a)
			}
		}
		total += n
		if n > longestLen {
			longest, longestLen = l, n
		}
	}
	if total > maxNameLen {
		return "", "", errorf(input, RuleTooLong,
			"%s %s is %d characters long in ASCII form; the limit is %d", what, quote(input), total, maxNameLen)
	}
	if longestLen > maxLabelLen {
		return "", "", errorf(input, RuleLabelTooLong,
			"%s %s has a label (%s) that is %d characters long in ASCII form; the limit is %d",
			what, quote(input), quote(longest), longestLen, maxLabelLen)
	}

	for _, l := range labels {
		if problem := hyphenProblem(l); problem != "" {
			return "", "", errorf(input, RuleHyphen, "%s %s has a label (%s) that %s", what, quote(input), quote(l), problem)
		}
	}

	ascii, err := idna.Registration.ToASCII(s)
	if err != nil {
		return "", "", diagnoseIDNA(input, what, labels, err)
	}
	out := strings.Split(ascii, ".")
	if len(out) != len(labels) {
		return "", "", errorf(input, RuleIDNA, "%s %s is not a valid internationalised domain name", what, quote(input))
	}
	for i, l := range labels {
		// RFC 5891 section 5.4: an A-label must be the canonical encoding
		// of its U-label, so that each name has exactly one ASCII form.
		if strings.HasPrefix(l, acePrefix) && out[i] != l {
			return "", "", errorf(input, RuleIDNA,
				"%s %s has a label (%s) that is not a canonical A-label; its canonical form is %q",
				what, quote(input), quote(l), out[i])
		}
		if len(out[i]) > maxLabelLen || !isLDHString(out[i]) {
			// Unreachable if the checks above agree with the idna package.
			return "", "", errorf(input, RuleIDNA, "%s %s is not a valid internationalised domain name", what, quote(input))
		}
	}
	uni, err = idna.Registration.ToUnicode(ascii)
	if err != nil {
		return "", "", errorf(input, RuleIDNA, "%s %s is not a valid internationalised domain name", what, quote(input))
	}
	for _, u := range strings.Split(uni, ".") {
		if isASCII(u) {
			continue
		}
		// A-labels skip the rune-position hyphen check above; apply it to
		// what they decode to, so that the Unicode form parses the same.
		if problem := hyphenProblem(u); problem != "" {
			return "", "", errorf(input, RuleHyphen, "%s %s has a label (%s) that %s", what, quote(input), quote(u), problem)
		}
		if problem := idna2008Problem(u); problem != "" {
			return "", "", errorf(input, RuleIDNA, "%s %s has a label (%s) that %s", what, quote(input), quote(u), problem)
		}
	}
	return ascii, uni, nil
}

// toLower lower-cases ASCII letters, and non-ASCII letters whose UTS #46
// mapping is exactly their simple lower-case form and is not ASCII. So
// "BÜCHER" becomes "bücher", but look-alikes that would fold into ASCII
// (KELVIN SIGN to "k") or into something else (U+0130 to "i̇") are left for
// the registration profile to reject, as are letters UTS #46 treats as
// already canonical (upper-case Cherokee).
func toLower(s string) string {
	var b strings.Builder
	for i, r := range s {
		l := lowerRune(r)
		if l == r && b.Len() == 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
			b.WriteString(s[:i])
		}
		b.WriteRune(l)
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

func lowerRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	l := unicode.ToLower(r)
	if l == r || l < utf8.RuneSelf {
		return r
	}
	if m, _ := uts46Mapper.ToUnicode(string(r)); m == string(l) {
		return l
	}
	return r
}

// hyphenProblem describes how label l breaks the hyphen rules of RFC 5891
// section 4.2.3.1, or returns "". Labels starting with "xn--" are left to
// the A-label validation. "--" is checked at both the third and fourth
// characters and the third and fourth bytes, the latter because that is what
// the idna package checks.
func hyphenProblem(l string) string {
	switch {
	case strings.HasPrefix(l, "-"):
		return "starts with a hyphen"
	case strings.HasSuffix(l, "-"):
		return "ends with a hyphen"
	case strings.HasPrefix(l, acePrefix):
		return ""
	}
	if len(l) >= 4 && l[2] == '-' && l[3] == '-' {
		return `has "--" in the third and fourth positions, which is reserved for "xn--" A-labels`
	}
	var third, fourth rune
	n := 0
	for _, r := range l {
		if n == 2 {
			third = r
		} else if n == 3 {
			fourth = r
			break
		}
		n++
	}
	if third == '-' && fourth == '-' {
		return `has "--" in the third and fourth positions, which is reserved for "xn--" A-labels`
	}
	return ""
}

// diagnoseIDNA turns a rejection by idna.Registration into the most
// specific Rule and message it can. The idna package's error types are not
// exported, so the only details available are its messages and what can be
// learnt by re-running the profile on each label.
func diagnoseIDNA(input, what string, labels []string, err error) *Error {
	var r rune
	if _, scanErr := fmt.Sscanf(err.Error(), "idna: disallowed rune U+%X", &r); scanErr == nil {
		return disallowedRune(input, what, r)
	}
	for _, l := range labels {
		if _, err := idna.Registration.ToASCII(l); err == nil {
			continue
		}
		if strings.HasPrefix(l, acePrefix) {
			u, derr := idna.Punycode.ToUnicode(l)
			if derr != nil || u == l {
				return errorf(input, RuleIDNA,
					"%s %s has a label (%s) that starts with \"xn--\" but is not valid punycode",
					what, quote(input), quote(l))
			}
			return errorf(input, RuleIDNA,
				"%s %s has an A-label (%s) that decodes to %s, which is not a valid internationalised label",
				what, quote(input), quote(l), quote(u))
		}
		if strings.ContainsRune(l, zwj) || strings.ContainsRune(l, zwnj) {
			return errorf(input, RuleIDNA,
				"%s %s has a label (%s) with a zero-width joiner or non-joiner where the CONTEXTJ rules do not allow one",
				what, quote(input), quote(l))
		}
		if first, _ := utf8.DecodeRuneInString(l); unicode.Is(unicode.M, first) {
			return errorf(input, RuleIDNA,
				"%s %s has a label (%s) that starts with a combining mark", what, quote(input), quote(l))
		}
		for _, r := range l {
			if m, _ := uts46Mapper.ToUnicode(string(r)); m != string(r) {
				return disallowedRune(input, what, r)
			}
		}
		if hasRTL(l) {
			return errorf(input, RuleIDNA,
				"%s %s has a label (%s) that breaks the bidi rule for right-to-left text (RFC 5893)",
				what, quote(input), quote(l))
		}
		return errorf(input, RuleIDNA,
			"%s %s has a label (%s) that is not a valid internationalised label; check it is in Unicode normalisation form C",
			what, quote(input), quote(l))
	}
	// Every label is fine on its own, so the whole name fails the bidi
	// rule, which applies to all labels once any label is right-to-left.
	return errorf(input, RuleIDNA,
		"%s %s mixes right-to-left text with a label that breaks the bidi rule (RFC 5893), such as one starting with a digit",
		what, quote(input))
}

// disallowedRune explains why r, reported by the registration profile as
// disallowed, is not allowed.
func disallowedRune(input, what string, r rune) *Error {
	m, _ := uts46Mapper.ToUnicode(string(r))
	switch {
	case r < utf8.RuneSelf:
		return errorf(input, RuleCharacter,
			"%s %s contains %q, which is not allowed; use only letters, digits and hyphens",
			what, quote(input), string(r))
	case strings.Trim(m, ".") == "" && m != "":
		return errorf(input, RuleCharacter,
			"%s %s contains %q (%U), which looks like a dot; separate labels with an ASCII \".\"",
			what, quote(input), string(r), r)
	case m != "" && isASCII(m) && !isLDHString(m):
		return errorf(input, RuleCharacter,
			"%s %s contains %q (%U), a form of %q, which is not allowed; use only letters, digits and hyphens",
			what, quote(input), string(r), r, m)
	case m != "" && isASCII(m):
		return errorf(input, RuleIDNA,
			"%s %s contains %q (%U), a compatibility form of %q that is not allowed; type %q instead",
			what, quote(input), string(r), r, m, m)
	default:
		return errorf(input, RuleIDNA,
			"%s %s contains %q (%U), which is not allowed in internationalised domain names",
			what, quote(input), string(r), r)
	}
}

func isLDH(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}

func isLDHString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLDH(s[i]) {
			return false
		}
	}
	return s != ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// rtlScripts approximates the scripts with bidi class R or AL; it is only
// used to word error messages.
var rtlScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko,
	unicode.Samaritan, unicode.Mandaic, unicode.Adlam, unicode.Hanifi_Rohingya,
}

func hasRTL(s string) bool {
	for _, r := range s {
		if unicode.In(r, rtlScripts...) {
			return true
		}
	}
	return false
}
