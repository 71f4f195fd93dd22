//! Pool engine tests: one or more per CHECKLIST rule (named in a comment on each test), plus
//! property tests (search space, share/bit flips against an independent `bitcoin`-crate
//! oracle) and block submission checked with the `bitcoin` crate.

#[path = "pool_engine/miner.rs"]
mod miner;

use miner::{Miner, Share};
use std::collections::HashSet;
use sv2::codec::{Str0255, U256};
use sv2::messages::*;
use sv2::mining::pool::*;
use sv2::mining::{hash_meets_target, nbits_to_target, BIP320_VERSION_MASK};

/// A target with `bits` leading zero bits (1 in 2^bits hashes meets it).
fn easy(bits: u32) -> U256 {
    let mut be = [0xffu8; 32];
    for i in 0..bits as usize {
        be[i / 8] &= !(0x80 >> (i % 8));
    }
    U256::from_be_bytes(be)
}

/// Mainnet-like difficulty 1: no test share is ever a block.
const HARD_NBITS: u32 = 0x1d00_ffff;
const T0: u32 = 1_700_000_000;

struct H {
    e: PoolEngine,
    src: SyntheticTemplateSource,
    now: u64,
    m: Miner,
    events: Vec<PoolEvent>,
    last: Vec<(u64, Message)>,
}

fn cfg() -> PoolConfig {
    PoolConfig {
        max_target: easy(8),
        vardiff: VardiffConfig {
            enabled: false,
            ..VardiffConfig::default()
        },
        ack_batch_size: 1,
        ..PoolConfig::default()
    }
}

impl H {
    fn new(cfg: PoolConfig) -> H {
        Self::with(
            cfg,
            Box::new(OpenPolicy),
            SyntheticTemplateSource::new(7, 200).with_nbits(HARD_NBITS),
        )
    }

    fn with(cfg: PoolConfig, policy: Box<dyn PoolPolicy>, src: SyntheticTemplateSource) -> H {
        H {
            e: PoolEngine::new(cfg, policy).unwrap(),
            src,
            now: 1_000,
            m: Miner::default(),
            events: Vec::new(),
            last: Vec::new(),
        }
    }

    /// Drains messages into the miner model (returned too) and events.
    fn pump(&mut self) -> Vec<(u64, Message)> {
        let mut out = Vec::new();
        self.e.drain_outgoing(&mut out);
        self.m.feed(&out);
        while let Some(ev) = self.e.next_event() {
            self.events.push(ev);
        }
        self.last = out.clone();
        out
    }

    fn conn(&mut self, conn: u64, flags: u32) -> u32 {
        self.e.connection_opened(conn, flags).unwrap()
    }

    fn send(&mut self, conn: u64, msg: impl Into<Message>) -> Vec<(u64, Message)> {
        self.e.handle_message(conn, msg.into(), self.now).unwrap();
        self.pump()
    }

    fn open_std(&mut self, conn: u64, req: u32, max_target: U256) -> Message {
        let out = self.send(
            conn,
            OpenStandardMiningChannel {
                request_id: req,
                user_identity: Str0255::from(format!("user.{conn}.{req}").as_str()),
                nominal_hash_rate: 0.0,
                max_target,
            },
        );
        out.into_iter().map(|(_, m)| m).next().unwrap()
    }

    fn std(&mut self, conn: u64, req: u32) -> u32 {
        match self.open_std(conn, req, U256::MAX) {
            Message::OpenStandardMiningChannelSuccess(s) => s.channel_id,
            other => panic!("{other:?}"),
        }
    }

    fn open_ext(&mut self, conn: u64, req: u32, min_size: u16, max_target: U256) -> Message {
        let out = self.send(
            conn,
            OpenExtendedMiningChannel {
                request_id: req,
                user_identity: Str0255::from("proxy"),
                nominal_hash_rate: 0.0,
                max_target,
                min_extranonce_size: min_size,
            },
        );
        out.into_iter().map(|(_, m)| m).next().unwrap()
    }

    fn ext(&mut self, conn: u64, req: u32) -> u32 {
        match self.open_ext(conn, req, 4, U256::MAX) {
            Message::OpenExtendedMiningChannelSuccess(s) => s.channel_id,
            other => panic!("{other:?}"),
        }
    }

    /// A new block from the synthetic source: future template + prevhash. Returns job id.
    fn block(&mut self) -> u32 {
        let (t, p) = self.src.next_block(T0 + self.src.height());
        let id = self.e.new_template(t, self.now).unwrap();
        self.e.set_prev_hash(p, self.now).unwrap();
        self.pump();
        id
    }

    fn submit(&mut self, conn: u64, s: &Share, seq: u32) -> Vec<(u64, Message)> {
        let standard = self
            .m
            .chans
            .get(&s.channel_id)
            .map_or(s.extranonce.is_empty(), |c| c.standard);
        self.send(conn, s.message(seq, standard))
    }

    fn error_code(&self) -> Option<String> {
        self.last.iter().find_map(|(_, m)| match m {
            Message::SubmitSharesError(e) => Some(e.error_code.to_string_lossy()),
            _ => None,
        })
    }
}

fn msgs_of<'a>(out: &'a [(u64, Message)], kind: &str) -> Vec<&'a Message> {
    out.iter()
        .map(|(_, m)| m)
        .filter(|m| m.kind().name() == kind)
        .collect()
}

// ---------------------------------------------------------------------------------------
// C.1 Connection setup flags

#[test]
fn setup_flags_fixed_version_and_extended_only() {
    // R41: a fixed-version pool refuses REQUIRES_VERSION_ROLLING with that flag (R38 lists it).
    let mut h = H::new(PoolConfig {
        require_fixed_version: true,
        require_extended_channels: true,
        ..cfg()
    });
    assert_eq!(
        h.e.connection_opened(
            1,
            SETUP_REQUIRES_VERSION_ROLLING | SETUP_REQUIRES_WORK_SELECTION
        ),
        Err(EngineError::UnsupportedFlags(
            SETUP_REQUIRES_VERSION_ROLLING | SETUP_REQUIRES_WORK_SELECTION
        ))
    );
    // R42/R43: Success carries both flags.
    let flags = h.conn(2, 0);
    assert_eq!(
        flags,
        SUCCESS_REQUIRES_FIXED_VERSION | SUCCESS_REQUIRES_EXTENDED_CHANNELS
    );
    // R43: a standard channel anyway → OpenMiningChannel.Error.
    match h.open_std(2, 1, U256::MAX) {
        Message::OpenStandardMiningChannelError(e) => {
            assert_eq!(e.request_id, 1);
            assert_eq!(e.error_code, open_error::STANDARD_CHANNELS_NOT_ALLOWED);
        }
        m => panic!("{m:?}"),
    }
    // R42: extended jobs do not allow rolling, and rolled shares are refused (R148).
    let ch = h.ext(2, 2);
    h.block();
    let p = h.m.prevhash_for(ch);
    assert!(!h.m.ext_jobs[&p.job_id].version_rolling_allowed);
    let s = h.m.share_rolled(ch, 0, 1 << 13);
    h.submit(2, &s, 1);
    assert_eq!(h.error_code().as_deref(), Some("version-not-allowed"));
}

#[test]
fn unexpected_and_unknown_connection() {
    // R35: server-to-client messages from a client are errors for the caller to act on.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    let m = Message::SetTarget(SetTarget {
        channel_id: 1,
        maximum_target: U256::MAX,
    });
    assert!(matches!(
        h.e.handle_message(1, m.clone(), 0),
        Err(EngineError::UnexpectedMessage(_))
    ));
    assert_eq!(
        h.e.handle_message(9, m, 0),
        Err(EngineError::UnknownConnection(9))
    );
    assert_eq!(
        h.e.connection_opened(1, 0),
        Err(EngineError::ConnectionExists(1))
    );
}

// ---------------------------------------------------------------------------------------
// C.3 Channels

