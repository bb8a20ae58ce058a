package daemon_test

// Conformance tests through the official Cloudflare Go SDK: the server must
// be wire-compatible with Cloudflare's Registrar API, so that the SDK's
// registrar and registrar_sandbox services work against it unchanged. Every
// object the SDK decodes is checked field by field with the SDK's own
// decoding metadata (`.JSON.<Field>`), not only for the values the tests
// look at.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/packages/pagination"
	cfreg "github.com/cloudflare/cloudflare-go/v7/registrar"
	cfsbx "github.com/cloudflare/cloudflare-go/v7/registrar_sandbox"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/openapi/openapitest"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestSDKCreate registers names of every immediate outcome through New: a
// completed registration answers 201, an action_required one 202, and the
// status is the same through RegistrationStatus.Get and links.self.
func TestSDKCreate(t *testing.T) {
	t.Parallel()
	verify := *daemon.SampleContact()
	verify.Email = "verify-grace@example.com"
	tests := []struct {
		name       string
		domain     string
		years      int64
		registrant *registrar.Contact
		code       int    // HTTP status
		state      string // workflow state
		errCode    string // workflow error.code when failed
	}{
		{"plain", "sdk-plain.com", 0, nil, http.StatusCreated, "succeeded", ""},
		{"two years", "sdk-two-years.net", 2, nil, http.StatusCreated, "succeeded", ""},
		{"reject", "reject-sdk.org", 0, nil, http.StatusCreated, "failed", registrar.CodeRegistryRejected},
		{"taken", "taken-sdk.com", 0, nil, http.StatusCreated, "failed", registrar.CodeDomainUnavailable},
		{"verify email", "sdk-verify.dev", 0, &verify, http.StatusAccepted, "action_required", ""},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, sdkLongSyncWait)
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			for _, tt := range tests {
				t.Run(api.env+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					domain := sdkName(api.env, tt.domain)
					var res *http.Response
					st, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain, years: tt.years, registrant: tt.registrant},
						option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("New(%q) = %v, want a status", domain, err)
					}
					if res.StatusCode != tt.code {
						t.Errorf("New(%q) HTTP status = %d, want %d", domain, res.StatusCode, tt.code)
					}
					if got := res.Header.Get("Preference-Applied"); got != "" {
						t.Errorf("New(%q) without Prefer: Preference-Applied = %q, want none", domain, got)
					}
					what := "New(" + domain + ")"
					sdkCheckStatus(t, what, st, s.account, api.env, domain, "registration-status")
					if st.State != tt.state || st.ErrorCode != tt.errCode {
						t.Fatalf("New(%q) = state %s error %q (%s), want %s error %q", domain, st.State, st.ErrorCode, st.ErrorMessage, tt.state, tt.errCode)
					}
					switch tt.state {
					case "succeeded":
						g := sdkContextRegistration(t, what, st)
						if g == nil {
							t.Fatalf("New(%q) succeeded without context.registration: %v", domain, st.Context)
						}
						sdkCheckRegistration(t, what+".context.registration", g, domain)
						years := tt.years
						if years == 0 {
							years = 1
						}
						if g.Status != "active" || g.ExpiresAt.Year()-g.CreatedAt.Year() != int(years) || g.AutoRenew || g.PrivacyMode != "redaction" {
							t.Errorf("New(%q) context.registration = %+v, want active for %d years, auto_renew false, privacy redaction", domain, g, years)
						}
						got, err := api.get(ctx, c, s.account, domain)
						if err != nil {
							t.Fatalf("Get(%q) = %v, want the registration", domain, err)
						}
						sdkCheckRegistration(t, "Get("+domain+")", got, domain)
						if diff := cmp.Diff(g, got, sdkRegCmp); diff != "" {
							t.Errorf("Get(%q) differs from the status's context.registration (-want +got):\n%s", domain, diff)
						}
					case "action_required":
						if st.Context["action"] != registrar.ActionRegistrantEmailConfirmationPending || st.Context["confirmation_sent_to"] != registrar.MaskEmail(verify.Email) {
							t.Errorf("New(%q) context = %v, want action %s sent to %s", domain, st.Context, registrar.ActionRegistrantEmailConfirmationPending, verify.Email)
						}
					}
					again, err := api.registrationStatus(ctx, c, s.account, domain)
					if err != nil {
						t.Fatalf("RegistrationStatus.Get(%q) = %v, want the status", domain, err)
					}
					sdkCheckStatus(t, "RegistrationStatus.Get("+domain+")", again, s.account, api.env, domain, "registration-status")
					if diff := cmp.Diff(st, again, sdkStatusCmp); diff != "" {
						t.Errorf("RegistrationStatus.Get(%q) differs from New's answer (-want +got):\n%s", domain, diff)
					}
					sdkFollow(t, s, c, what, st)
				})
			}
		}
	})
}

