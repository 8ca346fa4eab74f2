// Package schemas ships the CUE schema of capctl's capacity files. The same
// file is embedded in the binary and handed to users, who can run `cue vet`
// with it (see the comment at the top of capacity.cue).
package schemas

import _ "embed"

// Capacity is the source of capacity.cue.
//
//go:embed capacity.cue
var Capacity []byte

// ConfigDefinition is the definition a whole configuration must satisfy.
const ConfigDefinition = "#Config"
