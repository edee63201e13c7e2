//go:build tools

// Package tools pins kind (the kind backend of scripts/cluster): its version in go.mod, its checksums in
// go.sum. A module of its own, like the other tools.
package tools

import _ "sigs.k8s.io/kind"
