package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
	})
	static, _ := fsSub(staticFS, "static")
	s.mux.Handle("GET /dashboard/static/", http.StripPrefix("/dashboard/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /dashboard/signin", s.handleSignInForm)
	s.mux.HandleFunc("POST /dashboard/signin", s.handleSignIn)
	s.mux.HandleFunc("POST /dashboard/signout", s.authed(s.handleSignOut))
	s.mux.HandleFunc("GET /dashboard/{$}", s.authed(func(w http.ResponseWriter, r *http.Request, sess session) {
		env := registrar.EnvLive
		if sess.SandboxOnly {
			env = registrar.EnvSandbox
		}
		http.Redirect(w, r, "/dashboard/"+envSegment(env)+"/registrations", http.StatusSeeOther)
	}))
	for seg, env := range envs {
		s.mux.HandleFunc("GET /dashboard/"+seg+"/registrations", s.authed(withEnv(env, s.handleList)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/registrations/{domain}", s.authed(withEnv(env, s.handleDetail)))
		s.mux.HandleFunc("POST /dashboard/"+seg+"/registrations/{domain}/settings", s.authed(withEnv(env, s.handleSettings)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/check", s.authed(withEnv(env, s.handleCheck)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/register", s.authed(withEnv(env, s.handleRegisterForm)))
		s.mux.HandleFunc("POST /dashboard/"+seg+"/register", s.authed(withEnv(env, s.handleRegister)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/progress/{domain}", s.authed(withEnv(env, s.handleProgress)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/progress/{domain}/poll", s.authed(withEnv(env, s.handleProgressPoll)))
		s.mux.HandleFunc("GET /dashboard/"+seg+"/actions", s.authed(withEnv(env, s.handleActions)))
		s.mux.HandleFunc("POST /dashboard/"+seg+"/actions/{domain}/resend", s.authed(withEnv(env, s.handleResend)))
	}
	s.mux.HandleFunc("GET /dashboard/tokens", s.authed(s.handleTokens))
	s.mux.HandleFunc("POST /dashboard/tokens", s.authed(s.handleCreateToken))
	s.mux.HandleFunc("POST /dashboard/tokens/{id}/revoke", s.authed(s.handleRevokeToken))
	if s.Log != nil {
		s.mux.HandleFunc("GET /dashboard/sandbox/registry-log", s.authed(withEnv(registrar.EnvSandbox, s.handleSandboxLog)))
	}
}

// envs maps the dashboard's path segment to the environment.
var envs = map[string]registrar.Env{"live": registrar.EnvLive, "sandbox": registrar.EnvSandbox}

func withEnv(env registrar.Env, h func(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env)) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		if env == registrar.EnvLive && sess.SandboxOnly {
			// As the API refuses it: a sandbox-only token's session
			// never reaches the live environment.
			http.Error(w, "This session's API token is sandbox-only: use the sandbox pages (/dashboard/sandbox/registrations).", http.StatusForbidden)
			return
		}
		h(w, r, sess, env)
	}
}

// envSegment is the dashboard's path segment of env.
func envSegment(env registrar.Env) string {
	if env == registrar.EnvSandbox {
		return "sandbox"
	}
	return "live"
}

func (s *Server) pageFor(sess session, env registrar.Env, title string) page {
	p := page{Title: title, CSRF: sess.csrf, Env: string(env), Account: sess.AccountID, Signed: true, SandboxLog: s.Log != nil}
	if c := s.Clocks[env]; c != nil {
		if now := c.Now(); now.Sub(s.Now()).Abs() > time.Minute {
			p.Clock = now.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	return p
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.currentSession(r); ok {
		http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
		return
	}
	p := page{Title: "Sign in"}
	if r.URL.Query().Get("ended") == "revoked" {
		p.Notice = "You were signed out: the API token of this session was revoked."
	}
	s.render(w, http.StatusOK, "signin", p)
}

// handleSignIn authenticates an API token as the API does
// (registrar.Reader.Authenticate on its hash) and opens a session. The
// sign-in form needs no CSRF token: it creates a session rather than act
// in one, and SameSite=Strict keeps another site's form from using it.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSpace(r.PostFormValue("token"))
	p, err := s.Reader.Authenticate(r.Context(), registrar.HashSecret(token))
	if token == "" || err != nil {
		if e := registrar.AsError(err); err != nil && (e == nil || e.Kind != registrar.KindUnauthorized) {
			s.Logger.Warn("sign-in failed", "err", err)
		}
		s.render(w, http.StatusUnauthorized, "signin", page{Title: "Sign in", Error: "That API token is not valid."})
		return
	}
	id := newSessionID()
	now := s.Now()
	if err := s.Sessions.CreateSession(r.Context(), registrar.HashSecret(id), p, now, now.Add(SessionTTL)); err != nil {
		s.Logger.Warn("create session failed", "err", err)
		http.Error(w, "Could not sign in; try again.", http.StatusServiceUnavailable)
		return
	}
	s.setCookie(w, r, id, int(SessionTTL/time.Second))
	http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request, _ session) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := s.Sessions.RevokeSession(r.Context(), registrar.HashSecret(c.Value), s.Now()); err != nil {
			s.Logger.Warn("revoke session failed", "err", err)
		}
	}
	s.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/dashboard/signin", http.StatusSeeOther)
}

// listData is the registrations page.
type listData struct {
	Query, Sort string
	Desc        bool
	Items       []registrar.Registration
	Next        string
	Sorts       []string
}

// handleList shows a page of registrations. A search (q) filters by name
// within the pages it reads, at most searchPages of them.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	q := r.URL.Query()
	d := listData{Query: strings.TrimSpace(strings.ToLower(q.Get("q"))), Sort: q.Get("sort"), Desc: q.Get("desc") == "1",
		Sorts: []string{registrar.SortCreatedAt, registrar.SortExpiresAt, registrar.SortName}}
	if !slices.Contains(d.Sorts, d.Sort) {
		d.Sort = registrar.SortCreatedAt
	}
	opts := registrar.ListOptions{SortBy: d.Sort, Descending: d.Desc, PerPage: registrar.DefaultPerPage, Cursor: q.Get("cursor")}
	const searchPages = 20
	for range searchPages {
		pg, err := s.Reader.ListRegistrations(r.Context(), sess.AccountID, env, opts)
		if err != nil {
			s.fail(w, sess, env, err)
			return
		}
		for _, it := range pg.Items {
			if d.Query == "" || strings.Contains(it.DomainName, d.Query) {
				d.Items = append(d.Items, it)
			}
		}
		d.Next = pg.Next
		if d.Query == "" || pg.Next == "" || len(d.Items) >= registrar.DefaultPerPage {
			break
		}
		opts.Cursor = pg.Next
	}
	p := s.pageFor(sess, env, "Registrations")
	p.Data = d
	s.render(w, http.StatusOK, "list", p)
}

