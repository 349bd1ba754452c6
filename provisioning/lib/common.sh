# Shell functions shared by the provisioning scripts; sourced, never run.
# The caller sets $root (the project or bundle folder) and $tag (the prefix of its messages).

step() { printf '[%s] %s\n' "$tag" "$*"; }
die() { printf '[%s] error: %s\n' "$tag" "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

jvm_options() { grep -vE '^\s*(#|$)' "$root/payara-config/jvm.options"; }

# stop_pidfile NAME PIDFILE [SIGNAL]: asks the process to stop, waits up to 30 s, then kills it.
# Only ever the PID the script itself recorded.
stop_pidfile() {
  local name=$1 pidfile=$2 signal=${3:-TERM} pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 0
  step "stopping $name (pid $pid)"
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  step "$name did not stop in 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}
