package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
)

// samplePlan has one entry of every kind, as Compute makes them (Pos is not
// part of the document, so it is left out).
func samplePlan() Plan {
	p := Plan{
		FormatVersion: FormatVersion,
		CreatedAt:     time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Changes: []Change{
			{Workspace: "ws", DeployedModel: "a", Plan: deploy.PlanMU, Action: ScaleUp,
				Before: State{Capacity: ip(1), BaseCapacity: ip(1), Status: "RUNNING", GmtModified: "2026-11-26T11:00:00.000"},
				After:  State{Capacity: ip(2)}},
			ptuChange("b", Update, deploy.PTU{InputTPM: 10, OutputTPM: 10, ThinkingOutputTPM: ip(3)}, deploy.PTU{InputTPM: 20, OutputTPM: 5}),
		},
		Unmanaged: []deploy.Key{{Workspace: "ws", ID: "z"}},
		Errors:    []Error{{Workspace: "ws", DeployedModel: "c", Message: "not found in workspace ws <&>"}},
	}
	p.Summary = Summarize(p)
	return p
}

func TestWriteReadRoundTrip(t *testing.T) {
	tests := map[string]Plan{"sample": samplePlan(), "empty": one(nil, nil, nil)}
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, p); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(buf.String(), "}\n") || strings.Contains(buf.String(), "null") {
				t.Errorf("Write() = %s, want indented JSON, [] for empty lists and a final newline", buf.String())
			}
			got, err := Read(&buf)
			if err != nil {
				t.Fatalf("Read() error: %v", err)
			}
			if diff := cmp.Diff(p, got); diff != "" {
				t.Errorf("Read(Write()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, samplePlan()); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := map[string]struct{ doc, want string }{
		"empty":           {"  \n", "plan is empty"},
		"truncated":       {good[:len(good)/2], "plan is truncated"},
		"syntax":          {"{\n  \"format_version\": 1,,\n}", "not valid JSON at line 2, column"},
		"not an object":   {"[1]", "plan has a array where the document needs"},
		"no version":      {`{"changes": []}`, "plan has no format_version"},
		"version 2":       {`{"format_version": 2, "whatever": true}`, "plan format_version 2 is not supported; this capctl reads version 1"},
		"unknown field":   {strings.Replace(good, `"summary"`, `"surprise": 1, "summary"`, 1), `unknown field "surprise"`},
		"trailing data":   {good + "{}", "after top-level value"},
		"wrong type":      {strings.Replace(good, `"capacity": 2`, `"capacity": "2"`, 1), "changes.after.capacity"},
		"unknown action":  {strings.Replace(good, `"scale_up",`, `"grow",`, 1), `changes[0] ws/a: unknown action "grow"`},
		"unknown plan":    {strings.Replace(good, `"plan": "mu"`, `"plan": "lora"`, 1), `changes[0] ws/a: unknown plan "lora"`},
		"mu negative":     {strings.Replace(good, `"capacity": 1,`, `"capacity": -1,`, 1), "changes[0] ws/a: before.capacity -1 is out of range"},
		"mu too big":      {strings.Replace(strings.Replace(good, `"capacity": 2`, `"capacity": 1000`, 1), `"base_capacity": 1,`, ``, 1), "changes[0] ws/a: after.capacity 1000 is out of range"},
		"mu missing":      {strings.Replace(good, `"capacity": 2`, `"status": "x"`, 1), "changes[0] ws/a: after.capacity is missing"},
		"mu not multiple": {strings.Replace(good, `"base_capacity": 1`, `"base_capacity": 3`, 1), "not a multiple of before.base_capacity 3"},
		"ptu zero":        {strings.Replace(good, `"input_tpm": 20`, `"input_tpm": 0`, 1), "changes[1] ws/b: after.ptu_capacity.input_tpm 0 must be >= 1"},
		"ptu negative":    {strings.Replace(good, `"output_tpm": 5`, `"output_tpm": -5`, 1), "changes[1] ws/b: after.ptu_capacity.output_tpm -5"},
		"ptu missing":     {strings.Replace(good, `"ptu_capacity"`, `"ptu_gone"`, 1), `unknown field "ptu_gone"`},
		"action mismatch": {strings.Replace(good, `"update"`, `"scale_up"`, 1), "changes[1] ws/b: action scale_up does not match before and after, which say update"},
		"duplicate":       {strings.Replace(good, `"deployed_model": "c"`, `"deployed_model": "a"`, 1), "errors[0]: deployment ws/a appears more than once (also changes[0])"},
		"no id":           {strings.Replace(good, `"deployed_model": "z"`, `"deployed_model": ""`, 1), "unmanaged[0]: workspace and deployed_model are required"},
		"no message":      {strings.Replace(good, `"not found in workspace ws <&>"`, `""`, 1), "errors[0] ws/c: message is empty"},
		"summary":         {strings.Replace(good, `"errors": 1`, `"errors": 0`, 1), "summary {scale_up 1, scale_down 0, update 1, no_change 0, errors 0} does not match the entries"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, samplePlan()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(samplePlan(), got); diff != "" {
		t.Errorf("WriteFile() then Read() mismatch (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only plan.json (no temp files left)", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "plan.json"), samplePlan()); err == nil {
		t.Error("WriteFile() into a missing directory succeeded")
	}
}
