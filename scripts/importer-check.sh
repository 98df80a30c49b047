#!/usr/bin/env bash
# Builds and runs the in-memory host's godoc example (hcs/memhost) from a
# module of its own, as an engine that imports this library would: only
# the public packages are reachable from there.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
cat >go.mod <<MOD
module example.com/engine

go 1.21

require github.com/libcontainerd-windows/local v0.0.0

replace github.com/libcontainerd-windows/local => $repo
MOD
printf '// Package engine stands for an engine that imports the library.\npackage engine\n' >engine.go
sed 's/^package memhost_test$/package engine_test/' "$repo/hcs/memhost/example_test.go" >engine_test.go
go mod tidy
go vet ./...
go test -count=1 -v -run Example ./... | grep -E '^(--- |ok|FAIL)'
