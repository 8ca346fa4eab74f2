package dashscope

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/google/go-cmp/cmp"
)

func TestGet(t *testing.T) {
	s, srv := newStub(t, step{body: ok(muDeployment("emo-1", 2))})
	c, _ := newTestClient(t, srv.URL, nil)
	got, n, err := c.Get(context.Background(), testWS, "emo-1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := deploy.Live{
		Key: deploy.Key{Workspace: testWS, ID: "emo-1"}, WorkspaceID: testWS, Plan: "mu",
		Status: "RUNNING", ModelName: "qwen-plus", Capacity: 2, ReadyCapacity: 2, BaseCapacity: 1,
		GmtModified: "2025-06-17T11:00:38",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get() mismatch (-want +got):\n%s", diff)
	}
	if n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
	r := s.requests()[0]
	if r.Method != http.MethodGet || r.Path != "/api/v1/deployments/emo-1" || r.Body != "" {
		t.Errorf("request = %s %s body %q", r.Method, r.Path, r.Body)
	}
}

func TestHeaders(t *testing.T) {
	s, srv := newStub(t, step{body: ok(muDeployment("emo-1", 2))})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	if _, _, err := c.Get(ctx, testWS, "emo-1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Scale(ctx, testWS, "emo-1", deploy.Capacity{Plan: deploy.PlanMU, Units: 2}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Authorization":         "Bearer " + testKey.reveal(),
		"X-Dashscope-Workspace": testWS,
		"User-Agent":            "capctl/test",
		"Accept":                "application/json",
	}
	for i, r := range s.requests() {
		got := map[string]string{}
		for k := range want {
			got[k] = r.Header.Get(k)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request %d headers mismatch (-want +got):\n%s", i, diff)
		}
		wantCT := ""
		if r.Method == http.MethodPut {
			wantCT = "application/json"
		}
		if ct := r.Header.Get("Content-Type"); ct != wantCT {
			t.Errorf("request %d (%s): Content-Type = %q, want %q", i, r.Method, ct, wantCT)
		}
	}
}

func TestScaleBody(t *testing.T) {
	thinking := 500
	tests := map[string]struct {
		want deploy.Capacity
		body string
	}{
		"mu":             {deploy.Capacity{Plan: deploy.PlanMU, Units: 4}, `{"capacity":4}`},
		"mu to zero":     {deploy.Capacity{Plan: deploy.PlanMU, Units: 0}, `{"capacity":0}`},
		"ptu":            {deploy.Capacity{Plan: deploy.PlanPTU, PTU: deploy.PTU{InputTPM: 10000, OutputTPM: 1000}}, `{"ptu_capacity":{"input_tpm":10000,"output_tpm":1000}}`},
		"ptu + thinking": {deploy.Capacity{Plan: deploy.PlanPTU, PTU: deploy.PTU{InputTPM: 1, OutputTPM: 2, ThinkingOutputTPM: &thinking}}, `{"ptu_capacity":{"input_tpm":1,"output_tpm":2,"thinking_output_tpm":500}}`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{body: ok(map[string]any{"deployed_model": "d-1", "status": "UPDATING"})})
			c, _ := newTestClient(t, srv.URL, nil)
			got, _, err := c.Scale(context.Background(), testWS, "d-1", tt.want)
			if err != nil {
				t.Fatalf("Scale: %v", err)
			}
			if got.Status != "UPDATING" {
				t.Errorf("Status = %q, want UPDATING", got.Status)
			}
			r := s.requests()[0]
			if r.Method != http.MethodPut || r.Path != "/api/v1/deployments/d-1/scale" {
				t.Errorf("request = %s %s", r.Method, r.Path)
			}
			var gotBody, wantBody any
			if err := json.Unmarshal([]byte(r.Body), &gotBody); err != nil {
				t.Fatalf("body %q: %v", r.Body, err)
			}
			_ = json.Unmarshal([]byte(tt.body), &wantBody)
			if diff := cmp.Diff(wantBody, gotBody); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIDIsEscaped(t *testing.T) {
	s, srv := newStub(t, step{body: ok(map[string]any{"deployed_model": "a/b c?"})})
	c, _ := newTestClient(t, srv.URL+"/proxy/api/v1/", nil)
	if _, _, err := c.Get(context.Background(), testWS, "a/b c?"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	r := s.requests()[0]
	if want := "/proxy/api/v1/deployments/a%2Fb%20c%3F"; r.RawPath != want || r.Query != "" {
		t.Errorf("raw path = %q query %q, want %q and no query", r.RawPath, r.Query, want)
	}
}

// Calls that cannot be right fail before any request is sent.
func TestRefusedWithoutRequest(t *testing.T) {
	tests := map[string]struct {
		op, workspace, id string
		want              deploy.Capacity
		errSub            string
	}{
		"empty id":           {"get", testWS, "", deploy.Capacity{}, `invalid deployment id ""`},
		"dot dot":            {"scale", testWS, "..", deploy.Capacity{Plan: deploy.PlanMU}, `invalid deployment id ".."`},
		"unknown workspace":  {"get", "llm-other", "x", deploy.Capacity{}, `workspace "llm-other" is not configured`},
		"unknown plan":       {"scale", testWS, "x", deploy.Capacity{Plan: "lora"}, `plan "lora" cannot be scaled`},
		"negative capacity":  {"scale", testWS, "x", deploy.Capacity{Plan: deploy.PlanMU, Units: -1}, "negative capacity"},
		"list unknown space": {"list", "llm-other", "", deploy.Capacity{}, `list llm-other: workspace "llm-other" is not configured`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{body: ok(muDeployment("x", 1))})
			c, _ := newTestClient(t, srv.URL, nil)
			ctx := context.Background()
			var (
				n   int
				err error
			)
			switch tt.op {
			case "get":
				_, n, err = c.Get(ctx, tt.workspace, tt.id)
			case "scale":
				_, n, err = c.Scale(ctx, tt.workspace, tt.id, tt.want)
			case "list":
				_, err = c.List(ctx, tt.workspace)
			}
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("error = %v, want one containing %q", err, tt.errSub)
			}
			if n != 0 || len(s.requests()) != 0 {
				t.Errorf("attempts = %d, requests = %d; want none", n, len(s.requests()))
			}
		})
	}
}

// A response about another deployment must never be taken for the one
// asked about.
func TestResponseForOtherDeployment(t *testing.T) {
	_, srv := newStub(t, step{body: ok(muDeployment("other", 1))})
	c, _ := newTestClient(t, srv.URL, nil)
	_, _, err := c.Get(context.Background(), testWS, "mine")
	if err == nil || !strings.Contains(err.Error(), `get llm-test/mine: response is for deployment "other"`) {
		t.Errorf("error = %v", err)
	}
}
