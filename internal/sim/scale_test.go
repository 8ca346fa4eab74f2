package sim

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWorkspaceSelection(t *testing.T) {
	f := newFixture(t, Config{}, mu(wsProd, "prod-1", 1, 1), mu(wsStaging, "stg-1", 1, 1))
	tests := map[string]struct {
		key, ws string
		want    []string // ids listed
		wantWS  string
	}{
		"own workspace":              {keyProd, "", []string{"prod-1"}, wsProd},
		"header names own":           {keyProd, wsProd, []string{"prod-1"}, wsProd},
		"multi key, no header":       {keyMulti, "", []string{"stg-1"}, wsStaging},
		"multi key, second":          {keyMulti, wsProd, []string{"prod-1"}, wsProd},
		"ignoring key, header prod":  {keyRogue, wsProd, []string{"stg-1"}, wsStaging},
		"ignoring key, header other": {keyRogue, wsOther, []string{"stg-1"}, wsStaging},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var out listOutput
			f.output(f.do(request{method: "GET", path: testPrefix, key: tt.key, ws: tt.ws}), &out)
			if diff := cmp.Diff(tt.want, ids(out.Deployments)); diff != "" {
				t.Errorf("listed ids mismatch (-want +got):\n%s", diff)
			}
			for _, d := range out.Deployments {
				if d.WorkspaceID != tt.wantWS {
					t.Errorf("workspace_id = %q, want %q", d.WorkspaceID, tt.wantWS)
				}
			}
		})
	}
	// A scale through the misrouted key lands in its own workspace.
	d := f.deployment(f.do(request{method: "PUT", path: testPrefix + "/stg-1/scale", key: keyRogue, ws: wsProd, body: `{"capacity":3}`}))
	if d.WorkspaceID != wsStaging {
		t.Errorf("scale via misrouted key: workspace_id = %q, want %q", d.WorkspaceID, wsStaging)
	}
}

// state is the part of a deployment the lifecycle tests follow.
type state struct {
	Status        string
	Capacity      *int
	ReadyCapacity *int
	PTU           *PTUCapacity
	FailReason    string
	GmtModified   string
}

func stateOf(d Deployment) state {
	return state{d.Status, d.Capacity, d.ReadyCapacity, d.PTUCapacity, d.FailReason, d.GmtModified}
}

func TestScaleLifecycleMU(t *testing.T) {
	failing := mu(wsProd, "failing", 2, 2)
	failing.ScaleOutcome = StatusUpdatingFailed
	f := newFixture(t, Config{UpdateDelay: 10 * time.Second}, mu(wsProd, "m", 2, 2), failing)
	start := f.clock.stamp(0)

	f.clock.Advance(time.Second)
	scaled := f.clock.stamp(0)
	check := func(step string, r response, want state) {
		t.Helper()
		if diff := cmp.Diff(want, stateOf(f.deployment(r))); diff != "" {
			t.Errorf("%s: state mismatch (-want +got):\n%s", step, diff)
		}
	}
	check("before", f.get(keyProd, "m"), state{"RUNNING", intPtr(2), intPtr(2), nil, "", start})
	check("scale response", f.scale(keyProd, "m", `{"capacity":6}`), state{"UPDATING", intPtr(6), intPtr(2), nil, "", scaled})
	f.clock.Advance(9 * time.Second)
	check("still updating", f.get(keyProd, "m"), state{"UPDATING", intPtr(6), intPtr(2), nil, "", scaled})

	got := f.apiError(f.scale(keyProd, "m", `{"capacity":4}`))
	want := errorBody{http.StatusConflict, "Conflict", "Deployment m is being updated, please wait until it is RUNNING."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scale while UPDATING mismatch (-want +got):\n%s", diff)
	}

	f.clock.Advance(time.Second)
	settled := f.clock.stamp(0)
	check("settled", f.get(keyProd, "m"), state{"RUNNING", intPtr(6), intPtr(6), nil, "", settled})
	check("scale to zero", f.scale(keyProd, "m", `{"capacity":0, "deployed_model":"m"}`), state{"UPDATING", intPtr(0), intPtr(6), nil, "", settled})

	// A failing deployment: the target shows as capacity, the old units
	// keep serving, and a retry is allowed.
	check("failing scale", f.scale(keyProd, "failing", `{"capacity":8}`), state{"UPDATING", intPtr(8), intPtr(2), nil, "", settled})
	f.clock.Advance(10 * time.Second)
	failedAt := f.clock.stamp(0)
	failed := state{"UPDATING_FAILED", intPtr(8), intPtr(2), nil, "Scaling failed, the previous capacity keeps serving.", failedAt}
	check("failed", f.get(keyProd, "failing"), failed)
	check("retry after failure", f.scale(keyProd, "failing", `{"capacity":4}`), state{"UPDATING", intPtr(4), intPtr(2), nil, "", failedAt})

	// Dump shows the same settled state, without the seed controls.
	for _, d := range f.sim.Dump() {
		if d.ScaleOutcome != "" || d.RejectScale != nil {
			t.Errorf("Dump shows seed controls on %s", d.DeployedModel)
		}
	}
}

