package daemon_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestRDAP registers a name through the live API and reads it back from
// the same server's RDAP service, unauthenticated; a sandbox name stays
// private.
func TestRDAP(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	if r := s.register("registrar", "rdap-live.com"); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
		t.Fatalf("live POST = %d %s, want 201 succeeded", r.Status, r.Body)
	}
	s.register("registrar-sandbox", "rdap-sandbox.com")
	if st := s.waitState("registrar-sandbox", "rdap-sandbox.com", 20*time.Second, completed); st.State != registrar.StateSucceeded {
		t.Fatalf("sandbox registration = %s, want succeeded", st.State)
	}

	base := "http://" + s.d.Addr() + "/rdap/"
	code, body := rdapGet(t, base+"domain/rdap-live.com")
	if code != http.StatusOK {
		t.Fatalf("GET domain/rdap-live.com = %d %s, want 200", code, body)
	}
	var d rdap.Domain
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.LDHName != "rdap-live.com" || len(d.Status) == 0 || len(d.Redacted) == 0 {
		t.Errorf("domain = %s, want rdap-live.com with status and redactions", body)
	}
	if !strings.HasPrefix(d.Links[0].Href, "http://"+s.d.Addr()+"/rdap/domain/") {
		t.Errorf("self link = %s, want under this server's address", d.Links[0].Href)
	}
	for _, personal := range []string{daemon.SampleContact().Email, daemon.SampleContact().PostalInfo.Name, daemon.SampleContact().Phone} {
		if strings.Contains(string(body), personal) {
			t.Errorf("the answer shows the registrant's %q: %s", personal, body)
		}
	}

	for path, want := range map[string]int{
		"domain/rdap-sandbox.com": http.StatusNotFound,
		"domain/never-here.com":   http.StatusNotFound,
		"domain/bad_name.com":     http.StatusBadRequest,
		"help":                    http.StatusOK,
	} {
		if code, body := rdapGet(t, base+path); code != want {
			t.Errorf("GET %s = %d %s, want %d", path, code, body, want)
		}
	}
}

// rdapGet GETs an RDAP URL and checks the headers and the body's shape
// against the RFC 9083 schema kept with the rdap package.
func rdapGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct, cors := res.Header.Get("Content-Type"), res.Header.Get("Access-Control-Allow-Origin"); ct != rdap.ContentType || cors != "*" {
		t.Errorf("GET %s: Content-Type %q, Access-Control-Allow-Origin %q; want %q, *", url, ct, cors, rdap.ContentType)
	}
	raw, err := os.ReadFile("../rdap/testdata/rfc9083.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("rfc9083.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("rfc9083.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("GET %s: invalid against the RFC 9083 schema: %v\n%s", url, err, body)
	}
	return res.StatusCode, body
}
