package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/client"
)

// register, status, list, get and autorenew: registrations and their
// workflows.

// waitOpts are the flags that follow a workflow.
type waitOpts struct {
	wait                                          *bool
	timeout, maxBlocked, interval, maxUnreachable *time.Duration
}

func waitFlags(f *flags) *waitOpts {
	return &waitOpts{
		wait:           f.bool("wait", false, "follow the workflow until it succeeds, fails or needs you, showing its progress"),
		timeout:        f.duration("timeout", 0, "with --wait, stop waiting after this long (exit status 4; the workflow goes on); 0 waits as long as it takes"),
		maxBlocked:     f.duration("max-blocked", client.DefaultMaxBlocked, "with --wait, stop waiting once the workflow was blocked (waiting on the registry) this long in all (exit status 4); 0: no limit"),
		maxUnreachable: f.duration("max-unreachable", client.DefaultMaxUnreachable, "with --wait, stop waiting once the server has not answered (restarting, refusing connections) for this long in a row (exit status 4; the workflow goes on)"),
		interval:       f.duration("wait-interval", 0, "with --wait, the first delay between polls when the server gives no Retry-After, doubling up to 30s (default 1s; 30s while blocked, up to 10m; 5m while a transfer waits on the losing registrar, up to 30m); the server's Retry-After takes precedence"),
	}
}

func (w *waitOpts) options() client.WaitOptions {
	o := client.WaitOptions{
		Interval: client.DefaultInterval, MaxInterval: client.DefaultMaxInterval, Multiplier: client.DefaultMultiplier,
		BlockedInterval: client.DefaultBlockedInterval, MaxBlockedInterval: client.DefaultMaxBlockedInterval,
		TransferInterval: client.DefaultTransferInterval, MaxTransferInterval: client.DefaultMaxTransferInterval,
		MaxBlocked: *w.maxBlocked, MaxUnreachable: *w.maxUnreachable,
	}
	if o.MaxUnreachable == 0 {
		o.MaxUnreachable = -1 // --max-unreachable 0: give up at the first failure
	}
	if *w.interval > 0 {
		o.Interval, o.BlockedInterval, o.TransferInterval = *w.interval, *w.interval, *w.interval
	}
	if o.MaxBlocked == 0 {
		o.MaxBlocked = -1 // --max-blocked 0: no limit
	}
	return o
}

