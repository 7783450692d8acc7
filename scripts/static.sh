#!/usr/bin/env bash
# make static: the fully static, stripped musl binary users download.
#   target/x86_64-unknown-linux-musl/release/pidone
# Installs what it needs (musl target, musl-tools, ...) and builds
# libseccomp for musl once (cached under target/), then links it statically.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
scripts/need-apt.sh musl-tools file
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"

# Non-PIE static executable: no dynamic relocations to process at start,
# and a smaller binary.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C relocation-model=static -C target-feature=+crt-static ${STATIC_RUSTFLAGS:-}"
export CC_x86_64_unknown_linux_musl=musl-gcc
# libseccomp, built for musl, linked statically; pkg-config must not find
# the system's (glibc) libseccomp.pc.
LIBSECCOMP_LIB_PATH=$(scripts/libseccomp-musl.sh)
export LIBSECCOMP_LIB_PATH LIBSECCOMP_LINK_TYPE=static
export PKG_CONFIG_LIBDIR=$PWD/target/libseccomp-musl/no-pkgconfig PKG_CONFIG_PATH=
mkdir -p "$PKG_CONFIG_LIBDIR"
cargo build --release --locked --target "$target" "$@"

bin=target/$target/release/pidone
desc=$(file -b "$bin")
case $desc in
*"statically linked"*) ;;
*) echo "static: $bin is not statically linked: $desc" >&2; exit 1 ;;
esac
if ldd "$bin" >/dev/null 2>&1; then echo "static: ldd thinks $bin is dynamic" >&2; exit 1; fi
echo "static: $bin $(stat -c %s "$bin") bytes ($(( ($(stat -c %s "$bin") + 1023) / 1024 )) KiB)"
