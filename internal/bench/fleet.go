package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// FleetSpec describes a synthetic fleet.
type FleetSpec struct {
	// Workspaces is the number of workspaces; deployments are spread over
	// them as evenly as possible.
	Workspaces int
	// Deployments is the total number of deployments.
	Deployments int
	// Changed is how many deployments the files move away from their live
	// capacity, spread evenly over the fleet. Changed >= Deployments
	// changes every deployment.
	Changed int
	// Seed makes the generated capacities repeatable.
	Seed uint64
}

// TPM is the provisioned throughput of a ptu deployment.
type TPM struct {
	Input, Output int
}

// Deployment is one generated deployment: its live state as seeded into
// the simulator and the state the capacity files declare.
type Deployment struct {
	Workspace string
	ID        string
	Plan      string // "mu" or "ptu"
	// Base, Live and Desired are mu capacities: Live and Desired are
	// multiples of Base.
	Base, Live, Desired int
	// LiveTPM and DesiredTPM are ptu throughputs.
	LiveTPM, DesiredTPM TPM
}

// Changed reports whether the files ask for a different capacity than the
// live one.
func (d Deployment) Changed() bool {
	if d.Plan == "ptu" {
		return d.LiveTPM != d.DesiredTPM
	}
	return d.Live != d.Desired
}

// Fleet is a generated fleet, sorted by workspace then deployment id.
type Fleet struct {
	Workspaces  []string
	Deployments []Deployment
}

// WorkspaceID names the i-th generated workspace.
func WorkspaceID(i int) string { return fmt.Sprintf("llm-w%03d", i) }

// Generate builds the fleet spec describes. The same spec always yields the
// same fleet. Every fifth deployment is ptu, the rest mu with a base
// capacity of 1, 2 or 4 and a capacity of 1 to 8 times it. A changed mu
// deployment scales up or down by one base step; a changed ptu deployment
// moves its input and output throughput.
func Generate(spec FleetSpec) Fleet {
	rng := rand.New(rand.NewPCG(spec.Seed, 0xbe7c4))
	f := Fleet{Deployments: make([]Deployment, 0, spec.Deployments)}
	i := 0
	for w, n := range Spread(spec.Deployments, spec.Workspaces) {
		ws := WorkspaceID(w)
		f.Workspaces = append(f.Workspaces, ws)
		for j := range n {
			d := newDeployment(rng, ws, fmt.Sprintf("d-%03d-%04d", w, j), i%5 == 4)
			if isChanged(i, spec.Changed, spec.Deployments) {
				change(&d, i)
			}
			f.Deployments = append(f.Deployments, d)
			i++
		}
	}
	return f
}

// Spread divides n items over k buckets as evenly as possible, the first
// buckets taking the remainder.
func Spread(n, k int) []int {
	if k <= 0 {
		return nil
	}
	out := make([]int, k)
	for i := range out {
		out[i] = n / k
		if i < n%k {
			out[i]++
		}
	}
	return out
}

// isChanged picks exactly changed of n indices, evenly spaced.
func isChanged(i, changed, n int) bool {
	if changed >= n {
		return true
	}
	return (i+1)*changed/n != i*changed/n
}

func newDeployment(rng *rand.Rand, ws, id string, ptu bool) Deployment {
	d := Deployment{Workspace: ws, ID: id}
	if ptu {
		d.Plan = "ptu"
		k := 1 + rng.IntN(8)
		d.LiveTPM = TPM{Input: 10000 * k, Output: 1000 * k}
		d.DesiredTPM = d.LiveTPM
		return d
	}
	d.Plan = "mu"
	d.Base = []int{1, 2, 4}[rng.IntN(3)]
	d.Live = d.Base * (1 + rng.IntN(8))
	d.Desired = d.Live
	return d
}

// change moves d's desired capacity: even indices scale up, odd ones down
// where they can.
func change(d *Deployment, i int) {
	if d.Plan == "ptu" {
		d.DesiredTPM = TPM{Input: d.LiveTPM.Input + 10000, Output: d.LiveTPM.Output + 1000}
		return
	}
	if i%2 == 1 && d.Live > d.Base {
		d.Desired = d.Live - d.Base
		return
	}
	d.Desired = d.Live + d.Base
}

// Count returns the number of changed deployments.
func (f Fleet) Count() (changed int) {
	for _, d := range f.Deployments {
		if d.Changed() {
			changed++
		}
	}
	return changed
}

// PerWorkspace returns the number of deployments in each workspace, in the
// order of f.Workspaces.
func (f Fleet) PerWorkspace() []int {
	idx := make(map[string]int, len(f.Workspaces))
	for i, ws := range f.Workspaces {
		idx[ws] = i
	}
	out := make([]int, len(f.Workspaces))
	for _, d := range f.Deployments {
		out[idx[d.Workspace]]++
	}
	return out
}

// WriteCUE writes one capacity file per workspace into dir, each naming
// keyEnv as the variable that holds the workspace's API key.
func (f Fleet) WriteCUE(dir, keyEnv string) error {
	byWS := make(map[string][]Deployment, len(f.Workspaces))
	for _, d := range f.Deployments {
		byWS[d.Workspace] = append(byWS[d.Workspace], d)
	}
	for _, ws := range f.Workspaces {
		if err := writeCUEFile(filepath.Join(dir, ws+".cue"), ws, keyEnv, byWS[ws]); err != nil {
			return err
		}
	}
	return nil
}

func writeCUEFile(path, ws, keyEnv string, ds []Deployment) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(file)
	WorkspaceCUE(w, ws, keyEnv, ds)
	if err := w.Flush(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// WorkspaceCUE writes the capacity file of one workspace.
func WorkspaceCUE(w *bufio.Writer, ws, keyEnv string, ds []Deployment) {
	fmt.Fprintf(w, "package capacity\n\nworkspaces: %q: {\n\tapi_key_env: %q\n\tdeployments: {\n", ws, keyEnv)
	for _, d := range ds {
		if d.Plan == "ptu" {
			fmt.Fprintf(w, "\t\t%q: {plan: \"ptu\", ptu_capacity: {input_tpm: %d, output_tpm: %d}}\n",
				d.ID, d.DesiredTPM.Input, d.DesiredTPM.Output)
			continue
		}
		fmt.Fprintf(w, "\t\t%q: {plan: \"mu\", base_capacity: %d, capacity: %d}\n", d.ID, d.Base, d.Desired)
	}
	w.WriteString("\t}\n}\n")
}
