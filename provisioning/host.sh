#!/usr/bin/env bash
# One machine of a Ruta deployment across hosts (VMs), as in the seed: its Consul agent and its
# part of the system, started in the background and stopped by PID. deploy.sh copies the bundle
# (the uber jars of the host's servers, payara-config/ and these scripts) to each host and runs
# this there; it also runs by hand on any machine that holds the bundle or a built checkout.
#
#   host.sh up --address A --roles R[,R...] [--join S[,S...]] [--servers N] [--consul-only]
#              [--expose-api] [--message M] [--set KEY=VALUE ...] [--vip V --vrrp-peers P[,P...] --vrrp-priority N]
#   host.sh acl       on a server of a secure deployment: makes the policies, and the tokens
#                     listed on stdin ("<kind> <AccessorID> <SecretID> <name>" per line)
#   host.sh cluster   the Raft peers (and which leads) and the members, as this host's agent sees them
#   host.sh status    each part's process; with a virtual address, whether this host holds it
#   host.sh running [--set KEY=VALUE ...] [--message M] [--vip V --vrrp-peers P --vrrp-priority N]
#                     exit status 0 when all of this host's part runs with these settings (and
#                     these of the virtual address, or none), 4 when a server runs with other
#                     settings (whatever else is down), 3 when only some of it runs
#   host.sh down
#   host.sh fault kill|stop PART | pause PART SECONDS | deregister
#                     a fault chaos.sh makes on purpose (see fault() below)
#   host.sh table     the routing table of the balancer here, as JSON, from its admin surface
#
# --set KEY=VALUE (any number): a MicroProfile Config setting, -DKEY=VALUE, for the host's
# operations instance and balancer, as deploy.sh's "set" lines give them.
# Roles:
#   consul-server  one of the --servers N (1, 3 or 5) Consul servers at --join; they elect a
#                  leader once N have met. Without it, the host runs a Consul client agent that
#                  joins them, as the seed's machines "join" theirs.
#   operations     an operations instance on OPERATIONS_PORT (8081), registered in the local
#                  agent at address A with greeting M.
#   balancer       the balancer on BALANCER_PORT (8080), following the local agent; in secure
#                  mode also HTTPS on BALANCER_HTTPS_PORT (8443) with the key store deploy.sh
#                  sent, and its admin surface on 127.0.0.1:BALANCER_ADMIN_PORT (9090) only.
# Every process talks to Consul through its own host's agent, on 127.0.0.1:8500; that API
# listens on A too only with --expose-api. --consul-only starts the agent alone (deploy.sh
# starts the servers, makes the ACL tokens, then the rest).
#
# Virtual address (--vip V, on a balancer host, as root): keepalived holds V on the interface of
# A while the balancer here is ready, and exchanges VRRP adverts with the other balancer hosts
# at P over unicast (lib/vrrp.sh). Where systemd runs the machine it runs under Debian's own
# keepalived.service with /etc/keepalived/keepalived.conf, else as a process with a PID file;
# each move is a line in .run/keepalived/moves.log. Debian's keepalived is installed if missing.
#
# Secure mode: when the bundle holds secrets/ (deploy.sh sends each host its share), the agent
# runs with ACLs (default deny), gossip encryption and TLS between agents, from a config file
# only the owner can read; each server gets its token from the environment. Secrets never go
# on a command line.
# Everything it writes goes under .run/ beside this folder; 'up' starts whatever of the host's
# part is not running (a killed agent rejoins with its data), 'down' stops by recorded PID and
# removes .run/ and secrets/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/.run"
# Messages carry the host's address, kept from 'up' for 'status' and 'down'.
tag="ruta $(cat "$run/address" 2>/dev/null || hostname -s 2>/dev/null || echo host)"
operations_port=${OPERATIONS_PORT:-8081}
balancer_port=${BALANCER_PORT:-8080}
balancer_https_port=${BALANCER_HTTPS_PORT:-8443}
balancer_admin_port=${BALANCER_ADMIN_PORT:-9090}
wait_seconds=${WAIT_SECONDS:-180}
secrets="$root/secrets"
consul_api=http://127.0.0.1:8500
unit_dir=${RUTA_UNIT_DIR:-/etc/systemd/system}
units_only=no
# shellcheck source=provisioning/lib/common.sh
. "$root/provisioning/lib/common.sh"
# shellcheck source=provisioning/lib/units.sh
. "$root/provisioning/lib/units.sh"
# shellcheck source=provisioning/lib/tls.sh
. "$root/provisioning/lib/tls.sh"
# shellcheck source=provisioning/lib/vrrp.sh
. "$root/provisioning/lib/vrrp.sh"
vip="" vrrp_peers="" vrrp_priority="" settings=()

