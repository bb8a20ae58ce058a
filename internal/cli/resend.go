package cli

import (
	"fmt"
	"strings"
)

// resendVerification is `resend-verification NAME`: the registrant lost
// the verification email of a registration waiting on it.
func (e *cmdEnv) resendVerification(args []string) error {
	f := newFlags(e, "resend-verification NAME", "Send the registrant email verification of a registration waiting on it (action_required) again, with a new link. "+
		"The links sent before keep working; the deadline does not move. At most 5 resends, one a minute.",
		"registrar resend-verification example.com --sandbox")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("resend-verification takes one domain name, not %d", len(pos))
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.ResendVerification(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, st)
	}
	headline(e.stdout, rec.lastStatus(), "registration", st)
	fmt.Fprintln(e.stdout)
	if err := printWorkflow(e.stdout, st); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nSent again to %s, with a new link", dash(st.Context.ConfirmationSentTo))
	if !st.Context.ActionExpiresAt.IsZero() {
		fmt.Fprintf(&b, "; it and the links sent before work until %s", fmtTime(st.Context.ActionExpiresAt))
	}
	b.WriteString(".\n")
	if keepsMail(e.ctx, c, st) {
		b.WriteString(outboxHint + "\n")
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}
