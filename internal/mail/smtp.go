// Package mail delivers the registrar's email over SMTP.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// SMTP sends mail through one SMTP server. It implements registrar.Mailer.
type SMTP struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://: TLS from the first byte
	auth     smtp.Auth
	from     string
}

// NewSMTP parses a URL of the form
//
//	smtp://[user:password@]host[:port]?from=registrar@example.com
//	smtps://[user:password@]host[:port]?from=…
//
// smtp:// uses STARTTLS whenever the server offers it (port 587 by
// default; 25 works too); smtps:// uses TLS from the start (port 465 by
// default). Certificates are always verified. Credentials are sent only
// over TLS or to a loopback server.
func NewSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not %w: url.Error repeats the URL, password and all.
		return nil, fmt.Errorf("SMTP URL: cannot parse it; want smtp://user:password@host:port?from=address")
	}
	s := &SMTP{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("SMTP URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("SMTP URL: no host")
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		pw, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, s.host)
	}
	s.from = u.Query().Get("from")
	if s.from == "" {
		s.from = "registrar@" + s.host
	}
	if a, err := mail.ParseAddress(s.from); err != nil || a.Address != s.from {
		return nil, fmt.Errorf("SMTP URL: from=%q is not a plain email address", s.from)
	}
	return s, nil
}

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m registrar.Message) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return registrar.Errorf(registrar.KindInvalid, "mail.Send", "header fields must not contain line breaks")
	}
	body, err := s.format(m)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := &net.Dialer{Deadline: deadline}
	var conn net.Conn
	if s.implicit {
		conn, err = tls.DialWithDialer(dialer, "tcp", s.addr, &tls.Config{ServerName: s.host})
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "the mail server is unreachable")
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "the mail server did not greet")
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
				return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "STARTTLS failed")
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "SMTP authentication failed")
		}
	}
	// Non-ASCII addresses (RFC 6531) go only to a server that says it
	// carries them; another would mangle or misroute them. Mail then asks
	// for SMTPUTF8 on its own.
	if !ascii(m.To) || !ascii(s.from) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return registrar.Errorf(registrar.KindRejected, "mail.Send",
				"the address %q is not ASCII and the mail server %s does not offer SMTPUTF8 (RFC 6531): use a server that does, or an ASCII address", nonASCII(m.To, s.from), s.addr)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "MAIL FROM refused")
	}
	if err := c.Rcpt(m.To); err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "RCPT TO refused")
	}
	w, err := c.Data()
	if err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "DATA refused")
	}
	if _, err := w.Write(body); err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "sending the message failed")
	}
	if err := w.Close(); err != nil {
		return registrar.Wrap(registrar.KindUnavailable, "mail.Send", err, "the mail server refused the message")
	}
	return c.Quit()
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// nonASCII returns the first of addrs that is not ASCII.
func nonASCII(addrs ...string) string {
	for _, a := range addrs {
		if !ascii(a) {
			return a
		}
	}
	return ""
}

// format renders m as an RFC 5322 message with a quoted-printable UTF-8
// body.
func (s *SMTP) format(m registrar.Message) ([]byte, error) {
	var id [12]byte
	rand.Read(id[:])
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", s.from)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:]), s.host)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
