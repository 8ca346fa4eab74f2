package plan

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/capctl/capctl/internal/deploy"
)

func ip(n int) *int { return &n }

func mu(id string, capacity, base int) deploy.Desired {
	return deploy.Desired{Key: deploy.Key{Workspace: "ws", ID: id}, Plan: deploy.PlanMU, Capacity: capacity, BaseCapacity: base,
		Pos: deploy.Pos{File: "a.cue", Line: 3, Col: 5}}
}

func ptu(id string, in, out int, thinking *int) deploy.Desired {
	return deploy.Desired{Key: deploy.Key{Workspace: "ws", ID: id}, Plan: deploy.PlanPTU,
		PTU: &deploy.PTU{InputTPM: in, OutputTPM: out, ThinkingOutputTPM: thinking}}
}

func liveMU(id string, capacity, base int, status string) deploy.Live {
	return deploy.Live{Key: deploy.Key{Workspace: "ws", ID: id}, WorkspaceID: "ws", Plan: "mu",
		Status: status, Capacity: capacity, BaseCapacity: base, GmtModified: "2026-11-26T12:00:00.000"}
}

func livePTU(id string, in, out int, thinking *int) deploy.Live {
	return deploy.Live{Key: deploy.Key{Workspace: "ws", ID: id}, WorkspaceID: "ws", Plan: "ptu", Status: "RUNNING",
		PTU: &deploy.PTU{InputTPM: in, OutputTPM: out, ThinkingOutputTPM: thinking}}
}

func muChange(id string, action Action, before, base, after int, status string) Change {
	c := Change{Workspace: "ws", DeployedModel: id, Plan: deploy.PlanMU, Action: action,
		Before: State{Capacity: ip(before), Status: status, GmtModified: "2026-11-26T12:00:00.000"},
		After:  State{Capacity: ip(after)}, Pos: deploy.Pos{File: "a.cue", Line: 3, Col: 5}}
	if base > 0 {
		c.Before.BaseCapacity = ip(base)
	}
	return c
}

func ptuChange(id string, action Action, before, after deploy.PTU) Change {
	return Change{Workspace: "ws", DeployedModel: id, Plan: deploy.PlanPTU, Action: action,
		Before: State{PTUCapacity: &before, Status: "RUNNING"}, After: State{PTUCapacity: &after}}
}

func wsError(id, msg string, pos deploy.Pos) Error {
	return Error{Workspace: "ws", DeployedModel: id, Message: msg, Pos: pos}
}

// one builds the expected plan around a single change or error.
func one(c []Change, e []Error, unmanaged []deploy.Key) Plan {
	p := Plan{FormatVersion: FormatVersion, Changes: c, Errors: e, Unmanaged: unmanaged}
	p = normalize(p)
	p.Summary = Summarize(p)
	return p
}

