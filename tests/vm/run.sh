#!/usr/bin/env bash
# Boots a stock Debian kernel in qemu with pidone as its PID 1, once per
# scenario, one at a time, and judges the exit status of PID 1 (decoded
# from the kernel's "Attempted to kill init!" line) and the console.
#
#   tests/vm/run.sh [SCENARIO...]      default: every tests/vm/scenarios/*.sh
#   tests/vm/run.sh --selftest         the harness's own tests: every
#       tests/vm/selftest/*.sh must FAIL, for the reason its SELFTEST_REASON
#       (an extended regex) names; then each counts as passed
#
# PIDONE_BIN  the static binary to test (default: the musl release build)
# VM_DIR      cache for the kernel, the base initramfs and the logs (target/vm)
# VM_VERBOSE  1: print every console line as it comes
# See tests/vm/README.md for the scenario format.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
PIDONE_BIN=${PIDONE_BIN:-target/x86_64-unknown-linux-musl/release/pidone}
VM_DIR=${VM_DIR:-target/vm}
VM_VERBOSE=${VM_VERBOSE:-0}

die() { echo "vm-test: $*" >&2; exit 2; }
[[ -x $PIDONE_BIN ]] || die "no binary at $PIDONE_BIN (run make static)"
file -b "$PIDONE_BIN" | grep -q 'statically linked' ||
  die "$PIDONE_BIN is not statically linked: the VM has no libc"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"

mkdir -p "$VM_DIR"
"$here/fetch-kernel.sh" "$VM_DIR/vmlinux" || die "cannot fetch the kernel"
"$here/mkbase.sh" "$VM_DIR" || die "cannot build the base initramfs"

selftest=0
if [[ ${1:-} == --selftest ]]; then
  selftest=1
  shift
