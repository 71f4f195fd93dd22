# libsv2 — top-level tasks. `make demo` and `make test` are the README's two commands.
CARGO ?= cargo
SV2 := target/debug/sv2

.PHONY: all build demo test test-roles test-rust test-interop test-vectors check-generated lint fuzz bench codegen clean-vectors \
	check-docs capi tool header install test-c test-c-header test-c-asan test-c-valgrind test-c-symbols test-c-in-place test-c-install \
	test-python bench-python python-env python-develop python-wheel python-wheels \
	test-node node node-dashboard node-packages cross-arm

all: build

build:
	$(CARGO) build --workspace

# The C pool (examples/c/pool.c) and the C CPU miner (examples/c/miner.c) over Noise on
# 127.0.0.1, keys from `sv2 key`; stops by itself and fails unless shares were accepted.
# Needs only the Rust toolchain and a C compiler.
DEMO_OUT := target/demo
demo:
	$(CARGO) build -p sv2 -p sv2-cli
	@mkdir -p $(DEMO_OUT)
	$(CC) -std=c99 $(C_WARN) -O2 -Iinclude examples/c/pool.c -o $(DEMO_OUT)/pool target/debug/libsv2.a $(SV2_LIBS_PRIVATE)
	$(CC) -std=c99 $(C_WARN) -O2 -Iinclude examples/c/miner.c -o $(DEMO_OUT)/miner target/debug/libsv2.a $(SV2_LIBS_PRIVATE)
	@sh examples/c/demo.sh

# The role programs as processes: the C CPU miner and (after python-develop, as in `make test`)
# the Python one on `sv2 pool --tp` on `sv2 tp --synthetic` over Noise (the Rust miner's chains
# are in cli/tests/roles.rs, run by test-rust).
test-roles:
	$(CARGO) build -p sv2 -p sv2-cli
	@mkdir -p $(DEMO_OUT)
	$(CC) -std=c99 $(C_WARN) -O2 -Iinclude examples/c/miner.c -o $(DEMO_OUT)/miner target/debug/libsv2.a $(SV2_LIBS_PRIVATE)
	sh tests/service/tp_pool_c_miner.sh target/debug/sv2 $(DEMO_OUT)/miner $(DEMO_OUT)/roles "$$([ -x $(PY) ] && echo $(PY))"

# Every test suite. CI runs exactly this (.ci/run).
test: check-generated lint test-rust test-interop test-vectors test-c test-python test-node check-docs demo test-roles fuzz

check-generated:
	$(CARGO) xtask check

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

# libsv2 against the published crates of an implementation we did not write (the Stratum
# Reference Implementation's seed-era noise_sv2 0.1.1, and its current noise_sv2 2.0.0 for the
# spec-2025 dialect): each in its own workspace and lockfile, so their
# old dependencies never reach the library's tree (interop/sri-seed/Cargo.toml).
test-interop:
	cd interop/sri-seed && CARGO_TARGET_DIR=$(CURDIR)/target/interop $(CARGO) test --locked
	cd interop/sri-2025 && CARGO_TARGET_DIR=$(CURDIR)/target/interop $(CARGO) test --locked

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
	$(PY) -m mypy --strict $(PY_CRATE)/python/sv2 examples/python $(PY_CRATE)/bench.py
	rm -f target/wheels/libsv2-*.whl
	$(MAKE) --no-print-directory python-wheel WHEEL_ABI=abi3-py39 WHEEL_PROFILE="--profile dev"