#[test]
fn channel_ids_unique_and_groups_share_namespace() {
    // R54, R68, R60: ids unique per connection, the group id is distinct from every channel
    // id, and every standard channel of a connection is in that one group.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    h.conn(2, 0);
    let mut ids = HashSet::new();
    let mut groups = HashSet::new();
    for req in 0..5 {
        for conn in [1, 2] {
            match h.open_std(conn, req, U256::MAX) {
                Message::OpenStandardMiningChannelSuccess(s) => {
                    assert_eq!(s.request_id, req); // R56
                    assert!(ids.insert(s.channel_id));
                    groups.insert((conn, s.group_channel_id));
                }
                m => panic!("{m:?}"),
            }
        }
        let e = h.ext(1, 100 + req);
        assert!(ids.insert(e));
    }
    assert_eq!(groups.len(), 2, "one group per connection");
    for (_, g) in &groups {
        assert!(!ids.contains(g), "group id {g} reused as a channel id");
    }
    assert_eq!(
        h.e.group_of(1),
        groups.iter().find(|(c, _)| *c == 1).map(|(_, g)| *g)
    );
}

#[test]
fn open_errors_max_target_user_and_extranonce() {
    // R58: a max_target below the pool's hardest target is refused; the initial target never
    // exceeds max_target.
    struct NoBob;
    impl PoolPolicy for NoBob {
        fn authorize(&mut self, _: u64, user: &str, _: ChannelKind) -> bool {
            user != "bob"
        }
    }
    let mut h = H::with(
        PoolConfig {
            min_target: easy(40),
            ..cfg()
        },
        Box::new(NoBob),
        SyntheticTemplateSource::new(1, 10),
    );
    h.conn(1, 0);
    match h.open_std(1, 1, easy(41)) {
        Message::OpenStandardMiningChannelError(e) => {
            assert_eq!(e.error_code, "max-target-out-of-range")
        }
        m => panic!("{m:?}"),
    }
    match h.open_std(1, 2, easy(20)) {
        Message::OpenStandardMiningChannelSuccess(s) => assert!(s.target <= easy(20)),
        m => panic!("{m:?}"),
    }
    // 04 §4.3.6 unknown-user from the policy hook.
    let out = h.send(
        1,
        OpenExtendedMiningChannel {
            request_id: 3,
            user_identity: Str0255::from("bob"),
            nominal_hash_rate: 1e12,
            max_target: U256::MAX,
            min_extranonce_size: 0,
        },
    );
    match &out[0].1 {
        Message::OpenExtendedMiningChannelError(e) => {
            assert_eq!(
                (e.request_id, e.error_code.to_string_lossy().as_str()),
                (3, "unknown-user")
            )
        }
        m => panic!("{m:?}"),
    }
    // R61/E24: more extranonce than the area leaves → documented code.
    let max = h.e.config().max_grantable_extranonce_size() as u16;
    match h.open_ext(1, 4, max + 1, U256::MAX) {
        Message::OpenExtendedMiningChannelError(e) => {
            assert_eq!(e.error_code, "min-extranonce-size-too-large")
        }
        m => panic!("{m:?}"),
    }
    // R61, R88: granted ≥ requested and prefix + extranonce ≤ 32.
    for want in [0, 1, 8, max] {
        match h.open_ext(1, 10 + u32::from(want), want, U256::MAX) {
            Message::OpenExtendedMiningChannelSuccess(s) => {
                assert!(s.extranonce_size >= want);
                assert!(s.extranonce_prefix.len() + usize::from(s.extranonce_size) <= 32);
            }
            m => panic!("{m:?}"),
        }
    }
}

#[test]
fn client_max_target_honoured_ignored_or_capped() {
    // R58/R63 and issue 13 item 6: SRI 2023's mining device asks max_target = 0x0237 << 192
    // (difficulty 7.6 M) for a CPU miner. Honoured by default (the spec); a pool may ignore it
    // or cap it (a deployment choice, PoolConfig::client_max_target).
    let mut be = [0u8; 32];
    be[6] = 0x02;
    be[7] = 0x37;
    let sri_max = U256::from_be_bytes(be);
    let pool_max = easy(8);
    let open = |policy: ClientMaxTarget| {
        let mut h = H::new(PoolConfig {
            client_max_target: policy,
            ..cfg()
        });
        h.conn(1, 0);
        let target = match h.open_std(1, 1, sri_max) {
            Message::OpenStandardMiningChannelSuccess(s) => s.target,
            m => panic!("{m:?}"),
        };
        // UpdateChannel with the same max_target keeps to the same policy.
        let ch = h.m.chans.keys().copied().next().unwrap();
        h.send(
            1,
            UpdateChannel {
                channel_id: ch,
                nominal_hash_rate: 0.0,
                maximum_target: sri_max,
            },
        );
        let updated = h.m.chans[&ch].target;
        (target, updated)
    };
    assert_eq!(open(ClientMaxTarget::Honour), (sri_max, sri_max));
    assert_eq!(open(ClientMaxTarget::Ignore), (pool_max, pool_max));
    let cap = easy(4); // easier than the pool's own bound: the pool's bound wins
    assert_eq!(open(ClientMaxTarget::Cap(cap)), (pool_max, pool_max));
    let cap = easy(12);
    assert_eq!(open(ClientMaxTarget::Cap(cap)), (cap, cap));
    // A client max_target easier than the cap is honoured as sent.
    assert_eq!(ClientMaxTarget::Cap(cap).apply(easy(16)), cap);
    assert_eq!(ClientMaxTarget::Cap(easy(20)).apply(easy(16)), easy(16));
    // A max_target below the pool's hardest target is refused only when honoured.
    let refuse = |policy: ClientMaxTarget| {
        let mut h = H::new(PoolConfig {
            min_target: easy(40),
            client_max_target: policy,
            ..cfg()
        });
        h.conn(1, 0);
        h.open_std(1, 1, easy(41)).kind().name()
    };
    assert_eq!(
        refuse(ClientMaxTarget::Honour),
        "OpenStandardMiningChannel.Error"
    );
    assert_eq!(
        refuse(ClientMaxTarget::Ignore),
        "OpenStandardMiningChannel.Success"
    );
}

#[test]
fn channel_limit_per_connection() {
    // Hostile clients cannot grow state without bound: the per-connection cap.
    let mut h = H::new(PoolConfig {
        max_channels_per_connection: 3,
        ..cfg()
    });
    h.conn(1, 0);
    for r in 0..3 {
        h.std(1, r);
    }
    match h.open_std(1, 9, U256::MAX) {
        Message::OpenStandardMiningChannelError(e) => assert_eq!(e.error_code, "too-many-channels"),
        m => panic!("{m:?}"),
    }
}

