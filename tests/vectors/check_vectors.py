#!/usr/bin/env python3
"""Independent check of the message vectors: re-encodes every JSON sidecar using only the
message tables (messages/messages.json and messages/profiles/*.json) and this file's own
encoder, and compares with the committed .hex. It shares no code with the Rust codec, so a
mistake in the generator or the codec shows up here. Exit status 1 on any mismatch.
"""
import json, os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def enc(ty, v):
    if ty.startswith("SEQ0_255[") or ty.startswith("SEQ0_64K["):
        inner = ty[ty.index("[") + 1:-1]
        count = struct.pack("<B", len(v)) if ty.startswith("SEQ0_255") else struct.pack("<H", len(v))
        return count + b"".join(enc(inner, x) for x in v)
    if ty == "BOOL": return b"\x01" if v else b"\x00"
    if ty == "U8": return struct.pack("<B", v)
    if ty == "U16": return struct.pack("<H", v)
    if ty == "U32": return struct.pack("<I", v)
    if ty == "U64": return struct.pack("<Q", v)
    if ty == "F32": return struct.pack("<f", v)
    if ty in ("U256", "B32"):
        b = bytes.fromhex(v); assert len(b) == 32; return b
    if ty in ("STR0_255", "STR0_32"):
        b = v.encode(); assert len(b) <= (255 if ty == "STR0_255" else 32); return bytes([len(b)]) + b
    if ty == "B0_32":
        b = bytes.fromhex(v); assert len(b) <= 32; return bytes([len(b)]) + b
    if ty == "B0_255":
        b = bytes.fromhex(v); return bytes([len(b)]) + b
    if ty == "B0_64K":
        b = bytes.fromhex(v); return struct.pack("<H", len(b)) + b
    if ty == "B0_16M":
        b = bytes.fromhex(v); return struct.pack("<I", len(b))[:3] + b
    if ty == "SHORT_TX_ID":
        b = bytes.fromhex(v); assert len(b) == 6; return b
    if ty == "OPTION[U32]":
        return b"\x00" if v is None else b"\x01" + struct.pack("<I", v)
    raise ValueError(ty)

def encode_message(entry, fields):
    payload = b""
    if entry.get("payload_defined") is False:
        payload = bytes.fromhex(fields["payload"])
    for f in entry["fields"]:
        name = f.get("name_in_spec") or f["name"]
        ty, spec_ty = f["type"], f.get("spec_type", f["type"])
        if ty == "OPTION[U32]" and spec_ty == "BOOL":
            value = None if fields["future_job"] else fields[f["name"]]
        elif ty == "B0_64K" and spec_ty == "SEQ0_64K[B0_64K]":
            value = "".join(fields[name])
        elif ty == "B0_32" and spec_ty == "B32":
            value = fields[name]
        else:
            value = fields[name]
        payload += enc(ty, value)
    ext = entry.get("extension_type", 0) | (0x8000 if entry["channel_msg"] else 0)
    return struct.pack("<HB", ext, entry["msg_type"]) + struct.pack("<I", len(payload))[:3] + payload

def main():
    tables = {"messages": json.load(open(os.path.join(ROOT, "messages/messages.json")))}
    for p in ("sri-2023", "braiins-2021"):
        tables[p] = json.load(open(os.path.join(ROOT, f"messages/profiles/{p}.json")))["messages"]
    checked = failed = 0
    for base, table in [("tests/vectors/messages", "messages"), ("tests/vectors/profiles/sri-2023", "sri-2023"), ("tests/vectors/profiles/braiins-2021", "braiins-2021")]:
        index = {(m["protocol"], m["name"]): m for m in tables[table]}
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            for name in sorted(files):
                if not name.endswith(".json"):
                    continue
                sidecar = json.load(open(os.path.join(dirpath, name)))
                entry = index[(sidecar["protocol"], sidecar["message"])]
                expected = open(os.path.join(dirpath, name[:-5] + ".hex")).read().strip()
                got = encode_message(entry, sidecar["fields"]).hex()
                ok = got == expected and sidecar["msg_type"] == entry["msg_type"] and sidecar["channel_msg"] == entry["channel_msg"]
                checked += 1
                if not ok:
                    failed += 1
                    print(f"MISMATCH {base}/{sidecar['protocol']}/{name}\n  table encoder: {got}\n  committed:     {expected}")
    print(f"{checked - failed} passed, {failed} failed")
    return 1 if failed or checked == 0 else 0

sys.exit(main())
