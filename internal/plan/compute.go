package plan

import (
	"fmt"
	"slices"

	"github.com/capctl/capctl/internal/deploy"
)

// MaxUnits bounds a mu capacity: the API accepts 0 <= capacity < MaxUnits.
const MaxUnits = 1000

// Compute returns the plan that brings live to desired. It is pure and
// deterministic: the same inputs give the same Plan, sorted by workspace then
// deployment id. CreatedAt is left zero for the caller to stamp.
//
// unreadable maps a workspace id to the reason its live state could not be
// read (the listing failed, the key answers for another workspace, the key
// variable is missing). Every desired deployment of such a workspace becomes
// an Error carrying that reason, and its live deployments, if any were passed,
// are ignored: they are neither planned nor listed as unmanaged.
//
// A desired deployment with no live counterpart, on a live plan capctl cannot
// scale (lora, cu, ptu_v2, none), on the other plan than the file says, or
// whose capacity contradicts the live base_capacity becomes an Error. Every
// other one becomes a Change, no_change included. Live deployments no file
// mentions are listed in Unmanaged and never touched.
//
// Status is recorded in Before but never changes the action: the action
// compares the file with the live *configured* capacity (the API's
// "capacity", which a scale call sets at once, not "ready_capacity"). So an
// UPDATING deployment whose target already equals the file is no_change —
// it is converging there and a second call would only be refused — while one
// moving elsewhere is planned like any other; a FAILED or UPDATING_FAILED one
// at its target is no_change too: re-sending the same target is not a repair,
// and the views show the status so a person can act.
//
// A ptu file that leaves thinking_output_tpm out means "leave it as it is":
// After carries the live thinking quota (when there is one), so the scale
// call, which sets an absolute target, sends it back unchanged rather than
// leaving it out and risking the API clearing it. This mirrors the file's
// own rule that an absent optional field is not managed, and never zeroes a
// quota nobody wrote down. A live deployment without a thinking quota counts as 0 against
// a file that sets one.
func Compute(desired []deploy.Desired, live []deploy.Live, unreadable map[string]string) Plan {
	p := Plan{FormatVersion: FormatVersion, Changes: []Change{}, Unmanaged: []deploy.Key{}, Errors: []Error{}}
	liveByKey := make(map[deploy.Key]deploy.Live, len(live))
	for _, l := range live {
		if _, bad := unreadable[l.Workspace]; !bad {
			liveByKey[l.Key] = l
		}
	}
	declared := make(map[deploy.Key]int, len(desired))
	for _, d := range desired {
		declared[d.Key]++
	}
	done := make(map[deploy.Key]bool, len(desired))
	for _, d := range desired {
		if done[d.Key] {
			continue
		}
		done[d.Key] = true
		c, msg := planOne(d, liveByKey, unreadable, declared[d.Key])
		if msg != "" {
			p.Errors = append(p.Errors, Error{Workspace: d.Workspace, DeployedModel: d.ID, Message: msg, Pos: d.Pos})
			continue
		}
		p.Changes = append(p.Changes, c)
	}
	for _, ws := range quietWorkspaces(desired, unreadable) {
		// No deployment of the files lives there, so no entry above says
		// the workspace could not be read: say it once for the workspace.
		p.Errors = append(p.Errors, Error{Workspace: ws, Message: unreadable[ws]})
	}
	for k := range liveByKey {
		if declared[k] == 0 {
			p.Unmanaged = append(p.Unmanaged, k)
		}
	}
	slices.SortFunc(p.Changes, func(a, b Change) int { return a.Key().Compare(b.Key()) })
	slices.SortFunc(p.Errors, func(a, b Error) int { return a.Key().Compare(b.Key()) })
	slices.SortFunc(p.Unmanaged, deploy.Key.Compare)
	p.Summary = Summarize(p)
	return p
}

// quietWorkspaces returns the unreadable workspaces that no desired
// deployment belongs to, sorted.
func quietWorkspaces(desired []deploy.Desired, unreadable map[string]string) []string {
	has := make(map[string]bool, len(unreadable))
	for _, d := range desired {
		has[d.Workspace] = true
	}
	var out []string
	for ws := range unreadable {
		if !has[ws] {
			out = append(out, ws)
		}
	}
	slices.Sort(out)
	return out
}

// planOne plans one desired deployment, returning the change or the message
// of the error that stops it.
func planOne(d deploy.Desired, live map[deploy.Key]deploy.Live, unreadable map[string]string, declared int) (Change, string) {
	if why, bad := unreadable[d.Workspace]; bad {
		return Change{}, why
	}
	if declared > 1 {
		return Change{}, fmt.Sprintf("declared %d times", declared)
	}
	l, ok := live[d.Key]
	if !ok {
		return Change{}, "not found in workspace " + d.Workspace
	}
	switch {
	case l.Plan != string(deploy.PlanMU) && l.Plan != string(deploy.PlanPTU):
		return Change{}, fmt.Sprintf("plan %s cannot be scaled through the API", planName(l.Plan))
	case d.Plan != deploy.PlanMU && d.Plan != deploy.PlanPTU:
		return Change{}, fmt.Sprintf("plan %s in the file cannot be scaled through the API", planName(string(d.Plan)))
	case l.Plan != string(d.Plan):
		return Change{}, fmt.Sprintf("plan mismatch: file says %s, live deployment is %s", d.Plan, l.Plan)
	}
	c := Change{
		Workspace: d.Workspace, DeployedModel: d.ID, Plan: d.Plan, Pos: d.Pos,
		Before: State{Status: l.Status, GmtModified: l.GmtModified},
	}
	var msg string
	if d.Plan == deploy.PlanMU {
		msg = planMU(d, l, &c)
	} else {
		msg = planPTU(d, l, &c)
	}
	return c, msg
}

