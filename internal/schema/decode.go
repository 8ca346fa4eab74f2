package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"

	"github.com/capctl/capctl/internal/deploy"
)

// The JSON shape of a valid configuration. The schema has no defaults, so
// the user's value alone holds all the data, and encoding it to JSON is far
// cheaper than cue.Value.Decode (which builds an evaluation context per
// value). Hidden fields and definitions are not part of the JSON.
type (
	jsonConfig struct {
		Workspaces map[string]jsonWorkspace `json:"workspaces"`
	}
	jsonWorkspace struct {
		Region      string                    `json:"region"`
		Endpoint    string                    `json:"endpoint"`
		APIKeyEnv   string                    `json:"api_key_env"`
		Deployments map[string]jsonDeployment `json:"deployments"`
	}
	jsonDeployment struct {
		Plan         deploy.Plan `json:"plan"`
		Capacity     *int        `json:"capacity"`
		BaseCapacity *int        `json:"base_capacity"`
		PTU          *deploy.PTU `json:"ptu_capacity"`
	}
)

// decode turns the validated user value into a Config.
func (l *loader) decode() (deploy.Config, error) {
	if k := l.user.IncompleteKind(); k != cue.StructKind { // a file holding just `_` or `int`
		return deploy.Config{}, newError([]deploy.Problem{{
			Pos:     l.pos(l.user.Pos()),
			Message: fmt.Sprintf("the configuration must be a struct with a workspaces field (got %s)", k),
		}})
	}
	b, err := l.user.MarshalJSON()
	if err != nil { // validation should have caught it; report it the same way
		return deploy.Config{}, newError(l.problems(err))
	}
	var jc jsonConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // the schema is closed; this guards against drift
	if err := dec.Decode(&jc); err != nil {
		return deploy.Config{}, fmt.Errorf("decode configuration: %w", err)
	}
	if problems := l.rules(jc); len(problems) > 0 {
		return deploy.Config{}, newError(problems)
	}
	wsPos, depPos := l.declarations(jc)
	var cfg deploy.Config
	for id, jw := range jc.Workspaces {
		cfg.Workspaces = append(cfg.Workspaces, workspace(id, jw, wsPos[id]))
		for dep, jd := range jw.Deployments {
			key := deploy.Key{Workspace: id, ID: dep}
			cfg.Deployments = append(cfg.Deployments, deploy.Desired{
				Key: key, Plan: jd.Plan, Capacity: deref(jd.Capacity),
				BaseCapacity: deref(jd.BaseCapacity), PTU: jd.PTU, Pos: depPos[key],
			})
		}
	}
	sortConfig(&cfg)
	return cfg, nil
}

