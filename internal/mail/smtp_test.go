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

// A non-ASCII address (RFC 6531) goes only to a server that offers
// SMTPUTF8, with the SMTPUTF8 parameter; to any other the send fails
// with an error that says why, before MAIL FROM.
func TestSendNonASCIIAddressNeedsSMTPUTF8(t *testing.T) {
	t.Parallel()
	const to = "josé@exämple.com"
	t.Run("server without SMTPUTF8", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.New(t)
		m, _ := mail.NewSMTP(srv.URL("registrar@example.net"))
		err := m.Send(context.Background(), registrar.Message{To: to, Subject: "x", Body: "y"})
		if !registrar.IsKind(err, registrar.KindRejected) || !strings.Contains(err.Error(), "SMTPUTF8") || !strings.Contains(err.Error(), to) {
			t.Errorf("Send to %s without SMTPUTF8: %v, want a rejection naming the address and SMTPUTF8", to, err)
		}
		if got := srv.Messages(); len(got) != 0 {
			t.Errorf("server got %+v, want nothing", got)
		}
		// ASCII addresses still go.
		if err := m.Send(context.Background(), registrar.Message{To: "ada@example.com", Subject: "x", Body: "y"}); err != nil {
			t.Errorf("Send to an ASCII address: %v", err)
		}
	})
	t.Run("server with SMTPUTF8", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.New(t)
		srv.OfferSMTPUTF8()
		m, _ := mail.NewSMTP(srv.URL("registrar@example.net"))
		if err := m.Send(context.Background(), registrar.Message{To: to, Subject: "x", Body: "y"}); err != nil {
			t.Fatalf("Send to %s with SMTPUTF8: %v", to, err)
		}
		got := srv.Wait(1, 5*time.Second)
		if len(got) != 1 || got[0].To != to || !got[0].SMTPUTF8 {
			t.Errorf("server got %+v, want one message to %s sent with SMTPUTF8", got, to)
		}
	})
}
