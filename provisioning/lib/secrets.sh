# shellcheck shell=bash disable=SC2154 # $consul, $tag and die() are the caller's
# The secrets of a secure deployment, on the machine that runs deploy.sh. They are made on the
# first 'up' into a folder beside the inventory that only its owner can read, and reused by
# every later run: adding a host never re-keys the cluster. Nothing here is printed or put on
# a command line; each host is sent only the secrets of its own roles.
#
#   <inventory>.secrets/
#     gossip.key               Serf's encryption key (consul keygen)
#     tls/ca.pem, ca-key.pem   the cluster's CA (consul tls ca create); its key never leaves here
#     tls/<address>-server.pem, -client.pem (and -key.pem)   each host's certificate
#     https/ca.pem, ca-key.pem the balancers' HTTPS CA (lib/tls.sh), apart from the agents' own:
#                              browsers are told to trust it; its key never leaves here
#     https/<address>.p12, .password   each balancer host's key store for HTTPS
#     tokens/<name>            "<AccessorID> <SecretID>" of an ACL token, made up here and
#                              created in Consul with these IDs by 'host.sh acl'
#     vrrp.password            with a 'vip' line: the balancer hosts' VRRP password (keepalived's
#                              PASS authentication, 8 characters at most)

datacenter=dc1

new_uuid() { cat /proc/sys/kernel/random/uuid; }

# ensure_secrets DIR: makes whatever is missing, never replaces what is there.
ensure_secrets() {
  local dir=$1
  (
    umask 077
    mkdir -p "$dir/tls" "$dir/tokens"
    chmod 700 "$dir" "$dir/tls" "$dir/tokens"
    [ -s "$dir/gossip.key" ] || "$consul" keygen >"$dir/gossip.key"
    if [ ! -s "$dir/tls/ca.pem" ]; then
      cd "$dir/tls"
      "$consul" tls ca create -days 3650 >/dev/null
      mv consul-agent-ca-key.pem ca-key.pem
      mv consul-agent-ca.pem ca.pem
    fi
  ) || die "could not make the secrets in $dir"
  ensure_token "$dir" management
  ensure_token "$dir" operator
}

ensure_token() { # dir name
  [ -s "$1/tokens/$2" ] || (umask 077 && echo "$(new_uuid) $(new_uuid)" >"$1/tokens/$2")
}

# ensure_certificate DIR ADDRESS server|client: a server's names server.<dc>.consul, which
# agents check (verify_server_hostname); a client's certificate only proves it is one of ours.
ensure_certificate() {
  local dir=$1 address=$2 kind=$3 work
  [ -s "$dir/tls/$address-$kind.pem" ] && return 0
  work=$(mktemp -d "$dir/tls/new.XXXXXX")
  (
    umask 077
    cd "$work"
    "$consul" tls cert create "-$kind" -dc "$datacenter" -ca ../ca.pem -key ../ca-key.pem -days 1825 \
      -additional-ipaddress "$address" >/dev/null
    mv ./*-key.pem "../$address-$kind-key.pem"
    mv ./*.pem "../$address-$kind.pem"
  ) || die "could not make the certificate of $address"
  rmdir "$work"
}

# ensure_vrrp_password DIR: the password the balancer hosts' keepalived exchange; VRRPv2 carries
# it in clear in every advert, so it keeps apart two deployments on one LAN, and no attacker.
ensure_vrrp_password() {
  # 6 random bytes are 8 characters of base64, the most VRRPv2 takes.
  [ -s "$1/vrrp.password" ] || (umask 077 && head -c 6 /dev/urandom | base64 >"$1/vrrp.password") \
    || die "could not make the VRRP password in $1"
}

token_accessor() { cut -d' ' -f1 "$1/tokens/$2"; }
token_secret() { cut -d' ' -f2 "$1/tokens/$2"; }

# ensure_host_secrets DIR ADDRESS ROLES [VIP]: the host's certificate, and a token for its agent
# and for each of its servers. A balancer's HTTPS certificate also names the virtual address, if
# there is one when it is made.
ensure_host_secrets() {
  local dir=$1 address=$2 roles=$3 vip=${4:-} kind=client
  role_in "$roles" consul-server && kind=server
  ensure_certificate "$dir" "$address" "$kind"
  ensure_token "$dir" "agent-$address"
  if role_in "$roles" operations; then ensure_token "$dir" "operations-$address"; fi
  if role_in "$roles" balancer; then
    ensure_token "$dir" "balancer-$address"
    ensure_https_ca "$dir/https"
    ensure_https_certificate "$dir/https" "$address" "IP:$address${vip:+,IP:$vip}"
  fi
}

# stage_host_secrets DIR ADDRESS ROLES STAGE: the host's share, in STAGE/secrets, as host.sh
# reads it: the gossip key, the CA's certificate, its own certificate, its agent's token, and a
# token per server it runs (a Consul server also gets the management and operator tokens; a
# balancer host its HTTPS key store and that store's password, and the VRRP password if there is one).
stage_host_secrets() {
  local dir=$1 address=$2 roles=$3 out="$4/secrets" kind=client
  role_in "$roles" consul-server && kind=server
  (
    umask 077
    mkdir -p "$out"
    cp "$dir/gossip.key" "$out/gossip.key"
    cp "$dir/tls/ca.pem" "$out/ca.pem"
    cp "$dir/tls/$address-$kind.pem" "$out/cert.pem"
    cp "$dir/tls/$address-$kind-key.pem" "$out/key.pem"
    token_secret "$dir" "agent-$address" >"$out/agent.token"
    if [ $kind = server ]; then
      token_secret "$dir" management >"$out/management.token"
      token_secret "$dir" operator >"$out/operator.token"
    fi
    if role_in "$roles" operations; then token_secret "$dir" "operations-$address" >"$out/operations.token"; fi
    if role_in "$roles" balancer; then
      token_secret "$dir" "balancer-$address" >"$out/balancer.token"
      cp "$dir/https/$address.p12" "$out/balancer.p12"
      cp "$dir/https/$address.password" "$out/balancer.password"
      if [ -s "$dir/vrrp.password" ]; then cp "$dir/vrrp.password" "$out/vrrp.password"; fi
    fi
  ) || die "could not gather the secrets of $address"
}

# acl_plan DIR ADDRESS ROLES: the tokens the host's roles need, as 'host.sh acl' reads them
# ("<kind> <AccessorID> <SecretID> <name>"): its agent may write its own node only, its
# operations instance its own service only, its balancer read the catalog only.
acl_plan() {
  local dir=$1 address=$2 roles=$3
  echo "node $(token_accessor "$dir" "agent-$address") $(token_secret "$dir" "agent-$address") $(node_name "$address")"
  if role_in "$roles" operations; then
    echo "service $(token_accessor "$dir" "operations-$address") $(token_secret "$dir" "operations-$address") operations"
  fi
  if role_in "$roles" balancer; then
    echo "policy $(token_accessor "$dir" "balancer-$address") $(token_secret "$dir" "balancer-$address") ruta-balancer"
  fi
}
