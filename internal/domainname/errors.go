package domainname

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Rule identifies the validation rule a rejected domain name or extension
// broke. Its values are stable strings suitable for API error codes.
type Rule string

// The rules Parse and ParseExtension enforce. They are checked roughly in
// the order listed; an input that breaks several rules reports the first.
const (
	// RuleEmpty: the input is empty or consists only of dots and white space.
	RuleEmpty Rule = "empty"
	// RuleTooLong: the name is over 253 octets in ASCII form (without the
	// trailing dot), or the raw input is over 1024 bytes.
	RuleTooLong Rule = "too_long"
	// RuleLabelTooLong: a label is over 63 octets in ASCII form.
	RuleLabelTooLong Rule = "label_too_long"
	// RuleEmptyLabel: the name has an empty label, as in "a..com" or ".com".
	RuleEmptyLabel Rule = "empty_label"
	// RuleHyphen: a label starts or ends with '-', or has "--" in the third
	// and fourth positions without being an "xn--" A-label.
	RuleHyphen Rule = "hyphen"
	// RuleCharacter: the name contains a character outside letters, digits
	// and hyphen (after IDNA mapping): white space, '_', '@', '/', control
	// characters, invalid UTF-8, look-alike dots such as U+3002, and so on.
	RuleCharacter Rule = "invalid_character"
	// RuleIDNA: the name was rejected by the IDNA2008 / UTS #46 registration
	// profile: an invalid or non-canonical A-label, a disallowed code point,
	// a misplaced joiner (CONTEXTJ) or a bidi rule violation.
	RuleIDNA Rule = "idna"
	// RuleNoExtension: the name is a single label with no extension, such as
	// "example".
	RuleNoExtension Rule = "no_extension"
	// RuleBareExtension: the name is itself a public suffix, such as "com"
	// or "co.uk".
	RuleBareExtension Rule = "bare_extension"
	// RuleNotRegistrable: the name has more labels than the registrable
	// domain, such as "www.example.com".
	RuleNotRegistrable Rule = "not_registrable"
	// RuleUnknownExtension: the suffix is not an ICANN suffix in the public
	// suffix list: an unknown TLD such as "example.invalidtld", or a name
	// under a private suffix such as "foo.blogspot.com". ParseExtension also
	// uses it for inputs that are not exactly an extension.
	RuleUnknownExtension Rule = "unknown_extension"
)

// Error reports why a domain name or extension was rejected.
type Error struct {
	// Input is the string that was passed to Parse or ParseExtension.
	Input string
	// Rule is the rule the input broke.
	Rule Rule
	// Message is a sentence a user can act on, naming the problem, e.g.
	// `domain name "a..com" has an empty label`.
	Message string
}

// Error returns e.Message.
func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return fmt.Sprintf("domain name %s is invalid (%s)", quote(e.Input), e.Rule)
}

// maxQuoted is the number of input bytes quoted in messages; longer inputs
// are cut so that error messages stay readable and bounded.
const maxQuoted = 80

// quote returns s as a Go-quoted string (so control characters and other
// invisible runes are escaped), shortened to about maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

// errorf builds an *Error for input with a formatted message.
func errorf(input string, rule Rule, format string, args ...any) *Error {
	return &Error{Input: input, Rule: rule, Message: fmt.Sprintf(format, args...)}
}
