package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	tests := map[string]struct{ got, want string }{
		"ms":           {FormatDuration(850 * time.Millisecond), "850 ms"},
		"s":            {FormatDuration(1234 * time.Millisecond), "1.23 s"},
		"no duration":  {FormatDuration(0), "—"},
		"ratio":        {FormatRatio(1.0749), "1.07×"},
		"no ratio":     {FormatRatio(0), "—"},
		"count":        {FormatCount(1234567), "1,234,567"},
		"small count":  {FormatCount(999), "999"},
		"no count":     {FormatCount(-1), "—"},
		"rss":          {FormatRSS(100 * 1024), "105 MB"},
		"rss unknown":  {FormatRSS(0), "—"},
		"zero count":   {FormatCount(0), "0"},
		"thousand":     {FormatCount(1000), "1,000"},
		"sub-ms round": {FormatDuration(1499 * time.Microsecond), "1 ms"},
	}
	for name, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", name, tc.got, tc.want)
		}
	}
}

var sampleRows = []Result{
	{Scenario: "validate-10k", N: 10000, Wall: 800 * time.Millisecond, Calls: -1, PeakRSSKB: 100 * 1024,
		Target: "≤ 1.00 s", Verdict: Pass, Note: "100 workspaces"},
	{Scenario: "apply-p10", N: 5000, Wall: 11 * time.Second, Ideal: 10 * time.Second, Calls: 5050,
		Target: "≤ 1.10× ideal", Verdict: Fail, Note: "a | b"},
}

func TestWriteMarkdownTable(t *testing.T) {
	var b strings.Builder
	if err := WriteMarkdownTable(&b, sampleRows); err != nil {
		t.Fatal(err)
	}
	want := `| scenario | N | wall | ideal | ratio | calls | peak RSS | target | result | notes |
|---|---|---|---|---|---|---|---|---|---|
| validate-10k | 10,000 | 800 ms | — | — | — | 105 MB | ≤ 1.00 s | PASS | 100 workspaces |
| apply-p10 | 5,000 | 11.00 s | 10.00 s | 1.10× | 5,050 | — | ≤ 1.10× ideal | FAIL | a \| b |
`
	if got := b.String(); got != want {
		t.Errorf("WriteMarkdownTable() =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := WriteText(&b, sampleRows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("WriteText() gave %d lines, want 3:\n%s", len(lines), b.String())
	}
	if !strings.HasPrefix(lines[0], "SCENARIO") || !strings.Contains(lines[0], "PEAK RSS") {
		t.Errorf("heading %q", lines[0])
	}
	for i, want := range []string{"validate-10k", "apply-p10"} {
		if f := strings.Fields(lines[i+1]); f[0] != want {
			t.Errorf("row %d starts %q, want %q", i, f[0], want)
		}
	}
	// Columns line up: every row has "wall" at the heading's offset.
	col := strings.Index(lines[0], "WALL")
	for _, l := range lines[1:] {
		if l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("row not aligned under WALL: %q", l)
		}
	}
}

func TestErrorRowHasNoWall(t *testing.T) {
	r := Result{Scenario: "plan-10k", Calls: -1, Verdict: Error, Note: "capctl validate: exit 1"}
	if got := r.cells()[2]; got != "—" {
		t.Errorf("wall cell %q, want —", got)
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := Report{Machine: Machine{CPU: "Test CPU", Cores: 2, GoVersion: "go1.26.8", OS: "linux", Arch: "amd64",
		Date: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), LoadStart: "0.10 0.20 0.30"}, Results: sampleRows, Elapsed: time.Minute}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Benchmarks", "- Machine: Test CPU", "- Cores: 2", "2026-11-27 10:00 UTC", "0.10 0.20 0.30 at the start, — at the end",
		"| apply-p10 |", "## How it is measured", "no `--rate` flag yet"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteMarkdown() lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "%!") {
		t.Errorf("WriteMarkdown() has a formatting error:\n%s", b.String())
	}
}

func TestTallyLine(t *testing.T) {
	rows := append(slices.Clone(sampleRows), Result{Verdict: Error}, Result{Verdict: Info}, Result{Verdict: "n/a (no --rate)"})
	if got, want := TallyLine(rows), "1 of 2 targets met; 1 could not run"; got != want {
		t.Errorf("TallyLine() = %q, want %q", got, want)
	}
}

func TestMethodText(t *testing.T) {
	for _, hasRate := range []bool{false, true} {
		m := Report{HasRate: hasRate}.method()
		if strings.Contains(m, "%!") || !strings.Contains(m, "median of 3 runs") || !strings.Contains(m, "latency of 20 ms") {
			t.Errorf("method(hasRate=%v) =\n%s", hasRate, m)
		}
	}
}
