package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// MaxGitHubNotices caps the ::notice annotations PlanGitHub writes for
// changes. GitHub shows only a handful of annotations per step anyway; the
// rest would only lengthen the log.
const MaxGitHubNotices = 100

// PlanGitHub writes the plan as GitHub Actions workflow commands: an
// "::error" annotation per error (with file, line and col when the
// declaration's position is known, so it lands on the pull request's
// changed line), a "::notice" per change that needs a call (the first
// MaxGitHubNotices of them, then a plain line counting the rest), and the
// summary line as plain text. Values are escaped per GitHub's rules.
func PlanGitHub(w io.Writer, p plan.Plan) error {
	bw := bufio.NewWriter(w)
	for _, e := range p.Errors {
		writeCommand(bw, "error", e.Pos, "capctl plan", e.Key().String()+": "+e.Message)
	}
	noticed, rest := 0, 0
	for _, c := range p.Changes {
		if c.Action == plan.NoChange {
			continue
		}
		if noticed == MaxGitHubNotices {
			rest++
			continue
		}
		noticed++
		msg := fmt.Sprintf("%s: %s %s %s", c.Key(), c.Action, c.Plan, describe(c))
		writeCommand(bw, "notice", c.Pos, "capctl plan", msg)
	}
	if rest > 0 {
		fmt.Fprintf(bw, "%s not annotated.\n", Plural(rest, "more change"))
	}
	fmt.Fprintln(bw, PlanSummary(p.Summary))
	return bw.Flush()
}

// writeCommand writes one workflow command,
// "::kind file=F,line=L,col=C,title=T::message", leaving out the position
// when it is unknown.
func writeCommand(w io.Writer, kind string, pos deploy.Pos, title, msg string) {
	var props []string
	if pos.IsValid() {
		props = append(props, "file="+escapeProperty(pos.File))
		if pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(pos.Line))
		}
		if pos.Col > 0 {
			props = append(props, "col="+strconv.Itoa(pos.Col))
		}
	}
	props = append(props, "title="+escapeProperty(title))
	fmt.Fprintf(w, "::%s %s::%s\n", kind, strings.Join(props, ","), escapeData(msg))
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a command's message.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a command's property value.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
