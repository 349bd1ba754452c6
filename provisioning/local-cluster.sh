#!/usr/bin/env bash
# The seed's system on one machine: a Consul agent (server, dev mode), three operations
# instances registered in it, each with its own greeting, and the balancer in front of them.
#
#   provisioning/local-cluster.sh up [--https] [--admin-port N]
#                                               build if needed, start everything, wait until Consul passes all;
#                                               --https: the balancer serves HTTPS (and HTTP/2) on HTTPS_PORT
#                                               too, with a certificate for 127.0.0.1 and localhost from a CA
#                                               made under RUN_DIR/tls (whose path it prints, to trust);
#                                               --admin-port N: the routing table, events, page, metrics,
#                                               health and OpenAPI on 127.0.0.1:N only, /api/... alone on the others
#   provisioning/local-cluster.sh add [--weight N]
#                                               one more operations instance on the next free port
#                                               above every instance started so far (a stopped
#                                               one's port and ID are not reused), registered with
#                                               Consul weight N (1-65535, default 1): a canary of 1
#                                               beside instances of 3 takes a third of what each takes
#   provisioning/local-cluster.sh stop ID|PORT  stop one instance with SIGTERM: it deregisters
#   provisioning/local-cluster.sh kill ID|PORT  stop one with SIGKILL, as a crash: Consul and the balancer cope
#   provisioning/local-cluster.sh start ID|PORT start a stopped or killed instance again, on its port, with its
#                                               ID, greeting and weight, and wait until Consul passes it
#   provisioning/local-cluster.sh restart-consul
#                                               stop the Consul agent (SIGTERM) and start it again: a dev agent
#                                               forgets every registration, and the instances register again
#   provisioning/local-cluster.sh status        one row per instance: ID, port, PID, Consul health, weight, requests served
#   provisioning/local-cluster.sh down          stop everything 'up' and 'add' started, by PID, and remove its files
#
# Ports (environment): CONSUL_HTTP_PORT (8500), CONSUL_DNS_PORT (8600), CONSUL_SERF_LAN_PORT
# (8301), CONSUL_SERVER_PORT (8300), OPERATIONS_PORTS ("8081 8082 8083"), BALANCER_PORT (8080),
# HTTPS_PORT (8443).
# Everything it writes goes under RUN_DIR (.run/ in the project, git-ignored).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run=${RUN_DIR:-$root/.run}
consul_port=${CONSUL_HTTP_PORT:-8500}
read -ra operations_ports <<<"${OPERATIONS_PORTS:-8081 8082 8083}"
balancer_port=${BALANCER_PORT:-8080}
https_port=${HTTPS_PORT:-8443}
messages=("Hola desde la instancia 1" "Hello from instance 2" "Olá da instância 3" "Bonjour de l'instance 4" "Hallo von Instanz 5")
wait_seconds=${WAIT_SECONDS:-180}

tag=ruta
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
# shellcheck source=provisioning/lib/tls.sh
. "$root/provisioning/lib/tls.sh"

usage() {
  echo "usage: $0 up [--https] [--admin-port N]|add [--weight N]|stop ID|PORT|kill ID|PORT|start ID|PORT|restart-consul|status|down" >&2
  exit 2
}

instance_id() { echo "operations-127.0.0.1-$1"; } # as the instance registers itself (service.address=127.0.0.1)

# consul_weight ID: the instance's Weights.Passing as registered in the agent, or "-".
consul_weight() {
  curl -s "http://127.0.0.1:$consul_port/v1/agent/service/$1" 2>/dev/null \
    | grep -Eo '"Passing": *[0-9]+' | grep -Eo '[0-9]+$' || echo -
}

# consul_health ID: passing, warning or critical as the agent sees the instance, or "gone".
consul_health() {
  curl -s "http://127.0.0.1:$consul_port/v1/agent/health/service/id/$1?format=text" 2>/dev/null \
    | grep -Eo '^(passing|warning|critical)$' || echo gone
}

passing_count() {
  { curl -sf "http://127.0.0.1:$consul_port/v1/health/service/$1?passing" 2>/dev/null || true; } \
    | { grep -o '"Service": *"[^"]*"' || true; } | wc -l
}

build_if_needed() {
  require_java
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
    -dns-port "${CONSUL_DNS_PORT:-8600}" -serf-lan-port "${CONSUL_SERF_LAN_PORT:-8301}" \
    -server-port "${CONSUL_SERVER_PORT:-8300}" -grpc-port -1 -serf-wan-port -1 >"$run/consul/consul.log" 2>&1 &
  record_pid "$run/consul" $!
  await_leader "http://127.0.0.1:$consul_port" "$run/consul"
}

