package web

import (
	"context"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// RegistryCommand is one command the sandbox registry received.
type RegistryCommand struct {
	Time    time.Time
	Domain  string
	Command string
	Result  string
	ClTRID  string
}

// SandboxLog reads the sandbox registry's command log (the daemon adapts
// sandbox.Engine.Log to it); nil: no log page.
type SandboxLog interface {
	RegistryLog(ctx context.Context) ([]RegistryCommand, error)
}

// logDomains bounds how many of the account's sandbox workflows name the
// domains whose commands the log page shows.
const logDomains = 10 * registrar.MaxPerPage

// handleSandboxLog shows the sandbox registry's commands about the
// account's own sandbox domains, newest first. The registry is shared by
// every account, so commands about names the account never asked for
// (and contact and host objects) are left out.
func (s *Server) handleSandboxLog(w http.ResponseWriter, r *http.Request, sess session, env registrar.Env) {
	mine := map[string]bool{}
	opts := registrar.WorkflowListOptions{PerPage: registrar.MaxPerPage}
	for len(mine) < logDomains {
		pg, err := s.Reader.ListWorkflows(r.Context(), sess.AccountID, registrar.EnvSandbox, opts)
		if err != nil {
			s.fail(w, sess, env, err)
			return
		}
		for _, wf := range pg.Items {
			mine[wf.Domain] = true
		}
		if pg.Next == "" {
			break
		}
		opts.Cursor = pg.Next
	}
	all, err := s.Log.RegistryLog(r.Context())
	if err != nil {
		s.fail(w, sess, env, err)
		return
	}
	var out []RegistryCommand
	for i := len(all) - 1; i >= 0 && len(out) < 200; i-- {
		if mine[all[i].Domain] {
			out = append(out, all[i])
		}
	}
	p := s.pageFor(sess, env, "Sandbox registry log")
	p.Data = out
	s.render(w, http.StatusOK, "sandboxlog", p)
}
