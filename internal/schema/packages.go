package schema

import (
	"fmt"
	"os"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/capctl/capctl/internal/deploy"
)

// checkFiles reads the head of every file before CUE does. An unreadable
// file is then reported by the name the user gave, and files naming
// different packages are reported at their package clauses; the CUE loader
// reports the latter with no position, naming the working directory.
func checkFiles(files []sourceFile) []deploy.Problem {
	var (
		problems  []deploy.Problem
		firstName string
		firstPos  deploy.Pos
	)
	for _, f := range files {
		src, err := os.ReadFile(f.abs)
		if err != nil {
			problems = append(problems, pathProblem(f.display, "%s", describeFSError(err)))
			continue
		}
		name, pos := packageClause(f, src)
		switch {
		case name == "" || name == "_":
			// no clause: the file joins whatever package the others name
		case firstName == "":
			firstName, firstPos = name, pos
		case name != firstName:
			problems = append(problems, deploy.Problem{Pos: pos, Message: fmt.Sprintf(
				"package %s differs from package %s at %s: all files must name the same package, or none",
				name, firstName, firstPos)})
		}
	}
	return problems
}

// packageClause returns the file's package name and where it is written.
// A file that does not parse is left to the CUE loader, which reports the
// syntax error properly.
func packageClause(f sourceFile, src []byte) (string, deploy.Pos) {
	af, err := parser.ParseFile(f.abs, src, parser.PackageClauseOnly)
	if err != nil {
		return "", deploy.Pos{}
	}
	for _, d := range af.Decls {
		if pkg, ok := d.(*ast.Package); ok && pkg.Name != nil {
			p := pkg.Name.Pos()
			return pkg.Name.Name, deploy.Pos{File: f.display, Line: p.Line(), Col: p.Column()}
		}
	}
	return "", deploy.Pos{}
}
