package sim

import (
	"encoding/json"
	"fmt"
)

// Deployment is the wire form of a deployment as the API returns it. Fields
// that do not apply to a deployment's plan are omitted, as the real API does,
// which is why the numbers that may legitimately be zero are pointers.
//
// The fields prefixed with x_ are simulator-only seed controls. They are read
// from a seed file and never appear in API responses or in [Server.Dump].
type Deployment struct {
	DeployedModel    string          `json:"deployed_model"`
	Name             string          `json:"name,omitempty"`
	ModelName        string          `json:"model_name,omitempty"`
	BaseModel        string          `json:"base_model,omitempty"`
	Status           string          `json:"status,omitempty"`
	Plan             string          `json:"plan,omitempty"`
	ChargeType       string          `json:"charge_type,omitempty"`
	BaseCapacity     *int            `json:"base_capacity,omitempty"`
	Capacity         *int            `json:"capacity,omitempty"`
	ReadyCapacity    *int            `json:"ready_capacity,omitempty"`
	ModelUnitSpec    string          `json:"model_unit_spec,omitempty"`
	EnableThinking   *bool           `json:"enable_thinking,omitempty"`
	MaxContextLength *int            `json:"max_context_length,omitempty"`
	RPMLimit         *int            `json:"rpm_limit,omitempty"`
	TPMLimit         *int            `json:"tpm_limit,omitempty"`
	PTUCapacity      *PTUCapacity    `json:"ptu_capacity,omitempty"`
	PTUServiceTier   string          `json:"ptu_service_tier,omitempty"`
	OverflowStrategy string          `json:"overflow_strategy,omitempty"`
	PrePaidInfo      json.RawMessage `json:"pre_paid_info,omitempty"`
	PrePaidInstance  string          `json:"pre_paid_instance_id,omitempty"`
	PrePaidExpired   string          `json:"pre_paid_gmt_expired,omitempty"`
	FailReason       string          `json:"fail_reason,omitempty"`
	OperationID      string          `json:"operation_id,omitempty"`
	InstanceID       string          `json:"instance_id,omitempty"`
	WorkspaceID      string          `json:"workspace_id,omitempty"`
	Creator          string          `json:"creator,omitempty"`
	Modifier         string          `json:"modifier,omitempty"`
	GmtCreate        string          `json:"gmt_create,omitempty"`
	GmtModified      string          `json:"gmt_modified,omitempty"`

	// ScaleOutcome says how the scale calls on this deployment end: "" (the
	// default) settles in RUNNING, "UPDATING_FAILED" in UPDATING_FAILED.
	ScaleOutcome string `json:"x_scale_outcome,omitempty"`
	// RejectScale, when set, refuses every scale call on this deployment
	// with the given status, code and message.
	RejectScale *APIError `json:"x_reject_scale,omitempty"`
}

// PTUCapacity is the provisioned throughput of a ptu deployment, in tokens
// per minute.
type PTUCapacity struct {
	InputTPM          int  `json:"input_tpm"`
	OutputTPM         int  `json:"output_tpm"`
	ThinkingOutputTPM *int `json:"thinking_output_tpm,omitempty"`
}

// APIError is an error answer of the API: an HTTP status and the code and
// message of the error envelope. It is also the shape of the x_reject_scale
// seed control.
type APIError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns "<status> <code>: <message>".
func (e *APIError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// The deployment statuses the simulator produces itself. Seeds may use any
// other status string; it is kept verbatim.
const (
	StatusPending        = "PENDING"
	StatusRunning        = "RUNNING"
	StatusUpdating       = "UPDATING"
	StatusUpdatingFailed = "UPDATING_FAILED"
	StatusDeleting       = "DELETING"
)

// The plans the simulator knows. Only mu and ptu can be scaled.
const (
	PlanMU    = "mu"
	PlanPTU   = "ptu"
	PlanLoRA  = "lora"
	PlanCU    = "cu"
	PlanPTUv2 = "ptu_v2"
)

// TimeLayout is how gmt_create and gmt_modified are written: milliseconds,
// no time zone, as in the API's examples.
const TimeLayout = "2006-01-02T15:04:05.000"

// successEnvelope is {"request_id", "output"}.
type successEnvelope struct {
	RequestID string `json:"request_id"`
	Output    any    `json:"output"`
}

// errorEnvelope is {"request_id", "code", "message"}.
type errorEnvelope struct {
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// listOutput is the output of GET /api/v1/deployments.
type listOutput struct {
	PageNo      int          `json:"page_no"`
	PageSize    int          `json:"page_size"`
	Total       int          `json:"total"`
	Deployments []Deployment `json:"deployments"`
}

// public returns d as the API shows it: without the seed controls. Pointer
// fields are shared, which is safe because the store never writes through
// them (it replaces them).
func (d Deployment) public() Deployment {
	d.ScaleOutcome = ""
	d.RejectScale = nil
	return d
}

func intPtr(n int) *int { return &n }

// clone returns a copy of d that shares no memory with it, so a seed the
// caller keeps mutating cannot reach into the store.
func (d Deployment) clone() Deployment {
	c := d
	c.BaseCapacity = cloneInt(d.BaseCapacity)
	c.Capacity = cloneInt(d.Capacity)
	c.ReadyCapacity = cloneInt(d.ReadyCapacity)
	c.MaxContextLength = cloneInt(d.MaxContextLength)
	c.RPMLimit = cloneInt(d.RPMLimit)
	c.TPMLimit = cloneInt(d.TPMLimit)
	if d.EnableThinking != nil {
		b := *d.EnableThinking
		c.EnableThinking = &b
	}
	if d.PTUCapacity != nil {
		p := *d.PTUCapacity
		p.ThinkingOutputTPM = cloneInt(p.ThinkingOutputTPM)
		c.PTUCapacity = &p
	}
	if d.PrePaidInfo != nil {
		c.PrePaidInfo = append(json.RawMessage(nil), d.PrePaidInfo...)
	}
	if d.RejectScale != nil {
		e := *d.RejectScale
		c.RejectScale = &e
	}
	return c
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	return intPtr(*p)
}
