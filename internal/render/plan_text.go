package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// MaxUnmanagedListed is how many unmanaged deployments the text view lists
// one by one; above it, it prints only their count (-o json lists them all).
const MaxUnmanagedListed = 20

// diffContext is the number of unchanged lines around a diff hunk.
const diffContext = 3

// PlanText writes the plan for a person at a terminal: per workspace a
// header and one line per deployment that changes —
//
//	↑ emo-35b3f106-sample01  mu   capacity 1 → 2 (+1)
//
// with ↑ for scale_up, ↓ for scale_down and ~ for update — followed, when a
// change moves more than one field, by a unified diff of live against
// desired. Unchanged deployments are only counted. Then come the errors
// ("  ! file:line:col: ws/id: message"), the unmanaged deployments, "No
// changes." when there is nothing to apply, and the summary line last. ANSI
// colour is used only when color is true.
func PlanText(w io.Writer, p plan.Plan, color bool) error {
	bw := bufio.NewWriter(w)
	st := Style{Color: color}
	for _, group := range byWorkspace(p.Changes) {
		writeWorkspace(bw, group, st)
	}
	if len(p.Errors) > 0 {
		fmt.Fprintln(bw, st.Bold("Errors:"))
		for _, e := range p.Errors {
			fmt.Fprintf(bw, "  %s %s\n", st.Red("!"), errorLine(e))
		}
		fmt.Fprintln(bw)
	}
	writeUnmanaged(bw, p.Unmanaged, st)
	if p.Summary.Changed() == 0 {
		fmt.Fprintln(bw, "No changes.")
	}
	fmt.Fprintln(bw, PlanSummary(p.Summary))
	return bw.Flush()
}

// errorLine renders "file:line:col: ws/id: message", without the position
// when it is unknown.
func errorLine(e plan.Error) string {
	s := e.Key().String() + ": " + e.Message
	if e.Pos.IsValid() {
		s = e.Pos.String() + ": " + s
	}
	return s
}

// byWorkspace groups the changes that need a call by workspace, keeping
// their order.
func byWorkspace(changes []plan.Change) [][]plan.Change {
	var groups [][]plan.Change
	for _, c := range changes {
		if c.Action == plan.NoChange {
			continue
		}
		if n := len(groups); n > 0 && groups[n-1][0].Workspace == c.Workspace {
			groups[n-1] = append(groups[n-1], c)
			continue
		}
		groups = append(groups, []plan.Change{c})
	}
	return groups
}

func writeWorkspace(w io.Writer, group []plan.Change, st Style) {
	fmt.Fprintln(w, st.Bold("Workspace "+group[0].Workspace))
	width := 0
	for _, c := range group {
		width = max(width, utf8.RuneCountInString(c.DeployedModel))
	}
	for _, c := range group {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(c.DeployedModel))
		line := fmt.Sprintf("  %s %s%s  %-3s  %s", symbol(c.Action, st), c.DeployedModel, pad, c.Plan, describe(c))
		if s := c.Before.Status; s != "" && s != deploy.StatusRunning {
			line += "  " + st.Yellow("(status "+s+")")
		}
		fmt.Fprintln(w, line)
		if len(changedFields(c)) > 1 {
			live, desired := sides(c)
			writeUnifiedDiff(w, live, desired, "      ", st)
		}
	}
	fmt.Fprintln(w)
}

func writeUnmanaged(w io.Writer, keys []deploy.Key, st Style) {
	if len(keys) == 0 {
		return
	}
	head := fmt.Sprintf("Unmanaged (never touched): %d", len(keys))
	if len(keys) > MaxUnmanagedListed {
		fmt.Fprintf(w, "%s (listed by -o json)\n\n", st.Bold(head))
		return
	}
	fmt.Fprintln(w, st.Bold(head))
	for _, k := range keys {
		fmt.Fprintln(w, "  "+k.String())
	}
	fmt.Fprintln(w)
}

// diffLine is one line of a line diff: op is ' ', '-' or '+'.
type diffLine struct {
	op   byte
	text string
}

// lineDiff diffs two lists of lines with go-diff's line mode.
func lineDiff(a, b []string) []diffLine {
	join := func(ls []string) string {
		if len(ls) == 0 {
			return ""
		}
		return strings.Join(ls, "\n") + "\n"
	}
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(join(a), join(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	ops := map[diffmatchpatch.Operation]byte{diffmatchpatch.DiffEqual: ' ', diffmatchpatch.DiffDelete: '-', diffmatchpatch.DiffInsert: '+'}
	var out []diffLine
	for _, d := range diffs {
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				out = append(out, diffLine{ops[d.Type], strings.TrimSuffix(l, "\n")})
			}
		}
	}
	return out
}

// writeUnifiedDiff writes a unified diff of live against desired, each line
// prefixed by indent: "--- live", "+++ desired", then hunks of changes with
// diffContext lines of context, changes closer than twice that merged.
func writeUnifiedDiff(w io.Writer, live, desired []string, indent string, st Style) {
	lines := lineDiff(live, desired)
	fmt.Fprintf(w, "%s%s\n%s%s\n", indent, st.Red("--- live"), indent, st.Green("+++ desired"))
	for _, h := range hunks(lines) {
		writeHunk(w, lines, h, indent, st)
	}
}

// hunks returns [start, end) ranges of lines to print.
func hunks(lines []diffLine) [][2]int {
	var out [][2]int
	for i, l := range lines {
		if l.op == ' ' {
			continue
		}
		start, end := max(0, i-diffContext), min(len(lines), i+diffContext+1)
		if n := len(out); n > 0 && start <= out[n-1][1] {
			out[n-1][1] = end
			continue
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

func writeHunk(w io.Writer, lines []diffLine, h [2]int, indent string, st Style) {
	oldAt, newAt := 0, 0 // lines of each side before the hunk
	for _, l := range lines[:h[0]] {
		oldAt += b2i(l.op != '+')
		newAt += b2i(l.op != '-')
	}
	oldN, newN := 0, 0
	for _, l := range lines[h[0]:h[1]] {
		oldN += b2i(l.op != '+')
		newN += b2i(l.op != '-')
	}
	fmt.Fprintf(w, "%s%s\n", indent, st.Cyan(fmt.Sprintf("@@ -%s +%s @@", hunkRange(oldAt, oldN), hunkRange(newAt, newN))))
	for _, l := range lines[h[0]:h[1]] {
		text := string(l.op) + l.text
		switch l.op {
		case '-':
			text = st.Red(text)
		case '+':
			text = st.Green(text)
		}
		fmt.Fprintf(w, "%s%s\n", indent, text)
	}
}

// hunkRange renders a hunk side as "start,count"; an empty side starts at
// the line before it, as diff -u does.
func hunkRange(before, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", before)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
