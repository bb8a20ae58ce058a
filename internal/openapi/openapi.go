// Package openapi holds the OpenAPI 3.1 document of the whole HTTP API
// (Cloudflare-compatible endpoints and ours, marked
// x-openregistrar-extension), served at GET /client/v4/openapi.json.
// openapi.json is its one source: the end-to-end tests of internal/daemon
// validate every request and response they exchange against it
// (openapitest), so it cannot drift from the server.
package openapi

import _ "embed"

//go:embed openapi.json
var document []byte

// Document returns the document's JSON. The caller must not modify it.
func Document() []byte { return document }
