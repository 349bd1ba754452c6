#!/usr/bin/env bash
# A chaos soak: a fixed request rate through the balancer (open loop: requests start on time
# whatever the answers do) while faults come one after another at random, then a report of
# what every fault cost and a picture of latency and failures over time.
#
#   provisioning/chaos.sh [MINUTES] [--seed N] [--rate N] [--inventory FILE [--load-from netns:NAME]]
#
# MINUTES      how long the load runs (whole minutes, default 30).
# --seed       repeats an earlier run's faults, in order, targets and durations (each run prints its seed).
# --rate       requests per second (default 100).
# --inventory  soaks the deployment that provisioning/deploy.sh runs from FILE instead of the local
#              cluster. The load goes to its virtual address (its 'vip' line), else to its first
#              balancer host, from this machine, or from inside the network namespace NAME with
#              --load-from (for namespace hosts, whose LAN this machine is not on).
# WARMUP       seconds of load at the same rate before the soak, not counted (default 30).
#
# On the local cluster: the one up under RUN_DIR (.run/) if there is one, else one it starts
# for the soak (balancing with peak-ewma, so that requests avoid a paused instance) and stops
# after. Faults, each followed by a wait until the balancer routes every instance again:
#   kill        kill -9 of an instance, and its restart on the same port
#   pause       SIGSTOP of an instance for 2-8 s, then SIGCONT
#   deregister  the instance's registration removed from the Consul agent (it registers again)
#   consul      the Consul agent stopped and started again (a dev agent forgets everything)
# On a deployment the same on a random operations host (consul: the agent of a host that is not a
# Consul server, which leaves the cluster and joins again), a restart being 'deploy.sh up'
# (--classroom when the inventory has no secrets folder beside it), and with a virtual address:
#   balancer    kill -9 of the balancer that holds the address, and its restart
# The wait is then until every balancer routes every instance and one host holds the address.
# Writes under OUT_DIR (default .run-chaos/<time>): requests.txt (one line per request, as
# provisioning/benchmark/OpenLoad.java writes them), faults.txt, report.txt and soak.svg.
# The exit status is 1 when a request failed outside a balancer's own kill, the bar every soak
# must meet.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=chaos
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
# shellcheck source=provisioning/lib/inventory.sh
. "$root/provisioning/lib/inventory.sh"

usage() {
  echo "usage: $0 [MINUTES] [--seed N] [--rate N] [--inventory FILE [--load-from netns:NAME]]" >&2
  exit 2
}

