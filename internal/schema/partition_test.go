package schema

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"cuelang.org/go/cue/ast"
	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/deploy"
)

// splitting sets the conditions for partition to split any input (split)
// or none, for the rest of the test.
func splitting(t *testing.T, split bool) {
	t.Helper()
	oldBytes, oldProcs := minParallelBytes, runtime.GOMAXPROCS(0)
	t.Cleanup(func() { minParallelBytes = oldBytes; runtime.GOMAXPROCS(oldProcs) })
	minParallelBytes = math.MaxInt64
	if split {
		minParallelBytes = 0
		runtime.GOMAXPROCS(max(oldProcs, 3))
	}
}

// partitionFiles reads the files and partitions them.
func partitionFiles(t *testing.T, files []string) [][]*ast.File {
	t.Helper()
	srcs := make([][]byte, len(files))
	for i, f := range files {
		src, err := readSource(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[i] = src
	}
	return partition(files, srcs)
}

// outcome is what Load returned, in a form cmp can compare.
type outcome struct {
	Config   deploy.Config
	Problems []deploy.Problem
	Other    string
}

func loadOutcome(paths []string) outcome {
	cfg, err := Load(paths)
	var se *Error
	switch {
	case err == nil:
		return outcome{Config: cfg}
	case errors.As(err, &se):
		return outcome{Problems: se.Problems}
	}
	return outcome{Other: err.Error()}
}

// newDir writes name → content into a new directory and returns it.
func newDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	return dir
}

// TestSplitLoadMatchesOneLoad loads the same files evaluated together and
// evaluated in groups, and wants the same configuration or the same
// problems, positions and wording included.
func TestSplitLoadMatchesOneLoad(t *testing.T) {
	mu := func(ws, dep, fields string) string {
		return fmt.Sprintf("workspaces: %q: deployments: %q: {%s}\n", ws, dep, fields)
	}
	generated := map[string]map[string]string{
		"valid, one workspace per file": {
			"a.cue": "package capacity\n" + mu("w-a", "d1", `plan: "mu", base_capacity: 2, capacity: 4`),
			"b.cue": mu("w-b", "d1", `plan: "ptu", ptu_capacity: {input_tpm: 10, output_tpm: 1}`),
			"c.cue": "workspaces: \"w-c\": {region: \"cn-beijing\", api_key_env: \"K\"}\n" + mu("w-c", "d2", `plan: "mu", capacity: 1`),
			"d.cue": "// nothing but a comment\npackage capacity\n",
		},
		"errors in several files": {
			"a.cue": mu("w-a", "d1", `plan: "mu", base_capacity: 4, capacity: 6`),
			"b.cue": mu("w-b", "d1", `plan: "mu", capacty: 2`),
			"c.cue": "workspaces: \"w-c\": {region: \"mars-1\", endpoint: \"https://x\"}\n",
			"d.cue": mu("w-d", "d1", `plan: "ptu", capacity: 2`),
			"e.cue": mu("w-e", "d1", `plan: "lora"`),
			"f.cue": "workspace: \"w-f\": {}\n",
			"g.cue": "workspace: \"w-f\": {region: \"cn-beijing\"}\n" + mu("w-g", "d1", `plan: "mu", capacity: 1000`),
		},
		"one workspace in two files, agreeing": {
			"a.cue": mu("w-a", "d1", `plan: "mu", capacity: 2`),
			"b.cue": mu("w-a", "d1", `plan: "mu", capacity: 2`) + mu("w-a", "d2", `plan: "mu", capacity: 3`),
			"c.cue": mu("w-c", "d1", `plan: "mu", capacity: 1`),
		},
		"one workspace in two files, disagreeing": {
			"a.cue": mu("w-a", "d1", `plan: "mu", capacity: 2`),
			"b.cue": mu("w-a", "d1", `plan: "mu", capacity: 3`),
			"c.cue": mu("w-c", "d1", `plan: "mu", capacity: 1`),
		},
		"a file that is not plain data": {
			"a.cue": "_cap: 2\n" + mu("w-a", "d1", `plan: "mu", capacity: _cap`),
			"b.cue": mu("w-b", "d1", `plan: "mu", capacity: 2`),
		},
		"a syntax error": {
			"a.cue": mu("w-a", "d1", `plan: "mu", capacity: 2`),
			"b.cue": "workspaces: {\n",
		},
	}
	type tc struct {
		paths []string
		dir   string
		split bool // whether the files are evaluated in groups
	}
	cases := map[string]tc{}
	for name, files := range generated {
		cases[name] = tc{dir: newDir(t, files), split: name != "a file that is not plain data" && name != "a syntax error"}
	}
	// Not split: prod-bj.cue uses a definition; both files name one workspace.
	cases["examples/fleet"] = tc{paths: []string{"examples/fleet"}}
	cases["examples/invalid/conflict"] = tc{paths: []string{"examples/invalid/conflict"}}
	entries, err := os.ReadDir(filepath.Join(repoRoot, "examples/invalid"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			p := "examples/invalid/" + e.Name()
			cases[p+" with a plain fleet file"] = tc{paths: []string{p, "examples/fleet/staging-us.cue"},
				split: e.Name() != "syntax-error.cue"}
		}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			paths := c.paths
			if c.dir != "" {
				paths = []string{c.dir}
			} else {
				t.Chdir(repoRoot)
			}
			splitting(t, false)
			one := loadOutcome(paths)
			splitting(t, true)
			files, _ := collect(paths)
			if groups := partitionFiles(t, absPaths(files)); (groups != nil) != c.split {
				t.Errorf("%d files in %d groups, want split = %v", len(files), len(groups), c.split)
			}
			split := loadOutcome(paths)
			if diff := cmp.Diff(one, split); diff != "" {
				t.Errorf("split load differs from one load (-one +split):\n%s", diff)
			}
			if one.Other != "" {
				t.Errorf("Load() = %s, want a configuration or a *Error", one.Other)
			}
		})
	}
}

