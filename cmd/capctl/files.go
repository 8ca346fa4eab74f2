package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/capctl/capctl/internal/plan"
)

// writeFileAtomic writes path through a temporary file in the same
// directory and a rename, so a reader never sees half a file. The file is
// created with mode 0600: reports describe production capacity. The file
// and, best effort, its directory are synced before it returns, so the new
// file survives a machine crash once writeFileAtomic has returned.
func writeFileAtomic(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// readPlanFile reads and checks a saved plan.
func readPlanFile(path string) (plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return plan.Plan{}, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		return plan.Plan{}, fmt.Errorf("read plan %s: %w", path, err)
	}
	return p, nil
}

// planWorkspaces records how each workspace is reached, so a saved plan can
// be applied without the capacity files. Only variable names are stored.
func planWorkspaces(conns []wsConn) []plan.Workspace {
	out := make([]plan.Workspace, 0, len(conns))
	for _, c := range conns {
		out = append(out, plan.Workspace{ID: c.ID, BaseURL: c.BaseURL, APIKeyEnv: c.APIKeyEnv})
	}
	return out
}

// connsOfPlan returns the connections a saved plan records, with the global
// --endpoint overriding every host.
func connsOfPlan(p plan.Plan, g *Globals) []wsConn {
	out := make([]wsConn, 0, len(p.Workspaces))
	for _, w := range p.Workspaces {
		base := w.BaseURL
		if g.Endpoint != "" {
			base = g.Endpoint
		}
		out = append(out, wsConn{ID: w.ID, BaseURL: base, APIKeyEnv: w.APIKeyEnv})
	}
	return out
}

// filterPlan keeps the entries of a saved plan that pass --workspace and --target.
func filterPlan(p plan.Plan, g *Globals) plan.Plan {
	keep := func(ws, id string) bool {
		return (len(g.Workspace) == 0 || slices.Contains(g.Workspace, ws)) && g.targeted(id)
	}
	p.Changes = slices.DeleteFunc(p.Changes, func(c plan.Change) bool { return !keep(c.Workspace, c.DeployedModel) })
	p.Errors = slices.DeleteFunc(p.Errors, func(x plan.Error) bool { return !keep(x.Workspace, x.DeployedModel) })
	p.Workspaces = slices.DeleteFunc(p.Workspaces, func(w plan.Workspace) bool {
		return len(g.Workspace) > 0 && !slices.Contains(g.Workspace, w.ID)
	})
	p.Summary = plan.Summarize(p)
	return p
}
