package bench

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPU       string
	Cores     int
	GoVersion string
	OS, Arch  string
	Date      time.Time
	// LoadStart and LoadEnd are the 1, 5 and 15 minute load averages when
	// the run started and ended: the machine may be shared, and a busy one
	// slows everything down.
	LoadStart, LoadEnd string
}

// ThisMachine describes the running machine at now.
func ThisMachine(now time.Time) Machine {
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cpu = CPUModel(string(data))
	}
	return Machine{CPU: cpu, Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Date: now, LoadStart: LoadAverage()}
}

// LoadAverage returns the 1, 5 and 15 minute load averages from
// /proc/loadavg, e.g. "0.52 0.31 0.20", or "unknown".
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return ParseLoadAverage(string(data))
}

// ParseLoadAverage returns the first three fields of a /proc/loadavg
// text, or "unknown".
func ParseLoadAverage(loadavg string) string {
	f := strings.Fields(loadavg)
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// CPUModel returns the first "model name" of a /proc/cpuinfo text, or
// "unknown" when there is none.
func CPUModel(cpuinfo string) string {
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			if v := strings.Join(strings.Fields(val), " "); v != "" {
				return v
			}
		}
	}
	return "unknown"
}
