#!/usr/bin/env bash
# Builds libseccomp as a static library for musl and prints the directory
# that holds only libseccomp.a (for LIBSECCOMP_LIB_PATH).
#
# Debian's libseccomp.a is built against glibc and does not link with musl
# (undefined __fprintf_chk), so this builds Debian's source package with
# musl-gcc. The source comes through a private apt configuration that
# enables deb-src for the mirrors this machine already uses (derived from
# /etc/apt; /etc/apt itself is left untouched), and the upstream tarball's
# checksum is verified. The result is cached under target/libseccomp-musl/.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.5.4
# sha256 of upstream's libseccomp-2.5.4.tar.gz (Debian's .orig.tar.gz is
# that same file).
SHA256=d82902400405cf0068574ef3dc1fe5f5926207543ba1ae6f8e7a1576351dcbdb
top=$PWD/target/libseccomp-musl
out=$top/$VERSION
key=$(cat "$0" | sha256sum | cut -c1-16)
if [[ -s $out/static/libseccomp.a && $(cat "$out/key" 2>/dev/null) == "$key" ]]; then
  echo "$out/static"
  exit 0
fi
log() { echo "libseccomp-musl: $*" >&2; }
scripts/need-apt.sh musl-tools gperf dpkg-dev linux-libc-dev make >&2

# --- the source, through a private apt configuration -----------------------
apt=$top/apt
rm -rf "$apt" && mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"
# deb → deb-src for every enabled source of this machine.
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f $f ]] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
done >"$apt/sources.list"
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f $f ]] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
done
opts=(
  -o "Dir::Etc::SourceList=$apt/sources.list"
  -o "Dir::Etc::SourceParts=$apt/sources.list.d"
  -o "Dir::State::Lists=$apt/lists"
  -o "Dir::Cache=$apt/cache"
  -o "Dir::State::Status=/var/lib/dpkg/status"
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
)
log "fetching the source index"
apt-get "${opts[@]}" update -qq >&2 || log "apt-get update reported errors; trying the source anyway"
srcver=$(apt-cache "${opts[@]}" showsrc libseccomp 2>/dev/null |
  awk -v v="$VERSION" '$1 == "Version:" && index($2, v"-") == 1 { print $2; exit }')
[[ -n $srcver ]] || { log "no libseccomp $VERSION source package in this machine's mirrors"; exit 1; }
log "downloading libseccomp $srcver"
(cd "$apt/src" && apt-get "${opts[@]}" source --download-only -qq "libseccomp=$srcver" >&2)
orig=$apt/src/libseccomp_$VERSION.orig.tar.gz
echo "$SHA256  $orig" | sha256sum -c --quiet - >&2 ||
  { log "checksum mismatch for $orig"; exit 1; }
dsc=$(ls "$apt"/src/libseccomp_*.dsc)
rm -rf "$top/build" && mkdir -p "$top/build"
dpkg-source --no-check -x "$dsc" "$top/build/src" >/dev/null

# --- build with musl-gcc ------------------------------------------------------
# musl-gcc uses -nostdinc: hand it the kernel's headers, nothing else.
kinc=$top/build/kinc
mkdir -p "$kinc"
ln -sfn /usr/include/linux "$kinc/linux"
ln -sfn /usr/include/asm-generic "$kinc/asm-generic"
ln -sfn "/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/asm" "$kinc/asm"
log "building with musl-gcc"
(
  cd "$top/build/src"
  CC=musl-gcc CFLAGS="-Os -ffunction-sections -fdata-sections -I$kinc" \
    ./configure --enable-static --disable-shared --prefix="$top/build/prefix" >/dev/null
  make -j"$(nproc)" -C src >/dev/null
  make -C src install >/dev/null 2>&1 || true
  make -C include install >/dev/null
)
rm -rf "$out" && mkdir -p "$out/static" "$out/include"
cp "$top/build/src/src/.libs/libseccomp.a" "$out/static/"
cp "$top/build/prefix/include/"*.h "$out/include/"
echo "$srcver" >"$out/source-version"
echo "$key" >"$out/key"
rm -rf "$top/build"
log "$out/static/libseccomp.a ($(stat -c %s "$out/static/libseccomp.a") bytes, Debian $srcver)"
echo "$out/static"