start_payara() { # name jar port [-Dkey=value ...]
  local name=$1 jar=$2 port=$3; shift 3
  local dir="$run/$name"
  port_busy "$port" && die "port $port is taken; set OPERATIONS_PORTS to free ones"
  step "starting $name on port $port"
  run_payara "$dir" "$jar" "$port" "http://127.0.0.1:$consul_port" "$@"
  echo "$port" >"$dir/port"
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

# admin_url PATH: where the balancer's admin surface answers PATH: its admin port if it has one.
admin_url() {
  local port=$balancer_port
  [ -s "$run/balancer/admin-port" ] && port=$(cat "$run/balancer/admin-port")
  echo "http://127.0.0.1:$port$1"
}

up() {
  local https=0 admin_port=
  while [ $# -gt 0 ]; do
    case "$1" in
      --https) https=1; shift ;;
      --admin-port)
        [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]{0,4}$ ]] && [ "$2" -le 65535 ] && [ "$2" != "$balancer_port" ] \
          || { echo "--admin-port takes a free port other than the balancer's $balancer_port, not '${2:-}'" >&2; usage; }
        admin_port=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  any_alive "$run" && die "already up, or part of an earlier start still runs; run '$0 down' first"
  rm -rf "$run"
  mkdir -p "$run"
  build_if_needed
  start_consul
  local i=0
  for port in "${operations_ports[@]}"; do
    i=$((i + 1))
    start_instance "$i" "$port" 1
  done
  await_passing operations "${#operations_ports[@]}"
  local options=() payara_options=()
  mkdir -p "$run/balancer"
  if [ -n "$admin_port" ]; then
    port_busy "$admin_port" && die "port $admin_port is taken; choose another --admin-port"
    admin_listener_commands "$admin_port" 127.0.0.1 >"$run/balancer/pre-boot-commands.asadmin"
    echo "$admin_port" >"$run/balancer/admin-port"
    options+=("-Dbalancer.admin-port=$admin_port")
    payara_options+=(--prebootcommandfile "$run/balancer/pre-boot-commands.asadmin")
  fi
  if [ "$https" = 1 ]; then
    port_busy "$https_port" && die "port $https_port is taken; set HTTPS_PORT to a free one"
    step "making a certificate authority and a certificate for 127.0.0.1 and localhost in $run/tls"
    ensure_https_ca "$run/tls"
    ensure_https_certificate "$run/tls" balancer IP:127.0.0.1,DNS:localhost
    write_https_properties "$run/tls/balancer.p12" "$run/tls/balancer.password" "$run/tls/balancer.properties"
    mapfile -t -O "${#payara_options[@]}" payara_options < <(https_options "$run/tls/balancer.properties" "$https_port")
  fi
  start_payara balancer "$root/balancer-war/target/balancer.jar" "$balancer_port" "${options[@]}" -- "${payara_options[@]}"
  await_balancer
  step "up. Consul UI and API: http://127.0.0.1:$consul_port/ui/"
  for port in "${operations_ports[@]}"; do
    step "operations: http://127.0.0.1:$port/api/instance"
  done
  step "balancer (open in a browser): $(admin_url /)"
  step "try: curl 'http://127.0.0.1:$balancer_port/api/operations/add?a=0.1&b=0.2'"
  if [ "$https" = 1 ]; then
    step "HTTPS with HTTP/2: https://127.0.0.1:$https_port/ ; the CA to trust: $run/tls/ca.pem"
    step "try: curl --cacert $run/tls/ca.pem --http2 'https://127.0.0.1:$https_port/api/operations/add?a=0.1&b=0.2'"
  fi
  [ -z "$admin_port" ] || step "the admin surface (table, events, page, metrics, health, OpenAPI): $(admin_url /), on loopback only"
  step "stop everything with: $0 down"
}

await_balancer() {
  for _ in $(seq 1 "$wait_seconds"); do
    if curl -sf "$(admin_url /balancer/services)" 2>/dev/null | grep -q "operations-"; then
      step "balancer routes the operations instances"
      return 0
    fi
    alive "$run/balancer/pid" || die "the balancer exited; see $run/balancer/server.log"
    sleep 1
  done
  die "the balancer does not route yet after ${wait_seconds}s; see $run/balancer/server.log"
}

start_instance() { # index port weight
  start_payara "operations-$1" "$root/operations-war/target/operations.jar" "$2" \
    -Dservice.address=127.0.0.1 "-Dservice.message=${messages[$((($1 - 1) % ${#messages[@]}))]}" "-Dconsul.weight=$3"
  echo "$3" >"$run/operations-$1/weight"
}

await_instance_passing() { # index port
  local id; id=$(instance_id "$2")
  step "waiting until Consul's health check passes $id"
  for _ in $(seq 1 "$wait_seconds"); do
    [ "$(consul_health "$id")" = passing ] && return 0
    alive "$run/operations-$1/pid" || die "operations-$1 exited; see $run/operations-$1/server.log"
    sleep 1
  done
  die "Consul does not pass $id after ${wait_seconds}s; see $run/operations-$1/server.log"
}