has_role() { role_in "$roles" "$1"; }

secure() { [ -s "$secrets/gossip.key" ]; }

# systemd runs the parts where it runs the machine and this runs as root; RUTA_SYSTEMD=no keeps
# PID files (deploy.sh sets it for namespace hosts, whose processes must stay in their namespace).
use_systemd() { [ "${RUTA_SYSTEMD:-auto}" != no ] && [ -d /run/systemd/system ] && [ "$(id -u)" = 0 ]; }

# The systemd unit of a part: Ruta's own, but Debian's for keepalived.
unit_of() { if [ "$1" = keepalived ]; then echo keepalived.service; else echo "ruta-$1.service"; fi; }

part_running() { # part
  if use_systemd; then systemctl is-active --quiet "$(unit_of "$1")"; else alive "$run/$1/pid"; fi
}

# launch PART DESCRIPTION AFTER STOP-SIGNAL TOKEN LOG COMMAND...: starts one part of the host,
# as a systemd unit or as a background process with a PID file. TOKEN names its Consul token
# in secrets/ ('-' for none): it reaches the process in its environment, never as an argument.
launch() {
  local part=$1 description=$2 after=$3 signal=$4 token=$5 log=$6 environment=-
  shift 6
  local dir="$run/$part"
  if [ "$token" != - ] && secure; then environment="$dir/token.env"; fi
  if [ $units_only = yes ]; then
    write_unit "$part" "$description" "$after" "$signal" "$log" "$environment" "$@"
    return 0
  fi
  mkdir -p "$dir"
  if [ "$environment" != - ]; then
    (umask 077 && printf 'CONSUL_TOKEN=%s\n' "$(cat "$secrets/$token.token")" >"$environment")
  fi
  if use_systemd; then
    write_unit "$part" "$description" "$after" "$signal" "$log" "$environment" "$@"
    systemctl daemon-reload
    systemctl enable --now "ruta-$part.service" >/dev/null 2>&1 \
      || die "systemd could not start ruta-$part; see journalctl -u ruta-$part"
    record_pid "$dir" "$(systemctl show -p MainPID --value "ruta-$part.service")"
  else
    if [ "$environment" != - ]; then
      CONSUL_TOKEN=$(cat "$secrets/$token.token")
      export CONSUL_TOKEN
    fi
    nohup "$@" </dev/null >"$log" 2>&1 &
    record_pid "$dir" $!
    unset CONSUL_TOKEN
  fi
}

stop_part() { # part name [signal]
  if use_systemd; then
    [ -f "$unit_dir/ruta-$1.service" ] || return 0
    step "stopping $2 (systemd unit ruta-$1)"
    systemctl disable --now "ruta-$1.service" >/dev/null 2>&1 || true
    rm -f "$unit_dir/ruta-$1.service"
    systemctl daemon-reload
  else
    stop_pidfile "$2" "$run/$1/pid" "${3:-TERM}"
  fi
}

# token_header NAME: a file for curl -H @file carrying the token NAME, so that no command line
# ever holds it.
token_header() {
  local file="$run/$1.header"
  [ -s "$file" ] || (umask 077 && printf 'X-Consul-Token: %s\n' "$(cat "$secrets/$1.token")" >"$file")
  echo "$file"
}

