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
	$(CARGO) test -- --test-threads=2 --nocapture

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

clean:
	$(CARGO) clean
