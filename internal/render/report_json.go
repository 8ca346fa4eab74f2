package render

import (
	"encoding/json"
	"io"

	"github.com/capctl/capctl/internal/apply"
)

// ReportJSON writes the apply report document of SPEC.md, indented, with a
// trailing newline. results is always an array, [] when empty, so a reader
// never has to tell null from no results. HTML characters are not escaped:
// the document is read by programs and people, never embedded in a page.
func ReportJSON(w io.Writer, r apply.Report) error {
	if r.Results == nil {
		r.Results = []apply.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
