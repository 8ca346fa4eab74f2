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
// linear in the number of deployments. A large configuration of plain-data
// files is split into groups of files that share no workspace, evaluated
// on several cores at once (see partition.go).
package schema

import (
	"errors"
	"fmt"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
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
	var srcs [][]byte
	if len(problems) == 0 {
		problems, srcs = checkFiles(files)
	}
	if len(problems) > 0 {
		return deploy.Config{}, newError(problems)
	}
	names, abs := displayNames(files), absPaths(files)
	if groups := partition(abs, srcs); groups != nil {
		return loadGroups(groups, names)
	}
	l := &loader{ctx: cuecontext.New(), names: names}
	return l.load(abs)
}

// loadGroups evaluates each group of parsed files (see partition) in a
// CUE context of its own, all at once, and merges what they found.
func loadGroups(groups [][]*ast.File, names map[string]string) (deploy.Config, error) {
	cfgs := make([]deploy.Config, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Go(func() {
			l := &loader{ctx: cuecontext.New(), names: names}
			cfgs[i], errs[i] = l.loadSyntax(g)
		})
	}
	wg.Wait()
	var problems []deploy.Problem
	for _, err := range errs {
		var se *Error
		switch {
		case err == nil:
		case errors.As(err, &se):
			problems = append(problems, se.Problems...)
		default:
			return deploy.Config{}, err
		}
	}
	if len(problems) > 0 {
		return deploy.Config{}, newError(problems)
	}
	var cfg deploy.Config
	for _, c := range cfgs {
		cfg.Workspaces = append(cfg.Workspaces, c.Workspaces...)
		cfg.Deployments = append(cfg.Deployments, c.Deployments...)
	}
	sortConfig(&cfg)
	return cfg, nil
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
	return l.evaluate(def, insts[0])
}

// loadSyntax is load for files already parsed: plain-data files that
// parsed without error (see partition).
func (l *loader) loadSyntax(files []*ast.File) (deploy.Config, error) {
	def, err := l.schema()
	if err != nil {
		return deploy.Config{}, err
	}
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return deploy.Config{}, newError(l.problems(err))
		}
	}
	return l.evaluate(def, inst)
}

// evaluate builds the user's instance, checks it against the schema def
// and decodes it.
func (l *loader) evaluate(def cue.Value, inst *build.Instance) (deploy.Config, error) {
	l.files = inst.Files
	l.user = l.ctx.BuildInstance(inst)
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
