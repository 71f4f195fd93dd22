"""Keys, certificates, URLs and the sans-I/O session (two sessions wired back to back)."""

from __future__ import annotations

import pathlib
import time

import pytest

import sv2

SEED_A = bytes(range(32))
SEED_S = bytes(range(1, 33))


def make_keys() -> tuple[sv2.AuthoritySecretKey, sv2.StaticSecretKey, sv2.Certificate]:
    authority = sv2.AuthoritySecretKey.generate(SEED_A)
    server = sv2.StaticSecretKey.generate(SEED_S)
    now = int(time.time())
    cert = sv2.Certificate.sign(authority, server.public_key(), now - 60, now + 3600)
    return authority, server, cert


def test_key_text_round_trip_and_errors() -> None:
    authority, server, cert = make_keys()
    public = authority.public_key()
    assert sv2.AuthorityPublicKey(str(public)) == public
    assert sv2.AuthorityPublicKey.from_bytes(public.to_bytes()) == public
    assert hash(public) == hash(sv2.AuthorityPublicKey.from_text(public.to_text()))
    assert sv2.AuthoritySecretKey.from_text(authority.to_text()).public_key() == public
    assert "redacted" in repr(authority) and authority.to_text() not in repr(authority)
    assert sv2.StaticSecretKey.from_bytes(server.to_bytes()).public_key() == server.public_key()
    # Seeded generation is reproducible.
    assert sv2.AuthoritySecretKey.generate(SEED_A).public_key() == public
    assert sv2.AuthoritySecretKey.generate().public_key() != public
    # The spec's example key.
    spec = sv2.AuthorityPublicKey("u95GEReVMjK6k5YqiSFNqqTnKU4ypU2Wm8awa6tmbmDmk1bWt")
    assert spec.to_bytes().hex() == "76637000979c1c11af0c300bcd8c7fe48610fce9b9c11e3daee35ae0b08a7455"
    for bad, code in [
        ("", sv2.ResultCode.KEY_TEXT),
        ("0OIl", sv2.ResultCode.KEY_TEXT),
        ("u95GEReVMjK6k5YqiSFNqqTnKU4ypU2Wm8awa6tmbmDmk1bWu", sv2.ResultCode.KEY_CHECKSUM),
    ]:
        with pytest.raises(sv2.NoiseError) as info:
            sv2.AuthorityPublicKey(bad)
        assert info.value.code == code
    with pytest.raises(ValueError):
        sv2.AuthoritySecretKey.generate(b"short")


def test_certificate(tmp_path: pathlib.Path) -> None:
    authority, server, cert = make_keys()
    cert.verify(authority.public_key())
    assert cert.server_public_key == server.public_key()
    assert cert.authority_public_key == authority.public_key()
    assert len(cert.signature) == 64 and cert.version == 0
    assert sv2.Certificate.from_text(cert.to_text()) == cert
    with pytest.raises(sv2.NoiseError) as info:
        cert.verify(authority.public_key(), now_unix=cert.not_valid_after + 1)
    assert info.value.code == sv2.ResultCode.CERT_EXPIRED
    with pytest.raises(sv2.NoiseError) as info:
        cert.verify(authority.public_key(), now_unix=cert.valid_from - 1)
    assert info.value.code == sv2.ResultCode.CERT_NOT_YET_VALID
    other = sv2.AuthoritySecretKey.generate(bytes(32)).public_key()
    with pytest.raises(sv2.NoiseError) as info:
        cert.verify(other)
    assert info.value.code == sv2.ResultCode.CERT_AUTHORITY_MISMATCH
    with pytest.raises(sv2.NoiseError) as info:
        sv2.Certificate.sign(authority, server.public_key(), 10, 5)
    assert info.value.code == sv2.ResultCode.CERT_EMPTY_VALIDITY
    # Files.
    path = tmp_path / "cert.txt"
    cert.write_file(str(path))
    assert sv2.Certificate.read_file(str(path)) == cert
    assert sv2.read_key_file(str(path)) == cert
    with pytest.raises(FileExistsError):
        cert.write_file(str(path))
    cert.write_file(str(path), overwrite=True)
    key_path = tmp_path / "authority.key"
    authority.write_file(str(key_path))
    assert (key_path.stat().st_mode & 0o777) == 0o600
    assert sv2.AuthoritySecretKey.read_file(str(key_path)).public_key() == authority.public_key()
    pub_path = tmp_path / "authority.pub"
    authority.public_key().write_file(str(pub_path))
    assert sv2.read_key_file(str(pub_path)) == authority.public_key()
    with pytest.raises(FileNotFoundError):
        sv2.AuthorityPublicKey.read_file(str(tmp_path / "missing"))
    with pytest.raises(sv2.NoiseError) as info:
        sv2.StaticPublicKey.read_file(str(pub_path))  # an authority key file
    assert info.value.code == sv2.ResultCode.CERT_MALFORMED
    tampered = cert.to_text().replace(f"valid_from = {cert.valid_from}", f"valid_from = {cert.valid_from - 1}")
    with pytest.raises(sv2.NoiseError):
        sv2.Certificate.from_text(tampered)


