#!/usr/bin/env bash
# The Ruta balancer side by side with HAProxy (the C limit) and Spring Cloud Gateway (the JVM
# gateway a Java team would pick instead), in front of the same operations instances, on this
# machine: requests/s, latency, errors and what each proxy costs per forwarded request.
#
#   provisioning/benchmark.sh            (as root when haproxy or wrk must be installed)
#
# It uses the system of provisioning/local-cluster.sh: when that is not running, it starts it
# and stops it again at the end. It runs HAProxy with provisioning/benchmark/haproxy.cfg (which
# follows Consul through its DNS interface) on a free port, and Spring Cloud Gateway 5 out of
# the box (provisioning/benchmark/gateway: one route, instances from Consul's HTTP API; built
# with Maven on the first run) on another. Right after their start it measures each JVM cold
# (the first seconds after a start: Ruta only when this script started the system), warms every
# path up, then in each round runs wrk against each path in turn, never two at once, and prints
# a row per run and the ratios Ruta/Spring Cloud Gateway and Ruta/HAProxy. Save the output with `| tee FILE`: when this script started
# the system, 'local-cluster.sh down' removes .run/, .run/benchmark/ included.
#
# Settings (environment):
#   CONNECTIONS (64)  DURATION (10s)  ROUNDS (3)  WARMUP (30s per path; 0 skips it)  THREADS (2)
#   HIGH_CONNECTIONS  (unset) a second scenario: one run of each path at that many connections
#   TIMEOUT (10s)     wrk's per-request timeout; a slower answer counts as a timeout error
#   COLD (20s)        the cold run's length; 0 skips it
#   GATEWAY (1)       0 leaves Spring Cloud Gateway out
#   EWMA (1)          0 leaves out a second Ruta balancer with balancer.strategy=peak-ewma (path
#                     "ewma"), run beside the system's round-robin one to compare their costs
#   HAPROXY_PORT      (the first free port from 18080); GATEWAY_PORT (the first free from 19080)
#   BALANCER_PORT (8080), CONSUL_HTTP_PORT (8500), CONSUL_DNS_PORT (8600): as for local-cluster.sh
#
# Columns of a row:
#   req/s, p50, p99   wrk's count of answers over its run time; latency percentiles in ms
#   non2xx, sockerr   answers with a status >= 400; socket errors (connect+read+write+timeout)
#   proxy_us          CPU (user+system) the proxy process spent per answer, in µs
#   inst_us           the same, summed over the operations instances behind it
#   rss_MB            the proxy's resident memory right after the run
#   opens/1k          TCP connections opened per 1,000 answers, other than wrk's own: the
#                     proxy's connections to the instances when keep-alive is not reused
#   threads           the proxy's threads before the run / the most seen during it
# Everything it writes goes under .run/benchmark/; its temporary files are removed at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
bench="$run/benchmark"
tag=benchmark
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
require_java
# shellcheck source=provisioning/lib/peers.sh
. "$root/provisioning/lib/peers.sh"

balancer_port=${BALANCER_PORT:-8080}
consul_http_port=${CONSUL_HTTP_PORT:-8500}
dns_port=${CONSUL_DNS_PORT:-8600}
cold=${COLD:-20s}
with_gateway=${GATEWAY:-1}
with_ewma=${EWMA:-1}
gateway_project="$root/provisioning/benchmark/gateway"
connections=${CONNECTIONS:-64}
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
warmup=${WARMUP:-30s}
threads=${THREADS:-2}
timeout=${TIMEOUT:-10s}
high_connections=${HIGH_CONNECTIONS:-}
haproxy_config="$root/provisioning/benchmark/haproxy.cfg"
url_path='/api/operations/add?a=1&b=2'
clk_tck=$(getconf CLK_TCK)

started_system=0 # 1 once this script ran 'local-cluster.sh up': it then runs 'down' at the end
wrk_pid=         # the wrk running in the background, if any
tmp="$bench/tmp" # wrk's output, its Lua script, the rows for the summary
haproxy_dir="$bench/haproxy"
haproxy_port=
balancer_pid=
haproxy_pid=
gateway_dir="$bench/gateway"
gateway_port=
gateway_pid=
ewma_dir="$bench/ruta-ewma"
ewma_port=
ewma_pid=
instance_pids=()