// TestPartitionGroups checks which inputs are split, and that files
// sharing a workspace or a top-level field stay in one group.
func TestPartitionGroups(t *testing.T) {
	splitting(t, true)
	plain := map[string]string{
		"a.cue": "package capacity\nworkspaces: a: deployments: d: {plan: \"mu\", capacity: 1}\n",
		"b.cue": "workspaces: \"b\": {region: \"cn-beijing\"}\n",
		"c.cue": "workspaces: {a: {api_key_env: \"K\"}, c: {}}\n",
		"d.cue": "workspaces: d: {}\nextra: 1\n",
		"e.cue": "extra: 1\nworkspaces: e: {}\n",
		"f.cue": "workspaces: f: {} // a comment\n",
	}
	dir := newDir(t, plain)
	var files []string
	for _, n := range []string{"a.cue", "b.cue", "c.cue", "d.cue", "e.cue", "f.cue"} {
		files = append(files, filepath.Join(dir, n))
	}
	groups := partitionFiles(t, files)
	if len(groups) < 2 {
		t.Fatalf("partition gave %d groups, want the files split", len(groups))
	}
	groupOf := map[string]int{}
	for i, g := range groups {
		for _, f := range g {
			groupOf[filepath.Base(f.Filename)] = i
		}
	}
	if len(groupOf) != len(files) {
		t.Fatalf("groups hold %d files, want %d: %v", len(groupOf), len(files), groupOf)
	}
	if groupOf["a.cue"] != groupOf["c.cue"] {
		t.Errorf("a.cue and c.cue share workspace a but are in groups %d and %d", groupOf["a.cue"], groupOf["c.cue"])
	}
	if groupOf["d.cue"] != groupOf["e.cue"] {
		t.Errorf("d.cue and e.cue share the field extra but are in groups %d and %d", groupOf["d.cue"], groupOf["e.cue"])
	}

	notPlain := map[string]string{
		"reference":        "_x: 1\nworkspaces: w: deployments: d: capacity: _x\n",
		"import":           "import \"strings\"\nworkspaces: w: {}\n",
		"definition":       "#D: {plan: \"mu\"}\nworkspaces: w: {}\n",
		"comprehension":    "workspaces: {for n in [1] {\"w\\(n)\": {}}}\n",
		"let":              "let x = 1\nworkspaces: w: deployments: d: capacity: x\n",
		"optional field":   "workspaces: w?: {}\n",
		"required field":   "workspaces: w!: {}\n",
		"alias":            "X=workspaces: w: {}\n",
		"interpolation":    "workspaces: \"w\\(1)\": {}\n",
		"dynamic label":    "workspaces: (\"w\"): {}\n",
		"pattern":          "workspaces: [string]: {}\n",
		"list":             "workspaces: w: deployments: d: capacity: [1]\n",
		"negative number":  "workspaces: w: deployments: d: capacity: -1\n",
		"expression":       "workspaces: w: deployments: d: capacity: 1 + 1\n",
		"disjunction":      "workspaces: w: deployments: d: capacity: *1 | 2\n",
		"attribute":        "workspaces: w: {} @tag(x)\n",
		"file attribute":   "@if(prod)\nworkspaces: w: {}\n",
		"embedding":        "{workspaces: w: {}}\n",
		"ellipsis":         "workspaces: w: {...}\n",
		"workspaces value": "workspaces: 5\n",
		"top":              "workspaces: w: _\n",
		"syntax error":     "workspaces: {\n",
	}
	for name, src := range notPlain {
		t.Run(name, func(t *testing.T) {
			d := newDir(t, map[string]string{"x.cue": src, "y.cue": "workspaces: y: {}\n"})
			if g := partitionFiles(t, []string{filepath.Join(d, "x.cue"), filepath.Join(d, "y.cue")}); g != nil {
				t.Errorf("partition split %q into %d groups, want it evaluated with the rest", src, len(g))
			}
		})
	}
}