# add [--weight N]: the next index after every instance started so far, on the first free port after theirs.
add() {
  local weight=1
  if [ $# -gt 0 ]; then
    [ $# -eq 2 ] && [ "$1" = --weight ] || usage
    [[ "$2" =~ ^[1-9][0-9]{0,4}$ ]] && [ "$2" -le 65535 ] \
      || { echo "--weight takes a whole number from 1 to 65535, as Consul does, not '$2'" >&2; usage; }
    weight=$2
  fi
  alive "$run/consul/pid" && alive "$run/balancer/pid" || die "not up; run '$0 up' first"
  local index=0 port=0 dir n p
  for dir in "$run"/operations-*; do
    n=${dir##*-}; [ "$n" -gt "$index" ] && index=$n
    p=$(cat "$dir/port"); [ "$p" -gt "$port" ] && port=$p
  done
  index=$((index + 1)); port=$((port + 1))
  while port_busy "$port"; do port=$((port + 1)); done
  start_instance "$index" "$port" "$weight"
  await_instance_passing "$index" "$port"
  step "added $(instance_id "$port") (weight $weight): http://127.0.0.1:$port/api/instance"
}

# start ID|PORT: an instance that was stopped or killed, again as it was.
start_one() {
  local dir port index
  dir=$(instance_dir "$1") || { echo "no instance '$1' was started here; see '$0 status'" >&2; usage; }
  alive "$dir/pid" && { echo "$1 is running" >&2; usage; }
  alive "$run/consul/pid" || die "Consul is not running; run '$0 down', then '$0 up'"
  port=$(cat "$dir/port") index=${dir##*-}
  start_instance "$index" "$port" "$(cat "$dir/weight" 2>/dev/null || echo 1)"
  await_instance_passing "$index" "$port"
  step "started $(instance_id "$port") again"
}

restart_consul() {
  alive "$run/consul/pid" || die "Consul is not running here; run '$0 up' first"
  stop_pidfile consul "$run/consul/pid"
  start_consul
}

# instance_dir ID|PORT: the folder of the instance this script started with that ID or port.
instance_dir() {
  local dir
  for dir in "$run"/operations-*; do
    [ -f "$dir/port" ] || continue
    if [ "$1" = "$(cat "$dir/port")" ] || [ "$1" = "$(instance_id "$(cat "$dir/port")")" ]; then
      echo "$dir"; return 0
    fi
  done
  return 1
}

stop_one() { # signal ID|PORT
  local dir
  [ -n "${2:-}" ] || usage
  dir=$(instance_dir "$2") || { echo "no instance '$2' was started here; see '$0 status'" >&2; usage; }
  alive "$dir/pid" || { echo "$2 is not running" >&2; usage; }
  stop_pidfile "$(basename "$dir")" "$dir/pid" "$1"
  step "$(instance_id "$(cat "$dir/port")") stopped with SIG$1"
}

# requests_served ID: the balancer's count of requests the instance answered.
requests_served() {
  curl -sf "$(admin_url /balancer/services)" 2>/dev/null \
    | grep -Eo "\"id\":\"$1\",\"address\":\"[^\"]*\",\"port\":[0-9]+,\"message\":\"([^\"\\\\]|\\\\.)*\",\"weight\":[0-9]+,\"requests\":[0-9]+" \
    | grep -Eo '[0-9]+$' || echo -
}

status() {
  [ -d "$run" ] || { step "not running"; return 0; }
  report_processes "$run"
  printf '%-32s %-6s %-8s %-9s %-6s %s\n' ID PORT PID CONSUL WEIGHT SERVED
  local dir port id pid
  for dir in "$run"/operations-*; do
    [ -f "$dir/port" ] || continue
    port=$(cat "$dir/port"); id=$(instance_id "$port")
    if alive "$dir/pid"; then pid=$(cat "$dir/pid"); else pid=stopped; fi
    printf '%-32s %-6s %-8s %-9s %-6s %s\n' "$id" "$port" "$pid" "$(consul_health "$id")" "$(consul_weight "$id")" \
      "$(requests_served "$id")"
  done
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
  up) shift; up "$@" ;;
  add) shift; add "$@" ;;
  stop) [ $# -eq 2 ] || usage; stop_one TERM "$2" ;;
  kill) [ $# -eq 2 ] || usage; stop_one KILL "$2" ;;
  start) [ $# -eq 2 ] || usage; start_one "$2" ;;
  restart-consul) [ $# -eq 1 ] || usage; restart_consul ;;
  status) [ $# -eq 1 ] || usage; status ;;
  down) [ $# -eq 1 ] || usage; down ;;
  *) usage ;;
esac
