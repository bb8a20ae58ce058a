package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/openregistrar/registrar/client"
)

// watchEndpoints are the status endpoints `registrar watch` follows, one
// long-poll each, and the name each line gives its workflow.
var watchEndpoints = []struct{ endpoint, name string }{
	{"registration-status", "registration"},
	{"update-status", "update"},
	{"renewal-status", "renewal"},
	{"restore-status", "restore"},
	{"transfer-in-status", "transfer-in"},
	{"transfer-out-status", "transfer-out"},
}

// watchIdle is how often watch looks again at an endpoint with no
// workflow yet (a 404 cannot be long-polled), or at one whose server does
// not hold requests and gives no Retry-After.
const watchIdle = 10 * time.Second

// watchUpdate is what one endpoint's follower reports: a new state or a
// new workflow (st), none there yet (st nil), or an error that ends watch.
type watchUpdate struct {
	name string
	st   *client.WorkflowStatus
	err  error
}

func (e *cmdEnv) watch(args []string) error {
	f := newFlags(e, "watch NAME",
		"Follow a domain's workflows live, one line per change of state: its registration, and every update, renewal, restore and transfer "+
			"(in or out) that is running or starts while watching. Long-polls the server (Prefer: wait), so a change shows as it commits. "+
			"Ctrl-C ends it (exit status 0).",
		"registrar watch example.com --until-done")
	api := apiFlags(f)
	untilDone := f.bool("until-done", false, "end when the domain's newest workflow has completed (succeeded or failed)")
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("watch takes one domain name, not %d", len(pos))
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	domain := pos[0]
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	updates := make(chan watchUpdate)
	for _, ep := range watchEndpoints {
		go followStatus(ctx, c, domain, ep.endpoint, ep.name, updates)
	}
	latest := map[string]*client.WorkflowStatus{}
	answered := map[string]bool{}
	for {
		var u watchUpdate
		select {
		case <-ctx.Done():
			return nil // interrupted: watching ended as asked
		case u = <-updates:
		}
		if u.err != nil {
			return u.err
		}
		answered[u.name] = true
		if u.st != nil {
			latest[u.name] = u.st
			fmt.Fprintln(e.stdout, watchLine(u.name, u.st))
		}
		if !*untilDone || len(answered) < len(watchEndpoints) {
			continue
		}
		var newest *client.WorkflowStatus
		for _, st := range latest {
			if newest == nil || st.CreatedAt.After(newest.CreatedAt) {
				newest = st
			}
		}
		if newest == nil {
			return fmt.Errorf("%s has no workflow in this account to follow", domain)
		}
		if newest.Completed {
			return nil
		}
	}
}

// watchLine is the progress line of a workflow's state.
func watchLine(name string, st *client.WorkflowStatus) string {
	line := fmt.Sprintf("%s  %-12s  %s", st.UpdatedAt.Local().Format("15:04:05"), name, st.State)
	var why []string
	switch {
	case st.Error != nil:
		why = append(why, st.Error.Code+": "+st.Error.Message)
	case st.Context.Action != "":
		why = append(why, string(st.Context.Action))
		if st.Context.ConfirmationSentTo != "" {
			why = append(why, "sent to "+st.Context.ConfirmationSentTo)
		}
	case st.Context.BlockedBy != "":
		why = append(why, "blocked by "+st.Context.BlockedBy)
		if st.Context.Detail != "" {
			why = append(why, st.Context.Detail)
		}
	}
	if len(why) > 0 {
		line += " (" + strings.Join(why, "; ") + ")"
	}
	return line
}

// followStatus long-polls one status endpoint until ctx ends, reporting
// its first answer and then each new state or new workflow.
func followStatus(ctx context.Context, c *client.Client, domain, endpoint, name string, out chan<- watchUpdate) {
	send := func(u watchUpdate) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var last *client.WorkflowStatus
	etag, first := "", true
	for ctx.Err() == nil {
		p, err := c.PollStatus(ctx, domain, endpoint, etag, time.Minute)
		var next time.Duration
		var ae *client.APIError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound:
			if first && !send(watchUpdate{name: name}) {
				return
			}
			next = watchIdle
		case err != nil:
			if !errors.As(err, &ae) || ae.StatusCode >= 500 {
				next = watchIdle // the server out of reach or restarting: look again
				break
			}
			send(watchUpdate{name: name, err: fmt.Errorf("watching %s's %s: %w", domain, name, err)})
			return
		default:
			if st := p.Status; st != nil && (first || last == nil || st.State != last.State || !st.CreatedAt.Equal(last.CreatedAt)) {
				if !send(watchUpdate{name: name, st: st}) {
					return
				}
				last = st
			} else if first && !send(watchUpdate{name: name, st: last}) {
				return
			}
			etag = p.ETag
			if !p.WaitApplied || etag == "" {
				next = watchIdle
				if p.RetryAfter > 0 {
					next = p.RetryAfter
				}
			}
		}
		first = false
		if next > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(next):
			}
		}
	}
}
