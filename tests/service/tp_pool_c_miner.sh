#!/bin/sh
# `make test-roles`: the C CPU miner (examples/c/miner.c), then the Python one
# (examples/python/miner.py, when PYTHON imports sv2), on `sv2 pool --tp`, whose templates come
# from `sv2 tp --synthetic`, all over Noise with ephemeral authorities, on 127.0.0.1.
# Passes only if every miner had shares accepted and blocks found at regtest difficulty
# reached the provider as SubmitSolution (R134, R144: "solutions" > 0 in its --json summary).
# Usage: tp_pool_c_miner.sh SV2 C_MINER OUT_DIR [PYTHON]
set -eu
sv2=$1
miner=$2
out=$3
python=${4:-}
mkdir -p "$out"
rm -f "$out/tp.out" "$out/pool.out"

"$sv2" tp --listen 127.0.0.1:0 --synthetic --seconds 60 --json >"$out/tp.out" 2>"$out/tp.log" &
tp_pid=$!
"$sv2" pool --listen 127.0.0.1:0 --tp "$(
    i=0
    while [ ! -s "$out/tp.out" ]; do
        i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.1
    done
    head -n 1 "$out/tp.out"
)" --seconds 60 --json >"$out/pool.out" 2>"$out/pool.log" &
pool_pid=$!
trap 'kill $tp_pid $pool_pid 2>/dev/null || true' EXIT
i=0
while [ ! -s "$out/pool.out" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then
        echo "test-roles: the pool printed no URL"; cat "$out/pool.log"; exit 1
    fi
    sleep 0.1
done
pool_url=$(head -n 1 "$out/pool.out")

miner_rc=0
"$miner" --user c.cpu0 --shares 3 --seconds 30 --quiet "$pool_url" || miner_rc=$?
if [ -n "$python" ] && "$python" -c "import sv2" 2>/dev/null; then
    py_out=$(timeout 30 "$python" examples/python/miner.py --user py.cpu0 --shares 2 \
        --hashrate 1000 "$pool_url" 2>"$out/py-miner.log") || miner_rc=$?
    echo "python miner: $py_out"
    case "$py_out" in
    [1-9]*" shares accepted") ;;
    *) miner_rc=1 ;;
    esac
else
    echo "python miner: skipped (no PYTHON with the sv2 package; make python-develop)"
fi
kill -TERM $pool_pid
pool_rc=0
wait $pool_pid || pool_rc=$?
kill -TERM $tp_pid
tp_rc=0
wait $tp_pid || tp_rc=$?
trap - EXIT

tp_summary=$(tail -n 1 "$out/tp.out")
pool_summary=$(tail -n 1 "$out/pool.out")
echo "tp:   $tp_summary"
echo "pool: $pool_summary"
solutions=$(echo "$tp_summary" | sed -n 's/.*"solutions":\([0-9]*\).*/\1/p')
accepted=$(echo "$pool_summary" | sed -n 's/.*"accepted":\([0-9]*\).*/\1/p')
if [ $miner_rc -ne 0 ] || [ $pool_rc -ne 0 ] || [ $tp_rc -ne 0 ] \
    || [ "${solutions:-0}" -lt 1 ] || [ "${accepted:-0}" -lt 1 ]; then
    echo "test-roles FAILED: miner exit $miner_rc, pool exit $pool_rc, tp exit $tp_rc, solutions ${solutions:-?}, accepted ${accepted:-?}"
    tail -n 20 "$out/pool.log" "$out/tp.log"
    exit 1
fi
echo "test-roles OK: C miner -> sv2 pool --tp -> sv2 tp, shares accepted, $solutions solutions at the provider"
