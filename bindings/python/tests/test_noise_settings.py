"""Issue 13 items 2 and 9: the dialect alone selects the Noise negotiation, and the Noise
settings (noise_profile, ciphers by wire or Noise name, negotiate, accept_no_negotiation,
min_version/max_version) mean what they mean in Rust, C and Node."""

from __future__ import annotations

import time

import pytest

import sv2

AUTHORITY = sv2.AuthoritySecretKey.generate(bytes([7]) * 32)
SERVER_KEY = sv2.StaticSecretKey.generate(bytes([8]) * 32)
NOW = int(time.time())
CERT = sv2.Certificate.sign(AUTHORITY, SERVER_KEY.public_key(), NOW - 60, NOW + 3600)


def pump(a: sv2.Session, b: sv2.Session) -> None:
    for _ in range(100):
        moved = False
        for src, dst in ((a, b), (b, a)):
            data = src.data_to_send()
            if data and not dst.is_closed:
                try:
                    dst.receive_data(data, 1)
                except sv2.Sv2Error:
                    pass
                moved = True
        if not moved:
            return


def handshake(client: dict[str, object], server: dict[str, object]) -> tuple[list[object], list[object]]:
    ccfg = sv2.ClientConfig(authority_key=AUTHORITY.public_key(), **client)  # type: ignore[arg-type]
    scfg = sv2.ServerConfig(static_key=SERVER_KEY, certificate=CERT, **server)  # type: ignore[arg-type]
    c = sv2.Session.client(ccfg, now_ms=0)
    s = sv2.Session.server(scfg, now_ms=0)
    pump(c, s)
    return list(c.events()), list(s.events())


def first_magic(**kwargs: object) -> bytes:
    cfg = sv2.ClientConfig(authority_key=AUTHORITY.public_key(), **kwargs)  # type: ignore[arg-type]
    return sv2.Session.client(cfg, now_ms=0).data_to_send()[2:6]


def test_e7_dialect_alone_selects_the_negotiation() -> None:
    assert first_magic(dialect="braiins-2021") == b"STR2"
    assert first_magic(dialect="spec") == b"STR3"
    assert first_magic(dialect="sri-2023") == b"STR3"
    assert first_magic(dialect="braiins-2021", noise_profile="SRI-2023") == b"STR3"
    assert first_magic(noise_profile="braiins-2021") == b"STR2"
    cfg = sv2.ClientConfig(authority_key=AUTHORITY.public_key(), dialect="braiins-2021")
    assert cfg.noise_profile == "braiins-2021"
    assert sv2.ClientConfig(plaintext=True).noise_profile is None
    # A braiins-2021 server prefers AESGCM, as Braiins does; a spec one ChaChaPoly.
    cev, _ = handshake({"dialect": "braiins-2021"}, {"dialect": "braiins-2021"})
    done = cev[0]
    assert isinstance(done, sv2.HandshakeComplete) and done.cipher == "aesgcm" and done.form == "str2"
    cev, _ = handshake({}, {})
    assert isinstance(cev[0], sv2.HandshakeComplete) and cev[0].cipher == "chachapoly"


def test_e7_client_of_the_wrong_dialect_is_told_the_servers() -> None:
    client = sv2.Session.client(sv2.ClientConfig(authority_key=AUTHORITY.public_key()), now_ms=0)
    # The reply of a Braiins 2021 server: STR2, one id, AESG.
    with pytest.raises(sv2.NoiseError) as info:
        client.receive_data(bytes.fromhex("0900535452320141455347"), 1)
    assert info.value.code == sv2.ResultCode.NOISE_NEGOTIATION
    assert "answered with the braiins-2021 negotiation (STR2); configure dialect braiins-2021" in str(info.value)


