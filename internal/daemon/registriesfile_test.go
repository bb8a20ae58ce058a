package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRegistries(t *testing.T) {
	t.Parallel()
	pw := writeFile(t, "pw", "s3cret-pw\n")
	good := `registries:
  - name: example
    address: epp.example.net:700
    client_id: openreg
    password_file: ` + pw + `
    pool_size: 4
    extensions:
      - name: .COM
        currency: USD
        registration_price: "10.44"
        renewal_price: "10.44"
      - {name: co.uk, min_years: 2, max_years: 5, currency: GBP, registration_price: "7", renewal_price: "7.50"}
`
	f, err := daemon.LoadRegistries(writeFile(t, "registries.yaml", good))
	if err != nil {
		t.Fatalf("LoadRegistries(good) = %v", err)
	}
	r := f.Registries[0]
	if r.Password != "s3cret-pw" || r.PoolSize != 4 || r.RateLimit != 10 || r.KeepAlive != 4*time.Minute ||
		r.Extensions[0].Name != "com" || r.Extensions[0].MinYears != 1 || r.Extensions[1].Name != "co.uk" {
		t.Errorf("LoadRegistries(good) = %+v", r)
	}

	tests := []struct {
		name string
		body string
		want string // substring of the error: the line and the field
	}{
		{"unknown field", strings.Replace(good, "    pool_size: 4\n", "    pool_sise: 4\n", 1), `:6: unknown field "pool_sise"`},
		{"wrong type", strings.Replace(good, "pool_size: 4", "pool_size: four", 1), "pool_size: four"},
		{"pool too large", strings.Replace(good, "pool_size: 4", "pool_size: 101", 1), ":6: registries[0].pool_size: must be between 1 and 100"},
		{"bad address", strings.Replace(good, "address: epp.example.net:700", "address: epp.example.net", 1), ":3: registries[0].address"},
		{"short client id", strings.Replace(good, "client_id: openreg", "client_id: ab", 1), ":4: registries[0].client_id"},
		{"both passwords", strings.Replace(good, "    pool_size: 4\n", "    password: another1\n    pool_size: 4\n", 1), "registries[0].password_file: give password or password_file"},
		{"bad extension", strings.Replace(good, "name: .COM", "name: notatld", 1), ":8: registries[0].extensions[0].name"},
		{"unknown contact extension form", strings.Replace(good, "    pool_size: 4\n", "    pool_size: 4\n    contact_extensions: keyvalue\n", 1),
			`:7: registries[0].contact_extensions: must be "neulevel" or empty, not "keyvalue"`},
		{"bad price", strings.Replace(good, `registration_price: "10.44"`, `registration_price: "ten"`, 1), ":10: registries[0].extensions[0].registration_price"},
		{"bad years", strings.Replace(good, "min_years: 2, max_years: 5", "min_years: 6, max_years: 5", 1), ":12: registries[0].extensions[1].min_years"},
		{"no registries", "registries: []\n", "registries: no registries listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "registries.yaml", tt.body)
			_, err := daemon.LoadRegistries(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path) {
				t.Errorf("LoadRegistries = %v, want an error starting with the path and containing %q", err, tt.want)
			}
		})
	}
}