func TestCompute(t *testing.T) {
	pos := deploy.Pos{File: "a.cue", Line: 3, Col: 5}
	tests := map[string]struct {
		desired    []deploy.Desired
		live       []deploy.Live
		unreadable map[string]string
		want       Plan
	}{
		"empty": {want: one(nil, nil, nil)},
		"mu scale up": {
			desired: []deploy.Desired{mu("a", 2, 1)}, live: []deploy.Live{liveMU("a", 1, 1, "RUNNING")},
			want: one([]Change{muChange("a", ScaleUp, 1, 1, 2, "RUNNING")}, nil, nil),
		},
		"mu scale down without file base": {
			desired: []deploy.Desired{mu("a", 4, 0)}, live: []deploy.Live{liveMU("a", 8, 4, "RUNNING")},
			want: one([]Change{muChange("a", ScaleDown, 8, 4, 4, "RUNNING")}, nil, nil),
		},
		"mu no change": {
			desired: []deploy.Desired{mu("a", 3, 0)}, live: []deploy.Live{liveMU("a", 3, 1, "RUNNING")},
			want: one([]Change{muChange("a", NoChange, 3, 1, 3, "RUNNING")}, nil, nil),
		},
		"mu to zero": {
			desired: []deploy.Desired{mu("a", 0, 0)}, live: []deploy.Live{liveMU("a", 2, 1, "RUNNING")},
			want: one([]Change{muChange("a", ScaleDown, 2, 1, 0, "RUNNING")}, nil, nil),
		},
		"mu live base unknown": {
			desired: []deploy.Desired{mu("a", 3, 2)}, live: []deploy.Live{liveMU("a", 1, 0, "RUNNING")},
			want: one([]Change{muChange("a", ScaleUp, 1, 0, 3, "RUNNING")}, nil, nil),
		},
		"updating already at target": {
			desired: []deploy.Desired{mu("a", 2, 0)}, live: []deploy.Live{liveMU("a", 2, 1, "UPDATING")},
			want: one([]Change{muChange("a", NoChange, 2, 1, 2, "UPDATING")}, nil, nil),
		},
		"updating elsewhere": {
			desired: []deploy.Desired{mu("a", 4, 0)}, live: []deploy.Live{liveMU("a", 2, 1, "UPDATING")},
			want: one([]Change{muChange("a", ScaleUp, 2, 1, 4, "UPDATING")}, nil, nil),
		},
		"failed at target": {
			desired: []deploy.Desired{mu("a", 2, 0)}, live: []deploy.Live{liveMU("a", 2, 1, "UPDATING_FAILED")},
			want: one([]Change{muChange("a", NoChange, 2, 1, 2, "UPDATING_FAILED")}, nil, nil),
		},
		"base mismatch": {
			desired: []deploy.Desired{mu("a", 4, 4)}, live: []deploy.Live{liveMU("a", 2, 2, "RUNNING")},
			want: one(nil, []Error{wsError("a", "base_capacity 4 in the file disagrees with live base_capacity 2", pos)}, nil),
		},
		"not a multiple": {
			desired: []deploy.Desired{mu("a", 6, 0)}, live: []deploy.Live{liveMU("a", 4, 4, "RUNNING")},
			want: one(nil, []Error{wsError("a", "capacity 6 is not a multiple of live base_capacity 4", pos)}, nil),
		},
		"mu out of range": {
			desired: []deploy.Desired{mu("a", 1000, 0)}, live: []deploy.Live{liveMU("a", 4, 1, "RUNNING")},
			want: one(nil, []Error{wsError("a", "capacity 1000 is out of range (0 <= capacity < 1000)", pos)}, nil),
		},
		"not found": {
			desired: []deploy.Desired{mu("a", 1, 0)},
			want:    one(nil, []Error{wsError("a", "not found in workspace ws", pos)}, nil),
		},
		"unscalable live plan": {
			desired: []deploy.Desired{mu("a", 1, 0)},
			live:    []deploy.Live{{Key: deploy.Key{Workspace: "ws", ID: "a"}, Plan: "lora"}},
			want:    one(nil, []Error{wsError("a", "plan lora cannot be scaled through the API", pos)}, nil),
		},
		"empty live plan": {
			desired: []deploy.Desired{mu("a", 1, 0)},
			live:    []deploy.Live{{Key: deploy.Key{Workspace: "ws", ID: "a"}}},
			want:    one(nil, []Error{wsError("a", `plan "" cannot be scaled through the API`, pos)}, nil),
		},
		"plan mismatch": {
			desired: []deploy.Desired{mu("a", 1, 0)}, live: []deploy.Live{livePTU("a", 10, 10, nil)},
			want: one(nil, []Error{wsError("a", "plan mismatch: file says mu, live deployment is ptu", pos)}, nil),
		},
		"plan mismatch ptu": {
			desired: []deploy.Desired{ptu("a", 1, 1, nil)}, live: []deploy.Live{liveMU("a", 1, 1, "RUNNING")},
			want: one(nil, []Error{wsError("a", "plan mismatch: file says ptu, live deployment is mu", deploy.Pos{})}, nil),
		},
		"ptu scale up": {
			desired: []deploy.Desired{ptu("a", 20000, 1000, nil)}, live: []deploy.Live{livePTU("a", 10000, 1000, nil)},
			want: one([]Change{ptuChange("a", ScaleUp, deploy.PTU{InputTPM: 10000, OutputTPM: 1000}, deploy.PTU{InputTPM: 20000, OutputTPM: 1000})}, nil, nil),
		},
		"ptu scale down": {
			desired: []deploy.Desired{ptu("a", 10000, 500, nil)}, live: []deploy.Live{livePTU("a", 20000, 1000, nil)},
			want: one([]Change{ptuChange("a", ScaleDown, deploy.PTU{InputTPM: 20000, OutputTPM: 1000}, deploy.PTU{InputTPM: 10000, OutputTPM: 500})}, nil, nil),
		},
		"ptu update": {
			desired: []deploy.Desired{ptu("a", 20000, 500, nil)}, live: []deploy.Live{livePTU("a", 10000, 1000, nil)},
			want: one([]Change{ptuChange("a", Update, deploy.PTU{InputTPM: 10000, OutputTPM: 1000}, deploy.PTU{InputTPM: 20000, OutputTPM: 500})}, nil, nil),
		},
		"ptu thinking left as is": {
			desired: []deploy.Desired{ptu("a", 10, 10, nil)}, live: []deploy.Live{livePTU("a", 10, 10, ip(500))},
			want: one([]Change{ptuChange("a", NoChange, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(500)}, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(500)})}, nil, nil),
		},
		"ptu thinking kept while input moves": {
			desired: []deploy.Desired{ptu("a", 20, 10, nil)}, live: []deploy.Live{livePTU("a", 10, 10, ip(500))},
			want: one([]Change{ptuChange("a", ScaleUp, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(500)}, deploy.PTU{InputTPM: 20, OutputTPM: 10, ThinkingOutputTPM: ip(500)})}, nil, nil),
		},
		"ptu thinking set from unset": {
			desired: []deploy.Desired{ptu("a", 10, 10, ip(100))}, live: []deploy.Live{livePTU("a", 10, 10, nil)},
			want: one([]Change{ptuChange("a", ScaleUp, deploy.PTU{InputTPM: 10, OutputTPM: 10}, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(100)})}, nil, nil),
		},
		"ptu thinking down input up": {
			desired: []deploy.Desired{ptu("a", 20, 10, ip(0))}, live: []deploy.Live{livePTU("a", 10, 10, ip(5))},
			want: one([]Change{ptuChange("a", Update, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(5)}, deploy.PTU{InputTPM: 20, OutputTPM: 10, ThinkingOutputTPM: ip(0)})}, nil, nil),
		},
		"ptu live without quota": {
			desired: []deploy.Desired{ptu("a", 10, 10, nil)},
			live:    []deploy.Live{{Key: deploy.Key{Workspace: "ws", ID: "a"}, Plan: "ptu"}},
			want:    one(nil, []Error{wsError("a", "live ptu deployment reports no ptu_capacity", deploy.Pos{})}, nil),
		},
		"unreadable workspace": {
			desired:    []deploy.Desired{mu("b", 1, 0), mu("a", 1, 0)},
			live:       []deploy.Live{liveMU("a", 1, 1, "RUNNING"), liveMU("z", 1, 1, "RUNNING")},
			unreadable: map[string]string{"ws": "workspace_id mismatch: key answers for llm-other"},
			want: one(nil, []Error{
				wsError("a", "workspace_id mismatch: key answers for llm-other", pos),
				wsError("b", "workspace_id mismatch: key answers for llm-other", pos),
			}, nil),
		},
		"declared twice": {
			desired: []deploy.Desired{mu("a", 1, 0), mu("a", 2, 0)}, live: []deploy.Live{liveMU("a", 1, 1, "RUNNING")},
			want: one(nil, []Error{wsError("a", "declared 2 times", pos)}, nil),
		},
		"unmanaged sorted": {
			desired: []deploy.Desired{mu("m", 1, 0)},
			live:    []deploy.Live{liveMU("z", 1, 1, "RUNNING"), liveMU("m", 1, 1, "RUNNING"), liveMU("b", 1, 1, "RUNNING")},
			want: one([]Change{muChange("m", NoChange, 1, 1, 1, "RUNNING")}, nil,
				[]deploy.Key{{Workspace: "ws", ID: "b"}, {Workspace: "ws", ID: "z"}}),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := Compute(tt.desired, tt.live, tt.unreadable)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compute() mismatch (-want +got):\n%s", diff)
			}
			if err := check(got); err != nil {
				t.Errorf("Compute() made a plan Read would refuse: %v", err)
			}
		})
	}
}