# Portable wheels: linked by zig against glibc 2.17 (manylinux2014, so pip takes them on any
# x86_64 Linux of the last ten years, not only on one as new as the build machine), checked
# with auditwheel, installed into a fresh venv with no index and smoke-tested.
WHEEL_ABI ?= abi3-py39
WHEEL_PROFILE ?= --release
WHEEL_TAG := manylinux_2_17_x86_64
python-wheel: python-env
	$(PY) -m pip install -q --disable-pip-version-check ziglang==0.17.1 auditwheel==6.8.2
	PATH=$(VENV_ABS)/bin:$$PATH VIRTUAL_ENV=$(VENV_ABS) $(VENV_ABS)/bin/maturin build -q $(WHEEL_PROFILE) \
	  -m $(PY_CRATE)/Cargo.toml --features $(WHEEL_ABI) --zig --compatibility manylinux2014 -o target/wheels
	@w=$$(ls target/wheels/libsv2-*-cp$(subst abi3-py,,$(WHEEL_ABI))-abi3-*$(WHEEL_TAG)*.whl); \
	  echo "auditwheel show $$w"; \
	  $(VENV_ABS)/bin/auditwheel show "$$w" | tr '\n' ' ' | grep -q '"$(WHEEL_TAG)"' \
	    || { $(VENV_ABS)/bin/auditwheel show "$$w"; echo "not a $(WHEEL_TAG) wheel"; exit 1; }; \
	  bash scripts/python-wheel-smoke.sh "$$w"

# Release wheels: the cp39-abi3 wheel (every CPython >= 3.9) and the cp310-abi3 wheel, which
# pip prefers on 3.10+ (METH_FASTCALL calls, see bindings/python/Cargo.toml).
python-wheels:
	rm -f target/wheels/libsv2-*.whl
	$(MAKE) --no-print-directory python-wheel WHEEL_ABI=abi3-py39
	$(MAKE) --no-print-directory python-wheel WHEEL_ABI=abi3-py310
	ls -l target/wheels/

# Figures for the README: decode cost vs a no-op call, shares/s through the pool engine.
# Measured twice: as `pip install` builds it here (stable ABI of this Python) and with the
# 3.9 floor of the cp39-abi3 wheel; the last build is left installed, so re-run
# `make python-develop` (or make test-python) afterwards.
bench-python:
	$(MAKE) python-develop MATURIN_FLAGS=--release
	$(PY) $(PY_CRATE)/bench.py --build "stable ABI of this Python (pip install from source)"
	$(MAKE) python-develop MATURIN_FLAGS="--release --features abi3-py39"
	$(PY) $(PY_CRATE)/bench.py --decode-only --build "abi3-py39 floor (the cp39-abi3 wheel)"
	$(MAKE) python-develop

# Coverage-guided fuzzing of the wire core for a bounded time (about 60 s).
fuzz:
	bash scripts/fuzz.sh 30

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS=-Dwarnings $(CARGO) doc --no-deps -p sv2 -q

bench:
	$(CARGO) bench --bench codec

codegen:
	$(CARGO) xtask codegen

# ---------------------------------------------------------------------------------------------
# C library (src/ffi, include/sv2.h). See the README's "C API" section.

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
VERSION_MINOR := $(word 2,$(subst ., ,$(VERSION)))
VERSION_PATCH := $(word 3,$(subst ., ,$(VERSION)))
# Libraries a program linking libsv2.a also needs (rustc --print native-static-libs).
SV2_LIBS_PRIVATE := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
# The same for sv2.pc, without -lgcc_s: the gcc and clang drivers add the unwinder themselves
# (libgcc_s as needed, libgcc_eh under -static, where an explicit -lgcc_s fails: there is no
# libgcc_s.a), so `cc -static ... $(pkg-config --static --libs sv2)` links.
SV2_PC_LIBS_PRIVATE := $(filter-out -lgcc_s,$(SV2_LIBS_PRIVATE))
PREFIX ?= /usr/local
# `make install PROFILE=debug` installs the debug build (test-c uses it to save a release build).
PROFILE ?= release
CARGO_PROFILE_FLAG := $(if $(filter release,$(PROFILE)),--release,)
# `make capi install TARGET_TRIPLE=armv7-unknown-linux-gnueabihf` builds and installs a
# cross-compiled library (the cross linker and CC_<triple> come from the environment, see the
# README's "Cross-compiling for ARM firmware"); empty = the host.
TARGET_TRIPLE ?=
CARGO_TARGET_FLAG := $(if $(TARGET_TRIPLE), --target $(TARGET_TRIPLE),)
LIB_DIR := target/$(if $(TARGET_TRIPLE),$(TARGET_TRIPLE)/,)$(PROFILE)
C_WARN := -Wall -Wextra -Werror -pedantic
C_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
C_OUT := target/c
C_TESTS := test_codec test_keys test_session test_misuse test_version test_mining test_template
C_EXAMPLES := decode loopback miner pool tp
VECTORS = $(shell find tests/vectors/messages -name '*.hex' | sort)
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect

