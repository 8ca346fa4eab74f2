package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/plan"
)

func TestReportMarkdown(t *testing.T) {
	tests := map[string]struct {
		report apply.Report
		limit  int
	}{
		"report_markdown.golden":         {reportSample(), DefaultMarkdownLimit},
		"report_markdown_nothing.golden": {reportAllSkipped(), DefaultMarkdownLimit},
		"report_markdown_elided.golden":  {reportMany(10, 30), 3000},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ReportMarkdown(&b, tt.report, tt.limit); err != nil {
				t.Fatal(err)
			}
			checkReportGolden(t, name, b.Bytes())
		})
	}
}

// reportMany is a report of failed failures followed by succeeded successes.
func reportMany(failed, succeeded int) apply.Report {
	var r apply.Report
	for i := range failed + succeeded {
		res := apply.Result{Workspace: fmt.Sprintf("llm-%d", i%3), DeployedModel: fmt.Sprintf("deployment-%05d", i),
			Action: plan.ScaleUp, Attempts: 1, DurationMS: int64(i), Status: apply.Succeeded,
			Before: plan.State{Capacity: reportIntp(1)}, After: plan.State{Capacity: reportIntp(2)}}
		if i < failed {
			res.Status, res.Error = apply.Failed, "500 InternalError: try again later (request_id 0f3c2a)"
			r.Summary.Failed++
		} else {
			r.Summary.Succeeded++
		}
		r.Results = append(r.Results, res)
	}
	return r
}

func TestReportMarkdownLimit(t *testing.T) {
	r := reportMany(10, 9990)
	var b bytes.Buffer
	if err := ReportMarkdown(&b, r, DefaultMarkdownLimit); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if b.Len() > DefaultMarkdownLimit {
		t.Errorf("markdown is %d bytes, want at most %d", b.Len(), DefaultMarkdownLimit)
	}
	if b.Len() < DefaultMarkdownLimit*9/10 {
		t.Errorf("markdown is %d bytes: the limit of %d is used poorly", b.Len(), DefaultMarkdownLimit)
	}
	for _, res := range r.Results[:10] {
		if !strings.Contains(out, "`"+res.Key().String()+"` | scale_up | ❌ failed") {
			t.Errorf("failed %v is missing", res.Key())
		}
	}
	m := regexp.MustCompile(`… (\d+) more succeeded`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no elision row")
	}
	elided, _ := strconv.Atoi(m[1])
	shown := strings.Count(out, "| scale_up | 1 → 2 |")
	if shown+elided != 9990 {
		t.Errorf("%d succeeded shown + %d elided = %d, want 9990", shown, elided, shown+elided)
	}
	last := r.Results[len(r.Results)-1].Key().String()
	if !strings.Contains(out, "`"+last+"`") {
		t.Errorf("the last succeeded deployment %s is not shown", last)
	}
}

func TestReportMarkdownNoLimit(t *testing.T) {
	var b bytes.Buffer
	if err := ReportMarkdown(&b, reportMany(0, 3000), 0); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "| scale_up | 1 → 2 |"); n != 3000 || strings.Contains(b.String(), "more succeeded") {
		t.Errorf("%d of 3000 succeeded rows shown with no limit", n)
	}
}

func TestReportMarkdownManyFailuresFit(t *testing.T) {
	var r apply.Report
	for i := range 10000 {
		r.Results = append(r.Results, apply.Result{
			Workspace: "llm-a", DeployedModel: fmt.Sprintf("d-%05d", i), Action: "scale_up",
			Status: apply.Failed, Error: strings.Repeat("the API refused this call; ", 20),
		})
	}
	r.Summary.Failed = 10000
	var b bytes.Buffer
	if err := ReportMarkdown(&b, r, DefaultMarkdownLimit); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > DefaultMarkdownLimit {
		t.Errorf("markdown is %d bytes, over the limit %d", len(out), DefaultMarkdownLimit)
	}
	for _, want := range []string{"Apply: 0 succeeded, 10000 failed", "more not succeeded, not shown", "d-00000", "d-09999"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}
