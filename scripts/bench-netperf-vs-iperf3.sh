#!/usr/bin/env bash
# Single-stream TCP (and -P N) over one veth pair: perflab netperf vs iperf3,
# interleaved in one run so both see the same (noisy, shared) machine.
# CPU is whole-process user+system time of client and server (GNU time) for
# both tools, so the comparison does not depend on perflab's own accounting.
#
#   sudo PERFLAB=/tmp/perflab DUR=5 ROUNDS=3 STREAMS=1 scripts/bench-netperf-vs-iperf3.sh
#
# Needs root, iperf3 and GNU time. Creates two namespaces named
# perflab-<pid>-bench-{a,b} and deletes them on exit.
set -euo pipefail
PERFLAB=${PERFLAB:-./perflab}
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
STREAMS=${STREAMS:-1}
A=perflab-$$-bench-a
B=perflab-$$-bench-b
TMP=$(mktemp -d)
cleanup() {
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add veth0 type veth peer name veth0 netns "$B"
# 10.254.0.0/24 exists only inside the two namespaces created above.
ip -n "$A" addr add 10.254.0.1/24 dev veth0
ip -n "$B" addr add 10.254.0.2/24 dev veth0
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; ip -n "$ns" link set veth0 up; done

calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
cpu_of() { awk '{print $1 + $2}' "$1"; } # "user sys" written by time -f "%U %S"

# run_server NAME CMD... : starts CMD under GNU time in namespace B.
run_server() {
  local name=$1; shift
  ip netns exec "$B" /usr/bin/time -f "%U %S" -o "$TMP/$name.srv" "$@" >/dev/null 2>&1 &
  SERVER_PID=$!
  sleep 0.5
}

stop_server() { # stop the timed child (not time itself) so time can report
  local child
  child=$(pgrep -P "$SERVER_PID" || true)
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

iperf3_round() {
  run_server iperf3 iperf3 -s -1 -p 5201
  ip netns exec "$A" /usr/bin/time -f "%U %S" -o "$TMP/iperf3.cli" \
    iperf3 -c 10.254.0.2 -p 5201 -t "$DUR" -P "$STREAMS" -J >"$TMP/iperf3.json"
  wait "$SERVER_PID" 2>/dev/null || true
  IPERF_BPS=$(jq '.end.sum_received.bits_per_second' "$TMP/iperf3.json")
  IPERF_CPU=$(calc "$(cpu_of "$TMP/iperf3.cli") + $(cpu_of "$TMP/iperf3.srv")")
}

perflab_round() {
  run_server perflab "$PERFLAB" netperf server --bind 10.254.0.2 --port 5202
  ip netns exec "$A" /usr/bin/time -f "%U %S" -o "$TMP/perflab.cli" \
    "$PERFLAB" netperf run --server 10.254.0.2:5202 --duration "${DUR}s" --streams "$STREAMS" -o json --log-level warn >"$TMP/perflab.json"
  stop_server
  PERFLAB_BPS=$(jq '.results[0].throughputBps' "$TMP/perflab.json")
  PERFLAB_CPU=$(calc "$(cpu_of "$TMP/perflab.cli") + $(cpu_of "$TMP/perflab.srv")")
}

echo "| round | iperf3 Gbit/s | perflab Gbit/s | perflab/iperf3 | iperf3 CPU s/Gbit | perflab CPU s/Gbit | perflab/iperf3 CPU |"
echo "|---|---|---|---|---|---|---|"
sum_t=0; sum_c=0
for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then iperf3_round; perflab_round; else perflab_round; iperf3_round; fi
  ig=$(calc "$IPERF_BPS / 1e9"); pg=$(calc "$PERFLAB_BPS / 1e9")
  ic=$(calc "$IPERF_CPU / ($ig * $DUR)"); pc=$(calc "$PERFLAB_CPU / ($pg * $DUR)")
  rt=$(calc "$pg / $ig"); rc=$(calc "$pc / $ic")
  sum_t=$(calc "$sum_t + $rt"); sum_c=$(calc "$sum_c + $rc")
  printf "| %d | %.2f | %.2f | %.2f | %.4f | %.4f | %.2f |\n" "$r" "$ig" "$pg" "$rt" "$ic" "$pc" "$rc"
done
printf "| mean | | | %.2f | | | %.2f |\n" "$(calc "$sum_t / $ROUNDS")" "$(calc "$sum_c / $ROUNDS")"
