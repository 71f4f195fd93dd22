#!/bin/sh
# `--trace` of the example pool and miner (issue 13 item 12): both print every frame they send
# and receive as JSON lines (the `sv2 decode` form) on stderr.
#
#   tests/c/trace_examples.sh OUTDIR "POOL COMMAND" "MINER COMMAND"
set -u
dir=$1
pool=$2
miner=$3
mkdir -p "$dir"
rm -f "$dir/url" "$dir/pool.log" "$dir/miner.log"
$pool --port 0 --url-file "$dir/url" --until-disconnect --seconds 60 --trace >"$dir/pool.log" 2>&1 &
pool_pid=$!
i=0
while [ ! -s "$dir/url" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 $pool_pid 2>/dev/null; then
        echo "trace_examples.sh: the pool did not start"; cat "$dir/pool.log"
        kill $pool_pid 2>/dev/null
        exit 1
    fi
    sleep 0.1
done
$miner --hashrate 1000 --seconds 2 --trace "$(cat "$dir/url")" >"$dir/miner.log" 2>&1
miner_rc=$?
[ $miner_rc -eq 0 ] || kill $pool_pid 2>/dev/null
wait $pool_pid
fail=0
[ $miner_rc -eq 0 ] || { echo "trace_examples.sh: miner exited $miner_rc"; fail=1; }
grep -q '^\[miner trace\] {"direction":"sent","frame":{"protocol":"Common","message":"SetupConnection",' "$dir/miner.log" ||
    { echo "trace_examples.sh: no SetupConnection in the miner's trace"; fail=1; }
grep -q '^\[miner trace\] {"direction":"received","frame":{"protocol":"Mining","message":"OpenStandardMiningChannel.Success",' "$dir/miner.log" ||
    { echo "trace_examples.sh: no OpenStandardMiningChannel.Success in the miner's trace"; fail=1; }
grep -q '^\[pool trace\] conn 1 {"direction":"received","frame":{"protocol":"Common","message":"SetupConnection",' "$dir/pool.log" ||
    { echo "trace_examples.sh: no SetupConnection in the pool's trace"; fail=1; }
if [ $fail -ne 0 ]; then
    echo "--- miner log"; cat "$dir/miner.log"; echo "--- pool log"; cat "$dir/pool.log"
    exit 1
fi
echo "trace_examples.sh: $(grep -c '^\[miner trace\]' "$dir/miner.log") miner and $(grep -c '^\[pool trace\]' "$dir/pool.log") pool trace lines"
