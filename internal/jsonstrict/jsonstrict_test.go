package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// short abbreviates a body for failure messages.
func short(s string) string {
	if len(s) > 100 {
		return s[:97] + "..."
	}
	return s
}

// nested returns a body whose "extra" member holds depth nested arrays.
func nested(depth int) string {
	return `{"extra":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
}

// manyDomains returns a body with n domain names.
func manyDomains(n int) string {
	var b strings.Builder
	b.WriteString(`{"domains":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"a.example"`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Error
	}{
		// Whole-body problems.
		{"empty body", ``, &Error{Message: "request body is empty"}},
		{"whitespace body", " \r\n\t", &Error{Message: "request body is empty"}},
		{"truncated object", `{"years": 1`, &Error{Message: "invalid JSON: unexpected end of input"}},
		{"truncated string", `{"contacts": {"registrant": {"email": "a@`, &Error{Message: "invalid JSON: unexpected end of input"}},
		{"missing value", `{"years": }`, &Error{Message: "invalid JSON: invalid character '}' looking for beginning of value at byte offset 10"}},
		{"trailing comma", `{"years": 1,}`, &Error{Message: "invalid JSON: invalid character '}' looking for beginning of object key string at byte offset 12"}},
		{"bad literal", `{"auto_renew": tru}`, &Error{Message: "invalid JSON: invalid character '}' in literal true (expecting 'e') at byte offset 18"}},
		{"leading zero", `{"years": 01}`, &Error{Message: "invalid JSON: invalid character '1' after object key:value pair at byte offset 11"}},
		{"single quotes", `{'years': 1}`, &Error{Message: "invalid JSON: invalid character '\\'' looking for beginning of object key string at byte offset 1"}},
		{"trailing object", `{} {}`, &Error{Message: "trailing data after the JSON value"}},
		{"trailing garbage", `{}x`, &Error{Message: "trailing data after the JSON value"}},
		{"trailing bracket", `{"years": 1}]`, &Error{Message: "trailing data after the JSON value"}},
		{"trailing after scalar", `1x`, &Error{Message: "trailing data after the JSON value"}},
		{"top-level array", `[]`, &Error{Message: "expected object, got array"}},
		{"top-level string", `"x"`, &Error{Message: "expected object, got string"}},
		{"top-level null", `null`, &Error{Message: "must not be null"}},
		{"too many tokens", manyDomains(maxTokens), &Error{Message: "request body too complex: more than 10000 JSON tokens"}},

		// Unknown members.
		{"unknown field", `{"years": 1, "foo": 2}`, &Error{Pointer: "/foo", Message: `unknown field "foo"`}},
		{"unknown nested field", `{"contacts": {"registrant": {"email": "a@b.example", "nickname": "x"}}}`,
			&Error{Pointer: "/contacts/registrant/nickname", Message: `unknown field "nickname"`}},
		{"field names are case-sensitive", `{"Years": 1}`, &Error{Pointer: "/Years", Message: `unknown field "Years"`}},
		{"json dash field is unknown", `{"Secret": "s"}`, &Error{Pointer: "/Secret", Message: `unknown field "Secret"`}},
		{"unexported field is unknown", `{"internal": 1}`, &Error{Pointer: "/internal", Message: `unknown field "internal"`}},
		{"unknown field name is escaped", `{"a/b~c": 1}`, &Error{Pointer: "/a~1b~0c", Message: `unknown field "a/b~c"`}},
		{"unknown field inside array element", `{"nameservers": [{"host": "ns1.example"}, {"hostname": "x"}]}`,
			&Error{Pointer: "/nameservers/1/hostname", Message: `unknown field "hostname"`}},

		// Wrong JSON types.
		{"string for integer", `{"years": "1"}`, &Error{Pointer: "/years", Message: "expected integer, got string"}},
		{"bool for integer", `{"years": true}`, &Error{Pointer: "/years", Message: "expected integer, got boolean"}},
		{"number for string", `{"contacts": {"registrant": {"phone": 15551234}}}`,
			&Error{Pointer: "/contacts/registrant/phone", Message: "expected string, got number"}},
		{"deep wrong type", `{"contacts": {"registrant": {"postal_info": {"address": {"city": 12}}}}}`,
			&Error{Pointer: "/contacts/registrant/postal_info/address/city", Message: "expected string, got number"}},
		{"array for object", `{"contacts": []}`, &Error{Pointer: "/contacts", Message: "expected object, got array"}},
		{"object for array", `{"domains": {}}`, &Error{Pointer: "/domains", Message: "expected array, got object"}},
		{"string for bool", `{"auto_renew": "true"}`, &Error{Pointer: "/auto_renew", Message: "expected boolean, got string"}},
		{"string for float", `{"price": "9.99"}`, &Error{Pointer: "/price", Message: "expected number, got string"}},
		{"wrong array element", `{"contacts": {"registrant": {"postal_info": {"address": {"street": ["1 Main St", false]}}}}}`,
			&Error{Pointer: "/contacts/registrant/postal_info/address/street/1", Message: "expected string, got boolean"}},
		{"promoted embedded field", `{"request_id": 7}`, &Error{Pointer: "/request_id", Message: "expected string, got number"}},

		// Numbers.
		{"fraction for integer", `{"years": 1.5}`, &Error{Pointer: "/years", Message: "expected integer, got 1.5"}},
		{"exponent for integer", `{"years": 1e2}`, &Error{Pointer: "/years", Message: "expected integer, got 1e2"}},
		{"huge exponent for integer", `{"years": 1e400}`, &Error{Pointer: "/years", Message: "expected integer, got 1e400"}},
		{"integer overflow", `{"years": 9223372036854775808}`,
			&Error{Pointer: "/years", Message: "integer 9223372036854775808 out of range [-9223372036854775808, 9223372036854775807]"}},
		{"uint8 overflow", `{"privacy_level": 300}`, &Error{Pointer: "/privacy_level", Message: "integer 300 out of range [0, 255]"}},
		{"negative uint8", `{"privacy_level": -1}`, &Error{Pointer: "/privacy_level", Message: "integer -1 out of range [0, 255]"}},
		{"float overflow", `{"price": 1e400}`, &Error{Pointer: "/price", Message: "number 1e400 out of range"}},
		{"int16 map value overflow", `{"quotas": {"dns": 70000}}`, &Error{Pointer: "/quotas/dns", Message: "integer 70000 out of range [-32768, 32767]"}},
		{"number in any out of range", `{"extra": {"a": [1, 1e400]}}`, &Error{Pointer: "/extra/a/1", Message: "number 1e400 out of range"}},
		{"string option not a string", `{"serial": 12}`, &Error{Pointer: "/serial", Message: "expected string, got number"}},
		{"string option not an integer", `{"serial": "1.5"}`, &Error{Pointer: "/serial", Message: "expected integer, got 1.5"}},
		{"string option garbage", `{"serial": " 12"}`, &Error{Pointer: "/serial", Message: "expected string containing an integer"}},

		// Arrays.
		{"domain array element", `{"domains": ["a.example", "b.example", 3]}`,
			&Error{Pointer: "/domains/2", Message: "domain name must be a string"}},
		{"domain rejected by UnmarshalJSON", `{"domains": ["a.example", "b.example", "c d", "e.example"]}`,
			&Error{Pointer: "/domains/2", Message: `invalid domain name "c d"`}},
		{"go array too long", `{"pair": ["a", "b", "c"]}`, &Error{Pointer: "/pair/2", Message: "too many elements: at most 2 allowed"}},
		{"text unmarshaler element", `{"nameservers": [{"host": "ns1.example", "addrs": ["192.0.2.1", "192.0.2.999"]}]}`,
			&Error{Pointer: "/nameservers/0/addrs/1", Message: `ParseAddr("192.0.2.999"): IPv4 field has value >255`}},
		{"text unmarshaler wants string", `{"nameservers": [{"host": "ns1.example", "addrs": [3232235777]}]}`,
			&Error{Pointer: "/nameservers/0/addrs/0", Message: "expected string, got number"}},
		{"invalid base64", `{"hash": "not base64!"}`, &Error{Pointer: "/hash", Message: "invalid base64 data"}},

		// Maps.
		{"map value wrong type", `{"quotas": {"dns": "ten"}}`, &Error{Pointer: "/quotas/dns", Message: "expected integer, got string"}},
		{"map key is escaped", `{"quotas": {"a/b": 1, "~x": "y"}}`, &Error{Pointer: "/quotas/~0x", Message: "expected integer, got string"}},
		{"map of pointers wrong type", `{"attrs": {"a": null, "b": 2}}`, &Error{Pointer: "/attrs/b", Message: "expected string, got number"}},
		{"map text key rejected", `{"labels": {"": "x"}}`, &Error{Pointer: "/labels/", Message: "invalid key: label must be 1 to 32 bytes"}},
		{"map text keys collide", `{"labels": {"env": "prod", "ENV": "dev"}}`,
			&Error{Pointer: "/labels/ENV", Message: `duplicate key "ENV" (same as "env")`}},
		{"map int key not a number", `{"ports": {"http": true}}`, &Error{Pointer: "/ports/http", Message: "invalid key: expected integer in canonical form"}},
		{"map int key not canonical", `{"ports": {"80": true, "080": true}}`, &Error{Pointer: "/ports/080", Message: "invalid key: expected integer in canonical form"}},

		// Duplicates.
		{"duplicate field", `{"years": 1, "years": 2}`, &Error{Pointer: "/years", Message: `duplicate field "years"`}},
		{"duplicate via escape", `{"years": 1, "\u0079ears": 2}`, &Error{Pointer: "/years", Message: `duplicate field "years"`}},
		{"duplicate nested", `{"contacts": {"registrant": {"email": "a@b.example", "phone": "1", "email": "c@d.example"}}}`,
			&Error{Pointer: "/contacts/registrant/email", Message: `duplicate field "email"`}},
		{"duplicate map key", `{"quotas": {"a": 1, "b": 2, "a": 3}}`, &Error{Pointer: "/quotas/a", Message: `duplicate field "a"`}},
		{"duplicate in large object", `{"extra": {"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":1,"k12":2,"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k3":8}}`,
			&Error{Pointer: "/extra/k3", Message: `duplicate field "k3"`}},
		{"duplicate inside unknown field", `{"foo": {"a": 1, "a": 2}}`, &Error{Pointer: "/foo/a", Message: `duplicate field "a"`}},

		// Null.
		{"null for int", `{"years": null}`, &Error{Pointer: "/years", Message: "must not be null"}},
		{"null for struct", `{"contacts": null}`, &Error{Pointer: "/contacts", Message: "must not be null"}},
		{"null for nested string", `{"contacts": {"registrant": {"email": null}}}`, &Error{Pointer: "/contacts/registrant/email", Message: "must not be null"}},
		{"null in string slice", `{"contacts": {"registrant": {"postal_info": {"address": {"street": [null]}}}}}`,
			&Error{Pointer: "/contacts/registrant/postal_info/address/street/0", Message: "must not be null"}},
		{"null for time", `{"created_at": null}`, &Error{Pointer: "/created_at", Message: "must not be null"}},
		{"null for map value", `{"quotas": {"a": null}}`, &Error{Pointer: "/quotas/a", Message: "must not be null"}},

		// Times.
		{"bad time", `{"not_after": "next tuesday"}`, &Error{Pointer: "/not_after", Message: "expected RFC 3339 date-time string"}},
		{"time not a string", `{"created_at": 1700000000}`, &Error{Pointer: "/created_at", Message: "expected string, got number"}},

		// Encoding and nesting.
		{"invalid UTF-8 in string", "{\"contacts\": {\"registrant\": {\"email\": \"a\xffb@example\"}}}",
			&Error{Pointer: "/contacts/registrant/email", Message: "invalid JSON: invalid UTF-8 in string"}},
		{"invalid UTF-8 in member name", "{\"contacts\": {\"n\xc3\": 1}}", &Error{Pointer: "/contacts", Message: "invalid JSON: invalid UTF-8 in member name"}},
		{"invalid UTF-8 outside strings", "{\"years\": 1\xff}", &Error{Message: "invalid JSON: invalid character 'ÿ' after object key:value pair at byte offset 11"}},
		{"nesting too deep", nested(maxDepth),
			&Error{Pointer: "/extra" + strings.Repeat("/0", maxDepth-1), Message: "nesting too deep: more than 64 levels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Registration
			err := Decode(strings.NewReader(tt.body), &got)
			var gotErr *Error
			if !errors.As(err, &gotErr) || *gotErr != *tt.want {
				t.Errorf("Decode(%s) error = %v, want %v", short(tt.body), err, tt.want)
			}
			if diff := cmp.Diff(Registration{}, got, cmpOpts...); diff != "" {
				t.Errorf("Decode(%s) modified its destination on error (-want +got):\n%s", short(tt.body), diff)
			}
		})
	}
}

func TestDecodeValid(t *testing.T) {
	tru := true
	org := "Example Org"
	notAfter := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		body string
		want Registration
	}{
		{"minimal", `{"years": 1}`, Registration{Years: 1}},
		{"whitespace around value", " \n\t{\"years\": 2}\r\n ", Registration{Years: 2}},
		{"full registration", `{
			"request_id": "req-1",
			"domains": ["Example.COM", "example.net"],
			"years": 2,
			"auto_renew": true,
			"privacy_level": 255,
			"price": 12.5,
			"contacts": {
				"registrant": {
					"postal_info": {
						"name": "Jane Doe",
						"org": "Example Org",
						"address": {"street": ["1 Main St", "Suite 2"], "city": "Zürich", "postal_code": "8000", "country_code": "CH"}
					},
					"email": "jane@example.com",
					"phone": "+41.441234567"
				},
				"tech": null
			},
			"nameservers": [{"host": "ns1.example.net", "addrs": ["192.0.2.1", "2001:db8::1"]}],
			"labels": {"Env": "prod"},
			"quotas": {"a/b": -32768, "~": 32767},
			"ports": {"443": true, "-1": false},
			"extra": {"n": 1e300, "list": [1, "two", null, {"x": false}]},
			"note": null,
			"not_after": "2027-01-02T03:04:05Z",
			"created_at": "2027-01-02T03:04:05Z",
			"serial": "9007199254740993",
			"hash": "AAEC",
			"pair": ["x"],
			"raw": {"any": ["thing"]},
			"attrs": {"a": null, "b": "c"},
			"-": "dash"
		}`, Registration{
			Meta:      Meta{RequestID: "req-1"},
			Domains:   []DomainName{"example.com", "example.net"},
			Years:     2,
			AutoRenew: &tru,
			Privacy:   255,
			Price:     12.5,
			Contacts: Contacts{Registrant: Contact{
				PostalInfo: PostalInfo{Name: "Jane Doe", Org: &org, Address: Address{
					Street: []string{"1 Main St", "Suite 2"}, City: "Zürich", PostalCode: "8000", CountryCode: "CH",
				}},
				Email: "jane@example.com",
				Phone: "+41.441234567",
			}},
			Nameservers: []Nameserver{{Host: "ns1.example.net", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}}},
			Labels:      map[Label]string{"env": "prod"},
			Quotas:      map[string]int16{"a/b": -32768, "~": 32767},
			Ports:       map[int]bool{443: true, -1: false},
			Extra:       map[string]any{"n": 1e300, "list": []any{1.0, "two", nil, map[string]any{"x": false}}},
			Note:        OptionalString{Set: true, Null: true},
			NotAfter:    &notAfter,
			CreatedAt:   notAfter,
			Serial:      9007199254740993,
			Hash:        []byte{0, 1, 2},
			Pair:        [2]string{"x", ""},
			Raw:         json.RawMessage(`{"any": ["thing"]}`),
			Attrs:       map[string]*string{"a": nil, "b": &[]string{"c"}[0]},
			Dash:        "dash",
		}},
		{"nulls for nullable fields", `{"domains": null, "auto_renew": null, "contacts": {"admin": null}, "labels": null, "extra": null, "not_after": null, "hash": null, "raw": null}`,
			Registration{Raw: json.RawMessage("null")}},
		{"escapes", `{"contacts": {"registrant": {"email": "\u0061\ud83d\ude00\"\\\/"}}}`,
			Registration{Contacts: Contacts{Registrant: Contact{Email: "a😀\"\\/"}}}},
		{"bytes as array", `{"hash": [1, 255]}`, Registration{Hash: []byte{1, 255}}},
		{"note value", `{"note": "hi"}`, Registration{Note: OptionalString{Set: true, Value: "hi"}}},
		{"negative zero and exponent float", `{"years": -0, "price": 1E+2}`, Registration{Price: 100}},
		{"maximum tokens", manyDomains(maxTokens - 5), Registration{Domains: manyDomainNames(maxTokens - 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Registration
			if err := Decode(strings.NewReader(tt.body), &got); err != nil {
				t.Fatalf("Decode(%s) error = %v, want %v", short(tt.body), err, nil)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts...); diff != "" {
				t.Errorf("Decode(%s) mismatch (-want +got):\n%s", short(tt.body), diff)
			}
		})
	}
}

func TestDecodeMaximumNesting(t *testing.T) {
	// cmp.Diff is slow on deeply nested values, so compare the encoding.
	body := nested(maxDepth - 1)
	var got Registration
	if err := Decode(strings.NewReader(body), &got); err != nil {
		t.Fatalf("Decode(%s) error = %v, want %v", short(body), err, nil)
	}
	b, err := json.Marshal(got.Extra)
	if want := strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1); err != nil || string(b) != want {
		t.Errorf("Decode(%s) re-encoded = %s, %v, want %s", short(body), short(string(b)), err, short(want))
	}
}

func manyDomainNames(n int) []DomainName {
	d := make([]DomainName, n)
	for i := range d {
		d[i] = "a.example"
	}
	return d
}

func TestDecodeMaxBytes(t *testing.T) {
	body := append([]byte(`{"domains": ["`), bytes.Repeat([]byte("a"), 10<<20)...)
	body = append(body, `"]}`...)
	rec := httptest.NewRecorder()
	r := http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(body)), 64<<10)
	var got Registration
	err := Decode(r, &got)
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		t.Fatalf("Decode(%s) error = %v, want %v", "<10 MB body>", err, &http.MaxBytesError{Limit: 64 << 10})
	}
	if mbe.Limit != 64<<10 {
		t.Errorf("Decode(%s) error = %v, want limit %d", "<10 MB body>", mbe, 64<<10)
	}
	var je *Error
	if errors.As(err, &je) {
		t.Errorf("Decode(%s) error = %v also matches *Error, want only *http.MaxBytesError", "<10 MB body>", err)
	}
}

