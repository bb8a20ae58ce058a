package daemon_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestResendVerification: POST .../resend-verification (ours) sends a
// sandbox registration's verification email again with a new link, which
// completes the registration; a second resend within a minute is 429,
// another account's is 404, a read-only token's 403, and once the
// registration succeeded there is nothing to resend (409).
func TestResendVerification(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		const domain = "resend-me.com"
		contact := daemon.SampleContact()
		contact.Email = "verify-resend@example.com"
		body := map[string]any{"domain_name": domain, "contacts": map[string]any{"registrant": contact}}
		if r := s.do("POST", s.base("registrar-sandbox")+"/registrations", s.token, body); r.Status != http.StatusAccepted || r.status(t).State != registrar.StateActionRequired {
			t.Fatalf("POST = %d %s, want 202 action_required", r.Status, r.Body)
		}
		first := verificationLinks(t, s, domain, 1)[0]
		before := s.getStatus("registrar-sandbox", domain)

		resend := s.base("registrar-sandbox") + "/registrations/" + domain + "/resend-verification"
		r := s.do("POST", resend, s.token, nil)
		if st := r.status(t); r.Status != http.StatusOK || st.State != registrar.StateActionRequired ||
			st.Context.ConfirmationSentTo != "v***@example.com" || !st.CreatedAt.Equal(before.CreatedAt) {
			t.Fatalf("resend = %d %s, want 200 with the same registration, action_required", r.Status, r.Body)
		}
		links := verificationLinks(t, s, domain, 2)
		if links[1] == first {
			t.Fatalf("the email sent again has the first link %s, want a new one", first)
		}

		// Too soon, another account, a read-only token: refused, nothing sent.
		if r := s.do("POST", resend, s.token, map[string]any{}); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
			len(r.Env.Errors) != 1 || !strings.Contains(r.Env.Errors[0].Message, "retry in") {
			t.Errorf("second resend within a minute = %d %s, want 429 with Retry-After, saying when", r.Status, r.Body)
		}
		other, otherToken := s.newAccount("other", daemon.SampleContact())
		otherURL := strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + other + "/registrar-sandbox/registrations/" + domain + "/resend-verification"
		if r := s.do("POST", otherURL, otherToken, nil); r.Status != http.StatusNotFound {
			t.Errorf("another account's resend = %d %s, want 404", r.Status, r.Body)
		}
		owner, err := s.d.DB().Authenticate(context.Background(), registrar.HashSecret(s.token))
		if err != nil {
			t.Fatal(err)
		}
		name, access := "read-only", registrar.AccessRead
		_, readOnly, err := s.d.DB().CreateToken(context.Background(), owner, registrar.TokenRequest{Name: &name, Scope: &access}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r := s.do("POST", resend, readOnly, nil); r.Status != http.StatusForbidden {
			t.Errorf("a read-only token's resend = %d %s, want 403", r.Status, r.Body)
		}
		if n := len(verificationLinks(t, s, domain, 2)); n != 2 {
			t.Errorf("%d verification emails after the refusals, want 2", n)
		}

		// The new link completes the registration.
		if code, page := get(t, links[1]); code != http.StatusOK || !strings.Contains(page, "verified") {
			t.Fatalf("GET the new link = %d %s, want 200 verified", code, page)
		}
		if st := s.waitState("registrar-sandbox", domain, 20*time.Second, completed); st.State != registrar.StateSucceeded {
			t.Fatalf("after the new link: %s %+v, want succeeded", st.State, st.Error)
		}
		if r := s.do("POST", resend, s.token, nil); r.Status != http.StatusConflict {
			t.Errorf("resend after success = %d %s, want 409", r.Status, r.Body)
		}
	})
}

// verificationLinks waits until the outbox holds at least n verification
// emails about domain and returns their links, oldest first.
func verificationLinks(t *testing.T, s *server, domain string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := s.d.DB().Outbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, m := range msgs {
			if link := linkRE.FindString(m.Body); link != "" && strings.Contains(m.Subject, domain) {
				links = append(links, link)
			}
		}
		if len(links) >= n {
			return links
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d verification emails about %s in the outbox, want %d", len(links), domain, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
