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
	for _, p := range []string{f.CACert, f.ServerCert, f.ServerKey, f.ClientCert, f.ClientKey} {
		info, _ := os.Stat(p)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("mode of %s = %04o, want 0600", p, info.Mode().Perm())
		}
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("mode of %s = %04o, want 0700", dir, info.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 {
		t.Errorf("%s holds %d files, want the 5 PEM files and no temporary file", dir, len(entries))
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

// TestEnsureNamesDamagedFiles: a file a crash left empty or cut short is
// named at start, with what to do, instead of failing later in TLS with
// "failed to find any PEM data" and no file name.
func TestEnsureNamesDamagedFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    func(tlsca.Files) string
		content string
	}{
		{"empty CA", func(f tlsca.Files) string { return f.CACert }, ""},
		{"empty server certificate", func(f tlsca.Files) string { return f.ServerCert }, ""},
		{"empty server key", func(f tlsca.Files) string { return f.ServerKey }, ""},
		{"cut client certificate", func(f tlsca.Files) string { return f.ClientCert }, "-----BEGIN CERTIFICATE-----\nMIIB"},
		{"empty client key", func(f tlsca.Files) string { return f.ClientKey }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			f, err := tlsca.Ensure(dir, "openregistrar")
			if err != nil {
				t.Fatal(err)
			}
			path := tc.file(f)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = tlsca.Ensure(dir, "openregistrar")
			if err == nil || !strings.Contains(err.Error(), path+" is damaged") || !strings.Contains(err.Error(), "delete "+dir) {
				t.Errorf("Ensure with %s damaged = %v, want an error naming it and saying to delete %s", path, err, dir)
			}
		})
	}
}
