#!/usr/bin/env bash
# Makes a local stand-in for the official base image golang:1.26-bookworm,
# for machines that reach package registries but no image registry (the
# machines this project is tested on), and prints its name:
#
#   tests/docker/base.sh        ->  localhost/mnist-workbook-base:go1.26.8-bookworm-<key>
#
# Built from registries only, like the official image's own recipe:
#   - Debian bookworm from the apt sources this machine uses (mmdebstrap), with
#     the packages golang:bookworm has (buildpack-deps:bookworm-scm: curl, git,
#     mercurial, subversion, ...; then gcc, g++, libc6-dev, make, pkg-config);
#   - the official Go distribution, which the Go module proxy serves as the
#     module golang.org/toolchain (checked against the checksum database), in
#     /usr/local/go, with PATH, GOPATH=/go and GOTOOLCHAIN=local as that image
#     sets them.
# The root file system is kept in .tools/docker/ (260 MB with zstd, else 830 MB) and imported
# into podman's store when the image is not there; both are reused while the
# recipe below (its key) is unchanged. About two minutes the first time.
#
# Needs podman and mmdebstrap (root: apt-get install podman mmdebstrap).
# WORKBOOK_BASE_GO picks the Go version (default 1.26.8).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir="$root/.tools/docker"
go_version=${WORKBOOK_BASE_GO:-1.26.8}
arch=$(dpkg --print-architecture 2>/dev/null || go env GOARCH)
packages=ca-certificates,curl,gnupg,netbase,wget,git,mercurial,openssh-client,subversion,procps,g++,gcc,libc6-dev,make,pkg-config

# Debian's apt sources of this machine: the mirrors it reaches may be the only
# ones it reaches. Only files whose every entry points at a Debian archive
# (a path ending in /debian or /debian-security) are used.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$f" ] || continue
  uris=$(sed -nE 's/^URIs:[[:space:]]*//p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' "$f" | tr ' ' '\n' | grep . || true)
  [ -n "$uris" ] || continue
  if ! grep -qvE '/debian(-security)?/?$' <<<"$uris"; then sources+=("$f"); fi
done
[ ${#sources[@]} -gt 0 ] || sources=(http://deb.debian.org/debian)

key=$( { echo "$go_version $arch $packages v1"; cat "${sources[@]}" 2>/dev/null || printf '%s\n' "${sources[@]}"; } | sha256sum | cut -c1-12)
image="localhost/mnist-workbook-base:go$go_version-bookworm-$key"
tar="$dir/base-$key.tar"
if command -v zstd >/dev/null; then tar=$tar.zst; fi # 260 MB instead of 830

if podman image exists "$image"; then echo "$image"; exit 0; fi
mkdir -p "$dir"
if [ ! -s "$tar" ]; then
  tmp=$(mktemp -d "$dir/.base.XXXXXX")
  trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
  echo "base: fetching Go $go_version from the Go module proxy (golang.org/toolchain)" >&2
  mod=golang.org/toolchain@v0.0.1-go$go_version.linux-$arch
  goroot=$(cd "$tmp" && GOMODCACHE="$tmp/mod" GOFLAGS=-modcacherw GOTOOLCHAIN=local \
    go mod download -json "$mod" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')
  [ -n "$goroot" ] && [ -f "$goroot/bin/go" ] || { echo "base: go mod download $mod gave no folder" >&2; exit 1; }
  rm -rf "$tmp/mod/cache/download/golang.org/toolchain/@v/"*.zip
  # Module zips carry no permissions: executables get theirs back.
  python3 - "$goroot" <<'PY'
import os, sys
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            head = fh.read(4)
        os.chmod(p, 0o755 if head == b"\x7fELF" or head[:2] == b"#!" else 0o644)
PY
  echo "base: Debian bookworm with mmdebstrap (about a minute)" >&2
  mmdebstrap --quiet --variant=apt --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --customize-hook='mkdir -p "$1/usr/local/go" "$1/go/src" "$1/go/bin" && chmod -R 1777 "$1/go"' \
    --customize-hook="sync-in '$goroot' /usr/local/go" \
    --customize-hook='rm -rf "$1"/var/cache/apt/*.bin "$1"/var/log/apt "$1"/var/log/dpkg.log' \
    bookworm "$tmp/base.tar" "${sources[@]}" >&2
  case "$tar" in
    *.zst) zstd -q -T0 --rm "$tmp/base.tar" -o "$tmp/base.tar.zst" && mv "$tmp/base.tar.zst" "$tar" ;;
    *) mv "$tmp/base.tar" "$tar" ;;
  esac
  for old in "$dir"/base-*.tar*; do [ "$old" = "$tar" ] || rm -f "$old"; done # an earlier recipe's
fi
echo "base: importing $tar into podman as $image" >&2
podman import --quiet \
  --change "ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV GOLANG_VERSION=$go_version" --change "ENV GOTOOLCHAIN=local" --change "ENV GOPATH=/go" \
  --change "WORKDIR /go" --change 'CMD ["bash"]' \
  "$tar" "$image" >/dev/null
echo "$image"