func TestScaleNoDelay(t *testing.T) {
	f := newFixture(t, Config{}, mu(wsProd, "m", 1, 1))
	if d := f.deployment(f.scale(keyProd, "m", `{"capacity":3}`)); d.Status != StatusUpdating {
		t.Errorf("scale response status = %s, want UPDATING", d.Status)
	}
	// Same clock instant: the next read already sees the end state.
	if got := stateOf(f.deployment(f.get(keyProd, "m"))); got.Status != StatusRunning || *got.ReadyCapacity != 3 {
		t.Errorf("after scale: %+v, want RUNNING with ready_capacity 3", got)
	}
	if d := f.deployment(f.scale(keyProd, "m", `{"capacity":3}`)); d.Status != StatusUpdating {
		t.Errorf("scale to the same capacity: status = %s, want UPDATING", d.Status)
	}
}

func TestScaleLifecyclePTU(t *testing.T) {
	failing := ptu(wsProd, "failing", 10000, 1000)
	failing.ScaleOutcome = StatusUpdatingFailed
	thinking := ptu(wsProd, "thinking", 10000, 1000)
	thinking.PTUCapacity.ThinkingOutputTPM = intPtr(500)
	f := newFixture(t, Config{UpdateDelay: time.Minute}, ptu(wsProd, "p", 10000, 1000), failing, thinking)
	now := f.clock.stamp(0)
	later := f.clock.stamp(time.Minute)
	check := func(step string, r response, want state) {
		t.Helper()
		if diff := cmp.Diff(want, stateOf(f.deployment(r))); diff != "" {
			t.Errorf("%s: state mismatch (-want +got):\n%s", step, diff)
		}
	}
	target := &PTUCapacity{InputTPM: 20000, OutputTPM: 2000, ThinkingOutputTPM: intPtr(0)}
	old := &PTUCapacity{InputTPM: 10000, OutputTPM: 1000}
	check("nested", f.scale(keyProd, "p", `{"ptu_capacity":{"input_tpm":20000,"output_tpm":2000,"thinking_output_tpm":0}}`),
		state{"UPDATING", nil, nil, target, "", now})
	check("failing", f.scale(keyProd, "failing", `{"input_tpm":20000,"output_tpm":2000}`),
		state{"UPDATING", nil, nil, &PTUCapacity{InputTPM: 20000, OutputTPM: 2000}, "", now})
	check("thinking omitted", f.scale(keyProd, "thinking", `{"ptu_capacity":{"input_tpm":10000,"output_tpm":1000}}`),
		state{"UPDATING", nil, nil, old, "", now})
	f.clock.Advance(time.Minute)
	check("settled", f.get(keyProd, "p"), state{"RUNNING", nil, nil, target, "", later})
	// The failed target is not shown as effective (D-ptu-res).
	check("failed", f.get(keyProd, "failing"),
		state{"UPDATING_FAILED", nil, nil, old, "Scaling failed, the previous capacity keeps serving.", later})
}

func TestSeededTransitions(t *testing.T) {
	updating := mu(wsProd, "updating", 1, 3)
	updating.Status, updating.ReadyCapacity = StatusUpdating, intPtr(1)
	pending := mu(wsProd, "pending", 1, 2)
	pending.Status = StatusPending
	deleting := mu(wsProd, "deleting", 1, 1)
	deleting.Status = StatusDeleting
	f := newFixture(t, Config{UpdateDelay: time.Second}, updating, pending, deleting)

	got := f.apiError(f.scale(keyProd, "pending", `{"capacity":1}`))
	if diff := cmp.Diff(errorBody{409, "Conflict", "Deployment pending is PENDING and cannot be scaled now."}, got); diff != "" {
		t.Errorf("scale while PENDING mismatch (-want +got):\n%s", diff)
	}
	type short struct {
		ID     string
		Status string
		Ready  int
	}
	view := func() []short {
		var out []short
		for _, d := range f.sim.Dump() {
			out = append(out, short{d.DeployedModel, d.Status, *d.ReadyCapacity})
		}
		return out
	}
	want := []short{{"deleting", "DELETING", 1}, {"pending", "PENDING", 0}, {"updating", "UPDATING", 1}}
	if diff := cmp.Diff(want, view()); diff != "" {
		t.Errorf("before the delay (-want +got):\n%s", diff)
	}
	f.clock.Advance(time.Second)
	want = []short{{"pending", "RUNNING", 2}, {"updating", "RUNNING", 3}}
	if diff := cmp.Diff(want, view()); diff != "" {
		t.Errorf("after the delay (-want +got):\n%s", diff)
	}
}
