package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/plan"
)

// ReportText writes the apply report for a terminal or a CI log. Succeeded
// and skipped deployments are not listed (there are often thousands; the
// JSON report has them): each other deployment gets one line
//
//	✗ ws/id  failed       <error>
//
// then a line counting what needed no call and the answers of 429 seen
// (when either is not zero), and the summary line closes the report, always
// exactly
//
//	Apply: N succeeded, N failed, N conflict, N interrupted.
//
// so scripts can rely on it.
func ReportText(w io.Writer, r apply.Report, color bool) error {
	st := Style{Color: color}
	var b strings.Builder
	width := 0
	for _, res := range r.Results {
		if reportListed(res.Status) {
			width = max(width, utf8.RuneCountInString(res.Key().String()))
		}
	}
	for _, res := range r.Results {
		if !reportListed(res.Status) {
			continue
		}
		name := res.Key().String()
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(name))
		paint := reportPaint(st, res.Status)
		status := string(res.Status)
		spad := strings.Repeat(" ", len("interrupted")-len(status))
		fmt.Fprintf(&b, "  %s %s%s  %s%s  %s\n", paint("✗"), name, pad, paint(status), spad, reportOneLine(res.Error))
	}
	if note := reportNote(r.Summary); note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString(st.Bold(reportSummaryLine(r.Summary)) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// reportListed reports whether a result gets a line of its own in the text
// and markdown views: everything that did not simply go as planned.
func reportListed(s apply.Status) bool {
	return s != apply.Succeeded && s != apply.Skipped
}

// reportPaint colours failures red and the rest (conflict, interrupted:
// nothing broken, but not done either) yellow.
func reportPaint(st Style, s apply.Status) func(string) string {
	if s == apply.Failed {
		return st.Red
	}
	return st.Yellow
}

// reportSummaryLine is the summary sentence shared by the text and markdown
// views; its form is part of the contract of SPEC.md.
func reportSummaryLine(s apply.Summary) string {
	return fmt.Sprintf("Apply: %d succeeded, %d failed, %d conflict, %d interrupted.",
		s.Succeeded, s.Failed, s.Conflict, s.Interrupted)
}

// reportNote says what needed no call and how often the API throttled the
// run, or "" when neither happened.
func reportNote(s apply.Summary) string {
	var parts []string
	if s.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%s already at the desired capacity (no call made)", Plural(s.Skipped, "deployment")))
	}
	if s.Throttled > 0 {
		parts = append(parts, fmt.Sprintf("%s answered 429 and retried", Plural(s.Throttled, "call")))
	}
	return strings.Join(parts, "; ")
}

// reportOneLine folds an error message onto one line, so each result stays
// one line of output whatever the API said.
func reportOneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// reportState renders a capacity state briefly: "2" for mu, the quota for
// ptu, "-" when the state has neither (a plan error's result).
func reportState(s plan.State) string {
	switch {
	case s.Capacity != nil:
		return strconv.Itoa(*s.Capacity)
	case s.PTUCapacity != nil:
		return s.PTUCapacity.String()
	}
	return "-"
}

// reportChange renders "1 → 2", or "" when the result carries no states.
func reportChange(res apply.Result) string {
	before, after := reportState(res.Before), reportState(res.After)
	if before == "-" && after == "-" {
		return ""
	}
	return before + " → " + after
}

// reportDuration renders a result's duration the way time.Duration does
// ("85ms", "1.2s").
func reportDuration(ms int64) string {
	return (time.Duration(ms) * time.Millisecond).String()
}
