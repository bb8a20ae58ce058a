// Package tlsca makes and loads the small certificate authority that
// secures EPP between the registrar and its built-in sandbox registry: a CA,
// a server certificate for the sandbox and a client certificate for the
// registrar, kept as PEM files in the data directory.
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/openregistrar/registrar/internal/privatefile"
)

// Files are the paths of the PEM files of a CA directory.
type Files struct {
	CACert, ServerCert, ServerKey, ClientCert, ClientKey string
}

// FilesIn returns the file names used in dir.
func FilesIn(dir string) Files {
	return Files{
		CACert:     filepath.Join(dir, "ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"),
		ServerKey:  filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"),
		ClientKey:  filepath.Join(dir, "client-key.pem"),
	}
}

// Ensure makes the CA and both certificates in dir unless they all exist,
// and returns their paths. The server certificate names localhost,
// 127.0.0.1 and ::1, plus hosts; the client certificate's common name is
// clientName. Keys are ECDSA P-256; every file is written 0600, durably
// (synced, renamed, the directory synced). A damaged file of a complete set
// is named in the error, with what to do. Certificates last ten
// years: they secure a loopback sandbox, not the internet.
func Ensure(dir, clientName string, hosts ...string) (Files, error) {
	f := FilesIn(dir)
	all := []string{f.CACert, f.ServerCert, f.ServerKey, f.ClientCert, f.ClientKey}
	missing := 0
	for _, p := range all {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			missing++
		}
	}
	if missing == 0 {
		return f, f.check(dir)
	}
	if missing != len(all) {
		return f, fmt.Errorf("tlsca: %s holds only some of the certificate files; delete %s to make new certificates", dir, dir)
	}
	if err := privatefile.MakeDir(dir); err != nil {
		return f, err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "OpenRegistrar sandbox CA", Organization: []string{"OpenRegistrar"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return f, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return f, err
	}
	leaf := func(cn string, usage x509.ExtKeyUsage, dns []string, ips []net.IP, certPath, keyPath string) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"OpenRegistrar"}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(10, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			DNSNames:     dns,
			IPAddresses:  ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
			return err
		}
		return writePEM(keyPath, "PRIVATE KEY", keyDER)
	}
	dns := []string{"localhost"}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
		} else if h != "" {
			dns = append(dns, h)
		}
	}
	if err := leaf("sandbox registry", x509.ExtKeyUsageServerAuth, dns, ips, f.ServerCert, f.ServerKey); err != nil {
		return f, err
	}
	if err := leaf(clientName, x509.ExtKeyUsageClientAuth, nil, nil, f.ClientCert, f.ClientKey); err != nil {
		return f, err
	}
	// The CA last: its presence marks a complete set.
	return f, writePEM(f.CACert, "CERTIFICATE", caDER)
}

// check loads every file of a complete set, so that a damaged one (a
// PEM file left empty by a crash) is named at start with what to do.
func (f Files) check(dir string) error {
	damaged := func(path string, err error) error {
		return fmt.Errorf("tlsca: %s is damaged (%v): delete %s to make new certificates (a registrar that connects to this sandbox with them needs the new ones)", path, err, dir)
	}
	if _, err := CertPool(f.CACert); err != nil {
		return damaged(f.CACert, err)
	}
	for _, p := range [][2]string{{f.ServerCert, f.ServerKey}, {f.ClientCert, f.ClientKey}} {
		if _, err := tls.LoadX509KeyPair(p[0], p[1]); err != nil {
			// Name the file at fault: the certificate, unless it parses.
			path := p[0]
			if b, rerr := os.ReadFile(p[0]); rerr == nil {
				if blk, _ := pem.Decode(b); blk != nil {
					path = p[1]
				}
			}
			return damaged(path, err)
		}
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// writePEM writes a PEM file durably, mode 0600 (certificates too: every
// file of the data dir is private).
func writePEM(path, typ string, der []byte) error {
	return privatefile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// CertPool loads a PEM file of CA certificates.
func CertPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tlsca: no certificates in %s", path)
	}
	return pool, nil
}

// ServerConfig is the sandbox's TLS configuration: its certificate, TLS 1.2
// or later, and client certificates verified against the CA when presented,
// required when requireClientCert is set.
func (f Files) ServerConfig(requireClientCert bool) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey)
	if err != nil {
		return nil, err
	}
	pool, err := CertPool(f.CACert)
	if err != nil {
		return nil, err
	}
	auth := tls.VerifyClientCertIfGiven
	if requireClientCert {
		auth = tls.RequireAndVerifyClientCert
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: auth, MinVersion: tls.VersionTLS12}, nil
}

// ClientConfig is the registrar's TLS configuration towards the sandbox:
// the server verified against the CA, and the client certificate
// presented.
func (f Files) ClientConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
	if err != nil {
		return nil, err
	}
	pool, err := CertPool(f.CACert)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
