#!/usr/bin/env bash
# Builds one main package of a published Go module into OUTDIR through a throwaway wrapper module.
# `go install mod@version` refuses modules whose go.mod carries replace directives (etcd's does);
# a wrapper that merely requires the module builds it with the published dependencies.
# usage: gomod.sh MODULE VERSION PACKAGE BINARY OUTDIR [LDFLAGS]   (result: OUTDIR/BINARY)
# GOMOD_REPLACE="path=path@version ..." pins dependencies, e.g. to a version the proxy serves when it
# refuses the one the module asks for.
set -euo pipefail
module=${1:?usage: gomod.sh MODULE VERSION PACKAGE BINARY OUTDIR [LDFLAGS]}
version=${2:?}
package=${3:?}
binary=${4:?}
out=${5:?}
ldflags=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
cd "$work"
go mod init netprobe.local/build >/dev/null 2>&1
for r in ${GOMOD_REPLACE:-}; do go mod edit -replace="$r"; done
go get "${module}@${version}"
mkdir -p "$out.tmp"
go build -trimpath -ldflags "-s -w ${ldflags}" -o "$out.tmp/$binary" "$package"
rm -rf "$out" && mv "$out.tmp" "$out"