func (e *cmdEnv) register(args []string) error {
	f := newFlags(e, "register NAME", "Register a domain: start its registration workflow and show where it stands.",
		"registrar register example.com --years 2 --auto-renew --wait")
	api := apiFlags(f)
	years := f.int("years", 0, "registration period, 1 to 10 years (default: the extension's minimum)")
	autoRenew := f.bool("auto-renew", false, "renew the domain automatically before it expires")
	contactFile := f.string("contact", "", "JSON file with the registrant: email, phone (+CC.NUMBER), postal_info {name, organization, address {street, city, state, postal_code, country_code}} (default: the account's contact)")
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async) instead of after its sync window")
	acks := map[string]any{}
	f.Func("ack", "acknowledge what the extension asks, e.g. --ack hsts_preload (see registrar extensions EXT); repeatable", func(s string) error {
		acks[s] = true
		return nil
	})
	cext := map[string]any{}
	f.Func("contact-extension", "a registry-specific registrant value KEY=VALUE, e.g. nexus_category=C11 (see registrar extensions EXT); repeatable", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return errors.New("want KEY=VALUE")
		}
		cext[k] = v
		return nil
	})
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("register takes one domain name, not %d", len(pos))
	}
	req := client.RegisterRequest{DomainName: pos[0], Years: *years, AutoRenew: *autoRenew}
	if len(acks) > 0 {
		req.Acknowledgements = acks
	}
	if len(cext) > 0 {
		req.ContactExtensions = cext
	}
	if *contactFile != "" {
		if req.Contacts.Registrant, err = readContact(*contactFile); err != nil {
			return err
		}
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.Register(e.ctx, req, client.RegisterOptions{Async: *async})
	if err != nil {
		return e.startFailed(c, api, pos[0], err)
	}
	if st.Existing {
		e.existing(api, st, "registered", requested{years: req.Years, autoRenew: req.AutoRenew, contact: req.Contacts.Registrant != nil,
			acks: len(acks) > 0, contactExtensions: len(cext) > 0})
	} else if !api.json() {
		headline(e.stdout, rec.lastStatus(), "registration", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --wait")
}

// startFailed is the error of a register or transfer command whose POST
// was refused: a name known to be premium is the workflow failure
// domain_premium (exit status 2, as when the workflow finds out), and a
// validation error gets hints that name the flags that fix it.
func (e *cmdEnv) startFailed(c *client.Client, api *apiOpts, domain string, err error) error {
	if msg, ok := premiumRefusal(err); ok {
		info := e.stdout
		if api.json() {
			info = e.stderr
		}
		fmt.Fprintf(info, "failed: %s: %s\n", client.WorkflowErrDomainPremium, msg)
		return exitStatus(exitFailed)
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return err
	}
	ext := domain
	if i := strings.IndexByte(domain, '.'); i >= 0 {
		ext = domain[i+1:]
	}
	required := map[string][]string{} // group: names
	for _, it := range apiErr.Errors {
		if it.Pointer == "/acknowledgements" || it.Pointer == "/contact_extensions" {
			if x, xerr := c.Extension(e.ctx, ext); xerr == nil {
				for _, fl := range parseSchema(x.RegistrationSchema).fields() {
					if group, name, ok := strings.Cut(fl.name, "."); ok && fl.required {
						required[group] = append(required[group], name)
					}
				}
			}
			break
		}
	}
	if hints := flagHints(apiErr, ext, required); len(hints) > 0 {
		return &hinted{err, hints}
	}
	return err
}

// requested is what a register or transfer command line asked for
// besides the name.
type requested struct {
	years                              int
	autoRenew, contact, acks, authCode bool
	contactExtensions                  bool
}

// existing says, in place of the headline, that the server answered with
// the workflow an earlier request for the domain started, so that what
// this one asked for was not applied, and how to apply it. done is what
// a succeeded workflow made of the domain: "registered" or "transferred
// in".
func (e *cmdEnv) existing(api *apiOpts, st *client.WorkflowStatus, done string, r requested) {
	info := e.stdout
	if api.json() {
		info = e.stderr
	}
	domain := st.Context.DomainName
	var head string
	switch {
	case st.State == client.StateSucceeded:
		created := st.CreatedAt
		if g := st.Context.Registration; g != nil && !g.CreatedAt.IsZero() {
			created = g.CreatedAt
		}
		head = fmt.Sprintf("%s is already registered in this account (created %s)", domain, fmtTime(created))
		if done != "registered" {
			head = fmt.Sprintf("%s is already in this account (transferred in %s)", domain, fmtTime(st.UpdatedAt))
		}
	default:
		what := "registration"
		if done != "registered" {
			what = "transfer"
		}
		head = fmt.Sprintf("%s already has a %s in this account, started %s (%s)", domain, what, fmtTime(st.CreatedAt), st.State)
	}
	var asked, fixes []string
	if r.years > 0 {
		asked = append(asked, "years")
	}
	if r.autoRenew {
		asked = append(asked, "auto-renew")
	}
	if r.contact {
		asked = append(asked, "contact")
	}
	if r.acks {
		asked = append(asked, "acknowledgements")
	}
	if r.contactExtensions {
		asked = append(asked, "contact extensions")
	}
	if r.authCode {
		asked = append(asked, "auth code")
	}
	if len(asked) == 0 {
		fmt.Fprintf(info, "%s; this request changed nothing.\n", head)
		return
	}
	if r.autoRenew {
		fixes = append(fixes, fmt.Sprintf("change auto-renew with \"registrar autorenew %s on|off\"", domain))
	}
	if r.years > 0 {
		fixes = append(fixes, fmt.Sprintf("add years with \"registrar renew %s --years N\"", domain))
	}
	if r.contact {
		fixes = append(fixes, fmt.Sprintf("change the registrant with \"registrar contacts set %s --registrant FILE\"", domain))
	}
	msg := fmt.Sprintf("%s; none of this request was applied (%s)", head, andList(asked))
	if len(fixes) > 0 {
		msg += ": " + strings.Join(fixes, ", ")
	}
	fmt.Fprintf(info, "%s.\n", msg)
}

// andList joins words as "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// readContact reads a contact in the API's shape, strictly.
func readContact(path string) (*client.Contact, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c client.Contact
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v (want a contact: email, phone, postal_info)", path, err)
	}
	return &c, nil
}

func headline(w io.Writer, code int, what string, st *client.WorkflowStatus) {
	how := "is " + string(st.State)
	if st.Completed {
		how = "finished: " + string(st.State)
	}
	fmt.Fprintf(w, "%d %s: the %s of %s %s\n", code, http.StatusText(code), what, st.Context.DomainName, how)
}

func (e *cmdEnv) status(args []string) error {
	f := newFlags(e, "status NAME", "Show where a domain's registration workflow stands (or its update's, with --update; its transfer in's, with --transfer; its renewal's or restore's, with --renewal or --restore). "+
		"The exit status is the state's: 0 succeeded, 2 failed, 3 action required, 4 not finished.",
		"registrar status example.com --wait")
	api := apiFlags(f)
	update := f.bool("update", false, "show the newest update workflow (autorenew) instead of the registration")
	transfer := f.bool("transfer", false, "show the newest transfer in instead of the registration")
	renewal := f.bool("renewal", false, "show the newest renewal instead of the registration")
	restore := f.bool("restore", false, "show the newest restore instead of the registration")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("status takes one domain name, not %d", len(pos))
	}
	chosen := 0
	for _, b := range []bool{*update, *transfer, *renewal, *restore} {
		if b {
			chosen++
		}
	}
	if chosen > 1 {
		return f.usageError("status takes one of --update, --transfer, --renewal and --restore")
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	get, again := c.RegistrationStatus, "registrar status "+pos[0]+" --wait"
	if *update {
		get, again = c.UpdateStatus, "registrar status "+pos[0]+" --update --wait"
	}
	if *transfer {
		get, again = c.TransferInStatus, "registrar status "+pos[0]+" --transfer --wait"
	}
	if *renewal {
		get, again = c.RenewalStatus, "registrar status "+pos[0]+" --renewal --wait"
	}
	if *restore {
		get, again = c.RestoreStatus, "registrar status "+pos[0]+" --restore --wait"
	}
	st, err := get(e.ctx, pos[0])
	if err != nil {
		return err
	}
	return e.follow(c, rec, api, w, st, false, again)
}

func (e *cmdEnv) autorenew(args []string) error {
	return e.toggle(args, "autorenew", "Turn a registration's automatic renewal on or off (an update workflow).",
		func(on bool) client.UpdateRequest { return client.UpdateRequest{AutoRenew: client.Bool(on)} })
}

func (e *cmdEnv) lock(args []string) error {
	return e.toggle(args, "lock", "Set (on) or remove (off) a registration's transfer lock at its registry (an update workflow); "+
		"another registrar can ask for a domain only once it is off.",
		func(on bool) client.UpdateRequest { return client.UpdateRequest{Locked: client.Bool(on)} })
}

// toggle runs an update command that turns one setting on or off.
func (e *cmdEnv) toggle(args []string, name, about string, req func(on bool) client.UpdateRequest) error {
	f := newFlags(e, name+" NAME on|off", about, "registrar "+name+" example.com off")
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[1] != "on" && pos[1] != "off") {
		return f.usageError(name + " takes a domain name and on or off")
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.UpdateRegistration(e.ctx, pos[0], req(pos[1] == "on"), client.UpdateOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "update", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --update --wait")
}

// follow waits for a workflow when asked, prints its status and says
// what the user can do; its exit status is the workflow's state. headed
// says a headline was printed; again is the command that follows the
// workflow later.
func (e *cmdEnv) follow(c *client.Client, rec *recorder, api *apiOpts, w *waitOpts, st *client.WorkflowStatus, headed bool, again string) error {
	info := e.stdout // progress and advice: stderr when stdout is JSON
	if api.json() {
		info = e.stderr
	}
	var waitErr error
	if *w.wait && !st.State.Terminal() && st.State != client.StateActionRequired {
		ctx, cancel := e.ctx, context.CancelFunc(func() {})
		if *w.timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, *w.timeout)
		}
		opts := w.options()
		p := newProgress(info, isTerminal(info), st.Context.DomainName)
		opts.OnChange, opts.OnPoll = p.change, p.polled
		p.begin(100 * time.Millisecond)
		st, waitErr = c.Wait(ctx, st, opts)
		p.end()
		cancel()
		headed = true
	}
	if api.json() {
		if err := writeJSON(e.stdout, st); err != nil {
			return err
		}
	} else {
		if headed {
			fmt.Fprintln(e.stdout)
		}
		if err := printWorkflow(e.stdout, st); err != nil {
			return err
		}
	}
	domain := st.Context.DomainName
	var blocked *client.BlockedError
	var down *client.UnreachableError
	switch {
	case errors.As(waitErr, &blocked):
		fmt.Fprintf(info, "\nGave up waiting: %s was blocked for %s in all (--max-blocked %s). It goes on at the server: follow it with %q.\n",
			domain, roundDuration(blocked.Blocked), *w.maxBlocked, again)
		return exitStatus(exitNotFinish)
	case errors.Is(waitErr, context.DeadlineExceeded) && e.ctx.Err() == nil:
		fmt.Fprintf(info, "\nGave up waiting after %s (--timeout): %s is still %s. It goes on at the server: follow it with %q.\n",
			*w.timeout, domain, st.State, again)
		return exitStatus(exitNotFinish)
	case waitErr != nil && e.ctx.Err() != nil:
		fmt.Fprintf(info, "\nStopped waiting: %s is still %s. It goes on at the server: follow it with %q.\n", domain, st.State, again)
		return exitStatus(exitNotFinish)
	case errors.As(waitErr, &down):
		fmt.Fprintf(info, "\nGave up waiting: the server did not answer for %s (%s); %s was %s when last seen. It goes on at the server: follow it with %q.\n",
			roundDuration(down.For), shortNetError(down.Err), domain, st.State, again)
		return exitStatus(exitNotFinish)
	case waitErr != nil:
		return waitErr
	}
	switch st.State {
	case client.StateSucceeded:
		return nil
	case client.StateFailed:
		if api.json() && st.Error != nil {
			fmt.Fprintf(info, "failed: %s: %s\n", st.Error.Code, st.Error.Message)
		}
		return exitStatus(exitFailed)
	case client.StateActionRequired:
		fmt.Fprintf(info, "\n%s\n", actionAdvice(st, again, keepsMail(e.ctx, c, st)))
		return exitStatus(exitAction)
	case client.StatePending, client.StateInProgress, client.StateBlocked:
		fmt.Fprintf(info, "\nNot finished yet: follow it with %q.\n", again)
		return exitStatus(exitNotFinish)
	}
	return fmt.Errorf("the workflow of %s is in a state this command does not know: %q", domain, st.State)
}

