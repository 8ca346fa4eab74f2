package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

func TestUnifiedDiff(t *testing.T) {
	tests := map[string]struct {
		live, desired []string
		want          string
	}{
		"one change": {
			live:    []string{"input_tpm = 1", "output_tpm = 2"},
			desired: []string{"input_tpm = 1", "output_tpm = 3"},
			want:    "--- live\n+++ desired\n@@ -1,2 +1,2 @@\n input_tpm = 1\n-output_tpm = 2\n+output_tpm = 3\n",
		},
		"added line": {
			live:    []string{"a = 1"},
			desired: []string{"a = 1", "b = 2"},
			want:    "--- live\n+++ desired\n@@ -1,1 +1,2 @@\n a = 1\n+b = 2\n",
		},
		"from nothing": {
			desired: []string{"a = 1"},
			want:    "--- live\n+++ desired\n@@ -0,0 +1,1 @@\n+a = 1\n",
		},
		"two hunks": {
			live:    []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
			desired: []string{"A", "b", "c", "d", "e", "f", "g", "h", "i", "J"},
			want: "--- live\n+++ desired\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n" +
				"@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J\n",
		},
		"merged hunk": {
			live:    []string{"a", "b", "c", "d", "e", "f", "g", "h"},
			desired: []string{"A", "b", "c", "d", "e", "f", "g", "H"},
			want:    "--- live\n+++ desired\n@@ -1,8 +1,8 @@\n-a\n+A\n b\n c\n d\n e\n f\n g\n-h\n+H\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			writeUnifiedDiff(&buf, tt.live, tt.desired, "", Style{})
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("writeUnifiedDiff() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanTextUnmanaged(t *testing.T) {
	tests := map[string]struct {
		n    int
		want []string
	}{
		"listed":  {MaxUnmanagedListed, []string{"Unmanaged (never touched): 20\n  w/d00\n"}},
		"counted": {MaxUnmanagedListed + 1, []string{"Unmanaged (never touched): 21 (listed by -o json)\n\nNo changes.\n"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p := plan.Plan{FormatVersion: plan.FormatVersion}
			for i := range tt.n {
				p.Unmanaged = append(p.Unmanaged, deploy.Key{Workspace: "w", ID: "d" + string(rune('0'+i/10)) + string(rune('0'+i%10))})
			}
			var buf bytes.Buffer
			if err := PlanText(&buf, p, false); err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("PlanText() = %q, want it to contain %q", buf.String(), want)
				}
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	ptu := func(in, out int, thinking *int) *deploy.PTU {
		return &deploy.PTU{InputTPM: in, OutputTPM: out, ThinkingOutputTPM: thinking}
	}
	tests := map[string]struct {
		c    plan.Change
		want string
	}{
		"mu": {plan.Change{Plan: deploy.PlanMU, Before: plan.State{Capacity: ip(4)}, After: plan.State{Capacity: ip(0)}}, "capacity 4 → 0 (-4)"},
		"ptu thinking set": {plan.Change{Plan: deploy.PlanPTU, Before: plan.State{PTUCapacity: ptu(1, 1, nil)}, After: plan.State{PTUCapacity: ptu(1, 1, ip(5))}},
			"thinking_output_tpm unset → 5 (+5)"},
		"ptu thinking left": {plan.Change{Plan: deploy.PlanPTU, Before: plan.State{PTUCapacity: ptu(1, 1, ip(9))}, After: plan.State{PTUCapacity: ptu(2, 1, nil)}},
			"input_tpm 1 → 2 (+1)"},
		"nothing": {plan.Change{Plan: deploy.PlanMU, Before: plan.State{Capacity: ip(4)}, After: plan.State{Capacity: ip(4)}}, "no change"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, describe(tt.c)); diff != "" {
				t.Errorf("describe() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