def test_pool_url() -> None:
    key = sv2.AuthoritySecretKey.generate(SEED_A).public_key()
    url = sv2.PoolUrl(f"stratum2+tcp://Pool.Example.com:3336/{key}")
    assert (url.host, url.port, url.authority_key, url.plaintext) == ("pool.example.com", 3336, key, False)
    assert str(url) == f"stratum2+tcp://pool.example.com:3336/{key}"
    plain = sv2.PoolUrl("stratum2+tcp+plain://[::1]:34254")
    assert plain.host == "::1" and plain.authority_key is None and plain.plaintext
    for bad, code in [
        ("pool:3336", sv2.ResultCode.URL_SCHEME),
        ("http://x:1", sv2.ResultCode.URL_SCHEME),
        ("stratum2+tcp://:1/x", sv2.ResultCode.URL_HOST),
        ("stratum2+tcp://pool/KEY", sv2.ResultCode.URL_PORT),
        ("stratum2+tcp://pool:3336", sv2.ResultCode.URL_KEY),
        # issue 20: a spec-2025 key is refused, never read as plaintext (Python sessions are
        # 2022 only so far).
        ("stratum2+tcp://thepool.com:34254/9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh", sv2.ResultCode.URL_KEY),
    ]:
        # A URL error is a UrlError (codes 340-343); still a NoiseError as the C table files it.
        with pytest.raises(sv2.UrlError) as info:
            sv2.PoolUrl(bad)
        assert info.value.code == code, bad
        assert isinstance(info.value, sv2.NoiseError)
    with pytest.raises(sv2.UrlError):
        sv2.ClientConfig(url="stratum2+tcp://pool")


def pump(a: sv2.Session, b: sv2.Session, now: int) -> None:
    """Moves bytes both ways until both sessions are quiet."""
    for _ in range(10):
        moved = False
        for src, dst in ((a, b), (b, a)):
            data = src.data_to_send()
            if data:
                dst.receive_data(data, now)
                moved = True
        if not moved:
            return


def pair(
    noise: bool = True, **server_kwargs: object
) -> tuple[sv2.Session, sv2.Session, sv2.AuthoritySecretKey]:
    authority, server_key, cert = make_keys()
    if noise:
        scfg = sv2.ServerConfig(static_key=server_key, certificate=cert, **server_kwargs)  # type: ignore[arg-type]
        ccfg = sv2.ClientConfig(authority_key=authority.public_key(), vendor="test", flags=0)
    else:
        scfg = sv2.ServerConfig(plaintext=True, **server_kwargs)  # type: ignore[arg-type]
        ccfg = sv2.ClientConfig(plaintext=True, vendor="test")
    client = sv2.Session.client(ccfg, now_ms=0)
    server = sv2.Session.server(scfg, now_ms=0)
    return client, server, authority