// FuzzSplitMatchesOne loads two arbitrary files and a plain one, evaluated
// together and, where partition allows, in groups, and wants the same
// configuration, or every problem of the one load in the split load.
func FuzzSplitMatchesOne(f *testing.F) {
	f.Add([]byte("workspaces: a: deployments: d: {plan: \"mu\", capacity: 2}\n"),
		[]byte("workspaces: b: deployments: d: {plan: \"mu\", base_capacity: 4, capacity: 6}\n"))
	f.Add([]byte("workspaces: a: deployments: d: {plan: \"mu\", capacity: 2}\n"),
		[]byte("workspaces: a: deployments: d: {plan: \"mu\", capacity: 3}\n"))
	f.Add([]byte("workspace: a: {}\n"), []byte("workspace: a: {region: \"x\"}\nextra: 1\n"))
	f.Add([]byte("workspaces: \"c\": {region: \"mars\"}\n"), []byte("package capacity\nworkspaces: b: {endpoint: \"https://x\", region: \"cn-beijing\"}\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := newDir(t, map[string]string{"a.cue": string(a), "b.cue": string(b),
			"c.cue": "workspaces: c: deployments: d: {plan: \"ptu\", ptu_capacity: {input_tpm: 1, output_tpm: 1}}\n"})
		splitting(t, false)
		one := loadOutcome([]string{dir})
		splitting(t, true)
		split := loadOutcome([]string{dir})
		// A conflict between files stops one load before the schema is
		// checked, so it can report fewer problems than a split load,
		// which checks the other groups all the same. Never more, and
		// never a different configuration.
		switch {
		case one.Other != "" || split.Other != "":
			t.Errorf("Load() = %q and %q, want a configuration or a *Error", one.Other, split.Other)
		case len(one.Problems) == 0:
			if diff := cmp.Diff(one, split); diff != "" {
				t.Errorf("split load differs from one load (-one +split):\n%s", diff)
			}
		default:
			for _, p := range one.Problems {
				if !slices.Contains(split.Problems, p) {
					t.Errorf("split load lost problem %s; it found:\n%v", p, split.Problems)
				}
			}
		}
	})
}
