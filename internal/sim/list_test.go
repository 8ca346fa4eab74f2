package sim

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ids(ds []Deployment) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.DeployedModel
	}
	return out
}

func TestListPages(t *testing.T) {
	var deps []Deployment
	// Seeded out of order: the list must come back sorted.
	for _, n := range []int{6, 2, 0, 4, 1, 5, 3} {
		deps = append(deps, mu(wsProd, fmt.Sprintf("m-%02d", n), 1, n))
	}
	deps = append(deps, ptu(wsProd, "p-00", 10000, 1000), mu(wsStaging, "s-00", 1, 1))
	f := newFixture(t, Config{}, deps...)

	type page struct {
		Total int
		IDs   []string
	}
	tests := map[string]struct {
		query    string
		no, size int
		want     page
	}{
		"defaults":        {"", 1, 50, page{8, []string{"m-00", "m-01", "m-02", "m-03", "m-04", "m-05", "m-06", "p-00"}}},
		"first page":      {"?page_no=1&page_size=3", 1, 3, page{8, []string{"m-00", "m-01", "m-02"}}},
		"middle page":     {"?page_no=2&page_size=3", 2, 3, page{8, []string{"m-03", "m-04", "m-05"}}},
		"last page":       {"?page_no=3&page_size=3", 3, 3, page{8, []string{"m-06", "p-00"}}},
		"past the end":    {"?page_no=4&page_size=3", 4, 3, page{8, []string{}}},
		"far past":        {"?page_no=2147483647&page_size=200", 2147483647, 200, page{8, []string{}}},
		"size 1":          {"?page_no=8&page_size=1", 8, 1, page{8, []string{"p-00"}}},
		"size 200":        {"?page_size=200", 1, 200, page{8, []string{"m-00", "m-01", "m-02", "m-03", "m-04", "m-05", "m-06", "p-00"}}},
		"plan ptu":        {"?plan=ptu", 1, 50, page{1, []string{"p-00"}}},
		"plan mu page 2":  {"?plan=mu&page_no=2&page_size=5", 2, 5, page{7, []string{"m-05", "m-06"}}},
		"plan none":       {"?plan=lora", 1, 50, page{0, []string{}}},
		"empty plan=all":  {"?plan=", 1, 50, page{8, []string{"m-00", "m-01", "m-02", "m-03", "m-04", "m-05", "m-06", "p-00"}}},
		"unknown ignored": {"?status=RUNNING&page_size=2", 1, 2, page{8, []string{"m-00", "m-01"}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var out listOutput
			f.output(f.do(request{method: "GET", path: testPrefix + tt.query, key: keyProd}), &out)
			if out.PageNo != tt.no || out.PageSize != tt.size {
				t.Errorf("page_no, page_size = %d, %d, want %d, %d", out.PageNo, out.PageSize, tt.no, tt.size)
			}
			if out.Deployments == nil {
				t.Errorf("deployments is null, want an array")
			}
			got := page{out.Total, ids(out.Deployments)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("list mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListItems(t *testing.T) {
	f := newFixture(t, Config{}, mu(wsProd, "a", 2, 4), ptu(wsProd, "b", 10000, 1000))
	var out listOutput
	f.output(f.do(request{method: "GET", path: testPrefix, key: keyProd}), &out)
	stamp := f.clock.stamp(0)
	want := []Deployment{
		{DeployedModel: "a", Name: "qwen-plus", ModelName: "qwen-plus", BaseModel: "qwen-plus", Status: "RUNNING",
			Plan: "mu", ChargeType: "post_paid", BaseCapacity: intPtr(2), Capacity: intPtr(4), ReadyCapacity: intPtr(4),
			WorkspaceID: wsProd, GmtCreate: stamp, GmtModified: stamp},
		{DeployedModel: "b", Name: "qwen-plus", ModelName: "qwen-plus", BaseModel: "qwen-plus", Status: "RUNNING",
			Plan: "ptu", ChargeType: "post_paid", PTUCapacity: &PTUCapacity{InputTPM: 10000, OutputTPM: 1000},
			WorkspaceID: wsProd, GmtCreate: stamp, GmtModified: stamp},
	}
	if diff := cmp.Diff(want, out.Deployments); diff != "" {
		t.Errorf("list items mismatch (-want +got):\n%s", diff)
	}
}

func TestListBadParams(t *testing.T) {
	f := newFixture(t, Config{})
	sizeMsg := "Invalid page_size (%s), page_size must be an integer between 1 and 200."
	noMsg := "Invalid page_no (%s), page_no must be an integer larger than or equal to 1."
	tests := map[string]struct {
		query, msg string
	}{
		"size 0":        {"page_size=0", fmt.Sprintf(sizeMsg, "0")},
		"size 201":      {"page_size=201", fmt.Sprintf(sizeMsg, "201")},
		"size negative": {"page_size=-1", fmt.Sprintf(sizeMsg, "-1")},
		"size text":     {"page_size=ten", fmt.Sprintf(sizeMsg, "ten")},
		"size empty":    {"page_size=", fmt.Sprintf(sizeMsg, "")},
		"size float":    {"page_size=2.0", fmt.Sprintf(sizeMsg, "2.0")},
		"no 0":          {"page_no=0", fmt.Sprintf(noMsg, "0")},
		"no text":       {"page_no=x&page_size=2", fmt.Sprintf(noMsg, "x")},
		"no huge":       {"page_no=99999999999999999999", fmt.Sprintf(noMsg, "99999999999999999999")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := f.apiError(f.do(request{method: "GET", path: testPrefix + "?" + tt.query, key: keyProd}))
			want := errorBody{http.StatusBadRequest, "InvalidParameter", tt.msg}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
