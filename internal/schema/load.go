// Package schema loads capacity files: it reads the CUE files a user names,
// checks them against the schema embedded from package schemas, and turns
// them into a deploy.Config, or into a *Error listing every problem found,
// each with the file:line:col in the user's file and the CUE path.
//
// # Which files
//
// Load takes files and directories. A file must end in .cue and is used even
// when hidden. A directory is walked recursively: every *.cue file in it and
// in its subdirectories is used, except hidden entries (".x") and cue.mod
// directories. Symlinks to files are followed, symlinks to directories are
// not (so a link loop cannot trap the walk). All files together form one
// configuration: CUE unifies them, so two files may repeat a value, and a
// contradiction is an error naming both places. Files are handed to CUE by
// name, so a package clause is optional, but files that do have one must all
// name the same package.
//
// # Problems
//
// Problems with the paths themselves (missing, unreadable, not .cue, an
// empty directory, a symlink loop, package clauses that disagree) are
// reported first and alone: CUE is not run on a partial configuration.
// Otherwise every violation is reported: CUE's errors, reworded where the
// rule broken is clear from the user's value, plus the missing and unknown
// fields CUE leaves out while other errors exist.
//
// # Cost
//
// The schema avoids disjunctions and defaults (see schemas/capacity.cue);
// the data is decoded from the user's value through JSON, which is several
// times cheaper than cue.Value.Decode of the unified value. Loading stays
// linear in the number of deployments.
package schema

import (
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/schemas"
)

// schemaFilename is the name the embedded schema is compiled under. It is
// not a valid absolute path, so it can never be mistaken for a user file
// (user files are loaded by absolute path).
const schemaFilename = "capctl:schemas/capacity.cue"

// Load reads the capacity files at paths (files or directories, see the
// package documentation) and returns the configuration they describe, with
// defaults applied and workspaces and deployments sorted. If anything is
// wrong it returns a *Error holding every problem found.
func Load(paths []string) (deploy.Config, error) {
	files, problems := collect(paths)
	if len(problems) == 0 {
		problems = checkFiles(files)
	}
	if len(problems) > 0 {
		return deploy.Config{}, newError(problems)
	}
	l := &loader{ctx: cuecontext.New(), names: displayNames(files)}
	return l.load(absPaths(files))
}

// loader carries one Load call's CUE context and the name mapping used to
// report positions. CUE values are not safe for concurrent use, so a loader
// is used by one goroutine.
type loader struct {
	ctx   *cue.Context
	names map[string]string // absolute path -> name as the user gave it
	user  cue.Value         // the user's files, unified, without the schema
	files []*ast.File       // the user's syntax, for declaration positions
	ix    *index            // built on the error path only, see labelPos
}

func (l *loader) load(files []string) (deploy.Config, error) {
	def, err := l.schema()
	if err != nil {
		return deploy.Config{}, err
	}
	insts := load.Instances(files, &load.Config{})
	if err := insts[0].Err; err != nil { // syntax errors, mixed package names
		return deploy.Config{}, newError(firstPerFile(l.problems(err)))
	}
	l.files = insts[0].Files
	l.user = l.ctx.BuildInstance(insts[0])
	if err := l.user.Err(); err != nil { // e.g. a reference to an undefined name at the top
		return deploy.Config{}, newError(l.problems(err))
	}
	// Unify in this order: schema.Unify(user) would prefix every error path
	// with "#Config.".
	if err := l.user.Unify(def).Validate(cue.Concrete(true)); err != nil {
		problems := append(l.problems(err), l.structural()...)
		return deploy.Config{}, newError(problems)
	}
	return l.decode()
}

// schema compiles the embedded schema and returns its #Config. A failure
// here is a bug in capctl, not in the user's files.
func (l *loader) schema() (cue.Value, error) {
	v := l.ctx.CompileBytes(schemas.Capacity, cue.Filename(schemaFilename))
	def := v.LookupPath(cue.ParsePath(schemas.ConfigDefinition))
	if err := def.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("compile embedded schema: %w", err)
	}
	return def, nil
}
