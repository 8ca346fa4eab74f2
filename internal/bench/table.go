package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdicts a Result can carry besides an explanation of its own.
const (
	Pass  = "PASS"
	Fail  = "FAIL"
	Info  = "—"     // a baseline or measurement without a target
	Error = "ERROR" // the scenario could not run; Note says why
)

// Result is one row of the table.
type Result struct {
	Scenario string
	// N is the number of deployments (or calls, for a baseline) involved.
	N    int
	Wall time.Duration
	// Ideal is the least time the run could take; 0 when it has none.
	Ideal time.Duration
	// Calls is the number of API calls the simulator saw; -1 when none
	// apply (validate makes no call).
	Calls int
	// PeakRSSKB is capctl's peak resident set in KiB; 0 when not measured.
	PeakRSSKB int64
	// Target is the goal in words, e.g. "≤ 1.10× ideal".
	Target string
	// Verdict is Pass, Fail, Info, Error or a short "n/a (…)".
	Verdict string
	// Note explains the row: what the ideal counts, failures, extrapolation.
	Note string
}

// Ratio is Wall/Ideal, or 0 without an ideal.
func (r Result) Ratio() float64 { return Ratio(r.Wall, r.Ideal) }

// columns are the table's headings, in order.
var columns = []string{"scenario", "N", "wall", "ideal", "ratio", "calls", "peak RSS", "target", "result", "notes"}

// cells returns r formatted as table cells, in the order of columns.
func (r Result) cells() []string {
	wall := FormatDuration(r.Wall)
	if r.Verdict == Error && r.Wall == 0 {
		wall = "—"
	}
	return []string{r.Scenario, FormatCount(r.N), wall, FormatDuration(r.Ideal), FormatRatio(r.Ratio()),
		FormatCount(r.Calls), FormatRSS(r.PeakRSSKB), dash(r.Target), dash(r.Verdict), r.Note}
}

// WriteText writes results as an aligned plain-text table.
func WriteText(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(columns, "\t")))
	for _, r := range results {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	return tw.Flush()
}

// WriteMarkdownTable writes results as a GitHub-flavoured Markdown table.
func WriteMarkdownTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(columns, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(columns)) + "\n")
	for _, r := range results {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatDuration shows d as "850 ms" below a second and "1.23 s" above;
// zero is "—".
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// FormatRatio shows r as "1.07×"; zero is "—".
func FormatRatio(r float64) string {
	if r <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", r)
}

// FormatCount shows n with thousands separators; a negative n is "—".
func FormatCount(n int) string {
	if n < 0 {
		return "—"
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// FormatRSS shows a size in KiB as decimal megabytes; zero is "—".
func FormatRSS(kib int64) string {
	if kib <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB", float64(kib)*1024/1e6)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Tally counts the rows that passed and failed their targets, and those
// that could not run.
func Tally(results []Result) (pass, fail, errs int) {
	for _, r := range results {
		switch r.Verdict {
		case Pass:
			pass++
		case Fail:
			fail++
		case Error:
			errs++
		}
	}
	return pass, fail, errs
}

// TallyLine says how many targets were met, e.g. "3 of 5 targets met".
func TallyLine(results []Result) string {
	pass, fail, errs := Tally(results)
	s := fmt.Sprintf("%d of %d targets met", pass, pass+fail)
	if errs > 0 {
		s += fmt.Sprintf("; %d could not run", errs)
	}
	return s
}
