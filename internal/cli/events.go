package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/openregistrar/registrar/client"
)

// events prints the account's event feed (GET events, ours), oldest
// first; with --follow it keeps polling, resuming after the last event,
// until interrupted (exit 0).
func (e *cmdEnv) events(args []string) error {
	f := newFlags(e, "events", "Print the account's event feed: workflow and registration changes, oldest first. "+
		"--follow keeps reading (Ctrl-C stops).", "registrar events --follow --output json")
	api := apiFlags(f)
	follow := f.bool("follow", false, "keep reading new events, polling every --interval, until interrupted")
	var after int64
	f.int64Var(&after, "after", "print the events after this ID (the last ID seen); 0: from the oldest retained")
	interval := f.duration("interval", time.Second, "how often --follow polls")
	if err := f.parse(args); err != nil {
		return err
	}
	if *interval <= 0 {
		return f.usageError("--interval must be positive")
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	tw := table(e.stdout)
	if !api.json() {
		fmt.Fprintln(tw, "ID\tTYPE\tDOMAIN\tCREATED\tSTATE")
	}
	pos := after
	for {
		page, err := c.Events(e.ctx, client.EventsOptions{After: pos, Limit: 500})
		if err != nil {
			if *follow && e.ctx.Err() != nil {
				return tw.Flush()
			}
			return err
		}
		for _, ev := range page.Events {
			if api.json() {
				// One object a line, so that a follower can pipe it.
				b, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s\n", b)
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ev.ID, ev.Type, ev.DomainName, ev.CreatedAt.UTC().Format(time.RFC3339), eventState(ev))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		pos = page.After
		if len(page.Events) == 500 {
			continue // more waiting: read on at once
		}
		if !*follow {
			return nil
		}
		select {
		case <-e.ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

// eventState is the state or status an event's data reports: a
// workflow's state, a registration's status.
func eventState(ev client.Event) string {
	var d struct {
		State  string `json:"state"`
		Status string `json:"status"`
	}
	_ = json.Unmarshal(ev.Data, &d) // data of another shape shows no state
	if d.State != "" {
		return d.State
	}
	return d.Status
}

// workflows lists the account's workflows, newest first (GET workflows,
// ours).
func (e *cmdEnv) workflows(args []string) error {
	f := newFlags(e, "workflows", "List the account's workflows, newest first.", "registrar workflows --state blocked")
	api := apiFlags(f)
	kind := f.string("kind", "", "only workflows of this kind: registration, update, transfer_in, outbound_transfer, renewal, restore, expiry")
	state := f.string("state", "", "only workflows in this state: pending, in_progress, action_required, blocked, succeeded, failed")
	domain := f.string("domain", "", "only this domain's workflows")
	if err := f.parse(args); err != nil {
		return err
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	items := []client.WorkflowItem{}
	for it, err := range c.ListWorkflows(e.ctx, client.WorkflowListOptions{Kind: *kind, State: client.State(*state), DomainName: *domain, PerPage: 50}) {
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	if api.json() {
		return writeJSON(e.stdout, items)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "ID\tKIND\tDOMAIN\tSTATE\tCREATED\tUPDATED")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Kind, it.Context.DomainName, it.State,
			it.CreatedAt.UTC().Format(time.RFC3339), it.UpdatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
