package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// feedRoutes are our extensions for clients that follow an account
// without polling each status: the list of workflows and the event feed.
func (s *Server) feedRoutes(env registrar.Env, base string) {
	read := registrar.ScopeRead
	s.handle(base+"/workflows", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.handleWorkflowList),
	})
	s.handle(base+"/events", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.handleEventList),
	})
}

// workflowItem is an item of GET workflows: the workflow's status as its
// status endpoint shows it, with its ID and kind.
type workflowItem struct {
	ID   string                 `json:"id"`
	Kind registrar.WorkflowKind `json:"kind"`
	registrar.WorkflowStatus
}

// validKind reports whether k is a workflow kind GET workflows filters on.
func validKind(k registrar.WorkflowKind) bool {
	switch k {
	case registrar.WorkflowRegistration, registrar.WorkflowUpdate, registrar.WorkflowTransferIn, registrar.WorkflowTransferOut,
		registrar.WorkflowRenewal, registrar.WorkflowRestore, registrar.WorkflowExpiry:
		return true
	}
	return false
}

// validState reports whether st is a workflow state.
func validState(st registrar.State) bool {
	switch st {
	case registrar.StatePending, registrar.StateInProgress, registrar.StateActionRequired, registrar.StateBlocked,
		registrar.StateSucceeded, registrar.StateFailed:
		return true
	}
	return false
}

// handleWorkflowList lists the account's workflows in the environment,
// newest first, paginated by cursor as GET registrations is (ours).
func (s *Server) handleWorkflowList(w http.ResponseWriter, r *request) error {
	const op = "httpapi.handleWorkflowList"
	q := r.URL.Query()
	opts := registrar.WorkflowListOptions{Kind: registrar.WorkflowKind(q.Get("kind")), State: registrar.State(q.Get("state")), Cursor: q.Get("cursor")}
	if opts.Kind != "" && !validKind(opts.Kind) {
		return registrar.Invalid(op, "?kind", "kind must be one of registration, update, transfer_in, outbound_transfer, renewal, restore, expiry")
	}
	if opts.State != "" && !validState(opts.State) {
		return registrar.Invalid(op, "?state", "state must be one of pending, in_progress, action_required, blocked, succeeded, failed")
	}
	if d := q.Get("domain_name"); d != "" {
		n, err := domainname.Parse(d)
		if err != nil {
			return registrar.Invalid(op, "?domain_name", "domain_name: %s", err.Error())
		}
		opts.Domain = n.ASCII
	}
	if since := q.Get("since"); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			return registrar.Invalid(op, "?since", "since must be a time in RFC 3339 form, such as 2026-12-01T00:00:00Z")
		}
		opts.Since = t
	}
	if pp := q.Get("per_page"); pp != "" {
		n, err := strconv.Atoi(pp)
		if err != nil {
			return registrar.Invalid(op, "?per_page", "per_page must be a whole number from 1 to %d", registrar.MaxPerPage)
		}
		if opts.PerPage = n; n == 0 {
			opts.PerPage = -1 // zero is out of range, not "the default"
		}
	}
	page, err := s.Reader.ListWorkflows(r.Context(), r.accountID(), r.env, opts)
	if err != nil {
		return err
	}
	perPage := opts.PerPage
	if perPage == 0 {
		perPage = registrar.DefaultPerPage
	}
	items := make([]workflowItem, 0, len(page.Items))
	for i := range page.Items {
		wf := &page.Items[i]
		items = append(items, workflowItem{ID: wf.ID, Kind: wf.Kind, WorkflowStatus: registrar.StatusView(wf)})
	}
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: items,
		ResultInfo: &resultInfo{Count: len(items), Cursor: page.Next, PerPage: perPage}})
	return nil
}

// eventItem is an event as GET events shows it.
type eventItem struct {
	ID         int64     `json:"id"`
	Type       string    `json:"type"`
	CreatedAt  time.Time `json:"created_at"`
	DomainName string    `json:"domain_name"`
	// Data is the resource as the API renders it, as the event's type
	// says (docs/API.md, "Event types").
	Data json.RawMessage `json:"data"`
}

// eventsInfo is GET events' result_info: Count events, and After, the
// position to resume from (the next request's after).
type eventsInfo struct {
	Count int   `json:"count"`
	After int64 `json:"after"`
}

// handleEventList reads the account's event feed in the environment,
// oldest first, after the given event ID (ours). A position the feed was
// pruned past is 410: the reader may have missed events, and must resync
// from GET workflows and registrations and restart without after.
func (s *Server) handleEventList(w http.ResponseWriter, r *request) error {
	const op = "httpapi.handleEventList"
	q := r.URL.Query()
	var after int64
	given := q.Has("after")
	if given {
		n, err := strconv.ParseInt(q.Get("after"), 10, 64)
		if err != nil || n < 0 {
			return registrar.Invalid(op, "?after", "after must be an event ID (a whole number, 0 or more)")
		}
		after = n
	}
	limit := registrar.DefaultEventLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > registrar.MaxEventLimit {
			return registrar.Invalid(op, "?limit", "limit must be a whole number from 1 to %d", registrar.MaxEventLimit)
		}
		limit = n
	}
	page, err := s.Reader.Events(r.Context(), r.accountID(), r.env, after, limit)
	if err != nil {
		return err
	}
	if given && after < page.PrunedThrough {
		return registrar.Errorf(kindGone, op, "events after %d were deleted (retention): some may have been missed; "+
			"resync from GET workflows and GET registrations, then read the feed again without after", after)
	}
	next := max(after, page.PrunedThrough)
	items := make([]eventItem, 0, len(page.Events))
	for _, e := range page.Events {
		items = append(items, eventItem{ID: e.ID, Type: e.Type, CreatedAt: e.CreatedAt, DomainName: e.Domain, Data: e.Data})
		next = e.ID
	}
	writeJSON(w, http.StatusOK, struct {
		Success    bool        `json:"success"`
		Errors     []errorItem `json:"errors"`
		Messages   []any       `json:"messages"`
		Result     []eventItem `json:"result"`
		ResultInfo eventsInfo  `json:"result_info"`
	}{true, []errorItem{}, []any{}, items, eventsInfo{Count: len(items), After: next}})
	return nil
}
