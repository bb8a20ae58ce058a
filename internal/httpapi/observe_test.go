package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

func TestSaneRequestID(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"abc", true},
		{"a.b_c-D9", true},
		{strings.Repeat("x", maxRequestIDLength), true},
		{strings.Repeat("x", maxRequestIDLength+1), false},
		{"", false},
		{"a b", false},
		{"a\"b", false},
		{"a=b", false},
		{"tr\u00e5ce", false},
		{"a\x00b", false},
	} {
		if got := saneRequestID(c.id); got != c.want {
			t.Errorf("saneRequestID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}

type recordedRequest struct {
	route, method string
	status        int
}

type recorder struct{ got []recordedRequest }

func (r *recorder) ObserveRequest(route, method string, status int, _ time.Duration) {
	r.got = append(r.got, recordedRequest{route, method, status})
}

// TestInstrument: the request ID reaches the handler's context and the
// response, lines the handler logs with its context name it, and the
// request log line and the observer get the route pattern, not the path.
func TestInstrument(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log = slog.New(registrar.ContextHandler(log.Handler()))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		noteAccount(r, "acct-1")
		log.InfoContext(r.Context(), "inside", "id_seen", requestIDOf(r))
		w.Write([]byte("ok")) // an implicit 200
	})
	rec := &recorder{}
	h := Instrument(mux, log, rec)

	req := httptest.NewRequest("GET", "/things/secret-domain.com", nil)
	req.Header.Set(RequestIDHeader, "given-1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if got := w.Header().Get(RequestIDHeader); got != "given-1" {
		t.Errorf("response %s = %q, want given-1", RequestIDHeader, got)
	}
	out := buf.String()
	for _, want := range []string{`msg=inside id_seen=given-1 request_id=given-1`, `msg="http request" method=GET route="GET /things/{id}" status=200`, `account_id=acct-1 request_id=given-1`} {
		if !strings.Contains(out, want) {
			t.Errorf("log has no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret-domain.com") {
		t.Errorf("the log names the raw path:\n%s", out)
	}

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/nowhere", nil))
	want := []recordedRequest{{"GET /things/{id}", "GET", 200}, {"unmatched", "POST", 404}}
	if len(rec.got) != 2 || rec.got[0] != want[0] || rec.got[1] != want[1] {
		t.Errorf("observed %v, want %v", rec.got, want)
	}
}
