# pidone: the commands a developer and CI use.
CARGO ?= cargo

.PHONY: build release demo test test-rust lint fmt clean deps

# What building and testing need from Debian (a no-op once installed).
deps:
	scripts/need-apt.sh libseccomp-dev pkg-config gcc libc6-dev util-linux python3

build: deps
	$(CARGO) build

release: deps
	$(CARGO) build --release

# Builds pidone and runs a short demo with it as PID 1 of a new PID namespace:
# a shell that leaves an orphan behind and exits 3; pidone reaps and drains it.
demo: build
	unshare --pid --fork --mount-proc target/debug/pidone -v -- \
	  sh -c 'echo "I am PID $$$$ under pidone (PID 1)"; sleep 30 & echo "left an orphan"; exit 3'; \
	  echo "pidone exited with $$? (the program's status)"

# The whole test suite (as root: tests make PID namespaces and cgroups):
# lint, unit tests and the binary as PID 1 (test-rust), then the static
# binary as PID 1, the docker/ examples as written, and the static binary as
# the real PID 1 of a Linux kernel with cgroup v2 (vm-test). Installs what
# it needs (Debian packages, the musl target, a kernel) on first use.
test: lint test-rust check-static docker-check vm-test

# --nocapture shows SKIP lines; the harness captures pidone's own output.
test-rust: deps
	$(CARGO) test -- --test-threads=2 --nocapture

lint: deps
	rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

clean:
	$(CARGO) clean

# --- seccomp: fuzzing the profile parser --------------------------------------
# Runs the fuzz target under fuzz/ for FUZZ_SECONDS (default 60), installing
# a nightly toolchain and cargo-fuzz first when they are missing.
FUZZ_SECONDS ?= 60

.PHONY: fuzz
fuzz:
	rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
	command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	mkdir -p fuzz/corpus/profile
	cd fuzz && $(CARGO) +nightly fuzz run profile corpus/profile seeds ../tests/fixtures -- \
	  -dict=profile.dict -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024

# ---- Static build, VM tests and Docker examples ----------------------------
# The static musl binary users download, pidone as the real PID 1 of a Linux
# kernel (qemu), and the docker/ examples run as written. Every target
# installs what it needs itself (see scripts/need-apt.sh).
STATIC_BIN := target/x86_64-unknown-linux-musl/release/pidone
SCENARIO ?=

.PHONY: static static-min check-static vm-test vm-selftest vm-deps docker-check size-report

static:
	scripts/static.sh

check-static: static
	scripts/check-static.sh $(STATIC_BIN)

vm-deps:
	scripts/need-apt.sh qemu-system-x86 busybox-static xz-utils file musl-tools python3

# All scenarios one at a time, or one: make vm-test SCENARIO=exit-42.
# The whole run starts with the harness's own tests (it must fail what is
# wrong: tests/vm/selftest/).
vm-test: static vm-deps
	$(if $(SCENARIO),,PIDONE_BIN=$(STATIC_BIN) tests/vm/run.sh --selftest)
	PIDONE_BIN=$(STATIC_BIN) tests/vm/run.sh $(SCENARIO)

vm-selftest: static vm-deps
	PIDONE_BIN=$(STATIC_BIN) tests/vm/run.sh --selftest

# Every example in docker/ run as written, pidone as PID 1 of a PID namespace.
docker-check: static
	scripts/need-apt.sh busybox-static musl-tools python3 util-linux
	scripts/docker-check.py $(STATIC_BIN)

# The smallest build: nightly, std rebuilt for size, panics abort at once.
static-min:
	scripts/static-min.sh

# What the static binary's KiBs are made of, by crate and library.
size-report:
	scripts/size-report.py

# --- Benchmarks (bench/README.md) --------------------------------------------
# The static binary under test is what `make static` builds; BENCH_BUILD says
# how to build it (e.g. `$(CARGO) build --release --target
# x86_64-unknown-linux-musl` for a quick look without libseccomp).
PIDONE_STATIC ?= $(STATIC_BIN)
BENCH_BUILD ?= $(MAKE) static
BENCH_PEERS := tini dumb-init catatonit

.PHONY: bench bench-quick bench-peers bench-pidone

# The peers from Debian's packages, and a C compiler for bench/src; apt runs
# only when something is missing.
bench-peers:
	@if ! dpkg -s $(BENCH_PEERS) >/dev/null 2>&1 || ! command -v cc >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(BENCH_PEERS) gcc libc6-dev; \
	fi

bench-pidone:
	$(BENCH_BUILD)

# Full run (~5 minutes): bench/results.md, bench/results.json, bench/chart.svg.
bench: bench-peers bench-pidone
	python3 bench/run.py --pidone $(PIDONE_STATIC)

# Smoke run (under a minute) into bench/quick/; CI runs this and never judges the numbers.
bench-quick: bench-peers bench-pidone
	python3 bench/run.py --quick --pidone $(PIDONE_STATIC)
