package schemas

import (
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
)

// vet does what `cue vet -c schemas/*.cue FILES` does: one instance of the
// schema files and the user's files, validated as concrete data.
func vet(t *testing.T, files ...string) error {
	t.Helper()
	all := []string{"capacity.cue", "rules.cue"}
	for _, f := range files {
		all = append(all, filepath.Join("..", f))
	}
	insts := load.Instances(all, &load.Config{})
	if err := insts[0].Err; err != nil {
		t.Fatalf("load: %v", err)
	}
	v := cuecontext.New().BuildInstance(insts[0])
	if err := v.Err(); err != nil {
		return err
	}
	return v.Validate(cue.Concrete(true))
}

func TestCueVetAcceptsTheFleet(t *testing.T) {
	files, _ := filepath.Glob("../examples/fleet/*.cue")
	for i := range files {
		files[i] = strings.TrimPrefix(files[i], "../")
	}
	if err := vet(t, files...); err != nil {
		t.Errorf("cue vet of the example fleet: %v", err)
	}
}

func TestCueVetChecksEveryRule(t *testing.T) {
	for _, f := range []string{"not-multiple.cue", "ptu-on-mu.cue", "unknown-field.cue", "lora-plan.cue", "capacity-too-big.cue", "missing-ptu-capacity.cue"} {
		if err := vet(t, "examples/invalid/"+f); err == nil {
			t.Errorf("cue vet accepted examples/invalid/%s", f)
		}
	}
}
