#!/usr/bin/env bash
# The CPU image (docker/Dockerfile.cpu), built and run with podman:
#   - the lab answers on 127.0.0.1 with its token, and refuses requests
#     without it (403);
#   - it runs as the non-root user learner;
#   - notebook 04 executes inside the container in quick mode and its HTML
#     export comes out (build/docker/04_mlp.html), with GOPROXY=off: the Go
#     modules and the MNIST data must be in the image;
#   - a file saved in the work volume survives the container: a new one on the
#     same volume finds it (and the first token no longer opens the lab);
#   - the container stops within a few seconds (--init);
#   - the test removes its containers and volume, and no process is left.
#
# Needs podman, buildah, mmdebstrap, runc, uidmap, catatonit: installed with apt-get
# when run as root (as CI does); otherwise the test says what to install and
# skips. Where no image registry is reachable the base image is made locally
# from package registries (tests/docker/base.sh, cached in .tools/docker/);
# WORKBOOK_IMAGE_BASE=docker.io/library/golang:1.26-bookworm uses the official one.
# The machine's locally added CA certificates (/usr/local/share/ca-certificates)
# reach the build as a secret, never the image. WORKBOOK_IMAGE_TEST=0 skips.
#
# Run by scripts/test.sh (make test). First run on a machine (2 cores): base
# ~3 min, build ~6.5 min, checks under a minute; afterwards the build reuses
# its layers while the files they copy are unchanged (3 s; after a notebook
# edit, seconds; after an mnistlib edit, 2-2.5 min; see docs/docker.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=$root/build/docker
image=localhost/mnist-workbook:test
notebook=04_mlp
t0=$SECONDS
say() { echo "image test: $*"; }
skip() { say "SKIP: $*"; exit 0; }
[ "${WORKBOOK_IMAGE_TEST:-1}" != 0 ] || skip "WORKBOOK_IMAGE_TEST=0"

# --- The engine -------------------------------------------------------------
# (with apt's recommended packages: iptables, netavark, catatonit for --init)
pkgs="podman buildah mmdebstrap runc uidmap catatonit"
missing=""
for c in podman buildah mmdebstrap runc newuidmap catatonit; do command -v "$c" >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing$missing (apt-get install $pkgs)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq $pkgs >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq $pkgs >/dev/null; }
  else
    skip "needs$missing: install them (Debian/Ubuntu: sudo apt-get install -y $pkgs) and run it again"
  fi
fi
mkdir -p "$out" "$root/.tools/docker"
# runc, not crun (crun refuses hybrid cgroups), and container limits this
# machine allows (podman's defaults may be above the host's hard limits).
if [ -z "${CONTAINERS_CONF:-}" ]; then
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 20000 ] && nofile=20000
  nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  cat >"$root/.tools/docker/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
  export CONTAINERS_CONF=$root/.tools/docker/containers.conf
fi

# --- Clean-up: containers, volume, and a check that nothing is left ----------
id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
name=mnist-workbook-test-$id
volume=mnist-workbook-test-$id
tmp=$(mktemp -d)
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do podman rm --force --time 0 "$c" >/dev/null 2>&1 || true; done
  podman volume rm --force "$volume" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  say "FAIL: $*" >&2
  local c
  for c in "${containers[@]}"; do
    echo "--- podman logs $c (last 40 lines):" >&2
    podman logs "$c" 2>&1 | tail -40 >&2 || true
  done
  exit 1
}

# --- The base and the build ----------------------------------------------------
base=${WORKBOOK_IMAGE_BASE:-}
if [ -z "$base" ]; then
  t=$SECONDS
  base=$(tests/docker/base.sh)
  say "base $base ($((SECONDS - t)) s)"
fi
args=(--build-arg "BASE=$base")
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null || compgen -G "/usr/local/share/ca-certificates/*/*.crt" >/dev/null; then
  cat /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt >"$tmp/extra-ca.pem" 2>/dev/null || true
  args+=(--secret "id=extra_ca,src=$tmp/extra-ca.pem")
fi
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  [ -z "${!v:-}" ] || args+=(--build-arg "$v=${!v}")
done
old=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
t=$SECONDS
say "building $image from docker/Dockerfile.cpu (log: build/docker/build.log)"
podman build --layers -f docker/Dockerfile.cpu "${args[@]}" -t "$image" . >"$out/build.log" 2>&1 ||
  { tail -40 "$out/build.log" >&2; fail "podman build failed (build/docker/build.log)"; }
build_s=$((SECONDS - t))
new=$(podman image inspect --format '{{.Id}}' "$image")
# The image the last run built, where nothing else uses it (its layers that
# this build reuses stay).
[ -z "$old" ] || [ "$old" = "$new" ] || podman rmi "$old" >/dev/null 2>&1 || true
size=$(podman image inspect --format '{{.Size}}' "$image")
base_size=$(podman image inspect --format '{{.Size}}' "$base")
say "built in $build_s s: $((size / 1000000)) MB, of which the base $((base_size / 1000000)) MB"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$image" >"$out/layers.txt" # sizes per layer

