package bench

import (
	"strings"
	"testing"
	"time"
)

func TestApplyJudge(t *testing.T) {
	p := prepared{Fleet: Generate(FleetSpec{Workspaces: 50, Deployments: 5000, Changed: 5000, Seed: 3})}
	validate := Proc{Wall: 500 * time.Millisecond}
	// Ideal at parallelism 10: 0.5 s + (5 + 500) × 20 ms = 10.6 s.
	p10 := applyCase{name: "apply-p10", parallelism: 10, sim: SimOptions{Latency: 20 * time.Millisecond}, maxRatio: 1.10}
	rated := applyCase{name: "apply-rate200", parallelism: 10, maxRatio: 1.20, rate: 200, max429: 0.05,
		sim: SimOptions{Latency: 20 * time.Millisecond, Rate: 200, Burst: 20}}
	calls := func(n, limited int) Stats {
		return Stats{Calls: map[string]int{RouteList: 50, RouteScale: n - 50}, RateLimited: limited}
	}
	tests := map[string]struct {
		c       applyCase
		hasRate bool
		o       applyOutcome
		want    string
	}{
		"pass": {p10, false, applyOutcome{proc: Proc{Wall: 11 * time.Second}, validate: validate,
			stats: calls(5050, 0)}, Pass},
		"too slow": {p10, false, applyOutcome{proc: Proc{Wall: 12 * time.Second}, validate: validate,
			stats: calls(5050, 0)}, Fail},
		"failures": {p10, false, applyOutcome{proc: Proc{Wall: 11 * time.Second, ExitCode: 1}, validate: validate,
			stats: calls(5050, 0), summary: reportSummary{Failed: 1}}, Fail},
		"not converged": {p10, false, applyOutcome{proc: Proc{Wall: 11 * time.Second}, validate: validate,
			stats: calls(5050, 0), unconverged: 3}, Fail},
		"rate pass": {rated, true, applyOutcome{proc: Proc{Wall: 26 * time.Second}, validate: validate,
			stats: calls(5100, 50)}, Pass},
		"too many 429": {rated, true, applyOutcome{proc: Proc{Wall: 26 * time.Second}, validate: validate,
			stats: calls(6000, 950)}, Fail},
		"no --rate": {rated, false, applyOutcome{proc: Proc{Wall: 40 * time.Second}, validate: validate,
			stats: calls(8000, 2950)}, "n/a (no --rate)"},
	}
	for name, tc := range tests {
		r := tc.c.judge(tc.o, p, tc.hasRate)
		if r.Verdict != tc.want {
			t.Errorf("%s: verdict %q, want %q (note: %s)", name, r.Verdict, tc.want, r.Note)
		}
		if r.N != 5000 || r.Ideal <= 0 {
			t.Errorf("%s: N %d, ideal %v", name, r.N, r.Ideal)
		}
	}
}

func TestApplyJudgeNotes(t *testing.T) {
	p := prepared{Fleet: Generate(FleetSpec{Workspaces: 2, Deployments: 10, Changed: 10, Seed: 1})}
	c := applyCase{name: "apply-faults", parallelism: 10, sim: SimOptions{Latency: 20 * time.Millisecond, P429: 0.1}}
	o := applyOutcome{proc: Proc{Wall: time.Second}, stats: Stats{
		Calls:       map[string]int{RouteList: 2, RouteScale: 12},
		Injected429: 1, Injected5xx: 1,
	}}
	r := c.judge(o, p, false)
	for _, want := range []string{"0 failed, 0 not converged", "429: 1 (7.1 %)", "5xx: 1", "2 calls beyond"} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("note %q lacks %q", r.Note, want)
		}
	}
	if r.Target != "0 failed" || r.Verdict != Pass {
		t.Errorf("target %q verdict %q, want \"0 failed\" PASS", r.Target, r.Verdict)
	}
}

func TestSimArgs(t *testing.T) {
	o := SimOptions{Latency: 20 * time.Millisecond, P429: 0.1, Rate: 200, Burst: 20}
	got := strings.Join(o.args("seed.json", "url"), " ")
	want := "-addr 127.0.0.1:0 -seed seed.json -url-file url -latency 20ms -rand-seed 1 -p429 0.1 -rate 200 -burst 20"
	if got != want {
		t.Errorf("args = %q, want %q", got, want)
	}
}

func TestTail(t *testing.T) {
	tl := &tail{max: 5}
	for _, s := range []string{"abc", "defg", "h"} {
		if _, err := tl.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if got := tl.String(); got != "defgh" {
		t.Errorf("tail = %q, want %q", got, "defgh")
	}
}

func TestMedian(t *testing.T) {
	runs := []Proc{{Wall: 3 * time.Second, PeakRSSKB: 10}, {Wall: time.Second, PeakRSSKB: 30}, {Wall: 2 * time.Second, PeakRSSKB: 20}}
	if got := Fastest(runs); got.Wall != time.Second {
		t.Errorf("Fastest() = %v, want 1s", got.Wall)
	}
	got := Median(runs)
	if got.Wall != 2*time.Second || got.PeakRSSKB != 30 {
		t.Errorf("Median() = %v, %d KiB; want 2s, 30 KiB", got.Wall, got.PeakRSSKB)
	}
	if got := Median(nil); got.Wall != 0 {
		t.Errorf("Median(nil) = %v", got.Wall)
	}
}

func TestApplyJudgeTimedOut(t *testing.T) {
	p := prepared{Fleet: Generate(FleetSpec{Workspaces: 2, Deployments: 10, Changed: 10, Seed: 1})}
	c := applyCase{name: "apply-faults", parallelism: 10, sim: SimOptions{Latency: 20 * time.Millisecond}}
	o := applyOutcome{proc: Proc{Wall: 90 * time.Second, ExitCode: 130, TimedOut: true}, noReport: true, unconverged: 4,
		stats: Stats{Calls: map[string]int{RouteList: 2, RouteScale: 6}}}
	r := c.judge(o, p, false)
	if r.Verdict != Fail {
		t.Errorf("verdict %q, want FAIL", r.Verdict)
	}
	for _, want := range []string{"no report, 4 not converged", "timed out after 90.00 s, interrupted, exit 130"} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("note %q lacks %q", r.Note, want)
		}
	}
}