# agent_get PATH: a GET from the local agent, with this host's agent token when secure.
agent_get() {
  if secure; then curl -sf -H @"$(token_header agent)" "$consul_api$1"; else curl -sf "$consul_api$1"; fi
}

json_string() { local value=${1//\\/\\\\}; printf '"%s"' "${value//\"/\\\"}"; }

# The agent's secure settings, in a file only the owner reads: the gossip key, the CA and this
# host's certificate, and ACLs that deny what no token allows. A server also holds the
# management token, which the first leader installs (ACL bootstrap, once per cluster).
write_secure_config() {
  local master=""
  has_role consul-server && master=",\"master\":$(json_string "$(cat "$secrets/management.token")")"
  (
    umask 077
    printf '{"encrypt":%s,"ca_file":%s,"cert_file":%s,"key_file":%s,' \
      "$(json_string "$(cat "$secrets/gossip.key")")" "$(json_string "$secrets/ca.pem")" \
      "$(json_string "$secrets/cert.pem")" "$(json_string "$secrets/key.pem")"
    printf '"verify_incoming":true,"verify_outgoing":true,"verify_server_hostname":true,'
    printf '"acl":{"enabled":true,"default_policy":"deny","down_policy":"extend-cache","tokens":{"agent":%s%s}}}\n' \
      "$(json_string "$(cat "$secrets/agent.token")")" "$master"
  ) >"$run/consul/secure.json"
}

start_consul() {
  local consul mode server
  consul=$("$root/provisioning/install-consul.sh")
  [ $units_only = yes ] || mkdir -p "$run/consul/data"
  local args=(agent -node "$(node_name "$address")" -bind "$address" -advertise "$address"
              -data-dir "$run/consul/data" -dns-port -1)
  [ -n "$join" ] || die "--join <server address>[,...] is needed"
  for server in ${join//,/ }; do
    [ "$server" = "$address" ] || args+=(-retry-join "$server")
  done
  if has_role consul-server; then
    mode="server, one of $servers"
    args+=(-server -bootstrap-expect "$servers" -ui)
  else
    mode="client joining $join"
  fi
  if [ "$expose_api" = yes ]; then args+=(-client "127.0.0.1 $address"); else args+=(-client 127.0.0.1); fi
  if secure; then
    [ $units_only = yes ] || write_secure_config
    args+=(-config-file "$run/consul/secure.json")
    mode+="; ACLs, gossip encryption, TLS"
  fi
  [ $units_only = yes ] || step "starting Consul agent ($mode) at $address"
  # SIGINT: the agent leaves the cluster gracefully.
  launch consul "Ruta: Consul agent ($mode)" "" SIGINT - "$run/consul/consul.log" "$consul" "${args[@]}"
  [ $units_only = yes ] || await_leader "$consul_api" "$run/consul"
}

start_payara() { # name jar port [-Dkey=value ...]
  local name=$1 jar=$2 port=$3; shift 3
  local dir="$run/$name"
  [ -f "$jar" ] || die "$jar is missing: build with 'mvn package' or deploy the bundle"
  if [ $units_only = no ]; then
    step "starting $name on $address:$port"
    mkdir -p "$dir/tmp"
  fi
  payara_command "$dir" "$jar" "$port" "$consul_api" "$@"
  # SIGTERM: an operations instance deregisters before it exits. MicroProfile Config reads the
  # token from CONSUL_TOKEN.
  launch "$name" "Ruta: $name on port $port" ruta-consul.service SIGTERM "$name" "$dir/server.log" "${payara[@]}"
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
operations_passing() { agent_get /v1/agent/health/service/name/operations >/dev/null 2>&1; }

# A balancer with HTTPS keeps its admin surface, readiness included, on the loopback admin port.
serves_https() { secure && [ -s "$secrets/balancer.p12" ]; }
balancer_admin_url() {
  if serves_https; then echo "http://127.0.0.1:$balancer_admin_port$1"; else echo "http://127.0.0.1:$balancer_port$1"; fi
}
balancer_routes() { curl -sf "$(balancer_admin_url /health/ready)" >/dev/null 2>&1; }

# vip_option NAME VALUE: takes one of the virtual address's options; fails on any other.
vip_option() {
  case "$1" in
    --vip) vip=$2 ;;
    --vrrp-peers) vrrp_peers=$2 ;;
    --vrrp-priority) vrrp_priority=$2 ;;
    *) return 1 ;;
  esac
}

