# pidone: the commands a developer and CI use.
CARGO ?= cargo

.PHONY: build release demo test lint fmt clean

build:
	$(CARGO) build

release:
	$(CARGO) build --release

# Builds pidone and runs a short demo with it as PID 1 of a new PID namespace:
# a shell that leaves an orphan behind and exits 3; pidone reaps and drains it.
demo: build
	unshare --pid --fork --mount-proc target/debug/pidone -v -- \
	  sh -c 'echo "I am PID $$$$ under pidone (PID 1)"; sleep 30 & echo "left an orphan"; exit 3'; \
	  echo "pidone exited with $$? (the program's status)"

# The whole test suite: unit tests, then the binary as PID 1 (needs root).
test: lint
	$(CARGO) test -- --test-threads=2

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

clean:
	$(CARGO) clean

# --- Benchmarks (bench/README.md) --------------------------------------------
# The static binary under test. `make static` builds the same path; set
# BENCH_BUILD to `$(MAKE) static` once that target exists.
PIDONE_STATIC ?= target/x86_64-unknown-linux-musl/release/pidone
BENCH_BUILD ?= $(CARGO) build --release --target x86_64-unknown-linux-musl
BENCH_PEERS := tini dumb-init catatonit

.PHONY: bench bench-quick bench-peers bench-pidone

# The peers from Debian's packages, and a C compiler for bench/src; apt runs
# only when something is missing.
bench-peers:
	@if ! dpkg -s $(BENCH_PEERS) >/dev/null 2>&1 || ! command -v cc >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(BENCH_PEERS) gcc libc6-dev; \
	fi

bench-pidone:
	rustup target list --installed 2>/dev/null | grep -q x86_64-unknown-linux-musl || \
	  rustup target add x86_64-unknown-linux-musl
	$(BENCH_BUILD)

# Full run (~5 minutes): bench/results.md, bench/results.json, bench/chart.svg.
bench: bench-peers bench-pidone
	python3 bench/run.py --pidone $(PIDONE_STATIC)

# Smoke run (under a minute) into bench/quick/; CI runs this and never judges the numbers.
bench-quick: bench-peers bench-pidone
	python3 bench/run.py --quick --pidone $(PIDONE_STATIC)
