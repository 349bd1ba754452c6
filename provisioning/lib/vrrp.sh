# shellcheck shell=bash disable=SC2154 # $tag, step() and die() are the caller's
# The virtual address in front of the balancers (deploy.sh's 'vip' line): keepalived runs VRRP
# between the balancer hosts, over unicast, and the address lives on whichever host holds it.
# Sourced, never run.
#
#   keepalived.conf   one vrrp_instance: every host starts as BACKUP with nopreempt, so that
#                     one takes the address (the highest priority, when they start together)
#                     and a host that comes back never takes it back (a move costs requests; a
#                     second one is not worth it)
#   check.sh          the balancer's own readiness on loopback: failing twice puts the host in
#                     FAULT, which gives the address up at once (an advert with priority 0)
#   notify.sh         a line per state change in moves.log, and in syslog where there is one

# ensure_keepalived: installs Debian's keepalived (and with it its systemd unit) where it is
# missing; only root can.
ensure_keepalived() {
  local lock=/run/lock apt=(apt-get -y -qq -o DPkg::Lock::Timeout=120 install --no-install-recommends keepalived)
  # Debian puts it in /usr/sbin, which a PATH made for a login that is not root may lack.
  [[ ":$PATH:" == *:/usr/sbin:* ]] || PATH=$PATH:/usr/sbin
  command -v keepalived >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || die "keepalived is missing, and installing it needs root: run 'sudo apt-get install -y keepalived' on this host"
  [ -d "$lock" ] || lock=/tmp
  (
    # Test hosts on one machine install at the same time: one after the other, and the second
    # finds it there.
    flock 9
    command -v keepalived >/dev/null 2>&1 && exit 0
    step "installing keepalived (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" >/dev/null 2>&1 || { apt-get -qq update >/dev/null 2>&1 && "${apt[@]}" >/dev/null 2>&1; } \
      || die "could not install keepalived: run 'apt-get install -y keepalived' on this host and see why"
  ) 9>"$lock/ruta-keepalived-install.lock" || exit 1
  command -v keepalived >/dev/null 2>&1 || die "keepalived was installed but is not on the PATH ($PATH)"
}

# ipv4_number ADDRESS: the address as one number.
ipv4_number() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# same_subnet A B PREFIX-LENGTH: whether A and B lie in one subnet of that size.
same_subnet() {
  local mask=$(((0xffffffff << (32 - $3)) & 0xffffffff))
  [ $(($(ipv4_number "$1") & mask)) -eq $(($(ipv4_number "$2") & mask)) ]
}

