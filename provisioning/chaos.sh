#!/usr/bin/env bash
# A chaos soak: a fixed request rate through the balancer (open loop: requests start on time
# whatever the answers do) while faults come one after another at random, then a report of
# what every fault cost and a picture of latency and failures over time.
#
#   provisioning/chaos.sh [MINUTES] [--seed N] [--rate N] [--inventory FILE]
#
# MINUTES  how long the load runs (whole minutes, default 30).
# --seed   repeats an earlier run's faults, in order, targets and durations (each run prints its seed).
# --rate   requests per second (default 100).
# --inventory  a deployment's inventory: checked, then refused, as soaking a deployment is not built yet.
# WARMUP   seconds of load at the same rate before the soak, not counted (default 30).
#
# On the local cluster: the one up under RUN_DIR (.run/) if there is one, else one it starts
# for the soak (balancing with peak-ewma, so that requests avoid a paused instance) and stops
# after. Faults, each followed by a wait until the balancer routes every instance again:
#   kill        kill -9 of an instance, and its restart on the same port
#   pause       SIGSTOP of an instance for 2-8 s, then SIGCONT
#   deregister  the instance's registration removed from the Consul agent (it registers again)
#   consul      the Consul agent stopped and started again (a dev agent forgets everything)
# Writes under OUT_DIR (default .run-chaos/<time>): requests.txt (one line per request, as
# provisioning/benchmark/OpenLoad.java writes them), faults.txt, report.txt and soak.svg.
# The exit status is 1 when a request failed, the bar every soak must meet.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=chaos
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"

usage() {
  echo "usage: $0 [MINUTES] [--seed N] [--rate N] [--inventory FILE]" >&2
  exit 2
}

minutes=30 seed=$((RANDOM * 32768 + RANDOM)) rate=100 inventory=
positional=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seed)
      [[ "${2:-}" =~ ^[0-9]{1,9}$ ]] || { echo "--seed takes a whole number, not '${2:-}'" >&2; usage; }
      seed=$((10#$2)); shift 2 ;;
    --rate)
      [[ "${2:-}" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "--rate takes requests per second, 1 to 9999, not '${2:-}'" >&2; usage; }
      rate=$2; shift 2 ;;
    --inventory)
      [ -f "${2:-}" ] || { echo "--inventory takes a deployment's inventory file; there is none at '${2:-}'" >&2; usage; }
      inventory=$2; shift 2 ;;
    -*) usage ;;
    *)
      [ $positional = 0 ] || usage
      [[ "$1" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "MINUTES is a whole number of minutes, 1 to 9999, not '$1'" >&2; usage; }
      minutes=$1 positional=1; shift ;;
  esac
done

# A deployment's soak (faults on its hosts, the load from a host of its LAN) is not built yet:
# refused here, before anything starts, rather than soaking the local cluster instead.
[ -z "$inventory" ] || die "soaking a deployment from $inventory is not built yet; chaos.sh soaks the local cluster"

run=${RUN_DIR:-$root/.run}
cluster=(env RUN_DIR="$run" "$root/provisioning/local-cluster.sh")
consul_url="http://127.0.0.1:${CONSUL_HTTP_PORT:-8500}"
balancer_port=${BALANCER_PORT:-8080}
out=${OUT_DIR:-$root/.run-chaos/$(date -u +%Y%m%dT%H%M%SZ)}
warmup=${WARMUP:-30}
[[ "$warmup" =~ ^[0-9]{1,4}$ ]] || { echo "WARMUP is a whole number of seconds, not '$warmup'" >&2; usage; }
require_java
command -v python3 >/dev/null || die "python3 is needed for the report; install Debian's python3"

started_cluster=no load_pid=""
finish() {
  [ -z "$load_pid" ] || kill "$load_pid" 2>/dev/null || true
  # Nothing stays stopped or paused behind the soak.
  for dir in "$run"/operations-*; do
    [ -f "$dir/pid" ] && alive "$dir/pid" && kill -CONT "$(cat "$dir/pid")" 2>/dev/null || true
  done
  if [ $started_cluster = yes ]; then "${cluster[@]}" down >/dev/null || true; fi
}
trap finish EXIT

if alive "$run/balancer/pid" 2>/dev/null; then
  step "soaking the local cluster that runs under $run"
else
  step "starting a local cluster for the soak (balancer.strategy=peak-ewma)"
  started_cluster=yes
  BALANCER_STRATEGY=peak-ewma "${cluster[@]}" up || die "the local cluster did not come up"
fi
admin_port=$balancer_port
[ -s "$run/balancer/admin-port" ] && admin_port=$(cat "$run/balancer/admin-port")
services_url="http://127.0.0.1:$admin_port/balancer/services"

instance_dirs=()
for dir in "$run"/operations-*; do [ -f "$dir/port" ] && instance_dirs+=("$dir"); done
[ ${#instance_dirs[@]} -ge 2 ] || die "the soak needs at least two instances; '$0' found ${#instance_dirs[@]}"
for dir in "${instance_dirs[@]}"; do
  alive "$dir/pid" || die "$(basename "$dir") is not running; start it with local-cluster.sh start, or run down and up"
done

mkdir -p "$out"
seconds=$((minutes * 60))
step "seed $seed (repeat this run with: $0 $minutes --seed $seed --rate $rate); $rate requests/s for $minutes min; files in $out"

now_ms() { date +%s%3N; }
instance_id() { echo "operations-127.0.0.1-$(cat "$1/port")"; }

# routed_everywhere: Consul passes every instance and the balancer routes each, none ejected.
routed_everywhere() {
  local table passing dir id
  table=$(curl -sf --max-time 2 "$services_url" 2>/dev/null) || return 1
  passing=$(curl -sf --max-time 2 "$consul_url/v1/health/service/operations?passing" 2>/dev/null) || return 1
  for dir in "${instance_dirs[@]}"; do
    id=$(instance_id "$dir")
    grep -q "\"ServiceID\": *\"$id\"\|\"ID\": *\"$id\"" <<<"$passing" || return 1
    # Listed, and not ejected (the table names ejectedUntil only while an instance is out).
    grep -o "{\"id\":\"$id\"[^}]*}" <<<"$table" | grep -qv '"ejectedUntil"' || return 1
  done
}

await_recovery() { # deadline-seconds
  local until=$(($(date +%s) + $1))
  while [ "$(date +%s)" -lt "$until" ]; do
    routed_everywhere && return 0
    sleep 0.2
  done
  return 1
}

# fault TYPE DIR: does it, logs "type target start-ms recovered-ms detail" (recovered-ms -1 when
# not within 90 s), and returns once the balancer routes every instance again.
fault() {
  local type=$1 dir=$2 id start detail="" recovered
  id=$(instance_id "$dir")
  start=$(now_ms)
  case "$type" in
    kill)
      "${cluster[@]}" kill "$id" >>"$out/cluster.log" 2>&1
      "${cluster[@]}" start "$id" >>"$out/cluster.log" 2>&1 || detail="restart-failed" ;;
    pause)
      local pause=$((2 + RANDOM % 7))
      detail="${pause}s"
      kill -STOP "$(cat "$dir/pid")"
      sleep "$pause"
      kill -CONT "$(cat "$dir/pid")" ;;
    deregister)
      curl -sf -X PUT "$consul_url/v1/agent/service/deregister/$id" >/dev/null || detail="refused" ;;
    consul)
      id=consul
      "${cluster[@]}" restart-consul >>"$out/cluster.log" 2>&1 || detail="restart-failed" ;;
  esac
  if await_recovery 90; then recovered=$(now_ms); else recovered=-1; fi
  echo "$type $id $start $recovered ${detail:--}" >>"$out/faults.txt"
  step "$type $id${detail:+ $detail}: $([ "$recovered" = -1 ] && echo "not recovered within 90 s" || echo "every instance routed again after $(((recovered - start) / 1000)).$(((recovered - start) % 1000 / 100)) s")"
}