#[test]
fn update_channel_lowers_target_and_errors() {
    // R63: a lower maximum_target is reflected with SetTarget; R64: invalid ones get
    // UpdateChannel.Error; a valid one gets no reply other than SetTarget.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    let ch = h.std(1, 1);
    assert_eq!(h.m.chan(ch).target, easy(8));
    let out = h.send(
        1,
        UpdateChannel {
            channel_id: ch,
            nominal_hash_rate: 0.0,
            maximum_target: easy(12),
        },
    );
    match &out[..] {
        [(_, Message::SetTarget(t))] => {
            assert_eq!((t.channel_id, t.maximum_target), (ch, easy(12)))
        }
        other => panic!("{other:?}"),
    }
    let out = h.send(
        1,
        UpdateChannel {
            channel_id: 999,
            nominal_hash_rate: 0.0,
            maximum_target: U256::MAX,
        },
    );
    match &out[..] {
        [(_, Message::UpdateChannelError(e))] => assert_eq!(e.error_code, "invalid-channel-id"),
        other => panic!("{other:?}"),
    }
    let out = h.send(
        1,
        UpdateChannel {
            channel_id: ch,
            nominal_hash_rate: 0.0,
            maximum_target: U256::ZERO,
        },
    );
    match &out[..] {
        [(_, Message::UpdateChannelError(e))] => {
            assert_eq!(e.error_code, "max-target-out-of-range")
        }
        other => panic!("{other:?}"),
    }
    // Vardiff reacts to a hash rate change: 10x the hash rate → a harder target.
    let out = h.send(
        1,
        UpdateChannel {
            channel_id: ch,
            nominal_hash_rate: 1e9,
            maximum_target: U256::MAX,
        },
    );
    let t1 = match &out[..] {
        [(_, Message::SetTarget(t))] => t.maximum_target,
        other => panic!("{other:?}"),
    };
    let out = h.send(
        1,
        UpdateChannel {
            channel_id: ch,
            nominal_hash_rate: 1e10,
            maximum_target: U256::MAX,
        },
    );
    match &out[..] {
        [(_, Message::SetTarget(t))] => assert!(t.maximum_target < t1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn close_channel_stops_messages() {
    // R65: after the client's CloseChannel nothing more is sent for the channel; its shares
    // are invalid-channel-id (R72).
    let mut h = H::new(PoolConfig {
        ack_batch_size: 100,
        ..cfg()
    });
    h.conn(1, 0);
    let a = h.ext(1, 1);
    let b = h.ext(1, 2);
    h.block();
    let s = h.m.share(a, 0);
    h.submit(1, &s, 1);
    let out = h.send(
        1,
        CloseChannel {
            channel_id: a,
            reason_code: Str0255::from("bye"),
        },
    );
    assert!(out.is_empty(), "no ack after close: {out:?}");
    h.block();
    assert!(h.last.iter().all(|(_, m)| m.channel_id() != Some(a)));
    assert!(h.last.iter().any(|(_, m)| m.channel_id() == Some(b)));
    h.submit(1, &s, 2);
    assert_eq!(h.error_code().as_deref(), Some("invalid-channel-id"));
    assert!(h.events.iter().any(|e| matches!(e, PoolEvent::ChannelClosed { channel_id, cause: CloseCause::Client(r), .. } if *channel_id == a && r == "bye")));
}

// ---------------------------------------------------------------------------------------
// C.4 Jobs

#[test]
fn jobs_once_per_group_and_standard_jobs_per_channel() {
    // R44, R73, R79, R71: a group connection gets one NewExtendedMiningJob and one
    // SetNewPrevHash for all its standard channels; a REQUIRES_STANDARD_JOBS connection gets
    // a NewMiningJob with its own merkle root per channel; extended channels get their own.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    h.conn(2, SETUP_REQUIRES_STANDARD_JOBS);
    let g: Vec<u32> = (0..4).map(|r| h.std(1, r)).collect();
    let s: Vec<u32> = (0..3).map(|r| h.std(2, r)).collect();
    let x = h.ext(1, 9);
    let (t, p) = h.src.next_block(T0);
    let job = h.e.new_template(t, h.now).unwrap();
    let out = h.pump();
    let group = h.e.group_of(1).unwrap();
    let ext: Vec<_> = msgs_of(&out, "NewExtendedMiningJob");
    assert_eq!(ext.len(), 2, "group + extended channel");
    assert!(ext.iter().any(|m| m.channel_id() == Some(group)));
    assert!(ext.iter().any(|m| m.channel_id() == Some(x)));
    let std: Vec<_> = msgs_of(&out, "NewMiningJob");
    assert_eq!(std.len(), 3);
    let roots: HashSet<_> = std
        .iter()
        .map(|m| match m {
            Message::NewMiningJob(j) => {
                assert!(j.future_job); // R78: future template → future job
                assert!(s.contains(&j.channel_id));
                j.merkle_root
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(roots.len(), 3, "unique search space per channel (R83)");
    assert!(
        out.iter()
            .all(|(c, m)| *c != 2 || m.kind().name() != "NewExtendedMiningJob"),
        "R44"
    );
    h.e.set_prev_hash(p, h.now).unwrap();
    let out = h.pump();
    let ph = msgs_of(&out, "SetNewPrevHash");
    assert_eq!(ph.len(), 1 + 3 + 1);
    // Every channel can now mine the job, and the roots the miner derives for group members
    // are accepted (R80/R81).
    for (conn, ch) in g
        .iter()
        .map(|c| (1, *c))
        .chain(s.iter().map(|c| (2, *c)))
        .chain([(1, x)])
    {
        assert_eq!(h.m.prevhash_for(ch).job_id, job);
        let share = h.m.share(ch, 0);
        h.submit(conn, &share, 1);
        assert_eq!(h.error_code(), None, "channel {ch}");
    }
}

#[test]
fn future_jobs_and_late_channels() {
    // R76: a channel opened after the prevhash gets the active job as a future job followed
    // by SetNewPrevHash; R78/4.1.4: pending future jobs follow; R105: jobs not named by the
    // next SetNewPrevHash go stale.
    let mut h = H::new(cfg());
    h.conn(1, SETUP_REQUIRES_STANDARD_JOBS);
    let first = h.block();
    let (t2, p2) = h.src.next_block(T0 + 10);
    let fut = h.e.new_template(t2, h.now).unwrap();
    h.pump();
    let out = h.send(
        1,
        OpenStandardMiningChannel {
            request_id: 1,
            user_identity: Str0255::from("late"),
            nominal_hash_rate: 0.0,
            max_target: U256::MAX,
        },
    );
    let kinds: Vec<_> = out.iter().map(|(_, m)| m.kind().name()).collect();
    assert_eq!(
        kinds,
        [
            "OpenStandardMiningChannel.Success",
            "NewMiningJob",
            "SetNewPrevHash",
            "NewMiningJob"
        ]
    );
    match (&out[1].1, &out[2].1, &out[3].1) {
        (Message::NewMiningJob(a), Message::MiningSetNewPrevHash(p), Message::NewMiningJob(b)) => {
            assert!(a.future_job && b.future_job);
            assert_eq!((a.job_id, p.job_id, b.job_id), (first, first, fut));
        }
        _ => unreachable!(),
    }
    let ch = match &out[0].1 {
        Message::OpenStandardMiningChannelSuccess(s) => s.channel_id,
        _ => unreachable!(),
    };
    let old_share = h.m.share(ch, 0);
    // A future job cannot be mined before its prevhash.
    let mut early = old_share.clone();
    early.job_id = fut;
    h.submit(1, &early, 1);
    assert_eq!(h.error_code().as_deref(), Some("invalid-job-id"));
    // Activate the future job: the old job's shares are stale (R105, R156).
    h.e.set_prev_hash(p2, h.now).unwrap();
    h.pump();
    h.submit(1, &old_share, 2);
    assert_eq!(h.error_code().as_deref(), Some("stale-share"));
    let new_share = h.m.share(ch, 0);
    assert_eq!(new_share.job_id, fut);
    h.submit(1, &new_share, 3);
    assert_eq!(h.error_code(), None);
}

#[test]
fn first_job_of_a_group_channel_goes_to_the_group_like_later_ones() {
    // Issue 13 item 3 (R71, R76): SRI's mining proxy sets up with flags 6 (work selection +
    // version rolling, no REQUIRES_STANDARD_JOBS) and opens standard channels after the
    // prevhash. Their first job must reach the group as NewExtendedMiningJob + SetNewPrevHash,
    // like every later job, never as a per-channel NewMiningJob (SRI panicked on it); a
    // second member of the same group gets nothing, the group already has the work.
    let mut h = H::new(PoolConfig {
        allow_work_selection: true,
        ..cfg()
    });
    h.conn(1, 6);
    let first = h.block();
    let (t2, _) = h.src.next_block(T0 + 10);
    let fut = h.e.new_template(t2, h.now).unwrap();
    h.pump();
    let out = h.send(
        1,
        OpenStandardMiningChannel {
            request_id: 1,
            user_identity: Str0255::from("sri-proxy"),
            nominal_hash_rate: 0.0,
            max_target: U256::MAX,
        },
    );
    let (ch, group) = match &out[0].1 {
        Message::OpenStandardMiningChannelSuccess(s) => (s.channel_id, s.group_channel_id),
        o => panic!("{o:?}"),
    };
    let sent: Vec<_> = out[1..]
        .iter()
        .map(|(_, m)| {
            let job = match m {
                Message::NewExtendedMiningJob(j) => Some(j.job_id),
                Message::MiningSetNewPrevHash(p) => Some(p.job_id),
                _ => None,
            };
            (m.kind().name(), m.channel_id(), job)
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("NewExtendedMiningJob", Some(group), Some(first)),
            ("SetNewPrevHash", Some(group), Some(first)),
            ("NewExtendedMiningJob", Some(group), Some(fut)),
        ]
    );
    // The group's work is minable by the channel (roots derived from the extended job).
    let share = h.m.share(ch, 0);
    assert_eq!(share.job_id, first);
    h.submit(1, &share, 1);
    assert_eq!(h.error_code(), None);
    // A second standard channel of the same connection: the group already has the work.
    let out = h.send(
        1,
        OpenStandardMiningChannel {
            request_id: 2,
            user_identity: Str0255::from("sri-proxy"),
            nominal_hash_rate: 0.0,
            max_target: U256::MAX,
        },
    );
    let kinds: Vec<_> = out.iter().map(|(_, m)| m.kind().name()).collect();
    assert_eq!(kinds, ["OpenStandardMiningChannel.Success"]);
    let ch2 = match &out[0].1 {
        Message::OpenStandardMiningChannelSuccess(s) => s.channel_id,
        o => panic!("{o:?}"),
    };
    let share = h.m.share(ch2, 0);
    h.submit(1, &share, 2);
    assert_eq!(h.error_code(), None);
}

#[test]
fn non_future_template_and_unknown_template() {
    // R74: a non-future template on the current prevhash goes out with future_job = false;
    // 06 §6.3 a SetNewPrevHash for an unknown template makes every job stale.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    assert_eq!(
        h.e.new_template(h.src.update(), 0),
        Err(EngineError::NoPrevHash)
    );
    let first = h.block();
    let s_old = h.m.share(ch, 0);
    let upd = h.e.new_template(h.src.update(), h.now).unwrap();
    let out = h.pump();
    match &out[..] {
        [(_, Message::NewExtendedMiningJob(j))] => assert!(!j.future_job && j.job_id == upd),
        o => panic!("{o:?}"),
    }
    // The older job on the same prevhash is still valid.
    h.submit(1, &s_old, 1);
    assert_eq!(h.error_code(), None);
    assert_ne!(first, upd);
    let (_, p) = h.src.next_block(T0 + 5);
    let p = TdpSetNewPrevHash {
        template_id: 999,
        ..p
    };
    assert_eq!(
        h.e.set_prev_hash(p, h.now),
        Err(EngineError::UnknownTemplate(999))
    );
    h.pump();
    h.submit(1, &s_old, 2);
    assert_eq!(h.error_code().as_deref(), Some("stale-share"));
    // The next non-future template is announced with a prevhash (R76).
    let id = h.e.new_template(h.src.update(), h.now).unwrap();
    let out = h.pump();
    let kinds: Vec<_> = out.iter().map(|(_, m)| m.kind().name()).collect();
    assert_eq!(kinds, ["NewExtendedMiningJob", "SetNewPrevHash"]);
    assert_eq!(h.m.prevhash_for(ch).job_id, id);
}

#[test]
fn old_jobs_retire_beyond_the_window() {
    // R77: job ids are never reused; retired jobs answer stale-share, never-issued ones
    // invalid-job-id.
    let mut h = H::new(PoolConfig {
        max_active_jobs: 2,
        ..cfg()
    });
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    h.block();
    let s = h.m.share(ch, 0);
    for _ in 0..2 {
        h.e.new_template(h.src.update(), h.now).unwrap();
    }
    h.pump();
    h.submit(1, &s, 1);
    assert_eq!(h.error_code().as_deref(), Some("stale-share"));
    let mut bogus = s.clone();
    bogus.job_id = 10_000;
    h.submit(1, &bogus, 2);
    assert_eq!(h.error_code().as_deref(), Some("invalid-job-id"));
}

// ---------------------------------------------------------------------------------------
// C.5 Search space

#[test]
fn set_extranonce_prefix_keeps_old_jobs_on_old_prefix() {
    // R86: jobs sent before SetExtranoncePrefix keep the old prefix; R87: same length.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    for (ch, conn) in [(h.ext(1, 1), 1), (h.std(1, 2), 1)] {
        h.block();
        let old = h.m.chan(ch).prefix.clone();
        let s_old = h.m.share(ch, 0);
        let new = h.e.set_extranonce_prefix(conn, ch).unwrap();
        h.pump();
        assert_eq!(new.len(), old.len());
        assert_ne!(new, old);
        assert_eq!(h.m.chan(ch).prefix, new);
        h.submit(conn, &s_old, 1);
        assert_eq!(
            h.error_code(),
            None,
            "old job validated with the old prefix"
        );
        h.block();
        let s_new = h.m.share(ch, 0);
        h.submit(conn, &s_new, 2);
        assert_eq!(h.error_code(), None, "new job with the new prefix");
    }
}

fn overlap(a: &[u8], b: &[u8]) -> bool {
    // The spaces {a ‖ x} and {b ‖ y} (same total length) overlap iff one prefix starts the other.
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn search_spaces_never_overlap(
            ops in proptest::collection::vec((0u8..4, 0u16..13, 0u64..3), 1..40),
            counter_len in 1u8..4,
            server in proptest::collection::vec(any::<u8>(), 0..3),
        ) {
            // R83, 4.2: no two channels ever get overlapping search space, across opens
            // (standard and extended with any min_extranonce_size), SetExtranoncePrefix and
            // closes; prefixes never repeat.
            let mut h = H::new(PoolConfig {
                server_id: server,
                extranonce_counter_len: counter_len,
                ..cfg()
            });
            for c in 0..3 { h.conn(c, if c == 2 { SETUP_REQUIRES_STANDARD_JOBS } else { 0 }); }
            let mut ever: Vec<Vec<u8>> = Vec::new();
            let mut req = 0;
            for (op, size, conn) in ops {
                req += 1;
                h.last.clear();
                match op {
                    0 => { h.open_std(conn, req, U256::MAX); }
                    1 => { h.open_ext(conn, req, size, U256::MAX); }
                    2 => {
                        if let Some(ch) = h.e.channels_of(conn).first().copied() {
                            let _ = h.e.set_extranonce_prefix(conn, ch);
                            h.pump();
                        }
                    }
                    _ => {
                        if let Some(ch) = h.e.channels_of(conn).last().copied() {
                            h.send(conn, CloseChannel { channel_id: ch, reason_code: Str0255::from("x") });
                        }
                    }
                }
                for (_, m) in &h.last {
                    let p = match m {
                        Message::OpenStandardMiningChannelSuccess(s) => s.extranonce_prefix.as_slice().to_vec(),
                        Message::OpenExtendedMiningChannelSuccess(s) => s.extranonce_prefix.as_slice().to_vec(),
                        Message::SetExtranoncePrefix(s) => s.extranonce_prefix.as_slice().to_vec(),
                        _ => continue,
                    };
                    for q in &ever {
                        prop_assert!(!overlap(&p, q), "{:?} overlaps {:?}", p, q);
                    }
                    ever.push(p);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// C.6 / C.7 / C.13 Share validation

#[test]
fn share_rejections_each_code() {
    // R93 (a)-(g), R94, R95, R98, R147, R148, documented codes.
    let mut h = H::new(PoolConfig {
        ack_batch_size: 1,
        ..cfg()
    });
    h.conn(1, 0);
    h.conn(2, 0);
    let st = h.std(1, 1);
    let ex = h.ext(1, 2);
    h.block();
    let good = h.m.share(st, 0);
    let ok = |h: &mut H, s: &Share, seq: u32, conn: u64| {
        h.submit(conn, s, seq);
        h.error_code()
    };
    // (a) unknown channel, other connection's channel, wrong submit type (R94).
    let mut s = good.clone();
    s.channel_id = 4242;
    assert_eq!(ok(&mut h, &s, 1, 1).as_deref(), Some("invalid-channel-id"));
    assert_eq!(
        ok(&mut h, &good, 2, 2).as_deref(),
        Some("invalid-channel-id")
    );
    let xs = h.m.share(ex, 0);
    let wrong_type = Message::SubmitSharesStandard(SubmitSharesStandard {
        channel_id: ex,
        sequence_number: 3,
        job_id: xs.job_id,
        nonce: xs.nonce,
        ntime: xs.ntime,
        version: xs.version,
    });
    h.send(1, wrong_type);
    assert_eq!(h.error_code().as_deref(), Some("invalid-channel-id"));
    // (b) unknown job.
    let mut s = good.clone();
    s.job_id += 100;
    assert_eq!(ok(&mut h, &s, 4, 1).as_deref(), Some("invalid-job-id"));
    // (c) nTime before min_ntime, and beyond min_ntime + elapsed + 2 h (R147).
    let mut s = good.clone();
    s.ntime -= 1;
    assert_eq!(ok(&mut h, &s, 5, 1).as_deref(), Some("ntime-out-of-range"));
    let mut s = good.clone();
    s.ntime += 7201;
    assert_eq!(ok(&mut h, &s, 6, 1).as_deref(), Some("ntime-out-of-range"));
    // (d) version outside the BIP320 mask (R148).
    let mut s = good.clone();
    s.version ^= 0x0000_0001;
    assert_eq!(ok(&mut h, &s, 7, 1).as_deref(), Some("version-not-allowed"));
    // (e) extranonce of the wrong size (R95).
    let mut s = xs.clone();
    s.extranonce.push(0);
    assert_eq!(
        ok(&mut h, &s, 8, 1).as_deref(),
        Some("invalid-extranonce-size")
    );
    // (f) difficulty: a nonce whose hash misses the target.
    let mut bad = good.clone();
    loop {
        bad.nonce = bad.nonce.wrapping_add(1);
        bad.header.set_nonce(bad.nonce);
        if !hash_meets_target(bad.header.hash(), h.m.chan(st).target) {
            break;
        }
    }
    assert_eq!(
        ok(&mut h, &bad, 9, 1).as_deref(),
        Some("difficulty-too-low")
    );
    // Valid, then (g) duplicate.
    assert_eq!(ok(&mut h, &good, 10, 1), None);
    assert_eq!(ok(&mut h, &good, 11, 1).as_deref(), Some("duplicate-share"));
    assert_eq!(ok(&mut h, &xs, 12, 1), None);
    // Accounting by reason.
    let st_stats = h.e.channel_stats(1, st, h.now).unwrap();
    assert_eq!(st_stats.shares_accepted, 1);
    assert_eq!(st_stats.rejected(RejectReason::NtimeOutOfRange), 2);
    assert_eq!(st_stats.rejected(RejectReason::DuplicateShare), 1);
    assert_eq!(st_stats.rejected(RejectReason::DifficultyTooLow), 1);
    assert_eq!(
        h.e.channel_stats(1, ex, h.now)
            .unwrap()
            .rejected(RejectReason::InvalidChannelId),
        1
    );
}

#[test]
fn ntime_rolling_and_version_rolling_accepted() {
    // R147: nTime rolled once per second is accepted; R148/R149: BIP320 bits may roll on
    // standard channels (no REQUIRES_FIXED_VERSION).
    let mut h = H::new(cfg());
    h.conn(1, 0);
    let ch = h.std(1, 1);
    h.block();
    h.now += 30_000;
    let p = h.m.prevhash_for(ch);
    let v = h.m.job_version(ch, p.job_id);
    for (i, dt) in [1u32, 10, 30, 3600].into_iter().enumerate() {
        let s = h.m.find(
            ch,
            p.job_id,
            p.min_ntime + dt,
            v,
            &[],
            h.m.chan(ch).target,
            0,
        );
        h.submit(1, &s, i as u32);
        assert_eq!(h.error_code(), None, "ntime +{dt}");
    }
    let s = h.m.share_rolled(ch, 0, 0x1555_4000);
    assert_ne!(s.version, v);
    h.submit(1, &s, 10);
    assert_eq!(h.error_code(), None);
}

#[test]
fn acks_are_batched_by_count_and_time_and_precede_errors() {
    // R90/E25: one Success for several shares (last sequence number, count, sum of
    // difficulty); flushed by count, by time (poll_timeout/handle_timeout), and (R91) before
    // any error on the channel.
    let mut h = H::new(PoolConfig {
        ack_batch_size: 10,
        ack_flush_ms: 500,
        max_target: easy(4),
        ..cfg()
    });
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    h.block();
    let mut nonce = 0;
    let mut shares = Vec::new();
    for seq in 1..=13u32 {
        let s = h.m.share(ch, nonce);
        nonce = s.nonce + 1;
        let out = h.submit(1, &s, seq);
        shares.push(s);
        if seq == 10 {
            match &out[..] {
                [(_, Message::SubmitSharesSuccess(a))] => {
                    assert_eq!(
                        (a.last_sequence_number, a.new_submits_accepted_count),
                        (10, 10)
                    );
                }
                o => panic!("{o:?}"),
            }
        } else {
            assert!(out.is_empty(), "seq {seq}: {out:?}");
        }
    }
    // 3 pending; an error flushes them first.
    let out = h.submit(1, &shares[0], 14);
    match &out[..] {
        [(_, Message::SubmitSharesSuccess(a)), (_, Message::SubmitSharesError(e))] => {
            assert_eq!(
                (a.last_sequence_number, a.new_submits_accepted_count),
                (13, 3)
            );
            assert_eq!(
                (e.sequence_number, e.error_code.to_string_lossy().as_str()),
                (14, "duplicate-share")
            );
        }
        o => panic!("{o:?}"),
    }
    // Time-based flush.
    let s = h.m.share(ch, nonce);
    h.submit(1, &s, 15);
    let deadline = h.e.poll_timeout().unwrap();
    assert_eq!(deadline, h.now + 500);
    h.e.handle_timeout(deadline - 1);
    assert_eq!(h.pump().len(), 0);
    h.e.handle_timeout(deadline);
    match &h.pump()[..] {
        [(_, Message::SubmitSharesSuccess(a))] => assert_eq!(
            (a.last_sequence_number, a.new_submits_accepted_count),
            (15, 1)
        ),
        o => panic!("{o:?}"),
    }
    // E25: the sums add up to the credited difficulty (integer part, fraction carried).
    let total: u64 = h.m.acks.iter().map(|a| a.new_shares_sum).sum();
    let credited = h.e.channel_stats(1, ch, h.now).unwrap().accepted_difficulty;
    assert!((credited - total as f64) < 1.0 && total as f64 <= credited + 1e-9);
}

#[test]
fn target_per_job_after_set_target() {
    // R100: a job keeps the target in force when it was sent; shares meeting only the old
    // target are accepted for it, new jobs need the new target; R99 Success.target ≤ max.
    let mut h = H::new(PoolConfig {
        max_target: easy(2),
        ..cfg()
    });
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    h.block();
    let old_target = h.m.chan(ch).target;
    let set = h.e.set_target(1, ch, easy(16), h.now).unwrap();
    assert_eq!(set, easy(16));
    h.pump();
    assert_eq!(h.m.chan(ch).target, easy(16));
    // A share for the old job meeting the old target only.
    let p = h.m.prevhash_for(ch);
    let mut n = 0;
    let s = loop {
        let s = h.m.find(
            ch,
            p.job_id,
            p.min_ntime,
            h.m.job_version(ch, p.job_id),
            &[0x5a; 8],
            old_target,
            n,
        );
        if !hash_meets_target(s.hash, easy(16)) {
            break s;
        }
        n = s.nonce + 1;
    };
    h.submit(1, &s, 1);
    assert_eq!(h.error_code(), None);
    // A job sent after SetTarget uses the new one.
    h.e.new_template(h.src.update(), h.now).unwrap();
    h.pump();
    let newest = *h.m.ext_jobs.keys().max().unwrap();
    let mut n = 0;
    let s = loop {
        let s = h.m.find(
            ch,
            newest,
            p.min_ntime,
            h.m.job_version(ch, newest),
            &[0x5a; 8],
            old_target,
            n,
        );
        if !hash_meets_target(s.hash, easy(16)) {
            break s;
        }
        n = s.nonce + 1;
    };
    h.submit(1, &s, 2);
    assert_eq!(h.error_code().as_deref(), Some("difficulty-too-low"));
}

#[test]
fn prevhash_change_makes_old_shares_stale() {
    // R105: after SetNewPrevHash every older job is stale, for every channel type.
    let mut h = H::new(cfg());
    h.conn(1, 0);
    h.conn(2, SETUP_REQUIRES_STANDARD_JOBS);
    let chans = [(1, h.std(1, 1)), (2, h.std(2, 1)), (1, h.ext(1, 2))];
    h.block();
    let old: Vec<Share> = chans.iter().map(|(_, c)| h.m.share(*c, 0)).collect();
    h.block();
    for ((conn, _), s) in chans.iter().zip(&old) {
        h.submit(*conn, s, 1);
        assert_eq!(h.error_code().as_deref(), Some("stale-share"));
    }
}

// ---------------------------------------------------------------------------------------
// Property: shares against an independent oracle (the `bitcoin` crate)

mod oracle {
    use super::*;
    use bitcoin::block::{Header, Version};
    use bitcoin::hashes::{sha256d, Hash};
    use bitcoin::{BlockHash, CompactTarget, Transaction, TxMerkleNode};

    /// The block hash of a share as the `bitcoin` crate computes it, from the coinbase bytes
    /// the job messages describe (independent of sv2's coinbase/merkle/header code).
    pub fn hash(m: &Miner, s: &Share) -> U256 {
        let c = m.chan(s.channel_id);
        let p = m.prevhash_for(s.channel_id);
        let root: [u8; 32] = if let Some(j) = m.std_jobs.get(&(s.channel_id, s.job_id)) {
            j.merkle_root.0
        } else {
            let j = &m.ext_jobs[&s.job_id];
            let prefix = c.job_prefix.get(&s.job_id).unwrap_or(&c.prefix);
            let raw = [
                &j.coinbase_tx_prefix[..],
                prefix,
                &s.extranonce,
                &j.coinbase_tx_suffix,
            ]
            .concat();
            let tx: Transaction = bitcoin::consensus::deserialize(&raw).expect("coinbase parses");
            assert!(tx.is_coinbase());
            let mut h = tx.compute_txid().to_byte_array();
            for sib in &j.merkle_path {
                h = sha256d::Hash::hash(&[&h[..], &sib.0[..]].concat()).to_byte_array();
            }
            h
        };
        let header = Header {
            version: Version::from_consensus(s.version as i32),
            prev_blockhash: BlockHash::from_byte_array(p.prev_hash.0),
            merkle_root: TxMerkleNode::from_byte_array(root),
            time: s.ntime,
            bits: CompactTarget::from_consensus(p.nbits),
            nonce: s.nonce,
        };
        U256(header.block_hash().to_byte_array())
    }
}

mod share_props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn valid_share_validates_and_bit_flips_do_not(
            kind in 0u8..3, txs in 0usize..6, flip in 0usize..(80 * 8), en_byte in any::<u8>(), start in any::<u32>(),
        ) {
            // R93, R80, R81, R98: a share built from a job the engine sent validates, and its
            // hash is what the `bitcoin` crate computes. The same share with one header bit
            // flipped is rejected: bits the miner cannot choose (prev_hash, merkle root,
            // nBits) make the pool's header differ from the miner's; flipped version bits
            // outside BIP320 are version-not-allowed; flipped nTime/nonce/BIP320 bits give a
            // different share, whose verdict must match the oracle.
            let mut h = H::with(
                PoolConfig { max_target: easy(10), ..cfg() },
                Box::new(OpenPolicy),
                SyntheticTemplateSource::new(u64::from(en_byte), 300).with_transactions(txs).with_nbits(HARD_NBITS),
            );
            h.conn(1, if kind == 2 { SETUP_REQUIRES_STANDARD_JOBS } else { 0 });
            let ch = if kind == 0 { h.ext(1, 1) } else { h.std(1, 1) };
            h.block();
            let target = h.m.chan(ch).target;
            let p = h.m.prevhash_for(ch);
            let en = vec![en_byte; usize::from(h.m.chan(ch).extranonce_size)];
            let version = h.m.job_version(ch, p.job_id);
            let s = h.m.find(ch, p.job_id, p.min_ntime + 5, version, &en, target, start);
            prop_assert_eq!(oracle::hash(&h.m, &s), s.hash);
            h.submit(1, &s, 1);
            prop_assert_eq!(h.error_code(), None);

            // Flip one header bit.
            let mut bytes = *s.header.as_bytes();
            bytes[flip / 8] ^= 1 << (flip % 8);
            let flipped = sv2::mining::BlockHeader::from_bytes(bytes);
            let field = flip / 8;
            let mut t = s.clone();
            t.version = flipped.version();
            t.ntime = flipped.ntime();
            t.nonce = flipped.nonce();
            if (4..76).contains(&field) {
                // prev_hash, merkle root or nBits: the miner hashed a header the pool never
                // builds. Give it a nonce that meets the target on ITS header.
                let mut fh = flipped;
                let mut n = start;
                loop {
                    fh.set_nonce(n);
                    if hash_meets_target(fh.hash(), target) { break; }
                    n = n.wrapping_add(1);
                }
                t.nonce = n;
            }
            h.submit(1, &t, 2);
            let code = h.error_code();
            let version_bit = field < 4 && (1u32 << (flip % 32)) & BIP320_VERSION_MASK == 0;
            if version_bit {
                prop_assert_eq!(code.as_deref(), Some("version-not-allowed"));
            } else {
                // The pool's verdict equals the oracle's (on the true header).
                let truth = oracle::hash(&h.m, &t);
                let in_window = t.ntime >= p.min_ntime && t.ntime <= p.min_ntime + 7200;
                let expect = if !in_window {
                    Some("ntime-out-of-range")
                } else if !hash_meets_target(truth, target) {
                    Some("difficulty-too-low")
                } else if truth == s.hash {
                    Some("duplicate-share")
                } else {
                    None
                };
                prop_assert_eq!(code.as_deref(), expect, "flip {}", flip);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Block found (R97, R144, R145, E29)

#[test]
fn block_found_at_regtest_difficulty_with_submit_solution() {
    for (kind, witness) in [(0u8, true), (1, false), (2, true)] {
        let src = SyntheticTemplateSource::new(3, 500)
            .with_transactions(5)
            .with_witness_commitment(witness);
        let mut h = H::with(
            PoolConfig {
                max_target: easy(2),
                ..cfg()
            },
            Box::new(OpenPolicy),
            src,
        );
        h.conn(
            1,
            if kind == 2 {
                SETUP_REQUIRES_STANDARD_JOBS
            } else {
                0
            },
        );
        let ch = if kind == 0 { h.ext(1, 1) } else { h.std(1, 1) };
        let (t, p) = h.src.next_block(T0);
        let template_id = t.template_id;
        let txids = h.src.txids().to_vec();
        h.e.new_template(t, h.now).unwrap();
        h.e.set_prev_hash(p, h.now).unwrap();
        h.pump();
        // Regtest: about half of all hashes are blocks.
        let net = nbits_to_target(REGTEST_NBITS).unwrap();
        let p = h.m.prevhash_for(ch);
        let en = vec![0x77; usize::from(h.m.chan(ch).extranonce_size)];
        let s = h.m.find(
            ch,
            p.job_id,
            p.min_ntime,
            h.m.job_version(ch, p.job_id),
            &en,
            net.min(h.m.chan(ch).target),
            0,
        );
        h.submit(1, &s, 1);
        assert_eq!(h.error_code(), None);
        let b = h
            .events
            .iter()
            .find_map(|e| match e {
                PoolEvent::BlockFound(b) => Some(b.clone()),
                _ => None,
            })
            .expect("block");
        assert_eq!((b.channel_id, b.template_id), (ch, Some(template_id)));
        // The header hashes below the network target.
        let header: bitcoin::block::Header = bitcoin::consensus::deserialize(&b.header).unwrap();
        use bitcoin::hashes::Hash;
        let hash = U256(header.block_hash().to_byte_array());
        assert_eq!(hash, b.block_hash);
        assert!(hash <= net);
        assert!(header.target().is_met_by(header.block_hash()));
        // SubmitSolution's coinbase parses, is a coinbase, and its txid is the merkle leaf.
        let sol = b.submit_solution.as_ref().unwrap();
        assert_eq!(
            (
                sol.template_id,
                sol.header_nonce,
                sol.header_timestamp,
                sol.version
            ),
            (template_id, s.nonce, s.ntime, s.version)
        );
        let tx: bitcoin::Transaction = bitcoin::consensus::deserialize(&sol.coinbase_tx).unwrap();
        assert!(tx.is_coinbase());
        assert_eq!(
            tx.input[0].witness.len(),
            usize::from(witness),
            "witness form iff commitment (E29)"
        );
        let leaf = tx.compute_txid().to_byte_array();
        let path = &txids;
        let mut root = leaf;
        let mut branch = vec![U256::ZERO; sv2::mining::merkle_path_len(path.len())];
        sv2::mining::merkle_path_for_coinbase(path, &mut branch).unwrap();
        for sib in &branch {
            root = bitcoin::hashes::sha256d::Hash::hash(&[&root[..], &sib.0[..]].concat())
                .to_byte_array();
        }
        assert_eq!(root, header.merkle_root.to_byte_array());
        // BIP34 height leads the scriptSig; the outputs pay value_remaining.
        let script = tx.input[0].script_sig.as_bytes();
        assert!(script.starts_with(&bip34_height_push(500)));
        assert_eq!(b.coinbase_tx, sol.coinbase_tx);
        let stats = h.e.channel_stats(1, ch, h.now).unwrap();
        assert_eq!(stats.blocks_found, 1);
        assert_eq!(h.e.snapshot(h.now).blocks_found, 1);
    }
}

// ---------------------------------------------------------------------------------------
// C.9 Custom jobs

struct Tokens;
impl PoolPolicy for Tokens {
    fn validate_mining_job_token(
        &mut self,
        _: u64,
        _: u32,
        _: &str,
        token: &[u8],
        _: &SetCustomMiningJob,
    ) -> bool {
        token == b"good"
    }
}

fn custom(ch: u32, token: &[u8], p: &MiningSetNewPrevHash, size: u16) -> SetCustomMiningJob {
    let mut out = [0u8; 40];
    let n = sv2::mining::write_txout(&mut out, 1000, &[0x51]).unwrap();
    SetCustomMiningJob {
        channel_id: ch,
        request_id: 77,
        mining_job_token: token.to_vec(),
        version: 0x2000_0000,
        prev_hash: p.prev_hash,
        min_ntime: p.min_ntime,
        nbits: p.nbits,
        coinbase_tx_version: 2,
        coinbase_prefix: bip34_height_push(1234),
        coinbase_tx_input_n_sequence: u32::MAX,
        coinbase_tx_value_remaining: 5000,
        coinbase_tx_outputs: vec![out[..n].to_vec()],
        coinbase_tx_locktime: 0,
        merkle_path: vec![U256([9; 32])],
        extranonce_size: size,
        future_job: false,
    }
}

#[test]
fn custom_jobs_need_work_selection_and_a_valid_token() {
    // R45, R108, R110, R111, R112, R113, R114, E34.
    let mut h = H::with(
        PoolConfig {
            allow_work_selection: true,
            ..cfg()
        },
        Box::new(Tokens),
        SyntheticTemplateSource::new(2, 50).with_nbits(HARD_NBITS),
    );
    h.conn(1, SETUP_REQUIRES_WORK_SELECTION);
    h.conn(2, 0);
    let ch = h.ext(1, 1);
    let st = h.std(1, 2);
    let other = h.ext(2, 1);
    h.block();
    let p = h.m.prevhash_for(ch);
    let size = h.m.chan(ch).extranonce_size;
    let code = |out: &[(u64, Message)]| match out {
        [(_, Message::SetCustomMiningJobError(e))] => {
            assert_eq!(e.request_id, 77);
            e.error_code.to_string_lossy()
        }
        o => panic!("{o:?}"),
    };
    assert_eq!(
        code(&h.send(2, custom(other, b"good", &p, size))),
        "work-selection-not-negotiated"
    );
    assert_eq!(
        code(&h.send(1, custom(st, b"good", &p, size))),
        "invalid-channel-id"
    );
    assert_eq!(
        code(&h.send(1, custom(ch, b"bad", &p, size))),
        "invalid-mining-job-token"
    );
    assert_eq!(
        code(&h.send(1, custom(ch, b"good", &p, size + 1))),
        "invalid-job-param-value-extranonce_size"
    );
    let mut m = custom(ch, b"good", &p, size);
    m.future_job = true;
    assert_eq!(code(&h.send(1, m)), "invalid-job-param-value-future_job");
    let mut m = custom(ch, b"good", &p, size);
    m.coinbase_prefix = vec![1; 9];
    assert_eq!(
        code(&h.send(1, m)),
        "invalid-job-param-value-coinbase_prefix"
    );
    let mut m = custom(ch, b"good", &p, size);
    m.prev_hash = U256([1; 32]);
    assert_eq!(code(&h.send(1, m)), "invalid-job-param-value-prev_hash");
    let mut m = custom(ch, b"good", &p, size);
    m.coinbase_tx_value_remaining = 10;
    assert_eq!(
        code(&h.send(1, m)),
        "invalid-job-param-value-coinbase_tx_value_remaining"
    );
    let out = h.send(1, custom(ch, b"good", &p, size));
    let ok = match &out[..] {
        [(_, Message::SetCustomMiningJobSuccess(s))] => s.clone(),
        o => panic!("{o:?}"),
    };
    assert_eq!((ok.channel_id, ok.request_id), (ch, 77));
    // Mine on it (R112): coinbase = returned prefix ‖ extranonce_prefix ‖ extranonce ‖ suffix.
    h.m.ext_jobs.insert(
        ok.job_id,
        NewExtendedMiningJob {
            channel_id: ch,
            job_id: ok.job_id,
            future_job: false,
            version: 0x2000_0000,
            version_rolling_allowed: true,
            merkle_path: vec![U256([9; 32])],
            coinbase_tx_prefix: ok.coinbase_tx_prefix.clone(),
            coinbase_tx_suffix: ok.coinbase_tx_suffix.clone(),
            min_ntime: None,
        },
    );
    let s = h.m.find(
        ch,
        ok.job_id,
        p.min_ntime,
        0x2000_0000,
        &vec![1; usize::from(size)],
        h.m.chan(ch).target,
        0,
    );
    h.submit(1, &s, 1);
    assert_eq!(h.error_code(), None);
    assert_eq!(oracle::hash(&h.m, &s), s.hash);
    // Another channel cannot use it.
    let ch2 = h.ext(1, 3);
    let mut s2 = s.clone();
    s2.channel_id = ch2;
    h.submit(1, &s2, 2);
    assert_eq!(h.error_code().as_deref(), Some("invalid-job-id"));
}

// ---------------------------------------------------------------------------------------
// Vardiff and accounting

#[test]
fn vardiff_raises_difficulty_for_fast_miners_within_max_target() {
    // 4.3.21 SetTarget from vardiff, bounded steps, never above max_target (R58/R99).
    let mut h = H::new(PoolConfig {
        max_target: easy(4),
        vardiff: VardiffConfig {
            enabled: true,
            ..VardiffConfig::default()
        },
        ack_batch_size: 1000,
        ..cfg()
    });
    h.conn(1, 0);
    let ch = match h.open_ext(1, 1, 0, easy(2)) {
        Message::OpenExtendedMiningChannelSuccess(s) => s.channel_id,
        m => panic!("{m:?}"),
    };
    h.block();
    let t0 = h.m.chan(ch).target;
    let mut nonce = 0;
    // 64 shares in 6.4 s: the fast path fires once.
    for seq in 0..64u32 {
        h.now += 100;
        let s = h.m.share(ch, nonce);
        nonce = s.nonce + 1;
        h.submit(1, &s, seq);
    }
    let t1 = h.m.chan(ch).target;
    assert!(t1 < t0);
    let step = sv2::mining::target_to_difficulty(t1) / sv2::mining::target_to_difficulty(t0);
    assert!((step - 8.0).abs() < 1e-6, "bounded step, got {step}");
    assert!(h.events.iter().any(|e| matches!(
        e,
        PoolEvent::TargetChanged {
            cause: TargetChangeCause::Vardiff,
            ..
        }
    )));
    // An idle channel gets easier through the timer, but never above max_target.
    for _ in 0..20 {
        let t = h.e.poll_timeout().unwrap();
        h.now = h.now.max(t);
        h.e.handle_timeout(h.now);
        h.pump();
    }
    assert_eq!(
        h.m.chan(ch).target,
        easy(4),
        "clamped to the pool's easiest target"
    );
}

#[test]
fn vardiff_is_stable_under_bursts() {
    // A steady 10 shares/min delivered in bursts of 5 every 30 s causes no retarget.
    let mut h = H::new(PoolConfig {
        max_target: easy(2),
        vardiff: VardiffConfig {
            enabled: true,
            ..VardiffConfig::default()
        },
        ack_batch_size: 1000,
        ..cfg()
    });
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    h.block();
    // Vardiff only sees share counts over time, so any easy target will do.
    h.e.set_target(1, ch, easy(6), h.now).unwrap();
    h.pump();
    let target = h.m.chan(ch).target;
    let mut nonce = 0;
    let mut seq = 0;
    for _burst in 0..20 {
        h.now += 30_000;
        h.e.handle_timeout(h.now);
        for _ in 0..5 {
            let s = h.m.share(ch, nonce);
            nonce = s.nonce + 1;
            seq += 1;
            h.submit(1, &s, seq);
        }
    }
    assert_eq!(h.m.chan(ch).target, target);
}

#[test]
fn accounting_events_and_snapshot() {
    // Accounting for payouts: user, accepted/rejected by reason, difficulty sums, best
    // share, hash rate estimate, final stats on close.
    let mut h = H::new(PoolConfig {
        max_target: easy(6),
        ..cfg()
    });
    // No channel yet: a plain zero (not -0.0, which reports print as "-0").
    let empty = h.e.snapshot(h.now).total_hashrate;
    assert!(empty == 0.0 && empty.is_sign_positive(), "{empty}");
    h.conn(1, 0);
    let ch = h.std(1, 1);
    h.block();
    let mut nonce = 0;
    for seq in 0..20u32 {
        h.now += 3_000;
        let s = h.m.share(ch, nonce);
        nonce = s.nonce + 1;
        h.submit(1, &s, seq);
    }
    let st = h.e.channel_stats(1, ch, h.now).unwrap();
    assert_eq!(&*st.user_identity, "user.1.1");
    assert_eq!(st.shares_accepted, 20);
    let d = sv2::mining::target_to_difficulty(easy(6));
    assert!((st.accepted_difficulty - 20.0 * d).abs() < 1e-9);
    assert!(st.best_share_difficulty >= d);
    // 20 shares of difficulty d in 60 s ≈ d·2^32/3 h/s (rough: the window is young).
    let expect = 20.0 * d * HASHES_PER_DIFFICULTY_1 / 60.0;
    assert!(
        st.hashrate > expect * 0.5 && st.hashrate < expect * 2.0,
        "{} vs {expect}",
        st.hashrate
    );
    let accepted_events = h
        .events
        .iter()
        .filter(|e| matches!(e, PoolEvent::ShareAccepted { .. }))
        .count();
    assert_eq!(accepted_events, 20);
    let snap = h.e.snapshot(h.now);
    assert_eq!((snap.connections, snap.channels.len()), (1, 1));
    assert!(snap.prev_hash.is_some() && snap.active_job_id.is_some());
    h.e.connection_closed(1, h.now);
    h.pump();
    let closed = h
        .events
        .iter()
        .find_map(|e| match e {
            PoolEvent::ChannelClosed {
                stats,
                cause: CloseCause::ConnectionClosed,
                ..
            } => Some(stats.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(closed.shares_accepted, 20);
    assert_eq!(h.e.channel_count(), 0);
}

#[test]
fn server_initiated_reconnect_and_close() {
    // 4.3.22 Reconnect; E36 server CloseChannel (pending acks flushed first).
    let mut h = H::new(PoolConfig {
        ack_batch_size: 100,
        ..cfg()
    });
    h.conn(1, 0);
    let ch = h.ext(1, 1);
    h.block();
    let s = h.m.share(ch, 0);
    h.submit(1, &s, 1);
    h.e.close_channel(1, ch, "maintenance", h.now).unwrap();
    let out = h.pump();
    let kinds: Vec<_> = out.iter().map(|(_, m)| m.kind().name()).collect();
    assert_eq!(kinds, ["SubmitShares.Success", "CloseChannel"]);
    assert!(h.e.close_channel(1, ch, "x", h.now).is_err());
    assert!(h.e.close_channel(1, 99, "bad\n", h.now).is_err());
    h.e.reconnect(1, "", 0).unwrap();
    match &h.pump()[..] {
        [(1, Message::Reconnect(r))] => assert_eq!((r.new_host.len(), r.new_port), (0, 0)),
        o => panic!("{o:?}"),
    }
    assert!(h.e.reconnect(7, "x", 1).is_err());
}

#[test]
fn hostile_inputs_do_not_panic() {
    // Hostile miners: NaN hash rates (R6), empty/huge identities, zero targets, garbage
    // shares on every channel type; the engine answers and stays consistent.
    let mut h = H::new(cfg());
    h.conn(1, SETUP_REQUIRES_STANDARD_JOBS);
    for (i, rate) in [f32::NAN, f32::INFINITY, -1.0, 0.0, 1e30]
        .into_iter()
        .enumerate()
    {
        let out = h.send(
            1,
            OpenStandardMiningChannel {
                request_id: i as u32,
                user_identity: Str0255::from_bytes(vec![0xff; 255]),
                nominal_hash_rate: rate,
                max_target: U256::MAX,
            },
        );
        assert!(matches!(
            out[0].1,
            Message::OpenStandardMiningChannelSuccess(_)
        ));
    }
    h.block();
    for ch in h.e.channels_of(1) {
        for job in [0, 1, u32::MAX] {
            h.send(
                1,
                SubmitSharesStandard {
                    channel_id: ch,
                    sequence_number: 0,
                    job_id: job,
                    nonce: 0,
                    ntime: u32::MAX,
                    version: u32::MAX,
                },
            );
            assert!(h.error_code().is_some());
        }
        h.send(
            1,
            UpdateChannel {
                channel_id: ch,
                nominal_hash_rate: f32::NAN,
                maximum_target: U256::MAX,
            },
        );
    }
    h.send(
        1,
        SubmitSharesExtended {
            channel_id: 0,
            sequence_number: 0,
            job_id: 0,
            nonce: 0,
            ntime: 0,
            version: 0,
            extranonce: sv2::codec::B032::new(&[0; 32]).unwrap(),
        },
    );
    assert_eq!(h.error_code().as_deref(), Some("invalid-channel-id"));
    h.e.handle_timeout(u64::MAX);
    h.pump();
}
