#!/usr/bin/env bash
# How each balancer copes with an instance that is slow without failing, at a fixed request rate
# (open loop: a request's latency counts from when it should have started, so a slow answer is
# never hidden by a client that waited for it), side by side in one run:
#
#   provisioning/balancing-benchmark.sh         (as root when haproxy must be installed)
#
# Balancers: Ruta round-robin (the system of local-cluster.sh, no slow start), Ruta peak-ewma
# with balancer.slow-start=30s (a second balancer of this script's), HAProxy with leastconn and
# slowstart 30s, and Spring Cloud Gateway out of the box; all in front of the same instances.
# Scenarios, each through every balancer in turn:
#   steady   all instances healthy
#   pauses   one instance stopped (SIGSTOP) 200 ms of every second, SIGCONT between
#   slow     a fourth instance whose answers come 20 ms late (a delaying relay in front of it is
#            what Consul knows), then on time again for RECOVERY seconds
#   cold     a fresh operations instance (a cold JVM) joins under load; p99 over its first 30 s
# Per balancer and scenario: p50, p99, p99.9 and max in ms, failed requests, each instance's
# share; for slow, how long the slow one kept more than a tenth of the requests, and how long
# after it recovered until it had its fair share again.
#
# Settings (environment): RATE (150 requests/s), DURATION (60 s per scenario), RECOVERY (30 s),
# GATEWAY (1; 0 leaves Spring Cloud Gateway out). Ports and the system as for benchmark.sh.
# Everything it writes goes under .run/balancing/; processes it started are stopped at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
bench="$run/balancing"
tag=balancing
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
require_java
# shellcheck source=provisioning/lib/peers.sh
. "$root/provisioning/lib/peers.sh"

rate=${RATE:-150}
duration=${DURATION:-60}
recovery=${RECOVERY:-30}
with_gateway=${GATEWAY:-1}
[[ "$rate" =~ ^[0-9]+$ && "$rate" -gt 0 ]] || die "RATE must be a whole number of requests per second, not '$rate'"
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 10 ]] || die "DURATION must be a whole number of seconds, 10 or more, not '$duration'"
[[ "$recovery" =~ ^[0-9]+$ && "$recovery" -ge 5 ]] || die "RECOVERY must be a whole number of seconds, 5 or more, not '$recovery'"

balancer_port=${BALANCER_PORT:-8080}
consul_http_port=${CONSUL_HTTP_PORT:-8500}
dns_port=${CONSUL_DNS_PORT:-8600}
url_path='/api/operations/add?a=1&b=2'
haproxy_config="$bench/haproxy-leastconn.cfg"
haproxy_dir="$bench/haproxy"
gateway_project="$root/provisioning/benchmark/gateway"
gateway_dir="$bench/gateway"
started_system=0
instance_pids=()
# Set by lib/peers.sh as each peer starts (it sets their PIDs too, which this script does not read).
haproxy_port=''
gateway_port=''
ewma_port=''
pauser_pid=''
slow_port=''
relay_port=''
consul_url="http://127.0.0.1:$consul_http_port"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$pauser_pid" ]; then kill "$pauser_pid" 2>/dev/null || true; fi
  for pid in "${instance_pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done
  curl -s -X PUT "$consul_url/v1/agent/service/deregister/slow-relay" >/dev/null 2>&1 || true
  stop_pidfile relay "$bench/relay/pid" || true
  stop_pidfile "slow instance" "$bench/slow/pid" || true
  stop_pidfile "joining instance" "$bench/joiner/pid" || true
  stop_pidfile "Ruta peak-ewma" "$bench/ruta-ewma/pid" || true
  stop_pidfile haproxy "$haproxy_dir/pid" || true
  stop_pidfile "Spring Cloud Gateway" "$gateway_dir/pid" || true
  if [ "$started_system" = 1 ]; then "$root/provisioning/local-cluster.sh" down || true; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# HAProxy as benchmark.sh runs it, with its least-connections balance and a slow start of 30 s.
write_haproxy_config() {
  sed -e 's/^    balance roundrobin$/    balance leastconn/' \
      -e 's/^    default-server init-addr none inter 2s fall 2 rise 1$/    default-server init-addr none inter 2s fall 2 rise 1 slowstart 30s/' \
      "$root/provisioning/benchmark/haproxy.cfg" >"$haproxy_config"
  grep -q 'balance leastconn' "$haproxy_config" && grep -q 'slowstart 30s' "$haproxy_config" \
    || die "benchmark/haproxy.cfg changed: its balance or default-server line is not where this script expects it"
}

