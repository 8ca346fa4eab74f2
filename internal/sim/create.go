package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
)

// createRequest is the body of POST /api/v1/deployments. capacity and
// ptu_capacity stay raw so that their errors can quote what was sent.
type createRequest struct {
	ModelName        string          `json:"model_name"`
	Plan             string          `json:"plan"`
	Name             string          `json:"name"`
	Capacity         json.RawMessage `json:"capacity"`
	DeploySpec       string          `json:"deploy_spec"`
	BillingMethod    string          `json:"billing_method"`
	EnableThinking   *bool           `json:"enable_thinking"`
	MaxContextLength *int            `json:"max_context_length"`
	RPMLimit         *int            `json:"rpm_limit"`
	TPMLimit         *int            `json:"tpm_limit"`
	PTUCapacity      json.RawMessage `json:"ptu_capacity"`
	Suffix           string          `json:"suffix"`
	ServiceTier      string          `json:"service_tier"`
}

// create serves POST /api/v1/deployments, enough for tests: the new
// deployment is PENDING with ready_capacity 0 and turns RUNNING after
// UpdateDelay. The simulator has no model catalog, so any model_name is
// deployable.
func (s *Server) create(c *call) {
	body, e := readBody(c)
	if e != nil {
		writeError(c.w, e)
		return
	}
	d, e := parseCreate(body)
	if e != nil {
		writeError(c.w, e)
		return
	}
	stamp := c.now.UTC().Format(TimeLayout)
	d.WorkspaceID, d.GmtCreate, d.GmtModified = c.ws, stamp, stamp
	s.mu.Lock()
	w := s.workspace(c.ws)
	w.settleDeletions(c.now)
	if _, taken := w.byID[d.DeployedModel]; taken {
		s.mu.Unlock()
		writeError(c.w, apiErr(http.StatusConflict, "Conflict",
			"Deployed model %s already exists, please specify a suffix.", d.DeployedModel))
		return
	}
	w.insert(&record{d: d, due: c.now.Add(s.cfg.UpdateDelay)})
	s.mu.Unlock()
	writeOutput(c.w, d.public())
}

// muSpec reads the per-replica unit count from a template id such as
// "MU4" or "MU8-PD". The simulator has no catalog, so this naming stands in
// for the template's capacity_unit_per_instance; other specs (real "dps-…"
// ids) get base_capacity 1.
var muSpec = regexp.MustCompile(`^MU([1-9][0-9]*)(?:-PD)?$`)

func parseCreate(body []byte) (Deployment, *APIError) {
	var req createRequest
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &req) != nil {
		return Deployment{}, invalid("Invalid request body, it must be a JSON object with the documented field types.")
	}
	if req.ModelName == "" {
		return Deployment{}, invalid("model_name is required.")
	}
	if len(req.Suffix) > 8 {
		return Deployment{}, invalid("Invalid suffix (%s), suffix must be at most 8 characters.", req.Suffix)
	}
	d := Deployment{
		DeployedModel: req.ModelName,
		Name:          req.Name,
		ModelName:     req.ModelName,
		BaseModel:     req.ModelName,
		Status:        StatusPending,
		Plan:          req.Plan,
		ChargeType:    "post_paid",
	}
	if req.Suffix != "" {
		d.DeployedModel += "-" + req.Suffix
	}
	if d.Name == "" {
		d.Name = req.ModelName
	}
	hasCap, hasPTU := req.Capacity != nil, req.PTUCapacity != nil
	switch req.Plan {
	case PlanMU, PlanCU:
		if hasPTU {
			return Deployment{}, invalid("ptu_capacity cannot be set for plan %s.", req.Plan)
		}
		base := 1
		if req.Plan == PlanMU {
			if req.DeploySpec == "" {
				return Deployment{}, invalid("deploy_spec is required for plan mu.")
			}
			if m := muSpec.FindStringSubmatch(req.DeploySpec); m != nil {
				base, _ = strconv.Atoi(m[1])
			}
			d.ModelUnitSpec = req.DeploySpec
			d.EnableThinking, d.MaxContextLength = req.EnableThinking, req.MaxContextLength
			d.RPMLimit, d.TPMLimit = req.RPMLimit, req.TPMLimit
		}
		if !hasCap {
			return Deployment{}, invalid("capacity is required for plan %s.", req.Plan)
		}
		// A new deployment needs at least one replica (dashscope-api.md §11).
		n, e := checkMUCapacity(req.Capacity, base, 1)
		if e != nil {
			return Deployment{}, e
		}
		d.BaseCapacity, d.Capacity, d.ReadyCapacity = intPtr(base), intPtr(n), intPtr(0)
	case PlanPTU:
		if hasCap {
			return Deployment{}, invalid("capacity cannot be set for plan ptu, use ptu_capacity.")
		}
		if !hasPTU {
			return Deployment{}, invalid("Miss ptu capacity info")
		}
		m, e := parseObject(req.PTUCapacity, "ptu_capacity")
		if e != nil {
			return Deployment{}, e
		}
		if d.PTUCapacity, e = checkPTU(m); e != nil {
			return Deployment{}, e
		}
		d.PTUServiceTier = req.ServiceTier
	case PlanLoRA:
		// "ignored but must be filled" (D-cn-create); a lora deployment
		// shows no capacity fields.
		if !hasCap {
			return Deployment{}, invalid("capacity is required for plan lora (it is ignored; use 1).")
		}
	default:
		// Stricter choice: the legacy create without a plan, and ptu_v2
		// (refused by create per the official CLI), are rejected.
		return Deployment{}, invalid("Invalid plan (%s), plan must be one of mu, lora, ptu, cu.", req.Plan)
	}
	return d, nil
}
