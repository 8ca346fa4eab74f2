package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
)

// wantProblem is an expected problem: Pos as "file:line:col" (file relative
// to the test's directory), the CUE path, and a substring of the message.
type wantProblem struct {
	Pos  string
	Path string
	Msg  string
}

// writeFiles writes name -> content into dir, creating subdirectories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// problemsOf returns the problems of a Load error, failing the test when
// err is not a *Error.
func problemsOf(t *testing.T, err error) []deploy.Problem {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("Load() error = %v (%T), want *schema.Error", err, err)
	}
	return se.Problems
}

// checkProblems compares got with want. Positions are made relative to dir
// and a message matches when it contains the wanted substring; the diff
// shows full messages otherwise.
func checkProblems(t *testing.T, dir string, got []deploy.Problem, want []wantProblem) {
	t.Helper()
	gotW := make([]wantProblem, len(got))
	for i, p := range got {
		pos := p.Pos.String()
		if rel, err := filepath.Rel(dir, p.Pos.File); err == nil && p.Pos.IsValid() {
			pos = strings.Replace(pos, p.Pos.File, filepath.ToSlash(rel), 1)
		}
		gotW[i] = wantProblem{Pos: pos, Path: p.Path, Msg: p.Message}
		if i < len(want) && want[i].Msg != "" && strings.Contains(p.Message, want[i].Msg) {
			gotW[i].Msg = want[i].Msg
		}
	}
	if diff := cmp.Diff(want, gotW); diff != "" {
		t.Errorf("Load() problems mismatch (-want +got):\n%s", diff)
	}
}