# The generator, compiled once: the source launcher would compile it at the start of every
# load, a second or two of CPU taken from the balancer being measured.
compile_generator() {
  local javac
  javac="$(dirname "$java")/javac"
  [ -x "$javac" ] || die "javac is needed beside $java (a JDK, not a JRE) to compile the load generator"
  mkdir -p "$bench/classes"
  "$javac" -d "$bench/classes" "$root/provisioning/benchmark/OpenLoad.java" || die "the load generator did not compile"
}

# load NAME PORT SECONDS: RATE requests/s through PORT for SECONDS, one line per request in NAME.
load() {
  "$java" -cp "$bench/classes" OpenLoad "http://127.0.0.1:$2$url_path" "$rate" "$3" "$bench/$1" 10
}

# The fourth instance that answers late: an operations instance that registers nowhere, and a
# relay in front of it, registered in Consul in its place, whose delay DELAY_FILE holds.
start_slow_instance() {
  slow_port=$(free_port)
  relay_port=$(free_port)
  run_payara "$bench/slow" "$root/operations-war/target/operations.jar" "$slow_port" "http://127.0.0.1:1" \
    -Dservice.address=127.0.0.1 "-Dservice.message=slow"
  for _ in $(seq 1 180); do curl -sf -o /dev/null "http://127.0.0.1:$slow_port$url_path" && break; sleep 1; done
  echo 0.020 >"$bench/delay"
  mkdir -p "$bench/relay"
  python3 - "$relay_port" "$slow_port" "$bench/delay" >"$bench/relay/relay.log" 2>&1 <<'PY' &
import asyncio, sys
listen, target, delay_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
delay = [0.0]
async def follow():
    while True:
        try:
            delay[0] = float(open(delay_file).read().strip() or 0)
        except (OSError, ValueError):
            pass
        await asyncio.sleep(0.1)
async def pipe(reader, writer, late):
    try:
        while data := await reader.read(65536):
            if late and delay[0] > 0:
                await asyncio.sleep(delay[0])
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()
async def serve(client_reader, client_writer):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, writer, False), pipe(reader, client_writer, True))
async def main():
    asyncio.get_running_loop().create_task(follow())
    server = await asyncio.start_server(serve, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
  record_pid "$bench/relay" $!
  curl -sf -X PUT "$consul_url/v1/agent/service/register" -d "{\"ID\":\"slow-relay\",\"Name\":\"operations\",\"Tags\":[\"balanced\"],\"Address\":\"127.0.0.1\",\"Port\":$relay_port}" \
    || die "could not register the slow instance's relay in Consul"
  step "slow instance operations-127.0.0.1-$slow_port behind a relay on $relay_port, registered in Consul (answers 20 ms late)"
  # Every balancer follows Consul in its own way (HAProxy through DNS, held 5 s): all see it first.
  for port in "${ports[@]}"; do
    for _ in $(seq 1 60); do
      curl -sf "http://127.0.0.1:$port$url_path" | grep -q "\"operations-127.0.0.1-$slow_port\"" && break
      for _ in 1 2 3 4; do curl -sf -o /dev/null "http://127.0.0.1:$port$url_path" || true; done
      sleep 0.5
    done
  done
}

stop_slow_instance() {
  curl -s -X PUT "$consul_url/v1/agent/service/deregister/slow-relay" >/dev/null || true
  stop_pidfile relay "$bench/relay/pid"
  stop_pidfile "slow instance" "$bench/slow/pid"
  sleep 6 # HAProxy holds what Consul's DNS last said for 5 s
}

# report SCENARIO BALANCER FILE [ARGS]: one row of figures, from OpenLoad's lines.
report() {
  python3 - "$@" <<'PY'
import sys
scenario, balancer, path = sys.argv[1], sys.argv[2], sys.argv[3]
extra = sys.argv[4:]
rows = []
for line in open(path):
    start, micros, status, instance = line.split()
    rows.append((int(start), int(micros), int(status), instance))
rows.sort()
def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] / 1000
def figures(subset):
    lat = [r[1] for r in subset]
    failed = sum(1 for r in subset if r[2] != 200)
    return pct(lat, 50), pct(lat, 99), pct(lat, 99.9), max(lat) / 1000 if lat else float("nan"), failed
shares = {}
for r in rows:
    shares[r[3]] = shares.get(r[3], 0) + 1
