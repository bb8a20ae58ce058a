// Package schema applies the JSON Schemas the registrar publishes to the
// request bodies they describe. The registration schema of an extension
// (registrar.Extension.RegistrationSchema, served by GET
// extensions/{ext}) is the one statement of the rules of a registration
// body's fields; this package turns its violations into one
// registrar.FieldError per field, with its JSON Pointer and a message a
// user can act on. Rules a schema cannot state (domain name syntax,
// premium names, availability) stay with their own code.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Validator validates bodies against schemas it compiles on first use and
// keeps (by their JSON encoding, so the same extension with other terms,
// as a registries file may give, is another schema). Its zero value is
// ready; it is safe for concurrent use.
type Validator struct {
	mu sync.Mutex
	m  map[string]*compiled
}

type compiled struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

// get returns the compiled form of the schema doc.
func (v *Validator) get(doc map[string]any) (*jsonschema.Schema, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.m == nil {
		v.m = make(map[string]*compiled)
	}
	c := v.m[string(raw)]
	if c == nil {
		c = &compiled{}
		v.m[string(raw)] = c
	}
	v.mu.Unlock()
	c.once.Do(func() { c.sch, c.err = compile(raw) })
	return c.sch, c.err
}

// compile compiles a schema (JSON Schema 2020-12, checked against its
// meta-schema), asserting formats: "email" is a rule, not a note.
func compile(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	comp.AssertFormat()
	const loc = "urn:openregistrar:schema"
	if err := comp.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return comp.Compile(loc)
}

// Registration validates a registration body (raw JSON, already decoded
// strictly) against the registration schema of ext, and returns one
// FieldError per violation, sorted by pointer. An error means the schema
// could not be used.
func (v *Validator) Registration(ext registrar.Extension, raw []byte) ([]registrar.FieldError, error) {
	sch, err := v.get(ext.RegistrationSchema())
	if err != nil {
		return nil, fmt.Errorf("registration schema of .%s: %w", ext.Name, err)
	}
	errs, err := validate(sch, ext, raw)
	// In the order of the body's members as the API documents them, so
	// that the first error is about the first field.
	slices.SortStableFunc(errs, func(a, b registrar.FieldError) int { return memberRank(a.Pointer) - memberRank(b.Pointer) })
	return errs, err
}

// Transfer validates a transfer-in body (raw JSON, already decoded
// strictly) against the transfer schema of ext, as Registration does.
func (v *Validator) Transfer(ext registrar.Extension, raw []byte) ([]registrar.FieldError, error) {
	sch, err := v.get(ext.TransferSchema())
	if err != nil {
		return nil, fmt.Errorf("transfer schema of .%s: %w", ext.Name, err)
	}
	errs, err := validate(sch, ext, raw)
	slices.SortStableFunc(errs, func(a, b registrar.FieldError) int { return memberRank(a.Pointer) - memberRank(b.Pointer) })
	return errs, err
}

var members = []string{"auth_code", "domain_name", "years", "auto_renew", "privacy_mode", "contacts", "contact_extensions", "acknowledgements"}

// memberRank is the place of the top-level member of a pointer among
// members; unknown members come last.
func memberRank(ptr string) int {
	name, _, _ := strings.Cut(strings.TrimPrefix(ptr, "/"), "/")
	if i := slices.Index(members, name); i >= 0 {
		return i
	}
	return len(members)
}

// Contact validates a contact (raw JSON) against the contact schema of
// the registration schemas, with pointers relative to the contact.
func (v *Validator) Contact(raw []byte) ([]registrar.FieldError, error) {
	sch, err := v.get(map[string]any{"$schema": registrar.SchemaDialect, "$ref": "#/$defs/contact",
		"$defs": map[string]any{"contact": registrar.ContactSchema()}})
	if err != nil {
		return nil, fmt.Errorf("contact schema: %w", err)
	}
	return validate(sch, registrar.Extension{}, raw)
}

func validate(sch *jsonschema.Schema, ext registrar.Extension, raw []byte) ([]registrar.FieldError, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	return violations(ve, ext), nil
}

var schemaPrinter = message.NewPrinter(language.English)