def test_ciphers_negotiation_and_versions() -> None:
    cev, _ = handshake({"ciphers": ["aesg"]}, {"ciphers": ["AESGCM", "chch"]})
    assert isinstance(cev[0], sv2.HandshakeComplete) and cev[0].cipher == "aesgcm"
    cev, _ = handshake({"ciphers": ["CHCH", "AESG"]}, {"ciphers": ["aes-256-gcm", "ChaChaPoly"]})
    assert isinstance(cev[0], sv2.HandshakeComplete) and cev[0].cipher == "aesgcm"
    cev, _ = handshake({"ciphers": ["AESG"]}, {"ciphers": ["CHCH"]})
    assert not any(isinstance(e, sv2.HandshakeComplete) for e in cev)
    # No negotiation: braiins-2021 only, and only with a server that accepts it.
    cev, _ = handshake({"dialect": "braiins-2021", "negotiate": False}, {})
    assert isinstance(cev[0], sv2.HandshakeComplete) and cev[0].form == "none"
    cev, _ = handshake({"dialect": "braiins-2021", "negotiate": False}, {"accept_no_negotiation": False})
    assert not any(isinstance(e, sv2.HandshakeComplete) for e in cev)
    with pytest.raises(sv2.Sv2Error):
        sv2.Session.client(sv2.ClientConfig(authority_key=AUTHORITY.public_key(), negotiate=False), now_ms=0)
    # SetupConnection versions reach the server.
    _, sev = handshake({"min_version": 2, "max_version": 3}, {})
    setup = next(e for e in sev if isinstance(e, sv2.SetupComplete)).setup
    assert (setup.min_version, setup.max_version) == (2, 3)


def test_bad_noise_settings_name_what_is_accepted() -> None:
    key = AUTHORITY.public_key()
    with pytest.raises(sv2.UsageError, match=r"CHCH \(ChaChaPoly\) or AESG \(AESGCM\)"):
        sv2.ClientConfig(authority_key=key, ciphers=["rot13"])
    with pytest.raises(sv2.UsageError, match="sri-2023 or braiins-2021"):
        sv2.ClientConfig(authority_key=key, noise_profile="str3")
    with pytest.raises(sv2.UsageError):
        sv2.ServerConfig(static_key=SERVER_KEY, certificate=CERT, ciphers=["des"])
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(authority_key=key, ciphers=[])
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(authority_key=key, min_version=3, max_version=2)


def test_wire_tap_hook_sees_every_frame_in_the_decode_form() -> None:
    """Issue 13 item 12: ClientConfig/ServerConfig(trace=callable)."""
    import json

    client_lines: list[str] = []
    server_lines: list[str] = []
    ccfg = sv2.ClientConfig(plaintext=True, vendor="tap", trace=client_lines.append)
    scfg = sv2.ServerConfig(plaintext=True, trace=server_lines.append)
    client = sv2.Session.client(ccfg, now_ms=0)
    server = sv2.Session.server(scfg, now_ms=0)
    # The plaintext SetupConnection is traced as soon as the session exists.
    assert len(client_lines) == 1
    first = json.loads(client_lines[0])
    assert first["direction"] == "sent"
    assert first["frame"]["message"] == "SetupConnection" and first["frame"]["fields"]["vendor"] == "tap"
    pump(client, server)
    client.events(), server.events()
    assert [json.loads(l)["direction"] for l in server_lines] == ["received", "sent"]
    share = sv2.SubmitSharesStandard(channel_id=1, sequence_number=2, job_id=3, nonce=4, ntime=5, version=6)
    client.send(share)
    pump(client, server)
    server.events()
    sent = json.loads(client_lines[-1])
    received = json.loads(server_lines[-1])
    assert sent["direction"] == "sent" and received["direction"] == "received"
    assert sent["frame"] == received["frame"]
    assert sent["frame"]["message"] == "SubmitSharesStandard"
    assert list(sent["frame"]["fields"]) == ["channel_id", "sequence_number", "job_id", "nonce", "ntime", "version"]
    # Same JSON as `sv2 decode` prints (the CLI uses the same core function).
    assert client_lines[-1].startswith('{"direction":"sent","frame":{"protocol":"Mining","message":"SubmitSharesStandard","msg_type":26,')


def test_wire_tap_hook_errors_do_not_break_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    seen: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))

    def broken(line: str) -> None:
        raise RuntimeError("logging failed")

    client = sv2.Session.client(sv2.ClientConfig(plaintext=True, trace=broken), now_ms=0)
    server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
    pump(client, server)
    assert client.is_ready
    assert seen and isinstance(seen[0], RuntimeError)


def test_miner_wire_tap() -> None:
    import json

    lines: list[str] = []
    ccfg = sv2.ClientConfig(plaintext=True, trace=lines.append)
    miner = sv2.Miner(ccfg, [sv2.ChannelRequest(user_identity="u", nominal_hash_rate=1.0)], now_ms=0)
    assert json.loads(lines[0])["frame"]["message"] == "SetupConnection"
    del miner
