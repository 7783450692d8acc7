#!/usr/bin/env bash
# make static: the fully static, stripped musl binary users download.
#   target/x86_64-unknown-linux-musl/release/pidone
# Installs what it needs (musl target, musl-tools, ...) and builds
# libseccomp for musl once (cached under target/), then links it statically.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
scripts/need-apt.sh musl-tools file binutils
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"

# Non-PIE static executable: no dynamic relocations to process at start,
# and a smaller binary. No .eh_frame_hdr: see the unwind tables below.
# -z noseparate-code (binutils' layout before 2.31) puts headers, code and
# read-only data in one read+execute segment instead of three page-aligned
# ones: 8 KiB less padding; writable data stays non-executable.
# The crates' paths are remapped so the binary does not depend on where the
# registry lives (the same source gives the same bytes on any machine).
registry=${CARGO_HOME:-$HOME/.cargo}/registry/src/
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C relocation-model=static -C target-feature=+crt-static -C link-arg=-Wl,--no-eh-frame-hdr -C link-arg=-Wl,-z,noseparate-code --remap-path-prefix=$registry= ${STATIC_RUSTFLAGS:-}"
export CC_x86_64_unknown_linux_musl=musl-gcc
# libseccomp, built for musl, linked statically; pkg-config must not find
# the system's (glibc) libseccomp.pc.
LIBSECCOMP_LIB_PATH=$(scripts/libseccomp-musl.sh)
export LIBSECCOMP_LIB_PATH LIBSECCOMP_LINK_TYPE=static
export PKG_CONFIG_LIBDIR=$PWD/target/libseccomp-musl/no-pkgconfig PKG_CONFIG_PATH=
mkdir -p "$PKG_CONFIG_LIBDIR"
cargo build --release --locked --target "$target" "$@"

bin=${CARGO_TARGET_DIR:-target}/$target/release/pidone
# Unwind tables (~75 KiB, a tenth of the binary) serve only to unwind
# through a panic or print its backtrace. With panic=abort nothing unwinds,
# and a stripped static binary's backtrace has no frames to show anyway, so
# they go: a panic still prints its message and aborts. (Idempotent: cargo
# does not relink an up-to-date binary, and a second pass finds nothing.)
objcopy --remove-section=.eh_frame --remove-section=.gcc_except_table "$bin"
desc=$(file -b "$bin")
case $desc in
*"statically linked"*) ;;
*) echo "static: $bin is not statically linked: $desc" >&2; exit 1 ;;
esac
if ldd "$bin" >/dev/null 2>&1; then echo "static: ldd thinks $bin is dynamic" >&2; exit 1; fi
echo "static: $bin $(stat -c %s "$bin") bytes ($(( ($(stat -c %s "$bin") + 1023) / 1024 )) KiB), sha256 $(sha256sum "$bin" | cut -c1-16)"
# The goal (README): no bigger than Debian's tini-static, 691 KiB.
if (($(stat -c %s "$bin") > 691 * 1024)); then
  echo "static: warning: over the 691 KiB goal; see make size-report" >&2
fi
