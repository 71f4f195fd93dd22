#!/bin/sh
# The example template provider, pool and miner over loopback TCP with Noise (make test-c):
#
#   tests/c/tp_pool_miner.sh OUTDIR "TP COMMAND" "POOL COMMAND" "MINER COMMAND"
#
# examples/c/tp.c serves synthetic templates; examples/c/pool.c --tp takes its templates from
# it; the miner mines for 4 s at regtest difficulty, so most shares are blocks. Fails unless
# the pool set up its template client (CoinbaseOutputDataSize), made jobs of the provider's
# templates (shares accepted), sent its blocks back as SubmitSolution (R144), and the provider
# assembled them (SOLUTION lines; tp --expect-solutions 1). The provider stops when the pool
# has gone, the pool when the miner has.
set -u
dir=$1
tp=$2
pool=$3
miner=$4
mkdir -p "$dir"
rm -f "$dir/tpurl" "$dir/url" "$dir/tp.log" "$dir/pool.log" "$dir/miner.log"
wait_file() {
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 "$2" 2>/dev/null; then
            echo "tp_pool_miner.sh: $3 did not start"
            cat "$dir/tp.log" "$dir/pool.log" 2>/dev/null
            kill $tp_pid $pool_pid 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
}
pool_pid=
$tp --port 0 --url-file "$dir/tpurl" --seconds 60 --until-disconnect --expect-solutions 1 >"$dir/tp.log" 2>&1 &
tp_pid=$!
wait_file "$dir/tpurl" $tp_pid "the template provider"
$pool --port 0 --url-file "$dir/url" --until-disconnect --seconds 60 --expect-shares 1 \
    --tp "$(cat "$dir/tpurl")" >"$dir/pool.log" 2>&1 &
pool_pid=$!
wait_file "$dir/url" $pool_pid "the pool"
$miner --hashrate 10% --seconds 4 "$(cat "$dir/url")" >"$dir/miner.log" 2>&1
miner_rc=$?
[ $miner_rc -eq 0 ] || kill $pool_pid 2>/dev/null
wait $pool_pid
pool_rc=$?
wait $tp_pid
tp_rc=$?
sed 's/^/    /' "$dir/tp.log" | grep -v 'template at height' | tail -n 4
sed 's/^/    /' "$dir/pool.log" | tail -n 3
fail=0
[ $miner_rc -eq 0 ] || { echo "tp_pool_miner.sh: miner exited $miner_rc"; fail=1; }
[ $pool_rc -eq 0 ] || { echo "tp_pool_miner.sh: pool exited $pool_rc"; fail=1; }
[ $tp_rc -eq 0 ] || { echo "tp_pool_miner.sh: template provider exited $tp_rc"; fail=1; }
grep -q 'CoinbaseOutputDataSize 10' "$dir/tp.log" ||
    { echo "tp_pool_miner.sh: no CoinbaseOutputDataSize at the provider"; fail=1; }
grep -q 'SubmitSolution sent to the template provider' "$dir/pool.log" ||
    { echo "tp_pool_miner.sh: the pool sent no SubmitSolution"; fail=1; }
grep -q 'SOLUTION from conn 1: block at height 200' "$dir/tp.log" ||
    { echo "tp_pool_miner.sh: no block assembled at the provider"; fail=1; }
if [ $fail -ne 0 ]; then
    echo "--- miner log"; cat "$dir/miner.log"; echo "--- pool log"; cat "$dir/pool.log"
    echo "--- tp log"; cat "$dir/tp.log"
    exit 1
fi
echo "tp_pool_miner.sh: $(grep -c 'SOLUTION' "$dir/tp.log") blocks reached the provider through the pool, over Noise"
