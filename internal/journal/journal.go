// Package journal records an apply run's results while it runs, one JSON
// line per finished deployment, so that a run killed before it could write
// its report (SIGKILL, an OOM kill, a CI runner that vanished) still leaves a
// record of every deployment it finished.
//
// The file is NDJSON: each line is one apply.Result, written with a single
// write(2) to a file opened O_APPEND, so a killed process leaves whole lines
// behind it (the kernel keeps what was written; fsync only matters when the
// machine itself goes down). Lines are fsynced at most SyncInterval after
// they are written and when the journal is closed. A reader skips a torn
// last line, which only a machine crash in the middle of a write can leave.
//
// A journal is a stopgap, not a report: once the complete report is safely
// on disk, the writer removes the journal. When an earlier run was killed,
// its lines stay ahead of the next run's; a later line for a deployment
// supersedes an earlier one.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/capctl/capctl/internal/apply"
)

// SyncInterval is the longest a written line waits for its fsync. Syncing
// in the background, at most this often, keeps fsync off the path of the
// apply workers, which wait for each event to be recorded.
const SyncInterval = 250 * time.Millisecond

// Suffix is appended to a report's path to name its journal.
const Suffix = ".journal"

// Writer appends results to a journal file. Its methods are safe for
// concurrent use. Write errors are sticky: after the first one, Append does
// nothing and Err and Close report it, so a full disk never stops an apply.
type Writer struct {
	path string

	mu      sync.Mutex
	f       *os.File
	timer   *time.Timer // the pending background sync, if any
	err     error
	closed  bool
	existed bool
}

// Open opens the journal at path for appending, creating it with mode 0600
// (it describes production capacity). When the file already exists, a run
// before was killed: its lines are kept, and a torn last line it may have
// left is cut off so the next line starts on a line of its own.
func Open(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	w := &Writer{path: path, f: f}
	fi, err := f.Stat()
	if err == nil && fi.Size() > 0 {
		w.existed = true
		err = cutTornTail(f, path, fi.Size())
	}
	if err == nil {
		err = f.Chmod(0o600) // an older file may have had another mode
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	return w, nil
}

// cutTornTail truncates the file after its last newline.
func cutTornTail(f *os.File, path string, size int64) error {
	const window = 64 << 10 // a line is a few hundred bytes
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	off := max(0, size-window)
	buf := make([]byte, size-off)
	if _, err := r.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if buf[len(buf)-1] == '\n' {
		return nil
	}
	keep := int64(0)
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		keep = off + int64(i) + 1
	} else if off > 0 {
		return fmt.Errorf("last line longer than %d bytes: not a journal", window)
	}
	return f.Truncate(keep)
}

// Path returns the file the journal writes.
func (w *Writer) Path() string { return w.path }

// Existed reports whether the file held lines of an earlier run when it
// was opened.
func (w *Writer) Existed() bool { return w.existed }

// Append writes res as one line. The line reaches the kernel before Append
// returns and the disk within SyncInterval.
func (w *Writer) Append(res apply.Result) {
	line, err := json.Marshal(res)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.closed {
		return
	}
	if err != nil {
		w.err = fmt.Errorf("append to journal %s: %w", w.path, err)
		return
	}
	if _, err := w.f.Write(append(line, '\n')); err != nil { // one write: one whole line
		w.err = fmt.Errorf("append to journal %s: %w", w.path, err)
		return
	}
	if w.timer == nil {
		w.timer = time.AfterFunc(SyncInterval, w.backgroundSync)
	}
}

func (w *Writer) backgroundSync() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = nil
	if w.closed || w.err != nil {
		return
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("sync journal %s: %w", w.path, err)
	}
}

// Err returns the first write or sync error, or nil.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close syncs and closes the file, and returns the first error of the
// journal's life. It is safe to call more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop() // a sync that already started waits for mu and then sees closed
		w.timer = nil
	}
	if err := w.f.Sync(); err != nil && w.err == nil {
		w.err = fmt.Errorf("sync journal %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("close journal %s: %w", w.path, err)
	}
	return w.err
}

// Remove closes the journal and deletes its file. Call it once the
// complete report is durable: from then on the report is the record.
func (w *Writer) Remove() error {
	_ = w.Close() // the file goes away: its write errors no longer matter
	if err := os.Remove(w.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	return nil
}

// Read returns the results of a journal in the order they were written. A
// last line without its newline, torn by a crash in the middle of a write,
// is skipped; any other line that is not a result is an error naming it.
func Read(r io.Reader) ([]apply.Result, error) {
	br := bufio.NewReader(r)
	var out []apply.Result
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil // "" at the end, or a torn last line
		}
		if err != nil {
			return out, fmt.Errorf("read journal: %w", err)
		}
		var res apply.Result
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&res); err != nil {
			return out, fmt.Errorf("read journal: line %d: %w", n, err)
		}
		out = append(out, res)
	}
}

// ReadFile reads the journal at path with Read.
func ReadFile(path string) ([]apply.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	res, err := Read(f)
	if err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
