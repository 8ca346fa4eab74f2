package bench

import (
	"encoding/json"
	"os"

	"github.com/capctl/capctl/internal/sim"
)

// Seed returns the simulator seed of f's live state: one key, key, that
// may act on every workspace, and every deployment RUNNING at its live
// capacity.
func (f Fleet) Seed(key string) ([]byte, error) {
	s := sim.Seed{
		Keys:        []sim.Key{{Key: key, Workspaces: f.Workspaces}},
		Deployments: make([]sim.Deployment, len(f.Deployments)),
	}
	for i, d := range f.Deployments {
		sd := sim.Deployment{WorkspaceID: d.Workspace, DeployedModel: d.ID, ModelName: "qwen3-8b",
			Plan: d.Plan, Status: sim.StatusRunning}
		if d.Plan == sim.PlanPTU {
			sd.PTUCapacity = &sim.PTUCapacity{InputTPM: d.LiveTPM.Input, OutputTPM: d.LiveTPM.Output}
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
