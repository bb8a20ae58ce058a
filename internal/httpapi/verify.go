package httpapi

import (
	"html/template"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
</body>
</html>
`))

// handleVerifyEmail confirms a registrant's email address from the link in
// the verification email and resumes the registration.
func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The code is in the URL: never send it on as a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if r.Method == http.MethodHead {
		// Link checkers probe with HEAD; only a GET confirms.
		return
	}
	var page struct{ Title, Text string }
	// Anyone can send codes: limit them per client address before any
	// database work.
	if d, ok := s.verifyLimiter.allow(clientKey(r.RemoteAddr)); !ok {
		h.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		page.Title, page.Text = "Too many requests", "Too many verification links were opened from your network. Please try again in a minute."
		w.WriteHeader(http.StatusTooManyRequests)
		verifyPage.Execute(w, page)
		return
	}
	status := http.StatusOK
	wf, err := s.Workflows.ConfirmEmail(r.Context(), r.PathValue("code"))
	switch {
	case err == nil:
		page.Title = "Email address verified"
		page.Text = "Thank you. Your email address is verified and the registration of " + wf.Domain + " continues."
		if wf.Kind == registrar.WorkflowUpdate {
			page.Title, page.Text = "Change of registrant confirmed", "Thank you. Your confirmation of the change of registrant of "+wf.Domain+
				" is recorded; the change is made once both the current and the new registrant have confirmed."
		}
	case registrar.IsKind(err, registrar.KindNotFound):
		status, page.Title, page.Text = http.StatusNotFound, "Link not valid", "This verification link is not valid. Check that you opened the whole link from the email."
	case registrar.IsKind(err, registrar.KindConflict):
		msg := registrar.AsError(err).Message
		status, page.Title = http.StatusGone, "Link no longer valid"
		page.Text = strings.ToUpper(msg[:1]) + msg[1:] + ". Start the registration again to get a new link."
	default:
		if registrar.IsKind(err, registrar.KindUnavailable) {
			s.Logger.Warn("email verification: dependency unavailable", "error", err)
		} else {
			s.Logger.Error("email verification failed", "error", err)
		}
		h.Set("Retry-After", strconv.Itoa(UnavailableRetryAfter))
		status, page.Title, page.Text = http.StatusServiceUnavailable, "Please try again", "We could not verify your address right now. Please try the link again in a few minutes."
	}
	w.WriteHeader(status)
	verifyPage.Execute(w, page)
}

// clientKey is the rate-limit key of a client address: the IP address,
// or its /64 for IPv6, where one client commonly holds a whole /64.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
