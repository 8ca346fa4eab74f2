package bench

import (
	"testing"
	"time"
)

func TestPages(t *testing.T) {
	tests := map[string]struct {
		per  []int
		want int
	}{
		"one page each":   {[]int{100, 100, 200}, 3},
		"several pages":   {[]int{500, 201}, 3 + 2},
		"empty workspace": {[]int{0, 1}, 2},
		"none":            {nil, 0},
	}
	for name, tc := range tests {
		if got := Pages(tc.per, PageSize); got != tc.want {
			t.Errorf("%s: Pages(%v) = %d, want %d", name, tc.per, got, tc.want)
		}
	}
}

func TestRounds(t *testing.T) {
	tests := map[string]struct{ calls, par, want int }{
		"exact":          {100, 10, 10},
		"partial":        {101, 10, 11},
		"no calls":       {0, 10, 0},
		"no parallelism": {3, 0, 3},
	}
	for name, tc := range tests {
		if got := Rounds(tc.calls, tc.par); got != tc.want {
			t.Errorf("%s: Rounds(%d, %d) = %d, want %d", name, tc.calls, tc.par, got, tc.want)
		}
	}
}

func TestIdeals(t *testing.T) {
	ms := time.Millisecond
	p10 := Link{Latency: 20 * ms, Parallelism: 10}
	p50 := Link{Latency: 20 * ms, Parallelism: 50}
	limited := Link{Latency: 20 * ms, Parallelism: 10, Rate: 200, Burst: 20}
	tests := map[string]struct {
		got, want time.Duration
	}{
		// 100 workspaces of 100: 100 pages, 10 rounds.
		"plan 10k": {PlanIdeal(400*ms, 100, p10), 400*ms + 200*ms},
		// 50 pages in 5 rounds, 5000 scales in 500 rounds.
		"apply p10": {ApplyIdeal(300*ms, 50, 5000, p10), 300*ms + 505*20*ms},
		"apply p50": {ApplyIdeal(300*ms, 50, 5000, p50), 300*ms + 101*20*ms},
		// The rate bound, (50 + 5000 - 20) / 200 s, beats the latency bound.
		"apply rate": {ApplyIdeal(300*ms, 50, 5000, limited), 300*ms + 25150*ms},
		// Within the burst the rate limit does not bind.
		"rate within burst": {ApplyIdeal(0, 1, 10, limited), 2 * 20 * ms},
	}
	for name, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: ideal %v, want %v", name, tc.got, tc.want)
		}
	}
}

func TestRatioAndShare(t *testing.T) {
	if got := Ratio(3*time.Second, 2*time.Second); got != 1.5 {
		t.Errorf("Ratio(3s, 2s) = %v, want 1.5", got)
	}
	if got := Ratio(time.Second, 0); got != 0 {
		t.Errorf("Ratio(1s, 0) = %v, want 0", got)
	}
	if got := Share(5, 100); got != 0.05 {
		t.Errorf("Share(5, 100) = %v, want 0.05", got)
	}
	if got := Share(5, 0); got != 0 {
		t.Errorf("Share(5, 0) = %v, want 0", got)
	}
}