# libsv2.so (SONAME libsv2.so.$(VERSION), see build.rs) and libsv2.a in target/<profile>/, with
# the SONAME link beside them, so a program linked in place (`cc x.c -Ltarget/release -lsv2`)
# also loads from there (the loader looks for the SONAME, which cargo does not create).
capi:
	$(CARGO) build --lib $(CARGO_PROFILE_FLAG)$(CARGO_TARGET_FLAG)
	ln -sf libsv2.so $(LIB_DIR)/libsv2.so.$(VERSION)

header:
	$(CARGO) xtask header

# The `sv2` tool (keys, certificates, decode/encode), installed beside the library.
tool:
	$(CARGO) build -p sv2-cli --bin sv2 $(CARGO_PROFILE_FLAG)$(CARGO_TARGET_FLAG)

install: capi tool
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LIB_DIR)/sv2 $(DESTDIR)$(PREFIX)/bin/sv2
	install -m 644 $(LIB_DIR)/libsv2.a $(DESTDIR)$(PREFIX)/lib/libsv2.a
	install -m 755 $(LIB_DIR)/libsv2.so $(DESTDIR)$(PREFIX)/lib/libsv2.so.$(VERSION)
	ln -sf libsv2.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libsv2.so
	install -m 644 include/sv2.h $(DESTDIR)$(PREFIX)/include/sv2.h
	for pc in sv2 sv2-static; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	      -e 's|@LIBS_PRIVATE@|$(SV2_PC_LIBS_PRIVATE)|g' $$pc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$pc.pc || exit 1; \
	done

# Everything C: header hygiene, tests and examples under ASan+UBSan and under valgrind, the
# exported symbols, and an install consumed through pkg-config.
test-c: test-c-header test-c-asan test-c-valgrind test-c-symbols test-c-in-place test-c-install
	@echo "test-c: all C checks passed"

# The debug library, with the SONAME file name the programs look for at run time.
$(C_OUT)/lib/.stamp: capi-debug
	@mkdir -p $(C_OUT)/lib
	cp target/debug/libsv2.so $(C_OUT)/lib/libsv2.so.$(VERSION)
	ln -sf libsv2.so.$(VERSION) $(C_OUT)/lib/libsv2.so
	cp target/debug/libsv2.a $(C_OUT)/lib/libsv2.a
	@touch $@

.PHONY: capi-debug
capi-debug:
	$(MAKE) --no-print-directory capi PROFILE=debug

test-c-header:
	@mkdir -p $(C_OUT)
	$(CC) -std=c99 $(C_WARN) -fsyntax-only -x c include/sv2.h
	$(CXX) -std=c++11 $(C_WARN) -fsyntax-only -x c++ include/sv2.h
	$(CC) -std=gnu89 $(C_WARN) -Wno-long-long -fsyntax-only -x c include/sv2.h
	@echo "sv2.h compiles alone as C99, gnu89 (older firmware toolchains) and C++11"

C_STD_test_version := -std=c11 -DCARGO_VERSION_MAJOR=$(VERSION_MAJOR) -DCARGO_VERSION_MINOR=$(VERSION_MINOR) -DCARGO_VERSION_PATCH=$(VERSION_PATCH)

