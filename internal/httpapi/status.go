package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// workflowStatus is the API's WorkflowStatus object, rendered by
// registrar.StatusView, which the event feed shares.
type workflowStatus = registrar.WorkflowStatus

// status renders a workflow as the API's WorkflowStatus.
func status(wf *registrar.Workflow) workflowStatus { return registrar.StatusView(wf) }

// writeStatus writes a workflow status in the success envelope, with its
// ETag and the Retry-After a poller should follow (see retryAfter).
func (s *Server) writeStatus(w http.ResponseWriter, code int, wf *registrar.Workflow) {
	setETag(w, wf)
	s.setRetryAfter(w, wf)
	writeResult(w, code, status(wf))
}

// setRetryAfter sets Retry-After, in whole seconds, on the answer carrying
// wf's status, unless the workflow needs no poller.
func (s *Server) setRetryAfter(w http.ResponseWriter, wf *registrar.Workflow) {
	if d := retryAfter(wf, s.now(wf.Env)); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d/time.Second)))
	}
}

// now is the time of env's clock, which workflow times are written in.
func (s *Server) now(env registrar.Env) time.Time {
	if c, ok := s.Clocks[env]; ok {
		return c.Now()
	}
	return time.Now()
}

// The Retry-After of workflow statuses (docs/API.md, "Retry-After on
// workflow statuses").
const (
	// retryPending and retryInProgress: a step is queued or running and
	// ends within seconds.
	retryPending    = time.Second
	retryInProgress = 2 * time.Second
	// retryBlockedMax is the most a workflow blocked on the registry is
	// left unpolled: a registry's review, or an outage, may end any time.
	retryBlockedMax = 30 * time.Second
	// retryLosingRegistrarMax is the most a transfer blocked on the losing
	// registrar is left unpolled: that wait lasts up to days.
	retryLosingRegistrarMax = 30 * time.Minute
	// retryAwaitShare: while a workflow waits for a message whose time
	// nobody knows (a registry's review, a losing registrar's answer),
	// polls are a tenth of the time waited so far apart, so that a short
	// wait is followed closely and a long one is not polled needlessly.
	retryAwaitShare = 10
)

// retryAfter chooses the Retry-After of a workflow's status at now (in the
// clock of the workflow's environment), rounded up to whole seconds; 0
// when a poller should stop: terminal states, and action_required, which
// waits for the user.
func retryAfter(wf *registrar.Workflow, now time.Time) time.Duration {
	var d time.Duration
	switch wf.State {
	case registrar.StatePending:
		d = retryPending
	case registrar.StateInProgress:
		d = retryInProgress
	case registrar.StateBlocked:
		d = retryBlocked(wf, now)
	default:
		return 0
	}
	return max(time.Second, (d + time.Second - 1).Truncate(time.Second))
}

// retryBlocked is the delay before polling a blocked workflow: until its
// next attempt when one is scheduled, otherwise a share of the time it has
// waited; at most the ceiling of what it waits on, and never past a
// transfer's act-by date, when the registry approves it.
func retryBlocked(wf *registrar.Workflow, now time.Time) time.Duration {
	var c struct {
		BlockedBy     string     `json:"blocked_by"`
		NextAttemptAt *time.Time `json:"next_attempt_at"`
		TransferActBy *time.Time `json:"transfer_act_by"`
	}
	_ = json.Unmarshal(wf.Context, &c) // a context we cannot read leaves the defaults
	ceiling := retryBlockedMax
	if c.BlockedBy == registrar.BlockedByLosingRegistrar {
		ceiling = retryLosingRegistrarMax
	}
	d := now.Sub(wf.UpdatedAt) / retryAwaitShare
	if c.NextAttemptAt != nil {
		d = c.NextAttemptAt.Sub(now)
	}
	if c.TransferActBy != nil && now.Before(*c.TransferActBy) {
		ceiling = min(ceiling, c.TransferActBy.Sub(now))
	}
	return min(d, ceiling)
}
