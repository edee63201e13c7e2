#!/usr/bin/env bash
# Builds the Kubernetes binaries of one release from the Go module proxy into the cache.
# k8s.io/kubernetes cannot be `go install`ed (its go.mod points the staging modules at local
# paths), so a throwaway wrapper module requires it and pins every staging module to v0.<minor>.<patch>.
set -euo pipefail
# usage: k8s.sh vX.Y.Z OUTDIR [COMMAND...]   (default: every command below; kubeadm is for the kind node image)
version=${1:?usage: k8s.sh vX.Y.Z OUTDIR [COMMAND...]}
out=${2:?usage: k8s.sh vX.Y.Z OUTDIR [COMMAND...]}
shift 2
commands=("$@")
((${#commands[@]})) || commands=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl kubeadm)
staging_version="v0.${version#v1.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
cd "$work"
go mod init netprobe.local/k8s-build >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@${version}"
gomod=$(go mod download -json "k8s.io/kubernetes@${version}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
# Every staging module k8s.io/kubernetes replaces with ./staging/... gets the published twin.
for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod"); do
  go mod edit -replace="${m}=${m}@${staging_version}"
done
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
minor=${version#v1.}; minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=${version}"
mkdir -p "$out.tmp"
go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" "${commands[@]/#/k8s.io/kubernetes/cmd/}"
rm -rf "$out" && mv "$out.tmp" "$out"