// TestSDKCreateAsync covers the two 202s: a registration that outlasts
// the sync window, and Prefer: respond-async. The status is the same
// workflow as the one polled afterwards.
func TestSDKCreateAsync(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		domain  string
		async   bool
		pending bool // the registration is still registration_pending after the 202
	}{
		{"outlasts sync window", "slow-sdk.com", false, true},
		{"respond-async", "sdk-async.com", true, false},
		{"respond-async and slow", "slow-sdk-async.org", true, true},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) {
			c.API.SyncWait = 200 * time.Millisecond
			c.SandboxDelay = 1500 * time.Millisecond
		})
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			for _, tt := range tests {
				t.Run(api.env+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					domain := sdkName(api.env, tt.domain)
					var res *http.Response
					st, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain, async: tt.async}, option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("New(%q) = %v, want a status", domain, err)
					}
					what := "New(" + domain + ")"
					if res.StatusCode != http.StatusAccepted {
						t.Errorf("New(%q) HTTP status = %d, want 202", domain, res.StatusCode)
					}
					wantApplied := ""
					if tt.async {
						wantApplied = "respond-async"
					}
					if got := res.Header.Get("Preference-Applied"); got != wantApplied {
						t.Errorf("New(%q) Preference-Applied = %q, want %q", domain, got, wantApplied)
					}
					sdkCheckStatus(t, what, st, s.account, api.env, domain, "registration-status")
					if st.Completed || st.State == "failed" || st.State == "succeeded" {
						t.Errorf("New(%q) = %s (completed %v), want a status not completed", domain, st.State, st.Completed)
					}
					if tt.pending {
						g, err := api.get(ctx, c, s.account, domain)
						if err != nil {
							t.Fatalf("Get(%q) = %v, want the pending registration", domain, err)
						}
						sdkCheckRegistration(t, "Get("+domain+")", g, domain)
						if g.Status != "registration_pending" || g.expires.IsMissing() || !g.expires.IsNull() {
							t.Errorf("Get(%q) = status %s expires_at %s, want registration_pending with expires_at null", domain, g.Status, g.expires.Raw())
						}
					}
					if last := s.waitState(api.env, domain, 15*time.Second, completed); last.State != registrar.StateSucceeded {
						t.Fatalf("%s ended %s, want succeeded", domain, last.State)
					}
					done, err := api.registrationStatus(ctx, c, s.account, domain)
					if err != nil {
						t.Fatalf("RegistrationStatus.Get(%q) = %v, want the status", domain, err)
					}
					sdkCheckStatus(t, "RegistrationStatus.Get("+domain+")", done, s.account, api.env, domain, "registration-status")
					if diff := cmp.Diff(sdkIdentity(st), sdkIdentity(done)); diff != "" {
						t.Errorf("RegistrationStatus.Get(%q) is not the workflow New answered with (-want +got):\n%s", domain, diff)
					}
					g, err := api.get(ctx, c, s.account, domain)
					if err != nil {
						t.Fatalf("Get(%q) = %v, want the registration", domain, err)
					}
					sdkCheckRegistration(t, "Get("+domain+")", g, domain)
					if g.Status != "active" {
						t.Errorf("Get(%q).Status = %s, want active", domain, g.Status)
					}
					sdkFollow(t, s, c, "RegistrationStatus.Get("+domain+")", done)
				})
			}
		}
	})
}

// TestSDKList registers seven names and lists them three to a page, in
// every order, page by page and with ListAutoPaging.
func TestSDKList(t *testing.T) {
	t.Parallel()
	labels := []string{"g", "c", "a", "f", "b", "e", "d"} // registration order differs from name order
	byName := func(a, b *sdkReg) int { return strings.Compare(a.DomainName, b.DomainName) }
	byCreated := func(a, b *sdkReg) int { return a.CreatedAt.Compare(b.CreatedAt) }
	byExpires := func(a, b *sdkReg) int { return a.ExpiresAt.Compare(b.ExpiresAt) }
	tests := []struct {
		name      string
		sortBy    string
		direction string
		cmp       func(a, b *sdkReg) int
		desc      bool
	}{
		{"default", "", "", byCreated, false},
		{"name asc", "name", "asc", byName, false},
		{"name desc", "name", "desc", byName, true},
		{"name default direction", "name", "", byName, false},
		{"registry_created_at asc", "registry_created_at", "asc", byCreated, false},
		{"registry_created_at desc", "registry_created_at", "desc", byCreated, true},
		{"registry_expires_at asc", "registry_expires_at", "asc", byExpires, false},
		{"registry_expires_at desc", "registry_expires_at", "desc", byExpires, true},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			t.Run(api.env, func(t *testing.T) {
				t.Parallel()
				var domains []string
				for _, l := range labels {
					domain := sdkName(api.env, "sdk-list-"+l+".com")
					sdkRegister(t, s, c, api, domain)
					domains = append(domains, domain)
				}
				slices.Sort(domains)
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						t.Parallel()
						q := sdkList{account: s.account, sortBy: tt.sortBy, direction: tt.direction, perPage: 3}
						pages, err := api.pages(t.Context(), c, q)
						if err != nil {
							t.Fatalf("List(%+v) and GetNextPage = %v after %d pages", q, err, len(pages))
						}
						var sizes []int
						var paged []*sdkReg
						for i, p := range pages {
							what := "List page " + strconv.Itoa(i+1)
							sizes = append(sizes, len(p.items))
							sdkCheckFields(t, what, p.obj)
							sdkCheckFields(t, what+".result_info", p.info)
							last := i == len(pages)-1
							if p.count != int64(len(p.items)) || p.perPage != 3 || (p.cursor == "") != last {
								t.Errorf("%s result_info = {count %d, per_page %d, cursor %q}, want {%d, 3, cursor empty only on the last page}",
									what, p.count, p.perPage, p.cursor, len(p.items))
							}
							for _, g := range p.items {
								sdkCheckRegistration(t, what, g, g.DomainName)
								if g.Status != "active" {
									t.Errorf("%s: %s status = %s, want active", what, g.DomainName, g.Status)
								}
							}
							paged = append(paged, p.items...)
						}
						if want := []int{3, 3, 1}; !slices.Equal(sizes, want) {
							t.Errorf("List(%+v) page sizes = %v, want %v", q, sizes, want)
						}
						auto, err := api.all(t.Context(), c, q)
						if err != nil {
							t.Fatalf("ListAutoPaging(%+v) = %v", q, err)
						}
						if diff := cmp.Diff(sdkNames(paged), sdkNames(auto)); diff != "" {
							t.Errorf("ListAutoPaging(%+v) differs from the pages (-pages +auto):\n%s", q, diff)
						}
						if got := slices.Sorted(slices.Values(sdkNames(auto))); !slices.Equal(got, domains) {
							t.Errorf("ListAutoPaging(%+v) = %v, want each of %v exactly once", q, sdkNames(auto), domains)
						}
						order := tt.cmp
						if tt.desc {
							order = func(a, b *sdkReg) int { return tt.cmp(b, a) }
						}
						if !slices.IsSortedFunc(auto, order) {
							t.Errorf("ListAutoPaging(%+v) = %v, not in %s order", q, sdkNames(auto), tt.name)
						}
					})
				}
			})
		}
	})
}