# --- Run ------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start NAME: a container on the volume; sets port and token.
start() {
  port=$(free_port)
  podman run --detach --init --name "$1" -p "127.0.0.1:$port:8888" -v "$volume:/home/learner/work" "$image" >/dev/null ||
    fail "podman run failed"
  containers+=("$1")
  token=""
  local deadline=$((SECONDS + 180))
  while [ -z "$token" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$1: no lab URL with a token in the log after 180 s"
    [ "$(podman inspect --format '{{.State.Running}}' "$1")" = true ] || fail "$1: the container exited"
    sleep 1
    token=$(podman logs "$1" 2>&1 | grep -oE '127\.0\.0\.1:8888/lab\?token=[0-9a-f]+' | head -1 | sed 's/.*token=//' || true)
  done
}
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$port$1"; }

t=$SECONDS
start "$name-1"
say "lab started in $((SECONDS - t)) s on 127.0.0.1:$port"
first_token=$token
code=$(status "/api/status?token=$token"); [ "$code" = 200 ] || fail "GET /api/status with the token: $code, want 200"
curl -s --max-time 20 "http://127.0.0.1:$port/api/kernelspecs?token=$token" | grep -q '"gonb"' ||
  fail "the GoNB kernel is not among the lab's kernels"
code=$(status "/api/status"); [ "$code" = 403 ] || fail "GET /api/status without a token: $code, want 403"
code=$(status "/api/contents/work"); [ "$code" = 403 ] || fail "GET /api/contents/work without a token: $code, want 403"
code=$(status "/api/status?token=0123456789abcdef"); [ "$code" = 403 ] || fail "GET /api/status with a wrong token: $code, want 403"
say "token: 200 with it, 403 without"

# Non-root: the user the image runs as, and the user of the lab's process.
[ "$(podman exec "$name-1" id -u)" = 1000 ] || fail "podman exec runs as uid $(podman exec "$name-1" id -u), want 1000"
users=$(podman top "$name-1" user args | awk 'NR > 1 && /jupyter/ {print $1}' | sort -u)
[ "$users" = learner ] || [ "$users" = 1000 ] || fail "the lab's processes run as '$users', want learner: $(podman top "$name-1" user args)"
say "runs as learner (uid 1000)"

# A notebook in quick mode, with the main job's script, its export into the volume.
t=$SECONDS
# GOPROXY=off: what GoNB compiles must come from the image's module cache.
podman exec -e WORKBOOK_QUICK=1 -e GOPROXY=off -e NOTEBOOKS_OUT=/home/learner/work/out "$name-1" \
  scripts/run-notebooks.sh "notebooks/$notebook.ipynb" >"$out/notebook.log" 2>&1 ||
  { cat "$out/notebook.log" >&2; fail "notebook $notebook failed in the container"; }
notebook_s=$((SECONDS - t))
podman cp "$name-1:/home/learner/work/out/html/$notebook.html" "$out/$notebook.html" || fail "no HTML export of $notebook"
grep -q 'Total params: 203,530' "$out/$notebook.html" || fail "$notebook.html lacks the model summary"
grep -qE 'test accuracy: 0\.[0-9]{4}' "$out/$notebook.html" || fail "$notebook.html lacks the test accuracy"
backend=$(grep -oE 'backend: [a-z:]+' "$out/$notebook.html" | head -1 || true)
say "$notebook ran in quick mode in $notebook_s s (${backend:-backend not printed}); export: build/docker/$notebook.html"

# Saved in the work volume, then the container stopped.
podman exec "$name-1" sh -c "echo $id > /home/learner/work/saved-by-test.txt" || fail "cannot write to the work volume"
t=$(date +%s%N)
podman stop --time 10 "$name-1" >/dev/null
stop_ms=$((($(date +%s%N) - t) / 1000000))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name-1")
[ "$stop_ms" -lt 5000 ] || fail "podman stop took $stop_ms ms, want under 5 s"
[ "$exit_code" != 137 ] || fail "the container had to be killed (exit 137)"
say "stopped in $stop_ms ms (exit $exit_code)"

# A new container on the same volume: the file is there, a new token, the old one refused.
start "$name-2"
[ "$(podman exec "$name-2" cat /home/learner/work/saved-by-test.txt)" = "$id" ] || fail "the file saved in the work volume is gone"
podman exec "$name-2" test -s "/home/learner/work/out/html/$notebook.html" || fail "the export in the work volume is gone"
[ "$token" != "$first_token" ] || fail "the second container has the first one's token"
code=$(status "/api/status?token=$first_token"); [ "$code" = 403 ] || fail "the first container's token opens the second: $code"
code=$(status "/api/status?token=$token"); [ "$code" = 200 ] || fail "GET /api/status with the new token: $code"
say "the work volume survived a new container; the token is new"
podman stop --time 10 "$name-2" >/dev/null

# Nothing left: containers, volume, processes.
cids=$(podman inspect --format '{{.Id}}' "${containers[@]}")
cleanup
containers=()
trap - EXIT
left=$(podman ps -a --filter "name=mnist-workbook-test-$id" --format '{{.Names}}')
[ -z "$left" ] || fail "containers left: $left"
! podman volume exists "$volume" || fail "volume left: $volume"
for cid in $cids; do
  procs=$(ps -eo pid=,args= | grep -F "$cid" | grep -v grep || true)
  [ -z "$procs" ] || fail "processes left for container ${cid:0:12}: $procs"
done
say "ok ($((SECONDS - t0)) s in all; build $build_s s, notebook $notebook_s s, image $((size / 1000000)) MB)"
