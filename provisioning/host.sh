#!/usr/bin/env bash
# One machine of a Ruta deployment across hosts (VMs), as in the seed: its Consul agent and its
# part of the system, started in the background and stopped by PID. deploy.sh copies the bundle
# (the uber jars of the host's servers, payara-config/ and these scripts) to each host and runs
# this there; it also runs by hand on any machine that holds the bundle or a built checkout.
#
#   host.sh up --address A --roles R[,R...] [--join S] [--message M]
#   host.sh status
#   host.sh running   exit status 0 when all of this host's part runs, 3 when only some of it
#   host.sh down
#
# Roles:
#   consul-server  a Consul server bootstrapping a one-server datacenter; its HTTP API and UI
#                  also listen on A. Without it, the host runs a Consul client agent that joins
#                  the server at --join, as the seed's machines "join" theirs.
#   operations     an operations instance on OPERATIONS_PORT (8081), registered in the local
#                  agent at address A with greeting M.
#   balancer       the balancer on BALANCER_PORT (8080), following the local agent.
# Every process talks to Consul through its own host's agent, on 127.0.0.1:8500.
# Everything it writes goes under .run/ beside this folder; 'down' stops by recorded PID and
# removes it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
# Messages carry the host's address, kept from 'up' for 'status' and 'down'.
tag="ruta $(cat "$run/address" 2>/dev/null || hostname -s 2>/dev/null || echo host)"
operations_port=${OPERATIONS_PORT:-8081}
balancer_port=${BALANCER_PORT:-8080}
wait_seconds=${WAIT_SECONDS:-180}
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"

has_role() { role_in "$roles" "$1"; }

require_java() {
  local version
  version=$(java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p;q') || true
  [ -n "$version" ] && [ "$version" -ge 17 ] \
    || die "Java 17 or later is needed on this host (Debian: apt-get install openjdk-17-jre-headless)"
}

start_consul() {
  local consul mode
  consul=$("$root/provisioning/install-consul.sh")
  mkdir -p "$run/consul/data"
  local args=(agent -node "ruta-${address//./-}" -bind "$address" -advertise "$address"
              -data-dir "$run/consul/data" -dns-port -1)
  if has_role consul-server; then
    mode="server"
    args+=(-server -bootstrap-expect 1 -ui -client "127.0.0.1 $address")
  else
    [ -n "$join" ] || die "a host without the consul-server role needs --join <server address>"
    mode="client joining $join"
    args+=(-client 127.0.0.1 -retry-join "$join")
  fi
  step "starting Consul agent ($mode) at $address"
  nohup "$consul" "${args[@]}" </dev/null >"$run/consul/consul.log" 2>&1 &
  record_pid "$run/consul" $!
  await_leader http://127.0.0.1:8500 "$run/consul"
}

start_payara() { # name jar port [-Dkey=value ...]
  local name=$1 jar=$2 port=$3; shift 3
  local dir="$run/$name"
  [ -f "$jar" ] || die "$jar is missing: build with 'mvn package' or deploy the bundle"
  step "starting $name on $address:$port"
  run_payara "$dir" "$jar" "$port" http://127.0.0.1:8500 "$@"
}

await() { # description pidfile command...
  local description=$1 pidfile=$2; shift 2
  for _ in $(seq 1 "$wait_seconds"); do
    "$@" && { step "$description"; return 0; }
    alive "$pidfile" || die "it exited before: $description; see $(dirname "$pidfile")/server.log"
    sleep 1
  done
  die "not after ${wait_seconds}s: $description; see $(dirname "$pidfile")/server.log"
}

# The local agent answers 200 only while every check of its operations instances passes, and
# this host registers just one.
operations_passing() { curl -sf http://127.0.0.1:8500/v1/agent/health/service/name/operations >/dev/null 2>&1; }

balancer_routes() { curl -sf "http://127.0.0.1:$balancer_port/health/ready" >/dev/null 2>&1; }

up() {
  address="" roles="" join="" message="Hello from $(hostname -s 2>/dev/null || echo a Ruta host)"
  while [ $# -gt 0 ]; do
    case "$1" in
      --address) address=$2; shift 2 ;;
      --roles) roles=$2; shift 2 ;;
      --join) join=$2; shift 2 ;;
      --message) message=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ -n "$address" ] && [ -n "$roles" ] || die "usage: $0 up --address A --roles R[,R...] [--join S] [--message M]"
  check_roles "$roles"
  if running; then step "already up"; return 0; fi
  any_alive "$run" && die "part of an earlier start still runs; run '$0 down' first"
  rm -rf "$run"
  mkdir -p "$run"
  echo "$address" >"$run/address"
  tag="ruta $address"
  has_role operations || has_role balancer && require_java
  start_consul
  if has_role operations; then
    start_payara operations "$root/operations-war/target/operations.jar" "$operations_port" \
      -Dservice.address="$address" "-Dservice.message=$message"
  fi
  if has_role balancer; then
    start_payara balancer "$root/balancer-war/target/balancer.jar" "$balancer_port"
  fi
  has_role operations && await "operations passing in Consul" "$run/operations/pid" operations_passing
  has_role balancer && await "balancer ready: http://$address:$balancer_port/" "$run/balancer/pid" balancer_routes
  step "up"
}

running() {
  local pidfile
  any_alive "$run" || return 1
  for pidfile in "$run"/*/pid; do alive "$pidfile" || return 3; done
}

status() {
  report_processes "$run"
}

down() {
  [ -d "$run" ] || { step "nothing to stop"; return 0; }
  # The servers first, so they deregister through an agent that is still there; then the
  # agent, with SIGINT, on which Consul leaves the cluster gracefully.
  stop_pidfile balancer "$run/balancer/pid"
  stop_pidfile operations "$run/operations/pid"
  stop_pidfile "Consul agent" "$run/consul/pid" INT
  rm -rf "$run"
  step "down"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  up) up "$@" ;;
  status) status ;;
  running) running ;;
  down) down ;;
  *) echo "usage: $0 up --address A --roles R[,R...] [--join S] [--message M] | status | running | down" >&2; exit 2 ;;
esac