read_up_options() {
  address="" roles="" join="" servers=1 consul_only=no expose_api=no
  message=$(default_message)
  while [ $# -gt 0 ]; do
    case "$1" in
      --address) address=$2; shift 2 ;;
      --roles) roles=$2; shift 2 ;;
      --join) join=$2; shift 2 ;;
      --servers) servers=$2; shift 2 ;;
      --message) message=$2; shift 2 ;;
      --set) settings+=("-D$2"); shift 2 ;;
      --consul-only) consul_only=yes; shift ;;
      --expose-api) expose_api=yes; shift ;;
      --vip|--vrrp-peers|--vrrp-priority) vip_option "$1" "${2:-}"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ -n "$address" ] && [ -n "$roles" ] || die "usage: $0 up --address A --roles R[,R...] [--join S[,S...]] ..."
  check_roles "$roles"
  tag="ruta $address"
  [ -z "$vip" ] || check_vip_options
}

default_message() { echo "Hello from $(hostname -s 2>/dev/null || echo a Ruta host)"; }

# running's options: the settings the inventory gives now, and the virtual address's.
read_running_options() {
  message=$(default_message)
  while [ $# -gt 0 ]; do
    case "$1" in
      --set) settings+=("-D$2") ;;
      --message) message=$2 ;;
      *) vip_option "$1" "${2:-}" || die "unknown option $1" ;;
    esac
    shift 2
  done
}

check_vip_options() {
  has_role balancer || die "--vip is for a balancer host: the address moves between balancers"
  [ -n "$vrrp_peers" ] || die "--vip needs --vrrp-peers: the other balancer hosts' addresses, between which it moves"
  if ! [[ "$vrrp_priority" =~ ^[0-9]+$ ]] || [ "$vrrp_priority" -lt 1 ] || [ "$vrrp_priority" -gt 254 ]; then
    die "--vip needs --vrrp-priority, 1 to 254"
  fi
}

# The settings of the virtual address as given, and as the running keepalived has them.
vip_settings() { [ -z "$vip" ] || echo "$vip peers $vrrp_peers priority $vrrp_priority"; }
recorded_vip_settings() { cat "$run/keepalived/settings" 2>/dev/null || true; }

# Where keepalived reads its configuration and runs its scripts from: Debian's unit reads
# /etc/keepalived; a process here gets the host's own folder (test hosts share one /etc).
keepalived_config() { if use_systemd; then echo /etc/keepalived/keepalived.conf; else echo "$run/keepalived/keepalived.conf"; fi; }
keepalived_scripts() { if use_systemd; then echo /etc/keepalived/ruta; else echo "$run/keepalived"; fi; }
ours() { [ -f "$1" ] && head -1 "$1" | grep -q "^# Written by Ruta's provisioning/host.sh"; }

