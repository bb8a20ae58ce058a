package registrar_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/openregistrar/registrar"

// TestImportRules checks the architecture mechanically: the core imports no
// infrastructure, and adapters do not reach into each other (see
// docs/ARCHITECTURE.md).
func TestImportRules(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string // module packages it must not depend on, directly or not
		stdOnly   bool     // nothing outside the standard library and the module
	}{
		{pkg: "internal/registrar", stdOnly: true},
		{pkg: "internal/domainname", forbidden: []string{"internal/"}},
		{pkg: "internal/jsonstrict", stdOnly: true},
		{pkg: "internal/httpapi", forbidden: []string{"internal/store", "internal/workflows", "internal/sandbox", "internal/daemon", "internal/mail"}},
		{pkg: "internal/store", forbidden: []string{"internal/workflows", "internal/httpapi", "internal/sandbox", "internal/daemon", "internal/mail"}},
		{pkg: "internal/workflows", forbidden: []string{"internal/httpapi", "internal/sandbox", "internal/daemon", "internal/mail"}},
		{pkg: "internal/sandbox", forbidden: []string{"internal/store", "internal/workflows", "internal/httpapi", "internal/daemon"}},
		{pkg: "internal/mail", forbidden: []string{"internal/store", "internal/workflows", "internal/httpapi", "internal/daemon", "internal/sandbox"}},
		{pkg: "internal/domains", forbidden: []string{"internal/store", "internal/workflows", "internal/httpapi", "internal/daemon", "internal/sandbox", "internal/epp"}},
		{pkg: "internal/epp", forbidden: []string{"internal/"}},
		{pkg: "internal/eppregistry", forbidden: []string{"internal/store", "internal/workflows", "internal/httpapi", "internal/daemon", "internal/sandbox"}},
		{pkg: "internal/testtools", stdOnly: true},
		{pkg: "client", forbidden: []string{"internal/"}, stdOnly: true},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+"/"+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == module+"/"+r.pkg {
				continue
			}
			if r.stdOnly && !strings.HasPrefix(dep, module+"/internal/registrar") {
				t.Errorf("%s depends on %s; it may import only the standard library", r.pkg, dep)
			}
			if r.pkg == "internal/domainname" && !strings.HasPrefix(dep, module) {
				continue
			}
			for _, f := range r.forbidden {
				if strings.HasPrefix(dep, module+"/"+f) {
					t.Errorf("%s depends on %s, which the import rules forbid", r.pkg, dep)
				}
			}
		}
	}
}
