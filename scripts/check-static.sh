#!/usr/bin/env bash
# make check-static: the static binary as PID 1 of a new PID namespace
# passes the program's exit status through.
set -uo pipefail
bin=${1:-target/x86_64-unknown-linux-musl/release/pidone}
passed=0 failed=0
check() { # WANT ARGS...: pidone ARGS as PID 1 must exit with WANT
  local want=$1; shift
  timeout -k 2 20 unshare --pid --fork --mount-proc --kill-child "$bin" "$@" </dev/null >/dev/null 2>&1
  local got=$?
  if [[ $got == "$want" ]]; then passed=$((passed + 1)); echo "PASS exit $want: $*"
  else failed=$((failed + 1)); echo "FAIL: pidone $* exited $got, expected $want"; fi
}
check 0 -- true
check 42 -- sh -c 'exit 42'
check 137 -- sh -c 'kill -KILL $$'
check 143 -- sh -c 'kill -TERM 1; sleep 10'
check 0 -e 3 -- sh -c 'exit 3'
check 127 -- /no/such/program
check 0 -- sh -c 'test "$PPID" = 1'
echo "check-static: $passed passed, $failed failed"
((failed == 0))
