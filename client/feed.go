package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// WorkflowListOptions filter ListWorkflows; empty fields select everything.
type WorkflowListOptions struct {
	// Kind is a workflow kind: registration, update, transfer_in,
	// outbound_transfer, renewal, restore or expiry.
	Kind string
	// State is a workflow state.
	State State
	// DomainName selects one domain's workflows.
	DomainName string
	// Since selects the workflows started at or after it.
	Since time.Time
	// PerPage is the page size, 1 to 50 [20].
	PerPage int
}

// WorkflowItem is an item of ListWorkflows: a workflow's status, as its
// status endpoint shows it, with its ID and kind.
type WorkflowItem struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	WorkflowStatus
}

// ListWorkflows iterates over the account's workflows in the client's
// environment, newest first (GET workflows, ours), fetching pages as it
// goes.
func (c *Client) ListWorkflows(ctx context.Context, opts WorkflowListOptions) iter.Seq2[WorkflowItem, error] {
	q := url.Values{}
	if opts.Kind != "" {
		q.Set("kind", opts.Kind)
	}
	if opts.State != "" {
		q.Set("state", string(opts.State))
	}
	if opts.DomainName != "" {
		q.Set("domain_name", opts.DomainName)
	}
	if !opts.Since.IsZero() {
		q.Set("since", opts.Since.UTC().Format(time.RFC3339))
	}
	if opts.PerPage != 0 {
		q.Set("per_page", strconv.Itoa(opts.PerPage))
	}
	return paginateQuery[WorkflowItem](ctx, c, q, "workflows")
}

// The event types of the feed (Event.Type), as docs/API.md lists them.
const (
	EventWorkflowChanged      = "workflow.state_changed"
	EventRegistrationChanged  = "registration.status_changed"
	EventReconciliationDrift  = "registration.drift_found"
	EventTransferOutRequested = "transfer_out.requested"
)

// Event is an entry of the account's event feed.
type Event struct {
	// ID grows in commit order: resume after the last one seen.
	ID         int64     `json:"id"`
	Type       string    `json:"type"`
	CreatedAt  time.Time `json:"created_at"`
	DomainName string    `json:"domain_name"`
	// Data is the resource as the API renders it: a WorkflowStatus for
	// workflow.state_changed and transfer_out.requested, a Registration
	// for registration.status_changed.
	Data json.RawMessage `json:"data"`
}

// EventsOptions select a page of the feed.
type EventsOptions struct {
	// After is the position to resume from (EventPage.After of the
	// previous page); 0 reads from the oldest event retained.
	After int64
	// Limit is the page size, 1 to 500 [50].
	Limit int
}

// EventPage is a page of the feed.
type EventPage struct {
	Events []Event
	// After is the position to resume from: the next EventsOptions.After.
	After int64
}

// Events reads one page of the account's event feed in the client's
// environment, oldest first (GET events, ours). An *APIError with status
// 410 (CodeFeedPruned) says that retention deleted events after
// opts.After: resync from ListWorkflows and Registrations, then read
// again with After 0.
func (c *Client) Events(ctx context.Context, opts EventsOptions) (*EventPage, error) {
	u, err := c.endpoint("events")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts.After > 0 {
		q.Set("after", strconv.FormatInt(opts.After, 10))
	}
	if opts.Limit != 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var events []Event
	res, err := c.call(ctx, http.MethodGet, u, nil, nil, &events)
	if err != nil {
		return nil, err
	}
	page := &EventPage{Events: events, After: opts.After}
	if res.Info != nil {
		page.After = res.Info.After
	}
	return page, nil
}