fi
dir=scenarios
((selftest)) && dir=selftest
scenarios=()
if (($# == 0)); then
  scenarios=("$here/$dir"/*.sh)
else
  for s in "$@"; do
    if [[ -f $s ]]; then scenarios+=("$s")
    elif [[ -f $here/$dir/$s.sh ]]; then scenarios+=("$here/$dir/$s.sh")
    else die "no scenario $s (looked in tests/vm/$dir/)"
    fi
  done
fi

# One boot: prints nothing, leaves the console in $log, returns qemu's
# (or timeout's) status.
boot() {
  local initrd=$1 log=$2 timeout=$3 mem=$4
  timeout -k 3 "$timeout" qemu-system-x86_64 \
    -accel tcg -M pc -cpu max -smp 1 -m "$mem" \
    -nodefaults -no-user-config -display none -serial stdio -no-reboot \
    -kernel "$VM_DIR/vmlinux" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 $KERNEL_ARGS" \
    </dev/null 2>&1 | tr -d '\r' | { if [[ $VM_VERBOSE == 1 ]]; then tee "$log"; else cat >"$log"; fi; }
  return "${PIPESTATUS[0]}"
}

passed=0 failed=0 skipped=0
failures=()
for file in "${scenarios[@]}"; do
  name=$(basename "$file" .sh)
  # The scenario's settings, read in a subshell so scenarios cannot leak.
  # shellcheck disable=SC1090
  eval "$(
    # shellcheck disable=SC2034 # read by the scenario and by the loop below
    PIDONE_ARGS='' EXPECT_EXIT='' EXPECT_SIGNAL='' EXPECT_CONSOLE='' EXPECT_NO_CONSOLE=''
    # shellcheck disable=SC2034
    CONTAINER=0 CGROUP_NAME=container REQUIRES='' TIMEOUT=30 MEMORY=256 KERNEL_ARGS='' FILES=''
    # shellcheck disable=SC2034
    STOP_AFTER='' STOP_SIGNAL=TERM VM_SIDE=host SELFTEST_REASON=''
    . "$file" || exit 1
    for v in PIDONE_ARGS EXPECT_EXIT EXPECT_SIGNAL EXPECT_CONSOLE EXPECT_NO_CONSOLE \
             CONTAINER CGROUP_NAME REQUIRES TIMEOUT MEMORY KERNEL_ARGS FILES \
             STOP_AFTER STOP_SIGNAL SELFTEST_REASON; do
      printf '%s=%q\n' "$v" "${!v}"
    done
    declare -F host_check >/dev/null && echo 'HAS_HOST_CHECK=1' || echo 'HAS_HOST_CHECK=0'
  )" || { echo "FAIL $name: cannot read $file"; failed=$((failed + 1)); failures+=("$name"); continue; }
  if [[ -z $EXPECT_EXIT && -z $EXPECT_SIGNAL ]]; then
    echo "FAIL $name: sets neither EXPECT_EXIT nor EXPECT_SIGNAL"
    failed=$((failed + 1)); failures+=("$name"); continue
  fi

  run_dir=$VM_DIR/run/$name
  rm -rf "$run_dir" && mkdir -p "$run_dir"
  # The values the host read win in the guest too: /t/config, sourced after
  # the scenario, in POSIX single quotes (' written as '\'').
  {
    printf 'VM_SIDE=guest\n'
    for v in SCENARIO CONTAINER CGROUP_NAME REQUIRES PIDONE_ARGS STOP_AFTER STOP_SIGNAL; do
      [[ $v == SCENARIO ]] && val=$name || val=${!v}
      printf "%s='%s'\n" "$v" "${val//\'/\'\\\'\'}"
    done
  } >"$run_dir/config"
  {
    echo "file /init 0755 $here/init.sh"
    echo "file /sbin/pidone 0755 $PIDONE_BIN"
    echo "dir /t 0755"
    echo "file /t/config 0644 $run_dir/config"
    echo "file /t/scenario.sh 0644 $file"
    echo "file /t/main 0755 $here/main.sh"
    # FILES: extra files, HOST:GUEST pairs (HOST relative to the repository).
    for pair in $FILES; do
      src=${pair%%:*} dst=${pair#*:}
      [[ -f $src ]] || die "$name: FILES names $src, which does not exist"
      d=$(dirname "$dst")
      while [[ $d != / ]]; do echo "dir $d 0755"; d=$(dirname "$d"); done | tac
      echo "file $dst $(stat -c %a "$src") $src"
    done
  } | awk '!seen[$0]++' >"$run_dir/list"
  python3 "$here/mkcpio.py" "$run_dir/test.cpio" <"$run_dir/list" || die "cannot write $run_dir/test.cpio"
  cat "$VM_DIR/base.cpio" "$run_dir/test.cpio" >"$run_dir/initrd"
  log=$run_dir/console.log

  start=${EPOCHREALTIME/./}
  boot "$run_dir/initrd" "$log" "$TIMEOUT" "$MEMORY"
  rc=$?
  # Only the console is worth keeping (the initrd is rebuilt every run).
  rm -f "$run_dir/initrd" "$run_dir/test.cpio"
  tenths=$(((${EPOCHREALTIME/./} - start) / 100000))
  secs=$((tenths / 10)).$((tenths % 10))

  why=
  skip=$(sed -n 's/^PIDONE-VM: SKIP //p' "$log" | head -1)
  line=$(grep -o 'Attempted to kill init! exitcode=0x[0-9a-fA-F]*' "$log" | head -1)
  if [[ -n $skip ]]; then
    echo "SKIP $name: $skip"
    skipped=$((skipped + 1))
    continue
  elif ((rc == 124 || rc == 137)); then
    why="timed out after ${TIMEOUT}s"
  elif grep -q '^PIDONE-VM: ERROR' "$log"; then
    why=$(grep -m1 '^PIDONE-VM: ERROR' "$log")
  elif ! grep -q '^PIDONE-VM: exec pidone' "$log"; then
    why="/init never reached pidone"
  elif [[ -z $line ]]; then
    why="no 'Attempted to kill init!' line: PID 1's exit status is unknown"
  else
    status=$((16#${line##*0x}))
    sig=$((status & 0x7f)) code=$(((status >> 8) & 0xff))
    if ((sig != 0)); then got="signal $sig"; else got="exit $code"; fi
    if [[ -n $EXPECT_SIGNAL ]]; then want="signal $EXPECT_SIGNAL"; else want="exit $EXPECT_EXIT"; fi
    [[ $got == "$want" ]] || why="pidone ended with $got, expected $want"
  fi
  if [[ -z $why ]]; then
    while IFS= read -r re; do
      [[ -z $re ]] && continue
      grep -Eq -- "$re" "$log" || { why="console lacks /$re/"; break; }
    done <<<"$EXPECT_CONSOLE"
  fi
  if [[ -z $why ]]; then
    while IFS= read -r re; do
      [[ -z $re ]] && continue
      if grep -Eq -- "$re" "$log"; then why="console has /$re/: $(grep -Em1 -- "$re" "$log")"; break; fi
    done <<<"$EXPECT_NO_CONSOLE"
  fi
  if [[ -z $why && $HAS_HOST_CHECK == 1 ]]; then
    # shellcheck disable=SC1090
    if ! out=$( . "$file"; host_check "$log" 2>&1 ); then why="host_check: ${out:-failed}"; fi
  fi

  if ((selftest)); then
    # The harness must have failed this scenario, for the stated reason.
    if [[ -z $why ]]; then
      why="the harness passed a scenario that must fail ($SELFTEST_REASON)"
    elif [[ $why =~ $SELFTEST_REASON ]]; then
      echo "PASS selftest $name (${secs}s): failed as it must: $why"
      passed=$((passed + 1))
      continue
    else
      why="failed for another reason than /$SELFTEST_REASON/: $why"
    fi
  fi

  if [[ -z $why ]]; then
    echo "PASS $name (${secs}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name (${secs}s): $why"
    echo "---- last console lines ($log) ----"
    # Up to the panic line: the kernel's stack trace after it says nothing.
    awk 'NF { print } /Kernel panic/ { exit }' "$log" | tail -n 25 | sed 's/^/    /'
    echo "----"
    failed=$((failed + 1)); failures+=("$name")
  fi
done

((failed == 0)) || echo "failed: ${failures[*]}"
label=vm-test
((selftest)) && label=vm-selftest
echo "$label: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