// TestSDKEdit turns auto_renew on and off through Edit, and reads it back
// through the update status, Get and links.self; then checks that an
// edit with respond-async answers 202 at once.
func TestSDKEdit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, sdkLongSyncWait)
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			t.Run(api.env, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				domain := sdkName(api.env, "sdk-edit.com")
				sdkRegister(t, s, c, api, domain)
				for _, autoRenew := range []bool{true, false} {
					var res *http.Response
					what := "Edit(" + domain + ", auto_renew " + strconv.FormatBool(autoRenew) + ")"
					st, err := api.edit(ctx, c, sdkEdit{account: s.account, domain: domain, autoRenew: &autoRenew}, option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("%s = %v, want a status", what, err)
					}
					if res.StatusCode != http.StatusOK {
						t.Errorf("%s HTTP status = %d, want 200", what, res.StatusCode)
					}
					sdkCheckStatus(t, what, st, s.account, api.env, domain, "update-status")
					if st.State != "succeeded" {
						t.Fatalf("%s = %s (%s %s), want succeeded", what, st.State, st.ErrorCode, st.ErrorMessage)
					}
					g := sdkContextRegistration(t, what, st)
					if g == nil {
						t.Fatalf("%s succeeded without context.registration: %v", what, st.Context)
					}
					sdkCheckRegistration(t, what+".context.registration", g, domain)
					if g.AutoRenew != autoRenew {
						t.Errorf("%s context.registration.auto_renew = %v, want %v", what, g.AutoRenew, autoRenew)
					}
					upd, err := api.updateStatus(ctx, c, s.account, domain)
					if err != nil {
						t.Fatalf("UpdateStatus.Get(%q) = %v, want the status", domain, err)
					}
					sdkCheckStatus(t, "UpdateStatus.Get("+domain+")", upd, s.account, api.env, domain, "update-status")
					if diff := cmp.Diff(st, upd, sdkStatusCmp); diff != "" {
						t.Errorf("UpdateStatus.Get(%q) differs from %s (-want +got):\n%s", domain, what, diff)
					}
					got, err := api.get(ctx, c, s.account, domain)
					if err != nil {
						t.Fatalf("Get(%q) = %v, want the registration", domain, err)
					}
					sdkCheckRegistration(t, "Get("+domain+")", got, domain)
					if got.AutoRenew != autoRenew {
						t.Errorf("Get(%q).AutoRenew = %v, want %v", domain, got.AutoRenew, autoRenew)
					}
					sdkFollow(t, s, c, what, st)
				}
				// Edit without auto_renew (both SDKs make it optional and
				// send {}): a completed update that changes nothing.
				before, err := api.get(ctx, c, s.account, domain)
				if err != nil {
					t.Fatal(err)
				}
				var noop *http.Response
				st, err := api.edit(ctx, c, sdkEdit{account: s.account, domain: domain}, option.WithResponseInto(&noop))
				if err != nil || noop.StatusCode != http.StatusOK || st.State != "succeeded" || !st.Completed {
					t.Fatalf("Edit(%q) without auto_renew = %v, %v; want 200 succeeded", domain, st, err)
				}
				sdkCheckStatus(t, "Edit("+domain+") without auto_renew", st, s.account, api.env, domain, "update-status")
				if g := sdkContextRegistration(t, "Edit without auto_renew", st); g == nil || !cmp.Equal(g, before, sdkRegCmp) {
					t.Errorf("Edit(%q) without auto_renew: context.registration = %+v, want the registration as it was, %+v", domain, g, before)
				}
				if after, err := api.get(ctx, c, s.account, domain); err != nil || !cmp.Equal(after, before, sdkRegCmp) {
					t.Errorf("Get(%q) after Edit without auto_renew = %+v, %v; want it unchanged, %+v", domain, after, err, before)
				}
				if upd, err := api.updateStatus(ctx, c, s.account, domain); err != nil || !cmp.Equal(sdkIdentity(upd), sdkIdentity(st)) {
					t.Errorf("UpdateStatus.Get(%q) after Edit without auto_renew = %v, %v; want that update", domain, upd, err)
				}

				// The registration's own workflow is untouched by updates.
				reg, err := api.registrationStatus(ctx, c, s.account, domain)
				if err != nil {
					t.Fatalf("RegistrationStatus.Get(%q) = %v", domain, err)
				}
				sdkCheckStatus(t, "RegistrationStatus.Get("+domain+")", reg, s.account, api.env, domain, "registration-status")

				on := true
				var res *http.Response
				st, err = api.edit(ctx, c, sdkEdit{account: s.account, domain: domain, autoRenew: &on, async: true}, option.WithResponseInto(&res))
				if err != nil {
					t.Fatalf("Edit(%q) with respond-async = %v, want a status", domain, err)
				}
				if res.StatusCode != http.StatusAccepted || res.Header.Get("Preference-Applied") != "respond-async" {
					t.Errorf("Edit(%q) with respond-async = %d, Preference-Applied %q; want 202, respond-async", domain, res.StatusCode, res.Header.Get("Preference-Applied"))
				}
				sdkCheckStatus(t, "Edit("+domain+") with respond-async", st, s.account, api.env, domain, "update-status")
				if st.Completed {
					t.Errorf("Edit(%q) with respond-async = %s, want not completed", domain, st.State)
				}
				upd, err := api.updateStatus(ctx, c, s.account, domain)
				if err != nil {
					t.Fatalf("UpdateStatus.Get(%q) = %v, want the status", domain, err)
				}
				if diff := cmp.Diff(sdkIdentity(st), sdkIdentity(upd)); diff != "" {
					t.Errorf("UpdateStatus.Get(%q) is not the latest update (-want +got):\n%s", domain, diff)
				}
			})
		}
	})
}

// TestSDKIdempotent calls New twice for one domain: the second call gets
// the first call's workflow and the registry sees one create.
func TestSDKIdempotent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		domain     string
		firstAsync bool
	}{
		{"sync then sync", "sdk-twice.com", false},
		{"async then sync", "sdk-twice-async.com", true},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, sdkLongSyncWait)
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			for _, tt := range tests {
				t.Run(api.env+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					domain := sdkName(api.env, tt.domain)
					first, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain, async: tt.firstAsync})
					if err != nil {
						t.Fatalf("New(%q) = %v, want a status", domain, err)
					}
					var res *http.Response
					second, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain}, option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("New(%q) again = %v, want the first workflow", domain, err)
					}
					// Any 2xx is a success to the SDK; a repeat is 200, not 201.
					if res.StatusCode != http.StatusOK || second.State != "succeeded" {
						t.Errorf("New(%q) again = %d %s, want 200 succeeded", domain, res.StatusCode, second.State)
					}
					sdkCheckStatus(t, "New("+domain+") again", second, s.account, api.env, domain, "registration-status")
					if diff := cmp.Diff(sdkIdentity(first), sdkIdentity(second)); diff != "" {
						t.Errorf("New(%q) again is another workflow (-first +second):\n%s", domain, diff)
					}
					third, err := api.create(ctx, c, sdkCreate{account: s.account, domain: domain})
					if err != nil {
						t.Fatalf("New(%q) a third time = %v", domain, err)
					}
					if diff := cmp.Diff(second, third, sdkStatusCmp); diff != "" {
						t.Errorf("New(%q) after success changed the status (-second +third):\n%s", domain, diff)
					}
					if n := s.creates(domain); n != 1 {
						t.Errorf("creates(%q) = %d, want 1", domain, n)
					}
				})
			}
		}
	})
}

