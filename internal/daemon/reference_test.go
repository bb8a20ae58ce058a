package daemon_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// referenceExample is one row of testdata/reference_examples.json: a
// request the API reference or an SDK documents, and the answer it
// gets. Source says where the row comes from (JSON has no comments).
type referenceExample struct {
	Name    string          `json:"name"`
	Source  string          `json:"source"`
	Method  string          `json:"method"`
	Path    string          `json:"path"` // under /accounts/{id}/registrar
	Body    json.RawMessage `json:"body"`
	Token   string          `json:"token"` // "none" for no token
	Status  int             `json:"status"`
	Code    int             `json:"code"`    // errors[0].code; 0 on success
	Pointer string          `json:"pointer"` // errors[0].source.pointer; "" for none
	Message string          `json:"message"` // a substring of errors[0].message
}

// TestReferenceExamples sends the documented examples to a real server
// (live environment, an account that holds ref-held.com and may hold
// one domain): each gets its status, error code, pointer and message.
func TestReferenceExamples(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/reference_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []referenceExample
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Workflows.MaxDomains = 1 })
	if r := s.register("registrar", "ref-held.com"); r.Status != http.StatusCreated {
		t.Fatalf("POST ref-held.com = %d %s", r.Status, r.Body)
	}
	for _, tt := range rows {
		t.Run(tt.Name, func(t *testing.T) {
			if tt.Source == "" {
				t.Fatal("the row does not say where it comes from")
			}
			token := s.token
			if tt.Token == "none" {
				token = ""
			}
			var body any
			if tt.Body != nil {
				body = []byte(tt.Body)
			}
			r := s.do(tt.Method, s.base("registrar")+tt.Path, token, body)
			if r.Status != tt.Status {
				t.Fatalf("%s %s = %d %s, want %d (%s)", tt.Method, tt.Path, r.Status, truncate(r.Body), tt.Status, tt.Source)
			}
			if r.Env.Errors == nil || r.Env.Messages == nil {
				t.Errorf("errors or messages is null: %s", truncate(r.Body))
			}
			if tt.Code == 0 {
				if !r.Env.Success || len(r.Env.Errors) != 0 || len(r.Env.Messages) != 0 {
					t.Errorf("%s %s = %s, want success with no errors and no messages", tt.Method, tt.Path, truncate(r.Body))
				}
				return
			}
			if r.Env.Success || len(r.Env.Errors) == 0 {
				t.Fatalf("%s %s = %s, want an error", tt.Method, tt.Path, truncate(r.Body))
			}
			e := r.Env.Errors[0]
			pointer := ""
			if e.Source != nil {
				pointer = e.Source.Pointer
			}
			if e.Code != tt.Code || pointer != tt.Pointer || !strings.Contains(e.Message, tt.Message) {
				t.Errorf("%s %s: errors[0] = {code %d, pointer %q, message %q}, want {%d, %q, containing %q} (%s)",
					tt.Method, tt.Path, e.Code, pointer, e.Message, tt.Code, tt.Pointer, tt.Message, tt.Source)
			}
		})
	}
}
