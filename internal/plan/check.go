package plan

import (
	"fmt"

	"github.com/capctl/capctl/internal/deploy"
)

// onceWorkspace refuses a second workspace-level error for ws.
func onceWorkspace(seen map[string]string, ws, entry string) error {
	if first, dup := seen[ws]; dup {
		return fmt.Errorf("%s: workspace %s has more than one workspace error (also %s)", entry, ws, first)
	}
	seen[ws] = entry
	return nil
}

// check reports the first thing in p that capctl could not have written.
func check(p Plan) error {
	seen := make(map[deploy.Key]string, len(p.Changes)+len(p.Errors)+len(p.Unmanaged))
	seenWS := map[string]string{}
	once := func(k deploy.Key, entry string) error {
		if k.Workspace == "" || k.ID == "" {
			return fmt.Errorf("%s: workspace and deployed_model are required", entry)
		}
		if first, dup := seen[k]; dup {
			return fmt.Errorf("%s: deployment %s appears more than once (also %s)", entry, k, first)
		}
		seen[k] = entry
		return nil
	}
	for i, c := range p.Changes {
		if err := once(c.Key(), fmt.Sprintf("changes[%d]", i)); err != nil {
			return err
		}
		if err := checkChange(c); err != nil {
			return fmt.Errorf("changes[%d] %s: %w", i, c.Key(), err)
		}
	}
	for i, e := range p.Errors {
		entry := fmt.Sprintf("errors[%d]", i)
		if e.DeployedModel == "" && e.Workspace != "" { // a whole workspace
			if err := onceWorkspace(seenWS, e.Workspace, entry); err != nil {
				return err
			}
		} else if err := once(e.Key(), entry); err != nil {
			return err
		}
		if e.Message == "" {
			return fmt.Errorf("errors[%d] %s: message is empty", i, e.Key())
		}
	}
	for i, k := range p.Unmanaged {
		if err := once(k, fmt.Sprintf("unmanaged[%d]", i)); err != nil {
			return err
		}
	}
	if got := Summarize(p); got != p.Summary {
		return fmt.Errorf("summary %s does not match the entries, which count %s", summaryString(p.Summary), summaryString(got))
	}
	return nil
}

func summaryString(s Summary) string {
	return fmt.Sprintf("{scale_up %d, scale_down %d, update %d, no_change %d, errors %d}",
		s.ScaleUp, s.ScaleDown, s.Update, s.NoChange, s.Errors)
}

// checkChange checks one change's plan, states and action.
func checkChange(c Change) error {
	switch c.Action {
	case ScaleUp, ScaleDown, Update, NoChange:
	default:
		return fmt.Errorf("unknown action %q (want scale_up, scale_down, update or no_change)", c.Action)
	}
	var derived Action
	switch c.Plan {
	case deploy.PlanMU:
		if err := checkMU(c.Before, c.After); err != nil {
			return err
		}
		derived = actionOf([]int{*c.Before.Capacity}, []int{*c.After.Capacity})
	case deploy.PlanPTU:
		if err := checkPTU(c.Before, c.After); err != nil {
			return err
		}
		derived = ptuAction(*c.Before.PTUCapacity, *c.After.PTUCapacity)
	default:
		return fmt.Errorf("unknown plan %q (want mu or ptu)", c.Plan)
	}
	if derived != c.Action {
		return fmt.Errorf("action %s does not match before and after, which say %s", c.Action, derived)
	}
	return nil
}

func checkMU(before, after State) error {
	for _, f := range []struct {
		name string
		n    *int
	}{{"before.capacity", before.Capacity}, {"after.capacity", after.Capacity}} {
		switch {
		case f.n == nil:
			return fmt.Errorf("%s is missing", f.name)
		case *f.n < 0 || *f.n >= MaxUnits:
			return fmt.Errorf("%s %d is out of range (0 <= capacity < %d)", f.name, *f.n, MaxUnits)
		}
	}
	switch {
	case before.PTUCapacity != nil || after.PTUCapacity != nil:
		return fmt.Errorf("ptu_capacity is not allowed on a mu deployment")
	case after.BaseCapacity != nil:
		return fmt.Errorf("after.base_capacity is not allowed; base_capacity is live state")
	case before.BaseCapacity == nil:
		return nil
	case *before.BaseCapacity <= 0:
		return fmt.Errorf("before.base_capacity %d must be > 0", *before.BaseCapacity)
	case *after.Capacity%*before.BaseCapacity != 0:
		return fmt.Errorf("after.capacity %d is not a multiple of before.base_capacity %d", *after.Capacity, *before.BaseCapacity)
	}
	return nil
}

func checkPTU(before, after State) error {
	switch {
	case before.Capacity != nil || after.Capacity != nil || before.BaseCapacity != nil || after.BaseCapacity != nil:
		return fmt.Errorf("capacity and base_capacity are not allowed on a ptu deployment")
	case before.PTUCapacity == nil:
		return fmt.Errorf("before.ptu_capacity is missing")
	case after.PTUCapacity == nil:
		return fmt.Errorf("after.ptu_capacity is missing")
	}
	if err := checkTPM("before", *before.PTUCapacity, 0); err != nil {
		return err
	}
	return checkTPM("after", *after.PTUCapacity, 1)
}

// checkTPM checks a quota: input and output at least least, thinking >= 0.
func checkTPM(side string, q deploy.PTU, least int) error {
	switch {
	case q.InputTPM < least:
		return fmt.Errorf("%s.ptu_capacity.input_tpm %d must be >= %d", side, q.InputTPM, least)
	case q.OutputTPM < least:
		return fmt.Errorf("%s.ptu_capacity.output_tpm %d must be >= %d", side, q.OutputTPM, least)
	case q.ThinkingOutputTPM != nil && *q.ThinkingOutputTPM < 0:
		return fmt.Errorf("%s.ptu_capacity.thinking_output_tpm %d must be >= 0", side, *q.ThinkingOutputTPM)
	}
	return nil
}
