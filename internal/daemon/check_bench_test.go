package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// BenchmarkDomainCheck20 measures POST domain-check of 20 names served by
// one registry, over HTTP on loopback: each request is one EPP check of
// the 20 names to the built-in sandbox registry over TLS (which logs it in
// its SQLite file). serial sends one request at a time; parallel sends
// GOMAXPROCS×4 at a time (the per-account cap on running checks lifted).
// checks/s counts names.
//
//	go test -run '^$' -bench 'BenchmarkDomainCheck20|BenchmarkTransferCheck10' -benchtime 5s ./internal/daemon
func BenchmarkDomainCheck20(b *testing.B) {
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("bench-check-%d.%s", i, []string{"com", "net"}[i%2]))
	}
	benchCheck(b, "/domain-check", map[string]any{"domains": names}, len(names))
}

// BenchmarkTransferCheck10 measures POST domain-transfer-check of 10
// names (its maximum), each an xfer- name with the sandbox auth code, so
// transferable: unlike domain-check, every name costs the registry two
// commands of its own, a check with the fee extension for the transfer
// price and an info quoting the auth code (never cached). Same server,
// registry and load as BenchmarkDomainCheck20; checks/s counts names.
func BenchmarkTransferCheck10(b *testing.B) {
	var names []map[string]string
	for i := range 10 {
		names = append(names, map[string]string{
			"domain_name": fmt.Sprintf("xfer-bench-%d.%s", i, []string{"com", "net"}[i%2]),
			"auth_code":   sandboxAuthCode,
		})
	}
	benchCheck(b, "/domain-transfer-check", map[string]any{"domains": names}, len(names))
}

// benchCheck POSTs body to path of the live API (demo mode) serially and
// in parallel, and reports names checked per second.
func benchCheck(b *testing.B, path string, reqBody any, names int) {
	// The per-account cap on running checks (default 4) would answer 429
	// to the parallel run's 4×GOMAXPROCS requests: lifted, so both
	// benchmarks measure the server and the registry.
	s := startServer(b, storetest.SQLite, func(c *daemon.Config) { c.API.MaxChecksPerAccount = 64 })
	body, err := json.Marshal(reqBody)
	if err != nil {
		b.Fatal(err)
	}
	url := s.base("registrar") + path
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	check := func() error {
		req, err := http.NewRequest("POST", url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("POST %s = %d %s", path, res.StatusCode, out)
		}
		return nil
	}
	if err := check(); err != nil { // warm up: EPP session, token cache
		b.Fatal(err)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(names*b.N)/b.Elapsed().Seconds(), "checks/s")
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if err := check(); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := check(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b)
	})
}