// errReader fails after returning its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestDecodeReadError(t *testing.T) {
	readErr := errors.New("connection reset")
	var got Registration
	err := Decode(&errReader{data: []byte(`{"years": 1}`), err: readErr}, &got)
	if !errors.Is(err, readErr) {
		t.Errorf("Decode(%s) error = %v, want %v", "<failing reader>", err, readErr)
	}
}

func TestDecodeInvalidDestination(t *testing.T) {
	var nilPtr *Registration
	for _, v := range []any{nil, Registration{}, nilPtr} {
		err := Decode(strings.NewReader(`{}`), v)
		var iue *json.InvalidUnmarshalError
		if !errors.As(err, &iue) {
			t.Errorf("Decode(%s) into %T error = %v, want *json.InvalidUnmarshalError", `{}`, v, err)
		}
	}
}

func TestDecodeOtherDestinations(t *testing.T) {
	t.Run("pointer to pointer accepts null", func(t *testing.T) {
		r := &Registration{Years: 3}
		if err := Decode(strings.NewReader(`null`), &r); err != nil || r != nil {
			t.Errorf("Decode(%s) = %v, %v, want nil, nil", `null`, r, err)
		}
	})
	t.Run("map", func(t *testing.T) {
		var m map[string][]int
		err := Decode(strings.NewReader(`{"a": [1, 2], "b": [3, "4"]}`), &m)
		want := &Error{Pointer: "/b/1", Message: "expected integer, got string"}
		var got *Error
		if !errors.As(err, &got) || *got != *want {
			t.Errorf("Decode(%s) error = %v, want %v", `{"a": [1, 2], "b": [3, "4"]}`, err, want)
		}
	})
	t.Run("any", func(t *testing.T) {
		var v any
		body := `{"a": [1, {"b": null}], "c": "d"}`
		if err := Decode(strings.NewReader(body), &v); err != nil {
			t.Fatalf("Decode(%s) error = %v, want %v", body, err, nil)
		}
		want := map[string]any{"a": []any{1.0, map[string]any{"b": nil}}, "c": "d"}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("Decode(%s) mismatch (-want +got):\n%s", body, diff)
		}
	})
	t.Run("embedding conflicts", func(t *testing.T) {
		type A struct{ X, Y int }
		type B struct {
			X int
			Y int `json:"Y"`
		}
		type C struct {
			A
			B
			Z int
		}
		// X is ambiguous (same depth, both untagged) and so unknown; the
		// tagged B.Y dominates A.Y.
		var c C
		if err := Decode(strings.NewReader(`{"Y": 1, "Z": 2}`), &c); err != nil || c.B.Y != 1 || c.Z != 2 {
			t.Errorf("Decode(%s) = %+v, %v, want B.Y=1 Z=2", `{"Y": 1, "Z": 2}`, c, err)
		}
		err := Decode(strings.NewReader(`{"X": 1}`), &c)
		want := &Error{Pointer: "/X", Message: `unknown field "X"`}
		var got *Error
		if !errors.As(err, &got) || *got != *want {
			t.Errorf("Decode(%s) error = %v, want %v", `{"X": 1}`, err, want)
		}
	})
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Message: "request body is empty"}, "request body is empty"},
		{&Error{Pointer: "/domains/3", Message: "expected string, got number"}, "/domains/3: expected string, got number"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("(%#v).Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// benchBody is a registration-like body of about 1 KB.
const benchBody = `{
  "request_id": "3f6c2a9e-8d1b-4c3e-9a57-1b2c3d4e5f60",
  "domains": ["example.com", "example.net", "example.org"],
  "years": 2,
  "auto_renew": true,
  "privacy_level": 1,
  "contacts": {
    "registrant": {
      "postal_info": {
        "name": "Jane Doe",
        "org": "Example Org",
        "address": {"street": ["1 Main Street", "Suite 200"], "city": "Springfield", "postal_code": "12345", "country_code": "US"}
      },
      "email": "jane.doe@example.com",
      "phone": "+1.5555551234"
    },
    "admin": {
      "postal_info": {
        "name": "John Roe",
        "address": {"street": ["2 Side Street"], "city": "Springfield", "postal_code": "12345", "country_code": "US"}
      },
      "email": "john.roe@example.com",
      "phone": "+1.5555555678"
    }
  },
  "nameservers": [
    {"host": "ns1.example.net", "addrs": ["192.0.2.53", "2001:db8::53"]},
    {"host": "ns2.example.net", "addrs": ["198.51.100.53"]}
  ],
  "labels": {"env": "prod", "team": "dns"},
  "quotas": {"records": 500},
  "not_after": "2027-06-01T00:00:00Z"
}`

func BenchmarkDecode(b *testing.B) {
	data := []byte(benchBody)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var r Registration
		if err := Decode(bytes.NewReader(data), &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshal is the baseline: plain json.Unmarshal of the same body.
func BenchmarkUnmarshal(b *testing.B) {
	data := []byte(benchBody)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var r Registration
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	}
}
