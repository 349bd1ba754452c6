# shellcheck shell=bash disable=SC2154 # die() is the caller's
# The balancer's HTTPS: a certificate authority of its own and certificates it signs, made with
# openssl. Sourced, never run. Everything is written owner-only; the CA's key never leaves DIR.
#
#   DIR/ca.pem, ca-key.pem          the CA (10 years); clients are told to trust ca.pem
#   DIR/NAME.p12, NAME.password     a PKCS#12 key store (the key and its certificate chain, alias
#                                   ruta) and its random password
# Payara Micro reads the key store's path and password from a properties file given with
# --systemProperties (https_properties), so the password is never on a command line.

# ensure_https_ca DIR: makes the CA if there is none; never replaces one.
ensure_https_ca() {
  local dir=$1
  [ -s "$dir/ca.pem" ] && [ -s "$dir/ca-key.pem" ] && return 0
  (
    umask 077
    mkdir -p "$dir" && chmod 700 "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/CN=Ruta balancer CA $(hostname)" -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" \
      -addext "basicConstraints=critical,CA:true,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  ) || die "could not make the HTTPS certificate authority in $dir"
}

# ensure_https_certificate DIR NAME SAN: a server certificate for the names in SAN (openssl's
# subjectAltName syntax, e.g. IP:127.0.0.1,DNS:localhost), signed by DIR's CA, in DIR/NAME.p12
# with a fresh random password in DIR/NAME.password. Kept if it is there already.
ensure_https_certificate() {
  local dir=$1 name=$2 san=$3 work password
  [ -s "$dir/$name.p12" ] && [ -s "$dir/$name.password" ] && return 0
  work=$(mktemp -d "$dir/new.XXXXXX")
  (
    umask 077
    password=$(openssl rand -hex 24)
    printf 'subjectAltName=%s\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
      "$san" >"$work/extensions"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${san#*:}" \
      -keyout "$work/key.pem" -out "$work/request.pem" 2>/dev/null
    openssl x509 -req -in "$work/request.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -set_serial "0x$(openssl rand -hex 16)" \
      -days 825 -extfile "$work/extensions" -out "$work/certificate.pem" 2>/dev/null
    # The password reaches openssl through its environment, not its arguments.
    KEY_STORE_PASSWORD=$password openssl pkcs12 -export -name ruta -in "$work/certificate.pem" -inkey "$work/key.pem" \
      -certfile "$dir/ca.pem" -out "$work/key-store.p12" -passout env:KEY_STORE_PASSWORD
    printf '%s\n' "$password" >"$work/password"
    mv "$work/key-store.p12" "$dir/$name.p12"
    mv "$work/password" "$dir/$name.password"
  ) || die "could not make the HTTPS certificate $name in $dir"
  rm -rf "$work"
}

# write_https_properties KEY-STORE PASSWORD-FILE OUT: the system properties that give Payara
# Micro the key store, written owner-only to OUT.
write_https_properties() {
  (
    umask 077
    printf 'javax.net.ssl.keyStore=%s\njavax.net.ssl.keyStoreType=PKCS12\njavax.net.ssl.keyStorePassword=%s\n' \
      "$1" "$(cat "$2")" >"$3"
  ) || die "could not write $3"
}

# https_options PROPERTIES PORT: the Payara Micro options that serve HTTPS (and HTTP/2, offered
# through ALPN) on PORT with the key store PROPERTIES names.
https_options() {
  printf '%s\n' --sslPort "$2" --sslCert ruta --systemProperties "$1"
}
