#!/usr/bin/env python3
"""Writes the JSON sidecar (sample values) of every message vector, for the spec dialect and
each profile. The .hex files are then produced with `sv2 encode` and checked independently by
check_vectors.py, which re-encodes every sidecar from the message tables alone.

Run from the repository root: python3 tests/vectors/make_samples.py
"""
import json, os, hashlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def sample(ty, name, seed):
    h = hashlib.sha256(f"{name}:{seed}".encode()).digest()
    n = int.from_bytes(h[:8], "little")
    if ty.startswith("SEQ0_"):
        inner = ty[ty.index("[") + 1:-1]
        if name == "coinbase_tx_outputs":
            # two serialized outputs: value, script length, script
            return [ (50_0000_0000).to_bytes(8, "little").hex() + "0151", (0).to_bytes(8, "little").hex() + "026a00" ]
        return [sample(inner, name, seed + i + 1) for i in range(2)]
    return {
        "BOOL": bool(n & 1),
        "U8": n & 0xff if name != "protocol" else 0,
        "U16": n & 0xffff,
        "U32": n & 0xffffffff,
        "U64": n,
        "F32": float(n % 1000) * 1000.0,
        "U256": h.hex(), "B32": h.hex(),
        "STR0_255": f"{name}-{n % 1000}", "STR0_32": f"{name[:20]}-{n % 1000}",
        "B0_32": h[:8].hex(), "B0_255": h[:5].hex(), "B0_64K": h[:12].hex(), "B0_16M": h[:7].hex(),
        "SHORT_TX_ID": h[:6].hex(),
        "OPTION[U32]": n & 0xffffffff,
        "BYTES": h[:9].hex(),
    }[ty]

def main():
    messages = json.load(open(os.path.join(ROOT, "messages/messages.json")))
    spec_fields = {(m["protocol"], m["name"]): m for m in messages}
    targets = [("tests/vectors/messages", None, messages)]
    for profile in ["sri-2023", "braiins-2021"]:
        p = json.load(open(os.path.join(ROOT, f"messages/profiles/{profile}.json")))
        targets.append((f"tests/vectors/profiles/{profile}", profile, p["messages"]))
    for base, profile, msgs in targets:
        for m in msgs:
            fields = {}
            if m.get("payload_defined") is False:
                fields["payload"] = "0102030405"
            for i, f in enumerate(m["fields"]):
                name = f.get("name_in_spec") or f["name"]
                ty = f["type"]
                spec_ty = f.get("spec_type", ty)
                if profile and ty == "OPTION[U32]":
                    # sri-2023 replaces future_job by min_ntime: both appear in the JSON form
                    fields["future_job"] = False
                    fields[f["name"]] = sample(ty, f["name"], i)
                    continue
                value = sample(spec_ty if spec_ty == "B32" or spec_ty.startswith("SEQ") else ty, name, i)
                fields[name] = value
            obj = {"protocol": m["protocol"], "message": m["name"], "fields": fields}
            d = os.path.join(ROOT, base, m["protocol"])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, m["name"] + ".json"), "w") as out:
                json.dump(obj, out, indent=1)
                out.write("\n")

main()
