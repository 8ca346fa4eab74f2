package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/capctl/capctl/internal/deploy"
)

// maxFileSize bounds what Read accepts; a plan of 100,000 deployments is
// well under it.
const maxFileSize = 256 << 20

// Write writes p as the plan document: indented JSON and a newline. Empty
// lists are written as [] rather than null, and HTML characters in messages
// are kept as they are.
func Write(w io.Writer, p Plan) error {
	p = normalize(p)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteFile writes p to path atomically: it writes a temporary file in the
// same directory, syncs it and renames it over path, so a reader sees the old
// plan or the new one, never a part. The file is created with mode 0600.
func WriteFile(path string, p Plan) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err = Write(f, p); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename durable; best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// Read reads and checks a plan document. It accepts only what capctl itself
// could have written: format_version 1, known plans and actions, capacities
// in range, actions that agree with before/after, each deployment once, and
// a summary that counts the entries. Every error names the entry
// (changes[i] workspace/deployed_model) and the field.
//
// Read is strict about unknown fields: a saved plan is an instruction to
// change production, and a field this capctl does not know may carry meaning
// it would silently drop, so it refuses the file instead. A capctl that adds a
// field writes plans that older versions refuse (apply a plan with the
// capctl that made it); other consumers of the JSON should ignore unknown
// fields, as the protocol only ever adds them.
func Read(r io.Reader) (Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return Plan{}, fmt.Errorf("read plan: %w", err)
	}
	if len(data) > maxFileSize {
		return Plan{}, fmt.Errorf("plan is larger than %d MiB", maxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Plan{}, errors.New("plan is empty")
	}
	var probe struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Plan{}, jsonError(data, err)
	}
	switch {
	case probe.FormatVersion == nil:
		return Plan{}, errors.New("plan has no format_version; is this a capctl plan file?")
	case *probe.FormatVersion != FormatVersion:
		return Plan{}, fmt.Errorf("plan format_version %d is not supported; this capctl reads version %d", *probe.FormatVersion, FormatVersion)
	}
	// The probe has rejected bad syntax and trailing data already.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return Plan{}, jsonError(data, err)
	}
	p = normalize(p)
	if err := check(p); err != nil {
		return Plan{}, fmt.Errorf("invalid plan: %w", err)
	}
	return p, nil
}

// jsonError turns a decoding error into one line that says where.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("plan is truncated: unexpected end of JSON after %d bytes", len(data))
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
			return fmt.Errorf("plan is truncated: unexpected end of JSON after %d bytes", len(data))
		}
		return fmt.Errorf("plan is not valid JSON at %s: %s", where(data, syn.Offset), syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("plan has a %s where %s needs %s, at %s", typ.Value, field, typ.Type, where(data, typ.Offset))
	}
	return fmt.Errorf("plan is not a valid plan document: %s", err)
}

// where renders a byte offset as "line L, column C (byte O)".
func where(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

// normalize replaces nil lists by empty ones so the document says [] and a
// plan read back equals the one written.
func normalize(p Plan) Plan {
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if p.Unmanaged == nil {
		p.Unmanaged = []deploy.Key{}
	}
	if p.Errors == nil {
		p.Errors = []Error{}
	}
	return p
}
