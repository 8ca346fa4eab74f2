package sim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCreate(t *testing.T) {
	f := newFixture(t, Config{UpdateDelay: 5 * time.Minute}, mu(wsProd, "qwen-plus", 1, 1))
	stamp := f.clock.stamp(0)
	post := func(body string) response {
		return f.do(request{method: "POST", path: testPrefix, key: keyProd, body: body})
	}
	tests := map[string]struct {
		body string
		want Deployment
	}{
		"mu": {`{"model_name":"qwen3-8b","plan":"mu","deploy_spec":"MU4","capacity":8,"billing_method":"POST_PAY","rpm_limit":100}`,
			Deployment{DeployedModel: "qwen3-8b", Name: "qwen3-8b", ModelName: "qwen3-8b", BaseModel: "qwen3-8b",
				Status: "PENDING", Plan: "mu", ChargeType: "post_paid", BaseCapacity: intPtr(4), Capacity: intPtr(8),
				ReadyCapacity: intPtr(0), ModelUnitSpec: "MU4", RPMLimit: intPtr(100), WorkspaceID: wsProd,
				GmtCreate: stamp, GmtModified: stamp}},
		"mu with suffix and spec id": {`{"model_name":"qwen-plus","name":"second","plan":"mu","deploy_spec":"dps-1","capacity":3,"suffix":"b"}`,
			Deployment{DeployedModel: "qwen-plus-b", Name: "second", ModelName: "qwen-plus", BaseModel: "qwen-plus",
				Status: "PENDING", Plan: "mu", ChargeType: "post_paid", BaseCapacity: intPtr(1), Capacity: intPtr(3),
				ReadyCapacity: intPtr(0), ModelUnitSpec: "dps-1", WorkspaceID: wsProd, GmtCreate: stamp, GmtModified: stamp}},
		"ptu": {`{"model_name":"qwen-max","plan":"ptu","ptu_capacity":{"input_tpm":10000,"output_tpm":1000}}`,
			Deployment{DeployedModel: "qwen-max", Name: "qwen-max", ModelName: "qwen-max", BaseModel: "qwen-max",
				Status: "PENDING", Plan: "ptu", ChargeType: "post_paid",
				PTUCapacity: &PTUCapacity{InputTPM: 10000, OutputTPM: 1000}, WorkspaceID: wsProd, GmtCreate: stamp, GmtModified: stamp}},
		"lora": {`{"model_name":"qwen3-8b-ft-1","plan":"lora","capacity":1}`,
			Deployment{DeployedModel: "qwen3-8b-ft-1", Name: "qwen3-8b-ft-1", ModelName: "qwen3-8b-ft-1", BaseModel: "qwen3-8b-ft-1",
				Status: "PENDING", Plan: "lora", ChargeType: "post_paid", WorkspaceID: wsProd, GmtCreate: stamp, GmtModified: stamp}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := f.deployment(post(tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("create mismatch (-want +got):\n%s", diff)
			}
		})
	}

	errs := map[string]struct {
		body string
		want errorBody
	}{
		"duplicate":         {`{"model_name":"qwen-plus","plan":"mu","deploy_spec":"MU1","capacity":1}`, errorBody{409, "Conflict", "Deployed model qwen-plus already exists, please specify a suffix."}},
		"duplicate suffix":  {`{"model_name":"qwen-plus","plan":"mu","deploy_spec":"MU1","capacity":1,"suffix":"b"}`, errorBody{409, "Conflict", "Deployed model qwen-plus-b already exists, please specify a suffix."}},
		"no model":          {`{"plan":"mu","deploy_spec":"MU1","capacity":1}`, errorBody{400, "InvalidParameter", "model_name is required."}},
		"no plan":           {`{"model_name":"x","capacity":1}`, errorBody{400, "InvalidParameter", "Invalid plan (), plan must be one of mu, lora, ptu, cu."}},
		"ptu_v2":            {`{"model_name":"x","plan":"ptu_v2"}`, errorBody{400, "InvalidParameter", "Invalid plan (ptu_v2), plan must be one of mu, lora, ptu, cu."}},
		"no spec":           {`{"model_name":"x","plan":"mu","capacity":1}`, errorBody{400, "InvalidParameter", "deploy_spec is required for plan mu."}},
		"zero capacity":     {`{"model_name":"x","plan":"mu","deploy_spec":"MU2","capacity":0}`, errorBody{400, "InvalidParameter", "Invalid capacity (0), capacity must be larger than or equal to 0 and multiples of 2 and less than 1000!"}},
		"not multiple":      {`{"model_name":"x","plan":"mu","deploy_spec":"MU2-PD","capacity":3}`, errorBody{400, "InvalidParameter", "Invalid capacity (3), capacity must be larger than or equal to 0 and multiples of 2 and less than 1000!"}},
		"ptu without":       {`{"model_name":"x","plan":"ptu"}`, errorBody{400, "InvalidParameter", "Miss ptu capacity info"}},
		"ptu with capacity": {`{"model_name":"x","plan":"ptu","capacity":1}`, errorBody{400, "InvalidParameter", "capacity cannot be set for plan ptu, use ptu_capacity."}},
		"mu with ptu":       {`{"model_name":"x","plan":"mu","deploy_spec":"MU1","capacity":1,"ptu_capacity":{}}`, errorBody{400, "InvalidParameter", "ptu_capacity cannot be set for plan mu."}},
		"lora no capacity":  {`{"model_name":"x","plan":"lora"}`, errorBody{400, "InvalidParameter", "capacity is required for plan lora (it is ignored; use 1)."}},
		"long suffix":       {`{"model_name":"x","plan":"lora","capacity":1,"suffix":"123456789"}`, errorBody{400, "InvalidParameter", "Invalid suffix (123456789), suffix must be at most 8 characters."}},
		"wrong type":        {`{"model_name":5}`, errorBody{400, "InvalidParameter", "Invalid request body, it must be a JSON object with the documented field types."}},
		"trailing data":     {`{"model_name":"x"} {}`, errorBody{400, "InvalidParameter", "Invalid request body, it must be a JSON object with the documented field types."}},
	}
	for name, tt := range errs {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, f.apiError(post(tt.body))); diff != "" {
				t.Errorf("create error mismatch (-want +got):\n%s", diff)
			}
		})
	}

	f.clock.Advance(5 * time.Minute)
	d := f.deployment(f.get(keyProd, "qwen3-8b"))
	if d.Status != StatusRunning || *d.ReadyCapacity != 8 || d.GmtModified != f.clock.stamp(0) {
		t.Errorf("after the delay: status %s, ready %d, gmt_modified %s; want RUNNING, 8, %s",
			d.Status, *d.ReadyCapacity, d.GmtModified, f.clock.stamp(0))
	}
	var out listOutput
	f.output(f.do(request{method: "GET", path: testPrefix, key: keyProd}), &out)
	want := []string{"qwen-max", "qwen-plus", "qwen-plus-b", "qwen3-8b", "qwen3-8b-ft-1"}
	if diff := cmp.Diff(want, ids(out.Deployments)); diff != "" {
		t.Errorf("list after creates (-want +got):\n%s", diff)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t, Config{UpdateDelay: time.Second}, mu(wsProd, "a", 1, 1), mu(wsProd, "b", 1, 2))
	del := func(id string) response {
		return f.do(request{method: "DELETE", path: testPrefix + "/" + id, key: keyProd})
	}
	d := f.deployment(del("a"))
	if d.Status != StatusDeleting || d.DeployedModel != "a" {
		t.Errorf("delete response: %s %s, want a DELETING", d.DeployedModel, d.Status)
	}
	if got := f.apiError(del("a")); got != (errorBody{409, "Conflict", "Deployment a is already being deleted."}) {
		t.Errorf("second delete: %+v", got)
	}
	if got := f.apiError(f.scale(keyProd, "a", `{"capacity":1}`)); got != (errorBody{409, "Conflict", "Deployment a is DELETING and cannot be scaled now."}) {
		t.Errorf("scale while deleting: %+v", got)
	}
	var out listOutput
	f.output(f.do(request{method: "GET", path: testPrefix, key: keyProd}), &out)
	if out.Total != 2 {
		t.Errorf("total while deleting = %d, want 2", out.Total)
	}

	f.clock.Advance(time.Second)
	if got := f.apiError(f.get(keyProd, "a")); got != (errorBody{404, "NotFound", "Not found."}) {
		t.Errorf("get after delete: %+v", got)
	}
	f.output(f.do(request{method: "GET", path: testPrefix, key: keyProd}), &out)
	if diff := cmp.Diff([]string{"b"}, ids(out.Deployments)); diff != "" || out.Total != 1 {
		t.Errorf("list after delete: total %d, ids (-want +got):\n%s", out.Total, diff)
	}
	// The id can be used again, and is then found normally.
	f.deployment(f.do(request{method: "POST", path: testPrefix, key: keyProd,
		body: `{"model_name":"a","plan":"mu","deploy_spec":"MU1","capacity":1}`}))
	if d := f.deployment(f.get(keyProd, "a")); d.Status != StatusPending {
		t.Errorf("recreated: status %s, want PENDING", d.Status)
	}
	if len(f.sim.Dump()) != 2 {
		t.Errorf("Dump has %d deployments, want 2", len(f.sim.Dump()))
	}
}
