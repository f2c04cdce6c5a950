#!/usr/bin/env bash
# Stops the private Dovecot and Postfix that start.sh DIR started (and only those: each is
# found by its own pid file under DIR). Safe to run twice or after a failed start.
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
export PATH="$PATH:/usr/sbin:/sbin"

if [ -f "$dir/postfix/main.cf" ]; then
  postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
  # `postfix stop` returns before the master has exited; make sure it is gone.
  pidfile="$dir/postfix/spool/pid/master.pid"
  if [ -f "$pidfile" ]; then
    pid="$(tr -d ' ' < "$pidfile")"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi

pidfile="$dir/dovecot/run/master.pid"
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
fi
exit 0
