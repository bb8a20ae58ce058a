package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
)

// RegistriesFile is the --registries file: which registry serves which
// extension, and how to reach it over EPP. YAML, strictly decoded.
//
//	registries:
//	  - name: example
//	    address: epp.example.net:700
//	    client_id: openreg
//	    password_file: /etc/registrar/example.pw
//	    client_cert: /etc/registrar/client.pem
//	    client_key: /etc/registrar/client-key.pem
//	    ca: /etc/registrar/example-ca.pem
//	    pool_size: 4
//	    rate_limit: 10
//	    contact_extensions: neulevel
//	    lifecycle: {expiry_model: autorenew, renew_window: 30d, grace: 30d, redemption: 30d, pending_delete: 5d, restore_price: "40.00"}
//	    extensions:
//	      - {name: com, min_years: 1, max_years: 10, currency: USD, registration_price: "10.44", renewal_price: "10.44"}
type RegistriesFile struct {
	Registries []RegistryConfig `yaml:"registries"`
}

// RegistryConfig is one registry.
type RegistryConfig struct {
	Name     string `yaml:"name"`
	Address  string `yaml:"address"` // host:port of the EPP server
	ClientID string `yaml:"client_id"`
	// Password, or PasswordFile naming a file that holds it (preferred:
	// the file can be a mounted secret).
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	// ClientCert and ClientKey are the TLS client certificate presented to
	// the registry; CA verifies the registry's certificate (the system
	// roots when empty); ServerName overrides the name verified.
	ClientCert string `yaml:"client_cert"`
	ClientKey  string `yaml:"client_key"`
	CA         string `yaml:"ca"`
	ServerName string `yaml:"server_name"`
	// PoolSize is the number of EPP sessions (1 to 100) [2]. On
	// PostgreSQL it is the total for all replicas (sessionGate).
	PoolSize int `yaml:"pool_size"`
	// RateLimit is commands per second over all sessions [10]; RateBurst
	// the bucket size [RateLimit].
	RateLimit float64 `yaml:"rate_limit"`
	RateBurst int     `yaml:"rate_burst"`
	// KeepAlive is the idle time after which a session sends <hello> [4m];
	// keep it below the registry's idle timeout.
	KeepAlive time.Duration `yaml:"keepalive"`
	// QueryTimeout and TransformTimeout bound one command [10s, 20s: ICANN's
	// SLA counts a command as unanswered after five times its 2 s and 4 s
	// targets]. A transform that times out has an unknown outcome.
	QueryTimeout     time.Duration `yaml:"query_timeout"`
	TransformTimeout time.Duration `yaml:"transform_timeout"`
	// ContactExtensions is how the registry takes the contact_extensions
	// of a registration (the .us nexus): "neulevel" (NeuLevel's key=value
	// EPP extension on the registrant's contact create), or empty when it
	// takes none; then a request carrying any for its extensions is
	// refused with a 400 at /contact_extensions, never silently dropped.
	ContactExtensions string `yaml:"contact_extensions"`
	// Lifecycle is how the registry treats its domains after their
	// first term; each field is optional [registrar.Lifecycle.WithDefaults].
	Lifecycle LifecycleConfig `yaml:"lifecycle"`
	// DefaultNameservers are the name servers a registration of this
	// registry's extensions gets when its request names none: 2 to 13
	// host names, or none (such a registration then has no name servers
	// until a PATCH sets them).
	DefaultNameservers []string `yaml:"default_nameservers"`
	// Extensions are the extensions this registry serves.
	Extensions []ExtensionConfig `yaml:"extensions"`

	// LifecycleTerms is Lifecycle as LoadRegistries checked it, its zero
	// fields for the defaults; RestoreCents is in each extension's
	// currency.
	LifecycleTerms registrar.Lifecycle `yaml:"-"`
}

// LifecycleConfig is a registry's lifecycle settings. The periods are
// durations with days allowed: 30d, 720h, 5d12h.
type LifecycleConfig struct {
	// ExpiryModel is autorenew (the registry renews at expiry and credits
	// a delete in its grace period: most gTLDs) or delete (the registry
	// deletes at the end of the grace period: many ccTLDs) [autorenew].
	ExpiryModel string `yaml:"expiry_model"`
	// RenewWindow is how long before expiry auto-renew renews [30d].
	RenewWindow string `yaml:"renew_window"`
	// Grace is the auto-renew grace period after expiry [30d].
	Grace string `yaml:"grace"`
	// Redemption is the redemption grace period (RFC 3915) [30d].
	Redemption string `yaml:"redemption"`
	// PendingDelete is how long a domain stays pendingDelete [5d].
	PendingDelete string `yaml:"pending_delete"`
	// RestorePrice is the restore fee, a decimal amount in each
	// extension's currency [four years of its renewal price].
	RestorePrice string `yaml:"restore_price"`
}

