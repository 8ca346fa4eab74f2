package dashscope

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/capctl/capctl/internal/deploy"
)

func TestSecretNeverPrints(t *testing.T) {
	s := testKey
	opts := Options{Workspaces: map[string]Endpoint{testWS: {BaseURL: "https://h", Key: s}}}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var jsonOpts bytes.Buffer
	if err := json.NewEncoder(&jsonOpts).Encode(opts.Workspaces); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"verbs":         fmt.Sprintf("%v %+v %#v %s %q %x %X %d %10s %-3v", s, s, s, s, s, s, s, s, s, s),
		"pointer":       fmt.Sprintf("%v %s", &s, &s),
		"String":        s.String(),
		"GoString":      s.GoString(),
		"Endpoint":      fmt.Sprintf("%v %+v %#v", opts.Workspaces[testWS], opts.Workspaces[testWS], opts.Workspaces[testWS]),
		"Options":       fmt.Sprintf("%v %+v %#v", opts, opts, opts),
		"Client":        fmt.Sprintf("%v %+v %#v", c, c, *c),
		"json":          jsonOpts.String(),
		"slog":          logWith(func(l *slog.Logger) { l.Info("x", "key", s, "ep", opts.Workspaces[testWS], "any", slog.AnyValue(s)) }),
		"slog group":    logWith(func(l *slog.Logger) { l.Info("x", slog.Group("g", "key", s)) }),
		"errors.Join":   fmt.Errorf("wrapped: %v", s).Error(),
		"text marshal":  string(must(s.MarshalText())),
		"in a slice":    fmt.Sprint([]Secret{s}),
		"in a map":      fmt.Sprintf("%v", map[string]Secret{"k": s}),
		"via interface": fmt.Sprintf("%v", any(s)),
	}
	for name, out := range outputs {
		if strings.Contains(out, s.reveal()) || strings.Contains(out, "0123456789abcdef") {
			t.Errorf("%s leaks the key: %s", name, out)
		}
	}
	if !strings.Contains(outputs["verbs"], redacted) {
		t.Errorf("verbs output %q does not say %q", outputs["verbs"], redacted)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// logWith runs f with a JSON and a text logger and returns both outputs.
func logWith(f func(*slog.Logger)) string {
	var buf bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	f(slog.New(slog.NewJSONHandler(&buf, opts)))
	f(slog.New(slog.NewTextHandler(&buf, opts)))
	return buf.String()
}

// Debug logs of success, API error, retry, transport error, refused
// redirect and list paths carry the request details but never the key.
func TestDebugLogsNeverContainKey(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A misbehaving proxy that echoes the request headers back.
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "<pre>%v</pre>", r.Header)
	}))
	defer echo.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			_, srv := newStub(t,
				step{body: ok(muDeployment("x", 1))},
				step{status: 404, body: apiError("NotFound", "Model: y not found!")},
				step{status: 503, header: map[string]string{"Connection": "close"}},
				step{drop: true},
				step{body: ok(muDeployment("x", 2))},
				step{status: 302, header: map[string]string{"Location": echo.URL}},
				step{body: ok(map[string]any{"total": 1, "deployments": []any{muDeployment("x", 2)}})},
			)
			var buf bytes.Buffer
			hopts := &slog.HandlerOptions{Level: slog.LevelDebug}
			logger := slog.New(slog.NewTextHandler(&buf, hopts))
			if format == "json" {
				logger = slog.New(slog.NewJSONHandler(&buf, hopts))
			}
			var errs []string
			for _, base := range []string{srv.URL, echo.URL, dead.URL} {
				c, _ := newTestClient(t, base, func(o *Options) { o.Logger = logger; o.MaxRetries = 2 })
				ctx := context.Background()
				_, _, err1 := c.Get(ctx, testWS, "x")
				_, _, err2 := c.Get(ctx, testWS, "y")
				_, _, err3 := c.Scale(ctx, testWS, "x", deploy.Capacity{Plan: deploy.PlanMU, Units: 2})
				_, _, err4 := c.Get(ctx, testWS, "x")
				_, err5 := c.List(ctx, testWS)
				for _, err := range []error{err1, err2, err3, err4, err5} {
					if err != nil {
						errs = append(errs, err.Error())
					}
				}
			}
			out := buf.String() + strings.Join(errs, "\n")
			if strings.Contains(out, testKey.reveal()) {
				t.Errorf("log or errors contain the key:\n%s", out)
			}
			for _, want := range []string{"dashscope request", "request_id", "req-ok", "req-err", "attempt", "duration", "connection refused", "another host", "[redacted]"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
