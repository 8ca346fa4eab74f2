package schema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const okDeployment = `{plan: "mu", capacity: 1}`

// TestLoadPaths checks which files a set of paths selects; each tree is
// written to a fresh directory that is then the working directory, so
// positions and messages use the relative names given.
func TestLoadPaths(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		paths []string
		want  []string // deployment ids found
	}{
		"a directory, recursively": {
			files: map[string]string{
				"fleet/a.cue":         "workspaces: w: deployments: a: " + okDeployment,
				"fleet/team/b.cue":    "workspaces: w: deployments: b: " + okDeployment,
				"fleet/notes.txt":     "not cue",
				"fleet/.hidden/c.cue": "workspaces: w: deployments: c: " + okDeployment,
				"fleet/.d.cue":        "workspaces: w: deployments: d: " + okDeployment,
				"fleet/cue.mod/e.cue": "workspaces: w: deployments: e: " + okDeployment,
			},
			paths: []string{"fleet"},
			want:  []string{"a", "b"},
		},
		"a file": {
			files: map[string]string{
				"fleet/a.cue": "workspaces: w: deployments: a: " + okDeployment,
				"fleet/b.cue": "workspaces: w: deployments: b: " + okDeployment,
			},
			paths: []string{"fleet/b.cue"},
			want:  []string{"b"},
		},
		"a hidden file named explicitly": {
			files: map[string]string{".a.cue": "workspaces: w: deployments: a: " + okDeployment},
			paths: []string{".a.cue"},
			want:  []string{"a"},
		},
		"a file and its directory, loaded once": {
			files: map[string]string{"fleet/a.cue": "workspaces: w: deployments: a: " + okDeployment},
			paths: []string{"fleet/a.cue", "fleet", "./fleet/"},
			want:  []string{"a"},
		},
		"dot": {
			files: map[string]string{"a.cue": "package capacity\nworkspaces: w: deployments: a: " + okDeployment},
			paths: []string{"."},
			want:  []string{"a"},
		},
		"files with and without a package clause": {
			files: map[string]string{
				"a.cue": "package capacity\nworkspaces: w: deployments: a: " + okDeployment,
				"b.cue": "workspaces: w: deployments: b: " + okDeployment,
			},
			paths: []string{"."},
			want:  []string{"a", "b"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			t.Chdir(dir)
			cfg, err := Load(tc.paths)
			if err != nil {
				t.Fatalf("Load() error:\n%v", err)
			}
			var got []string
			for _, d := range cfg.Deployments {
				got = append(got, d.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("deployments mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadPathProblems(t *testing.T) {
	tests := map[string]struct {
		files    map[string]string
		symlinks map[string]string // link name -> target
		paths    []string
		want     []wantProblem
	}{
		"missing path": {
			paths: []string{"nope", "nope.cue"},
			want: []wantProblem{
				{Msg: "nope: no such file or directory"},
				{Msg: "nope.cue: no such file or directory"},
			},
		},
		"not a cue file": {
			files: map[string]string{"a.json": "{}"},
			paths: []string{"a.json"},
			want:  []wantProblem{{Msg: "a.json: not a .cue file"}},
		},
		"empty directory": {
			files: map[string]string{"empty/README": "x", "empty/.hidden.cue": "x: 1"},
			paths: []string{"empty"},
			want:  []wantProblem{{Msg: "empty: no .cue files in directory"}},
		},
		"symlink loop given as a path": {
			symlinks: map[string]string{"loop-a": "loop-b", "loop-b": "loop-a"},
			paths:    []string{"loop-a"},
			want:     []wantProblem{{Msg: "loop-a: too many levels of symbolic links"}},
		},
		"dangling and looping symlinks in a directory": {
			files:    map[string]string{"d/ok.cue": "workspaces: w: deployments: a: " + okDeployment},
			symlinks: map[string]string{"d/gone.cue": "nowhere.cue", "d/self.cue": "self.cue", "d/up": "."},
			paths:    []string{"d"},
			want: []wantProblem{
				{Msg: filepath.Join("d", "gone.cue") + ": no such file or directory"},
				{Msg: filepath.Join("d", "self.cue") + ": too many levels of symbolic links"},
			},
		},
		"mixed package names": {
			files: map[string]string{
				"a.cue": "package capacity\n",
				"b.cue": "// other team\npackage other\n",
			},
			paths: []string{"."},
			want: []wantProblem{{Pos: "b.cue:2:9",
				Msg: "package other differs from package capacity at a.cue:1:9: all files must name the same package, or none"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			for link, target := range tc.symlinks {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Skipf("symlinks unavailable: %v", err)
				}
			}
			t.Chdir(dir)
			_, err := Load(tc.paths)
			checkProblems(t, dir, problemsOf(t, err), tc.want)
		})
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.cue": "workspaces: {}\n"})
	if err := os.Chmod(filepath.Join(dir, "a.cue"), 0); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err := Load([]string{"."})
	checkProblems(t, dir, problemsOf(t, err), []wantProblem{{Msg: "a.cue: permission denied"}})
}
