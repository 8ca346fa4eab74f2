package schema

import (
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// index maps a field path to where the user first declares it: the
// position of its label, in file order. cue.Value.Pos cannot serve here: a
// value shaped by a pattern such as `deployments: [string]: plan: "mu"`
// reports the pattern's position for every deployment.
//
// Only literal structure is indexed: fields, nested structs, embeddings and
// `&` of struct literals (`#Defaults & {capacity: 4}`). Fields made by
// comprehensions are not, and callers fall back to cue.Value.Pos.
type index struct {
	depth int // paths longer than this are not recorded
	m     map[string]token.Pos
}

// newIndex indexes files down to depth labels.
func newIndex(files []*ast.File, depth int) *index {
	ix := &index{depth: depth, m: map[string]token.Pos{}}
	for _, f := range files {
		ix.decls(f.Decls, nil)
	}
	return ix
}

// lookup returns the position of the field at labels (unquoted).
func (ix *index) lookup(labels ...string) token.Pos {
	return ix.m[strings.Join(labels, "\x00")]
}

func (ix *index) decls(decls []ast.Decl, prefix []string) {
	for _, d := range decls {
		switch x := d.(type) {
		case *ast.Field:
			ix.field(x, prefix)
		case *ast.EmbedDecl:
			ix.expr(x.Expr, prefix)
		}
	}
}

func (ix *index) field(f *ast.Field, prefix []string) {
	name, isIdent, err := ast.LabelName(f.Label)
	if err != nil { // a pattern or dynamic label: not one field
		return
	}
	if isIdent && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, "#")) {
		return // hidden fields and definitions are the user's own
	}
	path := append(prefix[:len(prefix):len(prefix)], name)
	key := strings.Join(path, "\x00")
	if _, ok := ix.m[key]; !ok {
		ix.m[key] = f.Label.Pos()
	}
	if len(path) < ix.depth {
		ix.expr(f.Value, path)
	}
}

func (ix *index) expr(e ast.Expr, path []string) {
	switch x := e.(type) {
	case *ast.StructLit:
		ix.decls(x.Elts, path)
	case *ast.ParenExpr:
		ix.expr(x.X, path)
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			ix.expr(x.X, path)
			ix.expr(x.Y, path)
		}
	}
}
