package schema

import (
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/capctl/capctl/internal/deploy"
)

// problems turns a CUE error (a list) into one Problem per error.
func (l *loader) problems(err error) []deploy.Problem {
	errs := cueerrors.Errors(err)
	out := make([]deploy.Problem, 0, len(errs))
	for _, e := range errs {
		out = append(out, l.problem(e))
	}
	return out
}

// problem rewrites one CUE error for people: a plain message where the
// rule broken can be told from the user's value (see explain), CUE's own
// message otherwise, and always a position in a user file when there is
// one. CUE's message is kept for conflicts between files, and then names
// the other places ("see also").
func (l *loader) problem(e cueerrors.Error) deploy.Problem {
	path := e.Path()
	pos, others := l.userPositions(e)
	msg, ok := l.explain(path, pos.IsValid())
	if !ok {
		msg = l.relativize(cueerrors.StringWithConfig(e, &cueerrors.Config{OmitPath: true}))
		if len(others) > 0 {
			msg += " (see also " + strings.Join(others, ", ") + ")"
		}
	}
	if !pos.IsValid() {
		pos = l.nearestPos(path)
	}
	return deploy.Problem{Pos: pos, Path: strings.Join(path, "."), Message: msg}
}

// userPositions picks where to point for e: CUE's own position when it is
// in a user file, else the first user position among the error's inputs
// (for math.MultipleOf that is the capacity, not the base). Errors raised
// by the schema alone (required fields, error()) have no user position.
// The other user positions are returned as "file:line:col" for "see also".
func (l *loader) userPositions(e cueerrors.Error) (deploy.Pos, []string) {
	var (
		seen    = map[deploy.Pos]bool{}
		ordered []deploy.Pos
	)
	add := func(p token.Pos) {
		if up := l.pos(p); up.IsValid() && !seen[up] {
			seen[up] = true
			ordered = append(ordered, up)
		}
	}
	add(e.Position())
	for _, p := range e.InputPositions() {
		add(p)
	}
	for _, p := range cueerrors.Positions(e) {
		add(p)
	}
	if len(ordered) == 0 {
		return deploy.Pos{}, nil
	}
	others := make([]string, 0, len(ordered)-1)
	for _, p := range ordered[1:] {
		others = append(others, p.String())
	}
	return ordered[0], others
}

// pos converts a CUE position, keeping only positions in user files.
func (l *loader) pos(p token.Pos) deploy.Pos {
	if !p.IsValid() {
		return deploy.Pos{}
	}
	name, ok := l.names[p.Filename()]
	if !ok {
		return deploy.Pos{}
	}
	return deploy.Pos{File: name, Line: p.Line(), Col: p.Column()}
}

// nearestPos finds the user's declaration of path, or of the closest
// enclosing field that is declared (a missing field points at its
// deployment).
func (l *loader) nearestPos(path []string) deploy.Pos {
	p := cue.ParsePath(strings.Join(path, "."))
	if p.Err() != nil {
		return deploy.Pos{}
	}
	sels := p.Selectors()
	for i := len(sels); i > 0; i-- {
		if pos := l.declPos(sels[:i]); pos.IsValid() {
			return pos
		}
	}
	return deploy.Pos{}
}

// declPos is where the field at path is declared: its label in the first
// file that names it, or, for fields that comprehensions make, whatever
// position CUE keeps for the value.
func (l *loader) declPos(path []cue.Selector) deploy.Pos {
	if l.ix == nil {
		l.ix = newIndex(l.files, maxDepth)
	}
	if labels, ok := regularLabels(cue.MakePath(path...)); ok {
		if pos := l.pos(l.ix.lookup(labels...)); pos.IsValid() {
			return pos
		}
	}
	return l.pos(l.user.LookupPath(cue.MakePath(path...)).Pos())
}

// maxDepth is the length of the longest path in the schema:
// workspaces.W.deployments.D.ptu_capacity.F.
const maxDepth = 6

// relativize replaces absolute file names in a CUE message (import and
// package errors quote them) with the names the user gave.
func (l *loader) relativize(msg string) string {
	if !strings.ContainsRune(msg, '/') {
		return msg
	}
	for abs, name := range l.names {
		msg = strings.ReplaceAll(msg, abs, name)
	}
	return msg
}