func planName(p string) string {
	if p == "" {
		return `""`
	}
	return p
}

func planMU(d deploy.Desired, l deploy.Live, c *Change) string {
	switch {
	case d.Capacity < 0 || d.Capacity >= MaxUnits:
		return fmt.Sprintf("capacity %d is out of range (0 <= capacity < %d)", d.Capacity, MaxUnits)
	case l.Capacity < 0 || l.Capacity >= MaxUnits:
		return fmt.Sprintf("live capacity %d is out of range (0 <= capacity < %d)", l.Capacity, MaxUnits)
	case l.BaseCapacity < 0:
		return fmt.Sprintf("live base_capacity %d is negative", l.BaseCapacity)
	case d.BaseCapacity > 0 && l.BaseCapacity > 0 && d.BaseCapacity != l.BaseCapacity:
		return fmt.Sprintf("base_capacity %d in the file disagrees with live base_capacity %d", d.BaseCapacity, l.BaseCapacity)
	case l.BaseCapacity > 0 && d.Capacity%l.BaseCapacity != 0:
		return fmt.Sprintf("capacity %d is not a multiple of live base_capacity %d", d.Capacity, l.BaseCapacity)
	}
	c.Before.Capacity = ptr(l.Capacity)
	if l.BaseCapacity > 0 {
		c.Before.BaseCapacity = ptr(l.BaseCapacity)
	}
	c.After.Capacity = ptr(d.Capacity)
	c.Action = actionOf([]int{l.Capacity}, []int{d.Capacity})
	return ""
}

func planPTU(d deploy.Desired, l deploy.Live, c *Change) string {
	switch {
	case d.PTU == nil:
		return "ptu deployment has no ptu_capacity in the file"
	case d.PTU.InputTPM <= 0 || d.PTU.OutputTPM <= 0:
		return fmt.Sprintf("ptu_capacity %s: input_tpm and output_tpm must be > 0", d.PTU)
	case d.PTU.ThinkingOutputTPM != nil && *d.PTU.ThinkingOutputTPM < 0:
		return fmt.Sprintf("thinking_output_tpm %d is negative", *d.PTU.ThinkingOutputTPM)
	case l.PTU == nil:
		return "live ptu deployment reports no ptu_capacity"
	case l.PTU.InputTPM < 0 || l.PTU.OutputTPM < 0 || (l.PTU.ThinkingOutputTPM != nil && *l.PTU.ThinkingOutputTPM < 0):
		return fmt.Sprintf("live ptu_capacity %s has a negative quota", l.PTU)
	}
	c.Before.PTUCapacity = clonePTU(*l.PTU)
	after := clonePTU(*d.PTU)
	if after.ThinkingOutputTPM == nil && l.PTU.ThinkingOutputTPM != nil {
		// A scale call sets an absolute target: sending no thinking quota
		// could clear it. Carry the live value so "not in the file" keeps it.
		after.ThinkingOutputTPM = ptr(*l.PTU.ThinkingOutputTPM)
	}
	c.After.PTUCapacity = after
	c.Action = ptuAction(*l.PTU, *after)
	return ""
}

// ptuAction compares the quotas a scale call would set; a nil desired
// thinking quota is not compared (see Compute).
func ptuAction(before, after deploy.PTU) Action {
	b := []int{before.InputTPM, before.OutputTPM}
	a := []int{after.InputTPM, after.OutputTPM}
	if after.ThinkingOutputTPM != nil {
		b = append(b, deref(before.ThinkingOutputTPM))
		a = append(a, *after.ThinkingOutputTPM)
	}
	return actionOf(b, a)
}

// actionOf compares field by field: all up or equal and one up is
// scale_up, all down or equal and one down is scale_down, both is update.
func actionOf(before, after []int) Action {
	var up, down bool
	for i := range before {
		up = up || after[i] > before[i]
		down = down || after[i] < before[i]
	}
	switch {
	case up && down:
		return Update
	case up:
		return ScaleUp
	case down:
		return ScaleDown
	}
	return NoChange
}

// Summarize counts p's changes by action, and its errors.
func Summarize(p Plan) Summary {
	s := Summary{Errors: len(p.Errors)}
	for _, c := range p.Changes {
		switch c.Action {
		case ScaleUp:
			s.ScaleUp++
		case ScaleDown:
			s.ScaleDown++
		case Update:
			s.Update++
		case NoChange:
			s.NoChange++
		}
	}
	return s
}

func ptr(n int) *int { return &n }

func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func clonePTU(p deploy.PTU) *deploy.PTU {
	if p.ThinkingOutputTPM != nil {
		p.ThinkingOutputTPM = ptr(*p.ThinkingOutputTPM)
	}
	return &p
}
