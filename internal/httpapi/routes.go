package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/openregistrar/registrar/internal/registrar"
)

// envPaths maps each environment to its path segment.
var envPaths = map[registrar.Env]string{
	registrar.EnvLive:    "registrar",
	registrar.EnvSandbox: "registrar-sandbox",
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /verify-email/{code}", s.handleVerifyEmail)
	s.mux.HandleFunc("GET /client/v4/openapi.json", s.handleOpenAPI)
	for env, seg := range envPaths {
		base := "/client/v4/accounts/{account_id}/" + seg
		read, write := registrar.ScopeRead, registrar.ScopeWrite
		s.handle(base+"/registrations", map[string]http.HandlerFunc{
			"GET":  s.api(env, read, s.handleRegistrationList),
			"POST": s.api(env, write, s.handleRegistrationCreate),
		})
		s.handle(base+"/registrations/{domain}", map[string]http.HandlerFunc{
			"GET":   s.api(env, read, s.handleRegistrationGet),
			"PATCH": s.api(env, write, s.handleRegistrationEdit),
		})
		s.handle(base+"/registrations/{domain}/registration-status", map[string]http.HandlerFunc{
			"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowRegistration, registrar.Reader.RegistrationStatus)),
		})
		s.handle(base+"/registrations/{domain}/auth-code", map[string]http.HandlerFunc{
			"POST": s.api(env, write, s.handleAuthCode),
		})
		s.handle(base+"/registrations/{domain}/resend-verification", map[string]http.HandlerFunc{
			"POST": s.api(env, write, s.handleResendVerification),
		})
		s.handle(base+"/registrations/{domain}/update-status", map[string]http.HandlerFunc{
			"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowUpdate, registrar.Reader.UpdateStatus)),
		})
		s.feedRoutes(env, base)
		s.extensionRoutes(env, base)
		s.availabilityRoutes(env, base)
		s.transferRoutes(env, base)
		s.lifecycleRoutes(env, base)
		s.hostRoutes(env, base)
		s.webhookRoutes(env, base)
	}
	s.tokenRoutes()
	s.mux.HandleFunc("/client/v4/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, &request{Request: r, id: requestIDOf(r)}, registrar.Errorf(kindNoRoute, "httpapi.route", "no route for %s %s", r.Method, r.URL.Path))
	})
}

// handle registers a path's handlers by method (GET also serves HEAD), and
// answers any other method with 405 in the API's envelope.
func (s *Server) handle(path string, byMethod map[string]http.HandlerFunc) {
	methods := slices.Sorted(maps.Keys(byMethod))
	for _, m := range methods {
		s.mux.HandleFunc(m+" "+path, byMethod[m])
		s.patterns = append(s.patterns, m+" "+path)
	}
	allow := strings.Join(methods, ", ")
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		s.writeError(w, &request{Request: r, id: requestIDOf(r)}, &registrar.Error{Kind: kindMethodNotAllowed, Op: "httpapi.route",
			Message: "method " + r.Method + " is not allowed here; allowed: " + allow})
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Status     string              `json:"status"`
		Mode       string              `json:"mode"`
		Registries map[string][]string `json:"registries,omitempty"`
	}{"ok", s.cfg.Mode, s.cfg.Registries})
}
