package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// The golden tests share the package's -update flag. It is registered here
// only when no other test file of the package has registered it already
// (package-level flag variables initialise before any init function runs).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// checkReportGolden compares got with testdata/name, or rewrites the file
// when the test runs with -update.
func checkReportGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func reportIntp(n int) *int { return &n }

// reportSample is one result of every kind, with messages that try to
// break each format.
func reportSample() apply.Report {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	q1, q2 := deploy.PTU{InputTPM: 10000, OutputTPM: 1000}, deploy.PTU{InputTPM: 20000, OutputTPM: 500}
	mu := func(n int) plan.State { return plan.State{Capacity: reportIntp(n)} }
	results := []apply.Result{
		{Workspace: "llm-a", DeployedModel: "emo-1", Action: plan.ScaleUp, Status: apply.Succeeded,
			Attempts: 1, DurationMS: 812, Before: mu(1), After: mu(2)},
		{Workspace: "llm-a", DeployedModel: "emo-2", Action: plan.NoChange, Status: apply.Skipped, Before: mu(2), After: mu(2)},
		{Workspace: "llm-a", DeployedModel: "gone", Status: apply.Failed, Error: "not found live"},
		{Workspace: "llm-a", DeployedModel: "qwen-ptu", Action: plan.Update, Status: apply.Succeeded,
			Attempts: 3, DurationMS: 2450, Before: plan.State{PTUCapacity: &q1}, After: plan.State{PTUCapacity: &q2}},
		{Workspace: "llm-b", DeployedModel: "big", Action: plan.ScaleUp, Status: apply.Failed, Attempts: 1, DurationMS: 95,
			Before: mu(2), After: mu(900), Code: "InvalidParameter",
			Error: `400 InvalidParameter: capacity <900> & "quota" | exceeded (request_id r-1)`},
		{Workspace: "llm-b", DeployedModel: "later", Action: plan.ScaleUp, Status: apply.Interrupted,
			Before: mu(1), After: mu(4), Error: "interrupted before any call"},
		{Workspace: "llm-b", DeployedModel: "moved", Action: plan.ScaleDown, Status: apply.Conflict, DurationMS: 40,
			Before: mu(4), After: mu(2), Error: "live capacity is 3, the plan expected 4; re-plan"},
		{Workspace: "llm-b", DeployedModel: "multi", Action: plan.ScaleDown, Status: apply.Failed, Attempts: 6, DurationMS: 30100,
			Before: mu(4), After: mu(2), Code: "Throttling", Error: "429 Throttling: slow down\nnow"},
	}
	return apply.Report{
		FormatVersion: apply.FormatVersion,
		StartedAt:     t0,
		FinishedAt:    t0.Add(31 * time.Second),
		Results:       results,
		Summary:       apply.Summary{Succeeded: 2, Failed: 3, Conflict: 1, Interrupted: 1, Skipped: 1, Throttled: 5},
	}
}

// reportAllSkipped is a run in which nothing needed a call.
func reportAllSkipped() apply.Report {
	r := reportSample()
	r.Results = r.Results[1:2]
	r.Summary = apply.Summary{Skipped: 1}
	return r
}

func TestReportText(t *testing.T) {
	tests := map[string]struct {
		report apply.Report
		color  bool
	}{
		"report_text.golden":         {reportSample(), false},
		"report_text_color.golden":   {reportSample(), true},
		"report_text_nothing.golden": {reportAllSkipped(), false},
		"report_text_empty.golden":   {apply.Report{FormatVersion: 1}, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ReportText(&b, tt.report, tt.color); err != nil {
				t.Fatal(err)
			}
			checkReportGolden(t, name, b.Bytes())
		})
	}
}

func TestReportSummaryLine(t *testing.T) {
	tests := map[string]struct {
		s    apply.Summary
		want string
	}{
		"spec line":   {apply.Summary{Succeeded: 3, Failed: 1}, "Apply: 3 succeeded, 1 failed, 0 conflict, 0 interrupted."},
		"extras":      {apply.Summary{Succeeded: 3, Skipped: 42, Throttled: 7}, "Apply: 3 succeeded, 0 failed, 0 conflict, 0 interrupted."},
		"nothing":     {apply.Summary{Skipped: 5}, "Apply: 0 succeeded, 0 failed, 0 conflict, 0 interrupted."},
		"interrupted": {apply.Summary{Interrupted: 2, Skipped: 5}, "Apply: 0 succeeded, 0 failed, 0 conflict, 2 interrupted."},
	}
	for name, tt := range tests {
		if got := reportSummaryLine(tt.s); got != tt.want {
			t.Errorf("%s: reportSummaryLine() = %q, want %q", name, got, tt.want)
		}
	}
}

func TestReportNote(t *testing.T) {
	tests := map[string]struct {
		s    apply.Summary
		want string
	}{
		"none":      {apply.Summary{Succeeded: 3}, ""},
		"skipped":   {apply.Summary{Skipped: 1}, "1 deployment already at the desired capacity (no call made)"},
		"throttled": {apply.Summary{Skipped: 42, Throttled: 7}, "42 deployments already at the desired capacity (no call made); 7 calls answered 429 and retried"},
	}
	for name, tt := range tests {
		if got := reportNote(tt.s); got != tt.want {
			t.Errorf("%s: reportNote() = %q, want %q", name, got, tt.want)
		}
	}
}
