// Package render draws capctl's views of plans, apply reports and validation
// problems: text for a terminal (optionally coloured), Markdown for a pull
// request comment, JSON for programs and GitHub Actions workflow commands for
// annotations.
//
// A view never recomputes. It shows the plan.Plan, report or problems it is
// given, so the text, Markdown and JSON of one plan cannot disagree, and a
// view can be tested from a value alone. The package imports no API client,
// CUE or CLI code; writers are plain io.Writers.
//
// The JSON views (PlanJSON, ProblemsJSON) are stable protocols: fields are
// only ever added, and a change of meaning changes the format version.
package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// Style colours text with ANSI escapes when Color is true and leaves it
// alone otherwise. The zero Style is plain.
type Style struct {
	Color bool
}

func (s Style) paint(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// Green marks growth and success.
func (s Style) Green(text string) string { return s.paint("32", text) }

// Red marks shrinking, removal and failure.
func (s Style) Red(text string) string { return s.paint("31", text) }

// Yellow marks mixed changes and warnings.
func (s Style) Yellow(text string) string { return s.paint("33", text) }

// Cyan marks diff hunk headers.
func (s Style) Cyan(text string) string { return s.paint("36", text) }

// Bold marks headings.
func (s Style) Bold(text string) string { return s.paint("1", text) }

// Plural returns "1 error" or "2 errors": n and the noun, with s appended
// unless n is 1.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// PlanSummary returns the plan's summary line, the last line of the text
// view, e.g. "Plan: 3 to scale up, 1 to scale down, 0 to update, 42
// unchanged, 1 error."
func PlanSummary(s plan.Summary) string {
	return fmt.Sprintf("Plan: %d to scale up, %d to scale down, %d to update, %d unchanged, %s.",
		s.ScaleUp, s.ScaleDown, s.Update, s.NoChange, Plural(s.Errors, "error"))
}

// field is one capacity field of a change, before and after. A nil side is
// unset; a nil After on thinking_output_tpm means "left as is".
type field struct {
	name          string
	before, after *int
}

func (f field) changed() bool {
	return f.after != nil && (f.before == nil || *f.before != *f.after)
}

// fields lists the capacity fields of a change in display order.
func fields(c plan.Change) []field {
	if c.Plan != deploy.PlanPTU {
		return []field{{"capacity", c.Before.Capacity, c.After.Capacity}}
	}
	var b, a deploy.PTU
	if c.Before.PTUCapacity != nil {
		b = *c.Before.PTUCapacity
	}
	if c.After.PTUCapacity != nil {
		a = *c.After.PTUCapacity
	}
	fs := []field{{"input_tpm", &b.InputTPM, &a.InputTPM}, {"output_tpm", &b.OutputTPM, &a.OutputTPM}}
	if b.ThinkingOutputTPM != nil || a.ThinkingOutputTPM != nil {
		fs = append(fs, field{"thinking_output_tpm", b.ThinkingOutputTPM, a.ThinkingOutputTPM})
	}
	return fs
}

// changedFields returns the fields whose value the change sets anew.
func changedFields(c plan.Change) []field {
	var out []field
	for _, f := range fields(c) {
		if f.changed() {
			out = append(out, f)
		}
	}
	return out
}

func num(n *int) string {
	if n == nil {
		return "unset"
	}
	return strconv.Itoa(*n)
}

// delta renders after-before with its sign, an unset before counting as 0.
func delta(f field) string {
	var b, a int
	if f.before != nil {
		b = *f.before
	}
	if f.after != nil {
		a = *f.after
	}
	return fmt.Sprintf("%+d", a-b)
}

// describe renders the changed fields of c, e.g. "capacity 1 → 2 (+1)".
func describe(c plan.Change) string {
	var parts []string
	for _, f := range changedFields(c) {
		parts = append(parts, fmt.Sprintf("%s %s → %s (%s)", f.name, num(f.before), num(f.after), delta(f)))
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

// sides renders the live and desired states as sorted "field = value"
// lines for the diff; a field left as is shows its live value on both sides.
func sides(c plan.Change) (live, desired []string) {
	for _, f := range fields(c) {
		after := f.after
		if after == nil {
			after = f.before
		}
		if f.before != nil {
			live = append(live, f.name+" = "+num(f.before))
		}
		if after != nil {
			desired = append(desired, f.name+" = "+num(after))
		}
	}
	return live, desired
}

// symbol is the one-character mark of an action in the text view.
func symbol(a plan.Action, st Style) string {
	switch a {
	case plan.ScaleUp:
		return st.Green("↑")
	case plan.ScaleDown:
		return st.Red("↓")
	case plan.Update:
		return st.Yellow("~")
	}
	return " "
}
