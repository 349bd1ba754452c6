#!/usr/bin/env bash
# The seed's system across machines: Consul servers, client agents joined to them, the
# operations instances and the balancers, each on the host an inventory names.
#
#   provisioning/deploy.sh [--classroom] [--expose-api] INVENTORY up   copy the bundle to every host, start its part
#   provisioning/deploy.sh INVENTORY status   what runs on each host, who holds the virtual address,
#                                            and the cluster's peers and members
#   provisioning/deploy.sh INVENTORY down     stop every host's part, by PID
#
# INVENTORY has a line per host (see provisioning/hosts.example):
#   <address> <roles> <reach> [greeting, the rest of the line]
# address  the host's IPv4 address that the others reach it at (Consul binds and advertises
#          it; instances register with it).
# roles    comma-separated: consul-server (on 1, 3 or 5 hosts: a majority of them must stay up),
#          operations, balancer (on any number of hosts, each following its own agent).
# reach    how to get there: ssh:<destination> (any ssh destination; SSH holds the options,
#          e.g. "ssh -i key -o BatchMode=yes") or netns:<name>, a network namespace on this
#          machine that stands for a host in tests, with its own folder under RUTA_HOSTS_DIR.
# Lines "set <key>=<value>": a MicroProfile Config setting (-Dkey=value) for every Ruta server,
# e.g. "set balancer.strategy=peak-ewma". A server reads its settings when it starts: 'up' restarts
# each server whose settings (these lines, an instance's greeting) changed, one host at a time.
# And at most one line "vip <address>": a virtual address in the balancer hosts' subnet that
# keepalived moves between them (two or more; reached as root): VRRP over unicast between
# their addresses, authenticated with a password made with the secrets (not in --classroom), a
# check of the balancer's own readiness on loopback, the highest priority first and never
# taken back (nopreempt), each move logged; 'status' ends with who holds it.
#
# Secure by default: ACLs that deny what no token allows, one token per role and host with the
# least rights it needs, gossip encryption, and TLS between agents, from secrets made on the
# first 'up' in INVENTORY.secrets/ (owner-only, reused by later runs, never printed). Every
# process talks to its own host's agent on loopback; --expose-api also opens the servers' HTTP
# API and UI on their LAN address. Each balancer serves HTTPS with HTTP/2 (port 8443) with a
# certificate for its address from the deployment's own CA (INVENTORY.secrets/https/ca.pem, the
# one to trust), and keeps its admin surface (table, events, page, metrics, health) on
# 127.0.0.1:9090, reached with 'ssh -L 9090:127.0.0.1:9090 <host>'; plain HTTP on 8080 routes
# /api/... only. --classroom turns all of it off, as in the seed: no ACLs, no encryption, no
# HTTPS, everything of the balancer on 8080, and the servers' API and UI open on the LAN.
#
# The bundle goes to RUTA_REMOTE_DIR (default ruta: relative to the login's home folder, or
# absolute) over ssh, and to RUTA_HOSTS_DIR/<name> for a namespace host.
# Each host needs Java 21 or later, bash, curl and tar and, unless a consul is on its PATH, a Debian mirror
# (provisioning/install-consul.sh runs there; it runs here too for the secrets). Re-running
# 'up' leaves running hosts alone and starts what stopped, so adding a line and running it
# again adds a host, a killed server rejoins with its data, and a changed setting reaches the
# servers it concerns.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=ruta
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
# shellcheck source=provisioning/lib/secrets.sh
. "$root/provisioning/lib/secrets.sh"
# shellcheck source=provisioning/lib/tls.sh
. "$root/provisioning/lib/tls.sh"
# shellcheck source=provisioning/lib/vrrp.sh
. "$root/provisioning/lib/vrrp.sh"
# shellcheck source=provisioning/lib/inventory.sh
. "$root/provisioning/lib/inventory.sh"

classroom=no expose_api=no

secure() { [ $classroom = no ]; }

