//go:build tools

// Package tools pins helm (the chart's lint and the post-deploy hook's e2e): its version in go.mod, its
// checksums in go.sum. A module of its own so its Kubernetes libraries never pull the other tools' versions.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
