#!/usr/bin/env bash
# Runs deploy/kubernetes/relief.yaml as it is, with podman (no cluster needed), and checks it:
#   bash deploy/kubernetes/play.sh [image]      # default image: localhost/relief:test
# The pod shares the host's network (these machines send no traffic to container addresses), on
# PORT (default 18081). It checks the probes, that the pod runs as the manifest says (non-root,
# read-only root, 512 MiB), that the ConfigMap's settings are in force, and that deleting the pod
# stops Relief cleanly (exit 0).
set -euo pipefail
cd "$(dirname "$0")"

IMAGE="${1:-localhost/relief:test}"
PORT="${PORT:-18081}"
work="$(mktemp -d)"
manifest="$work/relief.yaml"
cleanup() {
  podman kube down "$manifest" >/dev/null 2>&1 || true
  podman volume rm -f relief-data >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The manifest as it is, but for the image name and the port.
podman tag "$IMAGE" localhost/relief:latest
# The pod shares the host's network, where podman refuses port mappings: the ports block goes,
# and the probes name the port by number.
sed -e "s#value: /etc/relief/relief.yaml#value: /etc/relief/relief.yaml\n            - name: PORT\n              value: '$PORT'#" \
  -e "s#port: 8080 }#port: $PORT }#" relief.yaml |
  perl -0pe 's/\n {10}ports:\n {12}- name: http\n {14}containerPort: 8080//' >"$manifest"

podman kube play --network host "$manifest" >/dev/null 2>&1
container="$(podman ps --filter label=app.kubernetes.io/name=relief --format '{{.Names}}' | head -1)"

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
ready="$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ready" || true)"
echo "ready: $ready (container $container)"
[ "$ready" = 200 ] || { podman logs "$container" 2>&1 | tail -20; exit 1; }

uid="$(podman exec "$container" id -u)"
memory="$(podman inspect "$container" --format '{{.HostConfig.Memory}}')"
readonly_root="$(podman inspect "$container" --format '{{.HostConfig.ReadonlyRootfs}}')"
echo "uid: $uid, memory limit: $memory bytes, read-only root: $readonly_root"
[ "$uid" != 0 ] && [ "$memory" = $((512 * 1024 * 1024)) ] && [ "$readonly_root" = true ]

# The ConfigMap is mounted and in force (elevation.maxTiles: 400).
curl -fsS "http://127.0.0.1:$PORT/plugins" | grep -q elevation
logs="$(podman logs "$container" 2>&1)"
grep -q '"configFile":"/etc/relief/relief.yaml"' <<<"$logs" && echo "config file: in force"

podman stop -t 30 "$container" >/dev/null 2>&1
code="$(podman inspect "$container" --format '{{.State.ExitCode}}')"
echo "exit code after stop: $code"
[ "$code" = 0 ]
echo "kubernetes manifest: all checks passed"
