#!/usr/bin/env bash
# The client side of issue 15: how much anonymous memory (RssAnon: heap and
# stacks, not the mapped binary) `perflab init` keeps while a podLatency job
# creates PODS pods. The cluster runs in another process (`perflab cluster
# up`), so the figures are the client's alone.
#
#   PERFLAB=/tmp/perflab scripts/bench-init-memory.sh PODS [NODES]
#   CLUSTER_ARGS="--node-lease-duration 240s --memory-limit 7Gi" ... (cluster up flags)
#
# NODES defaults to one per 100 pods (maxPods 110). The job creates bare pods,
# 10 per iteration, 1,000 per namespace, at QPS (default 100) and waits for
# them all Ready (waitWhenFinished), with podLatency and verifyObjects on.
# /proc/<pid>/status of perflab init is read every second: rss.tsv in the
# work directory has the time series (seconds, RssAnon kB, VmRSS kB); the last
# line printed is the summary. Everything runs in a temporary directory that
# is deleted on exit (KEEP=1 keeps it).
set -euo pipefail
PODS=${1:?usage: $0 PODS [NODES]}
NODES=${2:-$(( (PODS + 99) / 100 ))}
QPS=${QPS:-100}
WORK=$(mktemp -d)
cluster_pid=
cleanup() {
  if [ -n "$cluster_pid" ]; then
    kill -INT "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

PERFLAB=${PERFLAB:-}
if [ -z "$PERFLAB" ]; then
  go build -o "$WORK/perflab" ./cmd/perflab
  PERFLAB=$WORK/perflab
fi

# CLUSTER_ARGS: more `cluster up` flags, e.g. the scale knobs of docs/scale.md.
# shellcheck disable=SC2086
"$PERFLAB" cluster up --data-dir "$WORK/cluster" --nodes "$NODES" --max-pods 110 --pod-events=false ${CLUSTER_ARGS:-} >"$WORK/cluster.out" 2>&1 &
cluster_pid=$!
for _ in $(seq 600); do
  grep -qs '^export KUBECONFIG=' "$WORK/cluster.out" && break
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$WORK/cluster.out"; exit 1; }
  sleep 1
done
kubeconfig=$(sed -n 's/^export KUBECONFIG=//p' "$WORK/cluster.out")
[ -n "$kubeconfig" ] || { echo "cluster did not start in 10 minutes" >&2; cat "$WORK/cluster.out"; exit 1; }

cat >"$WORK/pod.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: sleep-{{.Iteration}}-{{.Replica}}
  labels:
    app: sleep
spec:
  containers:
  - name: sleep
    image: registry.k8s.io/pause:3.10
    resources:
      requests: {cpu: 10m, memory: 10Mi}
EOF
cat >"$WORK/config.yaml" <<EOF
global:
  measurements:
    - name: podLatency
jobs:
  - name: pods
    jobType: create
    jobIterations: $(( (PODS + 9) / 10 ))
    qps: $QPS
    burst: $QPS
    namespace: init-memory
    namespacedIterations: true
    iterationsPerNamespace: 100
    waitWhenFinished: true
    verifyObjects: true
    preLoadImages: false
    maxWaitTimeout: 4h
    objects:
      - objectTemplate: pod.yaml
        replicas: 10
EOF

cd "$WORK"
start=$(date +%s)
"$PERFLAB" init -c config.yaml --kubeconfig "$kubeconfig" --timeout 6h --skip-log-file \
  --metrics-directory "$WORK/results" >"$WORK/init.out" 2>&1 &
init_pid=$!
peak_anon=0
hwm=0
: >"$WORK/rss.tsv"
while kill -0 "$init_pid" 2>/dev/null; do
  if read -r anon rss h < <(awk '/^RssAnon:/{a=$2} /^VmRSS:/{r=$2} /^VmHWM:/{h=$2} END{print a, r, h}' "/proc/$init_pid/status" 2>/dev/null) && [ -n "$anon" ]; then
    printf '%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$anon" "$rss" >>"$WORK/rss.tsv"
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    hwm=$h
  fi
  sleep 1
done
rc=0
wait "$init_pid" || rc=$?
elapsed=$(( $(date +%s) - start ))
if [ "$rc" != 0 ]; then
  echo "perflab init exited $rc" >&2
  tail -20 "$WORK/init.out" >&2
  KEEP=1
  exit "$rc"
fi
ready=$(grep -c '"podReadyLatency"' "$WORK/results/podLatencyMeasurement-pods.json" || true)
cluster_hwm=$(awk '/^VmHWM:/{print int($2/1024)}' "/proc/$cluster_pid/status" 2>/dev/null || echo "?")
echo "pods=$PODS nodes=$NODES podLatency documents=$ready elapsed=${elapsed}s peak RssAnon=$(( peak_anon / 1024 )) MiB VmHWM=$(( hwm / 1024 )) MiB cluster VmHWM=${cluster_hwm} MiB"
