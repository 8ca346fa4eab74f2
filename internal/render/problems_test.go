package render

import (
	"bytes"
	"testing"

	"github.com/capctl/capctl/internal/deploy"
)

func sampleProblems() []deploy.Problem {
	return []deploy.Problem{
		{Pos: deploy.Pos{File: "fleet/prod.cue", Line: 12, Col: 15}, Path: `workspaces."llm-a".deployments."x-1".capacity`,
			Message: "invalid value 1000 (out of bound <1000)"},
		{Pos: deploy.Pos{File: "fleet/prod.cue", Line: 20, Col: 3}, Path: `workspaces."llm-a".deployments."x-2".capacty`,
			Message: "field not allowed"},
		{Message: "no capacity files found in ., did you mean a directory?"},
	}
}

func TestProblemsGolden(t *testing.T) {
	views := map[string]func(*bytes.Buffer, []deploy.Problem) error{
		"problems.txt":    func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsText(b, p) },
		"problems.json":   func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsJSON(b, p) },
		"problems.github": func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsGitHub(b, p) },
		"valid.json":      nil,
	}
	for name, view := range views {
		t.Run(name, func(t *testing.T) {
			probs := sampleProblems()
			if view == nil {
				probs = nil
				view = func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsJSON(b, p) }
			}
			var buf bytes.Buffer
			if err := view(&buf, probs); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}

func TestProblemsEmpty(t *testing.T) {
	for name, view := range map[string]func(*bytes.Buffer, []deploy.Problem) error{
		"text":   func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsText(b, p) },
		"github": func(b *bytes.Buffer, p []deploy.Problem) error { return ProblemsGitHub(b, p) },
	} {
		var buf bytes.Buffer
		if err := view(&buf, nil); err != nil || buf.Len() != 0 {
			t.Errorf("%s view of no problems = %q, %v; want nothing", name, buf.String(), err)
		}
	}
}
