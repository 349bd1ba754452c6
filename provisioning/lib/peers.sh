# shellcheck shell=bash disable=SC2154,SC2034 # the callers' settings, and what it sets for them, listed below
# The peers a balancer is measured beside, and the system they all stand in front of, shared by
# provisioning/benchmark.sh and provisioning/balancing-benchmark.sh; sourced, never run, after
# lib/common.sh and require_java. The caller sets: root, run, balancer_port, consul_http_port,
# dns_port, url_path, haproxy_config, haproxy_dir, gateway_project, gateway_dir, started_system
# (0), instance_pids (empty); these set balancer_pid, instance_pids, haproxy_port, haproxy_pid,
# gateway_port and gateway_pid.

# install_tools TOOL...: the tools from the distribution; only root can install them.
install_tools() {
  local missing=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "${missing[*]} missing, and installing needs root: run 'sudo apt-get install -y ${missing[*]}', or this script as root"
  step "installing ${missing[*]} (apt-get)"
  # On a machine with systemd, Debian's package also enables its own haproxy service; its
  # default configuration listens on no port, and this script neither uses nor stops it.
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || die "could not install ${missing[*]}"
}

# Uses the running local system, or starts it. Its PIDs are in .run/NAME/pid (local-cluster.sh).
ensure_system() {
  if alive "$run/balancer/pid" && curl -sf -o /dev/null "http://127.0.0.1:$balancer_port/balancer/services"; then
    step "using the running local system"
  else
    any_alive "$run" && die "part of the local system runs, but the balancer does not answer on port $balancer_port; see 'provisioning/local-cluster.sh status'"
    port_busy "$balancer_port" && die "port $balancer_port answers, but not a balancer started by local-cluster.sh (its PID is needed to read its CPU)"
    step "the local system is not running: starting it (local-cluster.sh up), stopped again at the end"
    started_system=1
    "$root/provisioning/local-cluster.sh" up
  fi
  balancer_pid=$(cat "$run/balancer/pid")
  local pidfile
  for pidfile in "$run"/operations-*/pid; do
    alive "$pidfile" && instance_pids+=("$(cat "$pidfile")")
  done
  [ "${#instance_pids[@]}" -gt 0 ] || die "no operations instance runs (no live .run/operations-*/pid)"
}

# A GET of the path under test on PORT must answer 200 (within SECONDS).
await_200() { # port seconds what
  local code
  for _ in $(seq 1 "$2"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$url_path" || true)
    [ "$code" = 200 ] && return 0
    sleep 1
  done
  die "$3 (port $1) answers $code, not 200, on $url_path after $2 s"
}

# How many instances answer through PORT: the distinct "instance" fields of a few answers.
instances_seen() { # port requests
  for _ in $(seq 1 "$2"); do curl -sf "http://127.0.0.1:$1$url_path" || true; echo; done \
    | grep -o '"instance": *"[^"]*"' | sort -u | wc -l
}

start_haproxy() {
  if [ -n "${HAPROXY_PORT:-}" ]; then
    haproxy_port=$HAPROXY_PORT
    port_busy "$haproxy_port" && die "HAPROXY_PORT $haproxy_port is taken"
  else
    haproxy_port=18080
    while port_busy "$haproxy_port"; do haproxy_port=$((haproxy_port + 1)); done
  fi
  # The configuration reads its two ports from the environment: nothing to render.
  export HAPROXY_PORT=$haproxy_port CONSUL_DNS_PORT=$dns_port
  haproxy -c -q -f "$haproxy_config" || die "HAProxy rejects $haproxy_config"
  mkdir -p "$haproxy_dir"
  # -db: in the foreground, one process (no master), so $! is the process that forwards.
  haproxy -db -f "$haproxy_config" >"$haproxy_dir/haproxy.log" 2>&1 &
  record_pid "$haproxy_dir" $!
  haproxy_pid=$!
  step "HAProxy $(haproxy -v | awk 'NR==1{print $3}') on 127.0.0.1:$haproxy_port (pid $haproxy_pid), servers from Consul DNS on 127.0.0.1:$dns_port"
  # Consul's DNS fills the server slots within a second or two; wait until HAProxy answers
  # and reaches every instance, so the first run does not measure a half-filled backend.
  await_200 "$haproxy_port" 30 HAProxy
  local seen=0 want=${#instance_pids[@]}
  for _ in $(seq 1 20); do
    seen=$(instances_seen "$haproxy_port" $((want * 2)))
    [ "$seen" -ge "$want" ] && break
    alive "$haproxy_dir/pid" || die "HAProxy exited; see $haproxy_dir/haproxy.log"
    sleep 1
  done
  [ "$seen" -ge "$want" ] || step "warning: HAProxy reaches $seen of $want instances"
}

free_port_from() {
  local port=$1
  while port_busy "$port"; do port=$((port + 1)); done
  echo "$port"
}

# Spring Cloud Gateway, as a new user would run it: its fat jar with default JVM flags.
start_gateway() {
  local jar="$gateway_project/target/gateway-peer.jar"
  mkdir -p "$gateway_dir"
  if [ ! -f "$jar" ] || [ -n "$(find "$gateway_project/pom.xml" "$gateway_project/src" -newer "$jar" -type f)" ]; then
    step "building Spring Cloud Gateway (mvn package in provisioning/benchmark/gateway; the first time downloads ~40 MB)"
    mvn -q -B -f "$gateway_project/pom.xml" package -DskipTests >"$gateway_dir/build.log" 2>&1 \
      || { tail -40 "$gateway_dir/build.log" >&2; die "Spring Cloud Gateway did not build; see $gateway_dir/build.log"; }
  fi
  gateway_port=${GATEWAY_PORT:-$(free_port_from 19080)}
  port_busy "$gateway_port" && die "GATEWAY_PORT $gateway_port is taken"
  # The JDK Ruta runs on, so that neither side is measured on an older one; Netty asks for
  # sun.misc.Unsafe, which JDK 24+ warns about unless it is allowed.
  "$java" --sun-misc-unsafe-memory-access=allow -jar "$jar" --server.port="$gateway_port" --server.address=127.0.0.1 \
    --spring.cloud.consul.port="$consul_http_port" >"$gateway_dir/gateway.log" 2>&1 &
  record_pid "$gateway_dir" $!
  gateway_pid=$!
  await_200 "$gateway_port" 120 "Spring Cloud Gateway"
  step "Spring Cloud Gateway on 127.0.0.1:$gateway_port (pid $gateway_pid), instances from Consul on 127.0.0.1:$consul_http_port"
}

# start_ruta_ewma DIR [-Dkey=value ...]: a second Ruta balancer, with peak-ewma, beside the
# system's round-robin one and in front of the same instances, on a free port.
start_ruta_ewma() {
  local dir=$1; shift
  ewma_port=$(free_port_from 17080)
  run_payara "$dir" "$root/balancer-war/target/balancer.jar" "$ewma_port" "http://127.0.0.1:$consul_http_port" \
    -Dbalancer.strategy=peak-ewma "$@"
  ewma_pid=$(cat "$dir/pid")
  await_200 "$ewma_port" 180 "Ruta with peak-ewma"
  step "Ruta peak-ewma${*:+ ($*)} on 127.0.0.1:$ewma_port (pid $ewma_pid)"
}
