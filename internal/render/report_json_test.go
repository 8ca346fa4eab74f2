package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/apply"
)

func TestReportJSON(t *testing.T) {
	tests := map[string]apply.Report{
		"report_json.golden":       reportSample(),
		"report_json_empty.golden": {FormatVersion: apply.FormatVersion},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ReportJSON(&b, r); err != nil {
				t.Fatal(err)
			}
			checkReportGolden(t, name, b.Bytes())

			// The document reads back into the same report.
			var back apply.Report
			if err := json.Unmarshal(b.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if r.Results == nil {
				r.Results = []apply.Result{}
			}
			if diff := cmp.Diff(r, back); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportJSONEmptyResults(t *testing.T) {
	var b bytes.Buffer
	if err := ReportJSON(&b, apply.Report{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := string(doc["results"]); got != "[]" {
		t.Errorf("results = %s, want []", got)
	}
}
