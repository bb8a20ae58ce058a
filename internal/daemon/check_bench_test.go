package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/openregistrar/registrar/internal/store/storetest"
)

// BenchmarkDomainCheck20 measures POST domain-check of 20 names served by
// one registry, over HTTP on loopback: each request is one EPP check of
// the 20 names to the built-in sandbox registry over TLS (which logs it in
// its SQLite file). serial sends one request at a time; parallel sends
// GOMAXPROCS×4 at a time. checks/s counts names.
//
//	go test -run '^$' -bench BenchmarkDomainCheck20 -benchtime 5s ./internal/daemon
func BenchmarkDomainCheck20(b *testing.B) {
	s := startServer(b, storetest.SQLite, nil)
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("bench-check-%d.%s", i, []string{"com", "net"}[i%2]))
	}
	body, err := json.Marshal(map[string]any{"domains": names})
	if err != nil {
		b.Fatal(err)
	}
	url := s.base("registrar") + "/domain-check"
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
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("POST domain-check = %d", res.StatusCode)
		}
		return nil
	}
	if err := check(); err != nil { // warm up: EPP session, token cache
		b.Fatal(err)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(len(names)*b.N)/b.Elapsed().Seconds(), "checks/s")
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
