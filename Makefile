# libsv2 — top-level tasks. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
SV2 := target/debug/sv2

.PHONY: all build demo test test-rust test-vectors test-python bench-python python-env python-develop check-generated lint fuzz bench codegen clean-vectors

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
test: check-generated test-rust test-vectors test-python fuzz

check-generated:
	$(CARGO) xtask check

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

test-vectors: build
	python3 tests/vectors/check_vectors.py

# The Python package (bindings/python, import name `sv2`): built into a venv under the repo,
# then pytest, the stub check (stubtest), mypy --strict on the package and the examples, and
# an abi3 wheel build.
VENV ?= .venv
VENV_ABS := $(abspath $(VENV))
PY := $(VENV_ABS)/bin/python
PY_CRATE := bindings/python

$(PY):
	python3 -m venv $(VENV)

python-env: $(PY)
	$(PY) -m pip install -q --disable-pip-version-check maturin pytest mypy

python-develop: python-env
	VIRTUAL_ENV=$(VENV_ABS) $(VENV_ABS)/bin/maturin develop -q -m $(PY_CRATE)/Cargo.toml $(MATURIN_FLAGS)

test-python: python-develop
	cd $(PY_CRATE) && $(PY) -m pytest -q tests
	cd $(PY_CRATE)/python && $(PY) -m mypy.stubtest sv2._sv2 --allowlist ../.stubtest-allowlist
	$(PY) -m mypy --strict $(PY_CRATE)/python/sv2 examples/python
	VIRTUAL_ENV=$(VENV_ABS) $(VENV_ABS)/bin/maturin build -q --profile dev -m $(PY_CRATE)/Cargo.toml -o target/wheels
	ls target/wheels/libsv2-*-cp39-abi3-*.whl

# Figures for the README: decode cost vs a no-op call, shares/s through the pool engine.
bench-python:
	$(MAKE) python-develop MATURIN_FLAGS=--release
	$(PY) $(PY_CRATE)/bench.py

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
