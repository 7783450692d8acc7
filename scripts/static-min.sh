#!/usr/bin/env bash
# make static-min: the smallest static pidone. Nightly rebuilds std with
# the size profile (-Z build-std) and panics abort on the spot, without the
# formatting machinery a panic message needs. Same features as `make static`.
#   target/min/x86_64-unknown-linux-musl/release/pidone
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
scripts/need-apt.sh musl-tools file binutils
rustup toolchain list | grep -q '^nightly' ||
  rustup toolchain install nightly --profile minimal --component rust-src
rustup component list --toolchain nightly --installed | grep -q '^rust-src' ||
  rustup component add --toolchain nightly rust-src
rustup target list --toolchain nightly --installed | grep -qx "$target" ||
  rustup target add --toolchain nightly "$target"

export CC_x86_64_unknown_linux_musl=musl-gcc
LIBSECCOMP_LIB_PATH=$(scripts/libseccomp-musl.sh)
export LIBSECCOMP_LIB_PATH LIBSECCOMP_LINK_TYPE=static
export PKG_CONFIG_LIBDIR=$PWD/target/libseccomp-musl/no-pkgconfig PKG_CONFIG_PATH=
mkdir -p "$PKG_CONFIG_LIBDIR"
flags="-C relocation-model=static -C target-feature=+crt-static -C link-arg=-Wl,--no-eh-frame-hdr -C link-arg=-Wl,-z,noseparate-code --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/="
# panic=immediate-abort is a panic strategy on recent nightlies; older ones
# spell it as a std feature.
if CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="$flags -Zunstable-options -Cpanic=immediate-abort" \
  cargo +nightly build --release --locked --target "$target" --target-dir target/min \
  -Z build-std=std,panic_abort "$@"; then
  :
else
  echo "static-min: retrying with the older panic_immediate_abort feature" >&2
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="$flags" \
    cargo +nightly build --release --locked --target "$target" --target-dir target/min \
    -Z build-std=std,panic_abort -Z build-std-features=panic_immediate_abort "$@"
fi
bin=target/min/$target/release/pidone
# Nothing unwinds: drop the unwind tables (see scripts/static.sh).
objcopy --remove-section=.eh_frame --remove-section=.gcc_except_table "$bin"
file -b "$bin" | grep -q 'statically linked' || { echo "static-min: $bin is not static" >&2; exit 1; }
echo "static-min: $bin $(stat -c %s "$bin") bytes ($(( ($(stat -c %s "$bin") + 1023) / 1024 )) KiB)"