build_if_needed() {
  require_java
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

copy_bundle() { # reach roles
  local files
  mapfile -t files < <(bundle_files "$2")
  tar -C "$root" -cf - "${files[@]}" | remote "$1" "mkdir -p $(folder "$1") && tar -C $(folder "$1") -xf -"
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

# Sends the host its share of the secrets, through a folder only this user can read.
copy_secrets() { # index
  local i=$1
  (
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    stage_host_secrets "$secrets_dir" "${addresses[$i]}" "${roles[$i]}" "$stage"
    tar -C "$stage" -cf - secrets \
      | remote "${reaches[$i]}" "umask 077 && mkdir -p $(folder "${reaches[$i]}") && tar -C $(folder "${reaches[$i]}") -xf -"
  ) || die "could not send the secrets to ${addresses[$i]}"
}

# The virtual address's options for the host at INDEX, if it is a balancer host: the other
# balancer hosts as its VRRP peers, and a priority of its own, the first line's highest. The
# priorities are near the top of VRRP's range because a backup waits (256 - priority) / 256 s
# after the holder gives the address up before it takes it: 23 ms at 250, 410 at 150, and the
# address answers nowhere in between.
vip_options() { # index
  local i=$1 peers=() rank=0 address priority=1
  if [ -z "$vip" ] || ! role_in "${roles[$i]}" balancer; then return 0; fi
  for address in $(balancer_addresses); do
    if [ "$address" = "${addresses[$i]}" ]; then priority=$((250 - rank)); else peers+=("$address"); fi
    rank=$((rank + 1))
  done
  [ "$priority" -ge 1 ] || priority=1
  printf '%s\n' --vip "$vip" --vrrp-peers "$(IFS=,; echo "${peers[*]}")" --vrrp-priority "$priority"
}

# What the inventory gives the servers of the host at INDEX: the "set" lines, and its greeting.
given_options() { # index
  local setting
  for setting in "${settings[@]}"; do printf '%s\n' --set "$setting"; done
  [ -z "${greetings[$1]}" ] || printf '%s\n' --message "${greetings[$1]}"
}

# host_options INDEX: the host's options for host.sh, into the caller's arrays vrrp (the virtual
# address's) and given (the inventory's); kept apart, as an old host.sh is asked without given.
host_options() { # index
  mapfile -t vrrp < <(vip_options "$1")
  mapfile -t given < <(given_options "$1")
}

# host_state INDEX: how the host's part runs, as its host.sh running says: 0 all of it, 4 a
# server with other settings (whatever else is down), 3 some of it, anything else none (or no
# Ruta there).
host_state() { # index
  local i=$1 vrrp given state=0
  host_options "$i"
  on_host "${reaches[$i]}" running "${vrrp[@]}" "${given[@]}" >/dev/null 2>&1 || state=$?
  # A host.sh from before settings were recorded refuses --set and --message: it is asked as
  # it was then, so that its running servers are not taken for missing and their jars replaced.
  if [ "$state" = 1 ] && [ ${#given[@]} -gt 0 ]; then
    state=0
    on_host "${reaches[$i]}" running "${vrrp[@]}" >/dev/null 2>&1 || state=$?
  fi
  echo "$state"
}

host_up() { # index [--consul-only]
  local i=$1 args given state vrrp
  shift
  host_options "$i"
  args=(up --address "${addresses[$i]}" --roles "${roles[$i]}" --join "$servers" --servers "$server_count" "${vrrp[@]}" "${given[@]}" "$@")
  if role_in "${roles[$i]}" consul-server && { [ $expose_api = yes ] || ! secure; }; then args+=(--expose-api); fi
  # A host that runs keeps its files: its servers' jars are not replaced under them.
  state=$(host_state "$i")
  case $state in
    0) step "${addresses[$i]} already up"; return 0 ;;
    3|4)
      if [ "$state" = 3 ]; then step "${addresses[$i]}: starting what is not running"; fi
      # Its share of the secrets again: a line added since (a vip) may have made one more.
      if secure; then copy_secrets "$i"; fi
      ;;
    *)
      copy_bundle "${reaches[$i]}" "${roles[$i]}" || die "could not copy the bundle to ${addresses[$i]} (${reaches[$i]})"
      if secure; then copy_secrets "$i"; fi
      ;;
  esac
  on_host "${reaches[$i]}" "${args[@]}" || die "${addresses[$i]} did not come up"
}

server_up() { host_up "$1" --consul-only; }

# The hosts whose servers run with other settings than the inventory now gives, restarted one
# host at a time, each ready before the next: the other instances and balancers keep serving.
restart_changed() {
  local i
  for i in "${!addresses[@]}"; do
    if [ "$(host_state "$i")" = 4 ]; then
      step "${addresses[$i]}: settings changed; restarting its servers"
      host_up "$i" || die "${addresses[$i]} did not come back with its new settings"
    fi
  done
}

# The policies and every host's tokens, made through the first server's loopback API with the
# management token; the token list goes on stdin. Tokens that exist are left as they are.
apply_acls() {
  local i first=""
  for i in "${!addresses[@]}"; do
    role_in "${roles[$i]}" consul-server && { first=$i; break; }
  done
  {
    for i in "${!addresses[@]}"; do acl_plan "$secrets_dir" "${addresses[$i]}" "${roles[$i]}"; done
    echo "policy $(token_accessor "$secrets_dir" operator) $(token_secret "$secrets_dir" operator) ruta-operator"
  } | remote "${reaches[$first]}" "cd $(folder "${reaches[$first]}") && bash provisioning/host.sh acl" \
    || die "could not set up the ACLs on ${addresses[$first]}"
}

host_down() { on_host "${reaches[$1]}" down; }

up() {
  servers=$(server_addresses)
  server_count=$(tr ',' '\n' <<<"$servers" | wc -l)
  consul="" local_consul=""
  if secure || uses_netns; then consul=$("$root/provisioning/install-consul.sh"); fi
  uses_netns && local_consul=$consul
  # A namespace host has no way out to a mirror: it uses this machine's keepalived, installed here.
  if [ -n "$vip" ] && uses_netns; then ensure_keepalived; fi
  if secure; then
    step "secrets in $secrets_dir (made where missing, kept where present)"
    ensure_secrets "$secrets_dir"
    for i in "${!addresses[@]}"; do ensure_host_secrets "$secrets_dir" "${addresses[$i]}" "${roles[$i]}" "$vip"; done
    if [ -n "$vip" ]; then ensure_vrrp_password "$secrets_dir"; fi
  fi
  build_if_needed
  step "Consul servers first: $servers"
  on_hosts match consul-server server_up || die "the Consul servers did not come up"
  if secure; then
    step "ACL policies and tokens"
    apply_acls
  fi
  restart_changed
  step "then every host's part, joining $servers"
  on_hosts skip no-such-role host_up || die "some hosts did not come up; the lines above say which"
  step "up: the balancer is at $(balancer_urls)"
  if secure; then step "trust $secrets_dir/https/ca.pem for HTTPS; each balancer's admin surface: ssh -L 9090:127.0.0.1:9090 <its host>"; fi
  if [ -n "$vip" ]; then await_vip_holder; fi
}

# A backup takes the address once it has heard no holder for three adverts (3 s), after the
# balancer is ready.
await_vip_holder() {
  local holders url
  if secure; then url="https://$vip:${BALANCER_HTTPS_PORT:-8443}/ and http://$vip:${BALANCER_PORT:-8080}/api/"; else url="http://$vip:${BALANCER_PORT:-8080}/"; fi
  for _ in $(seq 1 30); do
    holders=$(vip_holders)
    [ -n "$holders" ] && { step "up: the virtual address is $url, held by $holders"; return 0; }
    sleep 1
  done
  die "no balancer host took the virtual address $vip in 30 s; see .run/keepalived/ on the balancer hosts"
}

balancer_urls() {
  local i urls=()
  for i in "${!addresses[@]}"; do
    if ! role_in "${roles[$i]}" balancer; then continue; fi
    if secure; then urls+=("https://${addresses[$i]}:8443/"); else urls+=("http://${addresses[$i]}:${BALANCER_PORT:-8080}/"); fi
  done
  echo "${urls[*]:-(no balancer host)}"
}

# One host after the other, in the inventory's order, so each host's lines stay together.
status() {
  local i failed=0 lines holders=()
  local_consul=""
  uses_netns && local_consul=$("$root/provisioning/install-consul.sh")
  for i in "${!addresses[@]}"; do
    lines=$(host_status "$i") || failed=1
    [ -z "$lines" ] || printf '%s\n' "$lines"
    if [ -n "$vip" ] && holds_vip "$lines"; then holders+=("${addresses[$i]}"); fi
  done
  # The cluster as the first server that answers sees it: peers, leader, members.
  for i in "${!addresses[@]}"; do
    role_in "${roles[$i]}" consul-server && on_host "${reaches[$i]}" cluster && break
  done
  if [ -n "$vip" ]; then
    case ${#holders[@]} in
      0) step "virtual address $vip: held by no balancer host"; failed=1 ;;
      1) step "virtual address $vip: held by ${holders[0]}" ;;
      *) step "virtual address $vip: held by ${holders[*]} at once (they cannot hear each other's VRRP adverts)"; failed=1 ;;
    esac
  fi
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

usage() { echo "usage: $0 [--classroom] [--expose-api] INVENTORY up|status|down" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --classroom) classroom=yes; shift ;;
    --expose-api) expose_api=yes; shift ;;
    --*) usage ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || usage
read_inventory "$1"
secrets_dir="$(cd "$(dirname "$1")" && pwd)/$(basename "$1").secrets"
case "$2" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) usage ;;
esac
