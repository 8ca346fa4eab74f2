package main

import (
	"context"
	"fmt"
	"os"

	"github.com/capctl/capctl/internal/plan"
	"github.com/capctl/capctl/internal/render"
)

// markdownLimit keeps PR comments under GitHub's 65,536-character limit.
const markdownLimit = 65000

// stepSummaryLimit keeps a job summary under GitHub's 1 MiB limit per step.
const stepSummaryLimit = 1000000

// PlanCmd shows what would change.
type PlanCmd struct {
	Paths            []string `arg:"" optional:"" name:"path" help:"Capacity files or directories (default: the current directory)."`
	Out              string   `help:"Also save the plan as JSON to FILE, for apply --plan." placeholder:"FILE"`
	DetailedExitcode bool     `help:"Exit 0 with no changes, 2 with changes, 1 on any error (errors win)."`
	Rate             float64  `help:"Most API requests per second, over all workspaces (0: no limit; capctl still slows down when the API answers 429)." default:"0" env:"CAPCTL_RATE"`
}

// Run plans and prints the plan.
func (c *PlanCmd) Run(ctx context.Context, g *Globals, e *env) error {
	cfg, err := loadConfig(c.Paths, g, e)
	if err != nil {
		return err
	}
	if cfg, err = filter(cfg, g); err != nil {
		return err
	}
	lim, err := newLimiter(c.Rate)
	if err != nil {
		return err
	}
	client, err := newClient(connsOf(cfg, g), g, e, 5, lim)
	if err != nil {
		return err
	}
	p := computePlan(ctx, cfg, client, g, e)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if c.Out != "" {
		if err := plan.WriteFile(c.Out, p); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
	}
	if err := renderPlan(g, e, p); err != nil {
		return err
	}
	if err := appendStepSummary(e, func(f *os.File) error { return render.PlanMarkdown(f, p, stepSummaryLimit) }); err != nil {
		return err
	}
	switch {
	case p.Summary.Errors > 0:
		return exitCode(1)
	case c.DetailedExitcode && p.Summary.Changed() > 0:
		return exitCode(2)
	}
	return nil
}

// renderPlan prints the plan in the chosen format.
func renderPlan(g *Globals, e *env, p plan.Plan) error {
	switch g.Output {
	case "json":
		return render.PlanJSON(e.stdout, p)
	case "markdown":
		return render.PlanMarkdown(e.stdout, p, markdownLimit)
	case "github":
		return render.PlanGitHub(e.stdout, p)
	}
	return render.PlanText(e.stdout, p, g.color(e))
}

// appendStepSummary appends to the GitHub Actions job summary when the
// runner provides one; elsewhere it does nothing.
func appendStepSummary(e *env, write func(*os.File) error) error {
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("job summary: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	return nil
}
