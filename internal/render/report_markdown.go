package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/capctl/capctl/internal/apply"
)

// DefaultMarkdownLimit keeps a markdown report under GitHub's 65,536
// character limit for a comment, with room to spare.
const DefaultMarkdownLimit = 65000

// ReportMarkdown writes the apply report as a pull-request comment: the
// summary line first, then a table of every result that did not succeed
// (failed, conflict, interrupted), then the succeeded ones folded in a
// <details> block. A limit <= 0 means no limit; otherwise the whole stays
// within limit bytes (and so limit characters) for any report:
//
//  1. the middle of the succeeded list is replaced by one row counting what
//     was left out (the first and last ones stay);
//  2. if the problems alone still do not fit, their error messages are
//     shortened to 200, then 80 characters;
//  3. and as a last resort the middle problem rows are replaced by a count.
//
// The summary line always stays, and the JSON report still has everything.
// Skipped results are only counted.
func ReportMarkdown(w io.Writer, r apply.Report, limit int) error {
	var head strings.Builder
	head.WriteString("### capctl apply\n\n")
	head.WriteString("**" + reportSummaryLine(r.Summary) + "**\n\n")
	if note := reportNote(r.Summary); note != "" {
		head.WriteString(note + ".\n\n")
	}
	var succeeded []string
	for _, res := range r.Results {
		if res.Status == apply.Succeeded {
			succeeded = append(succeeded, fmt.Sprintf("| `%s` | %s | %s | %d | %s |\n", res.Key(), res.Action,
				reportMDCell(reportChange(res)), res.Attempts, reportDuration(res.DurationMS)))
		}
	}
	var tail string
	if r.Summary.Skipped > 0 {
		tail = fmt.Sprintf("Not touched, already at the desired capacity: %s.\n", Plural(r.Summary.Skipped, "deployment"))
	}
	var open string
	const closeTag = "\n</details>\n\n"
	if len(succeeded) > 0 {
		open = fmt.Sprintf("<details><summary>%d succeeded</summary>\n\n", len(succeeded)) +
			"| Deployment | Action | Change | Attempts | Duration |\n|---|---|---|---:|---:|\n"
		open += reportElisionRow(len(succeeded)) + closeTag // the least the fold can take
	}
	budget := -1
	if limit > 0 {
		budget = max(limit-head.Len()-len(open)-len(tail), 0)
	}
	problems := reportProblemTable(r.Results, budget)
	var b strings.Builder
	b.WriteString(head.String())
	b.WriteString(problems)
	if len(succeeded) > 0 {
		open = open[:strings.Index(open, "| *…")]
		budget := -1
		if limit > 0 {
			budget = limit - b.Len() - len(open) - len(closeTag) - len(tail)
		}
		b.WriteString(open)
		b.WriteString(reportElide(succeeded, budget, reportElisionRow))
		b.WriteString(closeTag)
	}
	b.WriteString(tail)
	_, err := io.WriteString(w, b.String())
	return err
}

// reportProblemTable renders the table of results that did not succeed
// within budget bytes (budget < 0: no limit), shortening error messages and
// then eliding rows only as far as needed. It is "" when there are none.
func reportProblemTable(results []apply.Result, budget int) string {
	const tableHead = "| Deployment | Action | Status | Error |\n|---|---|---|---|\n"
	var out string
	for _, maxErr := range []int{0, 200, 80} {
		var rows []string
		for _, res := range results {
			if reportListed(res.Status) {
				rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |\n", res.Key(), reportMDAction(res),
					reportMDStatus(res.Status), reportMDCell(reportShorten(res.Error, maxErr))))
			}
		}
		if len(rows) == 0 {
			return ""
		}
		out = tableHead + strings.Join(rows, "") + "\n"
		if budget < 0 || len(out) <= budget {
			return out
		}
		if maxErr == 80 {
			rest := max(budget-len(tableHead)-1, 0)
			return tableHead + reportElide(rows, rest, reportProblemElisionRow) + "\n"
		}
	}
	return out
}

// reportShorten cuts s to at most n runes with an ellipsis; n <= 0 keeps it.
func reportShorten(s string, n int) string {
	r := []rune(s)
	if n <= 0 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// reportElide joins rows, or, when they do not fit in budget bytes (budget
// < 0: no limit), keeps as many from both ends as fit around one row that
// counts the rest. Keeping both ends shows the first and last deployments
// in sorted order, so a reader sees the range the fold covers.
func reportElide(rows []string, budget int, elision func(int) string) string {
	total := 0
	for _, row := range rows {
		total += len(row)
	}
	if budget < 0 || total <= budget {
		return strings.Join(rows, "")
	}
	// Reserve room for the widest elision row: its count is at most len(rows).
	budget -= len(elision(len(rows)))
	var front, back []string
	i, j := 0, len(rows)-1
	for i <= j {
		row := rows[i]
		if len(front) > len(back) {
			row = rows[j]
		}
		if len(row) > budget {
			break
		}
		budget -= len(row)
		if len(front) > len(back) {
			back = append(back, row)
			j--
		} else {
			front = append(front, row)
			i++
		}
	}
	var b strings.Builder
	for _, row := range front {
		b.WriteString(row)
	}
	b.WriteString(elision(j - i + 1))
	for k := len(back) - 1; k >= 0; k-- {
		b.WriteString(back[k])
	}
	return b.String()
}

func reportElisionRow(n int) string {
	return fmt.Sprintf("| *… %d more succeeded, not shown: see the JSON report* | | | | |\n", n)
}

func reportProblemElisionRow(n int) string {
	return fmt.Sprintf("| *… %d more not succeeded, not shown: see the JSON report* | | | |\n", n)
}

// reportMDAction is the action, or "-" for a plan error (which has none).
func reportMDAction(res apply.Result) string {
	if res.Action == "" {
		return "-"
	}
	return string(res.Action)
}

func reportMDStatus(s apply.Status) string {
	switch s {
	case apply.Failed:
		return "❌ failed"
	case apply.Conflict:
		return "⚠️ conflict"
	case apply.Interrupted:
		return "⏹️ interrupted"
	}
	return string(s)
}

// reportMDCell makes text safe inside a table cell: one line, no pipe that
// would split the cell, no HTML a renderer would interpret.
var reportMDEscaper = strings.NewReplacer("|", `\|`, "&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "\\`")

func reportMDCell(s string) string {
	return reportMDEscaper.Replace(reportOneLine(s))
}
