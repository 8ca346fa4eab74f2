package schema

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
)

// repoRoot is where the examples live, relative to this package.
const repoRoot = "../.."

func TestLoadFleetExample(t *testing.T) {
	t.Chdir(repoRoot)
	cfg, err := Load([]string{"examples/fleet"})
	if err != nil {
		t.Fatalf("Load() error:\n%v", err)
	}
	at := func(file string, line, col int) deploy.Pos {
		return deploy.Pos{File: "examples/fleet/" + file, Line: line, Col: col}
	}
	want := deploy.Config{
		Workspaces: []deploy.Workspace{
			{ID: "llm-prod-bj01", Region: "cn-beijing", APIKeyEnv: "DASHSCOPE_API_KEY_CN", Pos: at("prod-bj.cue", 13, 13)},
			{ID: "llm-prod-sg01", Region: "ap-southeast-1", APIKeyEnv: "DASHSCOPE_API_KEY_PROD", Pos: at("prod-sg.cue", 18, 13)},
			{ID: "llm-staging-us01", Region: "us-east-1", APIKeyEnv: "DASHSCOPE_API_KEY_STAGING", Pos: at("staging-us.cue", 4, 13)},
		},
		Deployments: []deploy.Desired{
			{Key: key("llm-prod-bj01", "qwen-max-ptu-01"), Plan: deploy.PlanPTU,
				PTU: &deploy.PTU{InputTPM: 50000, OutputTPM: 5000, ThinkingOutputTPM: ptr(2000)}, Pos: at("prod-bj.cue", 23, 3)},
			{Key: key("llm-prod-bj01", "qwen3-14b-search-01"), Plan: deploy.PlanMU, Capacity: 6, BaseCapacity: 2, Pos: at("prod-bj.cue", 18, 3)},
			{Key: key("llm-prod-bj01", "qwen3-14b-search-02"), Plan: deploy.PlanMU, Capacity: 4, BaseCapacity: 2, Pos: at("prod-bj.cue", 19, 3)},
			{Key: key("llm-prod-sg01", "emo-35b3f106-sample01"), Plan: deploy.PlanMU, Capacity: 2, BaseCapacity: 1, Pos: at("prod-sg.cue", 36, 3)},
			{Key: key("llm-prod-sg01", "qwen-plus-ptu-01"), Plan: deploy.PlanPTU,
				PTU: &deploy.PTU{InputTPM: 20000, OutputTPM: 2000}, Pos: at("prod-sg.cue", 39, 3)},
			{Key: key("llm-prod-sg01", "qwen3-32b-rag-01"), Plan: deploy.PlanMU, Capacity: 16, BaseCapacity: 16, Pos: at("prod-sg.cue", 35, 3)},
			{Key: key("llm-prod-sg01", "qwen3-8b-chat-01"), Plan: deploy.PlanMU, Capacity: 8, BaseCapacity: 4, Pos: at("prod-sg.cue", 33, 3)},
			{Key: key("llm-prod-sg01", "qwen3-8b-chat-02"), Plan: deploy.PlanMU, Capacity: 8, BaseCapacity: 4, Pos: at("prod-sg.cue", 34, 3)},
			{Key: key("llm-staging-us01", "qwen-turbo-ptu-01"), Plan: deploy.PlanPTU,
				PTU: &deploy.PTU{InputTPM: 10000, OutputTPM: 1000}, Pos: at("staging-us.cue", 16, 3)},
			{Key: key("llm-staging-us01", "qwen3-8b-canary-01"), Plan: deploy.PlanMU, Capacity: 4, BaseCapacity: 4, Pos: at("staging-us.cue", 9, 3)},
			{Key: key("llm-staging-us01", "qwen3-8b-canary-02"), Plan: deploy.PlanMU, Capacity: 0, Pos: at("staging-us.cue", 14, 3)},
		},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("Load(examples/fleet) mismatch (-want +got):\n%s", diff)
	}
}

// wantLine is a "// want: file:line:col: message" comment in an invalid
// example.
var wantLine = regexp.MustCompile(`^// want: (\S+:\d+:\d+): (.*)$`)

// TestLoadInvalidExamples loads every file (and directory) in
// examples/invalid on its own and expects exactly the problems its want
// comments list, at those positions.
func TestLoadInvalidExamples(t *testing.T) {
	t.Chdir(repoRoot)
	entries, err := os.ReadDir("examples/invalid")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Fatalf("found %d invalid examples, want at least 10", len(entries))
	}
	for _, e := range entries {
		path := filepath.ToSlash(filepath.Join("examples/invalid", e.Name()))
		t.Run(e.Name(), func(t *testing.T) {
			want := readWants(t, path)
			if len(want) == 0 {
				t.Fatalf("%s has no want comment", path)
			}
			_, err := Load([]string{path})
			var got []wantProblem
			for _, p := range problemsOf(t, err) {
				got = append(got, wantProblem{Pos: p.Pos.String(), Msg: p.Message})
			}
			for i := range min(len(got), len(want)) {
				if strings.Contains(got[i].Msg, want[i].Msg) {
					got[i].Msg = want[i].Msg
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load(%s) problems mismatch (-want +got):\n%s", path, diff)
			}
		})
	}
}

