#!/usr/bin/env bash
# Time-boxed coverage-guided fuzzing of the wire core: every target in TARGETS runs for
# SECONDS (default 30) under libFuzzer, seeded from the committed vectors.
#
#   scripts/fuzz.sh [seconds]
#
# Exits non-zero if a target crashes (panic, failed assertion, timeout, out of memory) or does
# not build; the input that crashed is left in target/fuzz/artifacts/<target>/ and can be
# replayed with `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>`.
#
# Stable toolchain: cargo-fuzz passes nightly-only flags (-Zsanitizer, sancov), which a stable
# rustc accepts under RUSTC_BOOTSTRAP=1. Environment:
#   FUZZ_TARGETS    targets to run (default: "frame_decode message_decode noise_responder noise_initiator session_receive")
#   FUZZ_SANITIZER  cargo-fuzz --sanitizer (default: none). The core is `deny(unsafe_code)`, so
#                   AddressSanitizer finds nothing that Rust's own checks do not, at a third of
#                   the speed; use FUZZ_SANITIZER=address when fuzzing a change that adds unsafe.
# Corpora grow in target/fuzz/corpus/<target>/ (not committed) and are kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [seconds per target]" >&2; exit 2 ;; esac
targets=${FUZZ_TARGETS:-frame_decode message_decode noise_responder noise_initiator session_receive}
sanitizer=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

root=target/fuzz
mkdir -p "$root"
# Seeds: every committed vector, as a frame and as a payload (see fuzz/examples/seed_corpus.rs).
# Built without libFuzzer, as an ordinary program; it also replays the targets' checks on them.
cargo run -q --manifest-path fuzz/Cargo.toml --no-default-features --example seed_corpus -- \
  tests/vectors "$root/corpus"

status=0
summary=()
for target in $targets; do
  corpus=$root/corpus/$target
  artifacts=$root/artifacts/$target
  log=$root/$target.log
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz.sh: $target for ${seconds}s (sanitizer $sanitizer, log $log)" >&2
  rc=0
  cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=70000 -timeout=10 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
  # libFuzzer ends with "Done N runs in S second(s)" when no input crashed.
  done_line=$(grep -a -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
  units=$(find "$corpus" -type f | wc -l | tr -d ' ')
  cov=$(grep -a -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  if [ "$rc" -ne 0 ] || [ -z "$done_line" ]; then
    status=1
    summary+=("$target: FAILED (exit $rc), see $log and $artifacts/")
    tail -n 60 "$log" >&2
  else
    summary+=("$target: ok, ${done_line#Done }, $cov, corpus $units inputs")
  fi
done

printf '%s\n' "${summary[@]}"
exit "$status"