// TestSDKErrors checks that errors come back as *cloudflare.Error with the
// envelope's errors, and that the SDK sends each request once: none of
// these can be fixed by a retry.
func TestSDKErrors(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error
	tests := []struct {
		name    string
		call    call
		status  int
		code    int64  // errors[0].code; 0 for any
		pointer string // errors[0].source.pointer; "" for not checked
	}{
		{"Get with another account's ID", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.get(ctx, c, e.other, e.domain)
			return err
		}, http.StatusNotFound, 7003, ""},
		{"RegistrationStatus.Get with another account's ID", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.registrationStatus(ctx, c, e.other, e.domain)
			return err
		}, http.StatusNotFound, 7003, ""},
		{"New with another account's ID", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.other, domain: "sdk-other-" + e.domain})
			return err
		}, http.StatusNotFound, 7003, ""},
		{"Get with another account's token", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.get(ctx, c, e.account, e.domain, option.WithAPIToken(e.otherToken))
			return err
		}, http.StatusNotFound, 7003, ""},
		{"Get of another account's domain", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.get(ctx, c, e.other, e.domain, option.WithAPIToken(e.otherToken))
			return err
		}, http.StatusNotFound, 10000, ""},
		{"Get of an unknown domain", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.get(ctx, c, e.account, "sdk-never-registered.com")
			return err
		}, http.StatusNotFound, 10000, ""},
		{"Edit of an unknown domain", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.edit(ctx, c, sdkEdit{account: e.account, domain: "sdk-never-registered.com"})
			return err
		}, http.StatusNotFound, 10000, ""},
		{"RegistrationStatus.Get of an unknown domain", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.registrationStatus(ctx, c, e.account, "sdk-never-registered.com")
			return err
		}, http.StatusNotFound, 10000, ""},
		{"UpdateStatus.Get with no update", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.updateStatus(ctx, c, e.account, e.domain)
			return err
		}, http.StatusNotFound, 10000, ""},
		{"List with per_page 51", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.pages(ctx, c, sdkList{account: e.account, perPage: 51})
			return err
		}, http.StatusBadRequest, 10000, ""},
		{"New without domain_name", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-missing.com"}, option.WithJSONDel("domain_name"))
			return err
		}, http.StatusBadRequest, 10000, "/domain_name"},
		{"New with a domain_name of the wrong type", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-type-" + e.domain}, option.WithJSONSet("domain_name", 7))
			return err
		}, http.StatusBadRequest, 10000, "/domain_name"},
		{"New on an unsupported extension", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-unsupported.io"})
			return err
		}, http.StatusBadRequest, 10000, "/domain_name"},
		{"invalid token", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.get(ctx, c, e.account, e.domain, option.WithAPIToken("not-a-token"))
			return err
		}, http.StatusUnauthorized, 10000, ""},
		{"New with years out of range", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-years-" + e.domain, years: 11})
			return err
		}, http.StatusBadRequest, 10000, "/years"},
		{"New with a malformed domain name", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "not a domain"})
			return err
		}, http.StatusBadRequest, 10000, "/domain_name"},
		{"New with an unknown privacy mode", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-privacy-" + e.domain, privacy: "bogus"})
			return err
		}, http.StatusBadRequest, 10000, "/privacy_mode"},
		{"New with an unknown field", func(ctx context.Context, c *cloudflare.Client, api sdkAPI, e sdkErrEnv) error {
			_, err := api.create(ctx, c, sdkCreate{account: e.account, domain: "sdk-field-" + e.domain}, option.WithJSONSet("colour", "blue"))
			return err
		}, http.StatusBadRequest, 10000, "/colour"},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		other, otherToken := s.newAccount("other", daemon.SampleContact())
		c := sdkClient(s)
		for _, api := range sdkAPIs {
			e := sdkErrEnv{account: s.account, other: other, otherToken: otherToken, domain: sdkName(api.env, "sdk-errors.com")}
			sdkRegister(t, s, c, api, e.domain)
			for _, tt := range tests {
				t.Run(api.env+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					counter := &sdkCountingTransport{}
					c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
					err := tt.call(t.Context(), c, api, e)
					if n := counter.n.Load(); n != 1 {
						t.Errorf("%s sent %d requests, want exactly 1 (no retries)", tt.name, n)
					}
					var ae *cloudflare.Error
					if !errors.As(err, &ae) {
						t.Fatalf("%s = %v (%T), want a *cloudflare.Error", tt.name, err, err)
					}
					if ae.StatusCode != tt.status {
						t.Errorf("%s: StatusCode = %d, want %d", tt.name, ae.StatusCode, tt.status)
					}
					if got := ae.Response.Header.Get("x-should-retry"); got != "false" {
						t.Errorf("%s: x-should-retry = %q, want false", tt.name, got)
					}
					sdkCheckFields(t, tt.name+" error body", ae)
					if len(ae.Errors) == 0 {
						t.Fatalf("%s: errors = [], want at least one; body %s", tt.name, ae.JSON.RawJSON())
					}
					e0 := ae.Errors[0]
					for _, f := range []struct {
						name  string
						field sdkField
					}{{"code", e0.JSON.Code}, {"message", e0.JSON.Message}} {
						if f.field.IsNull() || f.field.IsInvalid() {
							t.Errorf("%s: errors[0].%s = %q, want present and well typed", tt.name, f.name, f.field.Raw())
						}
					}
					if e0.Code == 0 || e0.Message == "" || (tt.code != 0 && e0.Code != tt.code) {
						t.Errorf("%s: errors[0] = {code %d, message %q}, want code %d and a message", tt.name, e0.Code, e0.Message, tt.code)
					}
					if tt.pointer != "" && e0.Source.Pointer != tt.pointer {
						t.Errorf("%s: errors[0].source.pointer = %q, want %q", tt.name, e0.Source.Pointer, tt.pointer)
					}
				})
			}
		}
	})
}

// sdkErrEnv is what an error case needs: the test account, a second
// account, and a domain the test account has registered.
type sdkErrEnv struct {
	account, other, otherToken, domain string
}

// sdkLongSyncWait lets a POST or PATCH whose workflow finishes at once
// answer 201 or 200 even on a loaded machine.
func sdkLongSyncWait(c *daemon.Config) { c.API.SyncWait = 15 * time.Second }

