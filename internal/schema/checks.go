package schema

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cuelang.org/go/cue"

	"github.com/capctl/capctl/internal/deploy"
)

// The checks below mirror the constraints of schemas/capacity.cue, one per
// field. They only word errors CUE has already found (and run in the
// structural pass), so they never decide on their own that a file is bad.

func checkStruct(name string, v, _ cue.Value) string {
	if v.IncompleteKind() != cue.StructKind {
		return fmt.Sprintf("%s must be a struct (got %s)", name, describe(v))
	}
	return ""
}

func checkRegion(_ string, v, parent cue.Value) string {
	s, err := v.String()
	if err == nil && deploy.Regions[s] != "" {
		if parent.LookupPath(cue.MakePath(cue.Str("endpoint"))).Exists() {
			return "set either region or endpoint, not both"
		}
		return ""
	}
	return fmt.Sprintf("region must be one of %s (got %s)",
		strings.Join(regionNames(), ", "), describe(v))
}

// regionNames lists the regions in a fixed, readable order.
func regionNames() []string {
	return slices.Sorted(maps.Keys(deploy.Regions))
}

func checkEndpoint(_ string, v, _ cue.Value) string {
	if s, err := v.String(); err == nil && endpointRE.MatchString(s) {
		return ""
	}
	return fmt.Sprintf("endpoint must be an http or https URL with a host and no path, "+
		"like https://dashscope-intl.aliyuncs.com (got %s)", describe(v))
}

// checkKeyEnv never echoes the value: a user who got this wrong may well
// have pasted the key itself.
func checkKeyEnv(_ string, v, _ cue.Value) string {
	if s, err := v.String(); err == nil && keyEnvRE.MatchString(s) {
		return ""
	}
	return "api_key_env must be the name of an environment variable " +
		"(letters, digits and _, not starting with a digit), not the key itself"
}

func checkPlan(_ string, v, _ cue.Value) string {
	s, err := v.String()
	switch {
	case err == nil && (s == string(deploy.PlanMU) || s == string(deploy.PlanPTU)):
		return ""
	case s == "lora" || s == "cu":
		return fmt.Sprintf(`plan must be "mu" or "ptu" (got %q: %s deployments cannot be scaled through the API)`, s, s)
	}
	return fmt.Sprintf(`plan must be "mu" or "ptu" (got %s)`, describe(v))
}

func checkCapacity(name string, v, parent cue.Value) string {
	if msg := notOnPlan(name, parent, deploy.PlanPTU); msg != "" {
		return msg
	}
	c, err := v.Int64()
	switch {
	case err != nil:
		return fmt.Sprintf("capacity must be an integer (got %s)", describe(v))
	case c < 0:
		return fmt.Sprintf("capacity must be at least 0 (got %d)", c)
	case c >= 1000:
		return fmt.Sprintf("capacity must be less than 1000 (got %d)", c)
	}
	base, err := parent.LookupPath(cue.MakePath(cue.Str("base_capacity"))).Int64()
	if err == nil && base > 0 && c%base != 0 {
		return fmt.Sprintf("capacity %d is not a multiple of base_capacity %d", c, base)
	}
	return ""
}

func checkBaseCapacity(name string, v, parent cue.Value) string {
	if msg := notOnPlan(name, parent, deploy.PlanPTU); msg != "" {
		return msg
	}
	return checkInt(1)(name, v, parent)
}

func checkPTUCapacity(name string, v, parent cue.Value) string {
	if msg := notOnPlan(name, parent, deploy.PlanMU); msg != "" {
		return msg
	}
	return checkStruct(name, v, parent)
}

// checkInt requires an integer of at least lo.
func checkInt(lo int64) check {
	return func(name string, v, _ cue.Value) string {
		n, err := v.Int64()
		switch {
		case err != nil:
			return fmt.Sprintf("%s must be an integer (got %s)", name, describe(v))
		case n < lo && lo == 1:
			return fmt.Sprintf("%s must be greater than 0 (got %d)", name, n)
		case n < lo:
			return fmt.Sprintf("%s must be at least %d (got %d)", name, lo, n)
		}
		return ""
	}
}

// notOnPlan reports a field that the deployment's plan does not allow.
func notOnPlan(name string, deployment cue.Value, plan deploy.Plan) string {
	s, err := deployment.LookupPath(cue.MakePath(cue.Str("plan"))).String()
	if err == nil && s == string(plan) {
		return fmt.Sprintf("%s is not allowed when plan is %q", name, s)
	}
	return ""
}

// describe renders a user value for a message: concrete values as CUE
// writes them, anything else by kind.
func describe(v cue.Value) string {
	if v.IsConcrete() && v.Kind() != cue.StructKind && v.Kind() != cue.ListKind {
		return fmt.Sprint(v)
	}
	return v.IncompleteKind().String()
}