# configure_vip: keepalived started with this host's settings, reloaded when they changed (a
# balancer host was added: the peers change), or stopped when the address is no longer wanted.
configure_vip() {
  local settings recorded dir="$run/keepalived" config password=-
  settings=$(vip_settings) recorded=$(recorded_vip_settings) config=$(keepalived_config)
  if [ -z "$vip" ]; then
    if [ -n "$recorded" ]; then stop_keepalived; fi
    return 0
  fi
  if part_running keepalived && [ "$settings" = "$recorded" ]; then return 0; fi
  if secure; then
    password="$secrets/vrrp.password"
    [ -s "$password" ] || die "$password is missing: deploy.sh sends it with the host's secrets when the inventory has a vip line"
  fi
  if [ -f "$config" ] && ! ours "$config"; then
    die "$config holds a keepalived configuration that is not Ruta's: this host's keepalived serves something else"
  fi
  mkdir -p "$dir"
  write_vrrp_files "$config" "$(keepalived_scripts)" "$dir/moves.log" "$vip" "$address" "$vrrp_peers" "$vrrp_priority" \
    "$(balancer_admin_url /health/ready)" "$password"
  keepalived -t -f "$config" >"$dir/config-test.log" 2>&1 \
    || die "keepalived finds $config wrong: $(tr '\n' ' ' <"$dir/config-test.log")"
  if part_running keepalived; then
    step "keepalived: new settings for the virtual address $vip (peers $vrrp_peers, priority $vrrp_priority)"
    if use_systemd; then systemctl reload keepalived.service; else kill -HUP "$(cat "$dir/pid")"; fi
  else
    step "starting keepalived: virtual address $vip, VRRP with $vrrp_peers, priority $vrrp_priority"
    start_keepalived "$config"
  fi
  echo "$settings" >"$dir/settings"
}

start_keepalived() { # config
  local dir="$run/keepalived"
  if use_systemd; then
    if ! { systemctl enable keepalived.service >/dev/null 2>&1 && systemctl restart keepalived.service; }; then
      die "systemd could not start keepalived; see journalctl -u keepalived"
    fi
    return 0
  fi
  # A keepalived killed earlier left its own PID files, whose PIDs may be another process's by now.
  rm -f "$dir/keepalived.pid" "$dir/vrrp.pid"
  nohup keepalived --dont-fork --vrrp --log-console -f "$1" -p "$dir/keepalived.pid" -r "$dir/vrrp.pid" \
    </dev/null >"$dir/keepalived.log" 2>&1 &
  record_pid "$dir" $!
  for _ in $(seq 1 50); do
    [ -s "$dir/vrrp.pid" ] && return 0
    alive "$dir/pid" || die "keepalived exited; see $dir/keepalived.log"
    sleep 0.1
  done
  die "keepalived started no VRRP process in 5 s; see $dir/keepalived.log"
}

# The address goes with it: keepalived gives it up (an advert with priority 0) as it stops.
stop_keepalived() {
  if use_systemd; then
    if ours /etc/keepalived/keepalived.conf; then
      step "stopping keepalived (keepalived.service)"
      systemctl disable --now keepalived.service >/dev/null 2>&1 || true
      rm -rf /etc/keepalived/keepalived.conf /etc/keepalived/ruta
    fi
  else
    stop_pidfile keepalived "$run/keepalived/pid"
  fi
  rm -rf "$run/keepalived"
}

# A line on the virtual address, if this host has one: held here, or the state it is in.
vip_status() {
  local settings move
  settings=$(recorded_vip_settings)
  [ -n "$settings" ] || return 0
  vip=${settings%% *}
  if [ -n "$(vrrp_interface "$vip")" ]; then
    step "virtual address $vip: held here"
  else
    # "<time> <instance> <state>", the last move notify.sh wrote.
    move=$(tail -1 "$run/keepalived/moves.log" 2>/dev/null || true)
    step "virtual address $vip: not here${move:+ (${move##* } since ${move%% *})}"
  fi
}

# The units this host's part would run under systemd, written to a folder and not started:
# to read, or to install by hand.
units() {
  [ $# -gt 0 ] || die "usage: $0 units DIR up-options..."
  unit_dir=$1 units_only=yes
  shift
  read_up_options "$@"
  start_consul
  has_role operations && start_operations
  has_role balancer && start_balancer
  step "units written to $unit_dir"
}

start_operations() {
  start_payara operations "$root/operations-war/target/operations.jar" "$operations_port" \
    "${settings[@]}" -Dservice.address="$address" "-Dservice.message=$message"
  [ $units_only = yes ] || given_settings operations >"$run/operations/settings"
}

# given_settings PART: what the inventory gives that server (its "set" lines, and an
# instance's greeting), one per line; a server reads them when it starts.
given_settings() { # part
  printf '%s\n' "${settings[@]}"
  [ "$1" != operations ] || printf '%s\n' "-Dservice.message=$message"
}

# Whether the server PART (operations, balancer) runs with other settings than the inventory
# now gives it: recorded when it started; one started before they were recorded counts as
# running with them. The agent and keepalived take no such settings.
settings_changed() { # part
  case $1 in operations|balancer) ;; *) return 1 ;; esac
  [ -f "$run/$1/settings" ] && [ "$(cat "$run/$1/settings")" != "$(given_settings "$1")" ]
}