// actionAdvice says what the user must do for a workflow in
// action_required; outbox says the server keeps its mail in its outbox
// (the sandbox, demo mode), where the user finds the link.
func actionAdvice(st *client.WorkflowStatus, again string, outbox bool) string {
	cx := st.Context
	var b strings.Builder
	switch cx.Action {
	case client.ActionRegistrantEmailConfirmationPending:
		fmt.Fprintf(&b, "Action required: check %s for the verification email and open its link.", dash(cx.ConfirmationSentTo))
		if outbox {
			b.WriteString("\n" + outboxHint)
		}
		fmt.Fprintf(&b, "\nThe registration of %s goes on once the address is verified", cx.DomainName)
	default:
		fmt.Fprintf(&b, "Action required: %s", dash(cx.Action))
		if cx.ConfirmationSentTo != "" {
			fmt.Fprintf(&b, " (a confirmation went to %s)", cx.ConfirmationSentTo)
		}
		fmt.Fprintf(&b, ".\nThe workflow of %s goes on once it is done", cx.DomainName)
	}
	if !cx.ActionExpiresAt.IsZero() {
		fmt.Fprintf(&b, "; it fails with action_expired if not done by %s", fmtTime(cx.ActionExpiresAt))
	}
	fmt.Fprintf(&b, ".\nThen follow it with %q.", again)
	if cx.Action == client.ActionRegistrantEmailConfirmationPending {
		resend := "registrar resend-verification " + cx.DomainName
		if strings.Contains(st.Links.Self, "/registrar-sandbox/") {
			resend += " --sandbox"
		}
		fmt.Fprintf(&b, "\nNo email? %q sends it again.", resend)
	}
	return b.String()
}

