package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// bigPlan computes a plan over n deployments in 20 workspaces: mostly mu
// changes of all kinds, some ptu, and every errEvery-th one missing live.
func bigPlan(n, errEvery int) plan.Plan {
	var desired []deploy.Desired
	var live []deploy.Live
	for i := range n {
		k := deploy.Key{Workspace: fmt.Sprintf("llm-workspace-%02d", i%20), ID: fmt.Sprintf("emo-%08x-deployment%05d", i*2654435761, i)}
		d := deploy.Desired{Key: k, Plan: deploy.PlanMU, Capacity: i % 7, Pos: deploy.Pos{File: "fleet/team.cue", Line: i + 1, Col: 3}}
		l := deploy.Live{Key: k, Plan: "mu", Capacity: (i / 3) % 7, BaseCapacity: 1, Status: "RUNNING"}
		if i%5 == 0 {
			d.Plan, d.PTU = deploy.PlanPTU, &deploy.PTU{InputTPM: 10000 * (1 + i%3), OutputTPM: 1000 * (1 + i%2)}
			l.Plan, l.PTU = "ptu", &deploy.PTU{InputTPM: 20000, OutputTPM: 1000}
		}
		desired = append(desired, d)
		if errEvery == 0 || i%errEvery != 0 {
			live = append(live, l)
		}
	}
	return plan.Compute(desired, live, nil)
}

func TestPlanMarkdownLimit(t *testing.T) {
	tests := map[string]struct {
		p          plan.Plan
		wantElided string
	}{
		"10000 mixed":   {bigPlan(10000, 97), "rows elided"},
		"errors first":  {bigPlan(10000, 7), "more errors not shown"},
		"5000 errors":   {bigPlan(5000, 1), "more errors not shown"},
		"long messages": {longErrors(300), ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PlanMarkdown(&buf, tt.p, GitHubCommentLimit); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if len(out) > GitHubCommentLimit {
				t.Errorf("len = %d, want <= %d", len(out), GitHubCommentLimit)
			}
			for _, want := range []string{
				"**" + PlanSummary(tt.p.Summary) + "**",
				fmt.Sprintf("#### Errors (%d)", len(tt.p.Errors)),
				tt.wantElided,
				"unmanaged deployments (never touched).",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q", want)
				}
			}
		})
	}
}

// longErrors is a plan of n errors with 2,000-character messages: too long
// to keep whole, few enough to keep every one shortened.
func longErrors(n int) plan.Plan {
	p := plan.Plan{FormatVersion: plan.FormatVersion}
	for i := range n {
		p.Errors = append(p.Errors, plan.Error{Workspace: "w", DeployedModel: fmt.Sprintf("d%03d", i),
			Message: "listing failed: " + strings.Repeat("x", 2000)})
	}
	p.Summary = plan.Summarize(p)
	return p
}

func TestPlanMarkdownKeepsEveryShortenedError(t *testing.T) {
	var buf bytes.Buffer
	p := longErrors(300)
	if err := PlanMarkdown(&buf, p, GitHubCommentLimit); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Errors {
		if !strings.Contains(buf.String(), "**w/"+e.DeployedModel+"**: listing failed: xxx") {
			t.Fatalf("error %s is missing", e.DeployedModel)
		}
	}
	if strings.Contains(buf.String(), "not shown") {
		t.Error("errors were elided although shortened ones fit")
	}
}

func TestPlanMarkdownNoLimit(t *testing.T) {
	p := bigPlan(2000, 0)
	var buf bytes.Buffer
	if err := PlanMarkdown(&buf, p, 0); err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(buf.String(), "\n| llm-workspace-"); rows != p.Summary.Changed() {
		t.Errorf("rows = %d, want one per change (%d)", rows, p.Summary.Changed())
	}
	if strings.Contains(buf.String(), "elided") {
		t.Error("output elides rows without a limit")
	}
}

func TestSection(t *testing.T) {
	lines := []string{"a\n", "b\n", "c\n", "d\n", "e\n"}
	elided := func(n int) string { return fmt.Sprintf("%d\n", n) }
	tests := map[string]struct {
		budget int
		want   string
	}{
		"fits":      {100, "H\na\nb\nc\nd\ne\n\n"},
		"middle":    {11, "H\na\nb\n2\ne\n\n"},
		"one each":  {9, "H\na\n3\ne\n\n"},
		"just head": {5, "H\n5\n\n"},
		"too small": {4, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, section("H\n", lines, tt.budget, elided)); diff != "" {
				t.Errorf("section() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := map[string]string{
		"a|b":                 `a\|b`,
		"<script>&":           "&lt;script&gt;&amp;",
		"line\nbreak":         "line break",
		"*bold* `code` [l]":   "\\*bold\\* \\`code\\` \\[l\\]",
		"emo-35b3f106-sample": "emo-35b3f106-sample",
	}
	for in, want := range tests {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}
