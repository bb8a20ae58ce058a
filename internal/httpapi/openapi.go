package httpapi

import (
	"net/http"
	"strconv"

	"github.com/openregistrar/registrar/internal/openapi"
)

// handleOpenAPI serves the OpenAPI 3.1 document of the API. It needs no
// token: the document describes the API, not an account.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	doc := openapi.Document()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	h.Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(doc)
	}
}
