package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/openregistrar/registrar/client"
	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/sandbox"
)

// transfer-check, transfer, transfer-cancel, transfer-out and sandbox
// transfer-request: domains moving between registrars.

func (e *cmdEnv) transferCheck(args []string) error {
	f := newFlags(e, "transfer-check NAME...", "Ask the registry, now, whether domains held elsewhere (1 to 10) can be transferred in, and the price.",
		"registrar transfer-check example.com --auth-code example.com=c2VjcmV0")
	api := apiFlags(f)
	codes := map[string]string{}
	f.Func("auth-code", "a domain's auth code from its registrar, NAME=CODE, base64 as the API takes it (checked too); repeatable", func(s string) error {
		name, code, ok := strings.Cut(s, "=")
		if !ok || name == "" || code == "" {
			return errors.New("want NAME=CODE")
		}
		codes[name] = code
		return nil
	})
	names, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return f.usageError("transfer-check needs at least one domain name")
	}
	for name := range codes {
		if !slices.Contains(names, name) {
			return f.usageError("--auth-code names %s, which is not among the domain names to check", name)
		}
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	req := make([]client.TransferCheckName, len(names))
	for i, n := range names {
		req[i] = client.TransferCheckName{DomainName: n, AuthCode: codes[n]}
	}
	res, err := c.TransferCheck(e.ctx, req...)
	if err != nil {
		return err
	}
	if api.json() {
		if res == nil {
			res = map[string]client.TransferCheckResult{}
		}
		return writeJSON(e.stdout, res)
	}
	return transferCheckTable(e.stdout, names, res)
}