share_text = " ".join(f"{k.rsplit('-', 1)[-1]}:{100 * v / len(rows):.1f}%" for k, v in sorted(shares.items()))
p50, p99, p999, mx, failed = figures(rows)
line = f"{scenario:8} {balancer:11} {len(rows):6} {failed:6} {p50:8.2f} {p99:8.2f} {p999:8.2f} {mx:8.2f}  {share_text}"
if scenario == "slow":
    slow, recovered_at = extra[0], int(extra[1]) * 1000
    def windows(begin, end):
        out = []
        for second in range(begin, end, 1000):
            window = [r for r in rows if second <= r[0] < second + 1000]
            if window:
                out.append((second, sum(1 for r in window if r[3] == slow) / len(window)))
        return out
    during = windows(0, recovered_at)
    above = [s for s, share in during if share > 0.10]
    kept = (max(above) + 1000) / 1000 if above else 0
    fair = 1 / max(1, len([k for k in shares if k not in ("-", "refused", "reset", "timeout", "interrupted")]))
    after = windows(recovered_at, rows[-1][0] + 1)
    back = next((s for s, share in after if share >= 0.8 * fair), None)
    line += f"\n{'':21}slow one above 10% of requests until {kept:.0f} s; its share while slow {100 * sum(1 for r in rows if r[3] == slow and r[0] < recovered_at) / max(1, sum(1 for r in rows if r[0] < recovered_at)):.1f}%; fair share again " + (f"{(back - recovered_at) / 1000:.0f} s after it recovered" if back is not None else "not within the run")
if scenario == "cold":
    joiner = extra[0]
    first = next((r[0] for r in rows if r[3] == joiner), None)
    if first is None:
        line += f"\n{'':21}the joining instance took no request"
    else:
        j50, j99, j999, jmx, jfailed = figures([r for r in rows if first <= r[0] < first + 30000])
        line += f"\n{'':21}over the joiner's first 30 s: p99 {j99:.2f} ms, max {jmx:.2f} ms, {jfailed} failed"
print(line, flush=True)
PY
}

pauses() { # pid: stopped 200 ms of every second until killed
  while :; do kill -STOP "$1"; sleep 0.2; kill -CONT "$1"; sleep 0.8; done
}

main() {
  install_tools haproxy
  ensure_system
  mkdir -p "$bench"
  compile_generator
  write_haproxy_config
  start_haproxy
  start_ruta_ewma "$bench/ruta-ewma" -Dbalancer.slow-start=30s
  [ "$with_gateway" = 0 ] || start_gateway
  names=(ruta-rr ruta-ewma haproxy)
  ports=("$balancer_port" "$ewma_port" "$haproxy_port")
  if [ "$with_gateway" != 0 ]; then names+=(scg); ports+=("$gateway_port"); fi
  step "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $rate requests/s, open loop, ${duration} s per scenario"
  local i
  for i in "${!ports[@]}"; do
    step "warming up ${names[$i]}"
    load "warm-${names[$i]}" "${ports[$i]}" 20
  done
  echo
  printf '%-8s %-11s %6s %6s %8s %8s %8s %8s  %s\n' scenario balancer sent failed p50_ms p99_ms p99.9_ms max_ms "share per instance (by port)"
  for i in "${!ports[@]}"; do
    load "steady-${names[$i]}" "${ports[$i]}" "$duration"
    report steady "${names[$i]}" "$bench/steady-${names[$i]}"
  done
  for i in "${!ports[@]}"; do
    pauses "${instance_pids[0]}" &
    pauser_pid=$!
    load "pauses-${names[$i]}" "${ports[$i]}" "$duration"
    kill "$pauser_pid"; wait "$pauser_pid" 2>/dev/null || true; pauser_pid=
    kill -CONT "${instance_pids[0]}"
    report pauses "${names[$i]}" "$bench/pauses-${names[$i]}"
  done
  start_slow_instance
  for i in "${!ports[@]}"; do
    echo 0.020 >"$bench/delay"
    (sleep "$duration"; echo 0 >"$bench/delay") &
    local recovering=$!
    load "slow-${names[$i]}" "${ports[$i]}" $((duration + recovery))
    wait "$recovering"
    report slow "${names[$i]}" "$bench/slow-${names[$i]}" "operations-127.0.0.1-$slow_port" "$duration"
  done
  stop_slow_instance
  for i in "${!ports[@]}"; do
    local joiner_port
    joiner_port=$(free_port)
    (sleep 5; run_payara "$bench/joiner" "$root/operations-war/target/operations.jar" "$joiner_port" "$consul_url" \
      -Dservice.address=127.0.0.1 "-Dservice.message=joiner") &
    local joining=$!
    load "cold-${names[$i]}" "${ports[$i]}" $((duration > 45 ? duration : 45))
    wait "$joining"
    report cold "${names[$i]}" "$bench/cold-${names[$i]}" "operations-127.0.0.1-$joiner_port"
    stop_pidfile "joining instance" "$bench/joiner/pid"
    sleep 6
  done
}

main "$@"
