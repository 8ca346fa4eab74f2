package apply

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

func intp(n int) *int { return &n }

func key(ws, id string) deploy.Key { return deploy.Key{Workspace: ws, ID: id} }

// fixedNow is a clock that never moves, so DurationMS is always 0 and
// results compare exactly.
func fixedNow() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }

func muChange(ws, id string, before, after int) plan.Change {
	a := plan.NoChange
	switch {
	case after > before:
		a = plan.ScaleUp
	case after < before:
		a = plan.ScaleDown
	}
	return plan.Change{
		Workspace: ws, DeployedModel: id, Plan: deploy.PlanMU, Action: a,
		Before: plan.State{Capacity: intp(before), BaseCapacity: intp(1), Status: deploy.StatusRunning},
		After:  plan.State{Capacity: intp(after)},
	}
}

func ptuChange(ws, id string, before, after deploy.PTU, a plan.Action) plan.Change {
	return plan.Change{
		Workspace: ws, DeployedModel: id, Plan: deploy.PlanPTU, Action: a,
		Before: plan.State{PTUCapacity: &before, Status: deploy.StatusRunning},
		After:  plan.State{PTUCapacity: &after},
	}
}

// newPlan sorts the changes and errors the way plan.Compute does.
func newPlan(changes []plan.Change, errs ...plan.Error) plan.Plan {
	slices.SortFunc(changes, func(a, b plan.Change) int { return a.Key().Compare(b.Key()) })
	return plan.Plan{FormatVersion: plan.FormatVersion, Changes: changes, Errors: errs}
}

// seed makes the fake's live state equal every change's Before.
func seed(f *fakeClient, p plan.Plan) {
	for _, c := range p.Changes {
		l := deploy.Live{Key: c.Key(), WorkspaceID: c.Workspace, Plan: string(c.Plan), Status: deploy.StatusRunning}
		if c.Before.Capacity != nil {
			l.Capacity, l.ReadyCapacity, l.BaseCapacity = *c.Before.Capacity, *c.Before.Capacity, 1
		}
		if c.Before.PTUCapacity != nil {
			p := *c.Before.PTUCapacity
			l.PTU = &p
		}
		f.live[c.Key()] = l
	}
}

// bigPlan is n mu scale-ups spread over five workspaces.
func bigPlan(n int) plan.Plan {
	var cs []plan.Change
	for i := range n {
		cs = append(cs, muChange(fmt.Sprintf("ws-%d", i%5), fmt.Sprintf("d-%04d", i), 1, 2))
	}
	return newPlan(cs)
}

// eventLog records events; apply serialises them, the mutex is for the
// race detector's benefit only when a test reads it concurrently.
type eventLog struct {
	mu       sync.Mutex
	started  map[deploy.Key]int
	finished map[deploy.Key]int
	order    []Event
}

func newEventLog() *eventLog {
	return &eventLog{started: map[deploy.Key]int{}, finished: map[deploy.Key]int{}}
}

func (l *eventLog) record(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.order = append(l.order, e)
	if e.Kind == Started {
		l.started[e.Key]++
	} else {
		l.finished[e.Key]++
	}
}

// outcome is the part of a Result a test compares.
type outcome struct {
	Status   Status
	Action   plan.Action
	Attempts int
	Error    string
	Code     string
}

func outcomes(r Report) map[deploy.Key]outcome {
	m := map[deploy.Key]outcome{}
	for _, res := range r.Results {
		m[res.Key()] = outcome{res.Status, res.Action, res.Attempts, res.Error, res.Code}
	}
	return m
}
