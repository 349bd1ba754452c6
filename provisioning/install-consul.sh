#!/usr/bin/env bash
# Prints the path of a real Consul agent binary, installing one first if needed.
# Prefers a consul already on PATH; otherwise takes Debian bullseye's consul package
# (a complete agent) from the mirror this machine's apt already uses, into a
# git-ignored folder of the project, without touching the system's apt sources.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest="${RUTA_TOOLS_DIR:-$root/.tools}/consul"
bin="$dest/x/usr/bin/consul"

if [ -n "${CONSUL_BIN:-}" ] && [ -x "$CONSUL_BIN" ]; then echo "$CONSUL_BIN"; exit 0; fi
if command -v consul >/dev/null 2>&1; then command -v consul; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mirror=$(awk '$1=="URIs:"{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "install-consul: no Debian mirror found in apt's sources" >&2; exit 1; }

mkdir -p "$dest/lists/partial"
printf 'deb %s bullseye main\n' "$mirror" > "$dest/sources.list"
opts=(-oDir::Etc::SourceList="$dest/sources.list" -oDir::Etc::SourceParts=/dev/null
      -oDir::State::Lists="$dest/lists" -oDir::Cache="$dest/cache" -oAPT::Sandbox::User=root)
mkdir -p "$dest/cache/archives/partial"
echo "install-consul: fetching Debian bullseye's consul package from $mirror" >&2
apt-get "${opts[@]}" -qq update >&2
(cd "$dest" && apt-get "${opts[@]}" -qq download consul >&2)
rm -rf "$dest/x"
dpkg -x "$dest"/consul_*.deb "$dest/x"
"$bin" version >&2
echo "$bin"
