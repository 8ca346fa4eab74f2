package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad loads, validates and decodes generated fleets of N
// deployments over 100 workspaces, one file per workspace: 80% mu with
// base_capacity 1, 2 or 4, 20% ptu.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			writeFleet(b, dir, 100, n)
			b.ReportAllocs()
			for b.Loop() {
				cfg, err := Load([]string{dir})
				if err != nil {
					b.Fatal(err)
				}
				if len(cfg.Deployments) != n {
					b.Fatalf("loaded %d deployments, want %d", len(cfg.Deployments), n)
				}
			}
		})
	}
}

// writeFleet writes workspaces files into dir holding n deployments in all.
func writeFleet(tb testing.TB, dir string, workspaces, n int) {
	tb.Helper()
	for w := range workspaces {
		var src strings.Builder
		fmt.Fprintf(&src, "package capacity\n\nworkspaces: \"llm-bench-%03d\": {\n\tregion: \"ap-southeast-1\"\n\tdeployments: {\n", w)
		for i := w; i < n; i += workspaces {
			if i%5 == 4 {
				fmt.Fprintf(&src, "\t\t\"qwen-ptu-%05d\": {plan: \"ptu\", ptu_capacity: {input_tpm: %d, output_tpm: %d}}\n",
					i, 1000*(1+i%7), 100*(1+i%5))
				continue
			}
			base := []int{1, 2, 4}[i%3]
			fmt.Fprintf(&src, "\t\t\"qwen3-8b-%05d\": {plan: \"mu\", base_capacity: %d, capacity: %d}\n",
				i, base, base*(1+i%4))
		}
		src.WriteString("\t}\n}\n")
		name := filepath.Join(dir, fmt.Sprintf("ws-%03d.cue", w))
		if err := os.WriteFile(name, []byte(src.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
