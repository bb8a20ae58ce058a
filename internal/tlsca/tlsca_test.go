package tlsca_test

import (
	"crypto/tls"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/tlsca"
)

// handshake runs a TLS handshake over loopback and returns the server's
// view of the client's certificates and any error from either side.
func handshake(t *testing.T, server, client *tls.Config) (int, error) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			peers <- -1
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			peers <- -1
			return
		}
		peers <- len(tc.ConnectionState().PeerCertificates)
		c.Write([]byte("y")) // answer, so the client's read returns at once
		io.Copy(io.Discard, c)
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err != nil {
		return 0, err
	}
	// TLS 1.3: a client certificate the server refuses surfaces on read;
	// an accepted one reads the server's answer.
	conn.Write([]byte("x"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, rerr := conn.Read(make([]byte, 1))
	conn.Close()
	n := <-peers
	if n < 0 {
		if rerr == nil {
			rerr = io.ErrUnexpectedEOF
		}
		return 0, rerr
	}
	return n, nil
}

func TestEnsureMakesWorkingMutualTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := tlsca.Ensure(dir, "openregistrar")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.Stat(f.ClientKey)
	if key.Mode().Perm() != 0o600 {
		t.Errorf("client key mode %v, want 0600", key.Mode().Perm())
	}
	// A second call keeps the files.
	before, _ := os.ReadFile(f.CACert)
	if _, err := tlsca.Ensure(dir, "openregistrar"); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(f.CACert); string(after) != string(before) {
		t.Error("Ensure replaced an existing CA")
	}
	server, err := f.ServerConfig(true)
	if err != nil {
		t.Fatal(err)
	}
	client, err := f.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := handshake(t, server, client); err != nil || n != 1 {
		t.Errorf("mutual TLS handshake: %d client certificates, %v; want 1, nil", n, err)
	}
	// Without a client certificate, a server that requires one refuses.
	anon := client.Clone()
	anon.Certificates = nil
	if _, err := handshake(t, server, anon); err == nil {
		t.Error("a client without a certificate got through a server that requires one")
	}
	// Optional mode lets it in.
	optional, _ := f.ServerConfig(false)
	if n, err := handshake(t, optional, anon); err != nil || n != 0 {
		t.Errorf("optional client certificates, none given: %d, %v", n, err)
	}
	// A client that does not trust the CA refuses the server.
	untrusting := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: "localhost"}
	if _, err := handshake(t, server, untrusting); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the CA accepted the server: %v", err)
	}
	// A certificate from another CA is refused.
	other, _ := tlsca.Ensure(t.TempDir(), "intruder")
	intruder, _ := other.ClientConfig()
	intruder.RootCAs = client.RootCAs
	if _, err := handshake(t, server, intruder); err == nil {
		t.Error("a client certificate from another CA was accepted")
	}
}

func TestEnsureRefusesPartialSets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := tlsca.Ensure(dir, "openregistrar")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f.ServerKey)
	if _, err := tlsca.Ensure(dir, "openregistrar"); err == nil || !strings.Contains(err.Error(), "only some") {
		t.Errorf("Ensure with a missing key = %v, want an error", err)
	}
}
