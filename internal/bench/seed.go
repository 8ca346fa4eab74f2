package bench

import (
	"encoding/json"
	"os"
)

// seedFile is the simulator's seed format (see dashscope-sim -seed).
type seedFile struct {
	Keys        []seedKey        `json:"keys"`
	Deployments []seedDeployment `json:"deployments"`
}

type seedKey struct {
	Key        string   `json:"key"`
	Workspaces []string `json:"workspaces"`
}

type seedDeployment struct {
	WorkspaceID   string   `json:"workspace_id"`
	DeployedModel string   `json:"deployed_model"`
	ModelName     string   `json:"model_name"`
	Plan          string   `json:"plan"`
	Status        string   `json:"status"`
	Capacity      *int     `json:"capacity,omitempty"`
	ReadyCapacity *int     `json:"ready_capacity,omitempty"`
	BaseCapacity  *int     `json:"base_capacity,omitempty"`
	PTUCapacity   *wireTPM `json:"ptu_capacity,omitempty"`
}

// wireTPM is a ptu_capacity object as the API and the seed spell it.
type wireTPM struct {
	InputTPM  int `json:"input_tpm"`
	OutputTPM int `json:"output_tpm"`
}

// Seed returns the simulator seed of f's live state: one key, key, that
// may act on every workspace, and every deployment RUNNING at its live
// capacity.
func (f Fleet) Seed(key string) ([]byte, error) {
	s := seedFile{
		Keys:        []seedKey{{Key: key, Workspaces: f.Workspaces}},
		Deployments: make([]seedDeployment, len(f.Deployments)),
	}
	for i, d := range f.Deployments {
		sd := seedDeployment{WorkspaceID: d.Workspace, DeployedModel: d.ID, ModelName: "qwen3-8b",
			Plan: d.Plan, Status: "RUNNING"}
		if d.Plan == "ptu" {
			sd.PTUCapacity = &wireTPM{InputTPM: d.LiveTPM.Input, OutputTPM: d.LiveTPM.Output}
		} else {
			sd.Capacity, sd.ReadyCapacity, sd.BaseCapacity = ptr(d.Live), ptr(d.Live), ptr(d.Base)
		}
		s.Deployments[i] = sd
	}
	return json.Marshal(s)
}

// WriteSeed writes f's seed to path.
func (f Fleet) WriteSeed(path, key string) error {
	data, err := f.Seed(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func ptr(n int) *int { return &n }
