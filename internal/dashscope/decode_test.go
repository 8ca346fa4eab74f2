package dashscope

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/google/go-cmp/cmp"
)

func TestDecodeDeployment(t *testing.T) {
	key := deploy.Key{Workspace: testWS, ID: "d"}
	ptr := func(v int) *int { return &v }
	tests := map[string]struct {
		body string
		want deploy.Live
	}{
		"mu, every documented field": {`{"request_id":"r","output":{"deployed_model":"d","name":"n","model_name":"qwen3-8b",
			"base_model":"qwen3-8b","status":"UPDATING","plan":"mu","charge_type":"post_paid","capacity":8,
			"ready_capacity":4,"base_capacity":4,"model_unit_spec":"MU1","enable_thinking":true,
			"max_context_length":32768,"rpm_limit":10,"tpm_limit":1000,"workspace_id":"llm-x","creator":"1",
			"modifier":"2","gmt_create":"2025-06-17T11:00:38","gmt_modified":"2025-06-17T11:42:02.311"}}`,
			deploy.Live{Key: key, WorkspaceID: "llm-x", Plan: "mu", Status: "UPDATING", ModelName: "qwen3-8b",
				Capacity: 8, ReadyCapacity: 4, BaseCapacity: 4, GmtModified: "2025-06-17T11:42:02.311"}},
		"ptu with thinking": {`{"output":{"deployed_model":"d","plan":"ptu","status":"RUNNING",
			"ptu_capacity":{"input_tpm":10000,"output_tpm":1000,"thinking_output_tpm":0}}}`,
			deploy.Live{Key: key, Plan: "ptu", Status: "RUNNING",
				PTU: &deploy.PTU{InputTPM: 10000, OutputTPM: 1000, ThinkingOutputTPM: ptr(0)}}},
		"ptu_v2 quota names": {`{"output":{"deployed_model":"d","plan":"ptu_v2",
			"ptu_capacity":{"input_tpm_quota":20000,"output_tpm_quota":2000}}}`,
			deploy.Live{Key: key, Plan: "ptu_v2", PTU: &deploy.PTU{InputTPM: 20000, OutputTPM: 2000}}},
		"unknown status and fields kept/ignored": {`{"output":{"deployed_model":"d","status":"ARREARS_RECOVERING",
			"new_field":{"a":[1,2]},"pre_paid_info":{"duration":1}}}`,
			deploy.Live{Key: key, Status: "ARREARS_RECOVERING"}},
		"data instead of output": {`{"request_id":"r","data":{"deployed_model":"d","capacity":1}}`,
			deploy.Live{Key: key, Capacity: 1}},
		"null fields are absent": {`{"output":{"deployed_model":"d","capacity":null,"ptu_capacity":null}}`,
			deploy.Live{Key: key}},
		"lora without capacity": {`{"output":{"deployed_model":"d","plan":"lora","status":"PENDING"}}`,
			deploy.Live{Key: key, Plan: "lora", Status: "PENDING"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, srv := newStub(t, step{body: tt.body})
			c, _ := newTestClient(t, srv.URL, nil)
			got, _, err := c.Get(context.Background(), testWS, "d")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Get() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A 2xx answer that is not a usable deployment is an error naming the
// operation, never a zero Live, and is not retried.
func TestDecodeDeploymentErrors(t *testing.T) {
	tests := map[string]struct {
		body, errSub string
	}{
		"no output":         {`{"request_id":"r"}`, "scale llm-test/d: response has no output"},
		"null output":       {`{"output":null}`, "response has no output"},
		"empty object":      {`{"output":{}}`, "decode deployment: no deployed_model"},
		"output is string":  {`{"output":"ok"}`, "decode deployment: output is not a JSON object"},
		"capacity string":   {`{"output":{"deployed_model":"d","capacity":"2"}}`, "cannot unmarshal string into Go struct field deployment.capacity of type int"},
		"capacity float":    {`{"output":{"deployed_model":"d","capacity":1.5}}`, "cannot unmarshal number 1.5"},
		"ptu not an object": {`{"output":{"deployed_model":"d","ptu_capacity":[1]}}`, "cannot unmarshal array"},
		"id is a number":    {`{"output":{"deployed_model":7}}`, "cannot unmarshal number"},
		"200 error body":    {`{"code":"Throttling","message":"slow"}`, `response has no output (code "Throttling": slow)`},
		"html":              {`<!DOCTYPE html><title>ok</title>`, "decode response: invalid character '<'"},
		"truncated":         {`{"output":{"deployed_model":"d"`, "decode response: unexpected end of JSON input"},
		"empty":             {``, "decode response: unexpected end of JSON input"},
		"body is an array":  {`[]`, "decode response: json: cannot unmarshal array"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{body: tt.body})
			c, _ := newTestClient(t, srv.URL, nil)
			got, n, err := c.Scale(context.Background(), testWS, "d", muCap(1))
			if err == nil || !strings.Contains(err.Error(), tt.errSub) || !strings.HasPrefix(err.Error(), "scale llm-test/d: ") {
				t.Fatalf("Scale error = %v, want one containing %q", err, tt.errSub)
			}
			if got != (deploy.Live{}) {
				t.Errorf("Scale returned %+v with its error", got)
			}
			if n != 1 || len(s.requests()) != 1 || IsRetryable(err) {
				t.Errorf("attempts = %d, requests = %d, retryable = %v; want 1, 1, false", n, len(s.requests()), IsRetryable(err))
			}
		})
	}
}

func TestBodyOverLimit(t *testing.T) {
	pad := strings.Repeat("x", limitOne)
	s, srv := newStub(t, step{body: `{"output":{"deployed_model":"d","pad":"` + pad + `"}}`})
	c, _ := newTestClient(t, srv.URL, nil)
	_, n, err := c.Get(context.Background(), testWS, "d")
	if !errors.Is(err, errBodyTooLarge) || IsRetryable(err) {
		t.Fatalf("error = %v, want errBodyTooLarge, not retryable", err)
	}
	if n != 1 || len(s.requests()) != 1 {
		t.Errorf("attempts = %d, requests = %d, want 1", n, len(s.requests()))
	}
	// An error body over the limit still yields an *Error quoting its start.
	_, srv = newStub(t, step{status: 400, body: "<html>" + pad + "</html>"})
	c, _ = newTestClient(t, srv.URL, nil)
	_, _, err = c.Get(context.Background(), testWS, "d")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.HasPrefix(apiErr.Body, "<html>xxx") {
		t.Errorf("error = %v, want a 400 *Error quoting the body", err)
	}
}

func TestParseTime(t *testing.T) {
	tests := map[string]struct {
		in   string
		want time.Time
		err  bool
	}{
		"no fraction":   {"2025-06-17T11:00:38", time.Date(2025, 6, 17, 11, 0, 38, 0, time.UTC), false},
		"millis":        {"2025-06-17T11:42:02.311", time.Date(2025, 6, 17, 11, 42, 2, 311e6, time.UTC), false},
		"centis":        {"2025-06-17T11:00:38.68", time.Date(2025, 6, 17, 11, 0, 38, 680e6, time.UTC), false},
		"space":         {"2025-06-17 11:00:38", time.Date(2025, 6, 17, 11, 0, 38, 0, time.UTC), false},
		"rfc3339 utc":   {"2025-06-17T11:00:38Z", time.Date(2025, 6, 17, 11, 0, 38, 0, time.UTC), false},
		"rfc3339 +8":    {"2025-06-17T19:00:38+08:00", time.Date(2025, 6, 17, 11, 0, 38, 0, time.UTC), false},
		"empty":         {"", time.Time{}, true},
		"date only":     {"2025-06-17", time.Time{}, true},
		"garbage":       {"yesterday", time.Time{}, true},
		"bad month":     {"2025-13-17T11:00:38", time.Time{}, true},
		"trailing junk": {"2025-06-17T11:00:38 UTC+8", time.Time{}, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("ParseTime(%q) error = %v, want error %v", tt.in, err, tt.err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
