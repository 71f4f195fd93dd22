//! The Template Distribution roles end to end in one process (CHECKLIST C.12): a
//! `TemplateProvider` fed by the synthetic block source, a `TemplateClient`, and a pool whose
//! miner finds a block that reaches the provider as SubmitSolution and comes back as a block
//! the `bitcoin` crate accepts (merkle root, witness commitment, BIP34 height, proof of work).

use bitcoin::consensus::deserialize;
use bitcoin::hashes::Hash;
use sv2::codec::U256;
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::messages::{Protocol, SubmitSolution};
use sv2::mining::client::{ClientConfig as MiningClientConfig, ClientEvent};
use sv2::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerEvent};
use sv2::mining::pool::{OpenPolicy, PoolConfig, PoolEvent};
use sv2::mining::pool_server::{PoolServer, PoolServerEvent};
use sv2::noise::{InitiatorConfig, ResponderConfig};
use sv2::session::*;
use sv2::template::*;

const NOW_UNIX: u32 = 1_800_000_000;

fn noise() -> (ClientSecurity, ServerSecurity) {
    let authority = AuthoritySecretKey::generate_seeded([1; 32]);
    let server_key = StaticSecretKey::generate_seeded([2; 32]);
    let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
    (
        ClientSecurity::Noise(InitiatorConfig::new(
            authority.public_key(),
            NOW_UNIX.into(),
        )),
        ServerSecurity::Noise(ResponderConfig::new(server_key, certificate)),
    )
}

fn plaintext() -> (ClientSecurity, ServerSecurity) {
    (ClientSecurity::Plaintext, ServerSecurity::Plaintext)
}

/// A provider with one client connection.
struct Link {
    tp: TemplateProvider,
    client: TemplateClient,
    conn: ConnectionId,
    now: u64,
    tp_events: Vec<ProviderEvent>,
    client_events: Vec<TemplateClientEvent>,
}

impl Link {
    fn new(
        (client_security, server_security): (ClientSecurity, ServerSecurity),
        reserve: u32,
    ) -> Link {
        let server = ServerConfig::new(server_security, vec![]);
        let mut tp = TemplateProvider::new(ProviderConfig::new(server));
        let conn = tp.accept(0).unwrap();
        let client = TemplateClient::new(
            TemplateClientConfig::new(client_security, "libsv2-test-pool", reserve),
            0,
        )
        .unwrap();
        Link {
            tp,
            client,
            conn,
            now: 0,
            tp_events: Vec::new(),
            client_events: Vec::new(),
        }
    }

    fn settle(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            let mut up = Vec::new();
            self.client.take_data_to_send(&mut up);
            if !up.is_empty() {
                moved = true;
                let _ = self.tp.receive_data(self.conn, &up, self.now);
            }
            let mut provider_closed = false;
            while let Some(event) = self.tp.next_event() {
                moved = true;
                provider_closed |= matches!(event, ProviderEvent::Closed { .. });
                self.tp_events.push(event);
            }
            let mut down = Vec::new();
            self.tp.take_data_to_send(self.conn, &mut down);
            if !down.is_empty() {
                moved = true;
                let _ = self.client.receive_data(&down, self.now);
            }
            // The provider closes the socket after its last bytes.
            if provider_closed {
                self.client.peer_closed();
            }
            while let Some(event) = self.client.next_event() {
                moved = true;
                self.client_events.push(event);
            }
            if !moved {
                return;
            }
        }
        panic!("did not settle");
    }

    fn templates(&self) -> Vec<&sv2::messages::NewTemplate> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                TemplateClientEvent::NewTemplate(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn prev_hashes(&self) -> Vec<&sv2::messages::TdpSetNewPrevHash> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                TemplateClientEvent::SetNewPrevHash(p) => Some(p),
                _ => None,
            })
            .collect()
    }
}

