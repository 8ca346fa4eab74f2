package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func ip(n int) *int { return &n }

// samplePlan is a representative plan: mu up/down/no_change, ptu
// up/down/update (one leaving thinking as is), errors with and without a
// position, an unreadable workspace and unmanaged deployments.
func samplePlan() plan.Plan {
	at := func(line int) deploy.Pos { return deploy.Pos{File: "fleet/prod.cue", Line: line, Col: 3} }
	k := func(ws, id string) deploy.Key { return deploy.Key{Workspace: ws, ID: id} }
	mu := func(ws, id string, c, line int) deploy.Desired {
		return deploy.Desired{Key: k(ws, id), Plan: deploy.PlanMU, Capacity: c, Pos: at(line)}
	}
	ptu := func(id string, in, out int, thinking *int) deploy.Desired {
		return deploy.Desired{Key: k("llm-prod", id), Plan: deploy.PlanPTU, Pos: at(30),
			PTU: &deploy.PTU{InputTPM: in, OutputTPM: out, ThinkingOutputTPM: thinking}}
	}
	liveMU := func(ws, id string, c, base int, status string) deploy.Live {
		return deploy.Live{Key: k(ws, id), Plan: "mu", Capacity: c, BaseCapacity: base, Status: status, GmtModified: "2026-11-26T11:00:00.000"}
	}
	livePTU := func(id string, in, out int, thinking *int) deploy.Live {
		return deploy.Live{Key: k("llm-prod", id), Plan: "ptu", Status: "RUNNING",
			PTU: &deploy.PTU{InputTPM: in, OutputTPM: out, ThinkingOutputTPM: thinking}}
	}
	desired := []deploy.Desired{
		mu("llm-prod", "emo-35b3f106-sample01", 2, 10), mu("llm-prod", "emo-b", 4, 11), mu("llm-prod", "emo-c", 3, 12),
		ptu("qwen-plus-ptu-01", 20000, 1000, nil), ptu("qwen-ptu-02", 10000, 1000, nil), ptu("qwen-ptu-03", 20000, 500, nil),
		mu("llm-staging", "gone|<b>", 1, 40), mu("llm-staging", "emo-x", 8, 41),
		{Key: k("llm-staging", "lora-1"), Plan: deploy.PlanMU, Capacity: 1},
		mu("llm-broken", "emo-z", 1, 50),
	}
	live := []deploy.Live{
		liveMU("llm-prod", "emo-35b3f106-sample01", 1, 1, "RUNNING"), liveMU("llm-prod", "emo-b", 8, 4, "UPDATING"),
		liveMU("llm-prod", "emo-c", 3, 1, "RUNNING"), liveMU("llm-prod", "old-1", 1, 1, "RUNNING"),
		livePTU("qwen-plus-ptu-01", 10000, 1000, nil), livePTU("qwen-ptu-02", 20000, 2000, nil),
		livePTU("qwen-ptu-03", 10000, 1000, ip(500)),
		liveMU("llm-staging", "emo-x", 4, 4, "RUNNING"), liveMU("llm-staging", "tmp", 1, 1, "RUNNING"),
		{Key: k("llm-staging", "lora-1"), Plan: "lora"},
	}
	p := plan.Compute(desired, live, map[string]string{
		"llm-broken": "workspace_id mismatch: the key answers for llm-other, not llm-broken",
	})
	p.CreatedAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	return p
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestPlanGolden(t *testing.T) {
	views := map[string]func(*bytes.Buffer, plan.Plan) error{
		"plan.txt":       func(b *bytes.Buffer, p plan.Plan) error { return PlanText(b, p, false) },
		"plan_color.txt": func(b *bytes.Buffer, p plan.Plan) error { return PlanText(b, p, true) },
		"plan.md":        func(b *bytes.Buffer, p plan.Plan) error { return PlanMarkdown(b, p, GitHubCommentLimit) },
		"plan.json":      func(b *bytes.Buffer, p plan.Plan) error { return PlanJSON(b, p) },
		"plan.github":    func(b *bytes.Buffer, p plan.Plan) error { return PlanGitHub(b, p) },
		"empty.txt":      nil,
	}
	for name, view := range views {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			p := samplePlan()
			if view == nil { // the empty plan, in text
				p = plan.Compute(nil, nil, nil)
				view = func(b *bytes.Buffer, p plan.Plan) error { return PlanText(b, p, false) }
			}
			if err := view(&buf, p); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}

func TestPlanJSONReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := PlanJSON(&buf, samplePlan()); err != nil {
		t.Fatal(err)
	}
	got, err := plan.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := samplePlan()
	for i := range want.Changes { // positions are not part of the document
		want.Changes[i].Pos = deploy.Pos{}
	}
	for i := range want.Errors {
		want.Errors[i].Pos = deploy.Pos{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan.Read(PlanJSON()) mismatch (-want +got):\n%s", diff)
	}
}

func TestPlanSummary(t *testing.T) {
	tests := map[string]struct {
		s    plan.Summary
		want string
	}{
		"spec":   {plan.Summary{ScaleUp: 3, ScaleDown: 1, NoChange: 42, Errors: 1}, "Plan: 3 to scale up, 1 to scale down, 0 to update, 42 unchanged, 1 error."},
		"plural": {plan.Summary{Update: 1, Errors: 2}, "Plan: 0 to scale up, 0 to scale down, 1 to update, 0 unchanged, 2 errors."},
		"zero":   {plan.Summary{}, "Plan: 0 to scale up, 0 to scale down, 0 to update, 0 unchanged, 0 errors."},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, PlanSummary(tt.s)); diff != "" {
				t.Errorf("PlanSummary() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