@pytest.mark.parametrize("noise", [True, False])
def test_session_pair_exchanges_messages(noise: bool) -> None:
    client, server, _ = pair(noise)
    assert client.role == "client" and server.role == "server"
    pump(client, server, 1)
    cev = client.events()
    sev = server.events()
    if noise:
        assert isinstance(cev[0], sv2.HandshakeComplete) and cev[0].cipher == "chachapoly"
        assert isinstance(sev[0], sv2.HandshakeComplete)
    setup_done = [e for e in sev if isinstance(e, sv2.SetupComplete)]
    assert len(setup_done) == 1 and setup_done[0].protocol == "mining"
    assert isinstance(setup_done[0].setup, sv2.SetupConnection) and setup_done[0].setup.vendor == "test"
    assert client.is_ready and server.is_ready and client.protocol == "mining"
    open_msg = sv2.OpenStandardMiningChannel(request_id=1, user_identity="alice", nominal_hash_rate=1e12, max_target=b"\xff" * 32)
    client.send(open_msg)
    pump(client, server, 2)
    got = server.next_event()
    assert got == open_msg
    match got:
        case sv2.OpenStandardMiningChannel(user_identity=user):
            assert user == "alice"
        case _:
            pytest.fail("no match")
    assert server.next_event() is None
    server.send_all([sv2.OpenStandardMiningChannelSuccess(request_id=1, channel_id=7, target=b"\xff" * 32), sv2.SetTarget(channel_id=7, maximum_target=b"\x0f" * 32)])
    pump(client, server, 3)
    events = client.events()
    assert [type(e) for e in events] == [sv2.OpenStandardMiningChannelSuccess, sv2.SetTarget]
    assert client.open_channels == 1
    # Sending in the wrong direction is refused and nothing is queued.
    with pytest.raises(sv2.UsageError) as info:
        client.send(sv2.SetTarget(channel_id=7))
    assert info.value.code == sv2.ResultCode.NOT_SENDABLE
    # Close: the peer sees end of file.
    client.close()
    server.peer_closed()
    closed = server.next_event()
    assert isinstance(closed, sv2.Closed) and closed.reason == "peer-closed"
    assert server.is_closed
    with pytest.raises(sv2.UsageError) as info:
        server.receive_data(b"x", 5)
    assert info.value.code == sv2.ResultCode.CLOSED


def test_send_before_setup_is_wrong_state() -> None:
    client, server, _ = pair()
    with pytest.raises(sv2.UsageError) as info:
        client.send(sv2.SetTarget())
    assert info.value.code == sv2.ResultCode.WRONG_STATE


def test_wrong_authority_key_fails_handshake() -> None:
    _, server_key, cert = make_keys()
    server = sv2.Session.server(sv2.ServerConfig(static_key=server_key, certificate=cert), now_ms=0)
    other = sv2.AuthoritySecretKey.generate(bytes(32)).public_key()
    client = sv2.Session.client(sv2.ClientConfig(authority_key=other), now_ms=0)
    with pytest.raises(sv2.NoiseError) as info:
        pump(client, server, 0)
    assert info.value.code == sv2.ResultCode.CERT_BAD_SIGNATURE
    closed = client.events()[-1]
    assert isinstance(closed, sv2.Closed) and closed.reason == "error" and closed.code == sv2.ResultCode.CERT_BAD_SIGNATURE


def test_url_scheme_mismatch_says_which_side_speaks_noise() -> None:
    """Issue 14: a plaintext client on a Noise server, and a Noise client on a plaintext
    server, get an error naming the mismatch (it was "Noise message with length prefix 0")."""
    authority, server_key, cert = make_keys()
    noise_server = sv2.Session.server(sv2.ServerConfig(static_key=server_key, certificate=cert), now_ms=0)
    plain_client = sv2.Session.client(sv2.ClientConfig(plaintext=True, vendor="test"), now_ms=0)
    with pytest.raises(sv2.NoiseError) as noise_info:
        pump(plain_client, noise_server, 0)
    assert noise_info.value.code == sv2.ResultCode.NOISE_MALFORMED
    assert "server speaks Noise and the client is plaintext" in str(noise_info.value)

    plain_server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
    noise_client = sv2.Session.client(sv2.ClientConfig(authority_key=authority.public_key()), now_ms=0)
    with pytest.raises(sv2.ProtocolError) as plain_info:
        pump(noise_client, plain_server, 0)
    assert plain_info.value.code == sv2.ResultCode.PROTOCOL
    assert "client started a Noise handshake, but this server is plaintext" in str(plain_info.value)


