package apply

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

func mixedPlan() plan.Plan {
	return newPlan([]plan.Change{
		muChange("ws-b", "up", 1, 3),
		muChange("ws-a", "down", 4, 2),
		muChange("ws-a", "same", 2, 2),
		ptuChange("ws-b", "ptu", deploy.PTU{InputTPM: 10, OutputTPM: 5}, deploy.PTU{InputTPM: 20, OutputTPM: 1}, plan.Update),
	}, plan.Error{Workspace: "ws-a", DeployedModel: "missing", Message: "not found live"})
}

func TestRunMixed(t *testing.T) {
	f := newFake()
	p := mixedPlan()
	seed(f, p)
	events := newEventLog()
	rep := Run(context.Background(), f, p, Options{Parallelism: 3, Events: events.record, Now: fixedNow})

	want := map[deploy.Key]outcome{
		key("ws-a", "down"):    {Status: Succeeded, Action: plan.ScaleDown, Attempts: 1},
		key("ws-a", "missing"): {Status: Failed, Error: "not found live"},
		key("ws-a", "same"):    {Status: Skipped, Action: plan.NoChange},
		key("ws-b", "ptu"):     {Status: Succeeded, Action: plan.Update, Attempts: 1},
		key("ws-b", "up"):      {Status: Succeeded, Action: plan.ScaleUp, Attempts: 1},
	}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("Run() outcomes mismatch (-want +got):\n%s", diff)
	}
	wantSum := Summary{Succeeded: 3, Failed: 1, Skipped: 1}
	if diff := cmp.Diff(wantSum, rep.Summary); diff != "" {
		t.Errorf("Run() summary mismatch (-want +got):\n%s", diff)
	}
	if rep.FormatVersion != FormatVersion || !rep.StartedAt.Equal(fixedNow()) || !rep.FinishedAt.Equal(fixedNow()) {
		t.Errorf("Run() header = %d %v %v", rep.FormatVersion, rep.StartedAt, rep.FinishedAt)
	}
	if got := f.live[key("ws-b", "up")].Capacity; got != 3 {
		t.Errorf("ws-b/up capacity = %d, want 3", got)
	}
	if got := f.live[key("ws-a", "down")].Capacity; got != 2 {
		t.Errorf("ws-a/down capacity = %d, want 2", got)
	}
	if got, want := *f.live[key("ws-b", "ptu")].PTU, (deploy.PTU{InputTPM: 20, OutputTPM: 1}); !got.Equal(want) {
		t.Errorf("ws-b/ptu quota = %v, want %v", got, want)
	}
	for _, k := range []deploy.Key{key("ws-a", "same"), key("ws-a", "missing")} {
		if f.scales[k]+f.gets[k] != 0 {
			t.Errorf("%v: %d scale and %d get calls, want none", k, f.scales[k], f.gets[k])
		}
	}
	if len(events.order) != 3+len(rep.Results) {
		t.Errorf("got %d events, want 3 Started and %d Finished", len(events.order), len(rep.Results))
	}
	for _, res := range rep.Results {
		if events.finished[res.Key()] != 1 {
			t.Errorf("%v: %d Finished events, want 1", res.Key(), events.finished[res.Key()])
		}
	}
}

func TestRunPartialFailure(t *testing.T) {
	f := newFake()
	p := bigPlan(20)
	seed(f, p)
	bad := p.Changes[7].Key()
	f.scaleErr[bad] = &apiError{Status: 400, Code: "InvalidParameter", Message: "capacity exceeds quota"}
	f.attempts = 2
	rep := Run(context.Background(), f, p, Options{Parallelism: 4, Now: fixedNow})

	got := outcomes(rep)[bad]
	want := outcome{Status: Failed, Action: plan.ScaleUp, Attempts: 2,
		Error: "400 InvalidParameter: capacity exceeds quota", Code: "InvalidParameter"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed result mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Summary{Succeeded: 19, Failed: 1}, rep.Summary); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	if n := f.totalScales(); n != 20 {
		t.Errorf("made %d scale calls, want 20", n)
	}
}

func TestRunThrottled(t *testing.T) {
	f := newFake()
	p := bigPlan(3)
	seed(f, p)
	f.scaleErr[p.Changes[0].Key()] = &apiError{Status: 429, Code: "Throttling", Message: "slow down"}
	f.attempts = 6
	rep := Run(context.Background(), f, p, Options{Now: fixedNow})
	if rep.Summary.Throttled != 6 || rep.Summary.Failed != 1 {
		t.Errorf("summary = %+v, want 6 throttled and 1 failed", rep.Summary)
	}
}

func TestRunMaxInFlight(t *testing.T) {
	for name, wait := range map[string]bool{"scale only": false, "with wait polls": true} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			f.delay = 200 * time.Microsecond
			f.defaultAfter = []string{deploy.StatusUpdating, deploy.StatusUpdating}
			p := bigPlan(500)
			seed(f, p)
			opts := Options{Parallelism: 7, Wait: wait, CheckBefore: true, PollInterval: time.Millisecond, PollMax: 2 * time.Millisecond}
			rep := Run(context.Background(), f, p, opts)
			if rep.Summary.Succeeded != 500 {
				t.Fatalf("summary = %+v, want 500 succeeded", rep.Summary)
			}
			if f.maxInFlight > 7 {
				t.Errorf("max calls in flight = %d, want <= 7", f.maxInFlight)
			}
			wantGets := 500
			if wait {
				wantGets += 3 * 500 // UPDATING, UPDATING, then RUNNING
			}
			if got := f.totalGets(); got != wantGets {
				t.Errorf("made %d GET calls, want %d", got, wantGets)
			}
		})
	}
}

