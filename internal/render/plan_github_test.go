package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

func TestWriteCommandEscapes(t *testing.T) {
	tests := map[string]struct {
		pos  deploy.Pos
		msg  string
		want string
	}{
		"plain":    {deploy.Pos{}, "ws/d: gone", "::error title=t::ws/d: gone\n"},
		"position": {deploy.Pos{File: "a.cue", Line: 3, Col: 5}, "m", "::error file=a.cue,line=3,col=5,title=t::m\n"},
		"data":     {deploy.Pos{}, "100%\r\nnext", "::error title=t::100%25%0D%0Anext\n"},
		"property": {deploy.Pos{File: "c:/x,y%.cue", Line: 1}, "m", "::error file=c%3A/x%2Cy%25.cue,line=1,title=t::m\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			writeCommand(&buf, "error", tt.pos, "t", tt.msg)
			if buf.String() != tt.want {
				t.Errorf("writeCommand() = %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

func TestPlanGitHubCapsNotices(t *testing.T) {
	p := plan.Plan{FormatVersion: plan.FormatVersion}
	for i := range MaxGitHubNotices + 5 {
		p.Changes = append(p.Changes, plan.Change{Workspace: "w", DeployedModel: fmt.Sprintf("d%03d", i), Plan: deploy.PlanMU,
			Action: plan.ScaleUp, Before: plan.State{Capacity: ip(1)}, After: plan.State{Capacity: ip(2)}})
	}
	p.Summary = plan.Summarize(p)
	var buf bytes.Buffer
	if err := PlanGitHub(&buf, p); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "::notice "); n != MaxGitHubNotices {
		t.Errorf("notices = %d, want %d", n, MaxGitHubNotices)
	}
	if !strings.Contains(buf.String(), "5 more changes not annotated.\n"+PlanSummary(p.Summary)+"\n") {
		t.Errorf("output lacks the count of the rest and the summary:\n%s", buf.String())
	}
}
