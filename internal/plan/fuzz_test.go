package plan

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzRead checks that Read never panics and that whatever it accepts
// survives Write and Read unchanged.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, samplePlan()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format_version":1,"changes":null,"summary":{}}`))
	f.Add([]byte(`{"format_version":1,"changes":[{"workspace":"w","deployed_model":"d","plan":"mu","action":"no_change","before":{"capacity":0},"after":{"capacity":0}}],"summary":{"no_change":1}}`))
	f.Add([]byte(`{"format_version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, p); err != nil {
			t.Fatalf("Write() of an accepted plan: %v", err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("Read() refuses what Write() wrote: %v\n%s", err, out.String())
		}
		// An empty list and a missing one mean the same; Write may omit either.
		if diff := cmp.Diff(p, again, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Read(Write(Read(data))) mismatch (-want +got):\n%s", diff)
		}
	})
}
