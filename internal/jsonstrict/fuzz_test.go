package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode checks that Decode never panics, that its errors are *Error
// values with well-formed pointers, and that whenever it accepts a body,
// encoding/json (with DisallowUnknownFields) accepts it too and produces an
// equal value. It also checks that the strict checks never accept a body
// that json.Unmarshal then rejects.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		benchBody,
		`{"years": 1}`,
		`{}`,
		`{} {}`,
		`{}x`,
		`{"years": 1, "years": 2}`,
		`{"years": 1.5}`,
		`{"privacy_level": 300}`,
		`{"contacts": {"registrant": {"phone": 1, "nickname": "x"}}}`,
		`{"domains": ["a.example", "B.EXAMPLE", 3]}`,
		`{"labels": {"Env": "a", "env": "b"}, "quotas": {"a/b~": 1}, "ports": {"080": true}}`,
		`{"extra": {"a": [1, 1e400, {"b": null}]}, "note": null, "raw": [1, {"x": "y"}]}`,
		`{"serial": "12", "hash": "AAEC", "pair": ["a", "b", "c"], "attrs": {"a": null}}`,
		`{"created_at": "2027-01-02T03:04:05Z", "not_after": null}`,
		`{"nameservers": [{"host": "ns1", "addrs": ["192.0.2.1", "::1", 1]}]}`,
		`{"request_id": "x", "-": "y", "Secret": "z"}`,
		"{\"contacts\": {\"registrant\": {\"email\": \"a\xffb\"}}}",
		`{"extra": "\ud800"}`,
		nested(maxDepth - 1),
		nested(maxDepth),
		`null`,
		`[`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzAny(t, data)

		var got Registration
		err := Decode(bytes.NewReader(data), &got)
		strictErr := check(data, reflect.TypeFor[Registration]())
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) error = %#v, want an *Error", data, err)
			}
			if e.Pointer != "" && !strings.HasPrefix(e.Pointer, "/") {
				t.Errorf("Decode(%q) error pointer = %q, want \"\" or a pointer starting with /", data, e.Pointer)
			}
			if strictErr == nil {
				t.Errorf("Decode(%q) error = %v, want %v: the strict checks passed but json.Unmarshal failed", data, err, nil)
			}
			return
		}
		if strictErr != nil {
			t.Fatalf("check(%q) = %v but Decode succeeded", data, strictErr)
		}
		if !json.Valid(data) {
			t.Fatalf("Decode(%q) error = %v, want an error: json.Valid reports invalid JSON", data, err)
		}
		var want Registration
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("Decode(%q) error = %v, but encoding/json with DisallowUnknownFields fails: %v", data, nil, err)
		}
		// reflect.DeepEqual rather than cmp: cmp is very slow on deeply
		// nested slices.
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) and encoding/json disagree (-encoding/json +Decode):\n%s", data, cmp.Diff(want, got, cmpOpts...))
		}
	})
}

// fuzzAny checks decoding data into an empty interface.
func fuzzAny(t *testing.T, data []byte) {
	var got, want any
	err := Decode(bytes.NewReader(data), &got)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Decode(%q) into *any error = %#v, want an *Error", data, err)
		}
		return
	}
	if err := json.Unmarshal(data, &want); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode(%q) into *any = %v, json.Unmarshal = %v, %v", data, got, want, err)
	}
}
