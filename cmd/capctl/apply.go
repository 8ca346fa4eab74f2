package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/dashscope"
	"github.com/capctl/capctl/internal/journal"
	"github.com/capctl/capctl/internal/plan"
	"github.com/capctl/capctl/internal/render"
)

// ApplyCmd scales deployments.
type ApplyCmd struct {
	Paths       []string      `arg:"" optional:"" name:"path" help:"Capacity files or directories (default: the current directory)."`
	Plan        string        `help:"Apply exactly this saved plan (from plan --out) instead of planning now." placeholder:"FILE"`
	AutoApprove bool          `help:"Apply without asking for confirmation (needed when stdin is not a terminal)."`
	Wait        bool          `help:"After each scale call, wait until the deployment is RUNNING at its new capacity."`
	WaitTimeout time.Duration `help:"How long --wait waits for one deployment." default:"15m"`
	MaxRetries  int           `help:"Retries of a call answered 429, 5xx or lost on the network." default:"5"`
	Report      string        `help:"Write the JSON report to FILE." placeholder:"FILE"`
	Junit       string        `name:"junit" help:"Write a JUnit XML report to FILE (one test case a deployment)." placeholder:"FILE"`
	Rate        float64       `help:"Most API requests per second, over all workspaces (0: no limit; capctl still slows down when the API answers 429)." default:"0" env:"CAPCTL_RATE"`
}

// errNoApproval is returned when nobody can be asked to approve.
var errNoApproval = errors.New("refusing to apply: stdin is not a terminal, so no one can approve; pass --auto-approve to apply without confirmation")

// Run plans (or reads a saved plan), asks for approval and applies.
func (c *ApplyCmd) Run(ctx context.Context, g *Globals, e *env) error {
	if c.Plan != "" && len(c.Paths) > 0 {
		return errors.New("apply: give either --plan FILE or capacity paths, not both")
	}
	if !c.AutoApprove && !e.stdinTTY {
		return errNoApproval
	}
	if c.MaxRetries < 0 {
		return fmt.Errorf("--max-retries must be 0 or more, got %d", c.MaxRetries)
	}
	// One budget for the plan's reads and the scale calls; it also counts
	// the 429 answers of both for the summary.
	lim, err := newLimiter(c.Rate)
	if err != nil {
		return err
	}
	p, client, err := c.prepare(ctx, g, e, lim)
	if err != nil {
		return err
	}
	if g.Output == "text" || g.Output == "github" {
		if err := render.PlanText(e.stdout, p, g.color(e)); err != nil {
			return err
		}
	}
	if p.Summary.Changed() > 0 && !c.AutoApprove {
		if err := confirm(ctx, e, p.Summary.Changed()); err != nil {
			return err
		}
	}
	jr, err := c.startOutputs(e)
	if err != nil {
		return err
	}
	if jr != nil {
		defer jr.Close()
	}
	rep := c.execute(ctx, client, p, g, e, journalResults(jr))
	rep.Summary.Throttled = lim.Throttles()
	if err := c.writeOutputs(g, e, rep, jr); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil || rep.Summary.Interrupted > 0:
		return exitCode(130)
	case rep.Summary.Failed > 0 || rep.Summary.Conflict > 0:
		return exitCode(1)
	}
	return nil
}

// prepare returns the plan to apply and a client for its workspaces.
func (c *ApplyCmd) prepare(ctx context.Context, g *Globals, e *env, lim dashscope.Limiter) (plan.Plan, *dashscope.Client, error) {
	if c.Plan != "" {
		p, err := readPlanFile(c.Plan)
		if err != nil {
			return p, nil, err
		}
		p = filterPlan(p, g)
		client, err := newClient(connsOfPlan(p, g), g, e, c.MaxRetries, lim)
		return p, client, err
	}
	cfg, err := loadConfig(c.Paths, g, e)
	if err != nil {
		return plan.Plan{}, nil, err
	}
	if cfg, err = filter(cfg, g); err != nil {
		return plan.Plan{}, nil, err
	}
	client, err := newClient(connsOf(cfg, g), g, e, c.MaxRetries, lim)
	if err != nil {
		return plan.Plan{}, nil, err
	}
	p := computePlan(ctx, cfg, client, g, e)
	if err := ctx.Err(); err != nil {
		return p, nil, exitCode(130)
	}
	return p, client, nil
}

// confirm asks on the terminal; only "yes" goes on.
func confirm(ctx context.Context, e *env, n int) error {
	fmt.Fprintf(e.stdout, "\nApply %d changes? Only 'yes' will be accepted: ", n)
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() { // a read cannot be cancelled; an interrupt must not wait for it
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		ch <- answer{line, err}
	}()
	var line string
	select {
	case <-ctx.Done():
		fmt.Fprintln(e.stdout, "\nApply cancelled.")
		return exitCode(130)
	case a := <-ch:
		if a.err != nil && a.line == "" {
			return fmt.Errorf("read approval: %w", a.err)
		}
		line = a.line
	}
	if strings.TrimSpace(line) != "yes" {
		fmt.Fprintln(e.stdout, "Apply cancelled.")
		return exitCode(1)
	}
	return nil
}

// execute runs the plan, drawing progress on stderr and passing each
// result to onResult as soon as it is known.
func (c *ApplyCmd) execute(ctx context.Context, client apply.Client, p plan.Plan, g *Globals, e *env, onResult func(apply.Result)) apply.Report {
	total := len(p.Changes) + len(p.Errors)
	prog := render.NewProgress(e.stderr, total, e.stderrTTY, time.Now)
	rep := apply.Run(ctx, client, p, apply.Options{
		Parallelism: g.Parallelism,
		CheckBefore: c.Plan != "",
		Wait:        c.Wait,
		WaitTimeout: c.WaitTimeout,
		Events: func(ev apply.Event) {
			if ev.Kind == apply.Finished {
				onResult(ev.Result) // before the progress line that announces it
			}
			prog.Event(ev)
		},
	})
	prog.Done()
	return rep
}

// writeOutputs prints the report and writes the report files. The journal
// jr, if any, is removed once the complete report is on disk; when the
// report cannot be written, the journal stays as the record of the run.
func (c *ApplyCmd) writeOutputs(g *Globals, e *env, rep apply.Report, jr *journal.Writer) error {
	if c.Report != "" {
		if err := writeFileAtomic(c.Report, func(f *os.File) error { return render.ReportJSON(f, rep) }); err != nil {
			if jr != nil && jr.Close() == nil {
				return fmt.Errorf("write report: %w (every result is in %s)", err, jr.Path())
			}
			return fmt.Errorf("write report: %w", err)
		}
		if jr != nil {
			if err := jr.Remove(); err != nil {
				return err
			}
		}
	}
	if c.Junit != "" {
		if err := writeFileAtomic(c.Junit, func(f *os.File) error { return render.ReportJUnit(f, rep) }); err != nil {
			return fmt.Errorf("write junit: %w", err)
		}
	}
	if err := appendStepSummary(e, func(f *os.File) error { return render.ReportMarkdown(f, rep, stepSummaryLimit) }); err != nil {
		return err
	}
	switch g.Output {
	case "json":
		return render.ReportJSON(e.stdout, rep)
	case "markdown":
		return render.ReportMarkdown(e.stdout, rep, markdownLimit)
	}
	return render.ReportText(e.stdout, rep, g.color(e))
}
