package main

import (
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/render"
	"github.com/capctl/capctl/internal/schema"
)

func goVersion() string { return runtime.Version() }

// orDot returns paths, or "." when none were given.
func orDot(paths []string) []string {
	if len(paths) == 0 {
		return []string{"."}
	}
	return paths
}

// loadConfig loads and validates the capacity files. Schema problems are
// rendered in the chosen format (JSON and annotations to stdout, text to
// stderr) and reported as exit code 1.
func loadConfig(paths []string, g *Globals, e *env) (deploy.Config, error) {
	cfg, err := schema.Load(orDot(paths))
	if err == nil {
		return cfg, nil
	}
	var se *schema.Error
	if !errors.As(err, &se) {
		return deploy.Config{}, err
	}
	if err := renderProblems(g.Output, e, se.Problems); err != nil {
		return deploy.Config{}, err
	}
	return deploy.Config{}, exitCode(1)
}

// renderProblems prints validation problems in the chosen format.
func renderProblems(output string, e *env, probs []deploy.Problem) error {
	switch output {
	case "json":
		return render.ProblemsJSON(e.stdout, probs)
	case "github":
		return render.ProblemsGitHub(e.stdout, probs)
	case "markdown":
		return problemsMarkdown(e.stdout, probs)
	}
	return render.ProblemsText(e.stderr, probs)
}

// problemsMarkdown wraps the text view in a fenced block for a PR comment.
func problemsMarkdown(w io.Writer, probs []deploy.Problem) error {
	if len(probs) == 0 {
		_, err := fmt.Fprintln(w, "**capctl validate:** the capacity files are valid.")
		return err
	}
	fmt.Fprintf(w, "**capctl validate:** %d problem(s) in the capacity files\n\n```\n", len(probs))
	if err := render.ProblemsText(w, probs); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "```")
	return err
}

// filter keeps the workspaces named by --workspace and the deployments whose
// id matches a --target glob. A filter that names a workspace the files do
// not have, or a malformed glob, is an error: a typo must not silently
// select nothing.
func filter(cfg deploy.Config, g *Globals) (deploy.Config, error) {
	for _, ws := range g.Workspace {
		if !slices.ContainsFunc(cfg.Workspaces, func(w deploy.Workspace) bool { return w.ID == ws }) {
			return cfg, fmt.Errorf("--workspace %s: no such workspace in the capacity files", ws)
		}
	}
	for _, t := range g.Target {
		if _, err := path.Match(t, ""); err != nil {
			return cfg, fmt.Errorf("--target %q: %w", t, err)
		}
	}
	var out deploy.Config
	for _, w := range cfg.Workspaces {
		if len(g.Workspace) == 0 || slices.Contains(g.Workspace, w.ID) {
			out.Workspaces = append(out.Workspaces, w)
		}
	}
	for _, d := range cfg.Deployments {
		if (len(g.Workspace) == 0 || slices.Contains(g.Workspace, d.Workspace)) && g.targeted(d.ID) {
			out.Deployments = append(out.Deployments, d)
		}
	}
	return out, nil
}

// targeted reports whether id passes the --target filter.
func (g *Globals) targeted(id string) bool {
	if len(g.Target) == 0 {
		return true
	}
	for _, t := range g.Target {
		if ok, _ := path.Match(t, id); ok {
			return true
		}
	}
	return false
}

// ValidateCmd checks capacity files offline.
type ValidateCmd struct {
	Paths []string `arg:"" optional:"" name:"path" help:"Capacity files or directories (default: the current directory)."`
}

// Run validates and prints every problem found.
func (c *ValidateCmd) Run(g *Globals, e *env) error {
	cfg, err := loadConfig(c.Paths, g, e)
	if err != nil {
		return err
	}
	switch g.Output {
	case "json", "github", "markdown":
		return renderProblems(g.Output, e, nil)
	}
	_, err = fmt.Fprintf(e.stdout, "Valid: %s in %s.\n", render.Plural(len(cfg.Deployments), "deployment"), render.Plural(len(cfg.Workspaces), "workspace"))
	return err
}
