// Package smtptest is a small SMTP server for tests: it listens on a
// loopback port, accepts every message and keeps it, decoded, for the test
// to read.
package smtptest

import (
	"bufio"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Message is a received email.
type Message struct {
	From, To, Subject, Body string
	// SMTPUTF8 is whether the client asked for SMTPUTF8 (RFC 6531) in
	// MAIL FROM.
	SMTPUTF8 bool
}

// Server is a running test SMTP server.
type Server struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []Message
	got  chan struct{}
	utf8 atomic.Bool
}

// OfferSMTPUTF8 makes the server offer SMTPUTF8 (RFC 6531) to sessions
// that start from now on; by default it does not, and refuses non-ASCII
// addresses as a strict server would.
func (s *Server) OfferSMTPUTF8() { s.utf8.Store(true) }

// New starts a server on 127.0.0.1; it stops when the test ends.
func New(t testing.TB) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	s := &Server{ln: ln, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

// URL returns the smtp:// URL of the server, with from as the sender.
func (s *Server) URL(from string) string {
	return "smtp://" + s.ln.Addr().String() + "?from=" + from
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits up to d for at least n messages and returns them.
func (s *Server) Wait(n int, d time.Duration) []Message {
	deadline := time.After(d)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.got:
		case <-deadline:
			return s.Messages()
		}
	}
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 smtptest ready")
	var from, to string
	var smtputf8 bool
	utf8 := s.utf8.Load()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			if utf8 && strings.HasPrefix(cmd, "EHLO") {
				reply("250-smtptest")
				reply("250-8BITMIME")
				reply("250 SMTPUTF8")
			} else {
				reply("250 smtptest")
			}
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			addr, params, _ := strings.Cut(strings.TrimSpace(line)[10:], ">")
			from = strings.TrimLeft(addr, "< ")
			smtputf8 = utf8 && slices.Contains(strings.Fields(strings.ToUpper(params)), "SMTPUTF8")
			if !smtputf8 && !ascii(from) {
				reply("553 non-ASCII address without SMTPUTF8")
				continue
			}
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr, _, _ := strings.Cut(strings.TrimSpace(line)[8:], ">")
			if !smtputf8 && !ascii(addr) {
				reply("553 non-ASCII address without SMTPUTF8")
				continue
			}
			to = strings.TrimLeft(addr, "< ")
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.store(from, to, smtputf8, data.String())
			reply("250 queued")
		case cmd == "RSET", cmd == "NOOP":
			reply("250 ok")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (s *Server) store(from, to string, smtputf8 bool, raw string) {
	m := Message{From: from, To: to, SMTPUTF8: smtputf8}
	if parsed, err := mail.ReadMessage(strings.NewReader(raw)); err == nil {
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		body := io.Reader(parsed.Body)
		if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
}
