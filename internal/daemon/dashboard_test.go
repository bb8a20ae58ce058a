package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
	"github.com/openregistrar/registrar/internal/testtools"
	"github.com/openregistrar/registrar/internal/web"
)

// dashboardURL is the server's root URL, "http://127.0.0.1:port".
func (s *server) dashboardURL() string { return "http://" + s.d.Addr() }

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}

// dashSignIn signs in over plain HTTP and returns the session cookie.
func dashSignIn(t *testing.T, s *server, token string) *http.Cookie {
	t.Helper()
	res, err := noRedirects.PostForm(s.dashboardURL()+"/dashboard/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d, want 303", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == web.CookieName {
			return c
		}
	}
	t.Fatalf("sign-in set no %s cookie: %v", web.CookieName, res.Header["Set-Cookie"])
	return nil
}

func dashDo(t *testing.T, method, u string, c *http.Cookie, form url.Values) (*http.Response, string) {
	t.Helper()
	var req *http.Request
	var err error
	if form != nil {
		req, err = http.NewRequest(method, u, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(method, u, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

// TestDashboardSessions checks the dashboard's security over plain HTTP on
// both databases: sign-in and its cookie, the headers, CSRF refusal,
// expired and signed-out sessions, a deleted token ending its sessions,
// and that the API's paths are unchanged beside it.
func TestDashboardSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		s := startServer(t, b, nil)
		base := s.dashboardURL()
		if r := s.register("registrar", "dash-csrf.com"); r.Status != http.StatusCreated {
			t.Fatalf("register = %d %s", r.Status, r.Body)
		}

		// Signed out: every page goes to the sign-in page.
		res, _ := dashDo(t, "GET", base+"/dashboard/live/registrations", nil, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/signin" {
			t.Errorf("signed out: %d %q, want 303 to /dashboard/signin", res.StatusCode, res.Header.Get("Location"))
		}
		if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
			t.Errorf("CSP = %q", got)
		}
		res, body := dashDo(t, "POST", base+"/dashboard/signin", nil, url.Values{"token": {"not-a-token"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not valid") {
			t.Errorf("bad token: %d %s", res.StatusCode, body)
		}

		c := dashSignIn(t, s, s.token)
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.MaxAge != int(web.SessionTTL/time.Second) {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP, Max-Age of the session", c)
		}
		if strings.Contains(c.Value, s.token) {
			t.Error("the cookie carries the API token")
		}
		res, body = dashDo(t, "GET", base+"/dashboard/live/registrations/dash-csrf.com", c, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "dash-csrf.com") {
			t.Fatalf("detail: %d %s", res.StatusCode, body)
		}
		for h, want := range map[string]string{"Content-Security-Policy": web.ContentSecurityPolicy, "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
			t.Error("a page has inline script or style, which the CSP refuses")
		}
		i := strings.Index(body, `name="csrf" value="`)
		if i < 0 {
			t.Fatal("no CSRF field in the page's forms")
		}
		csrf := body[i+len(`name="csrf" value="`):]
		csrf = csrf[:strings.IndexByte(csrf, '"')]

		settings := base + "/dashboard/live/registrations/dash-csrf.com/settings"
		for name, form := range map[string]url.Values{
			"no token":    {"setting": {"auto_renew"}, "value": {"on"}},
			"wrong token": {"setting": {"auto_renew"}, "value": {"on"}, "csrf": {strings.Repeat("0", len(csrf))}},
		} {
			if res, _ := dashDo(t, "POST", settings, c, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST with %s = %d, want 403", name, res.StatusCode)
			}
		}
		if reg, _ := s.d.DB().Registration(context.Background(), s.account, registrar.EnvLive, "dash-csrf.com"); reg == nil || reg.AutoRenew {
			t.Fatalf("a refused POST changed auto-renew: %+v", reg)
		}
		res, _ = dashDo(t, "POST", settings, c, url.Values{"setting": {"auto_renew"}, "value": {"on"}, "csrf": {csrf}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("POST with the CSRF token = %d, want 303", res.StatusCode)
		}
		waitAutoRenew(t, s, "dash-csrf.com", true)

		// Another account's registration is not found.
		other, otherToken := s.newAccount("other", daemon.SampleContact())
		_ = other
		oc := dashSignIn(t, s, otherToken)
		if res, _ := dashDo(t, "GET", base+"/dashboard/live/registrations/dash-csrf.com", oc, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another account's registration = %d, want 404", res.StatusCode)
		}

		// A sandbox registration from the dashboard sends the account's
		// default contact as its registrant (the sandbox API has no
		// express mode); an account without one is told why it cannot.
		res, body = dashDo(t, "POST", base+"/dashboard/sandbox/register", c, url.Values{"domain": {"dash-log.com"}, "csrf": {csrf}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/sandbox/progress/dash-log.com" {
			t.Fatalf("sandbox register from the dashboard = %d %q %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		if st := s.waitState("registrar-sandbox", "dash-log.com", 30*time.Second, completed); st.State != registrar.StateSucceeded {
			t.Fatalf("the dashboard's sandbox registration ended %s", st.State)
		}
		_, bareToken := s.newAccount("bare", nil)
		bc := dashSignIn(t, s, bareToken)
		_, page := dashDo(t, "GET", base+"/dashboard/sandbox/register", bc, nil)
		bareCSRF := page[strings.Index(page, `name="csrf" value="`)+len(`name="csrf" value="`):]
		bareCSRF = bareCSRF[:strings.IndexByte(bareCSRF, '"')]
		if res, body := dashDo(t, "POST", base+"/dashboard/sandbox/register", bc, url.Values{"domain": {"dash-bare.com"}, "csrf": {bareCSRF}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "no default contact") {
			t.Errorf("sandbox register without a default contact = %d, want 422 saying why: %s", res.StatusCode, body)
		}

		// The sandbox registry's log shows the account's own commands only.
		res, body = dashDo(t, "GET", base+"/dashboard/sandbox/registry-log", c, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "dash-log.com") || !strings.Contains(body, "<td>create</td>") || !strings.Contains(body, "1000 ") {
			t.Errorf("sandbox log: %d %s", res.StatusCode, body)
		}
		if _, body := dashDo(t, "GET", base+"/dashboard/sandbox/registry-log", oc, nil); strings.Contains(body, "dash-log.com") {
			t.Error("another account sees the account's commands in the sandbox log")
		}
		// A moved sandbox clock shows on the sandbox's pages.
		if _, err := s.d.DB().AdvanceClock(context.Background(), registrar.EnvSandbox, 48*time.Hour); err != nil {
			t.Fatal(err)
		}
		want := "it is " + time.Now().Add(48*time.Hour).UTC().Format("2006-01-02")
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			_, body := dashDo(t, "GET", base+"/dashboard/sandbox/registry-log", c, nil)
			if strings.Contains(body, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the sandbox page does not show its moved clock (%q): %s", want, body)
			}
		}
		if _, body := dashDo(t, "GET", base+"/dashboard/live/registrations", c, nil); strings.Contains(body, `id="clock"`) {
			t.Error("the live environment's pages show a moved clock")
		}

		// An expired session is no session.
		ctx := context.Background()
		p, err := s.d.DB().Authenticate(ctx, registrar.HashSecret(s.token))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := s.d.DB().CreateSession(ctx, registrar.HashSecret("expired-session"), p, now.Add(-2*time.Hour), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if res, _ := dashDo(t, "GET", base+"/dashboard/live/registrations", &http.Cookie{Name: web.CookieName, Value: "expired-session"}, nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("expired session: %d, want 303 to sign-in", res.StatusCode)
		}

		// Sign-out ends the session on the server, not only in the browser.
		res, _ = dashDo(t, "POST", base+"/dashboard/signout", c, url.Values{"csrf": {csrf}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("sign-out = %d", res.StatusCode)
		}
		if res, _ := dashDo(t, "GET", base+"/dashboard/live/registrations", c, nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("after sign-out the old cookie still works: %d", res.StatusCode)
		}

		// A sandbox-only token's session stays in the sandbox, as the API
		// keeps the token there.
		sbURL := strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + s.account + "/tokens"
		r := s.do("POST", sbURL, s.token, map[string]any{"name": "sandbox dashboard", "sandbox_only": true})
		var sb struct {
			Value string `json:"value"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &sb) != nil || sb.Value == "" {
			t.Fatalf("POST tokens sandbox_only = %d %s", r.Status, r.Body)
		}
		sc := dashSignIn(t, s, sb.Value)
		if res, body := dashDo(t, "GET", base+"/dashboard/live/registrations", sc, nil); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "sandbox-only") {
			t.Errorf("a sandbox-only session's live page = %d %q, want 403 saying sandbox-only", res.StatusCode, body)
		}
		if res, _ := dashDo(t, "GET", base+"/dashboard/", sc, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/sandbox/registrations" {
			t.Errorf("a sandbox-only session's /dashboard/ = %d to %q, want 303 to the sandbox", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := dashDo(t, "GET", base+"/dashboard/sandbox/registrations", sc, nil); res.StatusCode != http.StatusOK {
			t.Errorf("a sandbox-only session's sandbox page = %d, want 200", res.StatusCode)
		}

		// Revoking the token ends its sessions.
		c2 := dashSignIn(t, s, otherToken)
		op, err := s.d.DB().Authenticate(ctx, registrar.HashSecret(otherToken))
		if err != nil {
			t.Fatal(err)
		}
		revokeThroughAPI(t, s, op.AccountID, otherToken)
		for _, ck := range []*http.Cookie{oc, c2} {
			if res, _ := dashDo(t, "GET", base+"/dashboard/live/registrations", ck, nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("session of a revoked token: %d, want 303 to sign-in", res.StatusCode)
			}
		}

		// The API's own paths are unchanged.
		if res, body := dashDo(t, "GET", base+"/healthz", nil, nil); res.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
			t.Errorf("/healthz: %d %s", res.StatusCode, body)
		}
		if res, body := dashDo(t, "GET", base+"/client/v4/nothing", nil, nil); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"success":false`) {
			t.Errorf("/client/v4/nothing: %d %s", res.StatusCode, body)
		}
		if res, _ := dashDo(t, "GET", base+"/", nil, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/" {
			t.Errorf("/: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func waitAutoRenew(t *testing.T, s *server, domain string, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		reg, err := s.d.DB().Registration(context.Background(), s.account, registrar.EnvLive, domain)
		if err == nil && reg.AutoRenew == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s auto-renew: %+v %v, want %v", domain, reg, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browser starts a headless Chromium (Debian's chromium package, found on
// PATH as testtools finds other tools) and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := testtools.Program(t, "chromium", "chromium")
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]), chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 760))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		testtools.Require(t, "chromium", "chromium", err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves the page under the test's temp dir, and to
// REGISTRAR_DASHBOARD_SCREENSHOT when name is "detail" (the
// picture in docs/).
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("REGISTRAR_DASHBOARD_SCREENSHOT"); p != "" && name == "detail" {
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitText waits until sel's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil && strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after %s: %q (%v), want it to contain %q", sel, limit, s, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// unlabelled lists the page's form controls that have no label: no
// label[for], no wrapping label, no aria-label.
const unlabelled = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(el =>
	!el.getAttribute('aria-label') && !el.closest('label') && !(el.id && document.querySelector('label[for="' + el.id + '"]'))
).map(el => el.outerHTML)`

func checkLabels(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](unlabelled))
	if err != nil {
		t.Fatalf("label check: %v", err)
	}
	if len(bad) > 0 {
		t.Errorf("%s: form controls without a label: %v", page, bad)
	}
}

// tabReaches presses Tab up to n times from the top of the page and
// reports whether focus reached each selector.
func tabReaches(t *testing.T, ctx context.Context, n int, sels ...string) {
	t.Helper()
	reached := map[string]bool{}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.activeElement && document.activeElement.blur()`)); err != nil {
		t.Fatal(err)
	}
	for range n {
		run(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
		for _, sel := range sels {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector(`+"`"+sel+"`"+`)`))
			if err != nil {
				t.Fatal(err)
			}
			reached[sel] = reached[sel] || ok
		}
	}
	for _, sel := range sels {
		if !reached[sel] {
			t.Errorf("Tab does not reach %s within %d presses", sel, n)
		}
	}
}

// TestDashboardBrowser drives the dashboard in a real Chromium as an
// account holder would: sign in, check a name, register a slow- name and
// watch it succeed, toggle auto-renew, register with a registrant whose
// address must be verified and follow the email's link, and see the
// session end when its token is deleted.
func TestDashboardBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	shots := t.TempDir()
	// The registry answers slow- names after 3 s, long enough to watch.
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.SandboxDelay = 3 * time.Second })
	base := s.dashboardURL()

	// Sign in.
	run(t, ctx, "open /", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	loc := location(t, ctx)
	if !strings.HasSuffix(loc, "/dashboard/signin") {
		t.Errorf("signed out, / went to %s, want the sign-in page", loc)
	}
	checkLabels(t, ctx, "sign-in")
	tabReaches(t, ctx, 6, "#token", "form.card button")
	screenshot(t, ctx, shots, "signin")
	run(t, ctx, "sign in", chromedp.SendKeys(chromedp.CSS("#token"), s.token), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("table.regs, p.empty")))
	if h := text(t, ctx, "h1"); h != "Registrations" {
		t.Errorf("after sign-in: h1 %q", h)
	}

	// Check a name and see its price.
	run(t, ctx, "check", chromedp.Navigate(base+"/dashboard/live/check"), chromedp.WaitVisible(chromedp.CSS("#names")),
		chromedp.SendKeys(chromedp.CSS("#names"), "dash-check.com"), chromedp.Submit(chromedp.CSS("#names")),
		chromedp.WaitVisible(chromedp.CSS("table.check")))
	row := text(t, ctx, "table.check tbody tr")
	if !strings.Contains(row, "dash-check.com") || !strings.Contains(row, "available") || !strings.ContainsAny(row, "0123456789") {
		t.Errorf("check row %q: want the name, available, and a price", row)
	}
	checkLabels(t, ctx, "check")
	screenshot(t, ctx, shots, "check")
	// Search, with prices, from the same page.
	run(t, ctx, "search", chromedp.SendKeys(chromedp.CSS("#q"), "dashsearch"), chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("table.search")))
	rows := text(t, ctx, "table.search tbody")
	if !strings.Contains(rows, "dashsearch.") || !strings.Contains(rows, "available") || !strings.ContainsAny(rows, "0123456789") {
		t.Errorf("search rows %q: want suggestions for the keyword, available, with prices", rows)
	}
	screenshot(t, ctx, shots, "search")

	// Register a slow- name and watch the page reach succeeded.
	run(t, ctx, "register", chromedp.Navigate(base+"/dashboard/live/register"), chromedp.WaitVisible(chromedp.CSS("#domain")))
	checkLabels(t, ctx, "register")
	tabReaches(t, ctx, 20, "#domain", "#auto_renew", "form.card button")
	run(t, ctx, "submit", chromedp.SendKeys(chromedp.CSS("#domain"), "slow-dash.com"), chromedp.Submit(chromedp.CSS("#domain")),
		chromedp.WaitVisible(chromedp.CSS("#progress")))
	first := text(t, ctx, "#state")
	progressURL := location(t, ctx)
	if first == string(registrar.StateSucceeded) {
		t.Errorf("the slow registration was already %s when the page loaded: the live update is untested", first)
	}
	waitText(t, ctx, "#state", "succeeded", 60*time.Second)
	if msg := text(t, ctx, "#message"); msg != "slow-dash.com is registered." {
		t.Errorf("message %q", msg)
	}
	now := location(t, ctx)
	if now != progressURL {
		t.Errorf("the page reloaded (%s → %s): the progress should update in place", progressURL, now)
	}
	screenshot(t, ctx, shots, "progress")

	// The detail page, its timeline, and the auto-renew toggle.
	run(t, ctx, "detail", chromedp.Navigate(base+"/dashboard/live/registrations/slow-dash.com"), chromedp.WaitVisible(chromedp.CSS("#auto-renew")))
	if got := text(t, ctx, "#auto-renew"); got != "off" {
		t.Errorf("auto-renew shows %q, want off", got)
	}
	if tl := text(t, ctx, "ol.timeline"); !strings.Contains(tl, "registration succeeded") || !strings.Contains(tl, "registration in_progress") {
		t.Errorf("timeline %q: want the workflow's states", tl)
	}
	run(t, ctx, "toggle", chromedp.Click(chromedp.CSS("#toggle-auto-renew")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	waitText(t, ctx, "#auto-renew", "on", 5*time.Second)
	if n := text(t, ctx, "p.notice"); n != "Saved." {
		t.Errorf("after the toggle: %q, want Saved.", n)
	}
	if tl := text(t, ctx, "ol.timeline"); !strings.Contains(tl, "update succeeded") {
		t.Errorf("timeline %q: want the update", tl)
	}
	waitAutoRenew(t, s, "slow-dash.com", true)
	screenshot(t, ctx, shots, "detail")

	// The list, with its badge.
	run(t, ctx, "list", chromedp.Navigate(base+"/dashboard/live/registrations"), chromedp.WaitVisible(chromedp.CSS("table.regs")))
	if tb := text(t, ctx, "table.regs tbody"); !strings.Contains(tb, "slow-dash.com") || !strings.Contains(tb, "active") {
		t.Errorf("list %q", tb)
	}
	checkLabels(t, ctx, "registrations")
	screenshot(t, ctx, shots, "registrations")

	// On a phone's width the page fits: nothing scrolls sideways.
	run(t, ctx, "phone", chromedp.EmulateViewport(375, 740), chromedp.Navigate(base+"/dashboard/live/registrations"),
		chromedp.WaitVisible(chromedp.CSS("table.regs")))
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide > 375 {
		t.Errorf("at 375px wide the registrations page is %dpx wide", wide)
	}
	screenshot(t, ctx, shots, "phone")
	run(t, ctx, "desktop", chromedp.EmulateReset())

	// An account whose registrant must verify its address: the page waits
	// on the user, the email's link verifies, the registration succeeds.
	contact := daemon.SampleContact()
	contact.Email = "verify.ada@example.com"
	_, vtoken := s.newAccount("verifier", contact)
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#token")))
	run(t, ctx, "sign in", chromedp.SendKeys(chromedp.CSS("#token"), vtoken), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("nav")),
		chromedp.Navigate(base+"/dashboard/live/register"), chromedp.WaitVisible(chromedp.CSS("#domain")),
		chromedp.SendKeys(chromedp.CSS("#domain"), "verify-dash.com"), chromedp.Submit(chromedp.CSS("#domain")),
		chromedp.WaitVisible(chromedp.CSS("#progress")))
	waitText(t, ctx, "#state", "action_required", 30*time.Second)
	if msg := text(t, ctx, "#message"); !strings.Contains(msg, "confirm") || !strings.Contains(msg, "@example.com") {
		t.Errorf("action_required message %q: want what to do and where the email went", msg)
	}
	run(t, ctx, "actions", chromedp.Navigate(base+"/dashboard/live/actions"), chromedp.WaitVisible(chromedp.CSS("main")))
	if items := text(t, ctx, "main"); !strings.Contains(items, "verify-dash.com") {
		t.Errorf("waiting-on-you page %q: want verify-dash.com", items)
	}
	// The email is lost: the page's button sends it again, with a new link.
	firstLink := outboxLink(t, s, "verify-dash.com")
	run(t, ctx, "resend", chromedp.Click(chromedp.CSS(`button[id="resend-verify-dash.com"]`)), chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	if msg := text(t, ctx, `p.notice[role=status]`); msg != "Sent again to v***@example.com." {
		t.Errorf("after the resend button the page says %q, want where the email went", msg)
	}
	link := outboxLink(t, s, "verify-dash.com")
	if link == firstLink {
		t.Fatalf("the newest email has the first link %s, want a new one", firstLink)
	}
	run(t, ctx, "follow the email's link", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("body")))
	run(t, ctx, "progress", chromedp.Navigate(progressURLFor(base, "verify-dash.com")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	waitText(t, ctx, "#state", "succeeded", 60*time.Second)
	screenshot(t, ctx, shots, "verified")

	// The tokens page: create a read-only token (its secret shown once
	// works, and only reads), be refused revoking the account's last
	// read-write token, create another, then revoke the session's own
	// token, which ends the session.
	p, err := s.d.DB().Authenticate(context.Background(), registrar.HashSecret(vtoken))
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "tokens", chromedp.Navigate(base+"/dashboard/tokens"), chromedp.WaitVisible(chromedp.CSS("#token-name")))
	checkLabels(t, ctx, "tokens")
	tabReaches(t, ctx, 20, "#token-name", "#token-read-only", "#token-sandbox-only", "#token-expires", "#token-create", "#revoke-current")
	run(t, ctx, "create read-only", chromedp.SendKeys(chromedp.CSS("#token-name"), "dash spare"), chromedp.Click(chromedp.CSS("#token-read-only")),
		chromedp.Click(chromedp.CSS("#token-create")), chromedp.WaitVisible(chromedp.CSS("#secret")))
	secret, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#secret').value`))
	if err != nil {
		t.Fatal(err)
	}
	spare, err := s.d.DB().Authenticate(context.Background(), registrar.HashSecret(secret))
	if err != nil || !strings.HasPrefix(secret, "orat_") {
		t.Fatalf("the secret the page showed (%d characters) does not authenticate: %v", len(secret), err)
	}
	if spare.AccountID != p.AccountID || spare.Can(registrar.ScopeWrite) {
		t.Errorf("the read-only token made on the page: %+v", spare)
	}
	if tb := text(t, ctx, "table tbody"); !strings.Contains(tb, "dash spare") || !strings.Contains(tb, "read-only") || !strings.Contains(tb, "this session") {
		t.Errorf("tokens table %q: want the new read-only token and the session's own", tb)
	}
	screenshot(t, ctx, shots, "tokens")
	run(t, ctx, "revoke the last read-write token", chromedp.Click(chromedp.CSS("#revoke-current")), chromedp.WaitVisible(chromedp.CSS("#token-name")))
	if e := text(t, ctx, "p.error"); !strings.Contains(e, "last") {
		t.Errorf("revoking the last read-write token: %q, want a refusal that says why", e)
	}
	if _, err := s.d.DB().Authenticate(context.Background(), registrar.HashSecret(vtoken)); err != nil {
		t.Fatalf("the refused revocation revoked the token: %v", err)
	}
	run(t, ctx, "create read-write", chromedp.SendKeys(chromedp.CSS("#token-name"), "dash second"),
		chromedp.Click(chromedp.CSS("#token-create")), chromedp.WaitVisible(chromedp.CSS("#secret")))
	run(t, ctx, "revoke own", chromedp.Click(chromedp.CSS("#revoke-current")), chromedp.WaitVisible(chromedp.CSS("#token")))
	loc = location(t, ctx)
	if !strings.Contains(loc, "/dashboard/signin") || !strings.Contains(text(t, ctx, "#notice"), "revoked") {
		t.Errorf("after revoking its own token the page is %s, want the sign-in page saying why", loc)
	}
	if _, err := s.d.DB().Authenticate(context.Background(), registrar.HashSecret(vtoken)); err == nil {
		t.Error("the token revoked on the page still authenticates")
	}
	run(t, ctx, "next page", chromedp.Navigate(base+"/dashboard/live/registrations"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/dashboard/signin") {
		t.Errorf("after the token's revocation the page is %s, want the sign-in page", loc)
	}
	screenshot(t, ctx, shots, "signed-out")
	t.Logf("screenshots in %s", shots)
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func progressURLFor(base, domain string) string { return base + "/dashboard/live/progress/" + domain }

// outboxLink returns the verification link of the newest email about
// domain.
func outboxLink(t *testing.T, s *server, domain string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := s.d.DB().Outbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if link := linkRE.FindString(msgs[i].Body); link != "" && strings.Contains(msgs[i].Subject, domain) {
				return link
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verification email about %s in the outbox", domain)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// revokeThroughAPI revokes token with itself through DELETE
// .../accounts/{id}/tokens/{id}, as its holder would, after creating a
// spare read-write token so that it is not the account's last.
func revokeThroughAPI(t *testing.T, s *server, accountID, token string) {
	t.Helper()
	url := strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + accountID + "/tokens"
	if r := s.do("POST", url, token, map[string]any{"name": "spare"}); r.Status != http.StatusCreated {
		t.Fatalf("POST tokens = %d %s", r.Status, r.Body)
	}
	r := s.do("GET", url, token, nil)
	var ts []struct {
		ID      string `json:"id"`
		Current bool   `json:"current"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &ts) != nil {
		t.Fatalf("GET tokens = %d %s", r.Status, r.Body)
	}
	for _, tk := range ts {
		if tk.Current {
			if r := s.do("DELETE", url+"/"+tk.ID, token, nil); r.Status != http.StatusOK {
				t.Fatalf("DELETE tokens/%s = %d %s", tk.ID, r.Status, r.Body)
			}
			return
		}
	}
	t.Fatalf("GET tokens %s marks no token current", r.Body)
}
