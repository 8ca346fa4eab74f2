package schema

import (
	"cmp"
	"slices"
	"strings"

	"github.com/capctl/capctl/internal/deploy"
)

// Error is returned by Load when the capacity files cannot be used. It lists
// every problem found, sorted by file and position; problems about paths
// (a missing file, an empty directory) have no position and come first.
// Callers get at it with errors.As and render Problems as they like.
type Error struct {
	Problems []deploy.Problem
}

// Error returns one line per problem: "file:line:col: path: message".
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// newError sorts problems and drops repeats: the same problem can come
// both from CUE and from the structural check that recovers what CUE hides.
// The first one seen wins, which is CUE's, as it was reported first.
func newError(problems []deploy.Problem) *Error {
	seen := make(map[string]bool, len(problems))
	out := make([]deploy.Problem, 0, len(problems))
	for _, p := range problems {
		key := p.Path + "\x00" + p.Message
		if p.Path == "" {
			key = p.String()
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, compareProblems)
	return &Error{Problems: out}
}

// compareProblems orders by file, line, column, then path and message, so
// the output does not depend on the order CUE found things in.
func compareProblems(a, b deploy.Problem) int {
	if a.Pos.File == "" && b.Pos.File == "" {
		return 0 // path problems keep the order of the user's arguments
	}
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Message, b.Message),
	)
}

// firstPerFile keeps the first problem of each file. It is used for parse
// errors: once the parser is lost, its further complaints about the same
// file ("expected '}', found 'EOF'") are echoes of the first.
func firstPerFile(problems []deploy.Problem) []deploy.Problem {
	slices.SortStableFunc(problems, compareProblems)
	seen := map[string]bool{}
	out := problems[:0]
	for _, p := range problems {
		if f := p.Pos.File; f != "" {
			if seen[f] {
				continue
			}
			seen[f] = true
		}
		out = append(out, p)
	}
	return out
}
