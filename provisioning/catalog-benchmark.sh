#!/usr/bin/env bash
# How the balancer copes with a real catalog's size: a Consul agent of its own holding SERVICES
# tagged services of two instances each (one with a TTL check, the other with one or none), then a balancer
# started in front of it. Prints the time from the balancer's start until it is ready and until
# every service is routed, the connections and threads it holds against the agent, its memory,
# and how long one change in the middle of the catalog takes to reach routing (an instance
# leaving, coming back, failing its check and passing again), each as the median of ROUNDS,
# with the reads of the catalog those changes cost the balancer (from the agent's own log).
#
#   provisioning/catalog-benchmark.sh | tee catalog.txt
#
# Settings (environment): SERVICES (1000)  ROUNDS (5)  RUN_DIR (.run): where its folder goes
#   CHECKS (half): half, one instance of each service without a check; all, every instance with one
#   BALANCER_JAR (balancer-war/target/balancer.jar): another build to compare, e.g. an older commit's
# Needs python3 and curl. Runs beside provisioning/local-cluster.sh without touching it: its
# agent, instances and balancer listen on free ports, and everything it writes goes under
# .run/catalog-benchmark/, removed at the end with every process it started (stopped by PID).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="${RUN_DIR:-$root/.run}/catalog-benchmark"
tag=catalog-benchmark
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"

services=${SERVICES:-1000}
rounds=${ROUNDS:-5}
checks=${CHECKS:-half}
case "$checks" in half|all) ;; *) die "CHECKS is half or all, not $checks" ;; esac

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pidfile balancer "$dir/balancer/pid" || true
  stop_pidfile "instance a" "$dir/instance-a/pid" || true
  stop_pidfile "instance b" "$dir/instance-b/pid" || true
  stop_pidfile consul "$dir/consul/pid" || true
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[ -d "$dir" ] && any_alive "$dir" && die "an earlier run still has processes under $dir"
rm -rf "$dir"
mkdir -p "$dir/consul" "$dir/balancer" "$dir/instance-a/www" "$dir/instance-b/www"
command -v python3 >/dev/null || die "python3 is needed"
require_java
balancer_jar=${BALANCER_JAR:-$root/balancer-war/target/balancer.jar}
if [ ! -f "$balancer_jar" ]; then
  step "building the uber jars (mvn package, tests skipped)"
  (cd "$root" && mvn -q -B package -DskipTests) || die "the build failed"
fi

consul=$(bash "$root/provisioning/install-consul.sh")
consul_port=$(free_port)
step "Consul agent (dev mode) on port $consul_port"
nohup "$consul" agent -dev -bind 127.0.0.1 -client 127.0.0.1 -node catalog-benchmark \
  -http-port "$consul_port" -dns-port "$(free_port)" -serf-lan-port "$(free_port)" -server-port "$(free_port)" \
  -grpc-port -1 -serf-wan-port -1 -log-level debug </dev/null >"$dir/consul/consul.log" 2>&1 &
record_pid "$dir/consul" $!
await_leader "http://127.0.0.1:$consul_port" "$dir/consul"

for side in a b; do
  port=$(free_port)
  echo "instance $side" >"$dir/instance-$side/www/index.html"
  nohup python3 -m http.server --bind 127.0.0.1 --directory "$dir/instance-$side/www" "$port" \
    </dev/null >"$dir/instance-$side/server.log" 2>&1 &
  record_pid "$dir/instance-$side" $!
  echo "$port" >"$dir/instance-$side/port"
done

# The measuring is done in Python: many HTTP calls on kept-alive connections, timed in ms.
cat >"$dir/measure.py" <<'PY'
import http.client, json, os, statistics, sys, time
consul_port, balancer_port, services, rounds, pid = (int(x) for x in sys.argv[2:7])
port_a, port_b = int(open(sys.argv[7]).read()), int(open(sys.argv[8]).read())
every_checked, consul_log = sys.argv[9] == "all", sys.argv[10]
consul = http.client.HTTPConnection("127.0.0.1", consul_port)
def call(conn, method, path, body=None):
    conn.request(method, path, body=body)
    r = conn.getresponse(); data = r.read()
    return r, data
def reg(i, side):
    checked = side == "a" or every_checked
    check = ',"Check":{"CheckID":"scale-%d-%s-ttl","TTL":"1h","Status":"passing"}' % (i, side) if checked else ""
    r, _ = call(consul, "PUT", "/v1/agent/service/register", '{"ID":"scale-%d-%s","Name":"scale-%d","Address":"127.0.0.1",'
                '"Port":%d,"Tags":["balanced"]%s}' % (i, side, i, port_a if side == "a" else port_b, check))
    assert r.status == 200, r.status
if sys.argv[1] == "register":
    t = time.monotonic()
    for i in range(1, services + 1):
        reg(i, "a"); reg(i, "b")
    print("%.1f" % (time.monotonic() - t)); sys.exit(0)
balancer = http.client.HTTPConnection("127.0.0.1", balancer_port)
def routed():
    _, data = call(balancer, "GET", "/balancer/services")
    return sum(1 for s in json.loads(data)["services"] if s["name"].startswith("scale-") and len(s["instances"]) == 2)
