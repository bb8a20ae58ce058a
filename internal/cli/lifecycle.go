package cli

import (
	"fmt"
	"strings"

	"github.com/openregistrar/registrar/client"
)

// renew, restore and history: a registration's life after its first
// term (the server's extensions to Cloudflare's API).

func (e *cmdEnv) renew(args []string) error {
	f := newFlags(e, "renew NAME", "Renew a registration: start a renewal workflow (billed once it succeeds) and show where it stands.",
		"registrar renew example.com --years 2 --wait")
	api := apiFlags(f)
	years := f.int("years", 1, "years added, 1 to 10 (the registration may run at most 10 years ahead)")
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async) instead of after its sync window")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("renew takes one domain name, not %d", len(pos))
	}
	if *years < 1 || *years > 10 {
		return f.usageError("--years must be 1 to 10, not %d", *years)
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.Renew(e.ctx, pos[0], client.RenewRequest{Years: *years}, client.RenewOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "renewal", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --renewal --wait")
}

func (e *cmdEnv) restore(args []string) error {
	f := newFlags(e, "restore NAME", "Restore a registration in its redemption period (an RGP restore, billed the registry's restore fee once it succeeds).",
		"registrar restore example.com --wait")
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("restore takes one domain name, not %d", len(pos))
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.Restore(e.ctx, pos[0], client.RestoreOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "restore", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --restore --wait")
}

func (e *cmdEnv) history(args []string) error {
	f := newFlags(e, "history NAME", "Show a registration's history: registered, renewed, expired, restored, reconciled, ...",
		"registrar history example.com")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("history takes one domain name, not %d", len(pos))
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	evs, err := c.History(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if api.json() {
		if evs == nil {
			evs = []client.RegistrationEvent{}
		}
		return writeJSON(e.stdout, evs)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "AT\tEVENT\tSTATUS\tEXPIRES\tDETAIL")
	for _, ev := range evs {
		expires := "-"
		if ev.ExpiresAt != nil {
			expires = fmtTime(*ev.ExpiresAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", fmtTime(ev.At), ev.Type, ev.Status, expires, dash(ev.Detail))
	}
	return tw.Flush()
}

// lifecycleRows are the rows of a registration's renewal and registry
// sync, when it has them.
func lifecycleRows(r *client.Registration) []string {
	var kv []string
	if rn := r.Renewal; rn != nil {
		how := "explicit"
		if rn.Automatic {
			how = "automatic"
		}
		s := string(rn.State) + " (" + how + ", " + fmtTime(rn.UpdatedAt) + ")"
		if rn.ErrorCode != "" {
			s += ": " + rn.ErrorCode + ": " + rn.ErrorMessage
		}
		kv = append(kv, "renewal", s)
	}
	if rs := r.RegistrySync; rs != nil {
		kv = append(kv, "registry sync", rs.State+" (checked "+fmtTime(rs.CheckedAt)+")")
		for _, d := range rs.Differences {
			kv = append(kv, "  difference", strings.Join([]string{d.Field, "ours " + dash(d.Ours), "registry " + dash(d.Registry), d.Action}, "; "))
		}
	}
	return kv
}
