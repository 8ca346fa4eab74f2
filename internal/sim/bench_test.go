package sim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fleet returns a server with n mu deployments in one workspace.
func fleet(b *testing.B, n int) *Server {
	b.Helper()
	deps := make([]Deployment, n)
	for i := range deps {
		deps[i] = mu(wsProd, fmt.Sprintf("dep-%05d", i), 1, 1)
	}
	s, err := New(Config{}, Seed{Keys: testKeys(), Deployments: deps})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func serve(b *testing.B, s *Server, method, target, body string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+keyProd)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
	}
}

// BenchmarkListAllPages reads a 10,000-deployment fleet the way capctl
// does: every page of 200.
func BenchmarkListAllPages(b *testing.B) {
	s := fleet(b, 10000)
	for b.Loop() {
		for p := 1; p <= 50; p++ {
			serve(b, s, "GET", fmt.Sprintf("/api/v1/deployments?page_size=200&page_no=%d", p), "")
		}
	}
}

// BenchmarkScale scales deployments of a 10,000-deployment fleet, each
// call followed by the read that settles it.
func BenchmarkScale(b *testing.B) {
	s := fleet(b, 10000)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("dep-%05d", i%10000)
		serve(b, s, "PUT", "/api/v1/deployments/"+id+"/scale", fmt.Sprintf(`{"capacity":%d}`, i%2+1))
		serve(b, s, "GET", "/api/v1/deployments/"+id, "")
		i++
	}
}

// BenchmarkGetParallel measures lock contention under concurrent reads.
func BenchmarkGetParallel(b *testing.B) {
	s := fleet(b, 10000)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			id := fmt.Sprintf("dep-%05d", i%10000)
			req := httptest.NewRequest("GET", "/api/v1/deployments/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+keyProd)
			s.ServeHTTP(httptest.NewRecorder(), req)
			i++
		}
	})
}
