"""Template Distribution (spec §6) from Python: a TemplateProvider fed by the synthetic block
source, a TemplateClient over Noise, a PoolEngine taking its templates from that client, and a
mining client whose block reaches the provider as SubmitSolution (R144) and comes back as an
assembled block. Also the template builder, RequestTransactionData (R142), stale tips and the
error classes."""

from __future__ import annotations

import pytest

import sv2

NOW_UNIX = 1_700_000_000
# 8-byte value + 1-byte script length + OP_TRUE: the pool engine's default payout output.
POOL_COINBASE_OUTPUTS = 10

# Version 1, one input (a made-up outpoint, empty scriptSig), one output (0 sat, OP_TRUE).
LEGACY_TX = bytes.fromhex("0100000001" + "11" * 32 + "00000000" + "00" + "ffffffff" + "01" + "00" * 8 + "0151" + "00000000")


def make_keys() -> tuple[sv2.AuthoritySecretKey, sv2.StaticSecretKey, sv2.Certificate]:
    authority = sv2.AuthoritySecretKey.generate(bytes([7]) * 32)
    server_key = sv2.StaticSecretKey.generate(bytes([8]) * 32)
    cert = sv2.Certificate.sign(authority, server_key.public_key(), NOW_UNIX - 10, NOW_UNIX + 3600)
    return authority, server_key, cert


class Link:
    """A provider with one template client, moving bytes through memory."""

    def __init__(self, noise: bool = True, reserve: int = POOL_COINBASE_OUTPUTS) -> None:
        authority, server_key, cert = make_keys()
        if noise:
            server = sv2.ServerConfig(static_key=server_key, certificate=cert)
            client = sv2.ClientConfig(authority_key=authority.public_key(), vendor="py-pool", now_unix=NOW_UNIX)
        else:
            server = sv2.ServerConfig(plaintext=True)
            client = sv2.ClientConfig(plaintext=True, vendor="py-pool")
        self.tp = sv2.TemplateProvider(server, max_templates=16)
        self.conn = self.tp.accept(now_ms=0)
        self.tc = sv2.TemplateClient(client, coinbase_output_max_additional_size=reserve, now_ms=0)
        self.tp_events: list[sv2.ProviderEvent] = []
        self.tc_events: list[sv2.TemplateClientEvent] = []

    def settle(self) -> list[sv2.TemplateClientEvent]:
        """Moves bytes until quiet; returns the client events of this round."""
        new: list[sv2.TemplateClientEvent] = []
        for _ in range(1000):
            moved = False
            up = self.tc.data_to_send()
            if up:
                moved = True
                self.tp.receive_data(self.conn, up, now_ms=0)
            for event in self.tp.events():
                moved = True
                self.tp_events.append(event)
            down = self.tp.data_to_send(self.conn)
            if down:
                moved = True
                self.tc.receive_data(down, now_ms=0)
            for e in self.tc.events():
                moved = True
                new.append(e)
            if not moved:
                self.tc_events += new
                return new
        raise AssertionError("did not settle")


def test_block_template_builder_refuses_bad_transactions() -> None:
    tx = sv2.TemplateTransaction(LEGACY_TX, sigops=4, fee=1000)
    assert tx.weight == 4 * len(LEGACY_TX) and tx.fee == 1000 and len(tx.txid) == 32
    assert sv2.double_sha256(LEGACY_TX) == tx.txid
    template = sv2.BlockTemplate(
        version=0x20000000,
        prev_hash=b"\x42" * 32,
        nbits=0x207FFFFF,
        target=b"\xff" * 31 + b"\x7f",
        header_timestamp=NOW_UNIX,
        min_time=NOW_UNIX - 600,
        height=101,
        coinbase_value=5_000_000_000,
        transactions=[tx],
    )
    template.add_transaction(tx)
    assert len(template) == 2 and template.height == 101 and template.segwit
    # Truncated, trailing bytes, empty: not exactly one transaction.
    for bad in (LEGACY_TX[:-1], LEGACY_TX + b"\x00", b""):
        with pytest.raises(sv2.UsageError) as info:
            sv2.TemplateTransaction(bad)
        assert info.value.code == sv2.ResultCode.INVALID_TRANSACTION
    with pytest.raises(ValueError):
        sv2.BlockTemplate(
            version=1,
            prev_hash=b"short",
            nbits=0,
            target=b"\x00" * 32,
            header_timestamp=0,
            min_time=0,
            height=1,
            coinbase_value=0,
        )


