package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// Key and KeyEnv are the API key the simulator accepts and the variable
// the capacity files name for it.
const (
	Key    = "sk-bench"
	KeyEnv = "BENCH_KEY"
)

// Latency is the simulator's latency per API call in every scenario.
const Latency = 20 * time.Millisecond

// Env is what scenarios run with.
type Env struct {
	// Bin is the directory holding the capctl and dashscope-sim binaries.
	Bin string
	// Dir is a scratch directory for fleets, seeds and reports.
	Dir string
	// Quick shrinks every fleet for a smoke test.
	Quick bool
	// HasRate reports whether capctl apply takes --rate.
	HasRate bool
	// Log receives progress lines.
	Log io.Writer
	// Timeout bounds each capctl run; one that takes longer is interrupted
	// and its row fails. Zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a capctl run unless Env.Timeout says otherwise.
const DefaultTimeout = 90 * time.Second

func (e *Env) capctl() string { return filepath.Join(e.Bin, "capctl") }
func (e *Env) sim() string    { return filepath.Join(e.Bin, "dashscope-sim") }

func (e *Env) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}

// DetectRate reports whether capctl apply --help lists a --rate flag.
func DetectRate(ctx context.Context, capctl string) bool {
	out, _ := exec.CommandContext(ctx, capctl, "apply", "--help").CombinedOutput()
	return regexp.MustCompile(`--rate\b`).Match(out)
}

// prepared is a fleet written to disk.
type prepared struct {
	Fleet
	files string // directory of capacity files
	seed  string // simulator seed file
}

// prepare generates spec's fleet and writes its files and seed under
// e.Dir/name.
func (e *Env) prepare(name string, spec FleetSpec) (prepared, error) {
	p := prepared{Fleet: Generate(spec), files: filepath.Join(e.Dir, name, "files"),
		seed: filepath.Join(e.Dir, name, "seed.json")}
	if err := os.MkdirAll(p.files, 0o755); err != nil {
		return p, err
	}
	if err := p.WriteCUE(p.files, KeyEnv); err != nil {
		return p, fmt.Errorf("write fleet: %w", err)
	}
	if err := p.WriteSeed(p.seed, Key); err != nil {
		return p, fmt.Errorf("write seed: %w", err)
	}
	return p, nil
}

// capctlRun runs capctl with args against the simulator at simURL ("" for
// none).
func (e *Env) capctlRun(ctx context.Context, simURL string, args ...string) (Proc, error) {
	env := childEnv(KeyEnv + "=" + Key)
	if simURL != "" {
		env = append(env, "CAPCTL_ENDPOINT="+simURL)
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := Measure(cctx, e.capctl(), args, env)
	if ctx.Err() == nil && cctx.Err() != nil {
		p.TimedOut, err = true, nil
	}
	return p, err
}

// ValidateRuns is how many times capctl validate runs wherever its time is
// used, so that one slow run on a shared machine does not decide a row.
const ValidateRuns = 3

// validate runs capctl validate on dir n times, failing unless every run
// exits 0.
func (e *Env) validate(ctx context.Context, dir string, n int) ([]Proc, error) {
	runs := make([]Proc, 0, n)
	for range n {
		p, err := e.capctlRun(ctx, "", "validate", dir)
		if err == nil && p.ExitCode != 0 {
			err = fmt.Errorf("capctl validate: %s", p.Failure())
		}
		if err != nil {
			return nil, err
		}
		runs = append(runs, p)
	}
	return runs, nil
}

// Median returns the run with the median wall time, carrying the largest
// peak RSS of all runs.
func Median(runs []Proc) Proc {
	if len(runs) == 0 {
		return Proc{}
	}
	m := byWall(runs)[len(runs)/2]
	for _, r := range runs {
		m.PeakRSSKB = max(m.PeakRSSKB, r.PeakRSSKB)
	}
	return m
}

// Fastest returns the run with the least wall time: the validation part of
// an ideal, which is the least time a run could take.
func Fastest(runs []Proc) Proc {
	if len(runs) == 0 {
		return Proc{}
	}
	return byWall(runs)[0]
}

func byWall(runs []Proc) []Proc {
	return slices.SortedFunc(slices.Values(runs), func(a, b Proc) int { return cmp.Compare(a.Wall, b.Wall) })
}