# restart_if_changed PART NAME: a running server whose settings changed is stopped, for up to
# start it again with the new ones.
restart_if_changed() { # part name
  if part_running "$1" && settings_changed "$1"; then
    step "$2: its settings changed; restarting it"
    stop_part "$1" "$2"
  fi
}

start_balancer() {
  local dir="$run/balancer" options=() payara_options=()
  if serves_https; then
    mkdir -p "$dir"
    admin_listener_commands "$balancer_admin_port" 127.0.0.1 >"$dir/pre-boot-commands.asadmin"
    write_https_properties "$secrets/balancer.p12" "$secrets/balancer.password" "$dir/https.properties"
    options=("-Dbalancer.admin-port=$balancer_admin_port")
    payara_options=(--prebootcommandfile "$dir/pre-boot-commands.asadmin")
    mapfile -t -O 2 payara_options < <(https_options "$dir/https.properties" "$balancer_https_port")
  fi
  start_payara balancer "$root/balancer-war/target/balancer.jar" "$balancer_port" "${settings[@]}" "${options[@]}" -- "${payara_options[@]}"
  [ $units_only = yes ] || given_settings balancer >"$dir/settings"
}

up() {
  read_up_options "$@"
  if running; then step "already up"; return 0; fi
  if [ -n "$vip" ]; then
    [ "$(id -u)" = 0 ] || die "the virtual address needs root on this host: keepalived adds the address and sends VRRP"
    ensure_keepalived
  fi
  mkdir -p "$run"
  echo "$address" >"$run/address"
  echo "$roles" >"$run/roles"
  part_running consul || start_consul
  [ $consul_only = yes ] && { step "Consul agent up"; return 0; }
  has_role operations || has_role balancer && require_java
  has_role operations && restart_if_changed operations operations
  has_role balancer && restart_if_changed balancer balancer
  if has_role operations && ! part_running operations; then start_operations; fi
  if has_role balancer && ! part_running balancer; then start_balancer; fi
  has_role operations && await "operations passing in Consul" "$run/operations/pid" operations_passing
  if has_role balancer && serves_https; then
    await "balancer ready: https://$address:$balancer_https_port/ (admin on 127.0.0.1:$balancer_admin_port)" \
      "$run/balancer/pid" balancer_routes
  elif has_role balancer; then
    await "balancer ready: http://$address:$balancer_port/" "$run/balancer/pid" balancer_routes
  fi
  configure_vip
  step "up"
}

# The parts this host's roles need: the agent, and a server per role that has one.
parts() {
  echo consul
  has_role operations && echo operations
  has_role balancer && echo balancer
  [ -z "$vip" ] || echo keepalived
  return 0
}

running() {
  local part up=0 all=0 changed=0
  [ -f "$run/roles" ] || return 1
  roles=$(cat "$run/roles")
  for part in $(parts); do
    all=$((all + 1))
    part_running "$part" && up=$((up + 1)) && { settings_changed "$part" && changed=1 || true; }
  done
  # A server with other settings is restarted one host at a time (deploy.sh), even on a host
  # where another part is down: that part starts with it.
  [ $changed = 1 ] && return 4
  [ $up -eq $all ] && [ "$(vip_settings)" = "$(recorded_vip_settings)" ] && return 0
  [ $up -gt 0 ] && return 3
  return 1
}