// readWants collects the want comments of a file, or of every file in a
// directory, in order.
func readWants(t *testing.T, path string) []wantProblem {
	files := []string{path}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.cue"))
		slices.Sort(files)
	}
	var wants []wantProblem
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if m := wantLine.FindStringSubmatch(sc.Text()); m != nil {
				wants = append(wants, wantProblem{Pos: m[1], Msg: m[2]})
			}
		}
		fh.Close()
	}
	return wants
}

// TestLoadReportsEverything checks that one load reports every violation,
// including missing required fields, which CUE hides while other errors
// exist, and unknown fields next to another error in the same workspace.
func TestLoadReportsEverything(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"c.cue": `workspaces: w: {
	endpoint: "http://localhost:8080"
	region:   "us-east-1"
	api_key:  "sk-secret"
	deployments: {
		a: {plan: "mu", base_capacity: 4, capacity: 6}
		b: {plan: "ptu"}
		c: {plan: "mu", capacty: 1}
		d: {capacity: 1}
	}
}
extra: 1
`})
	_, err := Load([]string{filepath.Join(dir, "c.cue")})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{
		{"c.cue:3:2", "workspaces.w.region", "set either region or endpoint, not both"},
		{"c.cue:4:2", "workspaces.w.api_key", `unknown field "api_key"`},
		{"c.cue:6:47", "workspaces.w.deployments.a.capacity", "capacity 6 is not a multiple of base_capacity 4"},
		{"c.cue:7:3", "workspaces.w.deployments.b.ptu_capacity", "missing required field ptu_capacity"},
		{"c.cue:8:3", "workspaces.w.deployments.c.capacity", "missing required field capacity"},
		{"c.cue:8:19", "workspaces.w.deployments.c.capacty", `unknown field "capacty"`},
		{"c.cue:9:3", "workspaces.w.deployments.d.plan", "missing required field plan"},
		{"c.cue:12:1", "extra", `unknown field "extra"`},
	})
	if strings.Contains(err.Error(), "sk-secret") {
		t.Errorf("error echoes the API key:\n%v", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 8 {
		t.Errorf("Error() has %d lines, want one per problem (8):\n%v", n, err)
	}
}

func TestLoadConflictNamesBothFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.cue": "package capacity\n\nworkspaces: w: deployments: d: {plan: \"mu\", capacity: 2}\n",
		"b.cue": "package capacity\n\nworkspaces: w: deployments: d: {plan: \"mu\", capacity: 4}\n",
	})
	_, err := Load([]string{dir})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{{
		"b.cue:3:55", "workspaces.w.deployments.d.capacity",
		"conflicting values 4 and 2 (see also " + filepath.Join(dir, "a.cue") + ":3:55)",
	}})
}

func TestLoadDefaultsAndSorting(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"c.cue": `workspaces: {
	z: deployments: {b: {plan: "mu", capacity: 1}, a: {plan: "mu", capacity: 1}}
	y: {endpoint: "http://127.0.0.1:8080/", api_key_env: "SIM_KEY"}
	x: {}
}
`})
	cfg, err := Load([]string{filepath.Join(dir, "c.cue")})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "c.cue")
	want := []deploy.Workspace{
		{ID: "x", Region: deploy.DefaultRegion, APIKeyEnv: deploy.DefaultAPIKeyEnv, Pos: deploy.Pos{File: file, Line: 4, Col: 2}},
		{ID: "y", Endpoint: "http://127.0.0.1:8080", APIKeyEnv: "SIM_KEY", Pos: deploy.Pos{File: file, Line: 3, Col: 2}},
		{ID: "z", Region: deploy.DefaultRegion, APIKeyEnv: deploy.DefaultAPIKeyEnv, Pos: deploy.Pos{File: file, Line: 2, Col: 2}},
	}
	if diff := cmp.Diff(want, cfg.Workspaces); diff != "" {
		t.Errorf("workspaces mismatch (-want +got):\n%s", diff)
	}
	var ids []string
	for _, d := range cfg.Deployments {
		ids = append(ids, d.Key.String())
	}
	if diff := cmp.Diff([]string{"z/a", "z/b"}, ids); diff != "" {
		t.Errorf("deployments order mismatch (-want +got):\n%s", diff)
	}
}

// TestLoadEveryRegion keeps the schema's region enum and deploy.Regions in
// step.
func TestLoadEveryRegion(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	for r := range deploy.Regions {
		src.WriteString("workspaces: \"ws-" + r + "\": region: \"" + r + "\"\n")
	}
	writeFiles(t, dir, map[string]string{"c.cue": src.String()})
	cfg, err := Load([]string{dir})
	if err != nil {
		t.Fatalf("Load() error:\n%v", err)
	}
	if len(cfg.Workspaces) != len(deploy.Regions) {
		t.Errorf("got %d workspaces, want %d", len(cfg.Workspaces), len(deploy.Regions))
	}
}
