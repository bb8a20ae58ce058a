package registrar

import "time"

// EventPage is a page of an account's event feed.
type EventPage struct {
	// Events are oldest first.
	Events []Event
	// PrunedThrough is the highest event ID retention has deleted (0:
	// none): a reader that resumes after a smaller ID may have missed
	// events, and must resync.
	PrunedThrough int64
}

// Event feed paging limits (GET .../events).
const (
	DefaultEventLimit = 50
	MaxEventLimit     = 500
)

// WorkflowListOptions select a page of an account's workflows, newest
// first (GET .../workflows, ours). Empty filters select everything.
type WorkflowListOptions struct {
	Kind   WorkflowKind
	State  State
	Domain string    // ASCII form
	Since  time.Time // created at or after; zero: no bound
	// PerPage is 1 to MaxPerPage; default DefaultPerPage.
	PerPage int
	// Cursor is opaque, from a previous page; "" for the first.
	Cursor string
}