# ASan+UBSan builds link the shared library; valgrind builds link the static one.
test-c-asan: $(C_OUT)/lib/.stamp
	@for p in $(C_TESTS) $(C_EXAMPLES); do \
	  case $$p in test_version) std="$(C_STD_test_version)";; *) std=-std=c99;; esac; \
	  src=tests/c/$$p.c; [ -f $$src ] || src=examples/c/$$p.c; \
	  echo "CC (asan) $$src"; \
	  $(CC) $$std $(C_WARN) $(C_SAN) -Iinclude -Itests/c $$src -o $(C_OUT)/$$p-asan \
	    -L$(C_OUT)/lib -lsv2 -Wl,-rpath,$(CURDIR)/$(C_OUT)/lib || exit 1; \
	done
	nm $(C_OUT)/test_misuse-asan | grep -q __asan_init
	nm $(C_OUT)/test_misuse-asan | grep -q __ubsan_handle
	@echo "test_codec-asan tests/vectors/messages/**/*.hex"; ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_codec-asan $(VECTORS)
	@for p in test_keys test_session test_misuse test_version test_mining test_template; do \
	  ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/$$p-asan || exit 1; done
	$(C_OUT)/decode-asan examples/captures/mining-session.hex > $(C_OUT)/decode.out
	$(C_OUT)/loopback-asan
	ASAN_OPTIONS=detect_leaks=1 sh tests/c/pool_miner.sh $(C_OUT)/pool-miner-asan $(C_OUT)/pool-asan $(C_OUT)/miner-asan
	ASAN_OPTIONS=detect_leaks=1 sh tests/c/interop_flags.sh $(C_OUT)/interop-asan $(C_OUT)/pool-asan $(C_OUT)/miner-asan
	ASAN_OPTIONS=detect_leaks=1 sh tests/c/trace_examples.sh $(C_OUT)/trace-asan $(C_OUT)/pool-asan $(C_OUT)/miner-asan
	ASAN_OPTIONS=detect_leaks=1 sh tests/c/tp_pool_miner.sh $(C_OUT)/tp-pool-miner-asan $(C_OUT)/tp-asan $(C_OUT)/pool-asan $(C_OUT)/miner-asan

test-c-valgrind: $(C_OUT)/lib/.stamp
	@for p in $(C_TESTS) $(C_EXAMPLES); do \
	  case $$p in test_version) std="$(C_STD_test_version)";; *) std=-std=c99;; esac; \
	  src=tests/c/$$p.c; [ -f $$src ] || src=examples/c/$$p.c; \
	  echo "CC (static) $$src"; \
	  $(CC) $$std $(C_WARN) -g -O1 -Iinclude -Itests/c $$src -o $(C_OUT)/$$p-static \
	    $(C_OUT)/lib/libsv2.a $(SV2_LIBS_PRIVATE) || exit 1; \
	done
	@echo "valgrind test_codec tests/vectors/messages/**/*.hex"; $(VALGRIND) $(C_OUT)/test_codec-static $(VECTORS)
	@for p in test_keys test_session test_misuse test_version test_mining test_template; do \
	  echo "valgrind $$p"; $(VALGRIND) $(C_OUT)/$$p-static || exit 1; done
	$(VALGRIND) $(C_OUT)/decode-static examples/captures/mining-session.hex > /dev/null
	$(VALGRIND) $(C_OUT)/loopback-static
	sh tests/c/pool_miner.sh $(C_OUT)/pool-miner-valgrind "$(VALGRIND) $(C_OUT)/pool-static" "$(VALGRIND) $(C_OUT)/miner-static --extended"

# Only sv2_ symbols are exported, and the SONAME is versioned.
test-c-symbols: $(C_OUT)/lib/.stamp
	@bad=$$(nm -D --defined-only $(C_OUT)/lib/libsv2.so | awk '{print $$3}' | grep -v '^sv2_' || true); \
	  if [ -n "$$bad" ]; then echo "non-sv2_ symbols exported:"; echo "$$bad"; exit 1; fi
	@n=$$(nm -D --defined-only $(C_OUT)/lib/libsv2.so | grep -c ' sv2_'); echo "libsv2.so exports $$n sv2_ symbols and nothing else"
	readelf -d $(C_OUT)/lib/libsv2.so | grep -q 'SONAME.*libsv2.so.$(VERSION)'

