// Package apply runs a plan's scale calls against the API with bounded
// concurrency and reports what happened to every deployment.
package apply

import (
	"context"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// FormatVersion is the version of the report document.
const FormatVersion = 1

// Client is the part of the API the executor needs. *dashscope.Client
// satisfies it. Each method also returns how many HTTP attempts it made.
type Client interface {
	Get(ctx context.Context, workspace, id string) (deploy.Live, int, error)
	Scale(ctx context.Context, workspace, id string, want deploy.Capacity) (deploy.Live, int, error)
}

// Status is the outcome of one deployment in an apply run.
type Status string

// The outcomes of an apply run.
const (
	Succeeded   Status = "succeeded"   // the scale call was accepted (and, with Wait, became ready)
	Failed      Status = "failed"      // the call was refused, failed, or the plan had an error for it
	Conflict    Status = "conflict"    // live state moved since the saved plan; not touched
	Interrupted Status = "interrupted" // the run was interrupted before it was touched
	Skipped     Status = "skipped"     // no change needed; no call made
)

// Report is the apply report of SPEC.md, a stable protocol like plan.Plan.
type Report struct {
	FormatVersion int       `json:"format_version"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	// Results holds one entry per deployment of the plan (changes, then
	// errors merged in), sorted by workspace then id.
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
}

// Result is what happened to one deployment.
type Result struct {
	Workspace     string      `json:"workspace"`
	DeployedModel string      `json:"deployed_model"`
	Action        plan.Action `json:"action"`
	Status        Status      `json:"status"`
	Attempts      int         `json:"attempts"`
	DurationMS    int64       `json:"duration_ms"`
	Before        plan.State  `json:"before"`
	After         plan.State  `json:"after"`
	// Error is empty unless Status is failed, conflict or interrupted.
	Error string `json:"error"`
	// Code is the API's error code when the API refused the call.
	Code string `json:"code,omitempty"`
}

// Key returns the deployment the result is about.
func (r Result) Key() deploy.Key { return deploy.Key{Workspace: r.Workspace, ID: r.DeployedModel} }

// Summary counts results by status.
type Summary struct {
	Succeeded   int `json:"succeeded"`
	Failed      int `json:"failed"`
	Conflict    int `json:"conflict"`
	Interrupted int `json:"interrupted"`
	Skipped     int `json:"skipped"`
	// Throttled counts API answers of 429 seen during the run.
	Throttled int `json:"throttled"`
}

// EventKind tells Started from Finished.
type EventKind int

// The kinds of Event.
const (
	Started EventKind = iota
	Finished
)

// Event is sent to Options.Events as each deployment starts and finishes,
// so a view can draw progress. Result is set on Finished events.
type Event struct {
	Kind   EventKind
	Key    deploy.Key
	Result Result
}