@pytest.mark.parametrize("noise", [True, False])
def test_provider_serves_templates_tips_and_transaction_data(noise: bool) -> None:
    link = Link(noise)
    source = sv2.SyntheticBlockSource(seed=6, height=400, transactions=40)
    assert link.tp.set_template(source.next_block(NOW_UNIX), now_ms=0) == "new-tip"
    events = link.settle()
    # R131, R132: CoinbaseOutputDataSize after setup, then a future template and its tip.
    assert events[0] == sv2.TemplateClientReady(coinbase_output_max_additional_size=POOL_COINBASE_OUTPUTS)
    assert link.tc.is_ready
    templates = [e for e in events if isinstance(e, sv2.NewTemplate)]
    tips = [e for e in events if isinstance(e, sv2.TdpSetNewPrevHash)]
    assert len(templates) == 1 and templates[0].future_template
    assert len(tips) == 1 and tips[0].template_id == templates[0].template_id
    connected = [e for e in link.tp_events if isinstance(e, sv2.ProviderConnected)]
    assert len(connected) == 1 and connected[0].setup.vendor == "py-pool"
    assert sv2.ProviderCoinbaseOutputDataSize(conn=link.conn, size=POOL_COINBASE_OUTPUTS) in link.tp_events

    # R142: a template's transactions, and an unknown id.
    link.tc.request_transaction_data(templates[0].template_id, now_ms=0)
    link.tc.request_transaction_data(9999, now_ms=0)
    events = link.settle()
    data = [e for e in events if isinstance(e, sv2.RequestTransactionDataSuccess)]
    errors = [e for e in events if isinstance(e, sv2.RequestTransactionDataError)]
    assert len(data) == 1 and len(data[0].transaction_list) == 40
    assert errors == [sv2.RequestTransactionDataError(template_id=9999, error_code="template-id-not-found")]

    # R133: a template on the same tip is non-future.
    assert link.tp.set_template(source.update(NOW_UNIX + 1), now_ms=0) == "same-tip"
    events = link.settle()
    again = [e for e in events if isinstance(e, sv2.NewTemplate)]
    assert len(again) == 1 and not again[0].future_template
    assert again[0].template_id > templates[0].template_id
    stats = link.tp.stats()
    assert stats.clients == 1 and stats.tips == 1 and stats.transaction_data_served == 1


def test_errors_are_raised_with_their_classes() -> None:
    link = Link(noise=False)
    source = sv2.SyntheticBlockSource(seed=1, height=50, transactions=2)
    old = source.next_block(NOW_UNIX)
    link.tp.set_template(old, now_ms=0)
    source.advance(b"\x99" * 32)
    assert link.tp.set_template(source.next_block(NOW_UNIX + 1), now_ms=0) == "new-tip"
    # A template on the tip the provider left is refused: clients never go back.
    with pytest.raises(sv2.UsageError) as info:
        link.tp.set_template(old, now_ms=0)
    assert info.value.code == sv2.ResultCode.STALE_TIP
    with pytest.raises(sv2.UsageError) as info:
        link.tp.receive_data(12345, b"\x00", now_ms=0)
    assert info.value.code == sv2.ResultCode.UNKNOWN_CONNECTION
    with pytest.raises(sv2.UsageError) as info:
        sv2.TemplateProvider(sv2.ServerConfig(plaintext=True), max_templates=0)
    assert info.value.code == sv2.ResultCode.INVALID_ARG
    # Before setup nothing can be sent.
    with pytest.raises(sv2.Sv2Error):
        link.tc.request_transaction_data(1, now_ms=0)
    with pytest.raises(TypeError):
        link.tc.submit_solution(sv2.NewTemplate(), now_ms=0)  # type: ignore[arg-type]
    # Garbage from the provider (a frame header announcing 16 MiB) closes the client with an
    # error once its events are drained; nothing panics.
    link.settle()
    link.tc.receive_data(b"\xff" * 64, now_ms=0)
    closed = [e for e in link.tc.events() if isinstance(e, sv2.Closed)]
    assert len(closed) == 1 and closed[0].reason == "error" and closed[0].code != 0
    assert link.tc.is_closed
    with pytest.raises(sv2.Sv2Error):
        link.tc.request_transaction_data(1, now_ms=0)


