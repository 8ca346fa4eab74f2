package render

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReportJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := ReportJUnit(&b, reportSample()); err != nil {
		t.Fatal(err)
	}
	checkReportGolden(t, "report_junit.golden", b.Bytes())

	// The XML is well formed and counts what the cases say.
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid XML: %v", err)
	}
	got := map[string]int{"suites": len(doc.Suites)}
	for _, s := range doc.Suites {
		got["tests"] += s.Tests
		got["cases"] += len(s.Cases)
		got["failures"] += s.Failures
		got["errors"] += s.Errors
		got["skipped"] += s.Skipped
		for _, c := range s.Cases {
			if c.Failure != nil {
				got["failure elements"]++
			}
			if c.Error != nil {
				got["error elements"]++
			}
		}
	}
	want := map[string]int{"suites": 1, "tests": 8, "cases": 8, "failures": 4, "errors": 1, "skipped": 1,
		"failure elements": 4, "error elements": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JUnit counts mismatch (-want +got):\n%s", diff)
	}
	if doc.Suites[0].Name != "capctl apply" || doc.Suites[0].Cases[0].Classname != "llm-a" || doc.Suites[0].Cases[0].Name != "emo-1" {
		t.Errorf("first suite/case = %q %q %q", doc.Suites[0].Name, doc.Suites[0].Cases[0].Classname, doc.Suites[0].Cases[0].Name)
	}
}

func TestReportSeconds(t *testing.T) {
	for ms, want := range map[int64]string{0: "0.000", 85: "0.085", 1500: "1.500", 61001: "61.001", -4: "0.000"} {
		if got := reportSeconds(ms); got != want {
			t.Errorf("reportSeconds(%d) = %q, want %q", ms, got, want)
		}
	}
}
