#!/usr/bin/env bash
# Drops this library into one moby line and builds that line's dockerd with
# it, the way an engine switches: moby's source at the line's version, both
# libcontainerd import paths rewritten tree-wide, this checkout put in with
# a replace, and dockerd built for windows and for linux with the line's own
# Go toolchain at the line's own dependency versions. moby v26 and v27 take
# this module; v28 and v29 (containerd 2) take module v2.
#
# It fails when a build or moby's tests fail, when the library raises the
# version of any module moby already requires (a library must never do
# that to its importer: by minimal version selection its requirements
# become moby's), when the windows dockerd links moby's own backend rather
# than the library, or when a v28 or v29 dockerd links a containerd 1.x
# package. Its last line reads
#   moby LINE: windows=ok linux=ok raised=none
#
# Usage: scripts/moby-dropin.sh [--raised-only | --with-stock] LINE [work-dir]
#   LINE: a moby version, v26.1.3 to v28.x.y, or v29 (MOBY_V29, the newest
#   v2.0.0 beta of github.com/moby/moby/v2). --raised-only stops after the
#   check of the module versions ("moby LINE: raised=none"), which needs no
#   build. --with-stock also builds the same tree's dockerd for windows
#   before the rewrite, with moby's own backend (dockerd-stock.exe), for
#   the scenario suite to compare with (test/dockerd).
# The work dir (default: a temporary folder) keeps the rewritten tree and
# the dockerd binaries: dockerd-windows.exe, dockerd-linux and, with
# --with-stock, dockerd-stock.exe.
# Environment: MOBY_GO (the line's Dockerfile GO_VERSION); MOBY_TESTS=0
# skips moby's tests of the packages that import the library; MOBY_LINUX=0
# skips the linux dockerd and vet (linux=skipped), a build of all of moby
# again for what on linux is the types package alone.
set -euo pipefail
export LC_ALL=C # sort and join agree on order

repo=$(cd "$(dirname "$0")/.." && pwd)
raised_only= with_stock=
case ${1:-} in
--raised-only) raised_only=1 && shift ;;
--with-stock) with_stock=1 && shift ;;
esac
line=${1:?usage: moby-dropin.sh [--raised-only | --with-stock] LINE [work-dir]}
work=${2:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

# What the line is: its source module, where its libcontainerd lives, and
# which of our modules replaces it.
ours=github.com/libcontainerd-windows/local
case $line in
v26.* | v27.*)
  source=github.com/docker/docker@$line+incompatible old=github.com/docker/docker/libcontainerd
  new=$ours
  ;;
v28.*)
  source=github.com/docker/docker@$line+incompatible old=github.com/docker/docker/libcontainerd
  new=$ours/v2
  ;;
v29)
  source=github.com/moby/moby/v2@${MOBY_V29:-v2.0.0-beta.24} old=github.com/moby/moby/v2/daemon/internal/libcontainerd
  new=$ours/v2
  ;;
*)
  echo "moby-dropin.sh: unknown line $line (v26.x.y, v27.x.y, v28.x.y or v29)" >&2
  exit 2
  ;;
esac

# moby's source, as a Go module: the read-only module cache holds it; the
# copy is ours to change. The zip keeps vendor/modules.txt but not the
# vendored code, so the build resolves modules itself (-mod=mod).
dir=$(go mod download -json "$source" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src="$work/moby"
rm -rf "$src"
cp -R "$dir" "$src"
chmod -R u+w "$src"
rm -rf "$src/vendor"
cd "$src"

# moby's toolchain is its Dockerfile's; the go command fetches it through
# the module proxy.
go_version=${MOBY_GO:-$(sed -n 's/^ARG GO_VERSION=//p' Dockerfile | head -1)}
export GOTOOLCHAIN="go${go_version}" GOFLAGS=-mod=mod
if [ -f vendor.mod ]; then
  # Up to v28, as moby's hack/with-go-mod.sh: a stub go.mod makes the tree
  # a module, and every command reads the requirements from vendor.mod.
  printf 'module github.com/docker/docker\n\ngo 1.21\n' >go.mod
  GOFLAGS="$GOFLAGS -modfile=vendor.mod"
fi
modfile=$([ -f vendor.mod ] && echo vendor.mod || echo go.mod)

modules() { go list -m -f '{{.Path}} {{.Version}}' all | sort; }
modules >"$work/before.txt"

# moby's own dockerd, from the same tree and toolchain: the two binaries
# differ in the backend only (the build cache makes the second one cheap).
if [ -n "$with_stock" ]; then
  CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -o "$work/dockerd-stock.exe" ./cmd/dockerd
  echo "stock dockerd for windows (moby's backend): built ($(du -h "$work/dockerd-stock.exe" | cut -f1))"
fi

# The switch: two import paths, in every Go file. The packages' own import
# comments (package x // import "...") stay as they are.
grep -rlE --include='*.go' "\"$old/(local|types)\"" . |
  xargs sed -i -E "/^package /! {
    s#\"$old/local\"#\"$new\"#g
    s#\"$old/types\"#\"$new/types\"#g
  }"
left=$(grep -rlE --include='*.go' "^[^p].*\"$old/(local|types)\"" . || true)
if [ -n "$left" ]; then
  echo "imports left unrewritten in:"; echo "$left"; exit 1
