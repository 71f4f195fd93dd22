//! The mining client (as the composed `Miner`) against the pool engine (as the composed
//! `PoolServer`), through two sessions with Noise, in one process: standard and extended
//! channels mining for real at an easy target, shares accepted in batches, blocks found at
//! regtest difficulty with headers that hash below the network target, and a prevhash change.

use sv2::codec::U256;
use sv2::keys::{AuthoritySecretKey, Certificate, StaticSecretKey};
use sv2::messages::Protocol;
use sv2::mining::client::{ClientConfig as MiningClientConfig, ClientEvent, Work};
use sv2::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerEvent};
use sv2::mining::pool::{OpenPolicy, PoolConfig, PoolEvent, SyntheticTemplateSource};
use sv2::mining::pool_server::{PoolServer, PoolServerEvent};
use sv2::mining::{hash_meets_target, nbits_to_target};
use sv2::noise::{InitiatorConfig, ResponderConfig};
use sv2::session::*;

struct Net {
    pool: PoolServer,
    miner: Miner,
    conn: u64,
    now: u64,
    pool_events: Vec<PoolServerEvent>,
    miner_events: Vec<MinerEvent>,
}

impl Net {
    fn new(channels: Vec<ChannelRequest>) -> Net {
        let authority = AuthoritySecretKey::generate_seeded([1; 32]);
        let server_key = StaticSecretKey::generate_seeded([2; 32]);
        let certificate = Certificate::sign(&authority, &server_key.public_key(), 0, u32::MAX);
        let server = ServerConfig::new(
            ServerSecurity::Noise(ResponderConfig::new(server_key, certificate)),
            vec![],
        );
        let mut pool =
            PoolServer::new(server, PoolConfig::default(), Box::new(OpenPolicy)).unwrap();
        let mut source = SyntheticTemplateSource::new(7, 200);
        let (template, prev_hash) = source.next_block(1_700_000_000);
        pool.new_template(template, 0).unwrap();
        pool.set_prev_hash(prev_hash, 0).unwrap();
        let conn = pool.accept(0).unwrap();
        let client = ClientConfig::new(
            ClientSecurity::Noise(InitiatorConfig::new(authority.public_key(), 1_700_000_000)),
            Protocol::Mining,
            0,
            "libsv2-e2e",
        );
        let miner = Miner::new(
            MinerConfig {
                session: client,
                client: MiningClientConfig::default(),
                channels,
            },
            0,
        )
        .unwrap();
        Net {
            pool,
            miner,
            conn,
            now: 0,
            pool_events: Vec::new(),
            miner_events: Vec::new(),
        }
    }

    /// Moves bytes and events until both sides are quiet.
    fn settle(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            let mut up = Vec::new();
            self.miner.take_data_to_send(&mut up);
            if !up.is_empty() {
                moved = true;
                self.pool.receive_data(self.conn, &up, self.now).unwrap();
            }
            while let Some(event) = self.pool.next_event() {
                moved = true;
                self.pool_events.push(event);
            }
            let mut down = Vec::new();
            self.pool.take_data_to_send(self.conn, &mut down);
            if !down.is_empty() {
                moved = true;
                self.miner.receive_data(&down, self.now).unwrap();
            }
            while let Some(event) = self.miner.next_event() {
                moved = true;
                self.miner_events.push(event);
            }
            if !moved {
                return;
            }
        }
        panic!("did not settle");
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.pool.handle_timeout(self.now);
        self.miner.handle_timeout(self.now);
        self.settle();
    }

    fn latest_work(&self) -> Vec<Work> {
        self.miner_events
            .iter()
            .filter_map(|e| match e {
                MinerEvent::Client(ClientEvent::NewWork(w)) => Some(w.clone()),
                _ => None,
            })
            .collect()
    }

    fn accepted_at_miner(&self) -> usize {
        self.miner_events
            .iter()
            .filter(|e| matches!(e, MinerEvent::Client(ClientEvent::ShareAccepted { .. })))
            .count()
    }

    fn accepted_at_pool(&self) -> usize {
        self.pool_events
            .iter()
            .filter(|e| matches!(e, PoolServerEvent::Engine(PoolEvent::ShareAccepted { .. })))
            .count()
    }

    fn blocks(&self) -> Vec<&sv2::mining::pool::BlockFound> {
        self.pool_events
            .iter()
            .filter_map(|e| match e {
                PoolServerEvent::Engine(PoolEvent::BlockFound(b)) => Some(b.as_ref()),
                _ => None,
            })
            .collect()
    }
}

