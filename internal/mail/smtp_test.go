package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/mail"
	"github.com/openregistrar/registrar/internal/mail/smtptest"
	"github.com/openregistrar/registrar/internal/registrar"
)

func TestSendOverSMTP(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	m, err := mail.NewSMTP(srv.URL("registrar@example.net"))
	if err != nil {
		t.Fatal(err)
	}
	body := "Hello Ada,\n\nA long line with a non-ASCII letter é and a link: http://127.0.0.1:8080/verify-email/" + strings.Repeat("x", 60) + "\n"
	if err := m.Send(context.Background(), registrar.Message{To: "verify-ada@example.com", Subject: "Vérifiez", Body: body}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	want := smtptest.Message{From: "registrar@example.net", To: "verify-ada@example.com", Subject: "Vérifiez", Body: strings.ReplaceAll(body, "\r\n", "\n")}
	if got[0] != want {
		t.Errorf("received %+v\nwant %+v", got[0], want)
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	m, _ := mail.NewSMTP(srv.URL("registrar@example.net"))
	err := m.Send(context.Background(), registrar.Message{To: "a@example.com\r\nBcc: b@example.com", Subject: "x", Body: "y"})
	if !registrar.IsKind(err, registrar.KindInvalid) {
		t.Errorf("Send with a line break in To: error = %v, want invalid", err)
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://mail.example.com", "smtp://", "smtp://mail.example.com?from=not-an-address", "::", "smtp://user:s3cret@host:bad port/"} {
		_, err := mail.NewSMTP(u)
		if err == nil {
			t.Errorf("NewSMTP(%q) succeeded, want an error", u)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("NewSMTP(%q) error %q shows the password", u, err)
		}
	}
}

func TestSendToUnreachableServerIsUnavailable(t *testing.T) {
	t.Parallel()
	m, _ := mail.NewSMTP("smtp://127.0.0.1:1?from=a@example.com")
	err := m.Send(context.Background(), registrar.Message{To: "a@example.com", Subject: "x", Body: "y"})
	if !registrar.IsKind(err, registrar.KindUnavailable) {
		t.Errorf("Send to a closed port: error = %v, want unavailable", err)
	}
}
