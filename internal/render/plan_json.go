package render

import (
	"io"

	"github.com/capctl/capctl/internal/plan"
)

// PlanJSON writes the plan document of SPEC.md, exactly what plan.Write
// writes and plan.Read reads back: indented JSON, one trailing newline, and
// "changes", "unmanaged" and "errors" as [] (never null) when empty.
//
// The document is a stable protocol for programs: fields are only ever
// added, and format_version changes when the meaning of one does. Programs
// other than capctl should ignore fields they do not know.
func PlanJSON(w io.Writer, p plan.Plan) error {
	return plan.Write(w, p)
}
