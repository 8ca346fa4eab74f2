package schema

import (
	"fmt"
	"io"
	"os"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/capctl/capctl/internal/deploy"
)

// MaxFileSize bounds each capacity file. CUE holds a few times a file's
// size in memory while loading it, so an unbounded file (a runaway
// generator, a log written to the wrong name) could exhaust memory; a
// file of 50,000 deployments is about 4 MiB.
const MaxFileSize = 8 << 20

// errTooLarge reports a file over MaxFileSize.
var errTooLarge = fmt.Errorf("file is larger than %d MiB, the limit for a capacity file", MaxFileSize>>20)

// checkFiles reads every file before CUE does and returns their contents,
// in the order of files. An unreadable or oversized file is then reported
// by the name the user gave, and files naming different packages are
// reported at their package clauses; the CUE loader reports the latter
// with no position, naming the working directory.
func checkFiles(files []sourceFile) ([]deploy.Problem, [][]byte) {
	var (
		problems  []deploy.Problem
		firstName string
		firstPos  deploy.Pos
		srcs      = make([][]byte, len(files))
	)
	for i, f := range files {
		src, err := readSource(f.abs)
		if err != nil {
			problems = append(problems, pathProblem(f.display, "%s", describeFSError(err)))
			continue
		}
		srcs[i] = src
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
	return problems, srcs
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

// readSource reads a capacity file, refusing one over MaxFileSize without
// reading it all: the size is checked before reading and the read itself
// is bounded, in case the file grows in between.
func readSource(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > MaxFileSize {
		return nil, errTooLarge
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileSize {
		return nil, errTooLarge
	}
	return src, nil
}