# --- cleanup: runs on every exit, also after an error, Ctrl-C or TERM --------------------

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$wrk_pid" ]; then kill "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true; fi
  stop_pidfile haproxy "$haproxy_dir/pid" || true
  stop_pidfile "Spring Cloud Gateway" "$gateway_dir/pid" || true
  stop_pidfile "Ruta peak-ewma" "$ewma_dir/pid" || true
  rm -rf "$tmp" "$haproxy_dir/pid" "$haproxy_dir/started" "$gateway_dir/pid" "$gateway_dir/started" "$ewma_dir"
  if [ "$started_system" = 1 ]; then "$root/provisioning/local-cluster.sh" down || true; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- preparation --------------------------------------------------------------------------

# The wrk connections and HAProxy's need a file descriptor each (HAProxy raises its own limit).
raise_file_limit() {
  local want=$((${high_connections:-$connections} + 512)) hard
  [ "$(ulimit -n)" -ge "$want" ] && return 0
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ] || die "wrk needs $want open files, the hard limit is $hard"
  ulimit -n "$want"
}

# wrk reports through this script once a run is done, in fixed units (µs), so nothing
# depends on the units wrk picks for its human-readable output.
write_wrk_script() {
  mkdir -p "$tmp"
  cat >"$tmp/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
LUA
}

# --- what is read from /proc --------------------------------------------------------------