// sortConfig puts workspaces and deployments in their documented order.
func sortConfig(cfg *deploy.Config) {
	slices.SortFunc(cfg.Workspaces, func(a, b deploy.Workspace) int { return strings.Compare(a.ID, b.ID) })
	deploy.SortDesired(cfg.Deployments)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// rules checks what ties a deployment's fields together, the rules #Config
// leaves to Go (see schemas/capacity.cue and rules.cue): the fields each
// plan requires and forbids, and capacity a multiple of base_capacity.
// The problems come out sorted, like CUE's.
func (l *loader) rules(jc jsonConfig) []deploy.Problem {
	var out []deploy.Problem
	for ws, jw := range jc.Workspaces {
		for id, d := range jw.Deployments {
			path := []cue.Selector{cue.Str("workspaces"), cue.Str(ws), cue.Str("deployments"), cue.Str(id)}
			out = append(out, l.deploymentRules(path, d)...)
		}
	}
	slices.SortFunc(out, func(a, b deploy.Problem) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// deploymentRules checks one decoded deployment.
func (l *loader) deploymentRules(path []cue.Selector, d jsonDeployment) []deploy.Problem {
	field := func(name string) []cue.Selector { return append(path[:len(path):len(path)], cue.Str(name)) }
	var out []deploy.Problem
	missing := func(name string) {
		out = append(out, deploy.Problem{Pos: l.declPos(path), Path: cue.MakePath(field(name)...).String(),
			Message: "missing required field " + name})
	}
	forbidden := func(name string) {
		out = append(out, deploy.Problem{Pos: l.declPos(field(name)), Path: cue.MakePath(field(name)...).String(),
			Message: fmt.Sprintf("%s is not allowed when plan is %q", name, d.Plan)})
	}
	switch d.Plan {
	case deploy.PlanMU:
		if d.Capacity == nil {
			missing("capacity")
		}
		if d.PTU != nil {
			forbidden("ptu_capacity")
		}
		if d.Capacity != nil && d.BaseCapacity != nil && *d.BaseCapacity > 0 && *d.Capacity%*d.BaseCapacity != 0 {
			out = append(out, l.notMultiple(field("capacity"), int64(*d.Capacity), int64(*d.BaseCapacity)))
		}
	case deploy.PlanPTU:
		if d.PTU == nil {
			missing("ptu_capacity")
		}
		if d.Capacity != nil {
			forbidden("capacity")
		}
		if d.BaseCapacity != nil {
			forbidden("base_capacity")
		}
	}
	return out
}

// notMultiple is the problem of a capacity at path that is not a multiple
// of base, positioned at the capacity's value.
func (l *loader) notMultiple(path []cue.Selector, c, base int64) deploy.Problem {
	// Point at the value, as CUE does for a broken constraint; the value's
	// source is the literal when the user wrote one.
	v := l.user.LookupPath(cue.MakePath(path...))
	pos := l.pos(v.Pos())
	src := v.Source()
	if f, ok := src.(*ast.Field); ok {
		src = f.Value
	}
	if src != nil {
		if p := l.pos(src.Pos()); p.IsValid() {
			pos = p
		}
	}
	if !pos.IsValid() {
		pos = l.declPos(path)
	}
	return deploy.Problem{
		Pos:     pos,
		Path:    cue.MakePath(path...).String(),
		Message: fmt.Sprintf("capacity %d is not a multiple of base_capacity %d", c, base),
	}
}

// workspace applies the defaults: the region only when no endpoint is set.
func workspace(id string, jw jsonWorkspace, pos deploy.Pos) deploy.Workspace {
	w := deploy.Workspace{
		ID:        id,
		Region:    jw.Region,
		Endpoint:  strings.TrimSuffix(jw.Endpoint, "/"),
		APIKeyEnv: jw.APIKeyEnv,
		Pos:       pos,
	}
	if w.Region == "" && w.Endpoint == "" {
		w.Region = deploy.DefaultRegion
	}
	if w.APIKeyEnv == "" {
		w.APIKeyEnv = deploy.DefaultAPIKeyEnv
	}
	return w
}

// declarations finds where each workspace and deployment is declared: the
// position of its label in the first file that names it. The index goes
// only as deep as deployments, which keeps it cheap for large fleets.
func (l *loader) declarations(jc jsonConfig) (map[string]deploy.Pos, map[deploy.Key]deploy.Pos) {
	ix := newIndex(l.files, 4)
	wsPos := make(map[string]deploy.Pos, len(jc.Workspaces))
	depPos := map[deploy.Key]deploy.Pos{}
	for id, jw := range jc.Workspaces {
		wsPos[id] = l.indexedPos(ix, "workspaces", id)
		for dep := range jw.Deployments {
			depPos[deploy.Key{Workspace: id, ID: dep}] = l.indexedPos(ix, "workspaces", id, "deployments", dep)
		}
	}
	return wsPos, depPos
}

// indexedPos looks labels up in ix, falling back to CUE's position for
// fields the index does not see (made by comprehensions).
func (l *loader) indexedPos(ix *index, labels ...string) deploy.Pos {
	if pos := l.pos(ix.lookup(labels...)); pos.IsValid() {
		return pos
	}
	sels := make([]cue.Selector, len(labels))
	for i, s := range labels {
		sels[i] = cue.Str(s)
	}
	return l.pos(l.user.LookupPath(cue.MakePath(sels...)).Pos())
}