// maxLifecyclePeriod bounds each lifecycle period of the file.
const maxLifecyclePeriod = 365 * 24 * time.Hour

// parseDays parses a Go duration in which d (24 h) may also be used.
func parseDays(s string) (time.Duration, error) {
	var total time.Duration
	rest := strings.TrimSpace(s)
	if i := strings.Index(rest, "d"); i >= 0 {
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		total, rest = time.Duration(n)*24*time.Hour, rest[i+1:]
		if rest == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(rest)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	return total + d, nil
}

// check validates c into r.LifecycleTerms, reporting each
// bad field with bad.
func (c LifecycleConfig) check(r *RegistryConfig, bad func(field, format string, args ...any)) {
	switch m := registrar.ExpiryModel(c.ExpiryModel); m {
	case "", registrar.ExpiryAutoRenew, registrar.ExpiryDelete:
		r.LifecycleTerms.Model = m
	default:
		bad("expiry_model", `must be "autorenew" or "delete", not %q`, c.ExpiryModel)
	}
	for _, p := range []struct {
		field, v string
		dst      *time.Duration
		max      time.Duration
	}{
		{"renew_window", c.RenewWindow, &r.LifecycleTerms.RenewWindow, registrar.MaxRenewWindow},
		{"grace", c.Grace, &r.LifecycleTerms.Grace, maxLifecyclePeriod},
		{"redemption", c.Redemption, &r.LifecycleTerms.Redemption, maxLifecyclePeriod},
		{"pending_delete", c.PendingDelete, &r.LifecycleTerms.PendingDelete, maxLifecyclePeriod},
	} {
		if p.v == "" {
			continue
		}
		d, err := parseDays(p.v)
		switch {
		case err != nil:
			bad(p.field, "%v: want a duration such as 30d or 720h", err)
		case d <= 0 || d > p.max:
			bad(p.field, "must be more than 0 and at most %dd, not %s", p.max/(24*time.Hour), p.v)
		default:
			*p.dst = d
		}
	}
	if c.RestorePrice != "" {
		cents, ok := registrar.ParseCents(c.RestorePrice)
		if !ok || cents <= 0 {
			bad("restore_price", "must be a decimal amount such as \"40.00\"")
		}
		r.LifecycleTerms.RestoreCents = cents
	}
}

// ExtensionConfig is one extension of a registry.
type ExtensionConfig struct {
	Name              string `yaml:"name"`
	MinYears          int    `yaml:"min_years"`
	MaxYears          int    `yaml:"max_years"`
	Currency          string `yaml:"currency"`
	RegistrationPrice string `yaml:"registration_price"` // decimal, per year
	RenewalPrice      string `yaml:"renewal_price"`
}

// LoadRegistries reads and checks a registries file. Every error names the
// file, the line and the field.
func LoadRegistries(path string) (*RegistriesFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f RegistriesFile
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			// The decoder's message may name the Go type rather than the
			// field; the line itself names the field.
			line := ye.GetToken().Position.Line
			src := ""
			if lines := strings.Split(string(data), "\n"); line >= 1 && line <= len(lines) {
				src = " (" + strings.TrimSpace(lines[line-1]) + ")"
			}
			return nil, fmt.Errorf("%s:%d: %s%s", path, line, ye.GetMessage(), src)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		line := 0
		if p, err := yaml.PathString("$." + field); err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil {
				line = n.GetToken().Position.Line
			}
		}
		errs = append(errs, fmt.Errorf("%s:%d: %s: %s", path, line, field, fmt.Sprintf(format, args...)))
	}
	if len(f.Registries) == 0 {
		bad("registries", "no registries listed")
	}
	names := map[string]bool{}
	served := map[string]string{}
	for i := range f.Registries {
		r := &f.Registries[i]
		at := func(field string) string { return fmt.Sprintf("registries[%d].%s", i, field) }
		switch {
		case r.Name == "":
			bad(at("name"), "is required")
		case names[r.Name]:
			bad(at("name"), "%q is used twice", r.Name)
		}
		names[r.Name] = true
		if host, port, err := net.SplitHostPort(r.Address); err != nil || host == "" || port == "" {
			bad(at("address"), "must be host:port, such as epp.example.net:700")
		}
		if n := len(r.ClientID); n < 3 || n > 16 {
			bad(at("client_id"), "must be 3 to 16 characters (EPP clIDType)")
		}
		switch {
		case r.Password != "" && r.PasswordFile != "":
			bad(at("password_file"), "give password or password_file, not both")
		case r.PasswordFile != "":
			pw, err := os.ReadFile(r.PasswordFile)
			if err != nil {
				bad(at("password_file"), "%v", err)
			}
			r.Password, r.PasswordFile = strings.TrimRight(string(pw), "\r\n"), ""
		case r.Password == "":
			bad(at("password"), "is required (or password_file)")
		}
		if r.Password != "" && (len(r.Password) < 6 || len(r.Password) > 16) {
			bad(at("password"), "must be 6 to 16 characters (EPP pwType)")
		}
		if (r.ClientCert == "") != (r.ClientKey == "") {
			bad(at("client_key"), "client_cert and client_key go together")
		}
		for _, p := range []struct{ field, path string }{{"client_cert", r.ClientCert}, {"client_key", r.ClientKey}, {"ca", r.CA}} {
			if p.path != "" {
				if _, err := os.Stat(p.path); err != nil {
					bad(at(p.field), "%v", err)
				}
			}
		}
		if r.PoolSize == 0 {
			r.PoolSize = 2
		}
		if r.PoolSize < 1 || r.PoolSize > 100 {
			bad(at("pool_size"), "must be between 1 and 100")
		}
		if r.RateLimit == 0 {
			r.RateLimit = 10
		}
		if r.RateLimit < 0 {
			bad(at("rate_limit"), "must be positive")
		}
		if r.RateBurst == 0 {
			r.RateBurst = max(1, int(r.RateLimit))
		}
		if r.KeepAlive == 0 {
			r.KeepAlive = 4 * time.Minute
		}
		if r.KeepAlive < time.Second {
			bad(at("keepalive"), "must be at least 1s")
		}
		if r.QueryTimeout < 0 || (r.QueryTimeout > 0 && r.QueryTimeout < 100*time.Millisecond) {
			bad(at("query_timeout"), "must be at least 100ms")
		}
		if r.TransformTimeout < 0 || (r.TransformTimeout > 0 && r.TransformTimeout < 100*time.Millisecond) {
			bad(at("transform_timeout"), "must be at least 100ms")
		}
		switch eppregistry.ContactExtensionForm(r.ContactExtensions) {
		case eppregistry.FormNone, eppregistry.FormNeuLevel:
		default:
			bad(at("contact_extensions"), `must be "neulevel" or empty, not %q`, r.ContactExtensions)
		}
		r.Lifecycle.check(r, func(field, format string, args ...any) { bad(at("lifecycle."+field), format, args...) })
		if len(r.DefaultNameservers) > 0 {
			ns, errs := registrar.ValidateNameservers("", r.DefaultNameservers, func(s string) (string, error) {
				h, err := domainname.ParseHost(s)
				return h.ASCII, err
			})
			for _, fe := range errs {
				bad(at("default_nameservers"+strings.ReplaceAll(fe.Pointer, "/", ".")), "%s", fe.Message)
			}
			r.DefaultNameservers = ns
		}
		if len(r.Extensions) == 0 {
			bad(at("extensions"), "no extensions listed")
		}
		for j := range r.Extensions {
			e := &r.Extensions[j]
			ea := func(field string) string { return at(fmt.Sprintf("extensions[%d].%s", j, field)) }
			name, err := domainname.ParseExtension(e.Name)
			if err != nil {
				bad(ea("name"), "%v", err)
			} else if other, ok := served[name]; ok {
				bad(ea("name"), ".%s is already served by %s", name, other)
			}
			e.Name = name
			served[name] = r.Name
			if e.MinYears == 0 {
				e.MinYears = 1
			}
			if e.MaxYears == 0 {
				e.MaxYears = 10
			}
			if e.MinYears < 1 || e.MaxYears > 10 || e.MinYears > e.MaxYears {
				bad(ea("min_years"), "years must satisfy 1 <= min_years <= max_years <= 10")
			}
			if !registrar.ValidCurrency(e.Currency) {
				bad(ea("currency"), "must be an ISO 4217 code such as USD")
			}
			for _, p := range []struct{ field, v string }{{"registration_price", e.RegistrationPrice}, {"renewal_price", e.RenewalPrice}} {
				if _, ok := registrar.ParseCents(p.v); !ok {
					bad(ea(p.field), "must be a decimal amount such as \"10.44\"")
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &f, nil
}
