package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.json")
	urlFile := filepath.Join(dir, "url")
	err := os.WriteFile(seed, []byte(`{"keys": [{"key": "sk-a", "workspaces": ["ws"]}],
		"deployments": [{"workspace_id": "ws", "deployed_model": "d", "plan": "mu", "base_capacity": 1, "capacity": 2}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-seed", seed, "-url-file", urlFile, "-update-delay", "1s"}, &stdout, &stderr)
	}()

	var url string
	for url == "" {
		b, err := os.ReadFile(urlFile)
		switch {
		case err == nil:
			url = strings.TrimSpace(string(b))
		case !errors.Is(err, fs.ErrNotExist):
			t.Fatal(err)
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", url)
	}
	resp, err := http.Get(url + "/_sim/dump")
	if err != nil {
		t.Fatal(err)
	}
	var dump []struct {
		ID       string `json:"deployed_model"`
		Capacity int    `json:"capacity"`
	}
	err = json.NewDecoder(resp.Body).Decode(&dump)
	resp.Body.Close()
	if err != nil || len(dump) != 1 || dump[0].ID != "d" || dump[0].Capacity != 2 {
		t.Errorf("dump = %+v, %v; want the seeded deployment", dump, err)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s", code, stderr.String())
	}
	if want := "dashscope-sim listening on " + url + "\n"; stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
}

func TestRunErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"keys": [{"key": ""}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args   []string
		code   int
		stderr string
	}{
		"unknown flag": {[]string{"-nope"}, 2, "flag provided but not defined"},
		"extra args":   {[]string{"x"}, 2, "unexpected arguments"},
		"bad seed":     {[]string{"-seed", bad}, 1, "keys[0]: empty key"},
		"bad config":   {[]string{"-p429", "2"}, 1, "P429 = 2"},
		"bad address":  {[]string{"-addr", "127.0.0.1:99999"}, 1, "dashscope-sim: listen"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}