# Policies by name, made once: what a balancer may read, and what the operator's 'status' may.
ensure_policy() { # name description rules
  local header=$1 name=$2 description=$3 rules=$4
  curl -sf -H @"$header" "$consul_api/v1/acl/policy/name/$name" >/dev/null 2>&1 && return 0
  printf '{"Name":"%s","Description":"%s","Rules":%s}' "$name" "$description" "$(json_string "$rules")" \
    | curl -sf -X PUT -H @"$header" --data-binary @- "$consul_api/v1/acl/policy" >/dev/null \
    || die "could not create the ACL policy $name"
}

acl() {
  local header kind accessor secret name links
  secure && [ -s "$secrets/management.token" ] || die "acl runs on a server of a secure deployment"
  mkdir -p "$run"
  header=$(token_header management)
  # The leader installs the management token shortly after it is elected.
  for _ in $(seq 1 "$wait_seconds"); do
    curl -sf -H @"$header" "$consul_api/v1/acl/policies" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -sf -H @"$header" "$consul_api/v1/acl/policies" >/dev/null 2>&1 \
    || die "the cluster's ACLs did not answer the management token in ${wait_seconds}s; see $run/consul/consul.log"
  ensure_policy "$header" ruta-balancer "Balancers: read the catalog and health" \
    'service_prefix "" { policy = "read" } node_prefix "" { policy = "read" }'
  ensure_policy "$header" ruta-operator "deploy.sh status: read peers, members, catalog" \
    'operator = "read" agent_prefix "" { policy = "read" } node_prefix "" { policy = "read" } service_prefix "" { policy = "read" }'
  while read -r kind accessor secret name; do
    curl -sf -H @"$header" "$consul_api/v1/acl/token/$accessor" >/dev/null 2>&1 && continue
    case "$kind" in
      node) links="\"NodeIdentities\":[{\"NodeName\":\"$name\",\"Datacenter\":\"dc1\"}]" ;;
      service) links="\"ServiceIdentities\":[{\"ServiceName\":\"$name\"}]" ;;
      policy) links="\"Policies\":[{\"Name\":\"$name\"}]" ;;
      *) die "unknown token kind $kind" ;;
    esac
    printf '{"AccessorID":"%s","SecretID":"%s","Description":"ruta %s %s",%s}' "$accessor" "$secret" "$kind" "$name" "$links" \
      | curl -sf -X PUT -H @"$header" --data-binary @- "$consul_api/v1/acl/token" >/dev/null \
      || die "could not create the $kind token for $name"
    step "ACL token for $kind $name"
  done
}

cluster() {
  local consul token=()
  consul=$("$root/provisioning/install-consul.sh")
  secure && token=(-token-file "$secrets/operator.token")
  step "Raft peers, as $address's agent sees them:"
  "$consul" operator raft list-peers "${token[@]}" 2>&1 | sed "s/^/[$tag]   /"
  step "members:"
  "$consul" members "${token[@]}" 2>&1 | sed "s/^/[$tag]   /"
}

status() {
  local part unit settings
  if ! use_systemd; then report_processes "$run"; vip_status; return 0; fi
  [ -f "$run/roles" ] || { step "not running"; return 0; }
  roles=$(cat "$run/roles")
  settings=$(recorded_vip_settings)
  vip=${settings%% *}
  for part in $(parts); do
    unit=$(unit_of "$part")
    if part_running "$part"; then
      step "$part: running (systemd unit ${unit%.service}, pid $(systemctl show -p MainPID --value "$unit"))"
    else
      step "$part: not running (systemd unit ${unit%.service})"
    fi
  done
  vip_status
}

down() {
  [ -d "$run" ] || { step "nothing to stop"; return 0; }
  # The virtual address first, so that it moves to another balancer host before this one's
  # balancer stops; then the servers, so they deregister through an agent that is still
  # there; then the agent, with SIGINT, on which Consul leaves the cluster gracefully.
  stop_keepalived
  stop_part balancer balancer
  stop_part operations operations
  stop_part consul "Consul agent" INT
  rm -rf "$run" "$secrets"
  step "down"
}

