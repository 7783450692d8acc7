#!/usr/bin/env bash
# Builds the cached base initramfs $1/base.cpio: busybox-static with its
# applet links, the cgns helper, /dev/console and a minimal /etc. Each test
# appends its own small cpio (/init, /sbin/pidone, /t/...) after it.
# Rebuilt only when its inputs change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
busybox=${BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || { echo "mkbase: $busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
file -b "$busybox" | grep -q 'statically linked' || { echo "mkbase: $busybox is not static (install busybox-static)" >&2; exit 1; }

key=$(cat "$0" "$here/cgns.c" "$here/mkcpio.py" "$busybox" | sha256sum | cut -c1-16)
[[ -s $dir/base.cpio && $(cat "$dir/base.key" 2>/dev/null) == "$key" ]] && exit 0

build=$dir/base-build
rm -rf "$build" && mkdir -p "$build"
if command -v musl-gcc >/dev/null; then
  musl-gcc -static -Os -s -o "$build/cgns" "$here/cgns.c"
else
  cc -static -Os -s -o "$build/cgns" "$here/cgns.c"
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$build/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$build/group"

{
  for d in bin sbin usr usr/bin usr/sbin dev proc sys tmp etc root t; do echo "dir /$d 0755"; done
  echo "char /dev/console 0600 5 1"
  echo "char /dev/null 0666 1 3"
  echo "file /bin/busybox 0755 $busybox"
  echo "file /bin/cgns 0755 $build/cgns"
  echo "file /etc/passwd 0644 $build/passwd"
  echo "file /etc/group 0644 $build/group"
  "$busybox" --list-full | while read -r applet; do
    [[ $applet == bin/busybox ]] || echo "link /$applet /bin/busybox"
  done
} >"$build/list"
python3 "$here/mkcpio.py" "$dir/base.cpio" <"$build/list"
echo "$key" >"$dir/base.key"
echo "mkbase: $dir/base.cpio ($(stat -c %s "$dir/base.cpio") bytes)" >&2