// sdkRegister registers domain through api and waits until it is active.
func sdkRegister(t *testing.T, s *server, c *cloudflare.Client, api sdkAPI, domain string) {
	t.Helper()
	if _, err := api.create(t.Context(), c, sdkCreate{account: s.account, domain: domain}); err != nil {
		t.Fatalf("New(%q) = %v, want a status", domain, err)
	}
	if st := s.waitState(api.env, domain, 20*time.Second, completed); st.State != registrar.StateSucceeded {
		t.Fatalf("%s ended %s (%+v), want succeeded", domain, st.State, st.Error)
	}
}

// sdkClient returns the official SDK's client for the test account.
func sdkClient(s *server, opts ...option.RequestOption) *cloudflare.Client {
	// Validated against the OpenAPI document unless opts bring their own
	// HTTP client.
	return cloudflare.NewClient(append([]option.RequestOption{option.WithBaseURL(s.d.URL()), option.WithAPIToken(s.token),
		option.WithHTTPClient(&http.Client{Transport: openapitest.Transport(s.t, nil)})}, opts...)...)
}

// sdkCountingTransport counts the HTTP requests the SDK sends.
type sdkCountingTransport struct{ n atomic.Int64 }

func (c *sdkCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// sdkName returns a test's domain name in env: both environments use the
// one sandbox registry, so the sandbox API's names differ. The sandbox
// registers com and net only: a name under another extension moves
// under com there, keeping its extension in the label.
func sdkName(env, name string) string {
	if env == "registrar" {
		return name
	}
	label, ext, _ := strings.Cut(name, ".")
	if ext != "com" && ext != "net" {
		return label + "-sbx-" + strings.ReplaceAll(ext, ".", "-") + ".com"
	}
	return label + "-sbx." + ext
}

// sdkField is the SDK's per-field decoding metadata (apijson.Field).
type sdkField interface {
	IsNull() bool
	IsMissing() bool
	IsInvalid() bool
	Raw() string
}

// sdkCheckFields checks that every field of obj, an object the SDK
// decoded, was present in the JSON and of the type the SDK expects; only
// the fields named in nullable (Go names) may be null. It walks the
// object's JSON metadata, so it covers every field the SDK knows.
func sdkCheckFields(t *testing.T, what string, obj any, nullable ...string) {
	t.Helper()
	v := reflect.Indirect(reflect.ValueOf(obj))
	meta := v.FieldByName("JSON")
	if !meta.IsValid() || meta.Kind() != reflect.Struct {
		t.Fatalf("%s: %T has no JSON metadata", what, obj)
	}
	raw := ""
	if r, ok := meta.Interface().(interface{ RawJSON() string }); ok {
		raw = r.RawJSON()
	}
	for i := range meta.NumField() {
		sf := meta.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		f, ok := meta.Field(i).Interface().(sdkField)
		if !ok {
			continue // ExtraFields
		}
		name, typ := sf.Name, "?"
		if df, ok := v.Type().FieldByName(sf.Name); ok {
			if tag, _, _ := strings.Cut(df.Tag.Get("json"), ","); tag != "" {
				name = tag
			}
			typ = df.Type.String()
		}
		switch {
		case f.IsMissing():
			t.Errorf("%s: %s is missing from %s", what, name, raw)
		case f.IsInvalid():
			t.Errorf("%s: %s = %s, which the SDK cannot decode as %s", what, name, f.Raw(), typ)
		case f.IsNull() && !slices.Contains(nullable, sf.Name):
			t.Errorf("%s: %s is null in %s, want a %s", what, name, raw, typ)
		}
	}
}

// sdkStatus is a WorkflowStatus as either SDK service decoded it.
type sdkStatus struct {
	Completed    bool
	State        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Self         string
	Resource     string
	Context      map[string]any
	ErrorCode    string
	ErrorMessage string

	known    bool     // the SDK knows State
	errField sdkField // the metadata of error
	obj      any      // the SDK's objects: the status, its links, its error
	links    any
	errObj   any
}

// sdkStatusCmp compares statuses by their values.
var sdkStatusCmp = cmpopts.IgnoreUnexported(sdkStatus{})

// sdkID is what identifies a workflow in its status.
type sdkID struct {
	CreatedAt      time.Time
	Self, Resource string
}

func sdkIdentity(st *sdkStatus) sdkID {
	return sdkID{CreatedAt: st.CreatedAt, Self: st.Self, Resource: st.Resource}
}

// sdkCheckStatus checks a workflow status of domain's registration (kind
// "registration-status") or update ("update-status") in env: every field
// present and well typed, error null unless failed, context naming the
// domain, links to the status and the registration under env.
func sdkCheckStatus(t *testing.T, what string, st *sdkStatus, account, env, domain, kind string) {
	t.Helper()
	sdkCheckFields(t, what, st.obj, "Error")
	sdkCheckFields(t, what+".links", st.links)
	if !st.known {
		t.Errorf("%s: state = %q, which the SDK does not know", what, st.State)
	}
	if terminal := st.State == "succeeded" || st.State == "failed"; st.Completed != terminal {
		t.Errorf("%s: completed = %v with state %s, want %v", what, st.Completed, st.State, terminal)
	}
	if st.State == "failed" {
		if st.errField.IsNull() {
			t.Errorf("%s: failed with error null, want code and message", what)
		} else {
			sdkCheckFields(t, what+".error", st.errObj)
			if st.ErrorCode == "" || st.ErrorMessage == "" {
				t.Errorf("%s: error = {code %q, message %q}, want both", what, st.ErrorCode, st.ErrorMessage)
			}
		}
	} else if !st.errField.IsMissing() && !st.errField.IsNull() {
		t.Errorf("%s: error = %s with state %s, want null", what, st.errField.Raw(), st.State)
	}
	if got := st.Context["domain_name"]; got != domain {
		t.Errorf("%s: context.domain_name = %v, want %q", what, got, domain)
	}
	resource := "/accounts/" + account + "/" + env + "/registrations/" + domain
	if st.Self != resource+"/"+kind || st.Resource != resource {
		t.Errorf("%s: links = {self %q, resource %q}, want {%q, %q}", what, st.Self, st.Resource, resource+"/"+kind, resource)
	}
	if st.CreatedAt.IsZero() || st.UpdatedAt.Before(st.CreatedAt) {
		t.Errorf("%s: created_at %v, updated_at %v; want updated_at not before created_at", what, st.CreatedAt, st.UpdatedAt)
	}
}

// sdkFollow GETs a status's links.self and links.resource, as a client
// following them would: through the SDK's own client, and with a plain
// HTTP GET on the base URL. The status must be the same.
func sdkFollow(t *testing.T, s *server, c *cloudflare.Client, what string, st *sdkStatus) {
	t.Helper()
	var viaSDK struct {
		Result cfreg.WorkflowStatus `json:"result"`
	}
	if err := c.Get(t.Context(), st.Self, nil, &viaSDK); err != nil {
		t.Errorf("client.Get(%q) = %v, want the status of %s", st.Self, err, what)
	} else if diff := cmp.Diff(st, sdkFromLive(&viaSDK.Result), sdkStatusCmp); diff != "" {
		t.Errorf("client.Get(%q) differs from %s (-want +got):\n%s", st.Self, what, diff)
	}

	u := strings.TrimSuffix(s.d.URL(), "/") + "/" + strings.TrimPrefix(st.Self, "/")
	req, err := http.NewRequestWithContext(t.Context(), "GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	var plain struct {
		Result cfreg.WorkflowStatus `json:"result"`
	}
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", u, res.StatusCode)
	} else if err := json.NewDecoder(res.Body).Decode(&plain); err != nil {
		t.Errorf("GET %s: decode: %v", u, err)
	} else if diff := cmp.Diff(st, sdkFromLive(&plain.Result), sdkStatusCmp); diff != "" {
		t.Errorf("GET %s differs from %s (-want +got):\n%s", u, what, diff)
	}

	if st.State != "succeeded" {
		return
	}
	var resource struct {
		Result cfreg.Registration `json:"result"`
	}
	if err := c.Get(t.Context(), st.Resource, nil, &resource); err != nil {
		t.Errorf("client.Get(%q) = %v, want the registration", st.Resource, err)
		return
	}
	domain, _ := st.Context["domain_name"].(string)
	sdkCheckRegistration(t, "client.Get("+st.Resource+")", sdkFromLiveReg(&resource.Result), domain)
}

