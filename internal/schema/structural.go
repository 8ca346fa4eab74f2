package schema

import (
	"fmt"

	"cuelang.org/go/cue"

	"github.com/capctl/capctl/internal/deploy"
)

// structural walks the user's value and reports unknown and missing fields.
// It runs only when CUE found errors: CUE v0.17 then drops "field is
// required but not present" and, in a struct that already has an error,
// may leave out "field not allowed" for its siblings. Without this pass a
// user would fix one round of errors only to be shown the next. Problems
// CUE did report come out twice and are merged by newError.
func (l *loader) structural() []deploy.Problem {
	var w walker
	w.l = l
	w.fields(l.user, nil, topLevel)
	wss := l.user.LookupPath(cue.MakePath(cue.Str("workspaces")))
	w.each(wss, []cue.Selector{cue.Str("workspaces")}, func(ws cue.Value, path []cue.Selector) {
		w.fields(ws, path, workspaceLevel)
		path = append(path, cue.Str("deployments"))
		w.each(ws.LookupPath(cue.MakePath(cue.Str("deployments"))), path, w.deployment)
	})
	return w.problems
}

// walker collects the problems of one structural pass.
type walker struct {
	l        *loader
	problems []deploy.Problem
}

// each calls fn for every regular field of v, when v is a struct.
func (w *walker) each(v cue.Value, path []cue.Selector, fn func(cue.Value, []cue.Selector)) {
	if v.IncompleteKind() != cue.StructKind {
		return
	}
	it, err := v.Fields()
	if err != nil {
		return
	}
	for it.Next() {
		fn(it.Value(), append(path[:len(path):len(path)], it.Selector()))
	}
}

// fields reports every regular field of v that lvl does not know.
func (w *walker) fields(v cue.Value, path []cue.Selector, lvl level) {
	w.each(v, path, func(f cue.Value, p []cue.Selector) {
		name := p[len(p)-1].Unquoted()
		if _, ok := lvl[name]; !ok {
			w.add(p, p, unknownField(name, lvl, len(p) == 1))
		} else if msg := notConcrete(name, f); msg != "" && f.Err() == nil {
			w.add(p, p, msg)
		}
	})
}

func (w *walker) deployment(d cue.Value, path []cue.Selector) {
	w.fields(d, path, deploymentLevel)
	plan, err := d.LookupPath(cue.MakePath(cue.Str("plan"))).String()
	switch {
	case err != nil:
		w.require(d, path, "plan")
	case plan == string(deploy.PlanMU):
		if w.require(d, path, "capacity") {
			w.multiple(d, path)
		}
		w.forbid(d, path, "ptu_capacity", plan)
	case plan == string(deploy.PlanPTU):
		w.forbid(d, path, "capacity", plan)
		w.forbid(d, path, "base_capacity", plan)
		if w.require(d, path, "ptu_capacity") {
			ptu := d.LookupPath(cue.MakePath(cue.Str("ptu_capacity")))
			p := append(path[:len(path):len(path)], cue.Str("ptu_capacity"))
			w.fields(ptu, p, ptuLevel)
			w.require(ptu, p, "input_tpm")
			w.require(ptu, p, "output_tpm")
		}
	}
}

// multiple reports a capacity that is not a multiple of base_capacity:
// #Config leaves that rule to Go, so CUE never reports it.
func (w *walker) multiple(d cue.Value, path []cue.Selector) {
	c, err1 := d.LookupPath(cue.MakePath(cue.Str("capacity"))).Int64()
	b, err2 := d.LookupPath(cue.MakePath(cue.Str("base_capacity"))).Int64()
	if err1 == nil && err2 == nil && b > 0 && c%b != 0 {
		p := append(path[:len(path):len(path)], cue.Str("capacity"))
		w.problems = append(w.problems, w.l.notMultiple(p, c, b))
	}
}

// forbid reports field when present on a deployment whose plan does not
// allow it: #Config leaves that rule to Go.
func (w *walker) forbid(d cue.Value, path []cue.Selector, field, plan string) {
	if d.LookupPath(cue.MakePath(cue.Str(field))).Exists() {
		p := append(path[:len(path):len(path)], cue.Str(field))
		w.add(p, p, fmt.Sprintf("%s is not allowed when plan is %q", field, plan))
	}
}

// require reports field missing from v; it returns whether it is present.
// A present field holding an error (a conflict) counts as present: CUE
// reports the conflict itself.
func (w *walker) require(v cue.Value, path []cue.Selector, field string) bool {
	if v.IncompleteKind() != cue.StructKind {
		return false
	}
	if v.LookupPath(cue.MakePath(cue.Str(field))).Exists() {
		return true
	}
	w.add(path, append(path[:len(path):len(path)], cue.Str(field)), "missing required field "+field)
	return false
}

// add records a problem at path, pointing at the declaration of at.
func (w *walker) add(at, path []cue.Selector, msg string) {
	w.problems = append(w.problems, deploy.Problem{
		Pos:     w.l.declPos(at),
		Path:    cue.MakePath(path...).String(),
		Message: msg,
	})
}