def answerer(service):
    r, _ = call(balancer, "GET", "/api/%s/" % service)
    return r.getheader("X-Ruta-Instance")
def until(service, wanted):
    """ms until two answers in a row come from the wanted instance (round-robin alternates otherwise)."""
    t = time.monotonic(); last = None
    while True:
        who = answerer(service)
        if who == wanted and last == wanted:
            return (time.monotonic() - t) * 1000
        last = who
        if time.monotonic() - t > 60: raise SystemExit("no change within 60 s")
def until_both(service):
    t = time.monotonic(); seen = []
    while True:
        seen = (seen + [answerer(service)])[-2:]
        if sorted(seen) == sorted([service + "-a", service + "-b"]):
            return (time.monotonic() - t) * 1000
        if time.monotonic() - t > 60: raise SystemExit("no change within 60 s")
if sys.argv[1] == "routed":
    t = time.monotonic()
    while time.monotonic() - t < 180:
        count = routed()
        if count == services: break
        time.sleep(0.2)
    print(count)
if sys.argv[1] == "changes":
    middle = "scale-%d" % (services // 2)
    leave, back, fail, pass_ = [], [], [], []
    log_start = os.path.getsize(consul_log)
    for _ in range(rounds):
        call(consul, "PUT", "/v1/agent/service/deregister/%s-b" % middle); leave.append(until(middle, middle + "-a"))
        reg(services // 2, "b"); back.append(until_both(middle))
        call(consul, "PUT", "/v1/agent/check/fail/%s-a-ttl" % middle); fail.append(until(middle, middle + "-b"))
        call(consul, "PUT", "/v1/agent/check/pass/%s-a-ttl" % middle); pass_.append(until_both(middle))
    for name, values in (("an instance leaves", leave), ("it comes back", back), ("its check fails", fail), ("it passes again", pass_)):
        print("%-20s %7.0f ms (median of %d; %s)" % (name, statistics.median(values), len(values),
              " ".join("%.0f" % v for v in values)))
    with open(consul_log, errors="replace") as log:
        log.seek(log_start)
        served = [line for line in log if "Request finished" in line]
    nodes = sum(1 for line in served if "url=/v1/catalog/node-services/" in line)
    one = sum(1 for line in served if "url=/v1/health/service/" in line)
    print("%-20s %d of a node's registrations, %d of one service's (for %d changes)" % ("catalog reads", nodes, one, 4 * rounds))
if sys.argv[1] == "connections":
    sockets = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["): sockets.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in open("/proc/%d/net/%s" % (pid, table)).read().splitlines()[1:]:
            f = line.split()
            if f[2].endswith(":%04X" % consul_port) and f[3] == "01" and f[9] in sockets: count += 1
    print(count)
PY
measure() { python3 "$dir/measure.py" "$1" "$consul_port" "${balancer_port:-0}" "$services" "$rounds" "${balancer_pid:-0}" \
  "$dir/instance-a/port" "$dir/instance-b/port" "$checks" "$dir/consul/consul.log"; }

step "registering $services services of two instances each"
step "registered in $(measure register) s"

balancer_port=$(free_port)
step "starting the balancer on port $balancer_port"
start=$(date +%s.%N)
run_payara "$dir/balancer" "$balancer_jar" "$balancer_port" "http://127.0.0.1:$consul_port"
balancer_pid=$(cat "$dir/balancer/pid")
for _ in $(seq 1 900); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$balancer_port/health/ready" || true)" = 200 ] && break
  alive "$dir/balancer/pid" || die "the balancer exited; see $dir/balancer/server.log"
  sleep 0.2
done
ready=$(date +%s.%N)
routed_count=$(measure routed)
routed=$(date +%s.%N)
clk_tck=$(getconf CLK_TCK)
cpu=$(awk -v t="$clk_tck" '{print ($14 + $15) / t}' "/proc/$balancer_pid/stat")

printf '\n%-44s %s\n' "catalog" "$services services x 2 instances ($checks with a TTL check)"
printf '%-44s %.1f s\n' "start -> ready (/health/ready 200)" "$(awk -v a="$start" -v b="$ready" 'BEGIN {print b - a}')"
if [ "$routed_count" = "$services" ]; then
  printf '%-44s %.1f s\n' "start -> every service routed" "$(awk -v a="$start" -v b="$routed" 'BEGIN {print b - a}')"
else
  printf '%-44s %s\n' "services routed 3 minutes after ready" "$routed_count of $services"
fi
printf '%-44s %s s\n' "balancer CPU until then" "$cpu"
printf '%-44s %s\n' "connections to the agent" "$(measure connections)"
printf '%-44s %s\n' "balancer threads" "$(awk '$1 == "Threads:" {print $2}' "/proc/$balancer_pid/status")"
printf '%-44s %s MB\n' "balancer RSS" "$(( $(awk '$1 == "VmRSS:" {print $2}' "/proc/$balancer_pid/status") / 1024 ))"
[ "$routed_count" = "$services" ] || exit 0
printf '\none change in the middle of the catalog, until requests show it:\n'
measure changes
printf '%-44s %s\n' "connections to the agent after the changes" "$(measure connections)"