// step is one line of a registration's timeline.
type step struct {
	At     time.Time
	What   string
	State  string
	Detail string
	Error  string
}

type detailData struct {
	Reg      *registrar.Registration
	Timeline []step
	Message  string
}

// handleDetail shows a registration and its timeline: every state change
// of its workflows (from the event feed) and its history.
func (s *Server) handleDetail(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	domain := r.PathValue("domain")
	reg, err := s.Reader.Registration(r.Context(), sess.AccountID, env, domain)
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	tl, err := s.timeline(r.Context(), sess.AccountID, env, domain)
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	p := s.pageFor(sess, env, reg.DomainName)
	p.Data = detailData{Reg: reg, Timeline: tl, Message: r.URL.Query().Get("msg")}
	s.render(w, http.StatusOK, "detail", p)
}

// timelineEvents bounds how much of the account's feed a timeline reads.
const timelineEvents = 5000

func (s *Server) timeline(ctx context.Context, account string, env registrar.Env, domain string) ([]step, error) {
	var out []step
	var after int64
	for read := 0; read < timelineEvents; {
		pg, err := s.Reader.Events(ctx, account, env, after, registrar.MaxEventLimit)
		if err != nil {
			return nil, err
		}
		for _, ev := range pg.Events {
			after = ev.ID
			if ev.Domain != domain || ev.Type != registrar.EventWorkflowChanged {
				continue
			}
			var st struct {
				State string `json:"state"`
				Links struct {
					Self string `json:"self"`
				} `json:"links"`
				Context struct {
					Detail string `json:"detail"`
					Action string `json:"action"`
					Kind   string `json:"kind"`
				} `json:"context"`
				Error *struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(ev.Data, &st); err != nil {
				continue
			}
			// The status's link names the workflow's kind:
			// .../registration-status, .../update-status.
			what := st.Links.Self[strings.LastIndexByte(st.Links.Self, '/')+1:]
			what = strings.ReplaceAll(strings.TrimSuffix(what, "-status"), "-", " ")
			if what == "" {
				what = "workflow"
			}
			e := step{At: ev.CreatedAt, What: what, State: st.State, Detail: st.Context.Detail}
			if st.Context.Action != "" {
				e.Detail = strings.TrimSpace(e.Detail + " action: " + st.Context.Action)
			}
			if st.Error != nil {
				e.Error = st.Error.Code + ": " + st.Error.Message
			}
			out = append(out, e)
		}
		read += len(pg.Events)
		if len(pg.Events) < registrar.MaxEventLimit {
			break
		}
	}
	hist, err := s.Reader.RegistrationHistory(ctx, account, env, domain)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	for _, h := range hist {
		out = append(out, step{At: h.At, What: h.Type, State: string(h.Status), Detail: h.Detail})
	}
	slices.SortStableFunc(out, func(a, b step) int { return a.At.Compare(b.At) })
	return out, nil
}

// handleSettings toggles auto-renew or the transfer lock through the same
// core path as PATCH registrations/{domain}: an update workflow.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	domain := r.PathValue("domain")
	var req registrar.UpdateRequest
	on := r.PostFormValue("value") == "on"
	switch r.PostFormValue("setting") {
	case "auto_renew":
		req.AutoRenew = &on
	case "locked":
		req.Locked = &on
	default:
		http.Error(w, "unknown setting", http.StatusBadRequest)
		return
	}
	wf, err := s.Workflows.StartUpdate(r.Context(), sess.Principal, env, domain, req)
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	// An update that asks no registry (auto-renew) ends at once; one that
	// does (the lock) is given a moment before the page says it is still
	// on its way.
	for deadline := s.Now().Add(settleWait); !wf.Completed() && s.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		if w2, err := s.Reader.Workflow(r.Context(), sess.AccountID, wf.ID); err == nil {
			wf = w2
		}
	}
	msg := "Saved."
	if !wf.Completed() {
		msg = "Saving: the registry is being updated (" + string(wf.State) + ")."
	} else if wf.State == registrar.StateFailed {
		msg = "Not saved: " + wf.ErrorMessage
	}
	http.Redirect(w, r, "/dashboard/"+envSegment(env)+"/registrations/"+url.PathEscape(domain)+"?msg="+url.QueryEscape(msg), http.StatusSeeOther)
}

