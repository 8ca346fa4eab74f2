package bench

import "testing"

func TestCPUModel(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"x86": {"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n" +
			"processor\t: 1\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n", "Intel(R) Xeon(R) CPU @ 2.20GHz"},
		"none":  {"processor\t: 0\nBogoMIPS\t: 50.00\n", "unknown"},
		"empty": {"model name\t:\n", "unknown"},
	}
	for name, tc := range tests {
		if got := CPUModel(tc.in); got != tc.want {
			t.Errorf("%s: CPUModel() = %q, want %q", name, got, tc.want)
		}
	}
}

func TestParseLoadAverage(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"linux": {"5.49 5.01 3.13 8/135 7990\n", "5.49 5.01 3.13"},
		"short": {"1.0\n", "unknown"},
	}
	for name, tc := range tests {
		if got := ParseLoadAverage(tc.in); got != tc.want {
			t.Errorf("%s: ParseLoadAverage() = %q, want %q", name, got, tc.want)
		}
	}
}
