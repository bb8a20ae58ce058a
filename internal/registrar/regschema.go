package registrar

import "strconv"

// SchemaDialect is the JSON Schema dialect of registration schemas.
const SchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// The patterns of the registration schemas. Each is a rule of the
// schema only; PatternMessages says in words what a value that fails it
// must be.
const (
	// E164Pattern is EPP's phone pattern (RFC 5733 e164StringType): a
	// country code of one to three digits, a dot, up to fourteen digits.
	E164Pattern = "^" + e164 + "$"
	// OptionalE164Pattern is E164Pattern or empty (fax).
	OptionalE164Pattern = "^(" + e164 + ")?$"
	e164                = `\+[0-9]{1,3}\.[0-9]{1,14}`
	// NotBlankPattern asks for a character that is not white space.
	NotBlankPattern = `\S`
	// NoControlPattern forbids control characters and line separators:
	// C0 (U+0000 to U+001F), DEL and C1 (U+007F to U+009F, with U+0085
	// NEL), U+2028 and U+2029. RFC 5733 text fields are single lines, and
	// these fields go verbatim into mail. The separators are literal
	// characters, which both RE2 (the validator) and ECMA-262 (clients of
	// the published schema) read the same.
	NoControlPattern = "^[^\\x00-\\x1F\\x7F-\\x9F\u2028\u2029]*$"
	// EmailDomainPattern asks for a domain name after the last @, not an
	// address literal (x@[192.0.2.1]): the "email" format allows those.
	EmailDomainPattern = `@[^@\[\]]+$`
	// CountryCodePattern is a two-letter code, in either case (it is
	// stored in upper case).
	CountryCodePattern = `^[A-Za-z]{2}$`
)

// PatternMessages says, for each pattern of the registration schemas,
// what a value that does not match it must be, for error messages.
var PatternMessages = map[string]string{
	E164Pattern:         "must be E.164 in the form +CC.NUMBER, for example +1.5555555555",
	OptionalE164Pattern: "must be E.164 in the form +CC.NUMBER, for example +1.5555555555",
	NotBlankPattern:     "is required",
	NoControlPattern:    noControlMessage,
	EmailDomainPattern:  "must have a domain name after the @, not an address literal such as [192.0.2.1]",
	CountryCodePattern:  "must be a two-letter ISO 3166-1 alpha-2 code such as US",
}

const noControlMessage = "must be a single line: no control characters or line separators " +
	"(U+0000 to U+001F, U+007F to U+009F including U+0085, U+2028, U+2029)"

// FormatMessages says, for each format the registration schemas assert,
// what a value must be.
var FormatMessages = map[string]string{
	"email": "must be a plain email address such as ada@example.com",
}

// RegistrationSchema returns the JSON Schema (2020-12) of the body of
// POST /registrations for a domain under e: the members every extension
// shares (domain_name, years within e's range, auto_renew, privacy_mode,
// the contact roles e accepts) and e's own contact_extensions and
// acknowledgements. Every object is closed (additionalProperties false).
//
// The schema is built from plain maps and slices, so json.Marshal encodes
// it with its keys sorted: the same extension always gives the same bytes.
// Each call returns a new value the caller may modify.
func (e Extension) RegistrationSchema() map[string]any {
	minYears, maxYears := e.Years()
	dot := "." + e.Name
	required := []any{"domain_name"}

	contacts := e.contactsSchema()
	ce, ceRequired := e.contactExtensionsSchema()
	if ceRequired {
		required = append(required, "contact_extensions")
	}

	ackProps, ackRequired := map[string]any{}, []any{}
	for _, a := range e.Acknowledgements {
		ackProps[a.Name] = map[string]any{"type": "boolean", "const": true, "description": a.Description}
		if a.Required {
			ackRequired = append(ackRequired, a.Name)
		}
	}
	acks := closedObject("What the user accepts to register under "+dot+"; each member, when present, must be true.", ackProps, ackRequired)
	if len(ackRequired) > 0 {
		required = append(required, "acknowledgements")
	}

	return map[string]any{
		"$schema":              SchemaDialect,
		"title":                "Registration of a " + dot + " domain",
		"description":          "The body of POST /registrations for a domain name under " + dot + ".",
		"type":                 "object",
		"additionalProperties": false,
		"required":             required,
		"properties": map[string]any{
			"domain_name": map[string]any{
				"type": "string", "minLength": 1, "maxLength": 253,
				"description": "The domain name to register, under " + dot + ", in Unicode or punycode form.",
			},
			"years": map[string]any{
				"type": "integer", "minimum": minYears, "maximum": maxYears, "default": minYears,
				"description": "The registration period in years, " + strconv.Itoa(minYears) + " to " + strconv.Itoa(maxYears) + " for " + dot + "; by default the minimum.",
			},
			"auto_renew": map[string]any{
				"type": "boolean", "default": false,
				"description": "Renew automatically before expiry, charging the account.",
			},
			"privacy_mode": map[string]any{
				"type": "string", "enum": []any{string(PrivacyRedaction), string(PrivacyOff)}, "default": string(PrivacyRedaction),
				"description": "WHOIS privacy: redaction (the default) or off.",
			},
			"contacts":           closedObject("The contacts of the registration. Without a registrant, the account's default contact is used.", contacts, nil),
			"contact_extensions": ce,
			"acknowledgements":   acks,
			"nameservers":        NameserversSchema(),
		},
		"$defs": map[string]any{"contact": ContactSchema()},
	}
}

