package registrar

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Contact is a person or organisation named in a registration, in the API's
// shape. Phones are E.164 in EPP form: "+CC.NUMBER".
type Contact struct {
	Email      string     `json:"email"`
	Phone      string     `json:"phone"`
	Fax        string     `json:"fax,omitempty"`
	PostalInfo PostalInfo `json:"postal_info"`
}

// PostalInfo is a contact's name and address.
type PostalInfo struct {
	Name         string  `json:"name"`
	Organization string  `json:"organization,omitempty"`
	Address      Address `json:"address"`
}

// Address is a postal address.
type Address struct {
	Street      string `json:"street"`
	City        string `json:"city"`
	State       string `json:"state"`
	PostalCode  string `json:"postal_code"`
	CountryCode string `json:"country_code"`
}

// Contacts are the contact roles of a registration request.
type Contacts struct {
	Registrant    *Contact `json:"registrant,omitempty"`
	Administrator *Contact `json:"administrator,omitempty"`
	Technical     *Contact `json:"technical,omitempty"`
	Billing       *Contact `json:"billing,omitempty"`
}

// e164 is EPP's phone pattern (RFC 5733 e164StringType): a country code of
// one to three digits, a dot, and up to fourteen digits.
var e164 = regexp.MustCompile(`^\+[0-9]{1,3}\.[0-9]{1,14}$`)

// Normalize trims surrounding white space from every field and upper-cases
// the country code. Validation comes after.
func (c *Contact) Normalize() {
	for _, p := range []*string{&c.Email, &c.Phone, &c.Fax, &c.PostalInfo.Name, &c.PostalInfo.Organization,
		&c.PostalInfo.Address.Street, &c.PostalInfo.Address.City, &c.PostalInfo.Address.State,
		&c.PostalInfo.Address.PostalCode, &c.PostalInfo.Address.CountryCode} {
		*p = strings.TrimSpace(*p)
	}
	c.PostalInfo.Address.CountryCode = strings.ToUpper(c.PostalInfo.Address.CountryCode)
}

// Validate checks c against the limits registries apply (RFC 5733), and
// returns one FieldError per violation, with pointers under prefix (for
// example "/contacts/registrant").
func (c *Contact) Validate(prefix string) []FieldError {
	var errs []FieldError
	bad := func(field, msg string) {
		errs = append(errs, FieldError{Pointer: prefix + field, Message: msg})
	}
	text := func(field, v string, min, max int) {
		n := utf8.RuneCountInString(v)
		switch {
		case n < min && min == 1:
			bad(field, "is required")
		case n < min || n > max:
			bad(field, "must be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" characters")
		case strings.ContainsFunc(v, isControl):
			bad(field, "must not contain control characters")
		}
	}
	if c.Email == "" {
		bad("/email", "is required")
	} else if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || a.Name != "" || len(c.Email) > 254 {
		bad("/email", "must be a plain email address such as ada@example.com")
	}
	if c.Phone == "" {
		bad("/phone", "is required")
	} else if !e164.MatchString(c.Phone) {
		bad("/phone", "must be E.164 in the form +CC.NUMBER, for example +1.5555555555")
	}
	if c.Fax != "" && !e164.MatchString(c.Fax) {
		bad("/fax", "must be E.164 in the form +CC.NUMBER, for example +1.5555555555")
	}
	text("/postal_info/name", c.PostalInfo.Name, 1, 255)
	if c.PostalInfo.Organization != "" {
		text("/postal_info/organization", c.PostalInfo.Organization, 1, 255)
	}
	a := c.PostalInfo.Address
	text("/postal_info/address/street", a.Street, 1, 255)
	text("/postal_info/address/city", a.City, 1, 255)
	text("/postal_info/address/state", a.State, 1, 255)
	text("/postal_info/address/postal_code", a.PostalCode, 1, 16)
	if len(a.CountryCode) != 2 || !isUpperASCII(a.CountryCode) {
		bad("/postal_info/address/country_code", "must be a two-letter ISO 3166-1 alpha-2 code such as US")
	}
	return errs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
