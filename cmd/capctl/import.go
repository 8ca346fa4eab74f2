package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/capctl/capctl/internal/deploy"
)

// ImportCmd prints CUE for what is live.
type ImportCmd struct {
	Region    string `help:"Region of the workspaces: cn-beijing, ap-southeast-1, us-east-1 or cn-hongkong." default:"ap-southeast-1" enum:"cn-beijing,ap-southeast-1,us-east-1,cn-hongkong"`
	APIKeyEnv string `name:"api-key-env" help:"Environment variable holding the API key." default:"DASHSCOPE_API_KEY"`
}

// Run lists the workspaces given with --workspace and prints them as CUE.
func (c *ImportCmd) Run(ctx context.Context, g *Globals, e *env) error {
	if len(g.Workspace) == 0 {
		return fmt.Errorf("import: name at least one workspace with --workspace ID")
	}
	var ws []deploy.Workspace
	for _, id := range g.Workspace {
		ws = append(ws, deploy.Workspace{ID: id, Region: c.Region, APIKeyEnv: c.APIKeyEnv})
	}
	conns := connsOf(deploy.Config{Workspaces: ws}, g)
	client, err := newClient(conns, g, e, 5, nil)
	if err != nil {
		return err
	}
	live, unreadable := readLive(ctx, client, conns, g.Parallelism, g.logger(e))
	for _, id := range g.Workspace {
		if msg, ok := unreadable[id]; ok {
			return fmt.Errorf("import %s: %s", id, msg)
		}
	}
	return writeCUE(e.stdout, ws, live, g.targeted)
}

// writeCUE prints live deployments as a capacity file. Plans capctl cannot
// scale are listed in comments so nothing live goes unmentioned.
func writeCUE(w io.Writer, ws []deploy.Workspace, live []deploy.Live, keep func(string) bool) error {
	fmt.Fprintf(w, "package capacity\n\n// Imported by capctl import on %s.\n", time.Now().UTC().Format(time.RFC3339))
	for _, wsp := range ws {
		fmt.Fprintf(w, "\nworkspaces: %s: {\n", strconv.Quote(wsp.ID))
		fmt.Fprintf(w, "\tregion:      %s\n\tapi_key_env: %s\n\tdeployments: {\n", strconv.Quote(wsp.Region), strconv.Quote(wsp.APIKeyEnv))
		var skipped []deploy.Live
		for _, l := range live {
			if l.Workspace != wsp.ID || !keep(l.ID) {
				continue
			}
			line, ok := cueDeployment(l)
			if !ok {
				skipped = append(skipped, l)
				continue
			}
			fmt.Fprintf(w, "\t\t%s: %s\n", strconv.Quote(l.ID), line)
		}
		fmt.Fprint(w, "\t}\n")
		for _, l := range skipped {
			fmt.Fprintf(w, "\t// not manageable by capctl (plan %q): %s\n", l.Plan, l.ID)
		}
		fmt.Fprint(w, "}\n")
	}
	return nil
}

// cueDeployment renders one live deployment, or reports that its plan
// cannot be managed.
func cueDeployment(l deploy.Live) (string, bool) {
	switch {
	case l.Plan == string(deploy.PlanMU):
		if l.BaseCapacity > 0 {
			return fmt.Sprintf("{plan: \"mu\", base_capacity: %d, capacity: %d}", l.BaseCapacity, l.Capacity), true
		}
		return fmt.Sprintf("{plan: \"mu\", capacity: %d}", l.Capacity), true
	case l.Plan == string(deploy.PlanPTU) && l.PTU != nil:
		p := *l.PTU
		s := fmt.Sprintf("input_tpm: %d, output_tpm: %d", p.InputTPM, p.OutputTPM)
		if p.ThinkingOutputTPM != nil {
			s += fmt.Sprintf(", thinking_output_tpm: %d", *p.ThinkingOutputTPM)
		}
		return "{plan: \"ptu\", ptu_capacity: {" + s + "}}", true
	}
	return "", false
}
