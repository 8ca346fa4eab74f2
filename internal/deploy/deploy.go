// Package deploy holds the domain types every other capctl package speaks:
// where a deployment lives (Key), what the capacity files ask for (Desired)
// and what the API reports (Live). It depends on the standard library only.
package deploy

import (
	"fmt"
	"slices"
	"strings"
)

// Plan is a deployment's billing plan. capctl manages only PlanMU and
// PlanPTU; the API also knows lora, cu and ptu_v2, which are kept verbatim in
// Live.Plan.
type Plan string

// The plans capctl can scale.
const (
	PlanMU  Plan = "mu"  // model units: capacity is a count of units
	PlanPTU Plan = "ptu" // provisioned throughput: capacity is token-per-minute quotas
)

// Key names one deployment: the workspace it lives in and its deployed_model id.
type Key struct {
	Workspace string `json:"workspace"`
	ID        string `json:"deployed_model"`
}

// String returns "workspace/id", or just "workspace" for a key that names a
// whole workspace (no id).
func (k Key) String() string {
	if k.ID == "" {
		return k.Workspace
	}
	return k.Workspace + "/" + k.ID
}

// Compare orders keys by workspace, then id. It is the one order capctl uses
// for plans, reports and output.
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.Workspace, o.Workspace); c != 0 {
		return c
	}
	return strings.Compare(k.ID, o.ID)
}

// PTU is the token-per-minute quota of a ptu deployment.
type PTU struct {
	InputTPM  int `json:"input_tpm"`
	OutputTPM int `json:"output_tpm"`
	// ThinkingOutputTPM is optional; nil means "not set" and is never sent.
	ThinkingOutputTPM *int `json:"thinking_output_tpm,omitempty"`
}

// Equal reports whether two quotas are the same. A nil thinking quota equals
// only a nil one.
func (p PTU) Equal(o PTU) bool {
	if p.InputTPM != o.InputTPM || p.OutputTPM != o.OutputTPM {
		return false
	}
	if p.ThinkingOutputTPM == nil || o.ThinkingOutputTPM == nil {
		return p.ThinkingOutputTPM == nil && o.ThinkingOutputTPM == nil
	}
	return *p.ThinkingOutputTPM == *o.ThinkingOutputTPM
}

// String renders the quota as "input_tpm=… output_tpm=… [thinking_output_tpm=…]".
func (p PTU) String() string {
	s := fmt.Sprintf("input_tpm=%d output_tpm=%d", p.InputTPM, p.OutputTPM)
	if p.ThinkingOutputTPM != nil {
		s += fmt.Sprintf(" thinking_output_tpm=%d", *p.ThinkingOutputTPM)
	}
	return s
}

// Capacity is the target of one scale call: Units for a mu deployment, PTU
// for a ptu deployment. The other field is ignored.
type Capacity struct {
	Plan  Plan
	Units int
	PTU   PTU
}

// Pos is a position in a capacity file, 1-based. The zero Pos means unknown.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// String renders "file:line:col", or "" when p is unknown.
func (p Pos) String() string {
	if !p.IsValid() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Workspace is one workspace of the configuration: how to reach it and which
// environment variable holds its API key. The key itself never lives here.
type Workspace struct {
	ID string
	// Region is one of the Regions keys; empty when Endpoint is set.
	Region string
	// Endpoint overrides the region's host (scheme and host, no path).
	Endpoint string
	// APIKeyEnv names the environment variable holding the key.
	APIKeyEnv string
	Pos       Pos
}

// DefaultRegion and DefaultAPIKeyEnv apply when a workspace does not say.
const (
	DefaultRegion    = "ap-southeast-1"
	DefaultAPIKeyEnv = "DASHSCOPE_API_KEY"
)

// Regions maps each region a capacity file may name to its API host.
var Regions = map[string]string{
	"cn-beijing":     "https://dashscope.aliyuncs.com",
	"ap-southeast-1": "https://dashscope-intl.aliyuncs.com",
	"us-east-1":      "https://dashscope-us.aliyuncs.com",
	"cn-hongkong":    "https://cn-hongkong.dashscope.aliyuncs.com",
}

// BaseURL returns the host the workspace's requests go to: override when
// non-empty (the global --endpoint), else the workspace's endpoint, else its
// region's host.
func (w Workspace) BaseURL(override string) string {
	switch {
	case override != "":
		return override
	case w.Endpoint != "":
		return w.Endpoint
	case w.Region != "":
		return Regions[w.Region]
	}
	return Regions[DefaultRegion]
}

// Desired is one deployment as the capacity files declare it.
type Desired struct {
	Key
	Plan Plan
	// Capacity is the mu capacity in model units.
	Capacity int
	// BaseCapacity is the mu base capacity the file states, 0 when not given.
	BaseCapacity int
	// PTU is the ptu quota; nil for mu.
	PTU *PTU
	// Pos is where the deployment is declared.
	Pos Pos
}

// Target returns the capacity a scale call should set.
func (d Desired) Target() Capacity {
	c := Capacity{Plan: d.Plan, Units: d.Capacity}
	if d.PTU != nil {
		c.PTU = *d.PTU
	}
	return c
}

// Config is a whole loaded configuration, both slices sorted.
type Config struct {
	Workspaces  []Workspace
	Deployments []Desired
}

// Live is one deployment as the API reports it. Fields the API omits are zero.
type Live struct {
	Key
	// WorkspaceID is the workspace_id the API answered with; it must equal
	// Key.Workspace, or a key is acting on the wrong workspace.
	WorkspaceID string
	// Plan is verbatim from the API: mu, ptu, lora, cu, ptu_v2 or "".
	Plan          string
	Status        string
	ModelName     string
	Capacity      int
	ReadyCapacity int
	BaseCapacity  int
	PTU           *PTU
	GmtModified   string
}

// Statuses the API reports that capctl reacts to. Status is an open set:
// unknown values are kept as they come.
const (
	StatusRunning        = "RUNNING"
	StatusUpdating       = "UPDATING"
	StatusUpdatingFailed = "UPDATING_FAILED"
	StatusFailed         = "FAILED"
	StatusPending        = "PENDING"
)

// SortDesired sorts deployments by key.
func SortDesired(ds []Desired) {
	slices.SortFunc(ds, func(a, b Desired) int { return a.Key.Compare(b.Key) })
}

// SortLive sorts deployments by key.
func SortLive(ls []Live) {
	slices.SortFunc(ls, func(a, b Live) int { return a.Key.Compare(b.Key) })
}

// Problem is one thing wrong with the capacity files: where, the CUE path of
// the value concerned (e.g. workspaces."llm-a".deployments."x-1".capacity)
// and a message a person understands. Validation reports every Problem.
type Problem struct {
	Pos     Pos    `json:"pos"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// String renders "file:line:col: path: message", leaving out what is unknown.
func (p Problem) String() string {
	s := p.Message
	if p.Path != "" {
		s = p.Path + ": " + s
	}
	if p.Pos.IsValid() {
		s = p.Pos.String() + ": " + s
	}
	return s
}
