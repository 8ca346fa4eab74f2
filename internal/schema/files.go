package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/capctl/capctl/internal/deploy"
)

// sourceFile is one capacity file: the name the user knows it by (the path
// as given, or joined under the directory as given) and its absolute path,
// which is what CUE sees and puts in positions.
type sourceFile struct {
	display string
	abs     string
}

// collect turns the user's paths into the list of .cue files to load,
// reporting every path that cannot be used. Each file appears once, even
// when it is reached from two arguments.
func collect(paths []string) ([]sourceFile, []deploy.Problem) {
	var (
		files    []sourceFile
		problems []deploy.Problem
		seen     = map[string]bool{}
	)
	for _, p := range paths {
		found, probs := collectPath(p)
		problems = append(problems, probs...)
		for _, f := range found {
			if !seen[f.abs] {
				seen[f.abs] = true
				files = append(files, f)
			}
		}
	}
	return files, problems
}

// collectPath handles one argument: a file is taken as is (it must end in
// .cue), a directory is walked.
func collectPath(p string) ([]sourceFile, []deploy.Problem) {
	info, err := os.Stat(p) // follows symlinks; a loop fails here
	if err != nil {
		return nil, []deploy.Problem{pathProblem(p, "%s", describeFSError(err))}
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return nil, []deploy.Problem{pathProblem(p, "not a regular file")}
		}
		if filepath.Ext(p) != ".cue" {
			return nil, []deploy.Problem{pathProblem(p, "not a .cue file")}
		}
		f, err := newSourceFile(p)
		if err != nil {
			return nil, []deploy.Problem{pathProblem(p, "%s", describeFSError(err))}
		}
		return []sourceFile{f}, nil
	}
	files, problems := walkDir(p)
	if len(files) == 0 && len(problems) == 0 {
		problems = append(problems, pathProblem(p, "no .cue files in directory"))
	}
	return files, problems
}

// walkDir finds the .cue files in dir and below. Hidden entries (".x") and
// cue.mod directories are skipped, as the cue tool does. Symlinks to files
// are followed; symlinks to directories are not, so a link loop cannot make
// the walk run forever (the go tool treats ./... the same way).
func walkDir(dir string) ([]sourceFile, []deploy.Problem) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []deploy.Problem{pathProblem(dir, "%s", describeFSError(err))}
	}
	var (
		files    []sourceFile
		problems []deploy.Problem
	)
	for _, e := range entries { // ReadDir sorts by name: files load in a stable order
		name := e.Name()
		p := filepath.Join(dir, name)
		if strings.HasPrefix(name, ".") || (e.IsDir() && name == "cue.mod") {
			continue
		}
		if e.IsDir() {
			sub, probs := walkDir(p)
			files, problems = append(files, sub...), append(problems, probs...)
			continue
		}
		if filepath.Ext(name) != ".cue" {
			continue
		}
		f, prob, ok := walkedFile(p, e)
		if prob != nil {
			problems = append(problems, *prob)
		} else if ok {
			files = append(files, f)
		}
	}
	return files, problems
}

// walkedFile checks one *.cue entry met during a walk. A dangling or looping
// symlink is a problem: the user named a file that cannot be read. So is a
// FIFO, socket or device named *.cue (reading a FIFO would block, and
// skipping it would silently drop what the user meant as capacity).
func walkedFile(p string, e fs.DirEntry) (sourceFile, *deploy.Problem, bool) {
	mode := e.Type()
	if mode&fs.ModeSymlink != 0 {
		info, err := os.Stat(p)
		if err != nil {
			prob := pathProblem(p, "%s", describeFSError(err))
			return sourceFile{}, &prob, false
		}
		if info.IsDir() {
			return sourceFile{}, nil, false // a linked directory named x.cue: not followed
		}
		mode = info.Mode().Type()
	}
	if !mode.IsRegular() {
		prob := pathProblem(p, "not a regular file")
		return sourceFile{}, &prob, false
	}
	f, err := newSourceFile(p)
	if err != nil {
		prob := pathProblem(p, "%s", describeFSError(err))
		return sourceFile{}, &prob, false
	}
	return f, nil, true
}

func newSourceFile(p string) (sourceFile, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return sourceFile{}, fmt.Errorf("resolve %s: %w", p, err)
	}
	return sourceFile{display: filepath.Clean(p), abs: abs}, nil
}

// describeFSError turns an fs error into a short message without repeating
// the path, which the Problem already carries.
func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case os.IsNotExist(err):
		return "no such file or directory"
	case os.IsPermission(err):
		return "permission denied"
	}
	return err.Error()
}

// pathProblem is a problem with a file or directory rather than a value.
// It has no position (there is no line to point at, and the file may not
// exist), so the message starts with the path.
func pathProblem(p, format string, args ...any) deploy.Problem {
	return deploy.Problem{Message: p + ": " + fmt.Sprintf(format, args...)}
}

// displayNames maps absolute paths, as CUE reports them, back to the names
// the user gave.
func displayNames(files []sourceFile) map[string]string {
	m := make(map[string]string, len(files))
	for _, f := range files {
		m[f.abs] = f.display
	}
	return m
}

// absPaths lists the files for the CUE loader.
func absPaths(files []sourceFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.abs
	}
	return slices.Clip(out)
}
