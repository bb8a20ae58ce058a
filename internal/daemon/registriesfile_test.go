package daemon_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
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

// TestLoadRegistriesLifecycle: a registry's lifecycle settings are
// optional, take days or Go durations, and are checked strictly, each
// error naming its line and field.
func TestLoadRegistriesLifecycle(t *testing.T) {
	t.Parallel()
	base := `registries:
  - name: example
    address: epp.example.net:700
    client_id: openreg
    password: s3cret-pw
    lifecycle:
      expiry_model: delete
      renew_window: 45d
      grace: 40d
      redemption: 720h
      pending_delete: 5d12h
      restore_price: "80.00"
    extensions:
      - {name: de, currency: EUR, registration_price: "5", renewal_price: "5"}
`
	f, err := daemon.LoadRegistries(writeFile(t, "registries.yaml", base))
	if err != nil {
		t.Fatalf("LoadRegistries = %v", err)
	}
	day := 24 * time.Hour
	want := registrar.Lifecycle{Model: registrar.ExpiryDelete, RenewWindow: 45 * day, Grace: 40 * day, Redemption: 30 * day,
		PendingDelete: 5*day + 12*time.Hour, RestoreCents: 8000}
	if got := f.Registries[0].LifecycleTerms; got != want {
		t.Errorf("LifecycleTerms = %+v, want %+v", got, want)
	}

	none := strings.Replace(base, base[strings.Index(base, "    lifecycle:"):strings.Index(base, "    extensions:")], "", 1)
	if f, err = daemon.LoadRegistries(writeFile(t, "registries.yaml", none)); err != nil {
		t.Fatalf("LoadRegistries without lifecycle = %v", err)
	}
	if got, want := f.Registries[0].LifecycleTerms.WithDefaults(500), (registrar.Lifecycle{}).WithDefaults(500); got != want {
		t.Errorf("without lifecycle: %+v, want the defaults %+v", got, want)
	}

	tests := []struct{ name, from, to, want string }{
		{"model", "expiry_model: delete", "expiry_model: keep", `:7: registries[0].lifecycle.expiry_model: must be "autorenew" or "delete", not "keep"`},
		{"not a duration", "grace: 40d", "grace: a month", ":9: registries[0].lifecycle.grace"},
		{"zero", "redemption: 720h", "redemption: 0s", ":10: registries[0].lifecycle.redemption: must be more than 0"},
		{"too long", "renew_window: 45d", "renew_window: 400d", ":8: registries[0].lifecycle.renew_window: must be more than 0 and at most 90d"},
		{"price", `restore_price: "80.00"`, `restore_price: "eighty"`, ":12: registries[0].lifecycle.restore_price"},
		{"unknown", "grace: 40d", "grace_period: 40d", `unknown field "grace_period"`},
	}
	for _, tt := range tests {
		path := writeFile(t, "registries.yaml", strings.Replace(base, tt.from, tt.to, 1))
		if _, err := daemon.LoadRegistries(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: LoadRegistries = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestLoadRegistriesDefaultNameservers: a registry's default name
// servers are optional, normalised, and checked as a PATCH's are.
func TestLoadRegistriesDefaultNameservers(t *testing.T) {
	t.Parallel()
	base := `registries:
  - name: example
    address: epp.example.net:700
    client_id: openreg
    password: s3cret-pw
    default_nameservers: [NS1.Example.NET., ns2.example.net]
    extensions:
      - {name: de, currency: EUR, registration_price: "5", renewal_price: "5"}
`
	f, err := daemon.LoadRegistries(writeFile(t, "registries.yaml", base))
	if err != nil {
		t.Fatalf("LoadRegistries = %v", err)
	}
	if got, want := f.Registries[0].DefaultNameservers, []string{"ns1.example.net", "ns2.example.net"}; !slices.Equal(got, want) {
		t.Errorf("DefaultNameservers = %q, want %q", got, want)
	}
	for _, tt := range []struct{ name, to, want string }{
		{"one", "default_nameservers: [ns1.example.net]", "registries[0].default_nameservers: must list 2 to 13"},
		{"not a host", "default_nameservers: [ns1.example.net, 'not a host']", "registries[0].default_nameservers.1"},
		{"twice", "default_nameservers: [ns1.example.net, NS1.example.net]", "registries[0].default_nameservers.1"},
	} {
		path := writeFile(t, "registries.yaml", strings.Replace(base, "default_nameservers: [NS1.Example.NET., ns2.example.net]", tt.to, 1))
		if _, err := daemon.LoadRegistries(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: LoadRegistries = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
