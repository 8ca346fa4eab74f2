package schema

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue"
)

// CUE's messages name the constraint that failed ("invalid value 6 (does not
// satisfy math.MultipleOf(4))"). capctl words them as the rule the user
// broke. It does so from the path and the user's own value, never by parsing
// CUE's text: each field of the schema has a check that mirrors its CUE
// constraint and says in plain words what is wrong. Where no check fires
// (a conflict between files, an incomplete value), CUE's message stands.

// check returns "" when v satisfies the rule. parent is the struct holding v.
type check func(name string, v, parent cue.Value) string

// level is one kind of struct in the schema and the fields it allows.
type level map[string]check

var (
	topLevel = level{"workspaces": checkStruct}

	workspaceLevel = level{
		"region":      checkRegion,
		"endpoint":    checkEndpoint,
		"api_key_env": checkKeyEnv,
		"deployments": checkStruct,
	}

	deploymentLevel = level{
		"plan":          checkPlan,
		"capacity":      checkCapacity,
		"base_capacity": checkBaseCapacity,
		"ptu_capacity":  checkPTUCapacity,
	}

	ptuLevel = level{
		"input_tpm":           checkInt(1),
		"output_tpm":          checkInt(1),
		"thinking_output_tpm": checkInt(0),
	}
)

// These mirror the regular expressions in schemas/capacity.cue; the loader
// tests feed both the same values.
var (
	endpointRE = regexp.MustCompile(`^https?://[^/?#@\s]+/?$`)
	keyEnvRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// levelOf tells which struct the last element of path lives in, from the
// shape of the path: workspaces.W.deployments.D.ptu_capacity.F.
func levelOf(labels []string) level {
	switch {
	case len(labels) == 1:
		return topLevel
	case labels[0] != "workspaces":
		return nil
	case len(labels) == 3:
		return workspaceLevel
	case len(labels) == 5 && labels[2] == "deployments":
		return deploymentLevel
	case len(labels) == 6 && labels[2] == "deployments" && labels[4] == "ptu_capacity":
		return ptuLevel
	}
	return nil
}

// explain returns a plain message for the CUE error at path, or false when
// the user's value does not tell what is wrong. present says whether the
// error points into a user file: errors about missing fields point only
// into the schema, while an unresolved reference also makes the field
// look absent but does point at the user's file.
func (l *loader) explain(path []string, present bool) (string, bool) {
	p := cue.ParsePath(strings.Join(path, "."))
	if p.Err() != nil || len(path) == 0 {
		return "", false
	}
	labels, ok := regularLabels(p)
	if !ok {
		return "", false
	}
	if entry := entryKind(labels); entry != "" {
		return notAStruct(entry, l.user.LookupPath(p))
	}
	lvl := levelOf(labels)
	if lvl == nil {
		return "", false
	}
	name := labels[len(labels)-1]
	chk, known := lvl[name]
	if !known {
		return unknownField(name, lvl, len(labels) == 1), true
	}
	v := l.user.LookupPath(p)
	switch {
	case !v.Exists() && !present:
		return "missing required field " + name, true
	case v.Err() != nil: // a conflict, an unresolved reference: CUE says it best
		return "", false
	}
	if msg := notConcrete(name, v); msg != "" {
		return msg, true
	}
	v, _ = v.Default()
	parent := l.user.LookupPath(cue.MakePath(p.Selectors()[:len(labels)-1]...))
	msg := chk(name, v, parent)
	return msg, msg != ""
}

// notConcrete reports a field left without a value (capacity: int). A
// default counts as a value, as it does for CUE.
func notConcrete(name string, v cue.Value) string {
	if d, _ := v.Default(); !d.IsConcrete() {
		return fmt.Sprintf("%s must have a concrete value (got %s)", name, describe(d))
	}
	return ""
}

// entryKind names what a path of user-chosen labels holds: a workspace
// (workspaces.W) or a deployment (workspaces.W.deployments.D).
func entryKind(labels []string) string {
	switch {
	case len(labels) == 2 && labels[0] == "workspaces":
		return "a workspace"
	case len(labels) == 4 && labels[0] == "workspaces" && labels[2] == "deployments":
		return "a deployment"
	}
	return ""
}

// notAStruct words the error of a workspace or deployment given a plain
// value; other errors at that level (a conflict) keep CUE's message.
func notAStruct(entry string, v cue.Value) (string, bool) {
	if !v.Exists() || v.Err() != nil || v.IncompleteKind() == cue.StructKind {
		return "", false
	}
	return fmt.Sprintf("%s must be a struct (got %s)", entry, describe(v)), true
}

// regularLabels unquotes a path made only of regular fields; anything else
// (hidden fields, definitions, list indexes) is the user's own business.
func regularLabels(p cue.Path) ([]string, bool) {
	sels := p.Selectors()
	labels := make([]string, len(sels))
	for i, s := range sels {
		if s.LabelType() != cue.StringLabel || s.ConstraintType() != 0 {
			return nil, false
		}
		labels[i] = s.Unquoted()
	}
	return labels, true
}

// unknownField words a closedness error, suggesting the field the user
// probably meant.
func unknownField(name string, lvl level, top bool) string {
	switch {
	case name == "api_key" || name == "apikey" || name == "key":
		return fmt.Sprintf("unknown field %q: API keys never go in capacity files; "+
			"set api_key_env to the name of the environment variable that holds the key", name)
	case top:
		return fmt.Sprintf("unknown field %q: the only top-level field is workspaces "+
			"(use _%s or #%s for your own values)", name, name, name)
	}
	msg := fmt.Sprintf("unknown field %q", name)
	if s := suggest(name, lvl); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// suggest returns the known field closest to name, if it is close.
func suggest(name string, lvl level) string {
	best, bestD := "", 3 // more than two edits away is not a typo
	for _, k := range slices.Sorted(maps.Keys(lvl)) {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
