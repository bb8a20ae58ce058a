package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// MaxPreferWait is the most a status GET with Prefer: wait=N is held
// (docs/API.md, "ETags and long-poll"); a larger N is cut to it.
const MaxPreferWait = 60 * time.Second

// etag is the strong entity tag of a workflow's status: the workflow's ID
// and its Version, which the store increments on every change. The status
// body is a function of the workflow's stored state, so the tag changes
// exactly when the body does, and a newer workflow of the kind (another
// update) has another tag.
func etag(wf *registrar.Workflow) string {
	return `"` + wf.ID + "." + strconv.FormatInt(wf.Version, 10) + `"`
}

// preferWait reads RFC 7240's wait preference from Prefer headers: how
// long the client is willing to wait, cut to MaxPreferWait; ok is false
// when there is none (or its value is not delta-seconds). The first wait
// preference counts.
func preferWait(values []string) (d time.Duration, ok bool) {
	for _, v := range values {
		for _, pref := range strings.Split(v, ",") {
			pref, _, _ = strings.Cut(pref, ";") // parameters are ignored
			name, val, found := strings.Cut(strings.TrimSpace(pref), "=")
			if !found || !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				if val != "" && strings.Trim(val, "0123456789") == "" {
					return MaxPreferWait, true // digits beyond uint64: the cap
				}
				return 0, false
			}
			return time.Duration(min(n, uint64(MaxPreferWait/time.Second))) * time.Second, true
		}
	}
	return 0, false
}

// setETag sets the ETag of the answer carrying wf's status.
func setETag(w http.ResponseWriter, wf *registrar.Workflow) {
	w.Header().Set("ETag", etag(wf))
}

// writeNotModified answers 304 for wf's status: no body, its ETag and
// Retry-After kept.
func (s *Server) writeNotModified(w http.ResponseWriter, wf *registrar.Workflow) {
	setETag(w, wf)
	s.setRetryAfter(w, wf)
	w.WriteHeader(http.StatusNotModified)
}

// statusRead reads the workflow a status endpoint shows.
type statusRead func(rd registrar.Reader, ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error)

// workflowStatus is the handler of a status endpoint: the newest workflow
// of kind for the path's domain, as read reads it from the Reader
// (registrar.Reader.RegistrationStatus, UpdateStatus, TransferInStatus,
// …); 404 when there is none. It answers If-None-Match with 304 when the
// tag is current, and with Prefer: wait=N holds such a request until the
// status changes or N seconds pass (docs/API.md, "ETags and long-poll").
func (s *Server) workflowStatus(kind registrar.WorkflowKind, read statusRead) handlerFunc {
	return func(w http.ResponseWriter, r *request) error {
		domain, err := pathDomain(r)
		if err != nil {
			return err
		}
		inm := r.Header.Values("If-None-Match")
		wait, waitAsked := preferWait(r.Header.Values("Prefer"))
		if waitAsked {
			// Honoured: the request is held whenever its tag is current.
			w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
		}
		var changed <-chan struct{}
		if len(inm) > 0 && wait > 0 && s.Notifier != nil {
			// Subscribed first, read second: no change slips in between.
			var cancel func()
			changed, cancel = s.Notifier.Subscribe(registrar.StatusTopic(r.accountID(), r.env, kind, domain))
			defer cancel()
		}
		wf, err := read(s.Reader, r.Context(), r.accountID(), r.env, domain)
		if err != nil {
			return workflowNotFound(err, domain)
		}
		if !noneMatch(inm, etag(wf)) {
			s.writeStatus(w, http.StatusOK, wf)
			return nil
		}
		if changed != nil {
			// Held until the status differs from the one matched ("*"
			// included: then the status as it was on arrival).
			cur := s.awaitChange(r, w, wf, changed, wait, func(ctx context.Context) (*registrar.Workflow, error) {
				return read(s.Reader, ctx, r.accountID(), r.env, domain)
			})
			if etag(cur) != etag(wf) {
				s.writeStatus(w, http.StatusOK, cur)
				return nil
			}
		}
		s.writeNotModified(w, wf)
		return nil
	}
}

// awaitChange holds a long-poll until the status it read (wf) changes,
// wait passes, the client goes, or the server drains; it returns the
// status to answer with. It costs a subscription and a timer: it reads
// again only when woken by a change of the status's topic. A change
// missed while a PostgreSQL listener reconnects is seen when the wait
// ends.
func (s *Server) awaitChange(r *request, w http.ResponseWriter, wf *registrar.Workflow, changed <-chan struct{}, wait time.Duration,
	reread func(context.Context) (*registrar.Workflow, error)) *registrar.Workflow {
	// The server's ReadTimeout would otherwise end the request's context
	// while it is held (net/http's background read times out); the
	// error of a writer that cannot (a recorder in tests) changes nothing.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(wait + 30*time.Second))
	timer := time.NewTimer(wait)
	defer timer.Stop()
	tag := etag(wf)
	ctx := r.Context()
	for {
		select {
		case <-changed:
			cur, err := reread(ctx)
			if err != nil {
				return wf // a read that fails answers what was current
			}
			if etag(cur) != tag {
				return cur
			}
		case <-timer.C:
			return wf
		case <-ctx.Done():
			return wf
		case <-s.draining:
			return wf
		}
	}
}

// Drain ends the long-polls held now and answers later ones at once, each
// as if its wait had ended, so that http.Server.Shutdown, which waits for
// handlers, is not held up to MaxPreferWait. The daemon registers it with
// http.Server.RegisterOnShutdown.
func (s *Server) Drain() {
	s.drainOnce.Do(func() { close(s.draining) })
}
