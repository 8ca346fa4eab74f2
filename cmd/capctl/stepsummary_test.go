package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
	"github.com/capctl/capctl/internal/render"
	"github.com/capctl/capctl/internal/sim"
)

// githubStepSummaryMax is GitHub's limit for what one step writes to
// $GITHUB_STEP_SUMMARY: a larger summary is dropped with an error.
const githubStepSummaryMax = 1 << 20

// githubCommentMax is GitHub's limit for a pull request comment, in
// characters; -o markdown output is meant to be posted as one.
const githubCommentMax = 65536

func TestStepSummaryLimitConstants(t *testing.T) {
	if stepSummaryLimit > githubStepSummaryMax {
		t.Errorf("stepSummaryLimit = %d, above GitHub's %d", stepSummaryLimit, githubStepSummaryMax)
	}
	if markdownLimit > 65000 {
		t.Errorf("markdownLimit = %d, want at most 65,000 (GitHub allows %d characters a comment, some for a header)", markdownLimit, githubCommentMax)
	}
}

// summaryFile returns an env whose $GITHUB_STEP_SUMMARY is a fresh file in
// a temporary directory, and that file's path.
func summaryFile(t *testing.T) (*env, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "summary.md")
	return &env{getenv: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return path
		}
		return ""
	}}, path
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestStepSummaryLimit writes 10,000-deployment plans and reports to the job
// summary the way plan and apply do (appendStepSummary with the renderer at
// stepSummaryLimit), including the worst cases for size: every deployment
// an error, every result a failure with a long API message.
func TestStepSummaryLimit(t *testing.T) {
	const n = 10000
	longMsg := "400 InvalidParameter: The requested capacity exceeds the quota available to this workspace in " +
		"region ap-southeast-1; reduce the capacity or request a quota increase in the console (request_id 7c0f3a52-1b9e-4d8c-a6f1-2e5b9d0c4f17)"
	plans := map[string]plan.Plan{
		"plan 10000 mixed":  summaryPlan(n, 97, "not found live"),
		"plan 10000 errors": summaryPlan(n, 1, "list deployments: "+longMsg),
	}
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			e, path := summaryFile(t)
			if err := appendStepSummary(e, func(f *os.File) error { return render.PlanMarkdown(f, p, stepSummaryLimit) }); err != nil {
				t.Fatal(err)
			}
			checkSummary(t, path, "### capctl plan", "**"+render.PlanSummary(p.Summary)+"**")
		})
	}
	reports := map[string]apply.Report{
		"report 10000 succeeded":   summaryReport(n, func(int) (apply.Status, string) { return apply.Succeeded, "" }),
		"report 10000 failed":      summaryReport(n, func(int) (apply.Status, string) { return apply.Failed, longMsg }),
		"report 10000 interrupted": summaryReport(n, func(int) (apply.Status, string) { return apply.Interrupted, "interrupted before it was touched" }),
		"report 10000 mixed": summaryReport(n, func(i int) (apply.Status, string) {
			switch i % 4 {
			case 0:
				return apply.Failed, longMsg
			case 1:
				return apply.Conflict, "live capacity is 6, the plan expected 8: not touched"
			}
			return apply.Succeeded, ""
		}),
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			e, path := summaryFile(t)
			if err := appendStepSummary(e, func(f *os.File) error { return render.ReportMarkdown(f, r, stepSummaryLimit) }); err != nil {
				t.Fatal(err)
			}
			checkSummary(t, path, "### capctl apply")
		})
	}
}

// checkSummary checks the summary file's size and that it holds want.
func checkSummary(t *testing.T, path string, want ...string) {
	t.Helper()
	if size := fileSize(t, path); size > githubStepSummaryMax {
		t.Errorf("job summary is %d bytes, GitHub takes at most %d", size, githubStepSummaryMax)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !bytes.Contains(data, []byte(w)) {
			t.Errorf("job summary lacks %q", w)
		}
	}
}

// summaryPlan is a plan of n deployments in 20 workspaces, every errEvery-th
// one an error with message msg, the rest changes of every kind.
func summaryPlan(n, errEvery int, msg string) plan.Plan {
	var desired []deploy.Desired
	var live []deploy.Live
	unreadable := map[string]string{}
	for i := range n {
		k := deploy.Key{Workspace: fmt.Sprintf("llm-workspace-%02d", i%20), ID: fmt.Sprintf("emo-%08x-deployment%05d", uint32(i*2654435761), i)}
		desired = append(desired, deploy.Desired{Key: k, Plan: deploy.PlanMU, Capacity: i % 7,
			Pos: deploy.Pos{File: "capacity/team.cue", Line: i + 1, Col: 3}})
		if i%errEvery != 0 {
			live = append(live, deploy.Live{Key: k, Plan: "mu", Capacity: (i / 3) % 7, BaseCapacity: 1, Status: "RUNNING"})
		}
	}
	if errEvery == 1 {
		for i := range 20 {
			unreadable[fmt.Sprintf("llm-workspace-%02d", i)] = msg
		}
	}
	return plan.Compute(desired, live, unreadable)
}

