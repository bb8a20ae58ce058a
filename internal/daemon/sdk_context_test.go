package daemon_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	cfsbx "github.com/cloudflare/cloudflare-go/v7/registrar_sandbox"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// sdkRecorder is an HTTP transport that keeps every response body the
// SDK reads.
type sdkRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (r *sdkRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return res, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.bodies = append(r.bodies, req.Method+" "+req.URL.Path+" "+string(b))
	r.mu.Unlock()
	return res, nil
}

// TestSDKWorkflowContext reads, as the SDK decodes it, the context of
// each state that has keys of its own in Cloudflare's API reference:
// action_required (action registrant_email_confirmation_pending and the
// masked confirmation_sent_to), blocked (blocked_by and detail, for a
// registry under review and one unreachable) and update workflows
// (fields_updated, and pending_registry_confirmation until applied). No
// response of the story, whatever the endpoint, has the registrant's
// address in full.
func TestSDKWorkflowContext(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) {
			c.API.SyncWait = 200 * time.Millisecond
			c.SandboxDelay = 1500 * time.Millisecond
		})
		rec := &sdkRecorder{}
		c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: rec}))
		verify := *daemon.SampleContact()
		verify.Email = "verify-context@example.com"
		for _, api := range sdkAPIs {
			t.Run(api.env, func(t *testing.T) {
				ctx := t.Context()

				// The sync window is short (for the 202s below): under load
				// New may answer before the workflow reaches action_required.
				domain := sdkName(api.env, "ctx-verify.com")
				st, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain, registrant: &verify})
				if err != nil {
					t.Fatalf("New(%q) = %v", domain, err)
				}
				polled := sdkPollStatus(t, func() (*sdkStatus, error) { return api.registrationStatus(ctx, c, s.account, domain) },
					func(st *sdkStatus) bool { return st.State == "action_required" || st.Completed })
				if polled.State != "action_required" {
					t.Fatalf("RegistrationStatus.Get(%q) = %s, want action_required", domain, polled.State)
				}
				seen := map[string]*sdkStatus{"RegistrationStatus.Get": polled}
				if st.State == "action_required" {
					seen["New"] = st
				}
				for what, st := range seen {
					if st.Context["action"] != "registrant_email_confirmation_pending" || st.Context["confirmation_sent_to"] != "v***@example.com" {
						t.Errorf("%s(%q) context = %v, want action registrant_email_confirmation_pending, confirmation_sent_to v***@example.com", what, domain, st.Context)
					}
				}
				if _, err := api.all(ctx, c, sdkList{account: s.account}); err != nil {
					t.Fatalf("List = %v", err)
				}

				for _, tt := range []struct{ name, detail string }{
					{"pending-ctx.com", "The registry is reviewing the registration."},
					{"outage-ctx.com", "The registry is unreachable; retrying."},
				} {
					domain := sdkName(api.env, tt.name)
					if _, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain, async: true}); err != nil {
						t.Fatalf("New(%q) = %v", domain, err)
					}
					st := sdkPollStatus(t, func() (*sdkStatus, error) { return api.registrationStatus(ctx, c, s.account, domain) },
						func(st *sdkStatus) bool { return st.State == "blocked" || st.Completed })
					if st.State != "blocked" {
						t.Fatalf("RegistrationStatus.Get(%q) = %s, want blocked on the way", domain, st.State)
					}
					want := map[string]any{"domain_name": domain, "blocked_by": "registry", "detail": tt.detail,
						"waiting_on": "registry", "blocked_reason": strings.TrimSuffix(strings.ToLower(tt.detail[:1])+tt.detail[1:], ".")}
					if at, ok := st.Context["next_attempt_at"].(string); ok {
						// A workflow retrying on its own says when (ours);
						// one awaiting the registry's review cannot.
						if _, err := time.Parse(time.RFC3339Nano, at); err != nil || tt.name != "outage-ctx.com" {
							t.Errorf("RegistrationStatus.Get(%q) next_attempt_at = %q (%v), want one only while retrying", domain, at, err)
						}
						want["next_attempt_at"] = at
					} else if tt.name == "outage-ctx.com" {
						t.Errorf("RegistrationStatus.Get(%q) has no next_attempt_at while retrying: %v", domain, st.Context)
					}
					if !mapsEqual(st.Context, want) {
						t.Errorf("RegistrationStatus.Get(%q) blocked context = %v, want %v", domain, st.Context, want)
					}
				}

				domain = sdkName(api.env, "ctx-update.com")
				sdkRegister(t, s, c, api, domain)
				on := true
				st, err = api.edit(ctx, c, sdkEdit{account: s.account, domain: domain, autoRenew: &on, async: true})
				if err != nil || st.Completed {
					t.Fatalf("Edit(%q, respond-async) = %+v, %v; want an update under way", domain, st, err)
				}
				if !slices.Equal(sdkStrings(st.Context["fields_updated"]), []string{"auto_renew"}) || st.Context["pending_registry_confirmation"] != true {
					t.Errorf("Edit(%q) context = %v, want fields_updated [auto_renew], pending_registry_confirmation true", domain, st.Context)
				}
				st = sdkPollStatus(t, func() (*sdkStatus, error) { return api.updateStatus(ctx, c, s.account, domain) },
					func(st *sdkStatus) bool { return st.Completed })
				_, pending := st.Context["pending_registry_confirmation"]
				if st.State != "succeeded" || !slices.Equal(sdkStrings(st.Context["fields_updated"]), []string{"auto_renew"}) || pending {
					t.Errorf("UpdateStatus.Get(%q) = %s %v, want succeeded with fields_updated [auto_renew], no pending_registry_confirmation", domain, st.State, st.Context)
				}
			})
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.bodies) < 10 {
			t.Fatalf("recorded %d responses, want the whole story", len(rec.bodies))
		}
		for _, body := range rec.bodies {
			for _, addr := range []string{verify.Email, daemon.SampleContact().Email} {
				if strings.Contains(body, addr) {
					t.Errorf("a response has the address %s in full: %.300s", addr, body)
				}
			}
		}
	})
}