# CPU ticks (utime + stime, fields 14 and 15) a process has used, all its threads included.
# Fields are counted after the ')' that ends the command name, which may hold spaces.
cpu_ticks() {
  [ -r "/proc/$1/stat" ] || die "process $1 is gone"
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
instance_ticks() {
  local pid sum=0
  for pid in "${instance_pids[@]}"; do sum=$((sum + $(cpu_ticks "$pid"))); done
  echo "$sum"
}
status_field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# TCP connections this machine has opened so far (ActiveOpens of the Tcp line in
# /proc/net/snmp). System-wide: every connect() on the machine counts, which is why the
# machine should be otherwise idle while this runs.
active_opens() {
  awk '$1 == "Tcp:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "ActiveOpens") n = i } else print $n }' /proc/net/snmp
}

# --- one run ------------------------------------------------------------------------------

header() {
  printf '%-7s %-8s %8s %8s %8s %7s %7s %9s %8s %7s %8s %9s\n' \
    phase path req/s p50_ms p99_ms non2xx sockerr proxy_us inst_us rss_MB opens/1k threads
}

# measure PHASE PATH PORT PID CONNECTIONS DURATION: one wrk run against the proxy listening on
# PORT whose process is PID; prints a row and appends it to $tmp/rows.
measure() {
  local phase=$1 path=$2 port=$3 pid=$4 conns=$5 time=$6
  local out="$tmp/wrk.out" cpu0 inst0 opens0 threads0 most now
  threads0=$(status_field "$pid" Threads)
  most=$threads0
  cpu0=$(cpu_ticks "$pid")
  inst0=$(instance_ticks)
  opens0=$(active_opens)
  wrk -t"$threads" -c"$conns" -d"$time" --timeout "$timeout" -s "$tmp/report.lua" \
    "http://127.0.0.1:$port$url_path" >"$out" 2>&1 &
  wrk_pid=$!
  # Sample the proxy's threads while wrk runs: a server with a thread per in-flight request
  # grows with the connections.
  while kill -0 "$wrk_pid" 2>/dev/null; do
    now=$(status_field "$pid" Threads)
    [ "${now:-0}" -gt "$most" ] && most=$now
    sleep 0.2
  done
  wait "$wrk_pid" || {
    wrk_pid=
    cat "$out" >&2
    kill -0 "$pid" 2>/dev/null || die "the $path process (pid $pid) is gone: stopped or restarted by someone else?"
    die "wrk failed against $path"
  }
  wrk_pid=
  local cpu1 inst1 opens1 rss_kb result
  cpu1=$(cpu_ticks "$pid")
  inst1=$(instance_ticks)
  opens1=$(active_opens)
  rss_kb=$(status_field "$pid" VmRSS)
  result=$(awk '$1 == "RESULT" {$1 = ""; print}' "$out")
  [ -n "$result" ] || { cat "$out" >&2; die "no result from wrk against $path"; }
  # shellcheck disable=SC2086 # $result is nine numbers, split on purpose
  awk -v phase="$phase" -v path="$path" -v conns="$conns" -v tck="$clk_tck" \
    -v cpu=$((cpu1 - cpu0)) -v inst=$((inst1 - inst0)) -v opens=$((opens1 - opens0)) \
    -v rss="$rss_kb" -v thr="$threads0/$most" -v rows="$tmp/rows" '
    {
      req = $1; secs = $2 / 1e6
      rps = secs > 0 ? req / secs : 0
      per = req > 0 ? 1e6 / tck / req : 0          # µs per answer for one tick
      # wrk opens its CONNECTIONS once; reconnects after errors also count here.
      opk = req > 0 ? (opens - conns) * 1000 / req : 0
      printf "%-7s %-8s %8.0f %8.2f %8.2f %7d %7d %9.0f %8.0f %7.0f %8.1f %9s\n",
        phase, path, rps, $3 / 1000, $4 / 1000, $5, $6 + $7 + $8 + $9, cpu * per, inst * per,
        rss / 1024, opk, thr
      printf "%s\t%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n",
        phase, path, rps, $3 / 1000, $4 / 1000, $5, $6 + $7 + $8 + $9, cpu * per, inst * per,
        rss / 1024, opk >> rows
    }' <<<"$result"
}

# ratios PHASE: Ruta against each other path that ran in PHASE.
ratios() {
  awk -F'\t' -v phase="$1" '
    $1 == phase { rps[$2] = $3; p99[$2] = $5; cpu[$2] = $8; inst[$2] = $9; rss[$2] = $10 }
    function r(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
    function line(peer, name) {
      if (!(peer in rps) || !("ruta" in rps)) return
      printf "        Ruta/%s: req/s %s, p99 %s, proxy CPU/request %s, instance CPU/request %s, RSS %s\n", name,
        r(rps["ruta"], rps[peer]), r(p99["ruta"], p99[peer]), r(cpu["ruta"], cpu[peer]),
        r(inst["ruta"], inst[peer]), r(rss["ruta"], rss[peer])
    }
    END {
      line("scg", "Spring Cloud Gateway"); line("haproxy", "HAProxy")
      if ("ewma" in rps && "ruta" in rps)
        printf "        Ruta peak-ewma/round-robin: req/s %s, p99 %s, proxy CPU/request %s, RSS %s\n",
          r(rps["ewma"], rps["ruta"]), r(p99["ewma"], p99["ruta"]), r(cpu["ewma"], cpu["ruta"]), r(rss["ewma"], rss["ruta"])
    }' "$tmp/rows"
}

# A row per metric: its lowest and highest value over the rounds for each path, and of the
# ratios Ruta/Spring Cloud Gateway and Ruta/HAProxy of the same round.
summary() {
  echo
  echo "over $rounds round(s) at $connections connections, min-max:"
  awk -F'\t' '
    $1 ~ /^[0-9]+$/ { for (c = 3; c <= NF; c++) v[$1, $2, c] = $c; seen[$2] = 1; if ($1 + 0 > n) n = $1 + 0 }
    function span(path, c, fmt,   i, lo, hi, x) {
      if (!(path in seen)) return "-"
      for (i = 1; i <= n; i++) {
        x = v[i, path, c]
        if (i == 1 || x < lo) lo = x
        if (i == 1 || x > hi) hi = x
      }
      return sprintf(fmt "-" fmt, lo, hi)
    }
    function ratio(peer, c,   i, lo, hi, x) {
      if (!(peer in seen)) return "-"
      for (i = 1; i <= n; i++) {
        if (v[i, peer, c] <= 0) return "-"
        x = v[i, "ruta", c] / v[i, peer, c]
        if (i == 1 || x < lo) lo = x
        if (i == 1 || x > hi) hi = x
      }
      return sprintf("%.2f-%.2fx", lo, hi)
    }
    function line(name, c, fmt, with_ratio) {
      printf "  %-21s HAProxy %-13s SCG %-13s Ruta %-13s", name, span("haproxy", c, fmt), span("scg", c, fmt),
        span("ruta", c, fmt)
      if (with_ratio) printf " Ruta/SCG %-12s Ruta/HAProxy %s", ratio("scg", c), ratio("haproxy", c)
      if ("ewma" in seen) printf "  peak-ewma %-13s peak-ewma/round-robin %s", span("ewma", c, fmt), ewma_ratio(c)
      printf "\n"
    }
    function ewma_ratio(c,   i, lo, hi, x) {
      for (i = 1; i <= n; i++) {
        if (v[i, "ruta", c] <= 0) return "-"
        x = v[i, "ewma", c] / v[i, "ruta", c]
        if (i == 1 || x < lo) lo = x
        if (i == 1 || x > hi) hi = x
      }
      return sprintf("%.2f-%.2fx", lo, hi)
    }
    END {
      line("requests/s", 3, "%.0f", 1)
      line("p50 ms", 4, "%.2f", 0)
      line("p99 ms", 5, "%.2f", 1)
      line("non-2xx", 6, "%d", 0)
      line("socket errors", 7, "%d", 0)
      line("proxy CPU us/request", 8, "%.0f", 1)
      line("instance CPU us/req", 9, "%.0f", 1)
      line("proxy RSS MB", 10, "%.0f", 1)
      line("upstream opens/1k", 11, "%.1f", 0)
    }' "$tmp/rows"
}

# --- the benchmark ------------------------------------------------------------------------

main() {
  install_tools haproxy wrk
  raise_file_limit
  ensure_system
  mkdir -p "$bench"
  write_wrk_script
  await_200 "$balancer_port" 60 "the Ruta balancer"
  # HAProxy forwards the path as it is, so its 200 also shows that the instances answer the
  # same path as the balancer: every path does the same work.
  start_haproxy
  [ "$with_gateway" = 0 ] || start_gateway
  [ "$with_ewma" = 0 ] || start_ruta_ewma "$ewma_dir"

  step "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (the machine should be otherwise idle)"
  step "GET $url_path, wrk -t$threads -c$connections -d$duration, $rounds round(s), warm-up $warmup per path"
  step "Ruta: pid $balancer_pid on port $balancer_port; HAProxy: pid $haproxy_pid on port $haproxy_port; ${gateway_pid:+Spring Cloud Gateway: pid $gateway_pid on port $gateway_port; }instances: pids ${instance_pids[*]}"
  local before
  before=$(active_opens)
  sleep 2
  step "idle background: $(( ($(active_opens) - before) / 2 )) TCP connections opened/s system-wide (health checks, Consul)"
  echo
  header
  # Cold: the first seconds of a JVM that has just started, before its JIT has compiled the
  # hot path (what a rolling restart feels). Ruta is cold only if this script started it.
  if [[ ! "$cold" =~ ^0+[a-z]*$ ]]; then
    [ "$with_gateway" = 0 ] || measure cold scg "$gateway_port" "$gateway_pid" "$connections" "$cold"
    [ "$started_system" = 1 ] && measure cold ruta "$balancer_port" "$balancer_pid" "$connections" "$cold"
    ratios cold
  fi
  # Warm-up at the same concurrency: the JVMs compile the hot path; HAProxy fills its pools.
  if [[ ! "$warmup" =~ ^0+[a-z]*$ ]]; then
    measure warm-up haproxy "$haproxy_port" "$haproxy_pid" "$connections" "$warmup"
    [ "$with_gateway" = 0 ] || measure warm-up scg "$gateway_port" "$gateway_pid" "$connections" "$warmup"
    measure warm-up ruta "$balancer_port" "$balancer_pid" "$connections" "$warmup"
    [ "$with_ewma" = 0 ] || measure warm-up ewma "$ewma_port" "$ewma_pid" "$connections" "$warmup"
  fi
  local round
  for round in $(seq 1 "$rounds"); do
    measure "$round" haproxy "$haproxy_port" "$haproxy_pid" "$connections" "$duration"
    [ "$with_gateway" = 0 ] || measure "$round" scg "$gateway_port" "$gateway_pid" "$connections" "$duration"
    measure "$round" ruta "$balancer_port" "$balancer_pid" "$connections" "$duration"
    [ "$with_ewma" = 0 ] || measure "$round" ewma "$ewma_port" "$ewma_pid" "$connections" "$duration"
    ratios "$round"
  done
  if [ -n "$high_connections" ]; then
    echo
    echo "second scenario: $high_connections connections (threads: before/most during the run)"
    header
    measure high haproxy "$haproxy_port" "$haproxy_pid" "$high_connections" "$duration"
    [ "$with_gateway" = 0 ] || measure high scg "$gateway_port" "$gateway_pid" "$high_connections" "$duration"
    measure high ruta "$balancer_port" "$balancer_pid" "$high_connections" "$duration"
    ratios high
  fi
  summary
}

main "$@"