// outboxHint tells where the sandbox's and demo mode's mail is.
const outboxHint = `The sandbox keeps its mail in the outbox: "registrar outbox show --latest" prints the link.`

// keepsMail reports whether the workflow's mail stays in the server's
// outbox: a workflow of the sandbox API (its status link says so), or a
// server in demo mode (GET /healthz says "mode": "demo"). Any failure to
// tell says no: the hint is a help, not a promise.
func keepsMail(ctx context.Context, c *client.Client, st *client.WorkflowStatus) bool {
	if strings.Contains(st.Links.Self, "/registrar-sandbox/") {
		return true
	}
	base, err := url.Parse(c.BaseURL())
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.ResolveReference(&url.URL{Path: "/healthz"}).String(), nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var health struct {
		Mode string `json:"mode"`
	}
	return res.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(res.Body, 4096)).Decode(&health) == nil && health.Mode == "demo"
}

// printWorkflow prints a workflow status as "key: value" lines.
func printWorkflow(w io.Writer, st *client.WorkflowStatus) error {
	cx := st.Context
	kv := []string{"domain", cx.DomainName, "state", string(st.State), "started", fmtTime(st.CreatedAt), "updated", fmtTime(st.UpdatedAt)}
	if by, reason := cx.Blocker(); by != "" || reason != "" {
		kv = append(kv, "waiting on", strings.TrimSuffix(dash(by)+": "+reason, ": "))
	}
	if !cx.TransferActBy.IsZero() {
		kv = append(kv, "act by", fmtTime(cx.TransferActBy))
	}
	if cx.Action != "" {
		kv = append(kv, "action", cx.Action, "sent to", cx.ConfirmationSentTo)
		if !cx.ActionExpiresAt.IsZero() {
			kv = append(kv, "action expires", fmtTime(cx.ActionExpiresAt))
		}
	}
	if len(cx.Changes) > 0 {
		kv = append(kv, "changes", joinChanges(cx.Changes))
	}
	if r := cx.Registration; r != nil {
		kv = append(kv, registrationRows(r)[2:]...)
	}
	if st.Error != nil {
		kv = append(kv, "error", st.Error.Code+": "+st.Error.Message)
	}
	return rows{w}.print(kv...)
}