// summaryReport is a report of n scale-ups, status and error by index.
func summaryReport(n int, outcome func(i int) (apply.Status, string)) apply.Report {
	var r apply.Report
	one, two := 1, 2
	for i := range n {
		st, msg := outcome(i)
		r.Results = append(r.Results, apply.Result{
			Workspace: fmt.Sprintf("llm-workspace-%02d", i%20), DeployedModel: fmt.Sprintf("emo-%08x-deployment%05d", uint32(i*2654435761), i),
			Action: plan.ScaleUp, Status: st, Attempts: 1, DurationMS: int64(i % 900),
			Before: plan.State{Capacity: &one}, After: plan.State{Capacity: &two}, Error: msg,
		})
		switch st {
		case apply.Succeeded:
			r.Summary.Succeeded++
		case apply.Failed:
			r.Summary.Failed++
		case apply.Conflict:
			r.Summary.Conflict++
		case apply.Interrupted:
			r.Summary.Interrupted++
		}
	}
	return r
}

// TestStepSummaryEndToEnd runs plan and apply on a 10,000-deployment fleet
// against the simulator, as a CI job would: plan -o markdown --out in one
// step, apply --plan in the next, each with its own $GITHUB_STEP_SUMMARY.
func TestStepSummaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 deployments: not in -short mode")
	}
	const workspaces, perWorkspace = 20, 500
	one := 1
	dir := t.TempDir()
	seed := sim.Seed{Keys: []sim.Key{{Key: "sk-big"}}}
	var cue bytes.Buffer
	cue.WriteString("package capacity\n\n")
	for w := range workspaces {
		ws := fmt.Sprintf("llm-workspace-%02d", w)
		seed.Keys[0].Workspaces = append(seed.Keys[0].Workspaces, ws)
		fmt.Fprintf(&cue, "workspaces: %q: {\n\tapi_key_env: \"KEY_BIG\"\n\tdeployments: {\n", ws)
		for j := range perWorkspace {
			i := w*perWorkspace + j
			id := fmt.Sprintf("emo-%08x-deployment%05d", uint32(i*2654435761), i)
			fmt.Fprintf(&cue, "\t\t%q: {plan: \"mu\", capacity: %d}\n", id, 1+i%7)
			if i%97 == 0 {
				continue // in the files, not live: a plan error
			}
			liveCap := 1 + (i/3)%7
			d := sim.Deployment{WorkspaceID: ws, DeployedModel: id, ModelName: "qwen3-8b", Plan: "mu", BaseCapacity: &one, Capacity: &liveCap}
			if i%2 == 0 {
				d.RejectScale = &sim.APIError{Status: 400, Code: "InvalidParameter",
					Message: "The requested capacity exceeds the quota available to this workspace; reduce the capacity or request a quota increase."}
			}
			seed.Deployments = append(seed.Deployments, d)
		}
		cue.WriteString("\t}\n}\n")
	}
	if err := os.MkdirAll(filepath.Join(dir, "capacity"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "capacity", "fleet.cue"), cue.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := sim.New(sim.Config{RandSeed: 1}, seed)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	capctl := func(summary string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		// --endpoint, not $CAPCTL_ENDPOINT: flag defaults come from the
		// process environment, not from env.getenv.
		args = append(args, "--endpoint", hs.URL)
		vars := map[string]string{"KEY_BIG": "sk-big", "GITHUB_STEP_SUMMARY": summary}
		code := run(context.Background(), args, &env{getenv: func(k string) string { return vars[k] },
			stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
		return code, stdout.String(), stderr.String()
	}

	// The plan step: the PR comment and the job summary.
	planSummary := filepath.Join(dir, "plan-summary.md")
	planFile := filepath.Join(dir, "plan.json")
	code, out, errOut := capctl(planSummary, "plan", "-o", "markdown", "--out", planFile, filepath.Join(dir, "capacity"))
	if code != 1 {
		t.Fatalf("plan exit code = %d, want 1 (some deployments are not live); stderr:\n%s", code, errOut)
	}
	if n := len([]rune(out)); n > 65000 {
		t.Errorf("plan -o markdown is %d characters, want at most 65,000 for a PR comment", n)
	}
	p, err := readPlanFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Changes) + len(p.Errors); got != workspaces*perWorkspace {
		t.Fatalf("plan has %d deployments, want %d", got, workspaces*perWorkspace)
	}
	checkSummary(t, planSummary, "### capctl plan", "**"+render.PlanSummary(p.Summary)+"**")

	// The apply step: every other scale call is refused with a long message.
	applySummary := filepath.Join(dir, "apply-summary.md")
	code, out, errOut = capctl(applySummary, "apply", "-o", "markdown", "--auto-approve", "--plan", planFile, "--max-retries", "0")
	if code != 1 {
		t.Fatalf("apply exit code = %d, want 1 (scale calls refused); stderr:\n%.2000s", code, errOut)
	}
	if n := len([]rune(out)); n > 65000 {
		t.Errorf("apply -o markdown is %d characters, want at most 65,000 for a PR comment", n)
	}
	sum := regexp.MustCompile(`\*\*(Apply: [^*]*)\*\*`).FindStringSubmatch(out)
	if sum == nil {
		t.Fatalf("apply -o markdown has no summary line:\n%.2000s", out)
	}
	if !strings.Contains(sum[1], " failed") || strings.Contains(sum[1], " 0 failed") {
		t.Errorf("summary %q: want failures (every other scale call is refused)", sum[1])
	}
	checkSummary(t, applySummary, "### capctl apply", sum[0], "❌ failed")
}
