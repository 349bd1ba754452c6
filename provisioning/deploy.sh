#!/usr/bin/env bash
# The seed's system across machines: one Consul server, client agents joined to it, the
# operations instances and the balancer, each on the host an inventory names.
#
#   provisioning/deploy.sh INVENTORY up       copy the bundle to every host and start its part
#   provisioning/deploy.sh INVENTORY status   what runs on each host
#   provisioning/deploy.sh INVENTORY down     stop every host's part, by PID
#
# INVENTORY has a line per host (see provisioning/hosts.example):
#   <address> <roles> <reach> [greeting, the rest of the line]
# address  the host's IPv4 address that the others reach it at (Consul binds and advertises
#          it; instances register with it).
# roles    comma-separated: consul-server (exactly one host), operations, balancer.
# reach    how to get there: ssh:<destination> (any ssh destination; SSH holds the options,
#          e.g. "ssh -i key -o BatchMode=yes") or netns:<name>, a network namespace on this
#          machine that stands for a host in tests, with its own folder under RUTA_HOSTS_DIR.
# The bundle goes to RUTA_REMOTE_DIR (default ruta: relative to the login's home folder, or
# absolute) over ssh, and to RUTA_HOSTS_DIR/<name> for a namespace host.
# Each host needs Java 17, bash, curl and tar and, unless a consul is on its PATH, a Debian mirror
# (provisioning/install-consul.sh runs there). Re-running 'up' leaves running hosts alone, so
# adding a line and running it again adds a host.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=ruta
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"

ssh_command=${SSH:-ssh -o BatchMode=yes}
remote_dir=${RUTA_REMOTE_DIR:-ruta}
hosts_dir=${RUTA_HOSTS_DIR:-$root/.hosts}

addresses=() roles=() reaches=() greetings=()

read_inventory() {
  local file=$1 address role reach greeting
  [ -f "$file" ] || die "no inventory at $file"
  while read -r address role reach greeting; do
    [ -z "$address" ] || [[ "$address" == \#* ]] && continue
    [ -n "$reach" ] || die "$file: '$address' needs roles and a reach"
    case "$reach" in ssh:?*|netns:?*) ;; *) die "$file: reach '$reach' is neither ssh:<destination> nor netns:<name>" ;; esac
    check_roles "$role"
    [[ " ${addresses[*]} " == *" $address "* ]] && die "$file: $address is listed twice"
    addresses+=("$address") roles+=("$role") reaches+=("$reach") greetings+=("$greeting")
  done <"$file"
  [ "${#addresses[@]}" -gt 0 ] || die "$file lists no host"
}

server_address() {
  local i found=""
  for i in "${!addresses[@]}"; do
    if role_in "${roles[$i]}" consul-server; then
      [ -z "$found" ] || die "more than one consul-server host: $found and ${addresses[$i]}"
      found=${addresses[$i]}
    fi
  done
  [ -n "$found" ] || die "no host has the consul-server role"
  echo "$found"
}

build_if_needed() {
  if [ ! -f "$root/operations-war/target/operations.jar" ] || [ ! -f "$root/balancer-war/target/balancer.jar" ]; then
    step "building the uber jars (mvn package, tests skipped)"
    (cd "$root" && mvn -q -B package -DskipTests) || die "the build failed"
  fi
}

# The files a host with these roles needs: the scripts, the shared settings, and the uber jar
# of each server it runs (~100 MB each, so only those).
bundle_files() { # roles
  local files=(payara-config provisioning/host.sh provisioning/install-consul.sh provisioning/lib)
  role_in "$1" operations && files+=(operations-war/target/operations.jar)
  role_in "$1" balancer && files+=(balancer-war/target/balancer.jar)
  printf '%s\n' "${files[@]}"
}