/// R131, R132: CoinbaseOutputDataSize right after setup, answered by a future template and
/// the SetNewPrevHash that activates it; R133, R137: same-tip templates are non-future, a new
/// tip brings a future template and SetNewPrevHash, ids only grow.
#[test]
fn provider_serves_templates_and_tips_in_order() {
    for security in [plaintext(), noise()] {
        let mut source = SyntheticBlockSource::new(1, 300);
        let mut link = Link::new(security, 100);
        link.tp
            .set_template(source.next_block(NOW_UNIX), 0)
            .unwrap();
        link.settle();
        assert_eq!(link.client_events[0], TemplateClientEvent::Ready);
        assert!(link
            .tp_events
            .iter()
            .any(|e| matches!(e, ProviderEvent::CoinbaseOutputDataSize { size: 100, .. })));
        let first = link.templates()[0].clone();
        assert!(first.future_template);
        assert_eq!(link.prev_hashes()[0].template_id, first.template_id);
        assert_eq!(link.prev_hashes()[0].prev_hash, source.prev_hash());
        assert_eq!(
            first.coinbase_prefix,
            sv2::mining::pool::bip34_height_push(300)
        );

        assert_eq!(
            link.tp.set_template(source.update(NOW_UNIX + 5), 0),
            Ok(TemplateUpdate::SameTip)
        );
        link.settle();
        let second = link.templates()[1].clone();
        assert!(!second.future_template);
        assert!(second.template_id > first.template_id);
        assert!(second.coinbase_tx_value_remaining > first.coinbase_tx_value_remaining);
        assert_eq!(link.prev_hashes().len(), 1);

        source.advance(U256([9; 32]));
        assert_eq!(
            link.tp.set_template(source.next_block(NOW_UNIX + 600), 0),
            Ok(TemplateUpdate::NewTip)
        );
        link.settle();
        let third = link.templates()[2].clone();
        assert!(third.future_template && third.template_id > second.template_id);
        assert_eq!(link.prev_hashes()[1].template_id, third.template_id);
        assert_eq!(link.prev_hashes()[1].prev_hash, U256([9; 32]));
        assert_eq!(link.tp.stats().tips, 2);
    }
}

/// Never a template on a stale tip: one built on a tip the provider left is refused.
#[test]
fn template_on_a_left_tip_is_refused() {
    let mut source = SyntheticBlockSource::new(2, 10);
    let mut tp = TemplateProvider::new(ProviderConfig::new(ServerConfig::new(
        ServerSecurity::Plaintext,
        vec![],
    )));
    let old = source.next_block(NOW_UNIX);
    tp.set_template(old.clone(), 0).unwrap();
    source.advance(U256([3; 32]));
    tp.set_template(source.next_block(NOW_UNIX), 0).unwrap();
    assert_eq!(tp.set_template(old, 0), Err(ProviderError::StaleTip));
    assert_eq!(tp.current_template().unwrap().prev_hash, U256([3; 32]));
}

/// R142, E53: RequestTransactionData returns the template's transactions in block order; a
/// template of a left tip is `stale-template-id`, an unknown one `template-id-not-found`.
#[test]
fn transaction_data_success_stale_and_unknown() {
    let mut source = SyntheticBlockSource::new(3, 50).with_transactions(25);
    let mut link = Link::new(noise(), 0);
    let template = source.next_block(NOW_UNIX);
    link.tp.set_template(template.clone(), 0).unwrap();
    link.settle();
    let id = link.templates()[0].template_id;
    link.client.request_transaction_data(id, 0).unwrap();
    link.client.request_transaction_data(id + 1000, 0).unwrap();
    link.settle();
    source.advance(U256([4; 32]));
    link.tp
        .set_template(source.next_block(NOW_UNIX), 0)
        .unwrap();
    link.client.request_transaction_data(id, 0).unwrap();
    link.settle();

    let answers: Vec<&TemplateClientEvent> = link
        .client_events
        .iter()
        .filter(|e| {
            matches!(
                e,
                TemplateClientEvent::TransactionData(_)
                    | TemplateClientEvent::TransactionDataError(_)
            )
        })
        .collect();
    let [TemplateClientEvent::TransactionData(data), TemplateClientEvent::TransactionDataError(unknown), TemplateClientEvent::TransactionDataError(stale)] =
        answers.as_slice()
    else {
        panic!("{answers:?}");
    };
    assert_eq!(data.template_id, id);
    let expected: Vec<Vec<u8>> = template
        .transactions
        .iter()
        .map(|t| t.data.clone())
        .collect();
    assert_eq!(data.transaction_list, expected);
    assert_eq!(data.excess_data, WITNESS_RESERVED_VALUE.to_vec());
    assert_eq!(
        unknown.error_code.as_bytes(),
        ERROR_TEMPLATE_ID_NOT_FOUND.as_bytes()
    );
    assert_eq!(
        stale.error_code.as_bytes(),
        ERROR_STALE_TEMPLATE_ID.as_bytes()
    );
    assert!(!link.client.is_closed());
}

