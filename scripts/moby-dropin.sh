#!/usr/bin/env bash
# Drops this library into moby and builds moby's dockerd with it, the way an
# engine switches: moby's source at the pinned version, both libcontainerd
# import paths rewritten tree-wide, this checkout put in with a replace, and
# dockerd built for windows and for linux with moby's own Go toolchain at
# moby's own dependency versions.
#
# It fails when a build fails or when the library raises the version of any
# module moby already requires (a library must never do that to its
# importer: by minimal version selection its requirements become moby's).
#
# Usage: scripts/moby-dropin.sh [work-dir]   (default: a temporary folder)
# Environment: MOBY_VERSION (v26.1.3), MOBY_GO (moby's Dockerfile GO_VERSION).
set -euo pipefail
export LC_ALL=C # sort and join agree on order

repo=$(cd "$(dirname "$0")/.." && pwd)
moby_version=${MOBY_VERSION:-v26.1.3}
work=${1:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

# moby's source, as a Go module: the read-only module cache holds it; the
# copy is ours to change. The zip keeps vendor/modules.txt but not the
# vendored code, so the build resolves modules itself (-mod=mod).
dir=$(go mod download -json "github.com/docker/docker@${moby_version}+incompatible" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src="$work/moby"
rm -rf "$src"
cp -R "$dir" "$src"
chmod -R u+w "$src"
rm -rf "$src/vendor"

# moby's toolchain is its Dockerfile's; the go command fetches it through
# the module proxy.
go_version=${MOBY_GO:-$(sed -n 's/^ARG GO_VERSION=//p' "$src/Dockerfile" | head -1)}
export GOTOOLCHAIN="go${go_version}" GOFLAGS="-mod=mod -modfile=vendor.mod"

# As moby's hack/with-go-mod.sh: a stub go.mod makes the tree a module, and
# every command reads the real requirements from vendor.mod.
cd "$src"
printf 'module github.com/docker/docker\n\ngo 1.21\n' >go.mod
go version

modules() { go list -m -f '{{.Path}} {{.Version}}' all | sort; }
modules >"$work/before.txt"

# The switch: two import paths, in every Go file. The packages' own import
# comments (package x // import "...") stay as they are.
grep -rlE --include='*.go' 'github.com/docker/docker/libcontainerd/(local|types)"' . |
  xargs sed -i -E '/^package /! {
    s#"github.com/docker/docker/libcontainerd/local"#"github.com/libcontainerd-windows/local"#g
    s#"github.com/docker/docker/libcontainerd/types"#"github.com/libcontainerd-windows/local/types"#g
  }'
left=$(grep -rlE --include='*.go' '^[^p].*"github.com/docker/docker/libcontainerd/(local|types)"' . || true)
if [ -n "$left" ]; then
  echo "imports left unrewritten in:"; echo "$left"; exit 1
fi
echo "rewrote the imports of $(grep -rlE --include='*.go' '"github.com/libcontainerd-windows/local(/types)?"' . | wc -l) files"

go mod edit -require=github.com/libcontainerd-windows/local@v0.0.0 \
  -replace=github.com/libcontainerd-windows/local="$repo"
modules >"$work/after.txt"

# Every module moby has keeps its version; modules moby does not have at
# all are listed, as they may not raise anything either (they are in the
# graph above, so MVS already accounted for them).
raised=$(join "$work/before.txt" "$work/after.txt" | awk '$2 != $3 { print $1 ": " $2 " -> " $3 }')
added=$(join -v2 "$work/before.txt" "$work/after.txt" | grep -v '^github.com/libcontainerd-windows/local ' || true)
[ -z "$added" ] || { echo "modules the library adds to moby's graph:"; echo "$added" | sed 's/^/  /'; }
if [ -n "$raised" ]; then
  echo "modules whose version the library raised:"; echo "$raised" | sed 's/^/  /'
  exit 1
fi
echo "modules whose version the library raised: none"

# The packages of moby that import the library, and their tests.
users=$(grep -rlE --include='*.go' '"github.com/libcontainerd-windows/local(/types)?"' . |
  xargs -n1 dirname | sort -u | tr '\n' ' ')

status=0
for os in windows linux; do
  if out=$(CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go build -o "$work/dockerd-$os" ./cmd/dockerd 2>&1); then
    echo "dockerd $moby_version for $os with go$go_version: built ($(du -h "$work/dockerd-$os" | cut -f1))"
  else
    echo "$out" | tail -40
    echo "dockerd $moby_version for $os with go$go_version: FAILED"
    status=1
  fi
  # go vet compiles moby's packages that import the library, tests included.
  pkgs=$(GOOS=$os go list -e -f '{{if or .GoFiles .TestGoFiles}}{{.ImportPath}}{{end}}' $users)
  if out=$(CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go vet $pkgs 2>&1); then
    echo "go vet of moby's $(echo $pkgs | wc -w) packages importing the library, for $os: ok"
  else
    echo "$out" | tail -40
    echo "go vet of moby's packages importing the library, for $os: FAILED"
    status=1
  fi
done

# On Windows dockerd's backend is the library, and moby's own is not linked.
deps=$(GOOS=windows go list -deps ./cmd/dockerd)
if echo "$deps" | grep -qx 'github.com/libcontainerd-windows/local' &&
  ! echo "$deps" | grep -qx 'github.com/docker/docker/libcontainerd/local'; then
  echo "dockerd for windows links github.com/libcontainerd-windows/local in place of moby's libcontainerd/local"
else
  echo "dockerd for windows does not link the library in place of moby's backend"
  status=1
fi

# moby's own tests of the code that uses the library's types, on this OS.
if out=$(go test -count=1 ./container ./libcontainerd/... 2>&1 &&
  go test -count=1 -run 'Resize' ./daemon 2>&1); then
  echo "moby's tests of container, libcontainerd and the daemon's resize: ok"
else
  echo "$out" | tail -40
  echo "moby's tests with the library: FAILED"
  status=1
fi
exit $status
