package httpapi

import (
	"bytes"
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

// schemaCache holds the compiled registration schema of each extension of
// one catalog, compiled on first use. Its zero value is ready; it is safe
// for concurrent use.
type schemaCache struct {
	mu sync.Mutex
	m  map[string]*compiledSchema
}

type compiledSchema struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

// get returns the compiled registration schema of ext in c.
func (sc *schemaCache) get(c *registrar.Catalog, ext string) (*jsonschema.Schema, error) {
	sc.mu.Lock()
	if sc.m == nil {
		sc.m = make(map[string]*compiledSchema)
	}
	cs := sc.m[ext]
	if cs == nil {
		cs = &compiledSchema{}
		sc.m[ext] = cs
	}
	sc.mu.Unlock()
	cs.once.Do(func() { cs.sch, cs.err = compileRegistrationSchema(c, ext) })
	return cs.sch, cs.err
}

// compileRegistrationSchema compiles the registration schema of ext in c
// (JSON Schema 2020-12, checked against its meta-schema).
func compileRegistrationSchema(c *registrar.Catalog, ext string) (*jsonschema.Schema, error) {
	raw, ok := c.RegistrationSchema(ext)
	if !ok {
		return nil, fmt.Errorf("no registration schema for .%s", ext)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("registration schema of .%s: %w", ext, err)
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	loc := "urn:openregistrar:registration-schema:" + ext
	if err := comp.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("registration schema of .%s: %w", ext, err)
	}
	sch, err := comp.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("registration schema of .%s: %w", ext, err)
	}
	return sch, nil
}

// checkSchema validates a registration body (the raw JSON) against the
// registration schema of ext, and returns one FieldError per violation,
// sorted by pointer. An error means the schema could not be used.
func (s *Server) checkSchema(ext registrar.Extension, raw []byte) ([]registrar.FieldError, error) {
	sch, err := s.schemas.get(s.catalog(), ext.Name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err // decoded strictly before: cannot happen
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

// catalog is the server's catalog, or the default one.
func (s *Server) catalog() *registrar.Catalog {
	if s.Catalog != nil {
		return s.Catalog
	}
	return registrar.DefaultCatalog()
}

var schemaPrinter = message.NewPrinter(language.English)

// violations turns a validation error tree into one FieldError per
// violation: a missing member and an unexpected member each count once,
// with the pointer of that member (RFC 6901); every other failed keyword
// counts once at the value it is about.
func violations(ve *jsonschema.ValidationError, ext registrar.Extension) []registrar.FieldError {
	var out []registrar.FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := jsonPointer(e.InstanceLocation)
		add := func(ptr, msg string) { out = append(out, registrar.FieldError{Pointer: ptr, Message: msg}) }
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
			if k.Want == 1 {
				add(at, "must not be empty")
			} else {
				add(at, "must be at least "+strconv.Itoa(k.Want)+" characters")
			}
		case *kind.MaxLength:
			add(at, "must be at most "+strconv.Itoa(k.Want)+" characters")
		case *kind.Pattern:
			add(at, "must match the pattern "+k.Want)
		default:
			add(at, e.ErrorKind.LocalizedString(schemaPrinter))
		}
	}
	walk(ve)
	slices.SortFunc(out, func(a, b registrar.FieldError) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.Compact(out)
}

// requiredNote says why a member is required where the extension is the
// reason.
func requiredNote(at string, ext registrar.Extension) string {
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

// mergeFieldErrors adds to errs the schema's violations that are not about
// a field errs already reports (the same member, one inside it, or one
// containing it): one item per violation, the more specific message first.
func mergeFieldErrors(errs, schemaErrs []registrar.FieldError) []registrar.FieldError {
	overlaps := func(a, b string) bool {
		return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
	}
	n := len(errs)
	for _, se := range schemaErrs {
		if !slices.ContainsFunc(errs[:n], func(e registrar.FieldError) bool { return overlaps(e.Pointer, se.Pointer) }) {
			errs = append(errs, se)
		}
	}
	return errs
}