// sdkReg is a Registration as either SDK service decoded it.
type sdkReg struct {
	DomainName  string
	Status      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AutoRenew   bool
	Locked      bool
	PrivacyMode string

	known   bool     // the SDK knows Status
	expires sdkField // the metadata of expires_at
	obj     any
}

var sdkRegCmp = cmpopts.IgnoreUnexported(sdkReg{})

func sdkNames(gs []*sdkReg) []string {
	var names []string
	for _, g := range gs {
		names = append(names, g.DomainName)
	}
	return names
}

// sdkCheckRegistration checks a Registration: every field present and well
// typed, expires_at null only while registration is pending.
func sdkCheckRegistration(t *testing.T, what string, g *sdkReg, domain string) {
	t.Helper()
	pending := g.Status == "registration_pending"
	if pending {
		sdkCheckFields(t, what, g.obj, "ExpiresAt")
	} else {
		sdkCheckFields(t, what, g.obj)
	}
	if g.DomainName != domain {
		t.Errorf("%s: domain_name = %q, want %q", what, g.DomainName, domain)
	}
	if !g.known {
		t.Errorf("%s: status = %q, which the SDK does not know", what, g.Status)
	}
	if g.PrivacyMode != "redaction" && g.PrivacyMode != "off" {
		t.Errorf("%s: privacy_mode = %q, want redaction or off", what, g.PrivacyMode)
	}
	if !pending && !g.ExpiresAt.After(g.CreatedAt) {
		t.Errorf("%s: %s with created_at %v, expires_at %v; want expires_at after created_at", what, g.Status, g.CreatedAt, g.ExpiresAt)
	}
}

// sdkContextRegistration decodes a status's context.registration as the
// SDK's Registration, or returns nil when there is none.
func sdkContextRegistration(t *testing.T, what string, st *sdkStatus) *sdkReg {
	t.Helper()
	raw, ok := st.Context["registration"]
	if !ok || raw == nil {
		return nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatalf("%s: context.registration: %v", what, err)
	}
	var g cfreg.Registration
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: context.registration %s: %v", what, b, err)
	}
	return sdkFromLiveReg(&g)
}

// sdkPage is one page of a list.
type sdkPage struct {
	items          []*sdkReg
	count, perPage int64
	cursor         string
	obj, info      any
}

// sdkCreate, sdkEdit and sdkList are the parameters of New, Edit and List.
type sdkCreate struct {
	account, domain string
	async           bool
	years           int64              // 0: omitted
	privacy         string             // "": omitted
	registrant      *registrar.Contact // nil: omitted
}

type sdkEdit struct {
	account, domain string
	autoRenew       *bool // nil: omitted
	async           bool
}

type sdkList struct {
	account, sortBy, direction string
	perPage                    int64
}

// sdkAPI is one of the SDK's two registrar services, with its calls
// adapted to one shape so that tests run the same on both.
type sdkAPI struct {
	env                string // the path segment: registrar or registrar-sandbox
	create             func(ctx context.Context, c *cloudflare.Client, p sdkCreate, opts ...option.RequestOption) (*sdkStatus, error)
	edit               func(ctx context.Context, c *cloudflare.Client, p sdkEdit, opts ...option.RequestOption) (*sdkStatus, error)
	get                func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkReg, error)
	pages              func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]sdkPage, error)
	all                func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]*sdkReg, error)
	registrationStatus func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error)
	updateStatus       func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error)
}

var sdkAPIs = []sdkAPI{sdkLive, sdkSandbox}

