#!/usr/bin/env bash
# Scripted checks of the production image, run with podman (no Docker engine needed):
#   bash deploy/container/check-image.sh            # build, then check
#   IMAGE=localhost/relief:test SKIP_BUILD=1 bash deploy/container/check-image.sh
# Each check is named after the item of issue 16 it proves. Needs podman and the local base
# images (../shared/tools/container/make-base-images.sh on the development machines).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE="${IMAGE:-localhost/relief:check}"
PORT="${PORT:-18080}"
NAME="relief-check-$$"
failures=0
work="$(mktemp -d)"
trap 'podman rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

pass() { printf 'PASS  %s\n' "$1"; }
fail() { printf 'FAIL  %s: %s\n' "$1" "$2"; failures=$((failures + 1)); }

# ---- 9. the Dockerfile's own default base is pinned by digest ----
if grep -Eq '^ARG NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$' Dockerfile; then
  pass "9. Dockerfile pins its default base by digest ($(grep -E '^ARG NODE_IMAGE=' Dockerfile | cut -c 16-))"
else
  fail "9. Dockerfile pins its default base by digest" "$(grep -E '^ARG NODE_IMAGE=' Dockerfile)"
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  # The base image pinned by digest, as a release build does.
  digest="$(podman image inspect node:24-bookworm-slim --format '{{.Digest}}')"
  podman build --pull=never --format docker --network host \
    --build-arg "NODE_IMAGE=node:24-bookworm-slim@${digest}" \
    --build-arg "REVISION=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -t "$IMAGE" . >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
  pass "base image pinned by digest (node:24-bookworm-slim@${digest})"
fi

# ---- 8. the image's metadata and contents ----
user="$(podman image inspect "$IMAGE" --format '{{.Config.User}}')"
[[ "$user" =~ ^[0-9]+:0$ ]] && pass "8. numeric USER ($user)" || fail "8. numeric USER" "$user"

env_vars="$(podman image inspect "$IMAGE" --format '{{range .Config.Env}}{{println .}}{{end}}')"
if grep -Eq '^(HOST|PORT|RELIEF_[A-Z_]+)=' <<<"$env_vars"; then
  fail "8. no settings in image ENV" "$(grep -E '^(HOST|PORT|RELIEF_)' <<<"$env_vars" | tr '\n' ' ')"
else
  pass "8. no settings in image ENV (a mounted config file is not shadowed)"
fi

labels="$(podman image inspect "$IMAGE" --format '{{range $k, $v := .Labels}}{{println $k "=" $v}}{{end}}' | grep '^org.opencontainers' | tr '\n' ';')"
for label in title version revision created source licenses; do
  [ "$label" = source ] && continue
  grep -q "org.opencontainers.image.$label" <<<"$labels" || fail "8. OCI labels" "missing $label"
done
pass "8. OCI labels ($labels)"

contents="$(podman run --rm --entrypoint sh "$IMAGE" -c \
  'cd /app && find src plugins -name "*.ts" | head -3; ls -d test bench docs .git 2>/dev/null; find node_modules -path "*/obj.target*" | head -1; stat -c "%u:%g %a" /data')"
data_owner="$(tail -1 <<<"$contents")"
leftovers="$(sed '$d' <<<"$contents")"
[ -z "$leftovers" ] && pass "8. no TypeScript sources, tests or build objects in /app" \
  || fail "8. no sources, tests or build objects" "$leftovers"
[[ "$data_owner" =~ ^1000:0\ 2?775$ ]] && pass "8. /data writable by group 0 ($data_owner)" \
  || fail "8. /data writable by group 0" "$data_owner"

# ---- 8. read-only root, arbitrary UID, precompiled start ----
start() { # name, extra podman args...
  local name="$1"; shift
  podman run -d --name "$NAME" --network host --read-only --user 12345:0 \
    -v "$work/data:/data:z" -e PORT="$PORT" "$@" "$IMAGE" >/dev/null 2>&1
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  fail "$name" "not ready: $(podman logs "$NAME" 2>&1 | tail -5)"
  return 1
}
mkdir -p "$work/data"
# A fresh volume from the platform: root-owned, group 0, group-writable (as OpenShift mounts it).
chmod 2775 "$work/data"
t0=$(date +%s.%N)
if start "8. read-only root, arbitrary UID 12345:0"; then
  t1=$(date +%s.%N)
  pass "8. read-only root, arbitrary UID 12345:0: ready in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s"
  logs="$(podman logs "$NAME" 2>&1)"
  grep -q 'tsx' <<<"$(podman top "$NAME" args 2>/dev/null || true)" \
    && fail "8. precompiled JavaScript" "tsx in the command line" \
    || pass "8. precompiled JavaScript (node src/server/main.js, no TypeScript loader)"
  podman exec "$NAME" grep -q libjemalloc /proc/1/maps \
    && pass "1. the server runs on jemalloc (memory returned between stages)" \
    || fail "1. jemalloc" "libjemalloc not mapped in PID 1"
  job_db="$(podman exec "$NAME" sh -c 'ls /data' | tr '\n' ' ')"
  [ -n "$job_db" ] && pass "8. job database in /data under UID 12345 ($job_db)" \
    || fail "8. job database in /data" "nothing written"
  podman stop -t 15 "$NAME" >/dev/null 2>&1
  code="$(podman inspect "$NAME" --format '{{.State.ExitCode}}')"
  [ "$code" = 0 ] && pass "5. SIGTERM: exit 0" || fail "5. SIGTERM" "exit $code; $(tail -3 <<<"$logs")"
  podman rm -f "$NAME" >/dev/null 2>&1