// transferCheckTable prints the answers in the order the names were
// given, then any the server keyed otherwise (a name it normalized).
func transferCheckTable(w io.Writer, names []string, res map[string]client.TransferCheckResult) error {
	tw := table(w)
	fmt.Fprintln(tw, "NAME\tTRANSFERABLE\tPRICE\tRENEWAL\tREASONS")
	printed := map[string]bool{}
	row := func(key string) {
		r, ok := res[key]
		if !ok || printed[key] {
			return
		}
		printed[key] = true
		price, renewal := "-", "-"
		if p := r.Pricing; p != nil {
			price, renewal = p.TransferCost+" "+p.Currency, p.RenewalCost+" "+p.Currency
		}
		var reasons []string
		for _, x := range r.Reasons {
			reasons = append(reasons, x.Code)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", dash(r.Name), yesNo(r.Transferable), price, renewal, dash(strings.Join(reasons, ", ")))
	}
	for _, n := range names {
		row(n)
	}
	for _, k := range sortedKeys(res) {
		row(k)
	}
	return tw.Flush()
}

func (e *cmdEnv) transfer(args []string) error {
	f := newFlags(e, "transfer NAME", "Transfer a domain held at another registrar in: start its transfer workflow and show where it stands. "+
		"The losing registrar has up to 5 days to answer; --wait polls in minutes meanwhile.",
		"registrar transfer example.com --auth-code c2VjcmV0 --auto-renew --wait")
	api := apiFlags(f)
	authCode := f.string("auth-code", "", "the domain's auth code from its registrar, base64 as the API takes it (required except under .uk)")
	autoRenew := f.bool("auto-renew", false, "renew the domain automatically before it expires")
	contactFile := f.string("contact", "", "JSON file with the registrant, as for register (default: the account's contact)")
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async) instead of after its sync window")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("transfer takes one domain name, not %d", len(pos))
	}
	req := client.TransferInRequest{AuthCode: *authCode, AutoRenew: *autoRenew}
	if *contactFile != "" {
		if req.Contacts.Registrant, err = readContact(*contactFile); err != nil {
			return err
		}
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.TransferIn(e.ctx, pos[0], req, client.TransferInOptions{Async: *async})
	if err != nil {
		return e.startFailed(c, api, pos[0], err)
	}
	if st.Existing {
		e.existing(api, st, "transferred in", requested{autoRenew: req.AutoRenew, contact: req.Contacts.Registrant != nil, authCode: req.AuthCode != ""})
	} else if !api.json() {
		headline(e.stdout, rec.lastStatus(), "transfer", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --transfer --wait")
}

func (e *cmdEnv) transferCancel(args []string) error {
	f := newFlags(e, "transfer-cancel NAME", "Cancel a domain's running transfer in, at the registry; the transfer ends failed with transfer_cancelled.",
		"registrar transfer-cancel example.com")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("transfer-cancel takes one domain name, not %d", len(pos))
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.CancelTransferIn(e.ctx, pos[0])
	if err != nil {
		return err
	}
	return e.decided(rec, api, "transfer", st, client.WorkflowErrTransferCancelled)
}

// transferOut is `transfer-out approve|reject|status NAME`.
func (e *cmdEnv) transferOut(args []string) error {
	return e.sub(args, "transfer-out", map[string]func([]string) error{
		"approve": func(args []string) error { return e.transferOutDecide(args, "approve") },
		"reject":  func(args []string) error { return e.transferOutDecide(args, "reject") },
		"status":  e.transferOutStatus,
	})
}

func (e *cmdEnv) transferOutDecide(args []string, decision string) error {
	summary := "Let a domain go to the registrar that asked for it: the registration leaves the account."
	if decision == "reject" {
		summary = "Refuse another registrar's request for a domain: the registration stays."
	}
	f := newFlags(e, "transfer-out "+decision+" NAME", summary, "registrar transfer-out "+decision+" example.com")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("transfer-out %s takes one domain name, not %d", decision, len(pos))
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	decide, want := c.ApproveTransferOut, ""
	if decision == "reject" {
		decide, want = c.RejectTransferOut, client.WorkflowErrTransferRejected
	}
	st, err := decide(e.ctx, pos[0])
	if err != nil {
		return err
	}
	return e.decided(rec, api, "transfer out", st, want)
}

// decided prints the status a cancel or a decision answered with. The
// outcome asked for exits 0: succeeded, or failed with the error code
// failedCode (a cancel's, a rejection's); any other the workflow's state.
func (e *cmdEnv) decided(rec *recorder, api *apiOpts, what string, st *client.WorkflowStatus, failedCode string) error {
	if api.json() {
		if err := writeJSON(e.stdout, st); err != nil {
			return err
		}
	} else {
		headline(e.stdout, rec.lastStatus(), what, st)
		fmt.Fprintln(e.stdout)
		if err := printWorkflow(e.stdout, st); err != nil {
			return err
		}
	}
	switch {
	case st.State == client.StateSucceeded, failedCode != "" && st.State == client.StateFailed && st.Error != nil && st.Error.Code == failedCode:
		return nil
	case st.State == client.StateFailed:
		return exitStatus(exitFailed)
	}
	return exitStatus(exitNotFinish)
}

func (e *cmdEnv) transferOutStatus(args []string) error {
	f := newFlags(e, "transfer-out status NAME", "Show where another registrar's request for a domain of the account stands. "+
		"The exit status is the state's: 0 succeeded (the domain left), 2 failed (rejected or cancelled: it stays), 4 not decided yet.",
		"registrar transfer-out status example.com")
	api := apiFlags(f)
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("transfer-out status takes one domain name, not %d", len(pos))
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.TransferOutStatus(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if !*w.wait && !api.json() && st.State == client.StateBlocked {
		if err := printWorkflow(e.stdout, st); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nDecide with \"registrar transfer-out approve %s\" or \"registrar transfer-out reject %s\"", pos[0], pos[0])
		if by := st.Context.TransferActBy; !by.IsZero() {
			fmt.Fprintf(e.stdout, "; without a decision the registry approves it at %s", fmtTime(by))
		}
		fmt.Fprintln(e.stdout, ".")
		return exitStatus(exitNotFinish)
	}
	return e.follow(c, rec, api, w, st, false, "registrar transfer-out status "+pos[0]+" --wait")
}

func (e *cmdEnv) sandboxTransferRequest(args []string) error {
	f := newFlags(e, "sandbox transfer-request NAME", "Make the built-in registry's other registrar ("+sandbox.OtherRegistrar+
		") request the transfer of a domain the server holds, as another registrar's customer would: "+
		"the server starts its outbound transfer when it next polls the registry (a minute at most by default).",
		"registrar sandbox transfer-request example.com --demo")
	dataDir, database := dbFlags(f)
	demo := f.bool("demo", false, "the demo registry instead: the built-in registry behind the live API in demo mode")
	delay := f.duration("sandbox-transfer-delay", sandbox.DefaultTransferDelay, "how long until the registry approves a request nobody answered: give the server's")
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("sandbox transfer-request takes one domain name, not %d", len(pos))
	}
	if err := daemon.RequestTransferOut(e.ctx, *dataDir, *database, *demo, pos[0], *delay); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s requested the transfer of %s; without an answer the registry approves it in %s.\n"+
		"Follow it with \"registrar transfer-out status %s\".\n", sandbox.OtherRegistrar, pos[0], *delay, pos[0])
	return nil
}