def test_expired_certificate_is_refused() -> None:
    authority, server_key, cert = make_keys()
    server = sv2.Session.server(sv2.ServerConfig(static_key=server_key, certificate=cert), now_ms=0)
    client = sv2.Session.client(
        sv2.ClientConfig(authority_key=authority.public_key(), now_unix=cert.not_valid_after + 10), now_ms=0
    )
    with pytest.raises(sv2.NoiseError) as info:
        pump(client, server, 0)
    assert info.value.code == sv2.ResultCode.CERT_EXPIRED


def test_tampered_transport_is_refused() -> None:
    client, server, _ = pair()
    pump(client, server, 1)
    client.events(), server.events()
    client.send(sv2.CloseChannel(channel_id=1, reason_code="bye"))
    data = bytearray(client.data_to_send())
    data[-1] ^= 1
    with pytest.raises(sv2.NoiseError) as info:
        server.receive_data(bytes(data), 2)
    assert info.value.code == sv2.ResultCode.NOISE_TRANSPORT_DECRYPT


def test_setup_check_refuses_clients() -> None:
    seen: list[sv2.SetupConnection] = []

    def check(setup: sv2.SetupConnection) -> str | None:
        seen.append(setup)
        return "unsupported-vendor" if setup.vendor == "test" else None

    client, server, _ = pair(noise=False, setup_check=check)
    pump(client, server, 1)
    closed = client.events()[-1]
    assert isinstance(closed, sv2.Closed) and closed.reason == "setup-rejected"
    assert closed.error_code == "unsupported-vendor" and closed.code == sv2.ResultCode.SETUP_REJECTED
    assert len(seen) == 1 and seen[0].vendor == "test"


def test_unsupported_flags_are_refused() -> None:
    client = sv2.Session.client(sv2.ClientConfig(plaintext=True, flags=0b1000), now_ms=0)
    server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
    pump(client, server, 1)
    closed = client.events()[-1]
    assert isinstance(closed, sv2.Closed) and closed.error_code == "unsupported-feature-flags"
    assert closed.flags == 0b1000


def test_first_message_must_be_setup() -> None:
    server = sv2.Session.server(sv2.ServerConfig(plaintext=True), now_ms=0)
    with pytest.raises(sv2.ProtocolError) as info:
        server.receive_data(sv2.SetTarget().encode(), 0)
    assert info.value.code == sv2.ResultCode.PROTOCOL


def test_garbage_frame_is_protocol_error() -> None:
    client, server, _ = pair(noise=False)
    pump(client, server, 1)
    server.events()
    # A SubmitSharesStandard frame one byte short.
    frame = bytearray(sv2.SubmitSharesStandard().encode())
    frame[3] -= 1
    server.receive_data(bytes(frame[:-1]), 2)
    ev = server.next_event()
    assert isinstance(ev, sv2.Closed) and ev.code == sv2.ResultCode.TRUNCATED


def assert_timer_closes(session: sv2.Session, deadline: int, code: int) -> None:
    """The session's next deadline is `deadline`, nothing happens a millisecond before, and at
    the deadline it closes with `code`."""
    assert session.poll_timeout() == deadline
    session.handle_timeout(deadline - 1)
    assert not session.is_closed
    session.handle_timeout(deadline)
    ev = session.events()[-1]
    assert isinstance(ev, sv2.Closed) and ev.code == code


def test_timeouts() -> None:
    client = sv2.Session.client(sv2.ClientConfig(plaintext=True, setup_timeout_ms=500), now_ms=1000)
    assert_timer_closes(client, 1500, sv2.ResultCode.TIMEOUT_SETUP)
    # now_ms defaults to the monotonic clock.
    s = sv2.Session.client(sv2.ClientConfig(plaintext=True))
    timeout = s.poll_timeout()
    assert timeout is not None and abs(timeout - 10_000 - sv2.monotonic_ms()) < 1000


