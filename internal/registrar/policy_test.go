package registrar

import "testing"

func TestScenarioVerifies(t *testing.T) {
	t.Parallel()
	for email, want := range map[string]bool{
		"verify@example.com":     true,
		"Verify.Ada@example.com": true,
		"verifyme@example.com":   true,
		"ada@verify.example":     false,
		"averify@example.com":    false,
		"ada@example.com":        false,
	} {
		if got := ScenarioVerifies(email); got != want {
			t.Errorf("ScenarioVerifies(%q) = %v", email, got)
		}
	}
}
