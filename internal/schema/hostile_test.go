package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// One bad file among fifty is the only one named.
func TestLoadOneBadFileOfFifty(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		capacity := "1"
		if i == 37 {
			capacity = "1000"
		}
		files[fmt.Sprintf("fleet/team%02d.cue", i)] = fmt.Sprintf(
			"package capacity\n\nworkspaces: w: deployments: \"d-%02d\": {plan: \"mu\", capacity: %s}\n", i, capacity)
	}
	writeFiles(t, dir, files)
	t.Chdir(dir)
	_, err := Load([]string{"fleet"})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{{
		Pos:  "fleet/team37.cue:3:60",
		Path: `workspaces.w.deployments."d-37".capacity`,
		Msg:  "1000",
	}})
}

// A file over MaxFileSize is refused by name before CUE reads it; a sparse
// file makes the test cheap however large the file claims to be.
func TestLoadOversizedFile(t *testing.T) {
	for name, size := range map[string]int64{"just over": MaxFileSize + 1, "50 MB": 50 << 20} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"ok.cue": "workspaces: w: deployments: a: " + okDeployment})
			f, err := os.Create(filepath.Join(dir, "big.cue"))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(size); err != nil {
				t.Fatal(err)
			}
			f.Close()
			t.Chdir(dir)
			_, err = Load([]string{"."})
			checkProblems(t, dir, problemsOf(t, err), []wantProblem{{Msg: "big.cue: file is larger than 8 MiB"}})
		})
	}
}

// A file at the limit is still read: the limit refuses only what is over.
func TestLoadFileAtSizeLimit(t *testing.T) {
	dir := t.TempDir()
	head := "workspaces: w: deployments: a: " + okDeployment + "\n"
	pad := strings.Repeat("// padding to the limit\n", (MaxFileSize-len(head))/24)
	src := head + pad + strings.Repeat(" ", MaxFileSize-len(head)-len(pad))
	writeFiles(t, dir, map[string]string{"a.cue": src})
	if _, err := Load([]string{filepath.Join(dir, "a.cue")}); err != nil {
		t.Fatalf("Load() of a file of exactly %d bytes: %v", len(src), err)
	}
}

// A file that cannot be read, even by root: /proc/self/mem stats as a
// regular file but fails every read at offset 0 with EIO. (The chmod 000
// test in files_test.go covers permissions where the tests do not run as
// root.)
func TestLoadReadErrorEvenForRoot(t *testing.T) {
	if _, err := os.Stat("/proc/self/mem"); err != nil {
		t.Skipf("no /proc/self/mem: %v", err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/ok.cue": "workspaces: w: deployments: a: " + okDeployment})
	if err := os.Symlink("/proc/self/mem", filepath.Join(dir, "d", "mem.cue")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	t.Chdir(dir)
	_, err := Load([]string{"d"})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{{Msg: filepath.Join("d", "mem.cue") + ": input/output error"}})
}

// A FIFO named *.cue is reported, whether named or met in a walk, and never
// opened (opening it would block until a writer came).
func TestLoadFIFO(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/ok.cue": "workspaces: w: deployments: a: " + okDeployment})
	if err := syscall.Mkfifo(filepath.Join(dir, "d", "pipe.cue"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("pipe.cue", filepath.Join(dir, "d", "link.cue")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	t.Chdir(dir)
	_, err := Load([]string{"d", filepath.Join("d", "pipe.cue")})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{
		{Msg: filepath.Join("d", "link.cue") + ": not a regular file"},
		{Msg: filepath.Join("d", "pipe.cue") + ": not a regular file"}, // once, though reached twice
	})
}
