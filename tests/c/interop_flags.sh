#!/bin/sh
# The example pool and miner with the options used against other software (issue 13), over
# loopback TCP (make test-c-asan):
#
#   tests/c/interop_flags.sh OUTDIR "POOL COMMAND" "MINER COMMAND"
#
# 1. sri-2023 dialect, plaintext, the miner sets up like SRI's mining proxy (flags 6: work
#    selection + version rolling) against a pool that allows work selection and ignores
#    max_target, with vardiff raising the difficulty (the miner announces 2% of its rate):
#    shares are accepted and, after TARGET_CHANGED, none is refused locally (the work being
#    hashed follows the new target; it used to keep the old one and refuse good shares).
#    --static-chain keeps the work between target changes, as between blocks on a network.
# 2. --no-vardiff: the same run sees no target change.
# 3. A wrong authority key in the URL: the miner stops at once with a clear message instead
#    of retrying five times.
set -u
dir=$1
pool=$2
miner=$3
mkdir -p "$dir"
fail=0

# start_pool NAME ARGS...: starts the pool, waits for its URL in $dir/NAME.url
start_pool() {
    name=$1
    shift
    rm -f "$dir/$name.url" "$dir/$name.log"
    $pool --port 0 --url-file "$dir/$name.url" --quiet "$@" >"$dir/$name.log" 2>&1 &
    pool_pid=$!
    i=0
    while [ ! -s "$dir/$name.url" ]; do
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 $pool_pid 2>/dev/null; then
            echo "interop_flags.sh: the pool ($name) did not start"
            cat "$dir/$name.log"
            kill $pool_pid 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
}

check() { # check DESCRIPTION COMMAND...
    what=$1
    shift
    if ! "$@"; then
        echo "interop_flags.sh: FAILED: $what"
        fail=1
    fi
}

# 1. sri-2023, plaintext, flags 6, vardiff on.
start_pool sri --plaintext --dialect sri-2023 --allow-work-selection --ignore-max-target --static-chain \
    --shares-per-minute 120 --until-disconnect --seconds 120
$miner --dialect sri-2023 --plaintext --flags 6 --hashrate 2% --seconds 6 \
    "$(cat "$dir/sri.url")" >"$dir/sri-miner.log" 2>&1
miner_rc=$?
wait $pool_pid
check "sri-2023 miner exits 0 (shares accepted)" [ $miner_rc -eq 0 ]
check "flags 6 accepted by the pool (work selection allowed)" grep -q 'SetupConnection accepted' "$dir/sri-miner.log"
check "vardiff changed the target" grep -q 'new target' "$dir/sri-miner.log"
check "no share refused locally after the target change" grep -q ' 0 refused locally' "$dir/sri-miner.log"
check "the pool printed no protocol error" sh -c "! grep -q 'protocol error' '$dir/sri-miner.log'"

# 2. --no-vardiff: the first target stays.
start_pool fixed --plaintext --no-vardiff --shares-per-minute 120 --until-disconnect --seconds 120
$miner --plaintext --hashrate 2% --seconds 3 "$(cat "$dir/fixed.url")" >"$dir/fixed-miner.log" 2>&1
miner_rc=$?
wait $pool_pid
check "no-vardiff miner exits 0" [ $miner_rc -eq 0 ]
check "no target change without vardiff" sh -c "! grep -q 'new target' '$dir/fixed-miner.log'"

# 3. Wrong authority: the key of another pool's URL.
start_pool other --seconds 60
other_url=$(cat "$dir/other.url")
other_pid=$pool_pid
start_pool noise --seconds 60
noise_url=$(cat "$dir/noise.url")
wrong_url="${noise_url%/*}/${other_url##*/}"
start=$(date +%s)
$miner --seconds 30 "$wrong_url" >"$dir/wrong-miner.log" 2>&1
miner_rc=$?
took=$(($(date +%s) - start))
kill $pool_pid $other_pid 2>/dev/null
wait $pool_pid $other_pid 2>/dev/null
check "wrong authority: the miner fails" [ $miner_rc -ne 0 ]
check "wrong authority: a clear message" grep -q 'giving up, reconnecting cannot fix this' "$dir/wrong-miner.log"
check "wrong authority: no reconnect attempts" sh -c "! grep -q 'reconnected to\|giving up after 5' '$dir/wrong-miner.log'"
check "wrong authority: stops at once (took ${took} s)" [ "$took" -lt 10 ]

if [ $fail -ne 0 ]; then
    for f in sri-miner sri fixed-miner fixed wrong-miner; do
        echo "--- $f.log"
        cat "$dir/$f.log"
    done
    exit 1
fi
echo "interop_flags.sh: sri-2023/plaintext/flags 6 ($(grep -c 'share [0-9]* accepted' "$dir/sri-miner.log") shares, target followed), --no-vardiff, wrong authority refused at once"
