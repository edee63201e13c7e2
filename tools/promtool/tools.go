//go:build tools

// Package tools pins promtool (checks deploy/prometheus-rules.yaml): its version in go.mod, its checksums
// in go.sum. A module of its own: Prometheus brings a large dependency tree of its own.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