// TestSDKSandboxRules: the sandbox API keeps Cloudflare's sandbox rules,
// as the SDK's registrar_sandbox documents them: it registers com and net
// only (other extensions answer that registration is not supported, as
// the API reference's registration_not_supported example) and has no
// express mode (a request without contacts.registrant is refused, as its
// missing_contact example, though the account has a default contact).
// The live API, in demo mode, does both. Nothing is stored or charged by
// a refusal, and a sandbox registration leaves the live name free.
func TestSDKSandboxRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	c := sdkClient(s)
	ctx := t.Context()
	tests := []struct {
		name     string
		domain   string
		contacts bool
		msg      string // "": registered
	}{
		{"com with a registrant", "rules-ok.com", true, ""},
		{"net with a registrant", "rules-ok.net", true, ""},
		{"org", "rules.org", true, registrar.MsgExtensionNotOffered},
		{"dev", "rules.dev", true, registrar.MsgExtensionNotOffered},
		{"us", "rules.us", true, registrar.MsgExtensionNotOffered},
		{"com without a registrant", "rules-express.com", false, registrar.MsgRegistrantRequired},
		{"org without a registrant: the extension first", "rules-express.org", false, registrar.MsgExtensionNotOffered},
	}
	for _, tt := range tests {
		params := cfsbx.RegistrationNewParams{AccountID: cloudflare.F(s.account), DomainName: cloudflare.F(tt.domain)}
		if tt.contacts {
			params.Contacts = cloudflare.F(sdkSandboxContacts(daemon.SampleContact()))
		}
		w, err := c.RegistrarSandbox.Registrations.New(ctx, params, option.WithMaxRetries(0))
		if tt.msg == "" {
			if err != nil || w.State != cfsbx.RegistrationNewResponseStateSucceeded {
				t.Errorf("%s: New(%q) = %v, %v; want succeeded", tt.name, tt.domain, w, err)
			}
			continue
		}
		var ae *cloudflare.Error
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || len(ae.Errors) != 1 {
			t.Errorf("%s: New(%q) = %v, %v; want one 400 error", tt.name, tt.domain, w, err)
			continue
		}
		if e := ae.Errors[0]; e.Code != httpapi.CodeValidation || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: New(%q) error = {%d %q}, want {%d %q…}", tt.name, tt.domain, e.Code, e.Message, httpapi.CodeValidation, tt.msg)
		}
		if _, err := c.RegistrarSandbox.RegistrationStatus.Get(ctx, tt.domain, cfsbx.RegistrationStatusGetParams{AccountID: cloudflare.F(s.account)}); !sdkIs404(err) {
			t.Errorf("%s: a refused registration of %s left a workflow: %v", tt.name, tt.domain, err)
		}
	}

	// The live API (demo mode) takes any catalog extension, and express
	// mode; the sandbox's rules.com registration did not take the name.
	for _, domain := range []string{"rules.org", "rules-express.com", "rules-ok.com"} {
		st, err := sdkLive.create(ctx, c, sdkCreate{account: s.account, domain: domain})
		if err != nil || st.State != "succeeded" {
			t.Errorf("live New(%q) without contacts = %+v, %v; want succeeded", domain, st, err)
		}
	}
}

// sdkPollStatus polls get until done holds (or 20 seconds pass) and
// returns the last status.
func sdkPollStatus(t *testing.T, get func() (*sdkStatus, error), done func(*sdkStatus) bool) *sdkStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := get()
		if err != nil {
			t.Fatalf("status: %v", err)
		}
		if done(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sdkStrings is a JSON array of strings as the SDK decodes it.
func sdkStrings(v any) []string {
	a, _ := v.([]any)
	var out []string
	for _, s := range a {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sdkIs404(err error) bool {
	var ae *cloudflare.Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// TestSandboxExtensionsSetting: --sandbox-extensions replaces com and net
// as the extensions the sandbox registers, and names only extensions the
// catalog sells through the API.
func TestSandboxExtensionsSetting(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.SandboxExtensions = " .org,NET " })
	for domain, want := range map[string]int{"setting.org": http.StatusCreated, "setting.net": http.StatusCreated, "setting.com": http.StatusBadRequest} {
		if r := s.register("registrar-sandbox", domain); r.Status != want {
			t.Errorf("POST %s = %d %s, want %d", domain, r.Status, r.Body, want)
		}
	}

	for list, msg := range map[string]string{
		"com,io": "--sandbox-extensions: .io is not an extension the catalog sells through the API",
		"com,fr": "--sandbox-extensions: .fr is not an extension the catalog sells through the API",
		" , ":    "--sandbox-extensions names no extension",
	} {
		cfg := daemon.DefaultConfig()
		cfg.Listen, cfg.DataDir, cfg.SandboxExtensions, cfg.Logger = "127.0.0.1:0", t.TempDir(), list, testLogger(t)
		d, err := daemon.Start(t.Context(), cfg)
		if err == nil {
			d.Stop(t.Context())
			t.Errorf("Start with --sandbox-extensions %q succeeded, want an error", list)
		} else if !strings.Contains(err.Error(), msg) {
			t.Errorf("Start with --sandbox-extensions %q = %v, want it to say %q", list, err, msg)
		}
	}
}