// settleWait is how long a settings change waits for its workflow.
const settleWait = 3 * time.Second

type checkData struct {
	Names   string
	Results []registrar.DomainAvailability
	// Query is a search's words; Suggestions what it found.
	Query       string
	Searched    bool
	Suggestions []registrar.DomainAvailability
}

// searchLimit is how many suggestions the page shows (the API's default).
const searchLimit = 20

// handleCheck checks names (one registry round trip per registry) and
// shows their prices; or, given q, searches (as GET domain-search does,
// from cached availability) and shows the suggestions with theirs.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	d := checkData{Names: r.URL.Query().Get("names"), Query: r.URL.Query().Get("q")}
	p := s.pageFor(sess, env, "Check and search")
	if r.URL.Query().Has("q") {
		res, err := s.Domains.Search(r.Context(), env, d.Query, nil, searchLimit)
		if err != nil {
			p.Error = message(err)
		}
		d.Searched, d.Suggestions = err == nil, res
		p.Data = d
		s.render(w, http.StatusOK, "check", p)
		return
	}
	var names []string
	for _, f := range strings.FieldsFunc(d.Names, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		n, err := domainname.Parse(f)
		if err != nil {
			p.Error = f + ": " + err.Error()
			break
		}
		names = append(names, n.ASCII)
	}
	if len(names) > 20 {
		p.Error = "check at most 20 names at a time"
	}
	if p.Error == "" && len(names) > 0 {
		res, err := s.Domains.Check(r.Context(), env, names)
		if err != nil {
			p.Error = message(err)
		}
		d.Results = res
	}
	p.Data = d
	s.render(w, http.StatusOK, "check", p)
}

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	p := s.pageFor(sess, env, "Register")
	p.Data = r.URL.Query().Get("domain")
	s.render(w, http.StatusOK, "register", p)
}

