package registrar

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// catalogFile is the JSON form of a catalog (catalog.json):
//
//	{"extensions": [
//	  {"name": "us", "support": "api", "min_years": 1, "max_years": 10,
//	   "currency": "USD", "registration_price": "8.50", "renewal_price": "8.50",
//	   "created_at": "2026-11-26T00:00:00Z", "updated_at": "2026-11-26T00:00:00Z",
//	   "contact_roles": ["registrant", "administrator", "technical", "billing"],
//	   "contact_extensions": [{"name": "nexus_category", "type": "string", "required": true,
//	                           "enum": ["C11", "C12"], "description": "..."}],
//	   "acknowledgements": [{"name": "hsts_preload", "required": true, "description": "..."}]}
//	]}
type catalogFile struct {
	Extensions []extensionFile `json:"extensions"`
}

type extensionFile struct {
	Name              string            `json:"name"`
	Support           *Support          `json:"support"`
	MinYears          int               `json:"min_years"`
	MaxYears          int               `json:"max_years"`
	Currency          string            `json:"currency"`
	RegistrationPrice string            `json:"registration_price"`
	RenewalPrice      string            `json:"renewal_price"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	ContactRoles      []string          `json:"contact_roles"`
	ContactExtensions []Field           `json:"contact_extensions"`
	Acknowledgements  []Acknowledgement `json:"acknowledgements"`
}

var (
	labelRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	memberRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	// registryKeyRE is a key of a key=value pair (NeuLevel unspec).
	registryKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)
	currencyRE    = regexp.MustCompile(`^[A-Z]{3}$`)
	priceRE       = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,2})?$`)
	maxEnumSize   = 100
)