// violations turns a validation error tree into one FieldError per
// violation: a missing member and an unexpected member each count once,
// with the pointer of that member (RFC 6901); other failed keywords count
// once at the value they are about, the most telling one when a value
// fails several (an empty email is "must not be empty", not also "must be
// a plain email address").
func violations(ve *jsonschema.ValidationError, ext registrar.Extension) []registrar.FieldError {
	type violation struct {
		registrar.FieldError
		rank int // lower says more
	}
	var out []violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := jsonPointer(e.InstanceLocation)
		rank := 0
		add := func(ptr, msg string) {
			out = append(out, violation{registrar.FieldError{Pointer: ptr, Message: msg}, rank})
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				add(at+"/"+escapePointer(m), "is required"+requiredNote(at, ext))
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				add(at+"/"+escapePointer(p), notAllowed(at, ext))
			}
		case *kind.Type:
			add(at, "must be "+article(strings.Join(k.Want, " or "))+", not "+k.Got)
		case *kind.Enum:
			want := make([]string, len(k.Want))
			for i, v := range k.Want {
				want[i] = displayValue(v)
			}
			add(at, "must be one of "+strings.Join(want, ", "))
		case *kind.Const:
			add(at, "must be "+displayValue(k.Want)+constNote(at))
		case *kind.Minimum:
			add(at, "must be at least "+ratString(k.Want)+rangeNote(at, ext))
		case *kind.Maximum:
			add(at, "must be at most "+ratString(k.Want)+rangeNote(at, ext))
		case *kind.MinLength:
			rank = 1
			if k.Want == 1 {
				add(at, "must not be empty")
			} else {
				add(at, "must be at least "+strconv.Itoa(k.Want)+" characters")
			}
		case *kind.MaxLength:
			rank = 2
			add(at, "must be at most "+strconv.Itoa(k.Want)+" characters")
		case *kind.Pattern:
			rank = 3
			if msg, ok := registrar.PatternMessages[k.Want]; ok {
				add(at, msg)
			} else {
				add(at, "must match the pattern "+k.Want)
			}
		case *kind.Format:
			rank = 3
			if msg, ok := registrar.FormatMessages[k.Want]; ok {
				add(at, msg)
			} else {
				add(at, "must be in the format "+k.Want)
			}
		default:
			add(at, e.ErrorKind.LocalizedString(schemaPrinter))
		}
	}
	walk(ve)
	slices.SortFunc(out, func(a, b violation) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return strings.Compare(a.Message, b.Message)
	})
	var errs []registrar.FieldError
	for i, v := range out {
		if i == 0 || v.Pointer != out[i-1].Pointer {
			errs = append(errs, v.FieldError)
		}
	}
	return errs
}

// requiredNote says why a member is required where the extension is the
// reason.
func requiredNote(at string, ext registrar.Extension) string {
	if ext.Name == "" {
		return ""
	}
	switch at {
	case "", "/contact_extensions", "/acknowledgements":
		return " to register under ." + ext.Name
	}
	return ""
}

// notAllowed is the message for an unexpected member under at, listing
// what the extension accepts there.
func notAllowed(at string, ext registrar.Extension) string {
	var allowed []string
	what := "a member"
	switch at {
	case "/contact_extensions":
		what = "a contact extension of ." + ext.Name
		for _, f := range ext.ContactExtensions {
			allowed = append(allowed, f.Name)
		}
	case "/acknowledgements":
		what = "an acknowledgement of ." + ext.Name
		for _, a := range ext.Acknowledgements {
			allowed = append(allowed, a.Name)
		}
	case "/contacts":
		what = "a contact role ." + ext.Name + " accepts"
		allowed = ext.Roles()
	default:
		return "is not allowed here"
	}
	if len(allowed) == 0 {
		return "is not " + what + ": it has none"
	}
	slices.Sort(allowed)
	return "is not " + what + "; allowed: " + strings.Join(allowed, ", ")
}

func constNote(at string) string {
	if strings.HasPrefix(at, "/acknowledgements/") {
		return ": the registration needs this acknowledgement"
	}
	return ""
}

func rangeNote(at string, ext registrar.Extension) string {
	if at == "/years" {
		minYears, maxYears := ext.Years()
		return fmt.Sprintf(" (.%s registers for %d to %d years)", ext.Name, minYears, maxYears)
	}
	return ""
}

// article prefixes a JSON type name with "a" or "an".
func article(typ string) string {
	if typ != "" && strings.ContainsRune("aeiou", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

func displayValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	default:
		return fmt.Sprint(v)
	}
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(6)
}

// jsonPointer makes an RFC 6901 pointer of unescaped reference tokens.
func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// escapePointer escapes a reference token (RFC 6901 section 3).
func escapePointer(token string) string { return pointerEscaper.Replace(token) }
