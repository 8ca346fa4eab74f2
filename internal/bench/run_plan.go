package bench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// planMaxWall is the plan scenario's end-to-end target, and planMinSpeedup
// how much faster than the per-deployment GET baseline it must be.
const (
	planMaxWall    = 1500 * time.Millisecond
	planMinSpeedup = 10
)

// runPlan times capctl plan over a fleet with a tenth of it changed, then
// the GET-each baseline over the same simulator.
func (e *Env) runPlan(ctx context.Context) ([]Result, error) {
	n := e.size(10000, 1000)
	spec := FleetSpec{Workspaces: 100, Deployments: n, Changed: n / 10, Seed: 2}
	return e.withSim(ctx, "plan-10k", spec, SimOptions{Latency: Latency}, func(p prepared, s *Sim) ([]Result, error) {
		link := Link{Latency: Latency, Parallelism: 10}
		runs, err := e.validate(ctx, p.files, ValidateRuns)
		if err != nil {
			return nil, err
		}
		v := Fastest(runs)
		proc, err := e.capctlRun(ctx, s.URL, "plan", "--parallelism", "10", p.files)
		if err != nil {
			return nil, err
		}
		st, err := s.Stats(ctx)
		if err != nil {
			return nil, err
		}
		pages := Pages(p.PerWorkspace(), PageSize)
		r := Result{Scenario: "plan-10k", N: n, Wall: proc.Wall, Ideal: PlanIdeal(v.Wall, pages, link),
			Calls: st.Total(), PeakRSSKB: proc.PeakRSSKB,
			Target: fmt.Sprintf("≤ %s, ≥ %d× faster than GET each", FormatDuration(planMaxWall), planMinSpeedup)}
		notes := []string{fmt.Sprintf("ideal = validate (fastest of %d) %s + ⌈%d pages / 10⌉ × %s",
			ValidateRuns, FormatDuration(v.Wall), pages, FormatDuration(Latency))}
		if proc.ExitCode != 0 {
			notes = append(notes, proc.Failure())
		}
		if extra := st.Total() - st.Calls[RouteList]; extra > 0 {
			notes = append(notes, fmt.Sprintf("%d calls besides list", extra))
		}
		if served := st.ServedNote(); served != "" {
			notes = append(notes, served)
		}

		base, err := e.getEachBaseline(ctx, p, s, link)
		speedup := Ratio(base.Wall, proc.Wall)
		notes = append(notes, fmt.Sprintf("%.1f× faster than GET each", speedup))
		r.Verdict = verdict(proc.ExitCode == 0 && proc.Wall <= planMaxWall && speedup >= planMinSpeedup)
		r.Note = strings.Join(notes, "; ")
		if err != nil {
			return []Result{r}, err
		}
		return []Result{r, base}, nil
	})
}

// getEachBaseline reads every deployment of p with its own GET, as many
// at once as link allows.
func (e *Env) getEachBaseline(ctx context.Context, p prepared, s *Sim, link Link) (Result, error) {
	if err := s.ResetStats(ctx); err != nil {
		return Result{}, err
	}
	wall, failed := GetEach(ctx, s.URL, Key, p.Deployments, link.Parallelism)
	st, err := s.Stats(ctx)
	if err != nil {
		return Result{}, err
	}
	n := len(p.Deployments)
	note := fmt.Sprintf("Terraform-style refresh, in Go: one GET per deployment, %d at once; ideal = ⌈%d / %d⌉ × %s",
		link.Parallelism, n, link.Parallelism, FormatDuration(Latency))
	if failed > 0 {
		note += fmt.Sprintf("; %d calls failed", failed)
	}
	if served := st.ServedNote(); served != "" {
		note += "; " + served
	}
	return Result{Scenario: "baseline-get-each", N: n, Wall: wall, Ideal: link.latencyBound(n),
		Calls: st.Total(), Verdict: Info, Note: note}, nil
}
