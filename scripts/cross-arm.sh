#!/usr/bin/env bash
# Cross-builds libsv2 for ARM Linux firmware and runs its tests under qemu-user (make cross-arm):
#
#   scripts/cross-arm.sh [armv7|aarch64]...      (default: armv7 aarch64)
#
# armv7 is armv7-unknown-linux-gnueabihf (32-bit, hard float: Zynq-7000 / Cortex-A9 class
# controllers), aarch64 is aarch64-unknown-linux-gnu. For each:
#   1. `cargo test -p sv2 --target <triple>` (unit, integration and doc tests), linked by
#      Debian's cross gcc and run through qemu-user with the cross glibc as its sysroot;
#   2. libsv2.a and libsv2.so (`cargo build -p sv2 --lib --target <triple>`), their ELF class
#      and machine, the exported symbols (sv2_ only) and the versioned SONAME;
#   3. tests/c/* and examples/c/{decode,loopback,pool,miner} cross-compiled with the flags of
#      `make test-c` (-Wall -Wextra -Werror -pedantic), each linked twice (libsv2.a + the
#      Makefile's SV2_LIBS_PRIVATE, and libsv2.so), all run under qemu, then the example pool
#      and miner against each other over loopback TCP with Noise (tests/c/pool_miner.sh);
#   4. `make install TARGET_TRIPLE=<triple>` into target/cross/<arch>/prefix and tests/c/smoke.c
#      built through its sv2.pc (shared and static), run under qemu.
#
# Needs rustup, Debian's cross compilers (gcc-arm-linux-gnueabihf libc6-dev-armhf-cross,
# gcc-aarch64-linux-gnu libc6-dev-arm64-cross), qemu-user-static and pkg-config. What is missing is
# installed when the script runs as root with apt-get (`rustup target add`, one `apt-get
# update`, `apt-get install`); otherwise it prints the commands and exits 2. Not part of
# `make test`: the installs need the network, and a run takes about 11 minutes on 2 cores
# once the dependencies are built (the Rust suite is 4.5-5.5 min per architecture under qemu,
# 3.5-4 min of it tests/pool_engine_memory.rs opening 200 000 channels in a debug build).
#
# Environment: CROSS_PROFILE=release builds the C library with the release profile (fat LTO,
# slower to build) instead of debug; PROPTEST_CASES is proptest's own (default 256 cases);
# SV2_LIBS_PRIVATE and C_WARN default to the Makefile's values.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(armv7 aarch64)
profile=${CROSS_PROFILE:-debug}
case $profile in debug) profile_flag= ;; release) profile_flag=--release ;;
  *) echo "cross-arm.sh: CROSS_PROFILE must be debug or release" >&2; exit 2 ;; esac
libs_private=${SV2_LIBS_PRIVATE:--lgcc_s -lutil -lrt -lpthread -lm -ldl -lc}
c_warn=${C_WARN:--Wall -Wextra -Werror -pedantic}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
IFS=. read -r v_major v_minor v_patch <<<"$version"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# arch -> rust triple, GNU triple (cross gcc prefix and sysroot /usr/<gnu>), qemu, Debian packages.
arch_config() {
  case $1 in
    armv7) triple=armv7-unknown-linux-gnueabihf gnu=arm-linux-gnueabihf qemu_arch=arm
      debs="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross" elf_class=ELF32 elf_machine=ARM ;;
    aarch64) triple=aarch64-unknown-linux-gnu gnu=aarch64-linux-gnu qemu_arch=aarch64
      debs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" elf_class=ELF64 elf_machine=AArch64 ;;
    *) echo "cross-arm.sh: unknown architecture '$1' (armv7 or aarch64)" >&2; exit 2 ;;
  esac
  sysroot=/usr/$gnu
}

# qemu-user: Debian 12 names the static binaries qemu-<arch>-static, later releases qemu-<arch>.
find_qemu() {
  command -v "qemu-$1-static" || command -v "qemu-$1" || true
}

# ---- what is missing, and installing it -------------------------------------------------------
missing_targets=() missing_debs=()
command -v pkg-config >/dev/null || missing_debs+=(pkg-config)
for a in "${arches[@]}"; do
  arch_config "$a"
  rustup target list --installed | grep -qx "$triple" || missing_targets+=("$triple")
  # shellcheck disable=SC2206 # $debs is a space-separated list
  command -v "$gnu-gcc" >/dev/null && [ -e "$sysroot/lib/crt1.o" ] || missing_debs+=($debs)
  [ -n "$(find_qemu "$qemu_arch")" ] || missing_debs+=(qemu-user-static)
