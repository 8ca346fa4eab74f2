package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Seed is the initial state of a simulator: the API keys it accepts and the
// deployments that exist. It is usually read from a JSON file with
// [LoadSeed]:
//
//	{
//	  "keys": [
//	    {"key": "sk-demo-prod", "workspaces": ["llm-prod"]},
//	    {"key": "sk-demo-misrouted", "workspaces": ["llm-staging"], "ignore_workspace_header": true}
//	  ],
//	  "deployments": [
//	    {"workspace_id": "llm-prod", "deployed_model": "qwen-plus-mu-01", "model_name": "qwen-plus",
//	     "plan": "mu", "status": "RUNNING", "base_capacity": 2, "capacity": 4},
//	    {"workspace_id": "llm-prod", "deployed_model": "qwen-plus-ptu-01", "model_name": "qwen-plus",
//	     "plan": "ptu", "status": "RUNNING", "ptu_capacity": {"input_tpm": 10000, "output_tpm": 1000}},
//	    {"workspace_id": "llm-prod", "deployed_model": "flaky-01", "model_name": "qwen3-8b",
//	     "plan": "mu", "base_capacity": 4, "capacity": 4, "x_scale_outcome": "UPDATING_FAILED"},
//	    {"workspace_id": "llm-prod", "deployed_model": "locked-01", "model_name": "qwen3-8b",
//	     "plan": "mu", "base_capacity": 1, "capacity": 1,
//	     "x_reject_scale": {"status": 403, "code": "AccessDenied", "message": "Access denied."}}
//	  ]
//	}
//
// Each deployment names its workspace in workspace_id. Defaults filled in by
// [New]: status RUNNING; ready_capacity equal to capacity (0 when PENDING);
// name, base_model from model_name; charge_type post_paid; gmt_create and
// gmt_modified the simulator's start time.
type Seed struct {
	Keys        []Key        `json:"keys"`
	Deployments []Deployment `json:"deployments"`
}

// Key is an API key the simulator accepts and the workspaces it may act on.
type Key struct {
	// Key is the secret sent as "Authorization: Bearer <Key>", e.g. "sk-demo-prod".
	Key string `json:"key"`
	// Workspaces are the workspaces the key may act on. The first is the
	// key's own, used when a request has no X-DashScope-WorkSpace header.
	Workspaces []string `json:"workspaces"`
	// IgnoreWorkspaceHeader makes the key always act on its own workspace,
	// whatever the header says. It models a key routed to the wrong
	// workspace, so tests can provoke a workspace_id mismatch.
	IgnoreWorkspaceHeader bool `json:"ignore_workspace_header,omitempty"`
}

// LoadSeed reads and checks a seed file. Unknown fields are errors, so a
// typo in a seed never goes unnoticed.
func LoadSeed(path string) (Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("load seed: %w", err)
	}
	var s Seed
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("load seed %s: %w", path, err)
	}
	if dec.More() {
		return Seed{}, fmt.Errorf("load seed %s: trailing data after the JSON object", path)
	}
	if err := s.validate(); err != nil {
		return Seed{}, fmt.Errorf("load seed %s: %w", path, err)
	}
	return s, nil
}

// validate reports every problem of the seed, not just the first.
func (s Seed) validate() error {
	var errs []error
	keys := make(map[string]bool, len(s.Keys))
	for i, k := range s.Keys {
		switch {
		case k.Key == "":
			errs = append(errs, fmt.Errorf("keys[%d]: empty key", i))
		case keys[k.Key]:
			errs = append(errs, fmt.Errorf("keys[%d]: duplicate key", i))
		}
		keys[k.Key] = true
		if len(k.Workspaces) == 0 {
			errs = append(errs, fmt.Errorf("keys[%d]: no workspaces", i))
		}
		for _, ws := range k.Workspaces {
			if ws == "" {
				errs = append(errs, fmt.Errorf("keys[%d]: empty workspace", i))
			}
		}
	}
	ids := make(map[[2]string]bool, len(s.Deployments))
	for i, d := range s.Deployments {
		where := fmt.Sprintf("deployments[%d] (%s/%s)", i, d.WorkspaceID, d.DeployedModel)
		id := [2]string{d.WorkspaceID, d.DeployedModel}
		if ids[id] {
			errs = append(errs, fmt.Errorf("%s: duplicate deployed_model in workspace", where))
		}
		ids[id] = true
		for _, err := range validateSeedDeployment(d) {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	return errors.Join(errs...)
}

func validateSeedDeployment(d Deployment) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if d.WorkspaceID == "" {
		add("workspace_id is required")
	}
	if d.DeployedModel == "" {
		add("deployed_model is required")
	}
	switch d.Plan {
	case PlanMU:
		switch {
		case d.BaseCapacity == nil || *d.BaseCapacity <= 0:
			add("plan mu needs base_capacity > 0")
		case d.Capacity == nil:
			add("plan mu needs capacity")
		case *d.Capacity < 0 || *d.Capacity >= 1000 || *d.Capacity%*d.BaseCapacity != 0:
			add("capacity %d must be in [0, 1000) and a multiple of base_capacity %d", *d.Capacity, *d.BaseCapacity)
		}
		if d.PTUCapacity != nil {
			add("plan mu cannot have ptu_capacity")
		}
	case PlanPTU, PlanPTUv2:
		if p := d.PTUCapacity; p == nil || p.InputTPM <= 0 || p.OutputTPM <= 0 ||
			(p.ThinkingOutputTPM != nil && *p.ThinkingOutputTPM < 0) {
			add("plan %s needs ptu_capacity with input_tpm > 0, output_tpm > 0 and thinking_output_tpm >= 0", d.Plan)
		}
		if d.Capacity != nil || d.BaseCapacity != nil || d.ReadyCapacity != nil {
			add("plan %s cannot have capacity, base_capacity or ready_capacity", d.Plan)
		}
	case PlanLoRA, PlanCU:
		if d.PTUCapacity != nil {
			add("plan %s cannot have ptu_capacity", d.Plan)
		}
	case "":
		add("plan is required")
	default:
		add("unknown plan %q (want mu, ptu, lora, cu or ptu_v2)", d.Plan)
	}
	if r := d.ReadyCapacity; r != nil && *r < 0 {
		add("ready_capacity must be >= 0")
	}
	if o := d.ScaleOutcome; o != "" && o != StatusUpdatingFailed {
		add("x_scale_outcome %q: want \"\" or %q", o, StatusUpdatingFailed)
	}
	if e := d.RejectScale; e != nil && (e.Status < 400 || e.Status > 599 || e.Code == "" || e.Message == "") {
		add("x_reject_scale needs a status in 400..599, a code and a message")
	}
	return errs
}