/// R135: a reservation no block can hold closes the client with a reason; a large one that
/// fits gets a template with fewer transactions.
#[test]
fn coinbase_reservations_are_honoured_or_refused() {
    let mut source = SyntheticBlockSource::new(4, 50).with_transactions(3000);
    let template = source.next_block(NOW_UNIX);
    let all = template.transactions.len();

    let mut link = Link::new(plaintext(), 0);
    link.tp.set_template(template.clone(), 0).unwrap();
    link.settle();
    let full_path = link.templates()[0].merkle_path.len();

    // 3000 transactions of ~390 weight units leave ~700 kB of room: ask for more.
    let mut big = Link::new(plaintext(), 800_000);
    big.tp.set_template(template.clone(), 0).unwrap();
    big.settle();
    let trimmed = big.templates()[0].clone();
    let kept = template.transactions_fitting(800_000).unwrap();
    assert!(kept < all, "{kept} < {all}");
    assert!(trimmed.coinbase_tx_value_remaining < link.templates()[0].coinbase_tx_value_remaining);
    assert!(trimmed.merkle_path.len() <= full_path);

    let mut refused = Link::new(plaintext(), 2_000_000);
    refused.tp.set_template(template, 0).unwrap();
    refused.settle();
    assert!(refused
        .tp_events
        .iter()
        .any(|e| matches!(e, ProviderEvent::ReservationRefused { .. })));
    assert!(refused.client.is_closed());
    assert!(refused.templates().is_empty());
}

