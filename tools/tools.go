//go:build tools

// Package tools pins the release and lint tools netprobe builds from source: their versions in go.mod,
// their checksums in go.sum (Go refuses a download that does not match). Built by scripts/tool.
package tools

import (
	_ "github.com/google/go-containerregistry/cmd/crane"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