// NameserversSchema is the nameservers member (ours) of a registration
// body: MinNameservers to MaxNameservers host names, no two alike. The
// host-name rules are domainname's (ValidateNameservers applies them
// after the schema): a schema cannot state IDNA.
func NameserversSchema() map[string]any {
	return map[string]any{
		"type": "array", "minItems": MinNameservers, "maxItems": MaxNameservers, "uniqueItems": true,
		"items": map[string]any{"type": "string", "minLength": 1, "maxLength": 253},
		"description": "Ours: the name servers of the domain, " + strconv.Itoa(MinNameservers) + " to " + strconv.Itoa(MaxNameservers) +
			" host names (ns1.example.net). Without them, the registry's default name servers. None may be inside the domain itself: its glue host can be created only once the domain exists.",
	}
}

// contactsSchema is the contacts member of e's request bodies: the roles
// e accepts, each a contact.
func (e Extension) contactsSchema() map[string]any {
	contacts := map[string]any{}
	for _, role := range e.Roles() {
		contacts[role] = map[string]any{
			"$ref":        "#/$defs/contact",
			"description": "The " + role + " contact." + roleNote(role),
		}
	}
	return contacts
}

// contactExtensionsSchema is the contact_extensions member of e's request
// bodies, and whether the body must have it.
func (e Extension) contactExtensionsSchema() (schema map[string]any, required bool) {
	props, req := map[string]any{}, []any{}
	for _, f := range e.ContactExtensions {
		p := map[string]any{"type": f.Type, "description": f.Description}
		if len(f.Enum) > 0 {
			enum := make([]any, len(f.Enum))
			for i, v := range f.Enum {
				enum[i] = v
			}
			p["enum"] = enum
		}
		props[f.Name] = p
		if f.Required {
			req = append(req, f.Name)
		}
	}
	return closedObject("Registry-specific values of the registrant for ."+e.Name+".", props, req), len(req) > 0
}

// Base64Pattern is RFC 4648 section 4 base64: the standard alphabet, with
// padding, no line breaks; at least one group.
const Base64Pattern = `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$`

// AuthCodeRequired reports whether a transfer of a domain under e needs an
// auth code: every extension but the UK's (Cloudflare's API reference:
// .uk transfers are approved by a tag change at the losing registrar).
func (e Extension) AuthCodeRequired() bool { return e.TLD() != "uk" }

