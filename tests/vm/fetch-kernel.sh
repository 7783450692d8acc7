#!/usr/bin/env bash
# Fetches Debian's stock amd64 kernel (linux-image-amd64 and the versioned
# package it depends on) with apt and leaves its uncompressed vmlinux in
# $1 (default target/vm/vmlinux). qemu boots that ELF through its PVH entry,
# which is several seconds faster than the bzImage through SeaBIOS.
# Idempotent: does nothing when the file is already there.
set -euo pipefail
out=${1:-target/vm/vmlinux}
[[ -s $out ]] && exit 0
work=$(dirname "$out")/kernel-dl
rm -rf "$work" && mkdir -p "$work"

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
  awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [[ -z $pkg ]]; then
  apt-get update -qq
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[[ -n $pkg ]] || { echo "fetch-kernel: cannot resolve linux-image-amd64" >&2; exit 1; }
echo "fetch-kernel: downloading $pkg" >&2
# apt's download sandbox user needs to write here.
chmod 777 "$work"
(cd "$work" && apt-get download -q "$pkg" >/dev/null)
deb=$(ls "$work"/linux-image-*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
bz=$(ls "$work"/boot/vmlinuz-*)

# The bzImage holds the kernel as one xz stream: find its magic and
# decompress that single stream.
off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
[[ -n $off ]] || { echo "fetch-kernel: no xz stream in $bz" >&2; exit 1; }
# tail dies of SIGPIPE once xz has read its one stream: judge xz alone.
set +o pipefail
tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$out.tmp"
[[ ${PIPESTATUS[1]} == 0 ]] || { echo "fetch-kernel: xz failed on $bz" >&2; exit 1; }
set -o pipefail
[[ $(file -b "$out.tmp") == "ELF 64-bit"* ]] || { echo "fetch-kernel: $out.tmp is not an ELF kernel" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "$pkg" >"$out.version"
rm -rf "$work"
echo "fetch-kernel: $out ($pkg)" >&2
