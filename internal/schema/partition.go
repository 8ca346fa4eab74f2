package schema

import (
	"cmp"
	"runtime"
	"slices"
	"sync"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Large fleets are checked on several cores. CUE evaluates one value on
// one goroutine, but files that share no workspace cannot affect each
// other when they hold plain data: no references, no comprehensions, no
// imports, only fields with literal labels and literal values. Such files
// are split into groups that share no workspace, and each group is
// evaluated in a CUE context of its own, at once. Every problem stays in
// the group of the files it is about, so the problems are the same as for
// one evaluation of all the files; partition_test.go checks that.
//
// Any file that is not plain data, or does not parse, sends the whole
// configuration down the one-context path, which also reports syntax
// errors.

// minParallelBytes is the size of a configuration below which splitting
// costs more than it saves. A variable so tests can split small inputs.
var minParallelBytes int64 = 256 << 10

// parsedFile is a capacity file parsed for grouping.
type parsedFile struct {
	idx  int // position in the list of files
	size int64
	ast  *ast.File
	keys []string // what the file declares: "ws:<id>" or "top:<field>"
}

// partition returns the files (srcs holds their contents) in groups that
// can be evaluated apart, or nil when they must be evaluated together: too
// small a configuration, a single core, a file that is not plain data or
// does not parse, or no two files apart.
func partition(files []string, srcs [][]byte) [][]*ast.File {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || len(files) < 2 {
		return nil
	}
	var total int64
	for _, src := range srcs {
		total += int64(len(src))
	}
	if total < minParallelBytes {
		return nil
	}
	parsed, ok := parseAll(files, srcs, workers)
	if !ok {
		return nil
	}
	comps := components(parsed)
	if len(comps) < 2 {
		return nil
	}
	return pack(comps, min(workers, len(comps)))
}

// parseAll parses every file, workers at a time, and reports whether all
// of them parsed and hold plain data.
func parseAll(files []string, srcs [][]byte, workers int) ([]parsedFile, bool) {
	out := make([]parsedFile, len(files))
	ok := make([]bool, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				out[i], ok[i] = parseOne(files[i], srcs[i])
				out[i].idx = i
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, !slices.Contains(ok, false)
}

// parseOne parses one file and collects its keys; it reports false when
// the file does not parse or is not plain data.
func parseOne(abs string, src []byte) (parsedFile, bool) {
	f, err := parser.ParseFile(abs, src)
	if err != nil {
		return parsedFile{}, false
	}
	keys, ok := fileKeys(f)
	return parsedFile{size: int64(len(src)), ast: f, keys: keys}, ok
}

// fileKeys returns what a plain-data file declares: each workspace under
// workspaces as "ws:<id>", any other top-level field as "top:<name>". It
// reports false when the file is not plain data.
func fileKeys(f *ast.File) ([]string, bool) {
	var keys []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.Package, *ast.CommentGroup:
			continue
		case *ast.Field:
			name, ok := plainLabel(d)
			if !ok || !plainValue(d.Value) {
				return nil, false
			}
			if name != "workspaces" {
				keys = append(keys, "top:"+name)
				continue
			}
			s, ok := d.Value.(*ast.StructLit)
			if !ok {
				return nil, false // a contradiction with other files' structs
			}
			for _, e := range s.Elts {
				if ws, ok := e.(*ast.Field); ok {
					id, _ := plainLabel(ws)
					keys = append(keys, "ws:"+id)
				}
			}
		default:
			return nil, false // imports, let, embeddings, comprehensions...
		}
	}
	return keys, true
}

// plainLabel returns the name of a regular field with a literal label and
// no constraint marker or attribute.
func plainLabel(f *ast.Field) (string, bool) {
	if f.Constraint != token.ILLEGAL || len(f.Attrs) > 0 {
		return "", false
	}
	switch f.Label.(type) {
	case *ast.Ident, *ast.BasicLit:
	default:
		return "", false // aliases, interpolations, (expressions), [patterns]
	}
	name, isIdent, err := ast.LabelName(f.Label)
	if err != nil || (isIdent && (!ast.IsValidIdent(name) || name[0] == '_' || name[0] == '#')) {
		return "", false // hidden fields and definitions can be referenced
	}
	return name, true
}

// plainValue reports whether e is a literal: a number, string, bool or
// null, or a struct of plain fields.
func plainValue(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.StructLit:
		for _, el := range e.Elts {
			switch el := el.(type) {
			case *ast.CommentGroup:
			case *ast.Field:
				if _, ok := plainLabel(el); !ok || !plainValue(el.Value) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	return false
}

// component is a set of files that share keys, directly or through each
// other, and so must be evaluated together.
type component struct {
	files []*parsedFile
	size  int64
}

// components groups the files by shared keys (union-find), in the order
// of their first files.
func components(files []parsedFile) []component {
	parent := make([]int, len(files))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, f := range files {
		for _, k := range f.keys {
			if j, ok := owner[k]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[k] = i
			}
		}
	}
	index := map[int]int{}
	var comps []component
	for i := range files {
		r := find(i)
		c, ok := index[r]
		if !ok {
			c = len(comps)
			index[r] = c
			comps = append(comps, component{})
		}
		comps[c].files = append(comps[c].files, &files[i])
		comps[c].size += files[i].size
	}
	return comps
}

// pack spreads the components over n groups of about equal size, largest
// component first, each to the smallest group so far. Within a group the
// files keep the order they were given in.
func pack(comps []component, n int) [][]*ast.File {
	slices.SortStableFunc(comps, func(a, b component) int { return cmp.Compare(b.size, a.size) })
	sizes := make([]int64, n)
	members := make([][]*parsedFile, n)
	for _, c := range comps {
		g := 0
		for i := range sizes {
			if sizes[i] < sizes[g] {
				g = i
			}
		}
		sizes[g] += c.size
		members[g] = append(members[g], c.files...)
	}
	groups := make([][]*ast.File, 0, n)
	for _, m := range members {
		if len(m) == 0 {
			continue
		}
		slices.SortFunc(m, func(a, b *parsedFile) int { return cmp.Compare(a.idx, b.idx) })
		g := make([]*ast.File, len(m))
		for i, f := range m {
			g[i] = f.ast
		}
		groups = append(groups, g)
	}
	return groups
}
