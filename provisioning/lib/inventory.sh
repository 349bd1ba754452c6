# shellcheck shell=bash
# A deployment's inventory (see provisioning/hosts.example) and how to reach its hosts: read by
# deploy.sh, which runs the hosts, and chaos.sh, which breaks them on purpose. The sourcing
# script has sourced lib/common.sh and set root.
#
# SSH holds the ssh command and its options (default "ssh -o BatchMode=yes"); the bundle lives in
# RUTA_REMOTE_DIR on an ssh host (default ruta, relative to the login's home folder) and in
# RUTA_HOSTS_DIR/<name> for a namespace host.

ssh_command=${SSH:-ssh -o BatchMode=yes}
remote_dir=${RUTA_REMOTE_DIR:-ruta}
hosts_dir=${RUTA_HOSTS_DIR:-$root/.hosts}
# The Consul binary a namespace host uses (it reaches no mirror); set by the caller where needed.
local_consul=""
addresses=() roles=() reaches=() greetings=() vip="" settings=()

read_inventory() {
  local file=$1 address role reach greeting
  [ -f "$file" ] || die "no inventory at $file"
  while read -r address role reach greeting; do
    [ -z "$address" ] || [[ "$address" == \#* ]] && continue
    if [ "$address" = vip ]; then
      [ -z "$vip" ] || die "$file: more than one vip line"
      if [ -z "$role" ] || [ -n "$reach$greeting" ]; then die "$file: a vip line is 'vip <address>', alone on its line"; fi
      ipv4 "$role" || die "$file: vip '$role' is not an IPv4 address"
      # keepalived's virtual router id is its last number (lib/vrrp.sh), which must not be 0.
      [ "${role##*.}" != 0 ] || die "$file: vip $role ends in .0; take an address whose last number is 1 to 255"
      vip=$role
      continue
    fi
    if [ "$address" = set ]; then
      setting_line "$file" "$role${reach:+ $reach}${greeting:+ $greeting}"
      continue
    fi
    [ -n "$reach" ] || die "$file: '$address' needs roles and a reach"
    case "$reach" in ssh:?*|netns:?*) ;; *) die "$file: reach '$reach' is neither ssh:<destination> nor netns:<name>" ;; esac
    check_roles "$role"
    [[ " ${addresses[*]} " == *" $address "* ]] && die "$file: $address is listed twice"
    addresses+=("$address") roles+=("$role") reaches+=("$reach") greetings+=("$greeting")
  done <"$file"
  [ "${#addresses[@]}" -gt 0 ] || die "$file lists no host"
  if [ -n "$vip" ]; then
    [[ " ${addresses[*]} " != *" $vip "* ]] || die "$file: the vip $vip is a host's own address; take a free one in the balancer hosts' subnet"
    [ "$(balancer_addresses | wc -w)" -ge 2 ] || die "$file: a vip moves between balancer hosts, and fewer than two have the balancer role"
  fi
}

# setting_line FILE KEY=VALUE: a "set" line, a MicroProfile Config setting for every Ruta server
# of the deployment (each reads the keys it knows). The keys deploy.sh sets itself are refused:
# changing them would cut a server off from its agent or its address, and a token must never
# be on a command line.
setting_line() {
  local file=$1 setting=$2 key
  key=${setting%%=*}
  [[ "$setting" == *=?* && "$key" =~ ^[A-Za-z][A-Za-z0-9_.-]*$ ]] \
    || die "$file: a set line is 'set <key>=<value>', a MicroProfile Config key such as balancer.strategy, not 'set $setting'"
  case "$key" in
    consul.url|consul.token|service.address|service.port|service.message|balancer.admin-port)
      die "$file: $key is set by deploy.sh itself for each host; it cannot be set for all" ;;
  esac
  settings+=("$setting")
}

# ipv4 WORD: whether WORD is an IPv4 address as ip(8) prints one (no leading zeros).
ipv4() {
  local number='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
  [[ "$1" =~ ^($number\.){3}$number$ ]]
}

balancer_addresses() {
  local i
  for i in "${!addresses[@]}"; do
    if role_in "${roles[$i]}" balancer; then echo "${addresses[$i]}"; fi
  done
}

# The addresses of the consul-server hosts, comma-separated: 1, 3 or 5 of them, as Raft needs
# a majority (an even count survives no more losses than the odd count below it).
server_addresses() {
  local i found=()
  for i in "${!addresses[@]}"; do
    role_in "${roles[$i]}" consul-server && found+=("${addresses[$i]}")
  done
  case ${#found[@]} in
    1|3|5) ;;
    0) die "no host has the consul-server role" ;;
    *) die "${#found[@]} hosts have the consul-server role; Consul needs 1, 3 or 5" ;;
  esac
  (IFS=,; echo "${found[*]}")
}

# Runs a shell command line on the host, passing stdin through. Both reaches run the same
# command line; a namespace host shares this machine's disk but not its network, so it gets
# this machine's Consul binary rather than fetching one, and never systemd units (they would
# run outside its namespace).
remote() { # reach command-line
  case "$1" in
    ssh:*) $ssh_command "${1#ssh:}" "$2" ;;
    netns:*) ip netns exec "${1#netns:}" env CONSUL_BIN="$local_consul" RUTA_SYSTEMD=no bash -c "$2" ;;
  esac
}

# Where the bundle lives on the host.
folder() { # reach
  case "$1" in
    ssh:*) printf %q "$remote_dir" ;;
    netns:*) printf %q "$hosts_dir/${1#netns:}" ;;
  esac
}

on_host() { # reach host.sh-arguments...
  local reach=$1; shift
  remote "$reach" "cd $(folder "$reach") && bash provisioning/host.sh $(printf '%q ' "$@")" </dev/null
}

host_status() { on_host "${reaches[$1]}" status; }

uses_netns() { [[ " ${reaches[*]}" == *" netns:"* ]]; }

# Whether the lines of a host's 'host.sh status' say it holds the virtual address.
holds_vip() { grep -q "virtual address $vip: held here" <<<"$1"; }

# The addresses of the balancer hosts that hold the virtual address, space-separated: one, or
# two while they cannot hear each other.
vip_holders() {
  local i holders=()
  for i in "${!addresses[@]}"; do
    role_in "${roles[$i]}" balancer || continue
    if holds_vip "$(host_status "$i" 2>/dev/null)"; then holders+=("${addresses[$i]}"); fi
  done
  echo "${holders[*]}"
}