// sdkLive is client.Registrar.
var sdkLive = sdkAPI{
	env: "registrar",
	create: func(ctx context.Context, c *cloudflare.Client, p sdkCreate, opts ...option.RequestOption) (*sdkStatus, error) {
		params := cfreg.RegistrationNewParams{AccountID: cloudflare.F(p.account), DomainName: cloudflare.F(p.domain)}
		if p.async {
			params.Prefer = cloudflare.F("respond-async")
		}
		if p.years != 0 {
			params.Years = cloudflare.F(p.years)
		}
		if p.privacy != "" {
			params.PrivacyMode = cloudflare.F(cfreg.RegistrationNewParamsPrivacyMode(p.privacy))
		}
		if r := p.registrant; r != nil {
			a := r.PostalInfo.Address
			params.Contacts = cloudflare.F(cfreg.RegistrationNewParamsContacts{
				Registrant: cloudflare.F(cfreg.RegistrationNewParamsContactsRegistrant{
					Email: cloudflare.F(r.Email), Phone: cloudflare.F(r.Phone),
					PostalInfo: cloudflare.F(cfreg.RegistrationNewParamsContactsRegistrantPostalInfo{
						Name: cloudflare.F(r.PostalInfo.Name),
						Address: cloudflare.F(cfreg.RegistrationNewParamsContactsRegistrantPostalInfoAddress{
							Street: cloudflare.F(a.Street), City: cloudflare.F(a.City), State: cloudflare.F(a.State),
							PostalCode: cloudflare.F(a.PostalCode), CountryCode: cloudflare.F(a.CountryCode),
						}),
					}),
				}),
			})
		}
		w, err := c.Registrar.Registrations.New(ctx, params, opts...)
		if err != nil {
			return nil, err
		}
		return sdkFromLive(w), nil
	},
	edit: func(ctx context.Context, c *cloudflare.Client, p sdkEdit, opts ...option.RequestOption) (*sdkStatus, error) {
		params := cfreg.RegistrationEditParams{AccountID: cloudflare.F(p.account)}
		if p.autoRenew != nil {
			params.AutoRenew = cloudflare.F(*p.autoRenew)
		}
		if p.async {
			params.Prefer = cloudflare.F(cfreg.RegistrationEditParamsPreferRespondAsync)
		}
		w, err := c.Registrar.Registrations.Edit(ctx, p.domain, params, opts...)
		if err != nil {
			return nil, err
		}
		return sdkFromLive(w), nil
	},
	get: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkReg, error) {
		g, err := c.Registrar.Registrations.Get(ctx, domain, cfreg.RegistrationGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return sdkFromLiveReg(g), nil
	},
	pages: func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]sdkPage, error) {
		page, err := c.Registrar.Registrations.List(ctx, sdkLiveListParams(q), opts...)
		return sdkWalk(page, err, func(g cfreg.Registration) *sdkReg { return sdkFromLiveReg(&g) })
	},
	all: func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]*sdkReg, error) {
		it := c.Registrar.Registrations.ListAutoPaging(ctx, sdkLiveListParams(q), opts...)
		return sdkDrain(it, func(g cfreg.Registration) *sdkReg { return sdkFromLiveReg(&g) })
	},
	registrationStatus: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error) {
		w, err := c.Registrar.RegistrationStatus.Get(ctx, domain, cfreg.RegistrationStatusGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return sdkFromLive(w), nil
	},
	updateStatus: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error) {
		w, err := c.Registrar.UpdateStatus.Get(ctx, domain, cfreg.UpdateStatusGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return sdkFromLive(w), nil
	},
}

func sdkLiveListParams(q sdkList) cfreg.RegistrationListParams {
	p := cfreg.RegistrationListParams{AccountID: cloudflare.F(q.account)}
	if q.sortBy != "" {
		p.SortBy = cloudflare.F(cfreg.RegistrationListParamsSortBy(q.sortBy))
	}
	if q.direction != "" {
		p.Direction = cloudflare.F(cfreg.RegistrationListParamsDirection(q.direction))
	}
	if q.perPage != 0 {
		p.PerPage = cloudflare.F(q.perPage)
	}
	return p
}

// sdkSandbox is client.RegistrarSandbox.
var sdkSandbox = sdkAPI{
	env: "registrar-sandbox",
	create: func(ctx context.Context, c *cloudflare.Client, p sdkCreate, opts ...option.RequestOption) (*sdkStatus, error) {
		params := cfsbx.RegistrationNewParams{AccountID: cloudflare.F(p.account), DomainName: cloudflare.F(p.domain)}
		if p.async {
			params.Prefer = cloudflare.F("respond-async")
		}
		if p.years != 0 {
			params.Years = cloudflare.F(p.years)
		}
		if p.privacy != "" {
			params.PrivacyMode = cloudflare.F(cfsbx.RegistrationNewParamsPrivacyMode(p.privacy))
		}
		// The sandbox has no express mode: a request names its registrant.
		r := p.registrant
		if r == nil {
			r = daemon.SampleContact()
		}
		params.Contacts = cloudflare.F(sdkSandboxContacts(r))
		w, err := c.RegistrarSandbox.Registrations.New(ctx, params, opts...)
		if err != nil {
			return nil, err
		}
		return &sdkStatus{
			Completed: w.Completed, State: string(w.State), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
			Self: w.Links.Self, Resource: w.Links.Resource, Context: w.Context, ErrorCode: w.Error.Code, ErrorMessage: w.Error.Message,
			known: w.State.IsKnown(), errField: w.JSON.Error, obj: *w, links: w.Links, errObj: w.Error,
		}, nil
	},
	edit: func(ctx context.Context, c *cloudflare.Client, p sdkEdit, opts ...option.RequestOption) (*sdkStatus, error) {
		params := cfsbx.RegistrationEditParams{AccountID: cloudflare.F(p.account)}
		if p.autoRenew != nil {
			params.AutoRenew = cloudflare.F(*p.autoRenew)
		}
		if p.async {
			params.Prefer = cloudflare.F(cfsbx.RegistrationEditParamsPreferRespondAsync)
		}
		w, err := c.RegistrarSandbox.Registrations.Edit(ctx, p.domain, params, opts...)
		if err != nil {
			return nil, err
		}
		return &sdkStatus{
			Completed: w.Completed, State: string(w.State), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
			Self: w.Links.Self, Resource: w.Links.Resource, Context: w.Context, ErrorCode: w.Error.Code, ErrorMessage: w.Error.Message,
			known: w.State.IsKnown(), errField: w.JSON.Error, obj: *w, links: w.Links, errObj: w.Error,
		}, nil
	},
	get: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkReg, error) {
		g, err := c.RegistrarSandbox.Registrations.Get(ctx, domain, cfsbx.RegistrationGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return &sdkReg{
			DomainName: g.DomainName, Status: string(g.Status), CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt,
			AutoRenew: g.AutoRenew, Locked: g.Locked, PrivacyMode: string(g.PrivacyMode),
			known: g.Status.IsKnown(), expires: g.JSON.ExpiresAt, obj: *g,
		}, nil
	},
	pages: func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]sdkPage, error) {
		page, err := c.RegistrarSandbox.Registrations.List(ctx, sdkSandboxListParams(q), opts...)
		return sdkWalk(page, err, sdkFromSandboxListItem)
	},
	all: func(ctx context.Context, c *cloudflare.Client, q sdkList, opts ...option.RequestOption) ([]*sdkReg, error) {
		return sdkDrain(c.RegistrarSandbox.Registrations.ListAutoPaging(ctx, sdkSandboxListParams(q), opts...), sdkFromSandboxListItem)
	},
	registrationStatus: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error) {
		w, err := c.RegistrarSandbox.RegistrationStatus.Get(ctx, domain, cfsbx.RegistrationStatusGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return &sdkStatus{
			Completed: w.Completed, State: string(w.State), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
			Self: w.Links.Self, Resource: w.Links.Resource, Context: w.Context, ErrorCode: w.Error.Code, ErrorMessage: w.Error.Message,
			known: w.State.IsKnown(), errField: w.JSON.Error, obj: *w, links: w.Links, errObj: w.Error,
		}, nil
	},
	updateStatus: func(ctx context.Context, c *cloudflare.Client, account, domain string, opts ...option.RequestOption) (*sdkStatus, error) {
		w, err := c.RegistrarSandbox.UpdateStatus.Get(ctx, domain, cfsbx.UpdateStatusGetParams{AccountID: cloudflare.F(account)}, opts...)
		if err != nil {
			return nil, err
		}
		return &sdkStatus{
			Completed: w.Completed, State: string(w.State), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
			Self: w.Links.Self, Resource: w.Links.Resource, Context: w.Context, ErrorCode: w.Error.Code, ErrorMessage: w.Error.Message,
			known: w.State.IsKnown(), errField: w.JSON.Error, obj: *w, links: w.Links, errObj: w.Error,
		}, nil
	},
}

