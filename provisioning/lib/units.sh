# shellcheck shell=bash disable=SC2154 # $run and $unit_dir are the caller's
# systemd units for the parts of a host (host.sh), used where systemd runs the machine: the
# agent and each server then start at boot, after the network (and a server after the agent),
# restart when they fail, and stop with the signal on which they leave cleanly.

# unit_word WORD: WORD as one argument of an Exec line: quoted, with systemd's specifiers (%)
# and variables ($) kept literal.
unit_word() {
  local word=${1//\\/\\\\}
  word=${word//\"/\\\"}
  word=${word//%/%%}
  word=${word//\$/\$\$}
  printf '"%s"' "$word"
}

# write_unit PART DESCRIPTION AFTER STOP-SIGNAL LOG ENVIRONMENT-FILE COMMAND...: the unit
# ruta-PART.service in $unit_dir. The environment file (owner-only) carries the part's token;
# '-' means none.
write_unit() {
  local part=$1 description=$2 after=$3 signal=$4 log=$5 environment=$6 word exec=""
  shift 6
  for word in "$@"; do exec+=" $(unit_word "$word")"; done
  mkdir -p "$unit_dir"
  {
    echo "# Written by Ruta's provisioning/host.sh; 'host.sh down' removes it."
    echo "[Unit]"
    echo "Description=$description"
    echo "Wants=network-online.target${after:+ $after}"
    echo "After=network-online.target${after:+ $after}"
    echo
    echo "[Service]"
    echo "ExecStart=${exec# }"
    [ "$environment" = - ] || echo "EnvironmentFile=$environment"
    echo "KillSignal=$signal"
    echo "TimeoutStopSec=30"
    # A JVM stopped by SIGTERM exits 143: a clean stop, not a failure to restart from.
    echo "SuccessExitStatus=143"
    echo "Restart=on-failure"
    echo "RestartSec=2"
    echo "StandardOutput=append:$log"
    echo "StandardError=inherit"
    echo
    echo "[Install]"
    echo "WantedBy=multi-user.target"
  } >"$unit_dir/ruta-$part.service"
}