// LoadCatalog reads a catalog in the JSON form of the embedded
// catalog.json (see DefaultCatalog), strictly: unknown members are errors,
// and every problem is reported, naming the extension and the member.
// Defaults: min_years 1, max_years 10, updated_at the created_at, every
// contact role. Names must be in their ASCII (punycode) form, without a
// leading dot. Extensions registrable through the API ("support": "api")
// need a currency and both prices; the others may omit them.
func LoadCatalog(r io.Reader) (*Catalog, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f catalogFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("catalog: unexpected data after the catalog object")
	}
	if len(f.Extensions) == 0 {
		return nil, errors.New("catalog: no extensions")
	}
	var errs []error
	seen := make(map[string]bool, len(f.Extensions))
	exts := make([]Extension, 0, len(f.Extensions))
	for i, ef := range f.Extensions {
		at := fmt.Sprintf("catalog: extensions[%d]", i)
		if ef.Name != "" {
			at += " (." + ef.Name + ")"
		}
		bad := func(member, format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s: %s", at, member, fmt.Sprintf(format, args...)))
		}
		e, ok := ef.extension(bad)
		if !ok {
			continue
		}
		if seen[e.Name] {
			bad("name", "listed twice")
			continue
		}
		seen[e.Name] = true
		exts = append(exts, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewCatalog(exts...), nil
}

// extension checks one entry and converts it, reporting each problem with
// bad; ok is false when there was any.
func (ef *extensionFile) extension(bad func(member, format string, args ...any)) (e Extension, ok bool) {
	ok = true
	fail := func(member, format string, args ...any) {
		ok = false
		bad(member, format, args...)
	}
	e.Name = ef.Name
	if !validExtensionName(ef.Name) {
		fail("name", "%q is not an extension in lower-case ASCII (punycode) form without a leading dot, such as \"co.uk\"", ef.Name)
	}
	if ef.Support == nil {
		fail("support", `is required: "api", "dashboard" or "frozen"`)
	} else {
		e.Support = *ef.Support
	}
	e.MinYears, e.MaxYears = ef.MinYears, ef.MaxYears
	if e.MinYears == 0 {
		e.MinYears = 1
	}
	if e.MaxYears == 0 {
		e.MaxYears = 10
	}
	if e.MinYears < 1 || e.MaxYears > 10 || e.MinYears > e.MaxYears {
		fail("min_years", "years must satisfy 1 <= min_years <= max_years <= 10")
	}
	priced := ef.RegistrationPrice != "" || ef.RenewalPrice != "" || e.Support == SupportAPI
	e.Currency = ef.Currency
	if priced || ef.Currency != "" {
		if !ValidCurrency(ef.Currency) {
			fail("currency", "must be an ISO 4217 code such as USD")
		}
	}
	if priced {
		for _, p := range []struct {
			member, v string
			cents     *int64
		}{{"registration_price", ef.RegistrationPrice, &e.RegistrationCents}, {"renewal_price", ef.RenewalPrice, &e.RenewalCents}} {
			c, ok := ParseCents(p.v)
			if !ok {
				fail(p.member, "must be a decimal amount such as \"10.44\"")
				continue
			}
			*p.cents = c
		}
	}
	var err error
	if e.CreatedAt, err = time.Parse(time.RFC3339, ef.CreatedAt); err != nil {
		fail("created_at", "must be an RFC 3339 time such as \"2026-11-26T00:00:00Z\"")
	}
	e.UpdatedAt = e.CreatedAt
	if ef.UpdatedAt != "" {
		if e.UpdatedAt, err = time.Parse(time.RFC3339, ef.UpdatedAt); err != nil {
			fail("updated_at", "must be an RFC 3339 time such as \"2026-11-26T00:00:00Z\"")
		} else if e.UpdatedAt.Before(e.CreatedAt) {
			fail("updated_at", "is before created_at")
		}
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	if ef.ContactRoles != nil {
		for _, role := range ef.ContactRoles {
			if !slices.Contains(ContactRoles, role) {
				fail("contact_roles", "unknown role %q: want some of %s", role, strings.Join(ContactRoles, ", "))
			}
		}
		if !slices.Contains(ef.ContactRoles, RoleRegistrant) {
			fail("contact_roles", "must include registrant")
		}
		// Stored in the documented order, each once.
		for _, role := range ContactRoles {
			if slices.Contains(ef.ContactRoles, role) {
				e.ContactRoles = append(e.ContactRoles, role)
			}
		}
	}
	names := map[string]bool{}
	for j, fd := range ef.ContactExtensions {
		at := fmt.Sprintf("contact_extensions[%d]", j)
		if !memberRE.MatchString(fd.Name) || names[fd.Name] {
			fail(at+".name", "%q must be a unique snake_case name", fd.Name)
		}
		names[fd.Name] = true
		switch fd.Type {
		case "string":
			vals := map[string]bool{}
			for _, v := range fd.Enum {
				if v == "" || vals[v] {
					fail(at+".enum", "values must be unique and not empty")
				}
				vals[v] = true
			}
			if len(fd.Enum) > maxEnumSize {
				fail(at+".enum", "lists more than %d values", maxEnumSize)
			}
		case "boolean":
			if fd.Enum != nil {
				fail(at+".enum", "is only for strings")
			}
		default:
			fail(at+".type", `must be "string" or "boolean"`)
		}
		if strings.TrimSpace(fd.Description) == "" {
			fail(at+".description", "is required")
		}
		if fd.RegistryKey != "" && !registryKeyRE.MatchString(fd.RegistryKey) {
			fail(at+".registry_key", "%q must be letters and digits, starting with a letter", fd.RegistryKey)
		}
	}
	e.ContactExtensions = ef.ContactExtensions
	names = map[string]bool{}
	for j, a := range ef.Acknowledgements {
		at := fmt.Sprintf("acknowledgements[%d]", j)
		if !memberRE.MatchString(a.Name) || names[a.Name] {
			fail(at+".name", "%q must be a unique snake_case name", a.Name)
		}
		names[a.Name] = true
		if strings.TrimSpace(a.Description) == "" {
			fail(at+".description", "is required")
		}
	}
	e.Acknowledgements = ef.Acknowledgements
	return e, ok
}

// validExtensionName reports whether s is an extension in lower-case ASCII
// form: dot-separated DNS labels, no leading or trailing dot.
func validExtensionName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !labelRE.MatchString(label) {
			return false
		}
	}
	return true
}