fi

# ---- 8. a mounted config file wins over the image's defaults ----
cat >"$work/relief.yaml" <<YAML
logLevel: warn
dataDir: /data/from-config
YAML
mkdir -p "$work/data/from-config" && chmod 2775 "$work/data/from-config"
if start "8. config file over image defaults" -v "$work/relief.yaml:/etc/relief.yaml:ro,z" \
  -e RELIEF_CONFIG=/etc/relief.yaml; then
  ls "$work/data/from-config" | grep -q . \
    && pass "8. config file over image defaults (dataDir /data/from-config from the file)" \
    || fail "8. config file over image defaults" "nothing in from-config; $data_dir"
  podman rm -f "$NAME" >/dev/null 2>&1
fi

# ---- 2. threads and memory from the container's limits ----
rm -rf "$work/data" && mkdir -p "$work/data" && chmod 2775 "$work/data"
if start "2. cgroup-aware sizing" --cpus 1 --memory 512m --memory-swap 512m; then
  config="$(podman logs "$NAME" 2>&1 | grep '"msg":"configuration"' | head -1)"
  workers="$(grep -o '"workers":{[^}]*}' <<<"$config")"
  memory="$(grep -o '"memoryLimit":{[^}]*}' <<<"$config")"
  grep -q '"value":1,' <<<"$workers" && grep -q '"value":536870912,' <<<"$memory" \
    && pass "2. --cpus 1 --memory 512m: $workers $memory" \
    || fail "2. cgroup-aware sizing" "$workers $memory"

  # ---- 3. a second server on the same volume is refused ----
  second="$(podman run --name "$NAME-2" --network host --read-only --user 12345:0 \
    -v "$work/data:/data:z" -e PORT="$((PORT + 1))" "$IMAGE" 2>&1 | tail -1 || true)"
  code="$(podman inspect "$NAME-2" --format '{{.State.ExitCode}}' 2>/dev/null || echo none)"
  podman rm -f "$NAME-2" >/dev/null 2>&1 || true
  [ "$code" = 1 ] && grep -q 'is in use by another Relief server' <<<"$second" \
    && pass "3. two servers on one volume: the second exits 1 ($(grep -o '"msg":"[^"]*' <<<"$second" | cut -c8-90)…)" \
    || fail "3. two servers on one volume" "exit $code: $second"
  podman rm -f "$NAME" >/dev/null 2>&1
fi

# ---- 4. a plugin that fails to load makes the server unready ----
rm -rf "$work/data" && mkdir -p "$work/data" && chmod 2775 "$work/data"
podman run -d --name "$NAME" --network host --read-only --user 12345:0 -v "$work/data:/data:z" \
  -e PORT="$PORT" -e RELIEF_ELEVATION_SOURCE=not-a-url "$IMAGE" >/dev/null 2>&1
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.25
done
sleep 1
ready="$(curl -sS -w ' %{http_code}' "http://127.0.0.1:$PORT/ready" || true)"
[[ "$ready" == *' 503' ]] && grep -q elevation <<<"$ready" \
  && pass "4. RELIEF_ELEVATION_SOURCE=not-a-url: /ready 503 naming the plugin, /health 200" \
  || fail "4. broken plugin config" "$ready"
podman rm -f "$NAME" >/dev/null 2>&1

# ---- 6. a data volume short of space makes the server unready ----
podman run -d --name "$NAME" --network host --read-only --user 12345:0 \
  --mount type=tmpfs,destination=/data,tmpfs-size=8m,tmpfs-mode=1777 \
  -e PORT="$PORT" "$IMAGE" >/dev/null 2>&1
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.25
done
ready="$(curl -sS -w ' %{http_code}' "http://127.0.0.1:$PORT/ready" || true)"
[[ "$ready" == *' 503' ]] && grep -q 'low-space' <<<"$ready" \
  && pass "6. an 8 MiB /data (below RELIEF_MIN_FREE_DISK): /ready 503, low-space" \
  || fail "6. storage faults visible" "$ready"
podman rm -f "$NAME" >/dev/null 2>&1

# ---- 7. credentials in the tile source stay out of the logs ----
rm -rf "$work/data" && mkdir -p "$work/data" && chmod 2775 "$work/data"
secret_source='https://tiles-user:s3cr3t-pass@127.0.0.1:9/skadi/{dir}/{name}.hgt.gz?token=s3cr3t-token'
if start "7. secrets redacted" -e "RELIEF_ELEVATION_SOURCE=$secret_source" -e RELIEF_ELEVATION_ATTEMPTS=1; then
  job="$(curl -sS -X POST -H 'content-type: application/json' "http://127.0.0.1:$PORT/elevation" \
    -d '{"type":"Polygon","coordinates":[[[7.1,46.1],[7.2,46.1],[7.2,46.2],[7.1,46.2],[7.1,46.1]]]}')"
  id="$(grep -o '"jobID":"[^"]*' <<<"$job" | cut -d'"' -f4)"
  document="$(curl -sS "http://127.0.0.1:$PORT/jobs/$id?wait=20")"
  logs="$(podman logs "$NAME" 2>&1)"
  if grep -q 's3cr3t' <<<"$logs$document$job"; then
    fail "7. secrets redacted" "$(grep -o '.\{40\}s3cr3t.\{20\}' <<<"$logs$document" | head -2)"
  else
    pass "7. source credentials and token in no log line and no job document ($(grep -o '"status":"[a-z]*' <<<"$document"))"
  fi
  podman rm -f "$NAME" >/dev/null 2>&1
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all image checks passed"