await_recovery 60 || die "the balancer does not route every instance before the soak; see $services_url"
target="http://127.0.0.1:$balancer_port/api/operations/add?a=1&b=2"
if [ "$warmup" -gt 0 ]; then
  # The soak measures faults, not a cold start (benchmark.sh measures that): the balancer, the
  # instances and the load generator's own JVM are warmed at the soak's rate first.
  step "warming up for ${warmup}s at $rate requests/s"
  "$java" "$root/provisioning/benchmark/OpenLoad.java" "$target" "$rate" "$warmup" "$out/warmup.txt" 15 \
    || die "the warm-up load failed"
fi
: >"$out/faults.txt"
"$java" -Dopenload.epoch-file="$out/epoch" "$root/provisioning/benchmark/OpenLoad.java" \
  "$target" "$rate" "$seconds" "$out/requests.txt" 15 &
load_pid=$!
for _ in $(seq 1 300); do [ -s "$out/epoch" ] && break; sleep 0.1; done
[ -s "$out/epoch" ] || die "the load generator did not start"
end=$(($(cat "$out/epoch") + seconds * 1000))

RANDOM=$seed
types=(kill pause deregister consul)
# The last fault starts early enough to recover (a restart takes Payara's start) before the load ends.
while [ $(($(now_ms) + 45000)) -lt "$end" ]; do
  sleep $((3 + RANDOM % 5))
  type=${types[$((RANDOM % ${#types[@]}))]}
  fault "$type" "${instance_dirs[$((RANDOM % ${#instance_dirs[@]}))]}"
done
wait "$load_pid" || die "the load generator failed"
load_pid=""
python3 "$root/provisioning/chaos/report.py" "$out" "$seed" | tee "$out/report.txt"
status=${PIPESTATUS[0]}
step "picture: $out/soak.svg"
exit "$status"
