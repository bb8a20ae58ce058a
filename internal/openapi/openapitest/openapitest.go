// Package openapitest validates HTTP exchanges against the API's OpenAPI
// document, for tests: the end-to-end tests of internal/daemon pass every
// request they send and every response they get through Check, so an
// operation the document lacks, or a body that does not match it, fails
// the test that sent it.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/openregistrar/registrar/internal/openapi"
)

// Validator checks requests and responses against the document.
type Validator struct {
	mu sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v  validator.Validator
}

// New parses the document and builds its validator; it fails when the
// document is not a valid OpenAPI 3.1 document.
func New() (*Validator, error) {
	return NewFrom(openapi.Document())
}

// NewFrom builds a validator of doc (for tests of the validator itself).
func NewFrom(doc []byte) (*Validator, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse: %w", err)
	}
	if v := d.GetVersion(); !strings.HasPrefix(v, "3.1") {
		return nil, fmt.Errorf("openapi: version %q, want 3.1.x", v)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi: build validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapi: the document is not valid: %s", describe(verrs))
	}
	return &Validator{v: v}, nil
}

// shared is the document's validator, built once per test binary: building
// it compiles every schema.
var shared = sync.OnceValues(New)

// Shared returns the validator of the embedded document, built once.
func Shared() (*Validator, error) { return shared() }

// Check validates one exchange: the request (with its body, reqBody) only
// when the server accepted it (a 1xx, 2xx or 3xx answer: tests send
// invalid requests on purpose to check the 4xx that follow), and the
// response (with its body, resBody) always, error envelopes included. It
// returns nil when both match the document.
func (v *Validator) Check(req *http.Request, reqBody []byte, res *http.Response, resBody []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	var problems []*verrors.ValidationError
	if code, missing := v.undocumented(req); missing {
		if !strings.HasPrefix(req.URL.Path, "/client/v4/") && res.StatusCode == http.StatusNotFound {
			// Outside the API (whose every path is under /client/v4/),
			// the server's plain 404 is right.
			return nil
		}
		// No operation in the document: right only when the server too
		// says there is none, in its error envelope.
		return checkNoRoute(req, res, resBody, code)
	}
	if res.StatusCode < 400 {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		r.ContentLength = int64(len(reqBody))
		if ok, errs := v.v.ValidateHttpRequest(r); !ok {
			problems = append(problems, errs...)
		}
	}
	rr := *res
	rr.Body = io.NopCloser(bytes.NewReader(resBody))
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := v.v.ValidateHttpResponse(r, &rr); !ok {
		problems = append(problems, errs...)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s %s → %d does not match the OpenAPI document (internal/openapi/openapi.json): %s\nresponse body: %s",
		req.Method, req.URL.Path, res.StatusCode, describe(problems), truncate(resBody))
}

// undocumented reports whether the document has no operation for req,
// and the code the server answers such a request with: 7000 (no route)
// when the path is unknown, 7001 (method not allowed) when only the
// method is.
func (v *Validator) undocumented(req *http.Request) (int, bool) {
	r := req.Clone(req.Context())
	r.Body = http.NoBody
	_, errs := v.v.ValidateHttpRequest(r)
	for _, e := range errs {
		if e.ValidationType != helpers.PathValidation {
			continue
		}
		switch e.ValidationSubType {
		case helpers.ValidationMissing:
			return 7000, true
		case helpers.ValidationMissingOperation:
			return 7001, true
		}
	}
	return 0, false
}

// checkNoRoute checks the answer to a request the document has no
// operation for: 404 code 7000 or 405 code 7001, in the error envelope.
func checkNoRoute(req *http.Request, res *http.Response, resBody []byte, code int) error {
	status := map[int]int{7000: http.StatusNotFound, 7001: http.StatusMethodNotAllowed}[code]
	var env struct {
		Success  bool              `json:"success"`
		Errors   []json.RawMessage `json:"errors"`
		Messages []json.RawMessage `json:"messages"`
		Result   json.RawMessage   `json:"result"`
	}
	var item struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	dec := json.NewDecoder(bytes.NewReader(resBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&env)
	if err == nil && len(env.Errors) == 1 {
		err = json.Unmarshal(env.Errors[0], &item)
	}
	if res.StatusCode != status || err != nil || env.Success || len(env.Errors) != 1 || item.Code != code || string(env.Result) != "null" || env.Messages == nil {
		return fmt.Errorf("%s %s → %d: the OpenAPI document (internal/openapi/openapi.json) has no such operation, and the server did not answer %d code %d in the error envelope: %s",
			req.Method, req.URL.Path, res.StatusCode, status, code, truncate(resBody))
	}
	return nil
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      at %s: %s", s.FieldPath, s.Reason)
		}
	}
	return b.String()
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// TB is the part of testing.TB Transport and CheckT use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// CheckT validates an exchange with the shared validator and fails t when
// it does not match the document (see Check).
func CheckT(t TB, req *http.Request, reqBody []byte, res *http.Response, resBody []byte) {
	t.Helper()
	v, err := Shared()
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	if err := v.Check(req, reqBody, res, resBody); err != nil {
		t.Errorf("%v", err)
	}
}

// Transport returns an http.RoundTripper that sends requests through base
// (http.DefaultTransport when nil) and validates each exchange with
// CheckT, for clients (the Go client, the Cloudflare SDK) in tests.
func Transport(t TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    TB
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	res, err := tr.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	CheckT(tr.t, req, reqBody, res, resBody)
	return res, nil
}
