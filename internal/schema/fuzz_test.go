package schema

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad loads arbitrary bytes as a capacity file. Load must never
// panic, and must return either a configuration or a *Error.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		dep(`plan: "mu", base_capacity: 4, capacity: 8`),
		dep(`plan: "ptu", ptu_capacity: {input_tpm: 1, output_tpm: 2, thinking_output_tpm: 0}`),
		dep(`plan: "lora", capacty: 1000, ptu_capacity: 1`),
		ws(`endpoint: "http://x", region: "cn-beijing", api_key: "k", deployments: 1`),
		"package capacity\n_peak: 2\nworkspaces: w: deployments: [string]: plan: *\"mu\" | _\nworkspaces: w: deployments: a: capacity: 2 * _peak\n",
		"workspaces: w: deployments: {for n in [1, 2] {\"d\\(n)\": {plan: \"mu\", capacity: n}}}\n",
		"import \"strings\"\nworkspaces: (strings.ToLower(\"W\")): {}\n",
		"workspaces: w: {region: \"us-east-1\" api_key_env: \"X\"}\n",
		"x: y: z: _|_\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p := filepath.Join(t.TempDir(), "f.cue")
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load([]string{p})
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("Load() error is %T, want *schema.Error: %v", err, err)
		}
		if se != nil && len(se.Problems) == 0 {
			t.Fatal("Load() returned a *schema.Error without problems")
		}
	})
}