# root_only_path PATH: whether only root can change PATH and every folder above it, which
# keepalived's enable_script_security demands of a script that root runs (a folder that anyone
# may write to but with the sticky bit, such as /tmp, passes). keepalived does not stop on an
# unsafe script: it drops the check and goes on without it, so this is asked before it starts.
root_only_path() {
  local path=$1 owner mode
  while :; do
    read -r owner mode < <(stat -c '%u %a' "$path" 2>/dev/null) || return 1
    [ "$owner" = 0 ] || return 1
    if ((8#$mode & 8#022)) && ! ((8#$mode & 8#1000)); then return 1; fi
    [ "$path" = / ] && return 0
    path=$(dirname "$path")
  done
}

# vrrp_interface ADDRESS: "<interface> <prefix length>" of the interface that carries ADDRESS,
# empty when none does. The virtual address goes on that interface, in the same subnet, so
# that the hosts beside it reach it with ARP alone.
vrrp_interface() {
  ip -o -4 addr show | awk -v a="$1" '{ split($4, p, "/"); if (p[1] == a) { print $2, p[2]; exit } }'
}

# write_vrrp_files CONFIG SCRIPTS MOVES VIP ADDRESS PEERS PRIORITY READY-URL PASSWORD-FILE: the
# keepalived configuration CONFIG (owner-only: it may hold the VRRP password), check.sh and
# notify.sh in the folder SCRIPTS (root runs them, and keepalived refuses scripts that another
# user could change), notify.sh appending to the file MOVES. PEERS is comma-separated;
# PASSWORD-FILE '-' means no authentication (classroom mode).
write_vrrp_files() {
  local config=$1 scripts=$2 moves=$3 vip=$4 address=$5 peers=$6 priority=$7 ready_url=$8 password_file=$9
  local found interface prefix peer
  found=$(vrrp_interface "$address")
  [ -n "$found" ] || die "no interface of this host carries $address: the virtual address goes beside it"
  read -r interface prefix <<<"$found"
  same_subnet "$vip" "$address" "$prefix" \
    || die "the virtual address $vip is not in $address/$prefix, the subnet of $interface: the hosts beside it could not reach it"
  # keepalived splits a script's line on spaces to find its arguments.
  [[ "$scripts$moves" != *[[:space:]\"\']* ]] || die "keepalived cannot run scripts from a folder whose path holds spaces or quotes: $scripts"
  mkdir -p "$(dirname "$config")" "$scripts" "$(dirname "$moves")"
  cat >"$scripts/check.sh" <<EOF
#!/bin/sh
# Written by Ruta's provisioning/host.sh: keepalived's check that the balancer here answers.
exec curl -sf --max-time 2 -o /dev/null $ready_url
EOF
  cat >"$scripts/notify.sh" <<EOF
#!/bin/sh
# Written by Ruta's provisioning/host.sh: keepalived calls it with "INSTANCE <name> <state> <priority>".
line="\$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) \$2 \$3"
echo "\$line" >>$moves
logger -t ruta-vip "$vip: \$line" 2>/dev/null || true
EOF
  chmod 755 "$scripts/check.sh" "$scripts/notify.sh"
  if ! root_only_path "$scripts/check.sh" || ! root_only_path "$scripts/notify.sh"; then
    die "keepalived runs its scripts as root only if no other user can change them or a folder above them, and $scripts is not root's alone: put the bundle in a folder root owns (RUTA_REMOTE_DIR)"
  fi
  (
    umask 077
    {
      echo "# Written by Ruta's provisioning/host.sh; 'host.sh down' removes it."
      echo "global_defs {"
      echo "  router_id $(node_name "$address")"
      # Scripts run as root, and only those no other user can change.
      echo "  script_user root"
      echo "  enable_script_security"
      # On a busy machine a late advert makes a backup take the address: keepalived raises
      # itself to real-time scheduling when it finds itself delayed.
      echo "  max_auto_priority"
      echo "}"
      # A killed balancer refuses at once and fails two checks within 2 s; a slow answer gets
      # 2 s, so that a busy balancer is not taken for a dead one.
      echo "vrrp_script ruta_balancer_ready {"
      echo "  script \"$scripts/check.sh\""
      echo "  interval 1"
      echo "  timeout 2"
      echo "  fall 2"
      echo "  rise 2"
      echo "}"
      echo "vrrp_instance ruta_vip {"
      echo "  state BACKUP"
      echo "  nopreempt"
      echo "  interface $interface"
      # The same on every host of the deployment: the virtual address's last number.
      echo "  virtual_router_id ${vip##*.}"
      echo "  priority $priority"
      echo "  advert_int 1"
      echo "  unicast_src_ip $address"
      echo "  unicast_peer {"
      for peer in ${peers//,/ }; do echo "    $peer"; done
      echo "  }"
      # Adverts from any address but the peers' are dropped.
      echo "  check_unicast_src"
      if [ "$password_file" != - ]; then
        echo "  authentication {"
        echo "    auth_type PASS"
        echo "    auth_pass $(cat "$password_file")"
        echo "  }"
      fi
      echo "  virtual_ipaddress {"
      echo "    $vip/$prefix dev $interface"
      echo "  }"
      echo "  track_script {"
      echo "    ruta_balancer_ready"
      echo "  }"
      # The hosts beside it learn the move from the first gratuitous ARPs; a second round a
      # second later reaches one that missed them.
      echo "  garp_master_delay 1"
      echo "  garp_master_repeat 3"
      echo "  notify \"$scripts/notify.sh\""
      echo "}"
    } >"$config"
    chmod 600 "$config"
  )
}
