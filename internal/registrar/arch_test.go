package registrar_test

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/openregistrar/registrar"

// stdOnly marks, in the import rules, a package that must depend on
// nothing outside the standard library; none marks one that imports
// nothing from the module.
const (
	stdOnly = "standard library only"
	none    = "nothing"
)

// TestImportRules checks the architecture mechanically against the map in
// docs/ARCHITECTURE.md: every package of the module has a line there, and
// imports exactly the module packages its line names (tests aside); a
// package marked standard-library-only depends on nothing else, directly
// or not.
func TestImportRules(t *testing.T) {
	rules := readImportRules(t, "../../docs/ARCHITECTURE.md")
	pkgs := listPackages(t)

	for path, p := range pkgs {
		if !p.inModule {
			continue
		}
		name := shortName(path)
		r, ok := rules[name]
		if !ok {
			t.Errorf("package %s has no line in docs/ARCHITECTURE.md's import rules: add one naming what it imports from the module", name)
			continue
		}
		var got []string
		for _, imp := range p.imports {
			if pkgs[imp].inModule {
				got = append(got, shortName(imp))
			}
		}
		for _, imp := range got {
			if !slices.Contains(r.imports, imp) {
				t.Errorf("%s imports %s, which its import rule does not allow (docs/ARCHITECTURE.md)", name, imp)
			}
		}
		for _, imp := range r.imports {
			if !slices.Contains(got, imp) {
				t.Errorf("the import rules say %s imports %s, but it does not: take it off its line in docs/ARCHITECTURE.md", name, imp)
			}
		}
		if r.stdOnly {
			for _, dep := range outsideDeps(pkgs, path) {
				t.Errorf("%s depends on %s; it may depend only on the standard library", name, dep)
			}
		}
	}
	for name := range rules {
		if _, ok := pkgs[fullPath(name)]; !ok || !pkgs[fullPath(name)].inModule {
			t.Errorf("the import rules name %s, which is not a package of the module: take its line out of docs/ARCHITECTURE.md", name)
		}
	}
}

type importRule struct {
	imports []string // short names of module packages
	stdOnly bool
}

// readImportRules parses the first code block after "## Import rules":
// lines of "a, b → c, d", where the right side may be "nothing" or
// "standard library only".
func readImportRules(t *testing.T, file string) map[string]importRule {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rules := map[string]importRule{}
	section, block := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "## Import rules":
			section = true
		case !section:
		case strings.HasPrefix(line, "```") && block:
			return rules
		case strings.HasPrefix(line, "```"):
			block = true
		case block && strings.TrimSpace(line) != "":
			left, right, ok := strings.Cut(line, "→")
			if !ok {
				t.Fatalf("%s: import rule %q has no →", file, line)
			}
			var r importRule
			switch right = strings.TrimSpace(right); right {
			case stdOnly:
				r.stdOnly = true
			case none:
			default:
				r.imports = splitList(right)
			}
			for _, name := range splitList(left) {
				if _, dup := rules[name]; dup {
					t.Fatalf("%s: package %s has two import rules", file, name)
				}
				rules[name] = r
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s: no code block under \"## Import rules\"", file)
	return nil
}

func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		out = append(out, strings.TrimSpace(item))
	}
	return out
}

type goPackage struct {
	inModule bool
	standard bool
	imports  []string
}

// listPackages returns every package of the module and everything they
// depend on, by import path.
func listPackages(t *testing.T) map[string]goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]goPackage{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		path := f[0]
		pkgs[path] = goPackage{
			inModule: path == module || strings.HasPrefix(path, module+"/"),
			standard: f[1] == "true",
			imports:  f[2:],
		}
	}
	return pkgs
}

// outsideDeps returns the packages outside the standard library and the
// module that path depends on, directly or not.
func outsideDeps(pkgs map[string]goPackage, path string) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, imp := range pkgs[p].imports {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			// "C" is cgo, in the standard library's net and os/user.
			if d := pkgs[imp]; !d.standard && !d.inModule && imp != "C" {
				out = append(out, imp)
			}
			walk(imp)
		}
	}
	walk(path)
	slices.Sort(out)
	return out
}

// shortName is how docs/ARCHITECTURE.md names a package: its path in
// internal/, or in the module for the others (client, cmd/registrar).
func shortName(path string) string {
	path = strings.TrimPrefix(path, module+"/")
	return strings.TrimPrefix(path, "internal/")
}

func fullPath(name string) string {
	if name == "client" || strings.HasPrefix(name, "cmd/") || strings.HasPrefix(name, "examples/") {
		return module + "/" + name
	}
	return module + "/internal/" + name
}
