package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// applyCase is one apply scenario.
type applyCase struct {
	name        string
	parallelism int
	sim         SimOptions
	// maxRatio is the wall/ideal target; 0 for none.
	maxRatio float64
	// rate is passed as capctl apply --rate when capctl has the flag.
	rate float64
	// max429 is the most calls that may be answered 429, as a share of
	// all calls; 0 for no limit.
	max429 float64
}

// reportSummary is the summary of capctl's JSON apply report.
type reportSummary struct {
	Succeeded   int `json:"succeeded"`
	Failed      int `json:"failed"`
	Conflict    int `json:"conflict"`
	Interrupted int `json:"interrupted"`
	Skipped     int `json:"skipped"`
}

// applyOutcome is what one apply run left behind.
type applyOutcome struct {
	proc        Proc
	validate    Proc
	stats       Stats
	summary     reportSummary
	noReport    bool
	unconverged int
}

// runApply times capctl apply --auto-approve over a fleet where every
// deployment needs a change, then checks the simulator holds what the
// files say.
func (e *Env) runApply(ctx context.Context, c applyCase) ([]Result, error) {
	n := e.size(5000, 500)
	spec := FleetSpec{Workspaces: 50, Deployments: n, Changed: n, Seed: 3}
	return e.withSim(ctx, c.name, spec, c.sim, func(p prepared, s *Sim) ([]Result, error) {
		o, err := e.apply(ctx, c, p, s)
		if err != nil {
			return nil, err
		}
		return []Result{c.judge(o, p, e.HasRate)}, nil
	})
}

func (e *Env) apply(ctx context.Context, c applyCase, p prepared, s *Sim) (applyOutcome, error) {
	var o applyOutcome
	runs, err := e.validate(ctx, p.files, ValidateRuns)
	if err != nil {
		return o, err
	}
	o.validate = Fastest(runs)
	report := filepath.Join(filepath.Dir(p.files), "report.json")
	args := []string{"apply", "--auto-approve", "--parallelism", strconv.Itoa(c.parallelism), "--report", report}
	if c.rate > 0 && e.HasRate {
		args = append(args, "--rate", ftoa(c.rate))
	}
	if o.proc, err = e.capctlRun(ctx, s.URL, append(args, p.files)...); err != nil {
		return o, err
	}
	if o.stats, err = s.Stats(ctx); err != nil {
		return o, err
	}
	if o.unconverged, err = s.Unconverged(ctx, p.Fleet); err != nil {
		return o, err
	}
	data, err := os.ReadFile(report)
	if err != nil && o.proc.ExitCode != 0 {
		o.noReport = true // the row fails on the exit code and says why
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("capctl exited 0 but wrote no report: %w", err)
	}
	var rep struct {
		Summary reportSummary `json:"summary"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return o, fmt.Errorf("read report: %w", err)
	}
	o.summary = rep.Summary
	return o, nil
}

// judge turns an outcome into a row.
func (c applyCase) judge(o applyOutcome, p prepared, hasRate bool) Result {
	link := Link{Latency: c.sim.Latency, Parallelism: c.parallelism, Rate: c.sim.Rate, Burst: c.sim.Burst}
	pages, changes := Pages(p.PerWorkspace(), PageSize), p.Count()
	r := Result{Scenario: c.name, N: changes, Wall: o.proc.Wall,
		Ideal: ApplyIdeal(o.validate.Wall, pages, changes, link),
		Calls: o.stats.Total(), PeakRSSKB: o.proc.PeakRSSKB}
	notes := []string{idealNote(o.validate, pages, changes, link)}
	failed := o.summary.Failed + o.summary.Conflict + o.summary.Interrupted
	if o.noReport {
		notes = append(notes, fmt.Sprintf("no report, %d not converged", o.unconverged))
	} else {
		notes = append(notes, fmt.Sprintf("%d failed, %d not converged", failed, o.unconverged))
	}
	ok := o.proc.ExitCode == 0 && failed == 0 && o.unconverged == 0
	var targets []string
	if c.maxRatio > 0 {
		targets = append(targets, fmt.Sprintf("≤ %.2f× ideal", c.maxRatio))
		if r.Ratio() > c.maxRatio {
			ok = false
			notes = append(notes, fmt.Sprintf("ratio %.3f > %.2f", r.Ratio(), c.maxRatio))
		}
	}
	targets = append(targets, "0 failed")
	throttled := o.stats.RateLimited + o.stats.Injected429
	share := Share(throttled, o.stats.Total())
	if c.max429 > 0 {
		targets = append(targets, fmt.Sprintf("< %.0f %% 429", c.max429*100))
		ok = ok && share < c.max429
	}
	notes = append(notes, faultNote(o.stats, share, changes, pages))
	if served := o.stats.ServedNote(); served != "" {
		notes = append(notes, served)
	}
	if o.proc.ExitCode != 0 {
		notes = append(notes, o.proc.Failure())
	}
	r.Target, r.Verdict, r.Note = strings.Join(targets, ", "), verdict(ok), strings.Join(notes, "; ")
	if c.rate > 0 && !hasRate {
		r.Verdict = "n/a (no --rate)"
	}
	return r
}

func idealNote(v Proc, pages, changes int, l Link) string {
	if l.Rate > 0 {
		return fmt.Sprintf("ideal = validate (fastest of %d) %s + max(latency bound, (%d list + %d scale − %d burst) / %g per s)",
			ValidateRuns, FormatDuration(v.Wall), pages, changes, l.Burst, l.Rate)
	}
	return fmt.Sprintf("ideal = validate (fastest of %d) %s + (⌈%d list / %d⌉ + ⌈%d scale / %d⌉) × %s",
		ValidateRuns, FormatDuration(v.Wall), pages, l.Parallelism, changes, l.Parallelism, FormatDuration(l.Latency))
}

func faultNote(st Stats, share float64, changes, pages int) string {
	retries := st.Total() - changes - pages
	s := fmt.Sprintf("429: %d (%.1f %%)", st.RateLimited+st.Injected429, share*100)
	if st.Injected5xx+st.Dropped > 0 {
		s += fmt.Sprintf(", 5xx: %d, dropped: %d", st.Injected5xx, st.Dropped)
	}
	if retries < 0 {
		return s // the run stopped before every change had its call
	}
	return s + fmt.Sprintf(", %d calls beyond one per page and change", retries)
}
