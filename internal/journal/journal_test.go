package journal

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/plan"
)

func result(id string, s apply.Status) apply.Result {
	n := 2
	return apply.Result{
		Workspace: "llm-a", DeployedModel: id, Action: plan.ScaleUp, Status: s,
		Attempts: 1, After: plan.State{Capacity: &n},
	}
}

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json"+Suffix)
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if w.Existed() {
		t.Error("Existed() = true for a new file")
	}
	want := []apply.Result{result("mu-1", apply.Succeeded), result("mu-2", apply.Failed), result("mu-3", apply.Interrupted)}
	for _, r := range want {
		w.Append(r)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	w.Append(result("late", apply.Succeeded)) // after Close: ignored
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadFile() mismatch (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("journal mode = %v, want 0600", m)
	}
}

func TestConcurrentAppendsStayWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				w.Append(result(strings.Repeat("x", i+1), apply.Succeeded))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 400 {
		t.Errorf("read %d results, want 400", len(got))
	}
}

// A machine crash can leave half a line: readers skip it, and the next run
// cuts it off before appending its own lines.
func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Append(result("mu-1", apply.Succeeded))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"workspace":"llm-a","deployed_mo`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile() = %v, want the torn line skipped", err)
	}
	if len(got) != 1 || got[0].DeployedModel != "mu-1" {
		t.Fatalf("ReadFile() = %+v, want mu-1 only", got)
	}

	w, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Existed() {
		t.Error("Existed() = false for a journal with lines")
	}
	w.Append(result("mu-2", apply.Succeeded))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err = ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.DeployedModel)
	}
	if diff := cmp.Diff([]string{"mu-1", "mu-2"}, ids); diff != "" {
		t.Errorf("after reopening (-want +got):\n%s", diff)
	}
}

func TestReadRejectsCorruptLine(t *testing.T) {
	in := `{"workspace":"llm-a","deployed_model":"mu-1","status":"succeeded"}` + "\n" +
		"not json\n" +
		`{"workspace":"llm-a","deployed_model":"mu-2","status":"succeeded"}` + "\n"
	_, err := Read(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Read() error = %v, want one naming line 2", err)
	}
}

func TestRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Append(result("mu-1", apply.Succeeded))
	if err := w.Remove(); err != nil {
		t.Fatalf("Remove() = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("journal still there after Remove: %v", err)
	}
}

func TestOpenUnwritable(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing", "j")); err == nil {
		t.Error("Open() in a missing directory succeeded")
	}
}