def test_open_channel_timeout_closes_a_client_without_channels() -> None:
    # R55: set up, ask for no channel: the server closes after open_channel_timeout_ms.
    client, server, _ = pair(False, open_channel_timeout_ms=2_000)
    pump(client, server, 10)
    assert client.is_ready and server.is_ready
    assert_timer_closes(server, 2_010, sv2.ResultCode.TIMEOUT_OPEN_CHANNEL)
    # An OpenStandardMiningChannel stops the timer; 0 disables it.
    client, server, _ = pair(False, open_channel_timeout_ms=2_000)
    pump(client, server, 10)
    client.send(sv2.OpenStandardMiningChannel(request_id=1, user_identity="u", nominal_hash_rate=1.0, max_target=b"\xff" * 32))
    pump(client, server, 20)
    assert isinstance(server.events()[-1], sv2.OpenStandardMiningChannel)
    assert server.poll_timeout() is None
    client, server, _ = pair(False, open_channel_timeout_ms=0)
    pump(client, server, 10)
    assert server.poll_timeout() is None


def test_config_errors() -> None:
    key = sv2.AuthoritySecretKey.generate(SEED_A).public_key()
    with pytest.raises(sv2.UsageError) as info:
        sv2.ClientConfig()
    assert info.value.code == sv2.ResultCode.INVALID_CONFIG
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(authority_key=key, plaintext=True)
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(plaintext=True, protocol="bogus")
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(plaintext=True, dialect="bogus")
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(authority_key=key, ciphers=["rot13"])
    with pytest.raises(sv2.UsageError):
        sv2.ServerConfig()
    authority, server_key, cert = make_keys()
    with pytest.raises(sv2.UsageError):
        sv2.ServerConfig(static_key=sv2.StaticSecretKey.generate(bytes(32)), certificate=cert)
    cfg = sv2.ClientConfig(url=f"stratum2+tcp://pool.example.com:3336/{authority.public_key()}")
    assert not cfg.plaintext and cfg.setup.endpoint_host == "pool.example.com" and cfg.setup.endpoint_port == 3336
    assert sv2.ClientConfig(url="stratum2+tcp+plain://127.0.0.1:1").plaintext
    with pytest.raises(sv2.UsageError):
        sv2.ClientConfig(url=f"stratum2+tcp://h:1/{authority.public_key()}", authority_key=sv2.AuthoritySecretKey.generate(bytes(32)).public_key())


def test_event_classes() -> None:
    a = sv2.Closed(reason="error", code=1, detail="x", error_code=None, flags=0)
    assert a == sv2.Closed(reason="error", code=1, detail="x", error_code=None, flags=0)
    assert a != sv2.Closed(reason="error", code=2, detail="x", error_code=None, flags=0)
    assert "Closed(reason='error'" in repr(a)
    match a:
        case sv2.Closed("error", code):
            assert code == 1
        case _:
            pytest.fail("no match")


def test_authority_key_bytes_are_checked_like_key_text() -> None:
    good = sv2.AuthoritySecretKey.generate(SEED_A).public_key()
    assert sv2.AuthorityPublicKey.from_bytes(good.to_bytes()) == good
    # 0x02 followed by zeros decodes to no point on the curve: refused at once, as its text is.
    with pytest.raises(sv2.NoiseError) as info:
        sv2.AuthorityPublicKey.from_bytes(b"\x02" + bytes(31))
    assert info.value.code == sv2.ResultCode.KEY_INVALID
    # Any 32 bytes are an X25519 key.
    assert sv2.StaticPublicKey.from_bytes(b"\x02" + bytes(31)).to_bytes() == b"\x02" + bytes(31)


def test_frame_header_refuses_extension_ids_beyond_15_bits() -> None:
    assert sv2.FrameHeader(extension_id=0x7FFF).extension_id == 0x7FFF
    with pytest.raises(ValueError):
        sv2.FrameHeader(extension_id=0x8000)
