package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"time"
)

// Scenario is one named benchmark; it yields one or more table rows.
type Scenario struct {
	// Name is what -only matches, e.g. "plan-10k".
	Name string
	run  func(e *Env, ctx context.Context) ([]Result, error)
}

// Scenarios returns every scenario, in the order they run.
func Scenarios() []Scenario {
	return []Scenario{
		{"validate-10k", func(e *Env, ctx context.Context) ([]Result, error) {
			return e.runValidate(ctx, "validate-10k", e.size(10000, 1000), ValidateRuns, time.Second, 150)
		}},
		{"validate-50k", func(e *Env, ctx context.Context) ([]Result, error) {
			// One run: three would take a third of the time budget.
			return e.runValidate(ctx, "validate-50k", e.size(50000, 5000), 1, 5500*time.Millisecond, 0)
		}},
		{"plan-10k", (*Env).runPlan},
		{"apply-p10", func(e *Env, ctx context.Context) ([]Result, error) {
			return e.runApply(ctx, applyCase{name: "apply-p10", parallelism: 10,
				sim: SimOptions{Latency: Latency}, maxRatio: 1.10})
		}},
		{"apply-p50", func(e *Env, ctx context.Context) ([]Result, error) {
			return e.runApply(ctx, applyCase{name: "apply-p50", parallelism: 50,
				sim: SimOptions{Latency: Latency}, maxRatio: 1.20})
		}},
		{"apply-rate200", func(e *Env, ctx context.Context) ([]Result, error) {
			return e.runApply(ctx, applyCase{name: "apply-rate200", parallelism: 10,
				sim: SimOptions{Latency: Latency, Rate: 200, Burst: 20}, maxRatio: 1.20, rate: 200, max429: 0.05})
		}},
		{"apply-faults", func(e *Env, ctx context.Context) ([]Result, error) {
			return e.runApply(ctx, applyCase{name: "apply-faults", parallelism: 10,
				sim: SimOptions{Latency: Latency, P429: 0.10, P5xx: 0.02}})
		}},
		{"baseline-seq", (*Env).runSequential},
	}
}

// Run runs the scenarios whose names match only (nil: all) and returns
// their rows. A scenario that cannot run yields an Error row saying why,
// and the rest still run.
func Run(ctx context.Context, e *Env, only *regexp.Regexp) []Result {
	var out []Result
	for _, s := range Scenarios() {
		if only != nil && !only.MatchString(s.Name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		e.logf("running %s", s.Name)
		start := time.Now()
		rows, err := s.run(e, ctx)
		out = append(out, rows...)
		if err != nil {
			out = append(out, Result{Scenario: s.Name, Calls: -1, Verdict: Error, Note: err.Error()})
		}
		e.logf("  %s done in %s", s.Name, time.Since(start).Round(time.Millisecond))
	}
	return out
}

// size picks the full or the quick size of a fleet.
func (e *Env) size(full, quick int) int {
	if e.Quick {
		return quick
	}
	return full
}

func verdict(ok bool) string {
	if ok {
		return Pass
	}
	return Fail
}

func (e *Env) runValidate(ctx context.Context, name string, n, runs int, maxWall time.Duration, maxMB int) ([]Result, error) {
	p, err := e.prepare(name, FleetSpec{Workspaces: 100, Deployments: n, Seed: 1})
	if err != nil {
		return nil, err
	}
	procs, err := e.validate(ctx, p.files, runs)
	if err != nil {
		return nil, err
	}
	proc := Median(procs)
	r := Result{Scenario: name, N: n, Wall: proc.Wall, Calls: -1, PeakRSSKB: proc.PeakRSSKB,
		Target: "≤ " + FormatDuration(maxWall), Note: fmt.Sprintf("%d workspaces, one file each; %s", len(p.Workspaces), runsNote(runs))}
	ok := proc.Wall <= maxWall
	if maxMB > 0 {
		r.Target += fmt.Sprintf(", ≤ %d MB", maxMB)
		ok = ok && float64(proc.PeakRSSKB)*1024 <= float64(maxMB)*1e6
	}
	r.Verdict = verdict(ok)
	return []Result{r}, nil
}

// withSim prepares spec's fleet as name, starts a simulator on it and
// calls f.
func (e *Env) withSim(ctx context.Context, name string, spec FleetSpec, o SimOptions,
	f func(p prepared, s *Sim) ([]Result, error)) ([]Result, error) {
	p, err := e.prepare(name, spec)
	if err != nil {
		return nil, err
	}
	s, err := StartSim(ctx, e.sim(), filepath.Dir(p.seed), p.seed, o)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	return f(p, s)
}

func runsNote(runs int) string {
	if runs == 1 {
		return "one run"
	}
	return fmt.Sprintf("median of %d runs", runs)
}
