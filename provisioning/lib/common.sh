# shellcheck shell=bash disable=SC2154 # $root and $tag are the caller's
# Shell functions shared by the provisioning scripts; sourced, never run.
# The caller sets $root (the project or bundle folder) and $tag (the prefix of its messages).

step() { printf '[%s] %s\n' "$tag" "$*"; }
die() { printf '[%s] error: %s\n' "$tag" "$*" >&2; exit 1; }

# started_at PID: when the process started (clock ticks since boot), empty without /proc.
# The command name in field 2 may hold spaces, so fields are counted after its ')'.
started_at() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# record_pid DIR PID: keeps the PID of a process this script started, with its start time.
record_pid() {
  echo "$2" >"$1/pid"
  started_at "$2" >"$1/started"
}

# alive PIDFILE: whether the recorded process still runs. A PID recorded before a reboot may
# belong to another process by now; the start time tells them apart, so that is never stopped.
alive() {
  local pid started
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  started="$(dirname "$1")/started"
  [ ! -s "$started" ] || [ "$(started_at "$pid")" = "$(cat "$started")" ]
}

# port_busy PORT: whether a server here could not listen on the port: something listens on it,
# or an open connection of this machine has it as its own end (an outgoing connection's
# ephemeral port, which ss shows and a connection attempt does not). Connections closing on it
# (TIME-WAIT, as a killed server leaves) do not stop a server that reuses the address.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan state established state syn-sent "sport = :$1" 2>/dev/null)" ]
}

# role_in ROLES ROLE: whether the comma-separated ROLES hold ROLE.
role_in() { [[ ",$1," == *",$2,"* ]]; }

# check_roles ROLES: dies on a role that is none of those a host can have.
check_roles() {
  local role
  for role in ${1//,/ }; do
    case "$role" in consul-server|operations|balancer) ;; *) die "unknown role '$role' in '$1'" ;; esac
  done
}

# node_name ADDRESS: the Consul node name of the host at ADDRESS; its agent's token may write that node only.
node_name() { echo "ruta-${1//./-}"; }

# java_version JAVA: the feature version (21, 25...) of that java, empty when it does not run.
java_version() { "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1; }

# require_java: sets $java to the java that runs Ruta's servers, Payara Micro 7 needing 21 or
# later: JAVA_HOME's, else the one on PATH, else the newest under /usr/lib/jvm (where Debian and
# Temurin's packages install theirs beside the default one). The same order as the build's.
require_java() {
  local candidate version best_version=0
  java=""
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    version=$(java_version "$candidate")
    [ -n "$version" ] && [ "$version" -ge 21 ] && { java=$candidate; return 0; }
  done
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    version=$(java_version "$candidate")
    [ -n "$version" ] && [ "$version" -gt "$best_version" ] && { best_version=$version; java=$candidate; }
  done
  [ "$best_version" -ge 21 ] && return 0
  die "Java 21 or later is needed (Payara Micro 7) and none was found in JAVA_HOME, on the PATH or under /usr/lib/jvm: install one (Debian 13: apt-get install openjdk-25-jre-headless or openjdk-21-jre-headless; Debian 12 packages none: take Temurin's, https://adoptium.net), or set JAVA_HOME"
}

# jvm_options: the shared JVM options of every Ruta server; those for a newer JDK than $java
# (a line "25: -XX:..." needs Java 25) are left out on an older one.
jvm_options() {
  local version line
  version=$(java_version "$java")
  while IFS= read -r line; do
    if [[ "$line" =~ ^([0-9]+):[[:space:]]*(.*)$ ]]; then
      [ "$version" -ge "${BASH_REMATCH[1]}" ] && echo "${BASH_REMATCH[2]}"
    else
      echo "$line"
    fi
  done < <(grep -vE '^\s*(#|$)' "$root/payara-config/jvm.options")
}

# stop_pidfile NAME PIDFILE [SIGNAL]: asks the process to stop, waits up to 30 s, then kills it.
# Only ever the PID the script itself recorded.
stop_pidfile() {
  local name=$1 pidfile=$2 signal=${3:-TERM} pid
  alive "$pidfile" || return 0
  pid=$(cat "$pidfile")
  step "stopping $name (pid $pid)"
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  step "$name did not stop in 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  # SIGKILL is not instant either: "stopped" must mean gone, for whoever checks next.
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
}

# await_leader HTTP-URL DIR: waits until the Consul agent answering at HTTP-URL, whose PID and
# log are in DIR, knows the cluster's leader.
await_leader() {
  local url=$1 dir=$2 leader
  for _ in $(seq 1 "$((${wait_seconds:-180} * 5))"); do
    leader=$(curl -sf "$url/v1/status/leader" 2>/dev/null || true)
    [ "${#leader}" -gt 2 ] && { step "Consul agent up, leader $leader"; return 0; }
    alive "$dir/pid" || die "Consul exited; see $dir/consul.log"
    sleep 0.2
  done
  die "the Consul agent found no leader in ${wait_seconds:-180}s; see $dir/consul.log"
}

# payara_command DIR JAR PORT CONSUL-URL [-Dkey=value ...] [-- PAYARA-OPTION ...]: sets the
# array payara to the command line of one Payara Micro server with the shared JVM options and
# its temp files in DIR/tmp (which must exist before it starts); options after -- are Payara
# Micro's own (--sslPort ...), put after the jar.
payara_command() {
  local dir=$1 jar=$2 port=$3 consul_url=$4 jvm=() micro=(); shift 4
  while [ $# -gt 0 ] && [ "$1" != -- ]; do jvm+=("$1"); shift; done
  [ $# -gt 0 ] && shift && micro=("$@")
  [ -n "${java:-}" ] || require_java
  mapfile -t payara < <(jvm_options)
  payara=("$java" "${payara[@]}" -Djava.io.tmpdir="$dir/tmp" -Dconsul.url="$consul_url" "${jvm[@]}" -jar "$jar" --port "$port" "${micro[@]}")
}

# admin_listener_commands PORT ADDRESS: the shared pre-boot commands and one more, a second
# HTTP listener on ADDRESS:PORT for the balancer's admin surface (balancer.admin-port).
admin_listener_commands() {
  cat "$root/payara-config/pre-boot-commands.asadmin"
  echo "create-network-listener --listenerport $1 --address $2 --protocol http-listener --threadpool http-thread-pool --transport tcp ruta-admin-listener"
}

# run_payara DIR JAR PORT CONSUL-URL [-Dkey=value ...] [-- PAYARA-OPTION ...]: that server in the background; its PID
# in DIR/pid, output in DIR/server.log. nohup: it outlives the ssh session that started it.
run_payara() {
  mkdir -p "$1/tmp"
  payara_command "$@"
  nohup "${payara[@]}" </dev/null >"$1/server.log" 2>&1 &
  record_pid "$1" $!
}

# any_alive DIR: whether a process recorded in DIR/*/pid still runs (an earlier 'up' that
# failed half-way); its PID files must then stay, or nothing could stop it by PID any more.
any_alive() {
  local pidfile
  for pidfile in "$1"/*/pid; do alive "$pidfile" && return 0; done
  return 1
}

# report_processes DIR: a line per process recorded in DIR/*/pid, running or not.
report_processes() {
  local pidfile name
  [ -d "$1" ] || { step "not running"; return 0; }
  for pidfile in "$1"/*/pid; do
    name=$(basename "$(dirname "$pidfile")")
    if alive "$pidfile"; then step "$name: running (pid $(cat "$pidfile"))"; else step "$name: not running"; fi
  done
}