func TestRunCheckBefore(t *testing.T) {
	f := newFake()
	p := mixedPlan()
	seed(f, p)
	moved := f.live[key("ws-b", "up")]
	moved.Capacity = 5
	f.live[moved.Key] = moved
	retyped := f.live[key("ws-a", "down")]
	retyped.Plan, retyped.PTU = "ptu", &deploy.PTU{InputTPM: 1, OutputTPM: 1}
	f.live[retyped.Key] = retyped
	quota := f.live[key("ws-b", "ptu")]
	quota.PTU = &deploy.PTU{InputTPM: 10, OutputTPM: 6}
	f.live[quota.Key] = quota
	rep := Run(context.Background(), f, p, Options{CheckBefore: true, Now: fixedNow})

	want := map[deploy.Key]outcome{
		key("ws-a", "down"):    {Status: Conflict, Action: plan.ScaleDown, Error: `live plan is "ptu", the plan expected "mu"; re-plan`},
		key("ws-a", "missing"): {Status: Failed, Error: "not found live"},
		key("ws-a", "same"):    {Status: Skipped, Action: plan.NoChange},
		key("ws-b", "ptu"): {Status: Conflict, Action: plan.Update,
			Error: "live ptu_capacity is input_tpm=10 output_tpm=6, the plan expected input_tpm=10 output_tpm=5; re-plan"},
		key("ws-b", "up"): {Status: Conflict, Action: plan.ScaleUp, Error: "live capacity is 5, the plan expected 1; re-plan"},
	}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("Run() outcomes mismatch (-want +got):\n%s", diff)
	}
	if n := f.totalScales(); n != 0 {
		t.Errorf("made %d scale calls on conflicting deployments, want 0", n)
	}
}

func TestRunCheckBeforeOthersProceed(t *testing.T) {
	f := newFake()
	p := bigPlan(10)
	seed(f, p)
	k := p.Changes[3].Key()
	l := f.live[k]
	l.Capacity = 3
	f.live[k] = l
	gone := p.Changes[4].Key()
	delete(f.live, gone)
	rep := Run(context.Background(), f, p, Options{CheckBefore: true, Now: fixedNow})
	if diff := cmp.Diff(Summary{Succeeded: 8, Conflict: 1, Failed: 1}, rep.Summary); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	if got := outcomes(rep)[gone]; got.Code != "NotFound" || f.scales[gone] != 0 {
		t.Errorf("deleted deployment: %+v after %d scale calls, want NotFound and none", got, f.scales[gone])
	}
	if f.live[k].Capacity != 3 || f.scales[k] != 0 {
		t.Errorf("conflicting deployment was touched: capacity %d, %d scale calls", f.live[k].Capacity, f.scales[k])
	}
}

func TestRunMalformedChange(t *testing.T) {
	f := newFake()
	ch := muChange("ws", "x", 1, 2)
	ch.After.Capacity = nil
	rep := Run(context.Background(), f, newPlan([]plan.Change{ch}), Options{Now: fixedNow})
	if got := rep.Results[0]; got.Status != Failed || got.Error == "" || f.totalScales() != 0 {
		t.Errorf("result = %+v after %d scale calls, want Failed with no call", got, f.totalScales())
	}
}

func TestRunDeterministicOrder(t *testing.T) {
	var prev []Result
	for i := range 3 {
		f := newFake()
		f.delay = 100 * time.Microsecond
		p := bigPlan(60)
		p.Errors = []plan.Error{{Workspace: "ws-2", DeployedModel: "d-0000x", Message: "boom"}, {Workspace: "a", DeployedModel: "z", Message: "boom"}}
		seed(f, p)
		f.scaleErr[p.Changes[11].Key()] = &apiError{Status: 500, Code: "InternalError", Message: "oops"}
		rep := Run(context.Background(), f, p, Options{Parallelism: 16, Now: fixedNow})
		if !slices.IsSortedFunc(rep.Results, func(a, b Result) int { return a.Key().Compare(b.Key()) }) {
			t.Fatalf("run %d: results not sorted by workspace then id", i)
		}
		if len(rep.Results) != 62 {
			t.Fatalf("run %d: %d results, want 62", i, len(rep.Results))
		}
		if prev != nil {
			if diff := cmp.Diff(prev, rep.Results); diff != "" {
				t.Errorf("run %d differs from the previous (-prev +got):\n%s", i, diff)
			}
		}
		prev = rep.Results
	}
}

func TestRunRetriedScaleAlreadyApplied(t *testing.T) {
	f := newFake()
	p := bigPlan(3)
	seed(f, p)
	lost := p.Changes[1].Key()
	f.lostReply[lost] = true
	rep := Run(context.Background(), f, p, Options{Parallelism: 2, Now: fixedNow})

	got := outcomes(rep)[lost]
	want := outcome{Status: Succeeded, Action: plan.ScaleUp, Attempts: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
	if n := f.gets[lost]; n != 1 {
		t.Errorf("read the deployment %d times to verify, want 1", n)
	}
}

func TestRunRetriedScaleConflictNotApplied(t *testing.T) {
	f := newFake()
	p := bigPlan(3)
	seed(f, p)
	busy := p.Changes[0].Key()
	f.scaleErr[busy] = &apiError{Status: 409, Code: "Conflict", Message: "busy"}
	f.attempts = 2
	rep := Run(context.Background(), f, p, Options{Parallelism: 2, Now: fixedNow})

	got := outcomes(rep)[busy]
	if got.Status != Conflict || got.Code != "Conflict" {
		t.Errorf("status = %s, code %q; want conflict with the API's code: the target is not in place", got.Status, got.Code)
	}
}
