#!/bin/sh
# `make demo`: the example pool (examples/c/pool.c) and the C CPU miner (examples/c/miner.c) on
# 127.0.0.1 over Noise, with keys written by `sv2 key`. Run from the repository root after the
# Makefile built target/debug/sv2, target/demo/pool and target/demo/miner. Exits 0 only if the
# miner had shares accepted and the pool accepted at least one.
set -eu
out=target/demo
sv2=target/debug/sv2
rm -f "$out/authority.key" "$out/authority.pub" "$out/server.key" "$out/server.pub" \
    "$out/server.cert" "$out/url"

echo "== sv2 key: a pool authority key pair, a server key pair, a certificate signed by the authority"
"$sv2" key gen-authority --secret-out "$out/authority.key" --public-out "$out/authority.pub"
"$sv2" key gen-server --secret-out "$out/server.key" --public-out "$out/server.pub"
"$sv2" key sign --authority-secret "$out/authority.key" --server-public "$out/server.pub" \
    --valid-for 1d --out "$out/server.cert"

echo "== pool: 127.0.0.1 on a free port, Noise with that certificate, made-up templates (network 1000x harder than shares)"
"$out/pool" --port 0 --key "$out/server.key" --cert "$out/server.cert" \
    --authority-pub "$out/authority.pub" --url-file "$out/url" --until-disconnect --seconds 60 \
    --shares-per-minute 90 --expect-shares 1 &
pool_pid=$!
trap 'kill $pool_pid 2>/dev/null || true' EXIT
i=0
while [ ! -s "$out/url" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "demo: the pool did not start"
        exit 1
    fi
    sleep 0.1
done

echo "== miner: the C CPU miner on the sans-I/O sv2_miner handle, until 10 shares are accepted (30 s at most)"
miner_rc=0
"$out/miner" --user demo.cpu0 --shares 10 --seconds 30 "$(cat "$out/url")" || miner_rc=$?
pool_rc=0
wait $pool_pid || pool_rc=$?
trap - EXIT
if [ $miner_rc -ne 0 ] || [ $pool_rc -ne 0 ]; then
    echo "== demo FAILED: no share was accepted (miner exit $miner_rc, pool exit $pool_rc)"
    exit 1
fi
echo "== demo OK: handshake, channel, jobs and accepted shares over Stratum V2 with Noise (blocks are rare: about one share in 1000)"
