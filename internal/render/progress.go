package render

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/capctl/capctl/internal/apply"
)

// progressRedraw is the least time between two redraws of the terminal
// line: about ten a second reads as live without the terminal, rather than
// the run, becoming the bottleneck of a fast bulk apply.
const progressRedraw = 100 * time.Millisecond

// Progress draws an apply run's progress from its events, on stderr by
// convention (results go to stdout). On a terminal it keeps one line,
// redrawn in place:
//
//	apply: 120/3000 done, 2 failed, 12.3s, 97/s
//
// Elsewhere (a CI log) it writes one line per finished deployment that was
// touched, and nothing for skipped ones, which made no call:
//
//	ok ws/id scale_up 1 → 2 (1 attempt, 85ms)
//	FAILED ws/id: <error>
//
// Those lines are buffered and written at most every progressRedraw, so a
// bulk apply does not make one write per deployment on its hot path.
//
// Its methods are safe for concurrent use; pass Event as apply's
// Options.Events.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte      // log lines not yet written (not a terminal)
	flush *time.Timer // pending write of buf; nil when none
	total int
	tty   bool
	now   func() time.Time
	start time.Time

	done, failed, conflict int
	lastDraw               time.Time
	drawn                  bool // a line was drawn (tty) since the start
}

// NewProgress returns a Progress writing to w for a run of total results.
// tty selects the redrawn line; now is the clock (time.Now when nil).
func NewProgress(w io.Writer, total int, tty bool, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	return &Progress{w: w, total: total, tty: tty, now: now, start: now()}
}

// Event records one apply event. Started events draw nothing; on a
// terminal, Finished events only redraw when the last redraw is more than
// a tenth of a second old, so the per-event cost is a lock and a few
// additions.
func (p *Progress) Event(e apply.Event) {
	if e.Kind != apply.Finished {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	switch e.Result.Status {
	case apply.Failed:
		p.failed++
	case apply.Conflict:
		p.conflict++
	}
	if !p.tty {
		p.logLine(e.Result)
		return
	}
	if now := p.now(); !p.drawn || now.Sub(p.lastDraw) >= progressRedraw {
		p.draw(now, "")
	}
}

// Done draws the final state. On a terminal it leaves the progress line in
// place, ended by a newline, so what follows starts on a line of its own.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.flush != nil {
		p.flush.Stop()
	}
	p.writeBuf()
	if p.tty {
		p.draw(p.now(), "\n")
	}
}

// draw redraws the terminal line: carriage return, clear the line, text.
// Write errors are ignored: progress is a courtesy, and a broken stderr
// must not fail an apply.
func (p *Progress) draw(now time.Time, end string) {
	p.lastDraw, p.drawn = now, true
	elapsed := now.Sub(p.start)
	line := fmt.Sprintf("apply: %d/%d done, %d failed", p.done, p.total, p.failed)
	if p.conflict > 0 {
		line += fmt.Sprintf(", %d conflict", p.conflict)
	}
	line += fmt.Sprintf(", %.1fs", elapsed.Seconds())
	if elapsed > 0 {
		line += fmt.Sprintf(", %.0f/s", float64(p.done)/elapsed.Seconds())
	}
	_, _ = io.WriteString(p.w, "\r\x1b[2K"+line+end)
}

// logLine writes the non-terminal line for one finished result.
func (p *Progress) logLine(res apply.Result) {
	var line string
	switch res.Status {
	case apply.Skipped:
		return
	case apply.Succeeded:
		attempts := "attempts"
		if res.Attempts == 1 {
			attempts = "attempt"
		}
		line = fmt.Sprintf("ok %s %s %s (%d %s, %s)", res.Key(), res.Action, reportChange(res),
			res.Attempts, attempts, reportDuration(res.DurationMS))
	default: // FAILED, CONFLICT, INTERRUPTED: loud enough to find in a long log
		line = fmt.Sprintf("%s %s: %s", strings.ToUpper(string(res.Status)), res.Key(), reportOneLine(res.Error))
	}
	p.buf = append(p.buf, line...)
	p.buf = append(p.buf, '\n')
	if p.flush == nil {
		p.flush = time.AfterFunc(progressRedraw, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.writeBuf()
		})
	}
}

// writeBuf writes the buffered log lines. Call with p.mu held.
func (p *Progress) writeBuf() {
	p.flush = nil
	if len(p.buf) > 0 {
		_, _ = p.w.Write(p.buf)
		p.buf = p.buf[:0]
	}
}