func registrationRows(r *client.Registration) []string {
	expires := "-"
	if r.ExpiresAt != nil {
		expires = fmtTime(*r.ExpiresAt)
	}
	return []string{"domain", r.DomainName, "status", string(r.Status), "created", fmtTime(r.CreatedAt), "expires", expires,
		"auto-renew", onOff(r.AutoRenew), "locked", yesNo(r.Locked), "privacy", string(r.PrivacyMode)}
}

func (e *cmdEnv) get(args []string) error {
	f := newFlags(e, "get NAME", "Show a registration.", "registrar get example.com --output json")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("get takes one domain name, not %d", len(pos))
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	r, err := c.Registration(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, r)
	}
	return rows{e.stdout}.print(append(append(registrationRows(r), dnsRows(r)...), lifecycleRows(r)...)...)
}

// dnsRows shows where the domain points: its name servers and DS records
// as the registry holds them ("-" before the registry has reported any).
func dnsRows(r *client.Registration) []string {
	ns := "-"
	if len(r.Nameservers) > 0 {
		ns = strings.Join(r.Nameservers, ", ")
	}
	dnssec := "off"
	if r.DNSSEC != nil && len(r.DNSSEC.DSRecords) > 0 {
		var ds []string
		for _, d := range r.DNSSEC.DSRecords {
			ds = append(ds, fmt.Sprintf("%d %d %d %s", d.KeyTag, d.Algorithm, d.DigestType, d.Digest))
		}
		dnssec = "on: DS " + strings.Join(ds, "; DS ")
	}
	return []string{"nameservers", ns, "dnssec", dnssec}
}