# A program linked in place against target/debug (as the README's "Link in place" says) loads
# through the SONAME link `make capi` puts there, with an rpath or with LD_LIBRARY_PATH.
test-c-in-place: capi-debug
	@mkdir -p $(C_OUT)
	$(CC) -std=c99 $(C_WARN) -Iinclude tests/c/smoke.c -o $(C_OUT)/smoke-in-place \
	  -Ltarget/debug -lsv2 -Wl,-rpath,$(CURDIR)/target/debug
	readelf -d $(C_OUT)/smoke-in-place | grep -q 'NEEDED.*libsv2.so.$(VERSION)'
	$(C_OUT)/smoke-in-place
	$(CC) -std=c99 $(C_WARN) -Iinclude tests/c/smoke.c -o $(C_OUT)/smoke-in-place-env -Ltarget/debug -lsv2
	LD_LIBRARY_PATH=$(CURDIR)/target/debug $(C_OUT)/smoke-in-place-env

# `make install` into a temporary prefix, then a program built with pkg-config three ways:
# shared (libsv2.so NEEDED), all static with `--static` (no dynamic section at all) and with the
# sv2-static module (libsv2.a inside, libc shared); each runs without LD_LIBRARY_PATH except the
# shared one. The `sv2` tool is installed beside the library and runs.
test-c-install:
	rm -rf $(C_OUT)/prefix $(C_OUT)/smoke $(C_OUT)/smoke-static $(C_OUT)/smoke-libsv2-static
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(C_OUT)/prefix PROFILE=debug
	PKG_CONFIG_PATH=$(CURDIR)/$(C_OUT)/prefix/lib/pkgconfig sh -c \
	  '$(CC) -std=c99 $(C_WARN) tests/c/smoke.c -o $(C_OUT)/smoke $$(pkg-config --cflags --libs sv2)'
	readelf -d $(C_OUT)/smoke | grep -q 'NEEDED.*libsv2.so.$(VERSION)'
	LD_LIBRARY_PATH=$(CURDIR)/$(C_OUT)/prefix/lib $(C_OUT)/smoke
	PKG_CONFIG_PATH=$(CURDIR)/$(C_OUT)/prefix/lib/pkgconfig sh -c \
	  '$(CC) -static -std=c99 $(C_WARN) tests/c/smoke.c -o $(C_OUT)/smoke-static $$(pkg-config --cflags --static --libs sv2)'
	@if readelf -d $(C_OUT)/smoke-static | grep -q NEEDED; then \
	  echo "smoke-static (pkg-config --static --libs sv2, cc -static) is not static:"; readelf -d $(C_OUT)/smoke-static; exit 1; fi
	$(C_OUT)/smoke-static
	PKG_CONFIG_PATH=$(CURDIR)/$(C_OUT)/prefix/lib/pkgconfig sh -c \
	  '$(CC) -std=c99 $(C_WARN) tests/c/smoke.c -o $(C_OUT)/smoke-libsv2-static $$(pkg-config --cflags --libs sv2-static)'
	@if readelf -d $(C_OUT)/smoke-libsv2-static | grep -q 'NEEDED.*libsv2'; then \
	  echo "smoke-libsv2-static (pkg-config --libs sv2-static) needs libsv2.so"; exit 1; fi
	$(C_OUT)/smoke-libsv2-static
	$(C_OUT)/prefix/bin/sv2 --version | grep -q '^sv2 $(VERSION)$$'
	$(C_OUT)/prefix/bin/sv2 key check-url stratum2+tcp+plain://127.0.0.1:3336 > /dev/null
	@echo "test-c-install: bin/sv2, libsv2 through sv2.pc (shared, -static) and sv2-static.pc"