minutes=30 seed=$((RANDOM * 32768 + RANDOM)) rate=100 inventory="" load_from=""
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
    --load-from)
      [[ "${2:-}" =~ ^netns:[A-Za-z0-9_.-]+$ ]] || { echo "--load-from takes netns:<name>, not '${2:-}'" >&2; usage; }
      load_from=${2#netns:}; shift 2 ;;
    -*) usage ;;
    *)
      [ $positional = 0 ] || usage
      [[ "$1" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "MINUTES is a whole number of minutes, 1 to 9999, not '$1'" >&2; usage; }
      minutes=$1 positional=1; shift ;;
  esac
done
if [ -n "$load_from" ] && [ -z "$inventory" ]; then echo "--load-from is for a deployment's soak, with --inventory" >&2; usage; fi

out=${OUT_DIR:-$root/.run-chaos/$(date -u +%Y%m%dT%H%M%SZ)}
warmup=${WARMUP:-30}
[[ "$warmup" =~ ^[0-9]{1,4}$ ]] || { echo "WARMUP is a whole number of seconds, not '$warmup'" >&2; usage; }
if [ -n "$inventory" ]; then read_inventory "$inventory"; fi
if [ -n "$load_from" ]; then
  ip netns pids "$load_from" >/dev/null 2>&1 || die "there is no network namespace $load_from to send the load from"
fi
require_java
command -v python3 >/dev/null || die "python3 is needed for the report; install Debian's python3"

now_ms() { date +%s%3N; }
load_pid="" fault_target="" fault_detail=""
# What the last check of recovery found missing, for the message when a fault does not recover.
unrouted="" missing=""

# --- The local cluster ---------------------------------------------------------------------

run=${RUN_DIR:-$root/.run}
cluster=(env RUN_DIR="$run" "$root/provisioning/local-cluster.sh")
consul_url="http://127.0.0.1:${CONSUL_HTTP_PORT:-8500}"
started_cluster=no instance_dirs=()

local_instance_id() { echo "operations-127.0.0.1-$(cat "$1/port")"; }

local_prepare() {
  local dir admin_port=${BALANCER_PORT:-8080}
  if alive "$run/balancer/pid"; then
    step "soaking the local cluster that runs under $run"
  else
    step "starting a local cluster for the soak (balancer.strategy=peak-ewma)"
    started_cluster=yes
    BALANCER_STRATEGY=peak-ewma "${cluster[@]}" up || die "the local cluster did not come up"
  fi
  [ -s "$run/balancer/admin-port" ] && admin_port=$(cat "$run/balancer/admin-port")
  services_url="http://127.0.0.1:$admin_port/balancer/services"
  for dir in "$run"/operations-*; do [ -f "$dir/port" ] && instance_dirs+=("$dir"); done
  [ ${#instance_dirs[@]} -ge 2 ] || die "the soak needs at least two instances; '$0' found ${#instance_dirs[@]}"
  for dir in "${instance_dirs[@]}"; do
    alive "$dir/pid" || die "$(basename "$dir") is not running; start it with local-cluster.sh start, or run down and up"
  done
  target="http://127.0.0.1:${BALANCER_PORT:-8080}/api/operations/add?a=1&b=2"
  fault_types=(kill pause deregister consul)
  targets=("${instance_dirs[@]}")
}

local_finish() {
  local dir
  # Nothing stays stopped or paused behind the soak.
  for dir in "${instance_dirs[@]}"; do
    if alive "$dir/pid"; then kill -CONT "$(cat "$dir/pid")" 2>/dev/null || true; fi
  done
  if [ $started_cluster = yes ]; then "${cluster[@]}" down >/dev/null || true; fi
}

# local_routed: Consul passes every instance and the balancer routes each, none ejected.
local_routed() {
  local table passing dir ids=()
  table=$(curl -sf --max-time 2 "$services_url" 2>/dev/null) || { unrouted="the balancer does not answer $services_url"; return 1; }
  passing=$(curl -sf --max-time 2 "$consul_url/v1/health/service/operations?passing" 2>/dev/null) \
    || { unrouted="the Consul agent does not answer"; return 1; }
  for dir in "${instance_dirs[@]}"; do
    ids+=("$(local_instance_id "$dir")")
    grep -q "\"ID\": *\"${ids[-1]}\"" <<<"$passing" || { unrouted="Consul does not pass ${ids[-1]}"; return 1; }
  done
  routes_all "$table" "${ids[@]}" || { unrouted="the balancer does not route $missing: $table"; return 1; }
}

# local_fault TYPE DIR: does it; sets fault_target and fault_detail.
local_fault() {
  local type=$1 dir=$2 id detail="-"
  id=$(local_instance_id "$dir")
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
  fault_target=$id fault_detail=$detail
}

# --- A deployment ---------------------------------------------------------------------------

deploy_options=()
host_ids=() operations_hosts=() agent_hosts=() balancer_hosts=()

deployment_prepare() {
  local i
  # deploy.sh keeps a secure deployment's secrets beside its inventory; a classroom one has none.
  [ -d "$(cd "$(dirname "$inventory")" && pwd)/$(basename "$inventory").secrets" ] || deploy_options=(--classroom)
  for i in "${!addresses[@]}"; do
    host_ids+=("operations-${addresses[$i]}-${OPERATIONS_PORT:-8081}")
    if role_in "${roles[$i]}" operations; then operations_hosts+=("$i"); fi
    if role_in "${roles[$i]}" balancer; then balancer_hosts+=("$i"); fi
    if ! role_in "${roles[$i]}" consul-server; then agent_hosts+=("$i"); fi
  done
  [ ${#operations_hosts[@]} -ge 2 ] || die "the soak needs at least two operations hosts; $inventory lists ${#operations_hosts[@]}"
  [ ${#balancer_hosts[@]} -ge 1 ] || die "$inventory lists no balancer host"
  step "soaking the deployment of $inventory: ${#operations_hosts[@]} operations hosts, ${#balancer_hosts[@]} balancer hosts${vip:+, virtual address $vip}"
  target="http://${vip:-${addresses[${balancer_hosts[0]}]}}:${BALANCER_PORT:-8080}/api/operations/add?a=1&b=2"
  fault_types=(kill pause deregister)
  [ ${#agent_hosts[@]} -eq 0 ] || fault_types+=(consul)
  [ -z "$vip" ] || fault_types+=(balancer)
  targets=("${operations_hosts[@]}")
}

deploy_up() { "$root/provisioning/deploy.sh" "${deploy_options[@]}" "$inventory" up >>"$out/deploy.log" 2>&1; }

# deployment_routed: every balancer routes every instance, none ejected, and with a virtual
# address one balancer host holds it.
deployment_routed() {
  local i j table holders ids=()
  for j in "${operations_hosts[@]}"; do ids+=("${host_ids[$j]}"); done
  for i in "${balancer_hosts[@]}"; do
    table=$(on_host "${reaches[$i]}" table 2>/dev/null) || { unrouted="${addresses[$i]}'s balancer does not answer its table"; return 1; }
    routes_all "$table" "${ids[@]}" || { unrouted="${addresses[$i]}'s balancer does not route $missing: $table"; return 1; }
  done
  [ -n "$vip" ] || return 0
  holders=$(vip_holders)
  [ "$(wc -w <<<"$holders")" = 1 ] || { unrouted="the virtual address is held by '${holders}'"; return 1; }
}

# deployment_fault TYPE HOST-INDEX: does it; sets fault_target and fault_detail.
deployment_fault() {
  local type=$1 i=$2 id detail="-" holder
  id=${host_ids[$i]}
  case "$type" in
    kill)
      on_host "${reaches[$i]}" fault kill operations >>"$out/deploy.log" 2>&1 || detail="refused"
      deploy_up || detail="restart-failed" ;;
    pause)
      local pause=$((2 + RANDOM % 7))
      detail="${pause}s"
      on_host "${reaches[$i]}" fault pause operations "$pause" >>"$out/deploy.log" 2>&1 || detail="refused" ;;
    deregister)
      on_host "${reaches[$i]}" fault deregister >>"$out/deploy.log" 2>&1 || detail="refused" ;;
    consul)
      i=${agent_hosts[$((RANDOM % ${#agent_hosts[@]}))]}
      id="consul-${addresses[$i]}"
      on_host "${reaches[$i]}" fault stop consul >>"$out/deploy.log" 2>&1 || detail="refused"
      deploy_up || detail="restart-failed" ;;
    balancer)
      holder=$(vip_holders)
      id="balancer-${holder:-none}"
      for i in "${balancer_hosts[@]}"; do [ "${addresses[$i]}" = "$holder" ] && break; done
      if [ "${addresses[$i]}" = "$holder" ]; then
        on_host "${reaches[$i]}" fault kill balancer >>"$out/deploy.log" 2>&1 || detail="refused"
        deploy_up || detail="restart-failed"
      else
        detail="no-single-holder"
      fi ;;
  esac
  fault_target=$id fault_detail=$detail
}

# --- Both -----------------------------------------------------------------------------------

# routes_all TABLE ID...: whether the balancer's table lists every instance, none ejected (the
# table names ejectedUntil only while an instance is out).
routes_all() {
  local table=$1 id
  shift
  for id in "$@"; do
    missing=$id
    grep -o "{\"id\":\"$id\"[^}]*}" <<<"$table" | grep -qv '"ejectedUntil"' || return 1
  done
}

on_deployment() { [ -n "$inventory" ]; }
routed() { if on_deployment; then deployment_routed; else local_routed; fi; }

finish() {
  [ -z "$load_pid" ] || kill "$load_pid" 2>/dev/null || true
  if ! on_deployment; then local_finish; fi
}
trap finish EXIT

mkdir -p "$out"
if on_deployment; then deployment_prepare; else local_prepare; fi
seconds=$((minutes * 60))
step "seed $seed (repeat this run with: $0 $minutes --seed $seed --rate $rate${inventory:+ --inventory $inventory}${load_from:+ --load-from netns:$load_from}); $rate requests/s for $minutes min; files in $out"

await_recovery() { # deadline-seconds
  local until=$(($(date +%s) + $1))
  while [ "$(date +%s)" -lt "$until" ]; do
    routed && return 0
    sleep 0.2
  done
  return 1
}

# fault TYPE TARGET: does it, logs "type target start-ms recovered-ms detail" (recovered-ms -1
# when not within 90 s), and returns once every instance is routed again.
fault() {
  local type=$1 start recovered
  start=$(now_ms)
  # Not in a subshell: the fault draws from RANDOM, whose sequence the seed repeats.
  if on_deployment; then deployment_fault "$type" "$2"; else local_fault "$type" "$2"; fi
  if await_recovery 90; then recovered=$(now_ms); else recovered=-1; fi
  echo "$type $fault_target $start $recovered $fault_detail" >>"$out/faults.txt"
  step "$type $fault_target$([ "$fault_detail" = - ] || echo " $fault_detail"): $([ "$recovered" = -1 ] && echo "not recovered within 90 s${unrouted:+: $unrouted}" || echo "every instance routed again after $(((recovered - start) / 1000)).$(((recovered - start) % 1000 / 100)) s")"
}

await_recovery 120 || die "the balancer does not route every instance before the soak${unrouted:+: $unrouted}"
load=("$java")
[ -z "$load_from" ] || load=(ip netns exec "$load_from" "$java")
if [ "$warmup" -gt 0 ]; then
  # The soak measures faults, not a cold start (benchmark.sh measures that): the balancer, the
  # instances and the load generator's own JVM are warmed at the soak's rate first.
  step "warming up for ${warmup}s at $rate requests/s"
  "${load[@]}" "$root/provisioning/benchmark/OpenLoad.java" "$target" "$rate" "$warmup" "$out/warmup.txt" 15 \
    || die "the warm-up load failed"
fi
: >"$out/faults.txt"
"${load[@]}" -Dopenload.epoch-file="$out/epoch" "$root/provisioning/benchmark/OpenLoad.java" \
  "$target" "$rate" "$seconds" "$out/requests.txt" 15 &
load_pid=$!
for _ in $(seq 1 300); do [ -s "$out/epoch" ] && break; sleep 0.1; done
[ -s "$out/epoch" ] || die "the load generator did not start"
end=$(($(cat "$out/epoch") + seconds * 1000))

RANDOM=$seed
# The last fault starts early enough to recover (a restart takes Payara's start) before the load ends.
while [ $(($(now_ms) + 45000)) -lt "$end" ]; do
  sleep $((3 + RANDOM % 5))
  type=${fault_types[$((RANDOM % ${#fault_types[@]}))]}
  fault "$type" "${targets[$((RANDOM % ${#targets[@]}))]}"
done
wait "$load_pid" || die "the load generator failed"
load_pid=""
python3 "$root/provisioning/chaos/report.py" "$out" "$seed" | tee "$out/report.txt"
status=${PIPESTATUS[0]}
step "picture: $out/soak.svg"
exit "$status"
