// Package plan computes what must change to bring live deployments to the
// capacity the files declare. It is pure: values in, values out, no I/O, so
// every view (text, markdown, JSON) renders the same Plan and none of them
// can disagree.
package plan

import (
	"time"

	"github.com/capctl/capctl/internal/deploy"
)

// FormatVersion is the version of the plan document. A reader refuses any
// other value.
const FormatVersion = 1

// Action is what a change does to a deployment.
type Action string

// The actions of a plan.
const (
	ScaleUp   Action = "scale_up"   // every capacity field grows or stays
	ScaleDown Action = "scale_down" // every capacity field shrinks or stays
	Update    Action = "update"     // ptu fields move in different directions
	NoChange  Action = "no_change"  // already at the desired capacity: no call
)

// Plan is the plan document of SPEC.md. Its JSON form is a stable protocol:
// fields are only ever added, and FormatVersion changes when meaning does.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Changes holds one entry per managed deployment whose live state was
	// read, no_change ones included, sorted by workspace then id.
	Changes []Change `json:"changes"`
	// Unmanaged lists live deployments no file mentions; they are never touched.
	Unmanaged []deploy.Key `json:"unmanaged"`
	// Errors lists deployments that cannot be planned, sorted like Changes.
	Errors  []Error `json:"errors"`
	Summary Summary `json:"summary"`
	// Workspaces records how each workspace of the plan is reached, so a
	// saved plan applies against the hosts it was planned on. It holds the
	// name of the variable with the key, never the key.
	Workspaces []Workspace `json:"workspaces,omitempty"`
}

// Workspace is how one workspace of a plan is reached.
type Workspace struct {
	ID        string `json:"id"`
	BaseURL   string `json:"base_url"`
	APIKeyEnv string `json:"api_key_env"`
}

// Change is one deployment's move from Before (live) to After (desired).
type Change struct {
	Workspace     string      `json:"workspace"`
	DeployedModel string      `json:"deployed_model"`
	Plan          deploy.Plan `json:"plan"`
	Action        Action      `json:"action"`
	Before        State       `json:"before"`
	After         State       `json:"after"`
	// Pos is where the deployment is declared; not part of the document.
	Pos deploy.Pos `json:"-"`
}

// Key returns the deployment the change is about.
func (c Change) Key() deploy.Key { return deploy.Key{Workspace: c.Workspace, ID: c.DeployedModel} }

// State is a deployment's capacity at one point. mu states carry Capacity
// (and BaseCapacity in Before); ptu states carry PTUCapacity. Status and
// GmtModified are the live values, present in Before only.
type State struct {
	Capacity     *int        `json:"capacity,omitempty"`
	BaseCapacity *int        `json:"base_capacity,omitempty"`
	PTUCapacity  *deploy.PTU `json:"ptu_capacity,omitempty"`
	Status       string      `json:"status,omitempty"`
	GmtModified  string      `json:"gmt_modified,omitempty"`
}

// Error is a deployment that cannot be planned, with the reason. An error
// about a whole workspace that none of the file's deployments belong to
// (its live state could not be read) has an empty DeployedModel.
type Error struct {
	Workspace     string `json:"workspace"`
	DeployedModel string `json:"deployed_model"`
	Message       string `json:"message"`
	// Pos is where the deployment is declared, when known; not part of the document.
	Pos deploy.Pos `json:"-"`
}

// Key returns the deployment the error is about.
func (e Error) Key() deploy.Key { return deploy.Key{Workspace: e.Workspace, ID: e.DeployedModel} }

// Summary counts the plan's entries by action, and its errors.
type Summary struct {
	ScaleUp   int `json:"scale_up"`
	ScaleDown int `json:"scale_down"`
	Update    int `json:"update"`
	NoChange  int `json:"no_change"`
	Errors    int `json:"errors"`
}

// Changed returns how many changes need a scale call.
func (s Summary) Changed() int { return s.ScaleUp + s.ScaleDown + s.Update }