/// Hostile solutions: an unknown template, a coinbase that does not parse, one above the
/// target. Each is refused with its reason and the connection stays.
#[test]
fn bad_solutions_are_refused_and_the_connection_stays() {
    let mut source = SyntheticBlockSource::new(5, 60).with_nbits(0x1d00_ffff);
    let mut link = Link::new(noise(), 0);
    link.tp
        .set_template(source.next_block(NOW_UNIX), 0)
        .unwrap();
    link.settle();
    let id = link.templates()[0].template_id;
    for solution in [
        SubmitSolution {
            template_id: id + 7,
            version: 0x2000_0000,
            header_timestamp: NOW_UNIX,
            header_nonce: 0,
            coinbase_tx: vec![1, 2, 3],
        },
        SubmitSolution {
            template_id: id,
            version: 0x2000_0000,
            header_timestamp: NOW_UNIX,
            header_nonce: 0,
            coinbase_tx: vec![0xff; 300],
        },
    ] {
        link.client.submit_solution(solution, 0).unwrap();
    }
    link.settle();
    let refusals: Vec<_> = link
        .tp_events
        .iter()
        .filter_map(|e| match e {
            ProviderEvent::SolutionRefused { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(refusals.len(), 2, "{:?}", link.tp_events);
    assert_eq!(refusals[0], None);
    assert!(matches!(refusals[1], Some(TemplateError::Coinbase(_))));
    assert!(!link.client.is_closed());
    assert_eq!(link.tp.stats().solutions_refused, 2);
}

// ---------------------------------------------------------------------------------------------
// The pool on a template provider, with a miner.

struct PoolOnProvider {
    link: Link,
    pool: PoolServer,
    miner: Miner,
    miner_conn: ConnectionId,
    pool_events: Vec<PoolServerEvent>,
    miner_events: Vec<MinerEvent>,
}

impl PoolOnProvider {
    fn new(source: &mut SyntheticBlockSource) -> Self {
        let pool_config = PoolConfig::default();
        let reserve = 8 + 1 + pool_config.payout_script.len() as u32;
        let mut link = Link::new(noise(), reserve);
        link.tp
            .set_template(source.next_block(NOW_UNIX), 0)
            .unwrap();
        let (client_security, server_security) = noise();
        let mut pool = PoolServer::new(
            ServerConfig::new(server_security, vec![]),
            pool_config,
            Box::new(OpenPolicy),
        )
        .unwrap();
        let miner_conn = pool.accept(0).unwrap();
        let miner = Miner::new(
            MinerConfig {
                session: ClientConfig::new(client_security, Protocol::Mining, 0, "cpu"),
                client: MiningClientConfig::default(),
                channels: vec![ChannelRequest::Standard {
                    user_identity: "alice.rig1".into(),
                    nominal_hash_rate: 1000.0,
                    max_target: U256::MAX,
                }],
            },
            0,
        )
        .unwrap();
        PoolOnProvider {
            link,
            pool,
            miner,
            miner_conn,
            pool_events: Vec::new(),
            miner_events: Vec::new(),
        }
    }

    /// Moves everything: provider ↔ template client → pool ↔ miner, and blocks back.
    fn settle(&mut self) {
        for _ in 0..1000 {
            self.link.settle();
            let mut moved = false;
            for event in std::mem::take(&mut self.link.client_events) {
                TemplateClient::feed_pool(&event, &mut self.pool, self.link.now).unwrap();
                self.link.client_events.push(event);
                moved = true;
            }
            let mut up = Vec::new();
            self.miner.take_data_to_send(&mut up);
            if !up.is_empty() {
                moved = true;
                self.pool.receive_data(self.miner_conn, &up, 0).unwrap();
            }
            while let Some(event) = self.pool.next_event() {
                moved = true;
                if let PoolServerEvent::Engine(PoolEvent::BlockFound(found)) = &event {
                    assert!(self.link.client.submit_block_found(found, 0).unwrap());
                }
                self.pool_events.push(event);
            }
            let mut down = Vec::new();
            self.pool.take_data_to_send(self.miner_conn, &mut down);
            if !down.is_empty() {
                moved = true;
                self.miner.receive_data(&down, 0).unwrap();
            }
            while let Some(event) = self.miner.next_event() {
                moved = true;
                self.miner_events.push(event);
            }
            if !moved && !self.link.client.wants_write() {
                return;
            }
            // Events fed once: keep only new ones for the next round.
            self.link.client_events.clear();
        }
        panic!("did not settle");
    }

    fn mine_until_block(&mut self) {
        let work = self
            .miner_events
            .iter()
            .rev()
            .find_map(|e| match e {
                MinerEvent::Client(ClientEvent::NewWork(w)) => Some(w.clone()),
                _ => None,
            })
            .expect("work from the pool");
        let mut nonce = 0u32;
        loop {
            let hash = work.hash_for(nonce, work.min_ntime, work.version());
            if work.is_block(hash) && work.meets_target(hash) {
                self.miner
                    .submit_standard(
                        work.channel_id,
                        work.job_id,
                        nonce,
                        work.min_ntime,
                        work.version(),
                        0,
                    )
                    .unwrap();
                return;
            }
            nonce += 1;
        }
    }
}

/// R134, R144: a block found by a miner of a pool on the provider's template reaches the
/// provider as SubmitSolution and becomes a block the `bitcoin` crate validates.
#[test]
fn a_block_found_through_the_pool_reaches_the_provider_and_validates() {
    let mut source = SyntheticBlockSource::new(6, 400).with_transactions(40);
    let mut net = PoolOnProvider::new(&mut source);
    net.settle();
    assert!(net
        .miner_events
        .iter()
        .any(|e| matches!(e, MinerEvent::Client(ClientEvent::NewWork(_)))));
    net.mine_until_block();
    net.settle();
    net.link.settle();
    let blocks: Vec<&AssembledBlock> = net
        .link
        .tp_events
        .iter()
        .filter_map(|e| match e {
            ProviderEvent::Solution {
                block,
                stale: false,
                height: 400,
                ..
            } => Some(block),
            _ => None,
        })
        .collect();
    assert_eq!(blocks.len(), 1, "{:?}", net.link.tp_events);
    let block: bitcoin::Block = deserialize(&blocks[0].bytes).unwrap();
    assert_eq!(block.txdata.len(), 41);
    assert!(block.check_merkle_root());
    assert!(block.check_witness_commitment());
    assert_eq!(block.bip34_block_height().unwrap(), 400);
    assert!(block.header.validate_pow(block.header.target()).is_ok());
    assert_eq!(block.block_hash().to_byte_array(), blocks[0].hash.0);
    // The coinbase pays the pool's script.
    let payout = PoolConfig::default().payout_script;
    assert!(block.txdata[0]
        .output
        .iter()
        .any(|o| o.script_pubkey.as_bytes() == payout.as_slice()));
}

/// A miner whose channel opened before the pool had any template (the provider was still
/// connecting) gets work once the template and tip arrive, and a driver that writes only to
/// `writable_connections()` after draining `next_event()` sees it (R74, R104; found by
/// `sv2 pool --tp` with a provider that started after the miner).
#[test]
fn channel_opened_before_the_first_template_gets_work() {
    let (client_security, server_security) = plaintext();
    let mut pool = PoolServer::new(
        ServerConfig::new(server_security, vec![]),
        PoolConfig::default(),
        Box::new(OpenPolicy),
    )
    .unwrap();
    let conn = pool.accept(0).unwrap();
    let mut miner = Miner::new(
        MinerConfig {
            session: ClientConfig::new(client_security, Protocol::Mining, 0, "cpu"),
            client: MiningClientConfig::default(),
            channels: vec![ChannelRequest::Standard {
                user_identity: "early.rig".into(),
                nominal_hash_rate: 1000.0,
                max_target: U256::MAX,
            }],
        },
        0,
    )
    .unwrap();
    // Moves bytes the way the service driver does: events first, then only the connections
    // `writable_connections` names. Returns (channel opened, work received).
    fn shuttle(pool: &mut PoolServer, miner: &mut Miner, conn: ConnectionId) -> (bool, bool) {
        let (mut channel_open, mut got_work) = (false, false);
        for _ in 0..20 {
            let mut up = Vec::new();
            miner.take_data_to_send(&mut up);
            if !up.is_empty() {
                pool.receive_data(conn, &up, 0).unwrap();
            }
            while pool.next_event().is_some() {}
            for c in pool.writable_connections() {
                let mut down = Vec::new();
                pool.take_data_to_send(c, &mut down);
                miner.receive_data(&down, 0).unwrap();
            }
            while let Some(event) = miner.next_event() {
                match event {
                    MinerEvent::Client(ClientEvent::NewWork(_)) => got_work = true,
                    MinerEvent::Client(ClientEvent::ChannelOpened { .. }) => channel_open = true,
                    _ => {}
                }
            }
        }
        (channel_open, got_work)
    }
    let (channel_open, got_work) = shuttle(&mut pool, &mut miner, conn);
    assert!(channel_open && !got_work);
    let mut source = sv2::mining::pool::SyntheticTemplateSource::new(3, 300);
    let (template, prev_hash) = source.next_block(NOW_UNIX);
    pool.new_template(template, 0).unwrap();
    pool.set_prev_hash(prev_hash, 0).unwrap();
    let (_, got_work) = shuttle(&mut pool, &mut miner, conn);
    assert!(got_work, "the early channel never got work");
}
