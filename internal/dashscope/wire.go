package dashscope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/capctl/capctl/internal/deploy"
)

// envelope is the success body {"request_id", "output": …}. Some clients
// have seen "data" in place of "output"; both are accepted.
type envelope struct {
	RequestID string          `json:"request_id"`
	Output    json.RawMessage `json:"output"`
	Data      json.RawMessage `json:"data"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
}

// deployment is the API's Deployment object. Every field is optional on the
// wire (fields that do not apply to a plan are left out), hence the
// pointers where zero is a meaningful value. Unknown fields are ignored.
type deployment struct {
	DeployedModel    string       `json:"deployed_model"`
	Name             string       `json:"name,omitempty"`
	ModelName        string       `json:"model_name,omitempty"`
	BaseModel        string       `json:"base_model,omitempty"`
	Status           string       `json:"status,omitempty"`
	Plan             string       `json:"plan,omitempty"`
	ChargeType       string       `json:"charge_type,omitempty"`
	Capacity         *int         `json:"capacity,omitempty"`
	ReadyCapacity    *int         `json:"ready_capacity,omitempty"`
	BaseCapacity     *int         `json:"base_capacity,omitempty"`
	PTUCapacity      *ptuCapacity `json:"ptu_capacity,omitempty"`
	ModelUnitSpec    string       `json:"model_unit_spec,omitempty"`
	EnableThinking   *bool        `json:"enable_thinking,omitempty"`
	MaxContextLength *int         `json:"max_context_length,omitempty"`
	RPMLimit         *int         `json:"rpm_limit,omitempty"`
	TPMLimit         *int         `json:"tpm_limit,omitempty"`
	PTUServiceTier   string       `json:"ptu_service_tier,omitempty"`
	OverflowStrategy string       `json:"overflow_strategy,omitempty"`
	FailReason       string       `json:"fail_reason,omitempty"`
	OperationID      string       `json:"operation_id,omitempty"`
	WorkspaceID      string       `json:"workspace_id,omitempty"`
	Creator          string       `json:"creator,omitempty"`
	Modifier         string       `json:"modifier,omitempty"`
	GmtCreate        string       `json:"gmt_create,omitempty"`
	GmtModified      string       `json:"gmt_modified,omitempty"`
}

// ptuCapacity is a ptu deployment's quota. One ptu_v2 example in the docs
// spells the fields input_tpm_quota/output_tpm_quota; those fill in when
// the usual names are absent.
type ptuCapacity struct {
	InputTPM          *int `json:"input_tpm,omitempty"`
	OutputTPM         *int `json:"output_tpm,omitempty"`
	ThinkingOutputTPM *int `json:"thinking_output_tpm,omitempty"`
	InputTPMQuota     *int `json:"input_tpm_quota,omitempty"`
	OutputTPMQuota    *int `json:"output_tpm_quota,omitempty"`
}

// listPage is the output of GET /deployments.
type listPage struct {
	PageNo      *int          `json:"page_no"`
	PageSize    *int          `json:"page_size"`
	Total       *int          `json:"total"`
	Deployments *[]deployment `json:"deployments"`
}

// decodeEnvelope returns the output (or data) of a 2xx body and its
// request id. A body without output is an error, never an empty result.
func decodeEnvelope(body []byte) (json.RawMessage, string, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", fmt.Errorf("decode response: %w", err)
	}
	out := env.Output
	if isAbsent(out) {
		out = env.Data
	}
	if isAbsent(out) {
		if env.Code != "" || env.Message != "" {
			return nil, env.RequestID, fmt.Errorf("response has no output (code %q: %s)", env.Code, env.Message)
		}
		return nil, env.RequestID, errors.New("response has no output")
	}
	return out, env.RequestID, nil
}

// isAbsent reports whether a raw field is missing or null.
func isAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// decodeDeployment decodes one Deployment object. It must be a JSON object
// with a deployed_model.
func decodeDeployment(raw json.RawMessage) (deployment, error) {
	var d deployment
	if err := unmarshalObject(raw, &d); err != nil {
		return d, fmt.Errorf("decode deployment: %w", err)
	}
	if d.DeployedModel == "" {
		return d, errors.New("decode deployment: no deployed_model")
	}
	return d, nil
}

// decodeListPage decodes a list output. Each item must have an id; an
// output with neither deployments nor total says nothing and is refused.
func decodeListPage(raw json.RawMessage) (listPage, error) {
	var p listPage
	if err := unmarshalObject(raw, &p); err != nil {
		return p, fmt.Errorf("decode list page: %w", err)
	}
	if p.Deployments == nil && p.Total == nil {
		return p, errors.New("decode list page: no deployments and no total")
	}
	if p.Total != nil && *p.Total < 0 {
		return p, fmt.Errorf("decode list page: negative total %d", *p.Total)
	}
	if p.Deployments == nil && *p.Total > 0 {
		return p, fmt.Errorf("decode list page: total %d but no deployments", *p.Total)
	}
	if p.Deployments != nil {
		for i, d := range *p.Deployments {
			if d.DeployedModel == "" {
				return p, fmt.Errorf("decode list page: item %d has no deployed_model", i)
			}
		}
	}
	return p, nil
}

// unmarshalObject decodes raw into v, insisting on a JSON object: arrays,
// strings and numbers would otherwise fail with less helpful messages, and
// null would silently leave v zero.
func unmarshalObject(raw json.RawMessage, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return errors.New("output is not a JSON object")
	}
	return json.Unmarshal(raw, v)
}

// live converts a wire deployment to the domain type. The Key's workspace
// is the one asked about; WorkspaceID is what the API claims, left for the
// plan to compare.
func (d deployment) live(workspace string) deploy.Live {
	l := deploy.Live{
		Key:           deploy.Key{Workspace: workspace, ID: d.DeployedModel},
		WorkspaceID:   d.WorkspaceID,
		Plan:          d.Plan,
		Status:        d.Status,
		ModelName:     d.ModelName,
		Capacity:      deref(d.Capacity),
		ReadyCapacity: deref(d.ReadyCapacity),
		BaseCapacity:  deref(d.BaseCapacity),
		GmtModified:   d.GmtModified,
	}
	if p := d.PTUCapacity; p != nil {
		in, out := p.InputTPM, p.OutputTPM
		if in == nil {
			in = p.InputTPMQuota
		}
		if out == nil {
			out = p.OutputTPMQuota
		}
		l.PTU = &deploy.PTU{InputTPM: deref(in), OutputTPM: deref(out)}
		if p.ThinkingOutputTPM != nil {
			v := *p.ThinkingOutputTPM
			l.PTU.ThinkingOutputTPM = &v
		}
	}
	return l
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// timeLayouts are the forms gmt_create and gmt_modified take: no zone, with
// or without a fraction (Go accepts a fraction after the seconds even when
// the layout has none), and, defensively, RFC 3339 and a space separator.
var timeLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	time.RFC3339Nano,
}

// ParseTime parses an API timestamp such as "2025-06-17T11:00:38" or
// "2025-06-17T11:42:02.311". The API gives no zone, so a zoneless time is
// returned in UTC as written; one with a zone keeps it.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid API timestamp %q", s)
}
