package render

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// GitHubCommentLimit is the limit callers pass to PlanMarkdown for a pull
// request comment: GitHub refuses comments over 65,536 characters, and the
// rest leaves room for a caller's own header.
const GitHubCommentLimit = 65000

// PlanMarkdown writes the plan as a pull request comment: a heading, the
// summary line, every error, a table of the deployments that change
// (workspace, deployment, plan, before, after, delta), the unchanged and
// unmanaged counts, and the unchanged and unmanaged deployments folded in
// <details>.
//
// The output stays within limit bytes (so within limit characters) for a
// plan of any size; limit 0 means no limit. The heading, summary and counts
// are always kept. Errors come before the table: when they do not fit, their
// messages are shortened, and only if that is not enough are the middle ones
// replaced by a line counting them; the section heading keeps the full
// count. The table then gets what is left, its middle rows replaced by a row
// saying how many were elided; the <details> lists come last. User content
// in cells is escaped ("|", HTML and Markdown characters). A limit too small
// for even the heading and summary cuts the output at the limit.
func PlanMarkdown(w io.Writer, p plan.Plan, limit int) error {
	if limit <= 0 {
		limit = math.MaxInt
	}
	head := "### capctl plan\n\n**" + PlanSummary(p.Summary) + "**\n\n"
	if p.Summary.Changed() == 0 {
		head += "No changes.\n\n"
	}
	foot := fmt.Sprintf("%s unchanged, %s (never touched).\n\n",
		Plural(p.Summary.NoChange, "deployment"), Plural(len(p.Unmanaged), "unmanaged deployment"))
	rows := changeRows(p.Changes)
	tableHeader := fmt.Sprintf("#### Changes (%d)\n\n%s", len(rows), tableColumns)
	left := limit - len(head) - len(foot)
	reserve := 0
	if len(rows) > 0 {
		reserve = len(tableHeader) + 200 // room for the table to say how many rows it elided
	}
	errs := errorSection(p.Errors, left-reserve)
	left -= len(errs)
	table := section(tableHeader, rows, left, func(n int) string {
		return fmt.Sprintf("| … | *%s elided* | | | | |\n", Plural(n, "row"))
	})
	left -= len(table)
	details := detailSections(p, left)
	out := head + errs + table + foot + details
	if len(out) > limit {
		out = cut(out, limit)
	}
	_, err := io.WriteString(w, out)
	return err
}

const tableColumns = "| Workspace | Deployment | Plan | Before | After | Delta |\n|---|---|---|---|---|---|\n"

// section returns header and lines within budget bytes, the middle lines
// replaced by elided(n) when they do not all fit, or "" when not even the
// header and the elision line fit. It returns "" for no lines.
func section(header string, lines []string, budget int, elided func(n int) string) string {
	if len(lines) == 0 {
		return ""
	}
	total := len(header) + 1
	for _, l := range lines {
		total += len(l)
	}
	if total <= budget {
		return header + strings.Join(lines, "") + "\n"
	}
	used := len(header) + len(elided(len(lines))) + 1
	if used > budget {
		return ""
	}
	i, j := 0, len(lines) // keep lines[:i] and lines[j:]
	for i < j {
		front := i <= len(lines)-j
		next := lines[j-1]
		if front {
			next = lines[i]
		}
		if used+len(next) > budget {
			break
		}
		used += len(next)
		if front {
			i++
		} else {
			j--
		}
	}
	kept := append(append(append([]string{}, lines[:i]...), elided(j-i)), lines[j:]...)
	return header + strings.Join(kept, "") + "\n"
}

// errorSection lists every error within budget, shortening messages first
// and eliding the middle ones only when that is not enough.
func errorSection(errs []plan.Error, budget int) string {
	if len(errs) == 0 {
		return ""
	}
	header := fmt.Sprintf("#### Errors (%d)\n\n", len(errs))
	elided := func(n int) string {
		return fmt.Sprintf("- … %s not shown; `capctl plan -o json` lists them all\n", Plural(n, "more error"))
	}
	for _, width := range []int{math.MaxInt, 200, 80} {
		lines := make([]string, len(errs))
		total := len(header) + 1
		for i, e := range errs {
			lines[i] = errorItem(e, width)
			total += len(lines[i])
		}
		if total <= budget || width == 80 {
			if s := section(header, lines, budget, elided); s != "" {
				return s
			}
			return header + elided(len(errs)) + "\n"
		}
	}
	return ""
}

// errorItem renders one error as a list item, its message cut to width runes.
func errorItem(e plan.Error, width int) string {
	msg := e.Message
	if utf8.RuneCountInString(msg) > width {
		msg = string([]rune(msg)[:width-1]) + "…"
	}
	s := "- **" + escapeMarkdown(e.Key().String()) + "**: " + escapeMarkdown(msg)
	if e.Pos.IsValid() {
		s += " (`" + strings.ReplaceAll(e.Pos.String(), "`", "'") + "`)"
	}
	return s + "\n"
}

// changeRows renders one table row per change that needs a call.
func changeRows(changes []plan.Change) []string {
	var rows []string
	for _, c := range changes {
		if c.Action == plan.NoChange {
			continue
		}
		live, desired := sides(c)
		if c.Plan == deploy.PlanMU {
			live, desired = []string{num(c.Before.Capacity)}, []string{num(c.After.Capacity)}
		}
		before := strings.Join(live, ", ")
		if s := c.Before.Status; s != "" && s != deploy.StatusRunning {
			before += " (" + s + ")"
		}
		var deltas []string
		for _, f := range changedFields(c) {
			d := delta(f)
			if c.Plan == deploy.PlanPTU {
				d = f.name + " " + d
			}
			deltas = append(deltas, d)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s %s | %s | %s | %s | %s |\n",
			escapeMarkdown(c.Workspace), symbol(c.Action, Style{}), escapeMarkdown(c.DeployedModel), c.Plan,
			escapeMarkdown(before), escapeMarkdown(strings.Join(desired, ", ")), escapeMarkdown(strings.Join(deltas, ", "))))
	}
	return rows
}

// detailSections folds the unchanged and unmanaged deployments into
// <details>, each list elided in the middle to fit budget.
func detailSections(p plan.Plan, budget int) string {
	var unchanged, unmanaged []string
	for _, c := range p.Changes {
		if c.Action == plan.NoChange {
			unchanged = append(unchanged, "- "+escapeMarkdown(c.Key().String())+"\n")
		}
	}
	for _, k := range p.Unmanaged {
		unmanaged = append(unmanaged, "- "+escapeMarkdown(k.String())+"\n")
	}
	const end = "</details>\n\n"
	var out string
	for _, d := range []struct {
		title string
		lines []string
	}{{"Unchanged deployments", unchanged}, {"Unmanaged deployments, never touched", unmanaged}} {
		header := fmt.Sprintf("<details><summary>%s (%d)</summary>\n\n", d.title, len(d.lines))
		s := section(header, d.lines, budget-len(out)-len(end), func(n int) string {
			return fmt.Sprintf("- … %d more elided\n", n)
		})
		if s != "" {
			out += s + end
		}
	}
	return out
}

var markdownEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`, "\\", `\\`, "`", "\\`",
	"*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "\r\n", " ", "\n", " ", "\r", " ",
)

// escapeMarkdown makes s plain text in a Markdown table cell or list item.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// cut shortens s to at most n bytes without splitting a rune.
func cut(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
