package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/capctl/capctl/internal/deploy"
)

// ProblemsText writes validation problems the way cue vet does, one
// "file:line:col: path: message" line each (leaving out what is unknown),
// then a closing line "capctl: 3 problems in the capacity files". With no
// problems it writes nothing: valid files are silent, like cue vet.
func ProblemsText(w io.Writer, probs []deploy.Problem) error {
	if len(probs) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	for _, p := range probs {
		fmt.Fprintln(bw, p.String())
	}
	fmt.Fprintf(bw, "capctl: %s in the capacity files\n", Plural(len(probs), "problem"))
	return bw.Flush()
}

// ProblemsDocument is the JSON form of a validation, a stable protocol:
//
//	{"valid": false, "problems": [{"file": "a.cue", "line": 3, "col": 5,
//	  "path": "workspaces.\"w\".deployments.\"d\".capacity", "message": "…"}]}
//
// Valid is true exactly when Problems is empty; Problems is [] then, never
// null. Every problem has all five keys: file "" and line and col 0 when the
// position is unknown, path "" when no value is concerned. Fields are only
// ever added.
type ProblemsDocument struct {
	Valid    bool          `json:"valid"`
	Problems []ProblemJSON `json:"problems"`
}

// ProblemJSON is one problem of a ProblemsDocument.
type ProblemJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ProblemsJSON writes the ProblemsDocument of probs, indented, with a
// trailing newline.
func ProblemsJSON(w io.Writer, probs []deploy.Problem) error {
	doc := ProblemsDocument{Valid: len(probs) == 0, Problems: make([]ProblemJSON, 0, len(probs))}
	for _, p := range probs {
		doc.Problems = append(doc.Problems, ProblemJSON{
			File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col, Path: p.Path, Message: p.Message,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// ProblemsGitHub writes one "::error" workflow command per problem, with
// file, line and col when known so the annotation lands on the line, then
// the closing line of ProblemsText as plain text. It writes nothing when
// there are no problems.
func ProblemsGitHub(w io.Writer, probs []deploy.Problem) error {
	if len(probs) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	for _, p := range probs {
		msg := p.Message
		if p.Path != "" {
			msg = p.Path + ": " + msg
		}
		writeCommand(bw, "error", p.Pos, "capctl validate", msg)
	}
	fmt.Fprintf(bw, "capctl: %s in the capacity files\n", Plural(len(probs), "problem"))
	return bw.Flush()
}
