package sim

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// scale serves PUT /api/v1/deployments/{id}/scale. Checks run in this
// order: unknown id (404), x_reject_scale, plan that cannot be scaled (400),
// body (400), state (409). On success the deployment is UPDATING with the
// new target and its old ready_capacity, and settles UpdateDelay later.
func (s *Server) scale(c *call) {
	s.count(func(st *Stats) { st.Scales[c.ws+"/"+c.id]++ })
	body, e := readBody(c)
	if e != nil {
		writeError(c.w, e)
		return
	}
	out, e := s.applyScale(c, body)
	if e != nil {
		writeError(c.w, e)
		return
	}
	writeOutput(c.w, out)
}

func (s *Server) applyScale(c *call, body []byte) (Deployment, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.lookup(c)
	if e != nil {
		return Deployment{}, e
	}
	r.settle(c.now)
	if r.d.RejectScale != nil {
		return Deployment{}, r.d.RejectScale
	}
	var capacity int
	var ptu *PTUCapacity
	switch r.d.Plan {
	case PlanMU:
		capacity, e = parseMUScale(body, c.id, derefOr(r.d.BaseCapacity, 1))
	case PlanPTU:
		ptu, e = parsePTUScale(body, c.id)
	default:
		// lora is scaled by console form only (D-cn-quick); cu and the
		// ptu_v2 reservations have other calls. Stricter choice: refuse
		// them all rather than guess.
		e = invalid("Deployment %s with plan %s does not support scaling.", c.id, r.d.Plan)
	}
	if e != nil {
		return Deployment{}, e
	}
	switch r.d.Status {
	case StatusRunning, StatusUpdatingFailed:
	case StatusUpdating:
		// Stricter choice: the doc does not say whether a scale may
		// overtake one in progress; refusing makes a client that does
		// not wait visible.
		return Deployment{}, apiErr(http.StatusConflict, "Conflict",
			"Deployment %s is being updated, please wait until it is RUNNING.", c.id)
	default:
		// PENDING, DELETING, STOPPED, FAILED, ARREARS_*…: the doc only
		// shows scales of RUNNING deployments, and UPDATING_FAILED must be
		// retryable. Stricter choice: refuse the rest.
		return Deployment{}, apiErr(http.StatusConflict, "Conflict",
			"Deployment %s is %s and cannot be scaled now.", c.id, r.d.Status)
	}
	if ptu != nil {
		r.prevPTU = r.d.PTUCapacity
		r.d.PTUCapacity = ptu
	} else {
		r.d.Capacity = intPtr(capacity)
	}
	r.d.Status = StatusUpdating
	r.d.FailReason = ""
	r.d.GmtModified = c.now.UTC().Format(TimeLayout)
	r.due = c.now.Add(s.cfg.UpdateDelay)
	return r.d.public(), nil
}

func invalid(format string, args ...any) *APIError {
	return apiErr(http.StatusBadRequest, "InvalidParameter", format, args...)
}

func derefOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// parseObject decodes a JSON object into its raw members.
func parseObject(body []byte, what string) (map[string]json.RawMessage, *APIError) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, invalid("Invalid %s, it must be a JSON object.", what)
	}
	return m, nil
}

// jsonInt reads raw as an integer literal: 2 is one, 2.0, "2" and 2e0 are not.
func jsonInt(raw json.RawMessage) (int, bool) {
	n, err := strconv.Atoi(string(bytes.TrimSpace(raw)))
	return n, err == nil
}

// rawText shows raw in a message, compacted.
func rawText(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// checkMUCapacity applies the documented capacity rule.
func checkMUCapacity(raw json.RawMessage, base int, min int) (int, *APIError) {
	n, ok := jsonInt(raw)
	if !ok || n < min || n >= 1000 || n%base != 0 {
		return 0, invalid("Invalid capacity (%s), capacity must be larger than or equal to 0 and multiples of %d and less than 1000!",
			rawText(raw), base)
	}
	return n, nil
}

var ptuTopLevel = []string{"input_tpm", "output_tpm", "thinking_output_tpm"}

func parseMUScale(body []byte, id string, base int) (int, *APIError) {
	m, e := parseObject(body, "request body")
	if e != nil {
		return 0, e
	}
	if _, ok := m["ptu_capacity"]; ok || hasAny(m, ptuTopLevel) {
		return 0, invalid("Deployment %s has plan mu: scale it with capacity, not ptu_capacity.", id)
	}
	raw, ok := m["capacity"]
	if !ok {
		return 0, invalid("Missing capacity: a deployment with plan mu is scaled with {\"capacity\": N}.")
	}
	return checkMUCapacity(raw, base, 0)
}

// parsePTUScale accepts the documented nested ptu_capacity and, as the
// older official CLI sends it, top-level input_tpm/output_tpm. Stricter
// choice: both at once is ambiguous and refused.
func parsePTUScale(body []byte, id string) (*PTUCapacity, *APIError) {
	m, e := parseObject(body, "request body")
	if e != nil {
		return nil, e
	}
	if _, ok := m["capacity"]; ok {
		return nil, invalid("Deployment %s has plan ptu: scale it with ptu_capacity, not capacity.", id)
	}
	nested, hasNested := m["ptu_capacity"]
	switch top := hasAny(m, ptuTopLevel); {
	case hasNested && top:
		return nil, invalid("Give either ptu_capacity or top-level input_tpm/output_tpm, not both.")
	case top:
		flat := make(map[string]json.RawMessage)
		for _, k := range ptuTopLevel {
			if v, ok := m[k]; ok {
				flat[k] = v
			}
		}
		return checkPTU(flat)
	case hasNested:
		inner, e := parseObject(nested, "ptu_capacity")
		if e != nil {
			return nil, e
		}
		return checkPTU(inner)
	}
	return nil, invalid("Miss ptu capacity info")
}

// checkPTU validates a ptu_capacity object. A thinking_output_tpm left out
// is absent afterwards: the scale sets an absolute target, so the
// deployment ends exactly as asked.
func checkPTU(m map[string]json.RawMessage) (*PTUCapacity, *APIError) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(ptuTopLevel, k) {
			// Stricter choice: an unknown member (a typo such as
			// "thinking_tpm") is refused, not ignored.
			return nil, invalid("Unknown field ptu_capacity.%s.", k)
		}
	}
	var p PTUCapacity
	for _, f := range []struct {
		name string
		dst  *int
	}{{"input_tpm", &p.InputTPM}, {"output_tpm", &p.OutputTPM}} {
		raw, ok := m[f.name]
		if !ok {
			return nil, invalid("Miss ptu capacity info: ptu_capacity needs input_tpm and output_tpm.")
		}
		n, ok := jsonInt(raw)
		if !ok || n <= 0 {
			return nil, invalid("Invalid ptu_capacity.%s (%s), it must be an integer larger than 0.", f.name, rawText(raw))
		}
		*f.dst = n
	}
	if raw, ok := m["thinking_output_tpm"]; ok {
		n, ok := jsonInt(raw)
		if !ok || n < 0 {
			return nil, invalid("Invalid ptu_capacity.thinking_output_tpm (%s), it must be an integer larger than or equal to 0.", rawText(raw))
		}
		p.ThinkingOutputTPM = intPtr(n)
	}
	return &p, nil
}

func hasAny(m map[string]json.RawMessage, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}
