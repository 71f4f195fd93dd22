# libsv2 — top-level tasks. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
SV2 := target/debug/sv2

.PHONY: all build demo test test-rust test-vectors check-generated lint fuzz bench codegen clean-vectors

all: build

build:
	$(CARGO) build --workspace

# Until the pool/miner demo exists (C API issue), the demo decodes a sample Mining session
# capture with the sv2 tool and round-trips it through the encoder.
demo: build
	@echo "== sv2 decode examples/captures/mining-session.hex"
	@$(SV2) decode examples/captures/mining-session.hex
	@echo "== round trip: decode | encode reproduces the capture byte for byte"
	@$(SV2) decode examples/captures/mining-session.hex | $(SV2) encode > target/demo-roundtrip.hex
	@grep -v '^#' examples/captures/mining-session.hex | diff - target/demo-roundtrip.hex && echo "identical"

# Every test suite. CI runs exactly this (.ci/run).
test: check-generated test-rust test-vectors fuzz

check-generated:
	$(CARGO) xtask check

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

test-vectors: build
	python3 tests/vectors/check_vectors.py

# Coverage-guided fuzzing of the wire core for a bounded time (about 60 s).
fuzz:
	bash scripts/fuzz.sh 30

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench:
	$(CARGO) bench --bench codec

codegen:
	$(CARGO) xtask codegen
