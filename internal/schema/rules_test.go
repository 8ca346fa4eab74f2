package schema

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
)

// dep is a one-line file declaring deployment d of workspace w; body starts
// at column 33.
func dep(body string) string {
	return "workspaces: w: deployments: d: {" + body + "}\n"
}

// ws is a one-line file declaring workspace w; body starts at column 17.
func ws(body string) string {
	return "workspaces: w: {" + body + "}\n"
}

const dpath = "workspaces.w.deployments.d."

func TestLoadRejects(t *testing.T) {
	tests := map[string]struct {
		src  string
		want []wantProblem
	}{
		"not a multiple of base_capacity": {
			src:  dep(`plan: "mu", base_capacity: 4, capacity: 6`),
			want: []wantProblem{{"c.cue:1:73", dpath + "capacity", "capacity 6 is not a multiple of base_capacity 4"}},
		},
		"capacity negative": {
			src:  dep(`plan: "mu", capacity: -1`),
			want: []wantProblem{{"c.cue:1:55", dpath + "capacity", "capacity must be at least 0 (got -1)"}},
		},
		"capacity 1000": {
			src:  dep(`plan: "mu", capacity: 1000`),
			want: []wantProblem{{"c.cue:1:55", dpath + "capacity", "capacity must be less than 1000 (got 1000)"}},
		},
		"capacity not an integer": {
			src:  dep(`plan: "mu", capacity: 2.5`),
			want: []wantProblem{{"c.cue:1:55", dpath + "capacity", "capacity must be an integer (got 2.5)"}},
		},
		"capacity a string": {
			src:  dep(`plan: "mu", capacity: "2"`),
			want: []wantProblem{{"c.cue:1:55", dpath + "capacity", `capacity must be an integer (got "2")`}},
		},
		"capacity not concrete": {
			src:  dep(`plan: "mu", capacity: int`),
			want: []wantProblem{{"c.cue:1:45", dpath + "capacity", "capacity must have a concrete value (got int)"}},
		},
		"base_capacity zero": {
			src:  dep(`plan: "mu", base_capacity: 0, capacity: 0`),
			want: []wantProblem{{"c.cue:1:60", dpath + "base_capacity", "base_capacity must be greater than 0 (got 0)"}},
		},
		"plan lora": {
			src:  dep(`plan: "lora", capacity: 1`),
			want: []wantProblem{{"c.cue:1:39", dpath + "plan", `plan must be "mu" or "ptu" (got "lora": lora deployments cannot be scaled through the API)`}},
		},
		"plan cu": {
			src:  dep(`plan: "cu", capacity: 1`),
			want: []wantProblem{{"c.cue:1:39", dpath + "plan", `(got "cu": cu deployments cannot be scaled through the API)`}},
		},
		"plan unknown": {
			src:  dep(`plan: "MU", capacity: 1`),
			want: []wantProblem{{"c.cue:1:39", dpath + "plan", `plan must be "mu" or "ptu" (got "MU")`}},
		},
		"plan missing": {
			src:  dep(`capacity: 1`),
			want: []wantProblem{{"c.cue:1:29", dpath + "plan", "missing required field plan"}},
		},
		"mu without capacity": {
			src:  dep(`plan: "mu", base_capacity: 2`),
			want: []wantProblem{{"c.cue:1:29", dpath + "capacity", "missing required field capacity"}},
		},
		"ptu without ptu_capacity": {
			src:  dep(`plan: "ptu"`),
			want: []wantProblem{{"c.cue:1:29", dpath + "ptu_capacity", "missing required field ptu_capacity"}},
		},
		"capacity on ptu": {
			src:  dep(`plan: "ptu", capacity: 2, ptu_capacity: {input_tpm: 1, output_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:46", dpath + "capacity", `capacity is not allowed when plan is "ptu"`}},
		},
		"base_capacity on ptu": {
			src:  dep(`plan: "ptu", base_capacity: 2, ptu_capacity: {input_tpm: 1, output_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:46", dpath + "base_capacity", `base_capacity is not allowed when plan is "ptu"`}},
		},
		"ptu_capacity on mu": {
			src:  dep(`plan: "mu", capacity: 2, ptu_capacity: {input_tpm: 1, output_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:58", dpath + "ptu_capacity", `ptu_capacity is not allowed when plan is "mu"`}},
		},
		"input_tpm zero": {
			src:  dep(`plan: "ptu", ptu_capacity: {input_tpm: 0, output_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:72", dpath + "ptu_capacity.input_tpm", "input_tpm must be greater than 0 (got 0)"}},
		},
		"output_tpm missing": {
			src:  dep(`plan: "ptu", ptu_capacity: {input_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:46", dpath + "ptu_capacity.output_tpm", "missing required field output_tpm"}},
		},
		"thinking_output_tpm negative": {
			src:  dep(`plan: "ptu", ptu_capacity: {input_tpm: 1, output_tpm: 1, thinking_output_tpm: -1}`),
			want: []wantProblem{{"c.cue:1:111", dpath + "ptu_capacity.thinking_output_tpm", "thinking_output_tpm must be at least 0 (got -1)"}},
		},
		"unknown field in ptu_capacity": {
			src:  dep(`plan: "ptu", ptu_capacity: {input_tpm: 1, output_tpm: 1, thinking_tpm: 1}`),
			want: []wantProblem{{"c.cue:1:90", dpath + "ptu_capacity.thinking_tpm", `unknown field "thinking_tpm"`}},
		},
		"typo in deployment": {
			src:  dep(`plan: "mu", capacity: 1, base_capasity: 1`),
			want: []wantProblem{{"c.cue:1:58", dpath + "base_capasity", `unknown field "base_capasity" (did you mean "base_capacity"?)`}},
		},
		"region unknown": {
			src:  ws(`region: "eu-west-1"`),
			want: []wantProblem{{"c.cue:1:25", "workspaces.w.region", `region must be one of ap-southeast-1, cn-beijing, cn-hongkong, us-east-1 (got "eu-west-1")`}},
		},
		"endpoint not http": {
			src:  ws(`endpoint: "ftp://example.com"`),
			want: []wantProblem{{"c.cue:1:27", "workspaces.w.endpoint", `endpoint must be an http or https URL`}},
		},
		"endpoint with a path": {
			src:  ws(`endpoint: "https://example.com/api/v1"`),
			want: []wantProblem{{"c.cue:1:27", "workspaces.w.endpoint", `(got "https://example.com/api/v1")`}},
		},
		"region and endpoint": {
			src:  ws(`region: "us-east-1", endpoint: "http://localhost:8080"`),
			want: []wantProblem{{"c.cue:1:17", "workspaces.w.region", "set either region or endpoint, not both"}},
		},
		"api_key_env holds a key": {
			src:  ws(`api_key_env: "sk-123"`),
			want: []wantProblem{{"c.cue:1:30", "workspaces.w.api_key_env", "api_key_env must be the name of an environment variable"}},
		},
		"api_key literal": {
			src:  ws(`api_key: "sk-123"`),
			want: []wantProblem{{"c.cue:1:17", "workspaces.w.api_key", `unknown field "api_key": API keys never go in capacity files`}},
		},
		"unknown workspace field": {
			src:  ws(`regoin: "us-east-1"`),
			want: []wantProblem{{"c.cue:1:17", "workspaces.w.regoin", `unknown field "regoin" (did you mean "region"?)`}},
		},
		"unknown top-level field": {
			src:  "workspace: w: {}\n",
			want: []wantProblem{{"c.cue:1:1", "workspace", `unknown field "workspace": the only top-level field is workspaces`}},
		},
		"deployments not a struct": {
			src:  ws(`deployments: 5`),
			want: []wantProblem{{"c.cue:1:30", "workspaces.w.deployments", "deployments must be a struct (got 5)"}},
		},
		"workspace not a struct": {
			src:  "workspaces: {w: 10}\n",
			want: []wantProblem{{"c.cue:1:17", "workspaces.w", "a workspace must be a struct (got 10)"}},
		},
		"deployment not a struct": {
			src:  ws(`deployments: d: "big"`),
			want: []wantProblem{{"c.cue:1:33", "workspaces.w.deployments.d", `a deployment must be a struct (got "big")`}},
		},
		"top value": {
			src:  "_\n",
			want: []wantProblem{{"c.cue:1:1", "", "the configuration must be a struct with a workspaces field (got _)"}},
		},
		"syntax error": {
			src:  "workspaces: w: {region: \"us-east-1\" api_key_env: \"X\"}\n",
			want: []wantProblem{{"c.cue:1:37", "", "missing ',' in struct literal"}},
		},
		"undefined reference": {
			src:  dep(`plan: "mu", capacity: _nope`),
			want: []wantProblem{{"c.cue:1:55", dpath + "capacity", `reference "_nope" not found`}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.cue": tc.src})
			_, err := Load([]string{filepath.Join(dir, "c.cue")})
			checkProblems(t, dir, problemsOf(t, err), tc.want)
		})
	}
}

func TestLoadAccepts(t *testing.T) {
	tests := map[string]struct {
		src  string
		want []deploy.Desired
	}{
		"mu without base_capacity": {
			src:  dep(`plan: "mu", capacity: 3`),
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanMU, Capacity: 3}},
		},
		"mu at both bounds": {
			src: "workspaces: w: deployments: {a: {plan: \"mu\", capacity: 0}, b: {plan: \"mu\", capacity: 999}}\n",
			want: []deploy.Desired{
				{Key: key("w", "a"), Plan: deploy.PlanMU, Capacity: 0},
				{Key: key("w", "b"), Plan: deploy.PlanMU, Capacity: 999},
			},
		},
		"mu with base_capacity and zero capacity": {
			src:  dep(`plan: "mu", base_capacity: 4, capacity: 0`),
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanMU, BaseCapacity: 4}},
		},
		"ptu with thinking zero": {
			src: dep(`plan: "ptu", ptu_capacity: {input_tpm: 5, output_tpm: 6, thinking_output_tpm: 0}`),
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanPTU,
				PTU: &deploy.PTU{InputTPM: 5, OutputTPM: 6, ThinkingOutputTPM: ptr(0)}}},
		},
		"ptu without thinking": {
			src: dep(`plan: "ptu", ptu_capacity: {input_tpm: 5, output_tpm: 6}`),
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanPTU,
				PTU: &deploy.PTU{InputTPM: 5, OutputTPM: 6}}},
		},
		"hidden fields and definitions everywhere": {
			src: `_top: 1
#Top: {x: 1}
workspaces: {
	_ws: 2
	#WS: {}
	w: {
		_n: 3
		#D: {plan: "mu", ...}
		deployments: {
			_hidden: {plan: "lora"}
			#Def: {plan: "cu"}
			d: #D & {capacity: _n * 2, _note: "x", ptu_capacity?: _}
		}
	}
}
`,
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanMU, Capacity: 6}},
		},
		"default plan through a pattern": {
			src: "workspaces: w: deployments: [string]: plan: *\"mu\" | _\n" +
				"workspaces: w: deployments: {a: capacity: 1, b: {plan: \"ptu\", ptu_capacity: {input_tpm: 1, output_tpm: 2}}}\n",
			want: []deploy.Desired{
				{Key: key("w", "a"), Plan: deploy.PlanMU, Capacity: 1},
				{Key: key("w", "b"), Plan: deploy.PlanPTU, PTU: &deploy.PTU{InputTPM: 1, OutputTPM: 2}},
			},
		},
		"deployments made by a comprehension": {
			src: "workspaces: w: deployments: {for n in [1, 2] {\"d\\(n)\": {plan: \"mu\", capacity: n}}}\n",
			want: []deploy.Desired{
				{Key: key("w", "d1"), Plan: deploy.PlanMU, Capacity: 1},
				{Key: key("w", "d2"), Plan: deploy.PlanMU, Capacity: 2},
			},
		},
		"no package clause and a stdlib import": {
			src:  "import \"math\"\n\n" + dep(`plan: "mu", capacity: math.Floor(2.5)`),
			want: []deploy.Desired{{Key: key("w", "d"), Plan: deploy.PlanMU, Capacity: 2}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.cue": tc.src})
			cfg, err := Load([]string{filepath.Join(dir, "c.cue")})
			if err != nil {
				t.Fatalf("Load() error:\n%v", err)
			}
			for i := range cfg.Deployments {
				if !cfg.Deployments[i].Pos.IsValid() {
					t.Errorf("deployment %v has no position", cfg.Deployments[i].Key)
				}
				cfg.Deployments[i].Pos = deploy.Pos{}
			}
			if diff := cmp.Diff(tc.want, cfg.Deployments); diff != "" {
				t.Errorf("Load() deployments mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func key(ws, id string) deploy.Key { return deploy.Key{Workspace: ws, ID: id} }

func ptr[T any](v T) *T { return &v }
