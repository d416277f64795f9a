#!/usr/bin/env bash
# Builds the Pulumi docker resource provider plugin from Go modules: the
# Pulumi Terraform bridge and the upstream Terraform docker provider, both
# fetched through the Go module proxy.
#
# usage: build.sh VERSION WORK_DIR
# Leaves WORK_DIR/pulumi-resource-docker-vVERSION.tar.gz, ready for
# `pulumi plugin install resource docker VERSION --file`.
set -euo pipefail

version=${1:?usage: build.sh VERSION WORK_DIR}
work=${2:?usage: build.sh VERSION WORK_DIR}
here=$(cd "$(dirname "$0")" && pwd)

upstream_module=github.com/kreuzwerker/terraform-provider-docker
upstream_version=v0.0.0-20260916201441-96d331c98ff4

mkdir -p "$work"
work=$(cd "$work" && pwd)
src="$work/src"
rm -rf "$src" "$work/out"
mkdir -p "$src" "$work/out"

echo "fetching $upstream_module@$upstream_version"
upstream_dir=$(cd "$here" && go mod download -json "$upstream_module@$upstream_version" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')

# The upstream keeps its provider under internal/; our shim package, added
# to a local copy of that module, is what lets the bridge reach it.
cp -r "$upstream_dir" "$src/upstream"
chmod -R u+w "$src/upstream"
mkdir -p "$src/upstream/shim"
cp "$here/shim/shim.go" "$src/upstream/shim/shim.go"
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$src/"

echo "building pulumi-resource-docker v$version"
(cd "$src" && go build -trimpath -ldflags "-X main.version=$version" -o "$work/out/pulumi-resource-docker" .)

tar -C "$work/out" -czf "$work/pulumi-resource-docker-v$version.tar.gz" pulumi-resource-docker
echo "$work/pulumi-resource-docker-v$version.tar.gz"