func TestComputeOrderAndSummary(t *testing.T) {
	d := func(ws, id string, c int) deploy.Desired {
		return deploy.Desired{Key: deploy.Key{Workspace: ws, ID: id}, Plan: deploy.PlanMU, Capacity: c}
	}
	l := func(ws, id string, c int) deploy.Live {
		return deploy.Live{Key: deploy.Key{Workspace: ws, ID: id}, Plan: "mu", Capacity: c}
	}
	got := Compute(
		[]deploy.Desired{d("w2", "a", 2), d("w1", "b", 1), d("w1", "a", 5), d("w1", "missing", 1), d("w0", "x", 1)},
		[]deploy.Live{l("w2", "a", 1), l("w1", "a", 4), l("w1", "b", 1), l("w0", "x", 3), l("w0", "extra", 1)},
		nil)
	var keys []string
	for _, c := range got.Changes {
		keys = append(keys, c.Key().String()+":"+string(c.Action))
	}
	want := []string{"w0/x:scale_down", "w1/a:scale_up", "w1/b:no_change", "w2/a:scale_up"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("Compute() order mismatch (-want +got):\n%s", diff)
	}
	wantSum := Summary{ScaleUp: 2, ScaleDown: 1, NoChange: 1, Errors: 1}
	if diff := cmp.Diff(wantSum, got.Summary); diff != "" {
		t.Errorf("Compute() summary mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]deploy.Key{{Workspace: "w0", ID: "extra"}}, got.Unmanaged); diff != "" {
		t.Errorf("Compute() unmanaged mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeUnreadableWorkspaceWithoutDeployments(t *testing.T) {
	got := Compute(nil, nil, map[string]string{"ws-b": "list ws-b: 503", "ws-a": "list ws-a: 401"})
	want := []Error{
		{Workspace: "ws-a", Message: "list ws-a: 401"},
		{Workspace: "ws-b", Message: "list ws-b: 503"},
	}
	if diff := cmp.Diff(want, got.Errors, cmpopts.IgnoreFields(Error{}, "Pos")); diff != "" {
		t.Errorf("Compute() errors mismatch (-want +got):\n%s", diff)
	}
	if got.Summary.Errors != 2 {
		t.Errorf("Summary.Errors = %d, want 2", got.Summary.Errors)
	}
	var b bytes.Buffer
	if err := Write(&b, got); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&b); err != nil {
		t.Errorf("Read of a plan with workspace errors: %v", err)
	}
}
