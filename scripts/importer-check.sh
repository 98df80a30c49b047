#!/usr/bin/env bash
# Imports the library the way an engine does, from an empty module: `go mod
# init`, the library required (this checkout, by replace), `go mod tidy`,
# then `go vet` and `go test -race` of a test that uses it. Once for each
# module: the root (moby v26 and v27's API) with the in-memory host's godoc
# example as the engine's test, and v2 (moby v28 and v29's) with its own.
# Only the public packages are reachable from there.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ours=github.com/libcontainerd-windows/local
# check NAME MODULE VERSION EXAMPLE: an engine's module that requires
# MODULE at VERSION and whose test is the godoc example in EXAMPLE.
check() {
  local name=$1 module=$2 version=$3 example=$4
  mkdir "$work/$name"
  cd "$work/$name"
  go mod init example.com/engine 2>/dev/null
  # A version, or a checkout with replace, is required before tidy: tidy
  # alone would take the newest of every module the test imports.
  go mod edit -require="$ours@v0.0.0" -replace="$ours=$repo"
  if [ "$module" != "$ours" ]; then
    go mod edit -require="$module@$version" -replace="$module=$repo/${module#"$ours/"}"
  fi
  printf '// Package engine stands for an engine that imports the library.\npackage engine\n' >engine.go
  sed -E 's/^package [a-z_]+$/package engine_test/' "$example" >engine_test.go
  go mod tidy
  go vet ./...
  go test -race -count=1 -v -run Example ./... | grep -E '^(--- |ok|FAIL)'
  echo "an engine's module importing $module: tidy, vet and test with -race passed ($(sed -n 's/^go //p' go.mod | head -1) in its go.mod)"
}

check root "$ours" v0.0.0 "$repo/hcs/memhost/example_test.go"
check v2 "$ours/v2" v2.0.0 "$repo/v2/example_test.go"