fi
echo "moby $line ($source, go$go_version): rewrote the imports of $(grep -rlE --include='*.go' "\"$new(/types)?\"" . | wc -l) files to $new"

# This checkout, by replace; module v2 requires the root module, its core.
edits=(-require="$ours@v0.0.0" -replace="$ours=$repo")
if [ "$new" != "$ours" ]; then
  edits+=(-require="$new@v2.0.0" -replace="$new=$repo/v2")
fi
go mod edit "${edits[@]}" "$modfile"
modules >"$work/after.txt"

# Every module moby has keeps its version; modules moby does not have at
# all are listed, as they may not raise anything either (they are in the
# graph above, so MVS already accounted for them).
raised=$(join "$work/before.txt" "$work/after.txt" | awk '$2 != $3 { print $1 ": " $2 " -> " $3 }')
added=$(join -v2 "$work/before.txt" "$work/after.txt" | grep -v "^$ours\(/v2\)\? " || true)
[ -z "$added" ] || { echo "modules the library adds to moby's graph:"; echo "$added" | sed 's/^/  /'; }
if [ -n "$raised" ]; then
  echo "modules whose version the library raised:"; echo "$raised" | sed 's/^/  /'
  raised_result=FAILED
else
  echo "modules whose version the library raised: none"
  raised_result=none
fi
if [ -n "$raised_only" ]; then
  echo "moby $line: raised=$raised_result"
  [ "$raised_result" = none ]
  exit
fi

# The packages of moby that import the library, and their tests.
users=$(grep -rlE --include='*.go' "\"$new(/types)?\"" . | xargs -n1 dirname | sort -u | tr '\n' ' ')

status=0
declare -A result
oses="windows linux"
if [ "${MOBY_LINUX:-1}" = 0 ]; then
  oses=windows result[linux]=skipped
  echo "dockerd for linux: not built (MOBY_LINUX=0)"
fi
for os in $oses; do
  result[$os]=ok
  exe="$work/dockerd-$os$([ $os = windows ] && echo .exe || true)"
  if out=$(CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go build -o "$exe" ./cmd/dockerd 2>&1); then
    echo "dockerd for $os: built ($(du -h "$exe" | cut -f1))"
  else
    echo "$out" | tail -40
    echo "dockerd for $os: FAILED"
    result[$os]=FAILED
  fi
  # go vet compiles moby's packages that import the library, tests
  # included. From hcsshim v0.12 the Summary moby builds is a protobuf
  # message, which moby's own code copies (its remote client's append, its
  # top's range): copylocks fails moby's tree with moby's own types too.
  pkgs=$(GOOS=$os go list -e -f '{{if or .GoFiles .TestGoFiles}}{{.ImportPath}}{{end}}' $users)
  if out=$(CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go vet -copylocks=false $pkgs 2>&1); then
    echo "go vet of moby's $(echo $pkgs | wc -w) packages importing the library, for $os: ok"
  else
    echo "$out" | tail -40
    echo "go vet of moby's packages importing the library, for $os: FAILED"
    result[$os]=FAILED
  fi
  # dockerd's backend is the library, and moby's own is not linked; from
  # v28 on, no package of containerd 1.x is.
  deps=$(GOOS=$os go list -deps -f '{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}' ./cmd/dockerd)
  if [ $os = windows ]; then
    # Here-strings, not pipes: grep -q leaves at its first match, and under
    # pipefail the echo it leaves writing into a closed pipe fails the test.
    if grep -q "^$new " <<<"$deps" && ! grep -q "^$old/local " <<<"$deps"; then
      echo "dockerd for windows links $new in place of moby's libcontainerd/local"
    else
      echo "dockerd for windows does not link $new in place of moby's backend"
      result[$os]=FAILED
    fi
  fi
  if [ "$new" != "$ours" ]; then
    v1=$(echo "$deps" | awk '$2 == "github.com/containerd/containerd" { print $1 }')
    if [ -n "$v1" ]; then
      echo "dockerd for $os links containerd 1.x packages:"; echo "$v1" | sed 's/^/  /'
      result[$os]=FAILED
    else
      echo "dockerd for $os links no containerd 1.x package"
    fi
  fi
done

# moby's own tests of the packages that import the library, on this OS
# (the daemon's, a large package, only those of the code that uses it);
# MOBY_TESTS=0 skips them.
pkgs=$(go list -e -f '{{if .TestGoFiles}}{{.ImportPath}}{{end}}' $users | grep -v '/daemon$' || true)
daemon=$(go list -e -f '{{if .TestGoFiles}}{{.ImportPath}}{{end}}' $users | grep '/daemon$' || true)
if [ "${MOBY_TESTS:-1}" = 0 ]; then
  echo "moby's tests of the packages importing the library: not run (MOBY_TESTS=0)"
elif out=$(go test -count=1 $pkgs 2>&1 && { [ -z "$daemon" ] || go test -count=1 -run 'Resize' $daemon 2>&1; }); then
  echo "moby's tests of the $(echo $pkgs $daemon | wc -w) packages importing the library: ok"
else
  echo "$out" | tail -40
  echo "moby's tests with the library: FAILED"
  result[linux]=FAILED
fi

echo "moby $line: windows=${result[windows]} linux=${result[linux]} raised=$raised_result"
[ "${result[windows]}" = ok ] && [[ ${result[linux]} =~ ^(ok|skipped)$ ]] && [ "$raised_result" = none ]