done
if [ ${#missing_targets[@]} -gt 0 ] || [ ${#missing_debs[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  missing_debs=($(printf '%s\n' "${missing_debs[@]}" | sort -u))
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v rustup >/dev/null; then
    if [ ${#missing_targets[@]} -gt 0 ]; then
      echo "cross-arm.sh: rustup target add ${missing_targets[*]}"
      rustup target add "${missing_targets[@]}"
    fi
    if [ ${#missing_debs[@]} -gt 0 ]; then
      echo "cross-arm.sh: apt-get install ${missing_debs[*]}"
      apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_debs[@]}"
    fi
  else
    echo "cross-arm.sh: missing tools; install them with:" >&2
    [ ${#missing_targets[@]} -eq 0 ] || echo "  rustup target add ${missing_targets[*]}" >&2
    [ ${#missing_debs[@]} -eq 0 ] || echo "  sudo apt-get install ${missing_debs[*]}" >&2
    exit 2
  fi
fi

summary=()
t_all=$SECONDS
for a in "${arches[@]}"; do
  arch_config "$a"
  qemu="$(find_qemu "$qemu_arch") -L $sysroot"
  T=$(echo "$triple" | tr 'a-z-' 'A-Z_') t=${triple//-/_}
  export "CARGO_TARGET_${T}_LINKER=$gnu-gcc" "CARGO_TARGET_${T}_RUNNER=$qemu" \
    "CC_$t=$gnu-gcc" "AR_$t=$gnu-ar"
  cc=$gnu-gcc
  out=target/cross/$a
  log=$out/cargo-test.log
  rm -rf "$out"
  mkdir -p "$out/lib"
  echo "=== $a ($triple): cargo test -p sv2 under $qemu"

  # 1. The Rust test suite.
  t0=$SECONDS
  rc=0
  cargo test -p sv2 --target "$triple" --no-fail-fast >"$log" 2>&1 || rc=$?
  grep -E '^test result:|Running|Doc-tests' "$log" | sed 's/^/    /'
  read -r passed failed ignored < <(awk '/^test result:/ { p += $4; f += $6; i += $8 }
    END { print p + 0, f + 0, i + 0 }' "$log")
  rust_s=$((SECONDS - t0))
  if [ $rc -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    grep -A 30 '^failures:' "$log" | head -n 80 || tail -n 40 "$log"
    echo "cross-arm.sh: $a: cargo test failed (exit $rc, $passed passed, $failed failed; log $log)"
    exit 1
  fi
  echo "    $a: Rust: $passed passed, $failed failed, $ignored ignored in ${rust_s} s"

  # 2. The C libraries.
  t0=$SECONDS
  cargo build -p sv2 --lib --target "$triple" $profile_flag
  libdir=target/$triple/$profile
  cp "$libdir/libsv2.a" "$out/lib/libsv2.a"
  cp "$libdir/libsv2.so" "$out/lib/libsv2.so.$version"
  ln -sf "libsv2.so.$version" "$out/lib/libsv2.so"
  for f in "$out/lib/libsv2.so.$version" "$out/lib/libsv2.a"; do
    hdr=$("$gnu-readelf" -h "$f")
    # shellcheck disable=SC2015 # fail unless both match
    grep -q "Class: *$elf_class" <<<"$hdr" && grep -q "Machine: *.*$elf_machine" <<<"$hdr" ||
      { echo "cross-arm.sh: $f is not $elf_class $elf_machine"; exit 1; }
  done
  bad=$("$gnu-nm" -D --defined-only "$out/lib/libsv2.so" | awk '{print $3}' | grep -v '^sv2_' || true)
  [ -z "$bad" ] || { echo "cross-arm.sh: non-sv2_ symbols exported:"; echo "$bad"; exit 1; }
  nsym=$("$gnu-nm" -D --defined-only "$out/lib/libsv2.so" | grep -c ' sv2_')
  "$gnu-readelf" -d "$out/lib/libsv2.so" | grep -q "SONAME.*libsv2.so.$version" ||
    { echo "cross-arm.sh: libsv2.so has no SONAME libsv2.so.$version"; exit 1; }
  echo "    $a: libsv2.a, libsv2.so ($profile): $elf_class $elf_machine, $nsym sv2_ symbols exported and nothing else, SONAME libsv2.so.$version"

  # 3. The C tests and examples, static and shared.
  c_progs=(test_codec test_keys test_session test_misuse test_version test_mining decode loopback pool miner)
  for p in "${c_progs[@]}"; do
    std=-std=c99
    [ "$p" != test_version ] || std="-std=c11 -DCARGO_VERSION_MAJOR=$v_major -DCARGO_VERSION_MINOR=$v_minor -DCARGO_VERSION_PATCH=$v_patch"
    src=tests/c/$p.c
    [ -f "$src" ] || src=examples/c/$p.c
    # shellcheck disable=SC2086
    "$cc" $std $c_warn -g -O1 -Iinclude -Itests/c "$src" -o "$out/$p-static" \
      "$out/lib/libsv2.a" $libs_private
    # shellcheck disable=SC2086
    "$cc" $std $c_warn -g -O1 -Iinclude -Itests/c "$src" -o "$out/$p-shared" \
      -L"$out/lib" -lsv2 -Wl,-rpath,"$root/$out/lib"
  done
  mapfile -t vectors < <(find tests/vectors/messages -name '*.hex' | sort)
  c_runs=0
  for kind in static shared; do
    echo "    run ($kind) test_codec (${#vectors[@]} vectors), test_keys, test_session, test_misuse, test_version, test_mining, decode, loopback"
    $qemu "$out/test_codec-$kind" "${vectors[@]}" >"$out/test_codec-$kind.out" 2>&1 ||
      { cat "$out/test_codec-$kind.out"; echo "cross-arm.sh: $a: test_codec-$kind failed"; exit 1; }
    for p in test_keys test_session test_misuse test_version test_mining loopback; do
      $qemu "$out/$p-$kind" >"$out/$p-$kind.out" 2>&1 ||
        { cat "$out/$p-$kind.out"; echo "cross-arm.sh: $a: $p-$kind failed"; exit 1; }
    done
    $qemu "$out/decode-$kind" examples/captures/mining-session.hex >"$out/decode-$kind.out" ||
      { echo "cross-arm.sh: $a: decode-$kind failed"; exit 1; }
    c_runs=$((c_runs + 8))
  done
  # The decoder's output does not depend on the word size or the linking.
  cmp -s "$out/decode-static.out" "$out/decode-shared.out" ||
    { echo "cross-arm.sh: $a: decode output differs between static and shared"; exit 1; }
  echo "    run pool + miner (static) over loopback TCP with Noise and a reconnect"
  if ! sh tests/c/pool_miner.sh "$out/pool-miner" "$qemu $out/pool-static" \
    "$qemu $out/miner-static --extended" | sed 's/^/    /'; then
    echo "cross-arm.sh: $a: pool_miner.sh failed"
    exit 1
  fi
  c_runs=$((c_runs + 1))

  # 4. An install consumed through pkg-config, as a firmware build would (cf. test-c-install).
  echo "    make install TARGET_TRIPLE=$triple PROFILE=$profile, smoke.c through sv2.pc"
  prefix=$root/$out/prefix
  make --no-print-directory install TARGET_TRIPLE="$triple" PROFILE="$profile" PREFIX="$prefix" \
    SV2_LIBS_PRIVATE="$libs_private" >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; echo "cross-arm.sh: $a: make install failed"; exit 1; }
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  # shellcheck disable=SC2046,SC2086
  "$cc" -std=c99 $c_warn tests/c/smoke.c -o "$out/smoke" $(pkg-config --cflags --libs sv2)
  # shellcheck disable=SC2046,SC2086
  "$cc" -std=c99 $c_warn tests/c/smoke.c -o "$out/smoke-static" $(pkg-config --cflags --libs sv2-static)
  unset PKG_CONFIG_PATH
  # shellcheck disable=SC2015 # fail unless both run
  $qemu -E LD_LIBRARY_PATH="$prefix/lib" "$out/smoke" >/dev/null &&
    $qemu "$out/smoke-static" >/dev/null ||
    { echo "cross-arm.sh: $a: smoke (pkg-config) failed"; exit 1; }
  c_runs=$((c_runs + 2))
  c_s=$((SECONDS - t0))
  # The C tests end with "<name>: N passed, N failed".
  c_checks=$(cat "$out"/test_*-static.out "$out"/test_*-shared.out |
    awk '/^test_[a-z]*: [0-9]+ passed, 0 failed$/ { n += $2 } END { print n + 0 }')
  echo "    $a: C: ${#c_progs[@]} programs built static and shared + smoke.c, $c_runs runs ($c_checks checks in tests/c) passed in ${c_s} s"
  summary+=("$a ($triple): Rust $passed passed, $failed failed, $ignored ignored (${rust_s} s); C $c_runs runs, $c_checks checks passed (${c_s} s)")
done

echo "=== cross-arm: passed in $((SECONDS - t_all)) s"
printf '  %s\n' "${summary[@]}"
