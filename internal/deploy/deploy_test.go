package deploy

import "testing"

func TestKeyCompare(t *testing.T) {
	tests := map[string]struct {
		a, b Key
		want int
	}{
		"workspace first": {Key{"a", "z"}, Key{"b", "a"}, -1},
		"then id":         {Key{"a", "b"}, Key{"a", "a"}, 1},
		"equal":           {Key{"a", "a"}, Key{"a", "a"}, 0},
	}
	for name, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%s: Compare = %d, want %d", name, got, tt.want)
		}
	}
}

func TestPTUEqual(t *testing.T) {
	five, five2, six := 5, 5, 6
	tests := map[string]struct {
		a, b PTU
		want bool
	}{
		"same":              {PTU{1, 2, nil}, PTU{1, 2, nil}, true},
		"input differs":     {PTU{1, 2, nil}, PTU{3, 2, nil}, false},
		"thinking nil vs 5": {PTU{1, 2, nil}, PTU{1, 2, &five}, false},
		"thinking same":     {PTU{1, 2, &five}, PTU{1, 2, &five2}, true},
		"thinking differs":  {PTU{1, 2, &five}, PTU{1, 2, &six}, false},
	}
	for name, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", name, got, tt.want)
		}
	}
}

func TestWorkspaceBaseURL(t *testing.T) {
	tests := map[string]struct {
		w        Workspace
		override string
		want     string
	}{
		"region":            {Workspace{Region: "cn-beijing"}, "", "https://dashscope.aliyuncs.com"},
		"default region":    {Workspace{}, "", "https://dashscope-intl.aliyuncs.com"},
		"endpoint":          {Workspace{Endpoint: "https://proxy.example"}, "", "https://proxy.example"},
		"override wins":     {Workspace{Region: "us-east-1"}, "http://127.0.0.1:9", "http://127.0.0.1:9"},
		"hong kong":         {Workspace{Region: "cn-hongkong"}, "", "https://cn-hongkong.dashscope.aliyuncs.com"},
		"us":                {Workspace{Region: "us-east-1"}, "", "https://dashscope-us.aliyuncs.com"},
		"endpoint override": {Workspace{Endpoint: "https://proxy.example"}, "http://sim", "http://sim"},
	}
	for name, tt := range tests {
		if got := tt.w.BaseURL(tt.override); got != tt.want {
			t.Errorf("%s: BaseURL = %q, want %q", name, got, tt.want)
		}
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Pos: Pos{File: "a.cue", Line: 3, Col: 7}, Path: "workspaces.w", Message: "bad"}
	if got, want := p.String(), "a.cue:3:7: workspaces.w: bad"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := (Problem{Message: "no such file"}).String(), "no such file"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
