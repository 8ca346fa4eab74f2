package bench

import (
	"context"
	"fmt"
	"time"
)

// runSequential times a loop of scale calls, one after the other, on an
// evenly spread sample of the apply fleet and extrapolates to the whole
// fleet, which keeps the run within its time budget.
func (e *Env) runSequential(ctx context.Context) ([]Result, error) {
	n, sample := e.size(5000, 500), e.size(500, 50)
	spec := FleetSpec{Workspaces: 50, Deployments: n, Changed: n, Seed: 3}
	return e.withSim(ctx, "baseline-seq", spec, SimOptions{Latency: Latency}, func(p prepared, s *Sim) ([]Result, error) {
		picked := Sample(p.Deployments, sample)
		wall, failed := ScaleSequential(ctx, s.URL, Key, picked)
		st, err := s.Stats(ctx)
		if err != nil {
			return nil, err
		}
		est := time.Duration(float64(wall) * float64(n) / float64(len(picked)))
		note := fmt.Sprintf("curl-style loop, in Go: one scale call after another; measured %d calls in %s and extrapolated ×%g; ideal = %d × %s",
			len(picked), FormatDuration(wall), float64(n)/float64(len(picked)), n, FormatDuration(Latency))
		if failed > 0 {
			note += fmt.Sprintf("; %d calls failed", failed)
		}
		if served := st.ServedNote(); served != "" {
			note += "; " + served
		}
		return []Result{{Scenario: "baseline-seq", N: n, Wall: est, Ideal: time.Duration(n) * Latency,
			Calls: st.Total(), Verdict: Info, Note: note}}, nil
	})
}

// Sample returns k items of ds spread evenly over it, or all of ds when
// k >= len(ds).
func Sample(ds []Deployment, k int) []Deployment {
	if k >= len(ds) || k <= 0 {
		return ds
	}
	out := make([]Deployment, k)
	for i := range out {
		out[i] = ds[i*len(ds)/k]
	}
	return out
}