# ---------------------------------------------------------------------------------------------
# ARM Linux firmware: armv7-unknown-linux-gnueabihf (32-bit, hard float) and
# aarch64-unknown-linux-gnu, cross-compiled with Debian's gcc and tested under qemu-user: the
# Rust suite, libsv2.a/.so (symbols, SONAME), the C tests and examples static and shared, the
# pool and miner over TCP, an install through pkg-config (scripts/cross-arm.sh). Installs the
# rustup targets, cross gcc and qemu-user-static when missing, so it needs the network; not
# part of `make test`. `make cross-arm CROSS_ARCHES=armv7` for one architecture,
# CROSS_PROFILE=release for the release library.
CROSS_ARCHES ?= armv7 aarch64
CROSS_PROFILE ?= debug

cross-arm:
	SV2_LIBS_PRIVATE="$(SV2_LIBS_PRIVATE)" C_WARN="$(C_WARN)" CROSS_PROFILE=$(CROSS_PROFILE) \
	  bash scripts/cross-arm.sh $(CROSS_ARCHES)

# ---------------------------------------------------------------------------------------------
# Node bindings (bindings/node, npm package `libsv2`). `npm ci` installs the pinned dev tools
# (napi-rs CLI, TypeScript, playwright-core); `npm run build` builds the addon and compiles the
# TypeScript layer. The committed index.js/index.d.ts must match what `napi build` generates.

NODE_DIR := bindings/node

node:
	cd $(NODE_DIR) && npm ci --no-audit --no-fund && npm run build

# The dashboard example runs in headless Chromium (Debian's, /usr/bin/chromium, driven by
# playwright-core); its screenshot goes to target/node-dashboard/.
test-node: node
	git diff --exit-code -- $(NODE_DIR)/index.js $(NODE_DIR)/index.d.ts || \
	  { echo "bindings/node/index.js or index.d.ts is stale: run 'make node' and commit"; exit 1; }
	cd $(NODE_DIR) && npm test
	node --test examples/node/dashboard/
	bash scripts/node-packages.sh dev

# The npm packages (target/npm/*.tgz): `libsv2` and its prebuilt addon `libsv2-linux-x64-gnu`
# (glibc >= 2.17), installed offline into an empty project and exercised.
node-packages: node
	bash scripts/node-packages.sh release

# The dashboard with two demo CPU miners: open the printed http:// URL.
node-dashboard: node
	node examples/node/dashboard/server.js --demo-miners 2

# ---------------------------------------------------------------------------------------------
# Every code block of README.md, bindings/*/README.md and docs/*.md compiles: C with
# $(C_WARN) against include/sv2.h (linked with libsv2.a when it is a whole program), Rust against
# the sv2 crate, Python with mypy --strict, TypeScript with bindings/node's tsc and types.
# Blocks that are not whole files name a template in scripts/doc-snippets/ (see the script).
# Then a self-test: every block of tests/doc-snippets/known-bad.md must be refused.
check-docs: capi-debug python-develop $(NODE_DIR)/node_modules/.bin/tsc
	python3 scripts/check-doc-snippets.py --cc "$(CC)" --c-warn "$(C_WARN)" --c-libs "target/debug/libsv2.a $(SV2_LIBS_PRIVATE)" \
	  --python $(PY) --tsc $(NODE_DIR)/node_modules/.bin/tsc
	@mkdir -p $(C_OUT)
	@echo "check-docs self-test: tests/doc-snippets/known-bad.md must be refused block by block"
	@python3 scripts/check-doc-snippets.py --expect-fail --cc "$(CC)" --c-warn "$(C_WARN)" \
	  --python $(PY) --tsc $(NODE_DIR)/node_modules/.bin/tsc tests/doc-snippets/known-bad.md > $(C_OUT)/known-bad.out \
	  || { cat $(C_OUT)/known-bad.out; exit 1; }
	@tail -n 1 $(C_OUT)/known-bad.out

$(NODE_DIR)/node_modules/.bin/tsc:
	cd $(NODE_DIR) && npm ci --no-audit --no-fund
