package openapitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	base = "/client/v4/accounts/acct/registrar"
	reg  = `{"domain_name":"example.com","status":"active","created_at":"2026-12-04T05:05:59Z","expires_at":"2027-12-04T05:05:59Z","auto_renew":false,"locked":true,"privacy_mode":"redaction"}`
	wfs  = `{"completed":true,"state":"succeeded","created_at":"2026-12-04T05:05:59Z","updated_at":"2026-12-04T05:05:59Z","links":{"self":"/a","resource":"/b"},"context":{"domain_name":"example.com"},"error":null}`
)

func ok(result string) string {
	return `{"success":true,"errors":[],"messages":[],"result":` + result + `}`
}

func fail(code int) string {
	return `{"success":false,"errors":[{"code":` + itoa(code) + `,"message":"m"}],"messages":[],"result":null}`
}

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestCheck: the validator accepts exchanges that match the document and
// rejects each kind of drift the end-to-end suite must catch.
func TestCheck(t *testing.T) {
	v, err := Shared()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		method, path string
		reqBody      string
		status       int
		resBody      string
		wantErr      string // "" for a match
	}{
		{"registration", "GET", base + "/registrations/example.com", "", 200, ok(reg), ""},
		{"registration without a required member", "GET", base + "/registrations/example.com", "", 200,
			ok(strings.Replace(reg, `"locked":true,`, "", 1)), "locked"},
		{"registration with an undocumented member", "GET", base + "/registrations/example.com", "", 200,
			ok(strings.Replace(reg, `"locked":true`, `"locked":true,"owner":"x"`, 1)), "owner"},
		{"registration with a wrong type", "GET", base + "/registrations/example.com", "", 200,
			ok(strings.Replace(reg, `"auto_renew":false`, `"auto_renew":"no"`, 1)), "auto_renew"},
		{"undocumented status", "GET", base + "/registrations/example.com", "", 201, ok(reg), "201"},
		{"error envelope", "GET", base + "/registrations/example.com", "", 404, fail(10000), ""},
		{"error without errors", "GET", base + "/registrations/example.com", "", 404,
			`{"success":false,"errors":[],"messages":[],"result":null}`, "errors"},
		{"success in an error", "GET", base + "/registrations/example.com", "", 500,
			`{"success":true,"errors":[{"code":1500,"message":"m"}],"messages":[],"result":null}`, "success"},
		{"workflow status", "POST", base + "/registrations", `{"domain_name":"example.com"}`, 201, ok(wfs), ""},
		{"undocumented request member accepted", "POST", base + "/registrations", `{"domain_name":"example.com","owner":"x"}`, 201, ok(wfs), "owner"},
		{"invalid request refused", "POST", base + "/registrations", `{"domain_name":"example.com","owner":"x"}`, 400, fail(10000), ""},
		{"no route", "GET", base + "/frobnicate", "", 404, fail(7000), ""},
		{"no route served", "GET", base + "/frobnicate", "", 200, ok("{}"), "no such operation"},
		{"method not allowed", "DELETE", base + "/registrations", "", 405, fail(7001), ""},
		{"method not allowed with another code", "DELETE", base + "/registrations", "", 405, fail(7000), "code 7001"},
		{"health", "GET", "/healthz", "", 200, `{"status":"ok","mode":"demo","registries":{"live":["demo"]}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://127.0.0.1"+tt.path, strings.NewReader(tt.reqBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer t")
			res := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {"application/json"}}, Request: req}
			err := v.Check(req, []byte(tt.reqBody), res, []byte(tt.resBody))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Check: nil, want an error naming %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Check: %v\nwant it to name %q", err, tt.wantErr)
			}
		})
	}
}
