package bench

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGenerateShape(t *testing.T) {
	tests := map[string]FleetSpec{
		"plan fleet":      {Workspaces: 100, Deployments: 10000, Changed: 1000, Seed: 2},
		"all changed":     {Workspaces: 50, Deployments: 5000, Changed: 5000, Seed: 3},
		"uneven":          {Workspaces: 7, Deployments: 100, Changed: 33, Seed: 4},
		"more than fleet": {Workspaces: 3, Deployments: 10, Changed: 99, Seed: 5},
	}
	for name, spec := range tests {
		t.Run(name, func(t *testing.T) {
			f := Generate(spec)
			if got := len(f.Deployments); got != spec.Deployments {
				t.Fatalf("len(Deployments) = %d, want %d", got, spec.Deployments)
			}
			if got := len(f.Workspaces); got != spec.Workspaces {
				t.Errorf("len(Workspaces) = %d, want %d", got, spec.Workspaces)
			}
			if got, want := f.Count(), min(spec.Changed, spec.Deployments); got != want {
				t.Errorf("Count() = %d, want %d", got, want)
			}
			if got, want := f.PerWorkspace(), Spread(spec.Deployments, spec.Workspaces); !reflect.DeepEqual(got, want) {
				t.Errorf("PerWorkspace() = %v, want %v", got, want)
			}
			ptu := 0
			for _, d := range f.Deployments {
				if d.Plan == "ptu" {
					ptu++
				}
				checkDeployment(t, d)
			}
			if got, want := ptu, spec.Deployments/5; got != want {
				t.Errorf("%d ptu deployments, want %d", got, want)
			}
		})
	}
}

// checkDeployment checks d could be accepted by the schema and the
// simulator, live and desired.
func checkDeployment(t *testing.T, d Deployment) {
	t.Helper()
	switch d.Plan {
	case "mu":
		for _, c := range []int{d.Live, d.Desired} {
			if d.Base <= 0 || c <= 0 || c >= 1000 || c%d.Base != 0 {
				t.Errorf("%s/%s: capacity %d with base %d", d.Workspace, d.ID, c, d.Base)
			}
		}
	case "ptu":
		for _, c := range []TPM{d.LiveTPM, d.DesiredTPM} {
			if c.Input <= 0 || c.Output <= 0 {
				t.Errorf("%s/%s: ptu capacity %+v", d.Workspace, d.ID, c)
			}
		}
	default:
		t.Errorf("%s/%s: plan %q", d.Workspace, d.ID, d.Plan)
	}
}

func TestGenerateRepeatable(t *testing.T) {
	spec := FleetSpec{Workspaces: 4, Deployments: 40, Changed: 10, Seed: 9}
	if a, b := Generate(spec), Generate(spec); !reflect.DeepEqual(a, b) {
		t.Error("Generate gave two fleets for one spec")
	}
}

func TestSpread(t *testing.T) {
	tests := map[string]struct {
		n, k int
		want []int
	}{
		"even":      {10, 5, []int{2, 2, 2, 2, 2}},
		"remainder": {11, 3, []int{4, 4, 3}},
		"fewer":     {2, 4, []int{1, 1, 0, 0}},
		"no bucket": {5, 0, nil},
	}
	for name, tc := range tests {
		if got := Spread(tc.n, tc.k); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Spread(%d, %d) = %v, want %v", name, tc.n, tc.k, got, tc.want)
		}
	}
}

func TestWorkspaceCUE(t *testing.T) {
	ds := []Deployment{
		{Workspace: "llm-w000", ID: "d-000-0000", Plan: "mu", Base: 2, Live: 4, Desired: 6},
		{Workspace: "llm-w000", ID: "d-000-0001", Plan: "ptu", LiveTPM: TPM{10000, 1000}, DesiredTPM: TPM{20000, 2000}},
	}
	var b strings.Builder
	w := bufio.NewWriter(&b)
	WorkspaceCUE(w, "llm-w000", "BENCH_KEY", ds)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `package capacity

workspaces: "llm-w000": {
	api_key_env: "BENCH_KEY"
	deployments: {
		"d-000-0000": {plan: "mu", base_capacity: 2, capacity: 6}
		"d-000-0001": {plan: "ptu", ptu_capacity: {input_tpm: 20000, output_tpm: 2000}}
	}
}
`
	if got := b.String(); got != want {
		t.Errorf("WorkspaceCUE() =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteCUEOneFilePerWorkspace(t *testing.T) {
	dir := t.TempDir()
	f := Generate(FleetSpec{Workspaces: 3, Deployments: 7, Seed: 1})
	if err := f.WriteCUE(dir, KeyEnv); err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.cue"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"llm-w000.cue", "llm-w001.cue", "llm-w002.cue"}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}

func TestSeedMatchesLiveState(t *testing.T) {
	f := Fleet{
		Workspaces: []string{"llm-w000"},
		Deployments: []Deployment{
			{Workspace: "llm-w000", ID: "a", Plan: "mu", Base: 1, Live: 2, Desired: 3},
			{Workspace: "llm-w000", ID: "b", Plan: "ptu", LiveTPM: TPM{10000, 1000}, DesiredTPM: TPM{20000, 2000}},
		},
	}
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := f.WriteSeed(path, "sk-x"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var want any
	wantJSON := `{"keys": [{"key": "sk-x", "workspaces": ["llm-w000"]}], "deployments": [
		{"workspace_id": "llm-w000", "deployed_model": "a", "model_name": "qwen3-8b", "plan": "mu", "status": "RUNNING",
		 "capacity": 2, "ready_capacity": 2, "base_capacity": 1},
		{"workspace_id": "llm-w000", "deployed_model": "b", "model_name": "qwen3-8b", "plan": "ptu", "status": "RUNNING",
		 "ptu_capacity": {"input_tpm": 10000, "output_tpm": 1000}}]}`
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("seed =\n%s\nwant\n%s", data, wantJSON)
	}
}

func TestSample(t *testing.T) {
	ds := Generate(FleetSpec{Workspaces: 1, Deployments: 10, Seed: 1}).Deployments
	tests := map[string]struct {
		k    int
		want []string
	}{
		"every other": {5, []string{"d-000-0000", "d-000-0002", "d-000-0004", "d-000-0006", "d-000-0008"}},
		"all":         {10, nil},
		"more":        {20, nil},
	}
	for name, tc := range tests {
		got := Sample(ds, tc.k)
		if tc.want == nil {
			if len(got) != len(ds) {
				t.Errorf("%s: Sample(k=%d) has %d items, want all %d", name, tc.k, len(got), len(ds))
			}
			continue
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%s: Sample(k=%d) = %v, want %v", name, tc.k, ids, tc.want)
		}
	}
}

func TestScaleBody(t *testing.T) {
	tests := map[string]struct {
		d    Deployment
		want string
	}{
		"mu":  {Deployment{Plan: "mu", Base: 2, Live: 2, Desired: 4}, `{"capacity":4}`},
		"ptu": {Deployment{Plan: "ptu", DesiredTPM: TPM{20000, 2000}}, `{"ptu_capacity":{"input_tpm":20000,"output_tpm":2000}}`},
	}
	for name, tc := range tests {
		if got := string(ScaleBody(tc.d)); got != tc.want {
			t.Errorf("%s: ScaleBody() = %s, want %s", name, got, tc.want)
		}
	}
}
