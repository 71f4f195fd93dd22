"""Decode a captured Stratum V2 byte stream (hex, one frame per line, `#` comments).

    python examples/python/decode.py examples/captures/mining-session.hex
"""

from __future__ import annotations

import sys

import sv2


def main(path: str, dialect: str = "spec") -> int:
    decoder = sv2.StreamDecoder(dialect)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                decoder.push(bytes.fromhex(line))
    for frame in decoder:
        match frame:
            case sv2.RawFrame(header=h):
                print(f"unknown frame: extension {h.extension_id:#06x} type {h.msg_type:#04x}")
            case sv2.Message():
                print(frame)
    if decoder.buffered:
        print(f"{decoder.buffered} bytes of an incomplete frame left", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
