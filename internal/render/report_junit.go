package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/capctl/capctl/internal/apply"
)

// The JUnit XML shapes, as CI systems (GitHub, GitLab, Jenkins) read them.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string      `xml:"name,attr"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr,omitempty"`
		Cases     []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Classname string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Details string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
)

// ReportJUnit writes the apply report as JUnit XML: one test suite,
// "capctl apply", with one test case per deployment (classname: the
// workspace, name: the deployed_model, time: the result's duration).
// failed and conflict results are <failure>s: the deployment is not at the
// capacity the files declare. interrupted results are <error>s: the run was
// cut short, so nothing is known to be wrong with the deployment itself;
// CI tools show errors apart from failures. skipped results are <skipped/>.
// encoding/xml escapes every value, so API messages cannot break the XML.
func ReportJUnit(w io.Writer, r apply.Report) error {
	suite := junitSuite{Name: "capctl apply", Time: reportSeconds(r.FinishedAt.Sub(r.StartedAt).Milliseconds())}
	if !r.StartedAt.IsZero() {
		suite.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	suite.Cases = make([]junitCase, 0, len(r.Results))
	for _, res := range r.Results {
		c := junitCase{Classname: res.Workspace, Name: res.DeployedModel, Time: reportSeconds(res.DurationMS)}
		problem := &junitProblem{Message: reportOneLine(res.Error), Type: string(res.Status), Details: junitDetails(res)}
		switch res.Status {
		case apply.Failed, apply.Conflict:
			c.Failure = problem
			suite.Failures++
		case apply.Interrupted:
			c.Error = problem
			suite.Errors++
		case apply.Skipped:
			c.Skipped = &junitSkipped{Message: "no change needed"}
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitDetails is the body of a failure or error: everything a reader of
// the CI page needs without opening the JSON report.
func junitDetails(res apply.Result) string {
	var b strings.Builder
	b.WriteString(res.Key().String())
	if res.Action != "" {
		fmt.Fprintf(&b, ": %s %s", res.Action, reportChange(res))
	}
	fmt.Fprintf(&b, "\nstatus: %s\nattempts: %d\n", res.Status, res.Attempts)
	if res.Code != "" {
		fmt.Fprintf(&b, "code: %s\n", res.Code)
	}
	if res.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", res.Error)
	}
	return b.String()
}

// reportSeconds renders milliseconds as JUnit's decimal seconds.
func reportSeconds(ms int64) string {
	ms = max(ms, 0)
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}