// TransferSchema returns the JSON Schema (2020-12) of the body of
// POST /registrations/{domain_name}/transfer-in for a domain under e, as
// Cloudflare's API reference describes it: auth_code (base64 per RFC 4648
// section 4; required except for the UK's extensions), auto_renew,
// privacy_mode, the contact roles e accepts and e's contact_extensions.
// Every object is closed. Like RegistrationSchema it is built from plain
// values, so it always encodes to the same bytes.
func (e Extension) TransferSchema() map[string]any {
	dot := "." + e.Name
	var required []any
	authCode := map[string]any{
		"type": "string", "minLength": 4, "pattern": Base64Pattern, "contentEncoding": "base64",
		"description": "The authorization (EPP) code from the current registrar, base64-encoded per RFC 4648 section 4 " +
			"(standard alphabet, padded, no line breaks).",
	}
	if e.AuthCodeRequired() {
		required = append(required, "auth_code")
	} else {
		authCode["description"] = authCode["description"].(string) + " Not needed for " + dot + ": the losing registrar releases the domain."
	}
	ce, ceRequired := e.contactExtensionsSchema()
	if ceRequired {
		required = append(required, "contact_extensions")
	}
	sch := map[string]any{
		"$schema":              SchemaDialect,
		"title":                "Transfer of a " + dot + " domain",
		"description":          "The body of POST /registrations/{domain_name}/transfer-in for a domain name under " + dot + ".",
		"type":                 "object",
		"additionalProperties": false,
		"properties": map[string]any{
			"auth_code": authCode,
			"auto_renew": map[string]any{
				"type": "boolean", "default": false,
				"description": "Renew automatically before expiry once transferred, charging the account.",
			},
			"privacy_mode": map[string]any{
				"type": "string", "enum": []any{string(PrivacyRedaction), string(PrivacyOff)}, "default": string(PrivacyRedaction),
				"description": "WHOIS privacy once transferred: redaction (the default) or off.",
			},
			"contacts":           closedObject("The contacts of the transferred registration. Without a registrant, the account's default contact is used.", e.contactsSchema(), nil),
			"contact_extensions": ce,
		},
		"$defs": map[string]any{"contact": ContactSchema()},
	}
	if len(required) > 0 {
		sch["required"] = required
	}
	return sch
}

func roleNote(role string) string {
	if role == RoleRegistrant {
		return " Without it, the account's default contact is the registrant."
	}
	return ""
}

// closedObject is an object schema that allows only props.
func closedObject(description string, props map[string]any, required []any) map[string]any {
	o := map[string]any{"type": "object", "additionalProperties": false, "properties": props, "description": description}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// text is a string schema of a single line of min to max characters; a
// required one (min > 0) must not be blank.
func text(minLen, maxLen int, description string) map[string]any {
	s := map[string]any{"type": "string", "maxLength": maxLen, "description": description,
		"allOf": []any{map[string]any{"pattern": NoControlPattern, "description": "A single line: no control characters or line separators " +
			"(U+0000 to U+001F, U+007F to U+009F including U+0085 NEL, U+2028, U+2029)."}}}
	if minLen > 0 {
		s["minLength"] = minLen
		s["pattern"] = NotBlankPattern
	}
	return s
}

// ContactSchema is the shape of a contact, with the limits registries
// apply (RFC 5733). It is the only statement of those rules.
func ContactSchema() map[string]any {
	address := closedObject("The postal address.", map[string]any{
		"street":      text(1, 255, "Street address, including the building or suite number."),
		"city":        text(1, 255, "City or locality."),
		"state":       text(1, 255, "State, province or region; the standard abbreviation where there is one (TX, ON)."),
		"postal_code": text(1, 16, "Postal or ZIP code."),
		"country_code": map[string]any{
			"type": "string", "pattern": CountryCodePattern,
			"description": "ISO 3166-1 alpha-2 country code (US, GB); stored in upper case.",
		},
	}, []any{"street", "city", "state", "postal_code", "country_code"})
	postal := closedObject("The contact's name and postal address.", map[string]any{
		"name":         text(1, 255, "The full name, including the family name where there is one: Ada Lovelace."),
		"organization": text(0, 255, "The organization; empty or absent for an individual."),
		"address":      address,
	}, []any{"name", "address"})
	return closedObject("A contact: sent to the registry and, depending on the extension and the privacy mode, published in WHOIS.", map[string]any{
		"email": map[string]any{"type": "string", "format": "email", "pattern": EmailDomainPattern, "minLength": 1, "maxLength": 254,
			"description": "Email address with a domain name (not an address literal such as [192.0.2.1]): ada@example.com."},
		"phone": map[string]any{"type": "string", "minLength": 1, "pattern": E164Pattern, "description": "Phone number in E.164 form +CC.NUMBER: +44.2071234567."},
		"fax": map[string]any{
			"type": "string", "pattern": OptionalE164Pattern,
			"description": "Fax number in E.164 form +CC.NUMBER; empty or absent for none.",
		},
		"postal_info": postal,
	}, []any{"email", "phone", "postal_info"})
}