func sdkSandboxListParams(q sdkList) cfsbx.RegistrationListParams {
	p := cfsbx.RegistrationListParams{AccountID: cloudflare.F(q.account)}
	if q.sortBy != "" {
		p.SortBy = cloudflare.F(cfsbx.RegistrationListParamsSortBy(q.sortBy))
	}
	if q.direction != "" {
		p.Direction = cloudflare.F(cfsbx.RegistrationListParamsDirection(q.direction))
	}
	if q.perPage != 0 {
		p.PerPage = cloudflare.F(q.perPage)
	}
	return p
}

func sdkFromLive(w *cfreg.WorkflowStatus) *sdkStatus {
	return &sdkStatus{
		Completed: w.Completed, State: string(w.State), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		Self: w.Links.Self, Resource: w.Links.Resource, Context: w.Context, ErrorCode: w.Error.Code, ErrorMessage: w.Error.Message,
		known: w.State.IsKnown(), errField: w.JSON.Error, obj: *w, links: w.Links, errObj: w.Error,
	}
}

func sdkFromLiveReg(g *cfreg.Registration) *sdkReg {
	return &sdkReg{
		DomainName: g.DomainName, Status: string(g.Status), CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt,
		AutoRenew: g.AutoRenew, Locked: g.Locked, PrivacyMode: string(g.PrivacyMode),
		known: g.Status.IsKnown(), expires: g.JSON.ExpiresAt, obj: *g,
	}
}

func sdkFromSandboxListItem(g cfsbx.RegistrationListResponse) *sdkReg {
	return &sdkReg{
		DomainName: g.DomainName, Status: string(g.Status), CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt,
		AutoRenew: g.AutoRenew, Locked: g.Locked, PrivacyMode: string(g.PrivacyMode),
		known: g.Status.IsKnown(), expires: g.JSON.ExpiresAt, obj: g,
	}
}

// sdkMaxPages stops a walk over a list whose cursors never end.
const sdkMaxPages = 20

// sdkWalk follows a list's pages with GetNextPage.
func sdkWalk[T any](page *pagination.CursorPagination[T], err error, conv func(T) *sdkReg) ([]sdkPage, error) {
	var pages []sdkPage
	for ; page != nil && err == nil; page, err = page.GetNextPage() {
		if len(pages) == sdkMaxPages {
			return pages, errors.New("more than 20 pages")
		}
		p := sdkPage{count: page.ResultInfo.Count, perPage: page.ResultInfo.PerPage, cursor: page.ResultInfo.Cursor, obj: page, info: page.ResultInfo}
		for _, it := range page.Result {
			p.items = append(p.items, conv(it))
		}
		pages = append(pages, p)
	}
	return pages, err
}

// sdkDrain reads everything an auto-pager yields.
func sdkDrain[T any](it *pagination.CursorPaginationAutoPager[T], conv func(T) *sdkReg) ([]*sdkReg, error) {
	var all []*sdkReg
	for it.Next() {
		if len(all) == sdkMaxPages*registrar.MaxPerPage {
			return all, errors.New("the auto-pager does not end")
		}
		all = append(all, conv(it.Current()))
	}
	return all, it.Err()
}

// TestSDKDomainLimit: an account at its domain limit gets, through the
// SDK, the API reference's validation error: 400, code 10000 at
// /domain_name, naming the limit; and a live registration without a
// registrant, for an account without a default contact, 10000 at
// /contacts/registrant. Neither is retried.
func TestSDKDomainLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Workflows.MaxDomains = 1 })
	c := sdkClient(s)
	for _, api := range sdkAPIs {
		t.Run(api.env, func(t *testing.T) {
			t.Parallel()
			sdkRegister(t, s, c, api, sdkName(api.env, "sdk-limit-one.com"))
			counter := &sdkCountingTransport{}
			c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
			create := sdkCreate{account: s.account, domain: sdkName(api.env, "sdk-limit-two.com")}
			if api.env == "registrar-sandbox" {
				create.registrant = daemon.SampleContact()
			}
			_, err := api.create(t.Context(), c, create)
			ae := sdkWantError(t, "New over the limit", err, http.StatusBadRequest, 10000, "/domain_name")
			if ae != nil && len(ae.Errors) > 0 && !strings.Contains(ae.Errors[0].Message, "maximum of 1 domains") {
				t.Errorf("New over the limit: message %q, want it to name the limit", ae.Errors[0].Message)
			}
			if n := counter.n.Load(); n != 1 {
				t.Errorf("New over the limit sent %d requests, want 1", n)
			}
		})
	}
	t.Run("no registrant", func(t *testing.T) {
		t.Parallel()
		id, token := s.newAccount("no-contact", nil)
		_, err := sdkLive.create(t.Context(), c, sdkCreate{account: id, domain: "sdk-no-contact.com"}, option.WithAPIToken(token))
		sdkWantError(t, "New without a registrant or default contact", err, http.StatusBadRequest, 10000, "/contacts/registrant")
	})
}