# Runs a shell command line on the host, passing stdin through. Both reaches run the same
# command line; a namespace host shares this machine's disk but not its network, so it gets
# this machine's Consul binary rather than fetching one.
remote() { # reach command-line
  case "$1" in
    ssh:*) $ssh_command "${1#ssh:}" "$2" ;;
    netns:*) ip netns exec "${1#netns:}" env CONSUL_BIN="$local_consul" bash -c "$2" ;;
  esac
}

# Where the bundle lives on the host.
folder() { # reach
  case "$1" in
    ssh:*) printf %q "$remote_dir" ;;
    netns:*) printf %q "$hosts_dir/${1#netns:}" ;;
  esac
}

copy_bundle() { # reach roles
  local files
  mapfile -t files < <(bundle_files "$2")
  tar -C "$root" -cf - "${files[@]}" | remote "$1" "mkdir -p $(folder "$1") && tar -C $(folder "$1") -xf -"
}

on_host() { # reach host.sh-arguments...
  local reach=$1; shift
  remote "$reach" "cd $(folder "$reach") && bash provisioning/host.sh $(printf '%q ' "$@")" </dev/null
}

# Runs a command for the hosts whose roles match (or not), in parallel; fails if any failed.
on_hosts() { # match|skip role function
  local want=$1 role=$2 fn=$3 i pids=() failed=0
  for i in "${!addresses[@]}"; do
    local has=no; role_in "${roles[$i]}" "$role" && has=yes
    { [ "$want" = match ] && [ $has = yes ]; } || { [ "$want" = skip ] && [ $has = no ]; } || continue
    "$fn" "$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return $failed
}

host_up() {
  local i=$1 args
  args=(up --address "${addresses[$i]}" --roles "${roles[$i]}" --join "$server")
  [ -n "${greetings[$i]}" ] && args+=(--message "${greetings[$i]}")
  # A running host keeps its files: its servers' jars are not replaced under them.
  local state=0
  on_host "${reaches[$i]}" running 2>/dev/null || state=$?
  case $state in
    0) step "${addresses[$i]} already up"; return 0 ;;
    3) die "${addresses[$i]} runs only part of its roles (one stopped); run 'down' for it first" ;;
  esac
  copy_bundle "${reaches[$i]}" "${roles[$i]}" || die "could not copy the bundle to ${addresses[$i]} (${reaches[$i]})"
  on_host "${reaches[$i]}" "${args[@]}" || die "${addresses[$i]} did not come up"
}

host_status() { on_host "${reaches[$1]}" status; }
host_down() { on_host "${reaches[$1]}" down; }

uses_netns() { [[ " ${reaches[*]}" == *" netns:"* ]]; }

up() {
  server=$(server_address)
  local_consul=""
  uses_netns && local_consul=$("$root/provisioning/install-consul.sh")
  build_if_needed
  step "Consul server first: $server"
  on_hosts match consul-server host_up || die "the Consul server host did not come up"
  step "then the other hosts, joining $server"
  on_hosts skip consul-server host_up || die "some hosts did not come up; the lines above say which"
  step "up: the balancer is at $(balancer_urls)"
}

balancer_urls() {
  local i urls=()
  for i in "${!addresses[@]}"; do
    role_in "${roles[$i]}" balancer && urls+=("http://${addresses[$i]}:${BALANCER_PORT:-8080}/")
  done
  echo "${urls[*]:-(no balancer host)}"
}

# One host after the other, in the inventory's order, so each host's lines stay together.
status() {
  local i failed=0
  local_consul=""
  for i in "${!addresses[@]}"; do host_status "$i" || failed=1; done
  return $failed
}

down() {
  local_consul=""
  # Clients before the server, so every instance deregisters into a live cluster.
  local failed=0
  on_hosts skip consul-server host_down || failed=1
  on_hosts match consul-server host_down || failed=1
  [ $failed = 0 ] || die "some hosts did not stop cleanly; the lines above say which"
  step "down"
}

[ $# -eq 2 ] || { echo "usage: $0 INVENTORY up|status|down" >&2; exit 2; }
read_inventory "$1"
case "$2" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 INVENTORY up|status|down" >&2; exit 2 ;;
esac