// handleRegister starts a registration with the account's defaults after
// the same validation as POST registrations: the name (domainname), its
// extension's routes, and the extension's registration schema.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	p := s.pageFor(sess, env, "Register")
	name := strings.TrimSpace(r.PostFormValue("domain"))
	p.Data = name
	req, err := s.registrationRequest(r.Context(), sess, env, name, r.PostFormValue("auto_renew") == "on")
	if err == nil && s.Domains.KnownPremium(env, req.DomainName) {
		err = registrar.Invalid("web.register", "/domain_name", "%s is a premium name; premium names cannot be registered here", req.DomainName)
	}
	if err == nil {
		_, err = s.Workflows.StartRegistration(r.Context(), sess.Principal, env, req)
	}
	if err != nil {
		p.Error = message(err)
		s.render(w, http.StatusUnprocessableEntity, "register", p)
		return
	}
	http.Redirect(w, r, "/dashboard/"+envSegment(env)+"/progress/"+url.PathEscape(req.DomainName), http.StatusSeeOther)
}

// registrationRequest is the registration the form asks for. The sandbox
// has no express mode (its API needs a registrant in every request), so
// there the account's default contact is sent as the registrant, as a
// client of the API would send it.
func (s *Server) registrationRequest(ctx context.Context, sess session, env registrar.Env, name string, autoRenew bool) (registrar.RegistrationRequest, error) {
	const op = "web.registrationRequest"
	if name == "" {
		return registrar.RegistrationRequest{}, registrar.Invalid(op, "/domain_name", "is required")
	}
	n, err := domainname.Parse(name)
	if err != nil {
		return registrar.RegistrationRequest{}, registrar.Invalid(op, "/domain_name", "%s", err.Error())
	}
	req := registrar.RegistrationRequest{DomainName: n.ASCII, Extension: n.Extension, AutoRenew: autoRenew}
	if env == registrar.EnvSandbox {
		acct, err := s.Accounts.Account(ctx, sess.AccountID)
		if err != nil {
			return req, err
		}
		if acct.DefaultContact == nil {
			return req, registrar.Invalid(op, "/contacts/registrant", "your account has no default contact: register sandbox names through the API, with a registrant")
		}
		req.Contacts.Registrant = acct.DefaultContact
	}
	_, ext, err := s.Registries.Lookup(env, n.Extension)
	if err != nil {
		return req, err
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return req, err
	}
	errs, err := s.schemas.Registration(ext, raw)
	if err != nil {
		return req, registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	if len(errs) > 0 {
		return req, &registrar.Error{Kind: registrar.KindInvalid, Op: op, Message: errs[0].Pointer + ": " + errs[0].Message, Fields: errs}
	}
	return req, nil
}

// progress is a registration's state as the progress page shows it.
type progress struct {
	Domain    string `json:"domain"`
	State     string `json:"state"`
	Completed bool   `json:"completed"`
	// Message is what the state means for the user: done, what failed,
	// what to do, what it waits on.
	Message string `json:"message"`
	Version int64  `json:"version"`
}

func (s *Server) progress(ctx context.Context, sess session, env registrar.Env, domain string) (progress, error) {
	wf, err := s.Reader.RegistrationStatus(ctx, sess.AccountID, env, domain)
	if err != nil {
		return progress{}, err
	}
	pr := progress{Domain: wf.Domain, State: string(wf.State), Completed: wf.Completed(), Version: wf.Version}
	var c registrar.StatusContext
	_ = json.Unmarshal(wf.Context, &c)
	switch wf.State {
	case registrar.StateSucceeded:
		pr.Message = wf.Domain + " is registered."
	case registrar.StateFailed:
		pr.Message = "The registration failed: " + wf.ErrorMessage + " (" + wf.ErrorCode + ")."
	case registrar.StateActionRequired:
		pr.Message = "Action required: " + actionText(c)
	case registrar.StateBlocked:
		pr.Message = "Waiting on a third party"
		if c.BlockedBy != "" {
			pr.Message += " (" + c.BlockedBy + ")"
		}
		if c.Detail != "" {
			pr.Message += ": " + c.Detail
		}
		pr.Message += ". It will go on by itself."
	default:
		pr.Message = "Working on it (" + string(wf.State) + ")…"
	}
	return pr, nil
}

func actionText(c registrar.StatusContext) string {
	switch c.Action {
	case registrar.ActionRegistrantEmailConfirmationPending:
		t := "confirm the registrant's email address: open the link in the email sent to " + c.ConfirmationSentTo
		if c.ActionExpiresAt != nil {
			t += " before " + c.ActionExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		return t + "."
	case "":
		return c.Detail
	}
	return strings.ReplaceAll(c.Action, "_", " ") + ". " + c.Detail
}

func (s *Server) handleProgress(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	pr, err := s.progress(r.Context(), sess, env, r.PathValue("domain"))
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	p := s.pageFor(sess, env, "Registering "+pr.Domain)
	p.Data = pr
	s.render(w, http.StatusOK, "progress", p)
}

// pollWait is how long a progress poll is held waiting for a change.
const pollWait = 20 * time.Second

// handleProgressPoll is the progress page's long-poll: it answers when the
// workflow's version differs from ?version, or after pollWait.
func (s *Server) handleProgressPoll(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	since := r.URL.Query().Get("version")
	ctx, cancel := context.WithTimeout(r.Context(), pollWait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		pr, err := s.progress(r.Context(), sess, env, r.PathValue("domain"))
		if err != nil {
			http.Error(w, message(err), http.StatusNotFound)
			return
		}
		if jsonVersion(pr.Version) != since || pr.Completed {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(pr)
			return
		}
		select {
		case <-ctx.Done():
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(pr)
			return
		case <-tick.C:
		}
	}
}

type actionItem struct {
	Domain, Kind, Text string
	Expires            *time.Time
	// Resend: the item waits on the registrant's email, which the page
	// can send again.
	Resend bool
}

type actionsData struct {
	Items   []actionItem
	Message string
}

// handleActions lists the workflows waiting on the user.
func (s *Server) handleActions(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	pg, err := s.Reader.ListWorkflows(r.Context(), sess.AccountID, env, registrar.WorkflowListOptions{State: registrar.StateActionRequired, PerPage: registrar.MaxPerPage})
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	var items []actionItem
	for _, wf := range pg.Items {
		full, err := s.Reader.Workflow(r.Context(), sess.AccountID, wf.ID)
		if err != nil {
			continue
		}
		var c registrar.StatusContext
		_ = json.Unmarshal(full.Context, &c)
		items = append(items, actionItem{Domain: wf.Domain, Kind: string(wf.Kind), Text: actionText(c), Expires: c.ActionExpiresAt,
			Resend: wf.Kind == registrar.WorkflowRegistration && c.Action == registrar.ActionRegistrantEmailConfirmationPending})
	}
	p := s.pageFor(sess, env, "Waiting on you")
	p.Data = actionsData{Items: items, Message: r.URL.Query().Get("msg")}
	p.Error = r.URL.Query().Get("err")
	s.render(w, http.StatusOK, "actions", p)
}

// handleResend sends a registration's verification email again through
// the same core path as POST .../resend-verification, and goes back to
// the actions page saying where it went, or why not.
func (s *Server) handleResend(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	domain := r.PathValue("domain")
	back := "/dashboard/" + envSegment(env) + "/actions?"
	wf, err := s.Workflows.ResendVerification(r.Context(), sess.Principal, env, domain)
	if err != nil {
		if e := registrar.AsError(err); e == nil || e.Kind == registrar.KindInternal || e.Kind == registrar.KindUnavailable {
			s.Logger.Warn("dashboard resend failed", "domain", domain, "err", err)
		}
		http.Redirect(w, r, back+"err="+url.QueryEscape("Not sent: "+message(err)), http.StatusSeeOther)
		return
	}
	var c registrar.StatusContext
	_ = json.Unmarshal(wf.Context, &c)
	http.Redirect(w, r, back+"msg="+url.QueryEscape("Sent again to "+c.ConfirmationSentTo+"."), http.StatusSeeOther)
}

func (s *Server) fail(w http.ResponseWriter, sess session, env registrar.Env, err error) {
	status := userErrorStatus(err)
	if status == 0 {
		status = http.StatusInternalServerError
		s.Logger.Warn("dashboard page failed", "err", err)
	}
	p := s.pageFor(sess, env, "Error")
	p.Error = message(err)
	s.render(w, status, "error", p)
}

// userErrorStatus is the status of an error the user can act on (a
// form shown again with its message, or an error page), or 0 for any
// other: an internal error.
func userErrorStatus(err error) int {
	switch registrar.KindOf(err) {
	case registrar.KindInvalid:
		return http.StatusBadRequest
	case registrar.KindForbidden:
		return http.StatusForbidden
	case registrar.KindConflict:
		return http.StatusConflict
	case registrar.KindNotFound:
		return http.StatusNotFound
	}
	return 0
}

func isNotFound(err error) bool {
	e := registrar.AsError(err)
	return e != nil && e.Kind == registrar.KindNotFound
}

// message is what a user is shown of an error: the core's message for
// the errors it explains, a generic one otherwise.
func message(err error) string {
	var e *registrar.Error
	if errors.As(err, &e) && e.Kind != registrar.KindInternal && e.Message != "" {
		return e.Message
	}
	return "Something went wrong; try again later."
}