func (e *cmdEnv) list(args []string) error {
	f := newFlags(e, "list", "List the account's registrations.", "registrar list --sort-by registry_expires_at")
	api := apiFlags(f)
	sortBy := f.string("sort-by", "", "order by a column (domain, status, created (default), expires, auto-renew, locked, privacy; any case) or the API's registry_created_at, registry_expires_at or name")
	direction := f.string("direction", "", "asc (default) or desc")
	if err := f.parse(args); err != nil {
		return err
	}
	apiSort, column, err := listSort(*sortBy)
	if err != nil {
		return err
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	regs := []client.Registration{}
	for r, err := range c.Registrations(e.ctx, client.ListOptions{SortBy: apiSort, Direction: client.Direction(*direction), PerPage: 50}) {
		if err != nil {
			return err
		}
		regs = append(regs, r)
	}
	if column >= 0 { // a column the API does not sort by: sort the rows here
		slices.SortStableFunc(regs, func(a, b client.Registration) int {
			c := strings.Compare(registrationRows(&a)[column], registrationRows(&b)[column])
			if *direction == "desc" {
				return -c
			}
			return c
		})
	}
	if api.json() {
		return writeJSON(e.stdout, regs)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "DOMAIN\tSTATUS\tCREATED\tEXPIRES\tAUTO-RENEW\tLOCKED\tPRIVACY")
	for _, r := range regs {
		kv := registrationRows(&r)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", kv[1], kv[3], kv[5], kv[7], kv[9], kv[11], kv[13])
	}
	return tw.Flush()
}

// listColumns are the columns of "registrar list" that --sort-by takes,
// each with the API's sort_by, or the index of its value in
// registrationRows to sort by here.
var listColumns = []struct {
	name   string
	api    client.SortBy
	column int
}{
	{"domain", "name", -1}, {"status", "", 3}, {"created", "registry_created_at", -1}, {"expires", "registry_expires_at", -1},
	{"auto-renew", "", 9}, {"locked", "", 11}, {"privacy", "", 13},
}

// listSort maps --sort-by, a column of the table (any case) or the API's
// value, to the API's sort_by, or to a column to sort by here (-1: none).
func listSort(v string) (client.SortBy, int, error) {
	if v == "" {
		return "", -1, nil
	}
	low := strings.ToLower(strings.ReplaceAll(v, "_", "-"))
	var names []string
	for _, c := range listColumns {
		if low == c.name {
			return c.api, c.column, nil
		}
		names = append(names, c.name)
	}
	for _, c := range listColumns {
		if c.api != "" && v == string(c.api) {
			return c.api, -1, nil
		}
	}
	return "", -1, fmt.Errorf("--sort-by %q: want a column (%s; any case) or the API's registry_created_at, registry_expires_at or name", v, strings.Join(names, ", "))
}