fn standard() -> ChannelRequest {
    ChannelRequest::Standard {
        user_identity: "alice.rig1".into(),
        nominal_hash_rate: 1000.0,
        max_target: U256::MAX,
    }
}

#[test]
fn standard_channel_mines_shares_and_blocks() {
    let mut net = Net::new(vec![standard()]);
    net.settle();
    assert!(net
        .pool_events
        .iter()
        .any(|e| matches!(e, PoolServerEvent::Connected { .. })));
    assert!(net
        .pool_events
        .iter()
        .any(|e| matches!(e, PoolServerEvent::Engine(PoolEvent::ChannelOpened { .. }))));
    let work = net
        .latest_work()
        .pop()
        .expect("work for the standard channel");
    let mut submitted = 0;
    let mut nonce = 0u32;
    while submitted < 10 {
        let hash = work.hash_for(nonce, work.min_ntime, work.version());
        if work.meets_target(hash) {
            net.miner
                .submit_standard(
                    work.channel_id,
                    work.job_id,
                    nonce,
                    work.min_ntime,
                    work.version(),
                    net.now,
                )
                .unwrap();
            submitted += 1;
        }
        nonce += 1;
    }
    net.settle();
    net.advance(2_000); // past the batch flush interval
    assert_eq!(net.accepted_at_pool(), 10);
    assert_eq!(net.accepted_at_miner(), 10, "{:?}", net.miner_events);
    assert_eq!(net.miner.client().pending_shares(work.channel_id), 0);
    // Regtest difficulty: about half the shares are blocks, and each header hashes below the
    // network target.
    let network_target = nbits_to_target(0x207f_ffff).unwrap();
    assert!(!net.blocks().is_empty());
    for block in net.blocks() {
        let header = sv2::mining::BlockHeader::from_bytes(block.header);
        assert!(hash_meets_target(header.hash(), network_target));
    }
}

#[test]
fn extended_channel_mines_with_its_own_extranonce() {
    let mut net = Net::new(vec![ChannelRequest::Extended {
        user_identity: "bob".into(),
        nominal_hash_rate: 1000.0,
        max_target: U256::MAX,
        min_extranonce_size: 4,
    }]);
    net.settle();
    let mut work = net.latest_work().pop().expect("extended work");
    let extended = work.extended.as_ref().expect("extended pieces");
    let extranonce = vec![0xab; usize::from(extended.extranonce_size)];
    work.set_extranonce(&extranonce).unwrap();
    let mut submitted = 0;
    let mut nonce = 0u32;
    while submitted < 5 {
        let hash = work.hash_for(nonce, work.min_ntime, work.version());
        if work.meets_target(hash) {
            net.miner
                .submit_extended(
                    work.channel_id,
                    work.job_id,
                    &extranonce,
                    nonce,
                    work.min_ntime,
                    work.version(),
                    net.now,
                )
                .unwrap();
            submitted += 1;
        }
        nonce += 1;
    }
    net.advance(2_000);
    assert_eq!(net.accepted_at_pool(), 5);
    assert_eq!(net.accepted_at_miner(), 5);
}

#[test]
fn group_of_standard_channels_and_a_new_block() {
    // Several standard channels on one connection share a group; a new prevhash invalidates the
    // old work on all of them and new work follows.
    let mut net = Net::new(vec![standard(), standard(), standard()]);
    net.settle();
    let first: Vec<Work> = net.latest_work();
    let channels: std::collections::HashSet<u32> = first.iter().map(|w| w.channel_id).collect();
    assert_eq!(channels.len(), 3);
    let mut source = SyntheticTemplateSource::new(8, 201);
    let (template, prev_hash) = source.next_block(1_700_000_100);
    net.pool.new_template(template, net.now).unwrap();
    net.pool.set_prev_hash(prev_hash, net.now).unwrap();
    net.miner_events.clear();
    net.settle();
    let second = net.latest_work();
    assert!(second.len() >= 3, "new work on every channel: {second:?}");
    let old = &first[0];
    // the old job is stale now: refused locally before it is sent (R105)
    let result = net.miner.submit_standard(
        old.channel_id,
        old.job_id,
        0,
        old.min_ntime,
        old.version(),
        net.now,
    );
    assert!(result.is_err());
}
