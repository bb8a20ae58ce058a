package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/openregistrar/registrar/client"
)

// token: the account's API tokens (the server's extension; docs/API.md,
// "Tokens (ours)", issue 17).

func (e *cmdEnv) tokenCreate(args []string) error {
	f := newFlags(e, "token create NAME", "Create an API token for the account. Its secret is shown once; a token never grants more than the one creating it.",
		"registrar token create ci --sandbox-only --expires 720h")
	readOnly := f.bool("read-only", false, "the token may only read (and check and search domains)")
	sandboxOnly := f.bool("sandbox-only", false, "the token reaches the /registrar-sandbox/ API only")
	expires := f.string("expires", "", "when the token expires: a duration from now (720h) or an RFC 3339 time (2027-01-31T00:00:00Z); default: never")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("token create takes one NAME")
	}
	req := client.TokenRequest{Name: pos[0], SandboxOnly: *sandboxOnly}
	if *readOnly {
		req.Scope = client.TokenScopeRead
	}
	if *expires != "" {
		at, err := parseExpiry(*expires, time.Now())
		if err != nil {
			return f.usageError("--expires: %v", err)
		}
		req.ExpiresOn = &at
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	t, err := c.CreateToken(e.ctx, req)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, t)
	}
	if err := printToken(e, t); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nToken (shown only now; send it as Authorization: Bearer <token>):\n%s\n", t.Value)
	return nil
}

// parseExpiry reads --expires: a positive duration from now, or an RFC
// 3339 time.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%s is not in the future", s)
		}
		return now.Add(d).UTC().Truncate(time.Second), nil
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a duration (720h) nor an RFC 3339 time (2027-01-31T00:00:00Z)", s)
	}
	return at, nil
}

func printToken(e *cmdEnv, t *client.Token) error {
	return rows{e.stdout}.print("id", t.ID, "name", t.Name, "scope", t.Scope, "environments", tokenEnvs(t),
		"created", t.CreatedOn.Format(time.RFC3339), "last used", timeOrNever(t.LastUsedOn), "expires", timeOrNever(t.ExpiresOn))
}

func tokenEnvs(t *client.Token) string {
	if t.SandboxOnly {
		return "sandbox"
	}
	return "live, sandbox"
}

func timeOrNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Format(time.RFC3339)
}

func (e *cmdEnv) tokenList(args []string) error {
	f := newFlags(e, "token list", "List the account's API tokens (never their secrets); * marks the one in use.", "registrar token list")
	api := apiFlags(f)
	if _, err := f.parseArgs(args); err != nil {
		return err
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	ts, err := c.Tokens(e.ctx)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, ts)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tENVIRONMENTS\tCREATED\tLAST USED\tEXPIRES")
	for _, t := range ts {
		id := t.ID
		if t.Current {
			id += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, strings.ReplaceAll(t.Name, "\t", " "), t.Scope, tokenEnvs(&t),
			t.CreatedOn.Format(time.RFC3339), timeOrNever(t.LastUsedOn), timeOrNever(t.ExpiresOn))
	}
	return tw.Flush()
}

func (e *cmdEnv) tokenRevoke(args []string) error {
	f := newFlags(e, "token revoke ID", "Revoke an API token, at once on every replica. The account's last token that can read and write in both environments cannot be revoked.",
		"registrar token revoke 0c1f...")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("token revoke takes one token ID")
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	if err := c.RevokeToken(e.ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked token %s\n", pos[0])
	return nil
}