# The PID of a part's main process, however it runs; nothing when it does not.
part_pid() { # part
  if use_systemd; then
    systemctl show -p MainPID --value "$(unit_of "$1")" | grep -v '^0$' || true
  elif alive "$run/$1/pid"; then
    cat "$run/$1/pid"
  fi
}

# fault KIND ...: one of the faults provisioning/chaos.sh makes on purpose, on this host.
#   kill PART          SIGKILL to the part's process; systemd restarts it, else deploy.sh up does
#   stop PART          the part stopped as on shutdown (the agent leaves the cluster), for
#                      deploy.sh up to start again
#   pause PART SECONDS SIGSTOP, then SIGCONT after SECONDS, even if this script is cut short
#   deregister         this host's operations instance removed from its agent; it registers
#                      again by itself within its consul.resync-interval
fault() {
  local kind=${1:-} part=${2:-} pid id header=()
  [ -f "$run/roles" ] || die "nothing runs here to break"
  roles=$(cat "$run/roles")
  case "$kind" in
    kill|stop|pause)
      [[ " $(parts | tr '\n' ' ')" == *" $part "* ]] || die "no part '$part' on this host; it runs: $(parts | tr '\n' ' ')"
      pid=$(part_pid "$part")
      [ -n "$pid" ] || die "$part is not running" ;;
    deregister)
      has_role operations || die "no operations instance on this host" ;;
    *) die "usage: $0 fault kill|stop PART | pause PART SECONDS | deregister" ;;
  esac
  case "$kind" in
    kill)
      kill -KILL "$pid"
      # Gone before this returns, so that the next 'running' (deploy.sh up) sees it gone: a
      # process dies some time after SIGKILL, and a zombie still answers kill -0.
      for _ in $(seq 1 100); do
        [ -e "/proc/$pid" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null || break
        sleep 0.1
      done ;;
    stop)
      if use_systemd; then
        systemctl stop "$(unit_of "$part")"
      elif [ "$part" = consul ]; then
        stop_pidfile "Consul agent" "$run/consul/pid" INT
      else
        stop_pidfile "$part" "$run/$part/pid"
      fi ;;
    pause)
      [[ "${3:-}" =~ ^[1-9][0-9]?$ ]] || die "pause takes a whole number of seconds, 1 to 99"
      kill -STOP "$pid"
      # The resume does not hang on this script: a chaos run cut short leaves nothing stopped.
      setsid bash -c "sleep $3; kill -CONT $pid" </dev/null >/dev/null 2>&1 &
      sleep "$3" ;;
    deregister)
      id="operations-$(cat "$run/address")-$operations_port"
      if secure; then header=(-H @"$(token_header operations)"); fi
      curl -sf -X PUT "${header[@]}" "$consul_api/v1/agent/service/deregister/$id" >/dev/null \
        || die "the agent refused to deregister $id" ;;
  esac
  step "fault: $kind${part:+ $part}${3:+ for $3 s}"
}

# The balancer's routing table; its admin surface is on loopback in secure mode.
table() {
  curl -sf --max-time 2 "$(balancer_admin_url /balancer/services)" || die "the balancer here does not answer its table"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  up) up "$@" ;;
  status) status ;;
  running) read_running_options "$@"; running ;;
  acl) acl ;;
  units) units "$@" ;;
  cluster) address=$(cat "$run/address" 2>/dev/null || echo "?"); cluster ;;
  down) down ;;
  fault) fault "$@" ;;
  table) table ;;
  *) echo "usage: $0 up --address A --roles R[,R...] [--join S[,S...]] [--servers N] [--consul-only] [--expose-api] [--message M] [--set KEY=VALUE ...] [--vip V --vrrp-peers P[,P...] --vrrp-priority N] | acl | cluster | status | running [--set ...] [--message M] [--vip ...] | down | fault KIND [PART [SECONDS]] | table" >&2; exit 2 ;;
esac
