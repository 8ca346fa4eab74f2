package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/journal"
)

// startOutputs prepares the report files of a run that is about to make its
// first call. Report and JUnit files of an earlier run are removed, so a
// report found after this run always comes from a run that finished. With
// --report, results are journaled to FILE.journal as they come in (see
// internal/journal), so a run killed before its end still leaves a record;
// the returned writer is nil without --report. An unwritable report
// directory is thus an error before any change, not after all of them.
func (c *ApplyCmd) startOutputs(e *env) (*journal.Writer, error) {
	for _, p := range []string{c.Report, c.Junit} {
		if p == "" {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove the report of an earlier run: %w", err)
		}
	}
	if c.Report == "" {
		return nil, nil
	}
	w, err := journal.Open(c.Report + journal.Suffix)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if w.Existed() {
		fmt.Fprintf(e.stderr, "capctl: %s holds results of an earlier run that was stopped before it wrote its report; this run's results follow them\n", w.Path())
	}
	return w, nil
}

// journalResults returns the function that records each finished
// deployment in w; it does nothing when w is nil.
func journalResults(w *journal.Writer) func(apply.Result) {
	if w == nil {
		return func(apply.Result) {}
	}
	return w.Append
}
