"""Issue 13 item 11: key files of the deployed tools (Braiins key tool JSON, SRI 2023 TOML
configurations) load through the same calls as libsv2's own; fixtures in tests/fixtures/keys."""

from __future__ import annotations

import pathlib

import pytest

import sv2

FIXTURES = pathlib.Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "keys"


def test_braiins_json_and_sri_toml_read_as_ours() -> None:
    authority = sv2.AuthorityPublicKey.read_file(FIXTURES / "sv2" / "authority.public")
    assert sv2.AuthorityPublicKey.read_file(FIXTURES / "braiins" / "authority-public.json") == authority
    assert sv2.AuthoritySecretKey.read_file(FIXTURES / "braiins" / "authority-secret.json").public_key() == authority
    server = sv2.StaticPublicKey.read_file(FIXTURES / "sv2" / "server.public")
    assert sv2.StaticSecretKey.read_file(FIXTURES / "braiins" / "server-secret.json").public_key() == server
    cert = sv2.Certificate.read_file(FIXTURES / "braiins" / "server-cert.json")
    assert cert == sv2.Certificate.read_file(FIXTURES / "sv2" / "server.cert")
    cert.verify(authority, now_unix=1_800_000_000)
    assert sv2.AuthoritySecretKey.read_file(FIXTURES / "sri" / "pool-config.toml").public_key() == authority
    assert sv2.AuthorityPublicKey.read_file(FIXTURES / "sri" / "proxy-config.toml") == authority


def test_unrecognised_file_names_the_expected_formats() -> None:
    with pytest.raises(sv2.NoiseError) as info:
        sv2.StaticSecretKey.read_file(FIXTURES / "sri" / "proxy-config.toml")
    assert info.value.code == sv2.ResultCode.CERT_MALFORMED
    assert 'Braiins JSON `{"noise_secret_key": "<key>"}`' in str(info.value)