def test_pool_on_the_provider_finds_a_block_that_reaches_it() -> None:
    link = Link(noise=True)
    source = sv2.SyntheticBlockSource(seed=6, height=400, transactions=40)
    link.tp.set_template(source.next_block(NOW_UNIX), now_ms=0)
    engine = sv2.PoolEngine(vardiff=False)
    # The pool takes its templates from the provider connection.
    fed = [sv2.TemplateClient.feed_pool(e, engine, now_ms=0) for e in link.settle()]
    assert fed.count(True) == 2  # a future template and its SetNewPrevHash

    assert engine.connection_opened(1, 0) == 0
    miner = sv2.MiningClient()
    miner.set_connection_flags(0, 0)
    miner.open_standard_channel("alice.rig1", 10.0)
    engine.handle_messages(1, miner.drain_outgoing(), now_ms=1)
    for _, message in engine.drain_outgoing():
        miner.handle_message(message, now_ms=1)
    work = [e.work for e in miner.events() if isinstance(e, sv2.NewWork)][-1]
    nonce = 0
    while True:
        found = work.scan(nonce, 1 << 20)
        assert found is not None
        if work.is_block(found[1]):
            break
        nonce = found[0] + 1
    miner.submit_standard(work.channel_id, work.job_id, found[0], work.min_ntime, work.version, now_ms=2)
    engine.handle_messages(1, miner.drain_outgoing(), now_ms=2)
    blocks = [e for e in engine.events() if isinstance(e, sv2.BlockFound)]
    assert len(blocks) == 1 and blocks[0].template_id is not None
    # R144: the pool's block goes back to the provider as SubmitSolution.
    assert link.tc.submit_block_found(blocks[0], now_ms=2)
    link.settle()
    solutions = [e for e in link.tp_events if isinstance(e, sv2.ProviderSolution)]
    assert [e for e in link.tp_events if isinstance(e, sv2.ProviderSolutionRefused)] == []
    assert len(solutions) == 1
    block = solutions[0]
    assert block.height == 400 and not block.stale and block.template_id == blocks[0].template_id
    assert block.block[:80] == block.header == blocks[0].header
    assert block.block_hash == blocks[0].block_hash == sv2.double_sha256(block.header)
    # Header, 1-byte transaction count (41 < 0xfd), then the coinbase the pool built.
    assert block.block[80] == 41
    assert block.block[81 : 81 + len(blocks[0].coinbase_tx)] == blocks[0].coinbase_tx
    assert link.tp.stats().solutions == 1

    # The next tip reaches the pool through the client; old work becomes stale.
    source.advance(block.block_hash)
    assert link.tp.set_template(source.next_block(NOW_UNIX + 2), now_ms=3) == "new-tip"
    fed = [sv2.TemplateClient.feed_pool(e, engine, now_ms=3) for e in link.settle()]
    assert fed.count(True) == 2
    assert engine.snapshot(now_ms=3).prev_hash == source.prev_hash

    # A provider that closes the connection: the client reports it, the engine keeps its channel.
    link.tp.close(link.conn)
    provider_closed = [e for e in link.tp.events() if isinstance(e, sv2.ProviderClosed)]
    assert len(provider_closed) == 1 and provider_closed[0].closed.reason == "local-close"
    link.tc.peer_closed()
    assert any(isinstance(e, sv2.Closed) for e in link.tc.events())
    assert engine.channel_count == 1
