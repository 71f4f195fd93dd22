#!/bin/sh
# The example pool and miner against each other over loopback TCP with Noise (make test-c):
#
#   tests/c/pool_miner.sh OUTDIR "POOL COMMAND" "MINER COMMAND"
#
# The commands may start with a wrapper (valgrind ...). The pool listens on a free port,
# writes its URL (with the in-process generated authority key) to OUTDIR/url and asks the
# miner to reconnect after 1 s; the miner mines for 8 s. The miner announces a tenth of the
# rate it measures, so shares come about 20 a second whatever the wrapper costs: at its full
# rate the second connection (which under valgrind starts some 3.5 s in) expected only 2-5
# shares, and about one valgrind run in 30 saw none. Fails unless both exit 0 (the miner
# had shares accepted, the pool accepted at least one, and any wrapper reported no error), the
# miner reconnected, and the pool accepted shares on the new connection.
set -u
dir=$1
pool=$2
miner=$3
mkdir -p "$dir"
rm -f "$dir/url" "$dir/pool.log" "$dir/miner.log"
$pool --port 0 --url-file "$dir/url" --until-disconnect --seconds 120 --shares-per-minute 120 \
    --reconnect-after 1 --expect-shares 1 >"$dir/pool.log" 2>&1 &
pool_pid=$!
i=0
while [ ! -s "$dir/url" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 $pool_pid 2>/dev/null; then
        echo "pool_miner.sh: the pool did not start"
        cat "$dir/pool.log"
        kill $pool_pid 2>/dev/null
        exit 1
    fi
    sleep 0.1
done
$miner --hashrate 10% --seconds 8 "$(cat "$dir/url")" >"$dir/miner.log" 2>&1
miner_rc=$?
[ $miner_rc -eq 0 ] || kill $pool_pid 2>/dev/null
wait $pool_pid
pool_rc=$?
grep -v 'share found\|new work\|share [0-9]* accepted' "$dir/miner.log" | sed 's/^/    /' | tail -n 12
sed 's/^/    /' "$dir/pool.log" | tail -n 4
fail=0
[ $miner_rc -eq 0 ] || { echo "pool_miner.sh: miner exited $miner_rc"; fail=1; }
[ $pool_rc -eq 0 ] || { echo "pool_miner.sh: pool exited $pool_rc"; fail=1; }
grep -q 'reconnected to' "$dir/miner.log" || { echo "pool_miner.sh: the miner did not reconnect"; fail=1; }
grep -q 'conn 2: handshake and SetupConnection done' "$dir/pool.log" ||
    { echo "pool_miner.sh: no second connection at the pool"; fail=1; }
grep -q 'conn 2 channel [0-9]*: share [0-9]* accepted' "$dir/pool.log" ||
    { echo "pool_miner.sh: no share accepted on the new connection"; fail=1; }
if [ $fail -ne 0 ]; then
    echo "--- miner log"; cat "$dir/miner.log"; echo "--- pool log"; cat "$dir/pool.log"
    exit 1
fi
echo "pool_miner.sh: $(grep -c 'share [0-9]* accepted' "$dir/miner.log") shares accepted over Noise, reconnect included"
