#!/usr/bin/env bash
# Installs a built wheel into a fresh virtual environment (no index, no source tree on the
# path) and checks that the installed package works: the stub and marker files are in the
# wheel, a frame decodes and re-encodes, a plaintext session pair completes its setup.
set -euo pipefail
wheel="${1:?usage: python-wheel-smoke.sh WHEEL}"
[ -f "$wheel" ] || { echo "no wheel at $wheel" >&2; exit 1; }
python="${PYTHON:-python3}"
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheel"
cd "$venv"
"$venv/bin/python" - <<'PY'
import importlib.resources
import sv2

files = {p.name for p in importlib.resources.files("sv2").iterdir()}
assert {"py.typed", "_sv2.pyi", "__init__.py", "aio.py"} <= files, files

share = sv2.SubmitSharesStandard(channel_id=1, sequence_number=2, job_id=3, nonce=4, ntime=5, version=6)
frame = share.encode()
assert sv2.decode(frame) == share and sv2.decode(frame).encode() == frame
try:
    sv2.decode(frame[:-1])
except sv2.CodecError as e:
    assert e.code != 0
else:
    raise AssertionError("a truncated frame must raise CodecError")

client = sv2.Session.client(sv2.ClientConfig(plaintext=True), now_ms=0)
server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
server.receive_data(client.data_to_send(), 0)
client.receive_data(server.data_to_send(), 0)
assert any(isinstance(e, sv2.SetupComplete) for e in client.events()), "client setup"
print(f"wheel OK: sv2 {sv2.__version__} from {sv2.__file__}")
PY
