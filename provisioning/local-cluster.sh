#!/usr/bin/env bash
# The seed's system on one machine: a Consul agent (server, dev mode), three operations
# instances registered in it, each with its own greeting, and the balancer in front of them.
#
#   provisioning/local-cluster.sh up       build if needed, start everything, wait until Consul passes all
#   provisioning/local-cluster.sh status   what runs, and what Consul says
#   provisioning/local-cluster.sh down     stop everything 'up' started, by PID, and remove its files
#
# Ports (environment): CONSUL_HTTP_PORT (8500), OPERATIONS_PORTS ("8081 8082 8083"),
# BALANCER_PORT (8080).
# Everything it writes goes under .run/ in the project (git-ignored).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
consul_port=${CONSUL_HTTP_PORT:-8500}
read -ra operations_ports <<<"${OPERATIONS_PORTS:-8081 8082 8083}"
balancer_port=${BALANCER_PORT:-8080}
messages=("Hola desde la instancia 1" "Hello from instance 2" "Olá da instância 3" "Bonjour de l'instance 4" "Hallo von Instanz 5")
wait_seconds=${WAIT_SECONDS:-180}

tag=ruta
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

passing_count() {
  { curl -sf "http://127.0.0.1:$consul_port/v1/health/service/$1?passing" 2>/dev/null || true; } \
    | { grep -o '"Service": *"[^"]*"' || true; } | wc -l
}

build_if_needed() {
  if [ ! -f "$root/operations-war/target/operations.jar" ] || [ ! -f "$root/balancer-war/target/balancer.jar" ]; then
    step "building the uber jars (mvn package, tests skipped)"
    (cd "$root" && mvn -q -B package -DskipTests) || die "the build failed"
  fi
}

start_consul() {
  local consul
  consul=$("$root/provisioning/install-consul.sh")
  port_busy "$consul_port" && die "port $consul_port is taken: is another Consul running? Set CONSUL_HTTP_PORT."
  step "starting Consul agent (dev server) on 127.0.0.1:$consul_port"
  mkdir -p "$run/consul"
  "$consul" agent -dev -node ruta-local -bind 127.0.0.1 -client 127.0.0.1 -http-port "$consul_port" \
    -dns-port "${CONSUL_DNS_PORT:-8600}" -grpc-port -1 -serf-wan-port -1 >"$run/consul/consul.log" 2>&1 &
  record_pid "$run/consul" $!
  await_leader "http://127.0.0.1:$consul_port" "$run/consul"
}

start_payara() { # name jar port [-Dkey=value ...]
  local name=$1 jar=$2 port=$3; shift 3
  local dir="$run/$name"
  port_busy "$port" && die "port $port is taken; set OPERATIONS_PORTS to free ones"
  step "starting $name on port $port"
  run_payara "$dir" "$jar" "$port" "http://127.0.0.1:$consul_port" "$@"
}

await_passing() { # service count
  local service=$1 want=$2 have=-1 now
  for _ in $(seq 1 "$wait_seconds"); do
    now=$(passing_count "$service")
    [ "$now" != "$have" ] && { have=$now; step "Consul: $have of $want $service instances passing"; }
    [ "$have" -ge "$want" ] && return 0
    for pidfile in "$run"/*/pid; do alive "$pidfile" || die "$(dirname "$pidfile") exited; see its server.log"; done
    sleep 1
  done
  die "only $have of $want $service instances passing after ${wait_seconds}s; see $run/*/server.log"
}

up() {
  any_alive "$run" && die "already up, or part of an earlier start still runs; run '$0 down' first"
  rm -rf "$run"
  mkdir -p "$run"
  build_if_needed
  start_consul
  local i=0
  for port in "${operations_ports[@]}"; do
    start_payara "operations-$((i + 1))" "$root/operations-war/target/operations.jar" "$port" \
      -Dservice.address=127.0.0.1 "-Dservice.message=${messages[$((i % ${#messages[@]}))]}"
    i=$((i + 1))
  done
  await_passing operations "${#operations_ports[@]}"
  start_payara balancer "$root/balancer-war/target/balancer.jar" "$balancer_port"
  await_balancer
  step "up. Consul UI and API: http://127.0.0.1:$consul_port/ui/"
  for port in "${operations_ports[@]}"; do
    step "operations: http://127.0.0.1:$port/api/instance"
  done
  step "balancer (open in a browser): http://127.0.0.1:$balancer_port/"
  step "try: curl 'http://127.0.0.1:$balancer_port/api/operations/add?a=0.1&b=0.2'"
  step "stop everything with: $0 down"
}

await_balancer() {
  for _ in $(seq 1 "$wait_seconds"); do
    if curl -sf "http://127.0.0.1:$balancer_port/balancer/services" 2>/dev/null | grep -q "operations-"; then
      step "balancer routes the operations instances"
      return 0
    fi
    alive "$run/balancer/pid" || die "the balancer exited; see $run/balancer/server.log"
    sleep 1
  done
  die "the balancer does not route yet after ${wait_seconds}s; see $run/balancer/server.log"
}

status() {
  report_processes "$run"
  if [ -d "$run" ]; then step "Consul: $(passing_count operations) operations instances passing"; fi
}

down() {
  [ -d "$run" ] || { step "nothing to stop"; return 0; }
  # Services first, so they deregister from a Consul that is still there.
  local pidfiles=()
  for pidfile in "$run"/*/pid; do [ "$pidfile" != "$run/consul/pid" ] && pidfiles+=("$pidfile"); done
  [ -f "$run/consul/pid" ] && pidfiles+=("$run/consul/pid")
  for pidfile in "${pidfiles[@]}"; do
    stop_pidfile "$(basename "$(dirname "$pidfile")")" "$pidfile"
  done
  rm -rf "$run"
  step "down: no process left, $run removed"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up|status|down" >&2; exit 2 ;;
esac
