package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeSeed(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSeed(t *testing.T) {
	path := writeSeed(t, `{
	  "keys": [{"key": "sk-demo-prod", "workspaces": ["llm-prod"]},
	           {"key": "sk-rogue", "workspaces": ["llm-stg"], "ignore_workspace_header": true}],
	  "deployments": [
	    {"workspace_id": "llm-prod", "deployed_model": "m-1", "model_name": "qwen-plus", "plan": "mu",
	     "base_capacity": 2, "capacity": 4, "x_scale_outcome": "UPDATING_FAILED"},
	    {"workspace_id": "llm-prod", "deployed_model": "p-1", "model_name": "qwen-plus", "plan": "ptu",
	     "ptu_capacity": {"input_tpm": 10000, "output_tpm": 1000, "thinking_output_tpm": 0},
	     "x_reject_scale": {"status": 403, "code": "AccessDenied", "message": "no"}}
	  ]}`)
	got, err := LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Seed{
		Keys: []Key{{Key: "sk-demo-prod", Workspaces: []string{"llm-prod"}},
			{Key: "sk-rogue", Workspaces: []string{"llm-stg"}, IgnoreWorkspaceHeader: true}},
		Deployments: []Deployment{
			{WorkspaceID: "llm-prod", DeployedModel: "m-1", ModelName: "qwen-plus", Plan: "mu",
				BaseCapacity: intPtr(2), Capacity: intPtr(4), ScaleOutcome: "UPDATING_FAILED"},
			{WorkspaceID: "llm-prod", DeployedModel: "p-1", ModelName: "qwen-plus", Plan: "ptu",
				PTUCapacity: &PTUCapacity{InputTPM: 10000, OutputTPM: 1000, ThinkingOutputTPM: intPtr(0)},
				RejectScale: &APIError{Status: 403, Code: "AccessDenied", Message: "no"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadSeed mismatch (-want +got):\n%s", diff)
	}
	if _, err := New(Config{}, got); err != nil {
		t.Errorf("New with the loaded seed: %v", err)
	}
}

func TestLoadSeedErrors(t *testing.T) {
	const key = `{"key": "sk-a", "workspaces": ["ws"]}`
	dep := func(fields string) string {
		return `{"keys": [` + key + `], "deployments": [{"workspace_id": "ws", "deployed_model": "d", ` + fields + `}]}`
	}
	tests := map[string]struct {
		content string
		want    []string // substrings of the error
	}{
		"not json":          {`{"keys": [`, []string{"unexpected EOF"}},
		"unknown field":     {`{"keys": [], "deploymnets": []}`, []string{`unknown field "deploymnets"`}},
		"unknown dep field": {dep(`"plan": "mu", "base_capacity": 1, "capacity": 1, "capacty": 2`), []string{`unknown field "capacty"`}},
		"trailing":          {`{"keys": []} {}`, []string{"trailing data"}},
		"key problems": {`{"keys": [{"key": "", "workspaces": []}, ` + key + `, ` + key + `]}`,
			[]string{"keys[0]: empty key", "keys[0]: no workspaces", "keys[2]: duplicate key"}},
		"duplicate id": {`{"deployments": [
			{"workspace_id": "ws", "deployed_model": "d", "plan": "lora"},
			{"workspace_id": "ws2", "deployed_model": "d", "plan": "lora"},
			{"workspace_id": "ws", "deployed_model": "d", "plan": "lora"}]}`,
			[]string{"deployments[2] (ws/d): duplicate deployed_model in workspace"}},
		"no workspace":   {`{"deployments": [{"deployed_model": "d", "plan": "lora"}]}`, []string{"workspace_id is required"}},
		"no id":          {`{"deployments": [{"workspace_id": "ws", "plan": "lora"}]}`, []string{"deployed_model is required"}},
		"no plan":        {dep(`"capacity": 1`), []string{"plan is required"}},
		"unknown plan":   {dep(`"plan": "dtu"`), []string{`unknown plan "dtu"`}},
		"mu no base":     {dep(`"plan": "mu", "capacity": 1`), []string{"plan mu needs base_capacity > 0"}},
		"mu no capacity": {dep(`"plan": "mu", "base_capacity": 1`), []string{"plan mu needs capacity"}},
		"mu multiple":    {dep(`"plan": "mu", "base_capacity": 4, "capacity": 6`), []string{"capacity 6 must be in [0, 1000) and a multiple of base_capacity 4"}},
		"mu too big":     {dep(`"plan": "mu", "base_capacity": 1, "capacity": 1000`), []string{"capacity 1000 must be in [0, 1000)"}},
		"mu with ptu":    {dep(`"plan": "mu", "base_capacity": 1, "capacity": 1, "ptu_capacity": {"input_tpm": 1, "output_tpm": 1}`), []string{"plan mu cannot have ptu_capacity"}},
		"ptu missing":    {dep(`"plan": "ptu"`), []string{"plan ptu needs ptu_capacity"}},
		"ptu zero":       {dep(`"plan": "ptu", "ptu_capacity": {"input_tpm": 0, "output_tpm": 1}`), []string{"plan ptu needs ptu_capacity"}},
		"ptu capacity":   {dep(`"plan": "ptu", "capacity": 1, "ptu_capacity": {"input_tpm": 1, "output_tpm": 1}`), []string{"plan ptu cannot have capacity"}},
		"bad outcome":    {dep(`"plan": "lora", "x_scale_outcome": "FAILED"`), []string{`x_scale_outcome "FAILED"`}},
		"bad reject":     {dep(`"plan": "lora", "x_reject_scale": {"status": 200}`), []string{"x_reject_scale needs a status in 400..599"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			path := writeSeed(t, tt.content)
			_, err := LoadSeed(path)
			if err == nil {
				t.Fatal("LoadSeed succeeded, want an error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadSeed(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := map[string]struct {
		cfg  Config
		seed Seed
		want string
	}{
		"probability":     {Config{P429: 1.5}, Seed{}, "P429 = 1.5, want a probability in [0, 1]"},
		"negative":        {Config{PDrop: -0.1}, Seed{}, "PDrop = -0.1"},
		"sum":             {Config{P429: 0.5, P5xx: 0.4, PDrop: 0.2}, Seed{}, "want at most 1"},
		"durations":       {Config{UpdateDelay: -1}, Seed{}, "durations must not be negative"},
		"rate":            {Config{RateLimit: -1}, Seed{}, "RateLimit and Burst"},
		"seed is checked": {Config{}, Seed{Keys: []Key{{Key: "k"}}}, "seed: keys[0]: no workspaces"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.seed)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNewCopiesSeed(t *testing.T) {
	seed := Seed{Keys: testKeys(), Deployments: []Deployment{mu(wsProd, "a", 1, 1)}}
	s, err := New(Config{}, seed)
	if err != nil {
		t.Fatal(err)
	}
	*seed.Deployments[0].Capacity = 7
	seed.Keys[0].Workspaces[0] = "elsewhere"
	if got := *s.Dump()[0].Capacity; got != 1 {
		t.Errorf("capacity = %d after the caller changed its seed, want 1", got)
	}
}
