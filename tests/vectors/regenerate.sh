#!/usr/bin/env bash
# Rebuilds the message vectors: sample values (make_samples.py) → `sv2 encode` → .hex, and the
# sidecar rewritten in the exact `sv2 decode` format. check_vectors.py then re-encodes every
# sidecar independently from the message tables; the Rust and binding suites decode the .hex.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q -p sv2-cli
python3 tests/vectors/make_samples.py
for dir in tests/vectors/messages:spec tests/vectors/profiles/sri-2023:sri-2023 tests/vectors/profiles/braiins-2021:braiins-2021; do
  base=${dir%%:*}; profile=${dir##*:}
  find "$base" -name '*.json' | sort | while read -r json; do
    hexfile=${json%.json}.hex
    ./target/debug/sv2 encode --profile "$profile" "$json" > "$hexfile"
    ./target/debug/sv2 decode --profile "$profile" "$hexfile" | python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1); print()' > "$json"
  done
done
