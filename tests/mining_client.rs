//! The mining client against scripted upstream messages: one test per rule of CHECKLIST Part C
//! that the downstream side of the Mining Protocol has to honour (each test names its rules).

use bitcoin::hashes::{sha256d, Hash};
use sv2::codec::{Str0255, B032, U256};
use sv2::messages::{
    ChannelEndpointChanged, CloseChannel, Message, MiningSetNewPrevHash, NewExtendedMiningJob,
    NewMiningJob, OpenExtendedMiningChannelError, OpenExtendedMiningChannelSuccess,
    OpenStandardMiningChannelError, OpenStandardMiningChannelSuccess, Reconnect,
    SetCustomMiningJob, SetCustomMiningJobError, SetCustomMiningJobSuccess, SetExtranoncePrefix,
    SetGroupChannel, SetTarget, SetupConnectionSuccess, SubmitSharesError, SubmitSharesSuccess,
    UpdateChannelError,
};
use sv2::mining::client::flags::{
    REQUIRES_EXTENDED_CHANNELS, REQUIRES_FIXED_VERSION, REQUIRES_STANDARD_JOBS,
    REQUIRES_VERSION_ROLLING, REQUIRES_WORK_SELECTION,
};
use sv2::mining::client::{
    ClientConfig, ClientError, ClientEvent, CloseReason, MiningClient, OpenFailure, SubmitError,
    UsageError, Violation, Work,
};
use sv2::mining::BIP320_VERSION_MASK;

const VERSION: u32 = 0x2000_0000;
const MIN_NTIME: u32 = 1_700_000_000;
const NBITS: u32 = 0x207f_ffff; // regtest: every easy share is also a "block"
const NBITS_HARD: u32 = 0x1703_4219;

fn client() -> MiningClient {
    MiningClient::new(ClientConfig::default())
}

fn events(c: &mut MiningClient) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.next_event()).collect()
}

fn outgoing(c: &mut MiningClient) -> Vec<Message> {
    std::iter::from_fn(|| c.next_outgoing()).collect()
}

fn works(evs: &[ClientEvent]) -> Vec<Work> {
    evs.iter()
        .filter_map(|e| match e {
            ClientEvent::NewWork(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

fn violations(evs: &[ClientEvent]) -> Vec<Violation> {
    evs.iter()
        .filter_map(|e| match e {
            ClientEvent::ProtocolError { violation, .. } => Some(violation.clone()),
            _ => None,
        })
        .collect()
}

fn handle(c: &mut MiningClient, m: impl Into<Message>, now: u64) -> Vec<ClientEvent> {
    c.handle_message(m.into(), now).unwrap();
    events(c)
}

fn open_standard(c: &mut MiningClient, channel_id: u32, group: u32, prefix: &[u8], target: U256) {
    let request_id = c
        .open_standard_channel("user.worker", 1e12, U256::MAX)
        .unwrap();
    outgoing(c);
    let evs = handle(
        c,
        OpenStandardMiningChannelSuccess {
            request_id,
            channel_id,
            target,
            extranonce_prefix: B032::new(prefix).unwrap(),
            group_channel_id: group,
        },
        0,
    );
    assert!(
        matches!(evs[..], [ClientEvent::ChannelOpened { .. }]),
        "{evs:?}"
    );
}

fn open_extended(c: &mut MiningClient, channel_id: u32, prefix: &[u8], size: u16, target: U256) {
    let request_id = c
        .open_extended_channel("user.proxy", 1e15, U256::MAX, size)
        .unwrap();
    outgoing(c);
    let evs = handle(
        c,
        OpenExtendedMiningChannelSuccess {
            request_id,
            channel_id,
            target,
            extranonce_size: size,
            extranonce_prefix: B032::new(prefix).unwrap(),
        },
        0,
    );
    assert!(
        matches!(evs[..], [ClientEvent::ChannelOpened { .. }]),
        "{evs:?}"
    );
}

fn std_job(channel_id: u32, job_id: u32, future_job: bool, root: u8) -> NewMiningJob {
    NewMiningJob {
        channel_id,
        job_id,
        future_job,
        version: VERSION,
        merkle_root: U256([root; 32]),
        min_ntime: None,
    }
}

fn ext_job(
    channel_id: u32,
    job_id: u32,
    future_job: bool,
    path_len: usize,
) -> NewExtendedMiningJob {
    NewExtendedMiningJob {
        channel_id,
        job_id,
        future_job,
        version: VERSION,
        version_rolling_allowed: true,
        merkle_path: (0..path_len)
            .map(|i| U256([(i as u8).wrapping_add(1); 32]))
            .collect(),
        coinbase_tx_prefix: vec![0x01, 0x00, 0x00, 0x00, 0x01, 0xaa, 0xbb],
        coinbase_tx_suffix: vec![0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
        min_ntime: None,
    }
}

fn prevhash(channel_id: u32, job_id: u32, prev: u8) -> MiningSetNewPrevHash {
    MiningSetNewPrevHash {
        channel_id,
        job_id,
        prev_hash: U256([prev; 32]),
        min_ntime: MIN_NTIME,
        nbits: NBITS,
    }
}

/// A standard channel 1 mining job 1 on prevhash 0x11 from t = 1000 ms.
fn mining_standard(target: U256) -> MiningClient {
    let mut c = client();
    open_standard(&mut c, 1, 100, &[], target);
    handle(&mut c, std_job(1, 1, true, 0x22), 0);
    let evs = handle(&mut c, prevhash(1, 1, 0x11), 1_000);
    assert_eq!(works(&evs).len(), 1);
    c
}

fn submit(c: &mut MiningClient, job_id: u32, nonce: u32) -> Result<u32, SubmitError> {
    c.submit_standard(1, job_id, nonce, MIN_NTIME, VERSION, 2_000)
        .map(|r| r.sequence_number)
}

// ---------------------------------------------------------------------------------------------
// C.1 / C.3: channels and connection flags

#[test]
fn r56_two_opens_in_flight_are_paired_by_request_id() {
    // R56, R59: several channels of both kinds on one connection, answered out of order.
    let mut c = client();
    let a = c.open_standard_channel("a", 1e12, U256::MAX).unwrap();
    let b = c.open_extended_channel("b", 2e12, U256::MAX, 4).unwrap();
    assert_ne!(a, b);
    let out = outgoing(&mut c);
    assert!(
        matches!(&out[0], Message::OpenStandardMiningChannel(m) if m.request_id == a && m.user_identity == "a")
    );
    assert!(
        matches!(&out[1], Message::OpenExtendedMiningChannel(m) if m.request_id == b && m.min_extranonce_size == 4)
    );
    let evs = handle(
        &mut c,
        OpenExtendedMiningChannelSuccess {
            request_id: b,
            channel_id: 20,
            target: U256::MAX,
            extranonce_size: 8,
            extranonce_prefix: B032::new(&[9; 4]).unwrap(),
        },
        0,
    );
    assert!(
        matches!(&evs[0], ClientEvent::ChannelOpened { request_id, channel_id: 20, extended: true, extranonce_size: 8, .. } if *request_id == b)
    );
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id: a,
            channel_id: 10,
            target: U256::MAX,
            extranonce_prefix: B032::EMPTY,
            group_channel_id: 100,
        },
        0,
    );
    assert!(
        matches!(&evs[0], ClientEvent::ChannelOpened { request_id, channel_id: 10, extended: false, group_channel_id: Some(100), .. } if *request_id == a)
    );
    assert_eq!(c.channels().len(), 2);
    // A second answer to the same request is a protocol error, not a second channel.
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id: a,
            channel_id: 11,
            ..Default::default()
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::UnknownRequest(a)]);
    assert_eq!(c.channels().len(), 2);
}

#[test]
fn r43_no_standard_channel_under_requires_extended_channels() {
    // R37, R43
    let mut c = client();
    c.set_connection_flags(0, REQUIRES_EXTENDED_CHANNELS);
    assert_eq!(
        c.open_standard_channel("a", 1e12, U256::MAX),
        Err(UsageError::ExtendedChannelsRequired)
    );
    assert!(c.open_extended_channel("a", 1e12, U256::MAX, 4).is_ok());
    assert_eq!(outgoing(&mut c).len(), 1);
}

#[test]
fn r61_r88_unusable_extranonce_grants_fail_the_open_and_close_the_channel() {
    // R61, E24, R88, E23
    for (granted, violation) in [
        (
            2u16,
            Violation::ExtranonceSizeTooSmall {
                requested: 4,
                granted: 2,
            },
        ),
        (33, Violation::ExtranonceSizeTooLarge(33)),
    ] {
        let mut c = client();
        let r = c.open_extended_channel("a", 1e12, U256::MAX, 4).unwrap();
        outgoing(&mut c);
        let evs = handle(
            &mut c,
            OpenExtendedMiningChannelSuccess {
                request_id: r,
                channel_id: 5,
                target: U256::MAX,
                extranonce_size: granted,
                extranonce_prefix: B032::EMPTY,
            },
            0,
        );
        assert_eq!(violations(&evs), vec![violation.clone()]);
        assert!(evs.contains(&ClientEvent::ChannelOpenFailed {
            request_id: r,
            reason: OpenFailure::InvalidGrant(violation)
        }));
        assert!(matches!(&outgoing(&mut c)[..], [Message::CloseChannel(m)] if m.channel_id == 5));
        assert!(c.channel(5).is_none());
    }
    // A client never asks for more than B0_32 can carry.
    assert_eq!(
        client().open_extended_channel("a", 1e12, U256::MAX, 33),
        Err(UsageError::ExtranonceSizeTooLarge(33))
    );
}

#[test]
fn r151_open_errors_are_reported_whatever_the_code() {
    // R151, E21: either error id answers either open; the code string changes nothing.
    let mut c = client();
    let a = c.open_standard_channel("a", 1e12, U256::MAX).unwrap();
    let b = c.open_extended_channel("b", 1e12, U256::MAX, 0).unwrap();
    let evs = handle(
        &mut c,
        OpenExtendedMiningChannelError {
            request_id: a,
            error_code: "unknown-user".into(),
        },
        0,
    );
    assert!(
        matches!(&evs[..], [ClientEvent::ChannelOpenFailed { request_id, reason: OpenFailure::Server { error_code } }] if *request_id == a && error_code == "unknown-user")
    );
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelError {
            request_id: b,
            error_code: "x-never-heard-of-it".into(),
        },
        0,
    );
    assert!(
        matches!(&evs[..], [ClientEvent::ChannelOpenFailed { request_id, .. }] if *request_id == b)
    );
    assert_eq!(c.pending_opens(), 0);
}

#[test]
fn r58_initial_target_above_max_target_is_clamped() {
    // R58, R99
    let mut c = client();
    let max = U256([0x0f; 32]);
    let r = c.open_standard_channel("a", 1e12, max).unwrap();
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id: r,
            channel_id: 1,
            target: U256::MAX,
            extranonce_prefix: B032::EMPTY,
            group_channel_id: 9,
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::TargetAboveMax]);
    assert_eq!(c.channel(1).unwrap().target, max);
}

#[test]
fn r54_r68_channel_id_collisions_are_refused() {
    // R54, R68: a new channel on an id in use; a group id equal to a channel id.
    let mut c = client();
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    let r = c.open_standard_channel("b", 1e12, U256::MAX).unwrap();
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id: r,
            channel_id: 100, // the group's id
            group_channel_id: 100,
            ..Default::default()
        },
        0,
    );
    assert!(evs.contains(&ClientEvent::ChannelOpenFailed {
        request_id: r,
        reason: OpenFailure::InvalidGrant(Violation::ChannelIdCollision(100))
    }));
    let evs = handle(
        &mut c,
        SetGroupChannel {
            group_channel_id: 1,
            channel_ids: vec![1],
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::ChannelIdCollision(1)]);
    assert_eq!(c.channel(1).unwrap().group_channel_id, Some(100));
}

// ---------------------------------------------------------------------------------------------
// C.3 / C.4 / C.8: groups, future jobs, prevhash

#[test]
fn r71_r80_group_broadcast_gives_each_channel_its_own_merkle_root() {
    // R60, R69, R71, R80, R81, R101: an extended job and a prevhash sent once to the group.
    let mut c = client();
    open_standard(&mut c, 1, 100, &[0xa1, 0xa2, 0xa3, 0xa4], U256::MAX);
    open_standard(&mut c, 2, 100, &[0xb1, 0xb2, 0xb3, 0xb4], U256::MAX);
    open_standard(&mut c, 3, 200, &[0xc1, 0xc2, 0xc3, 0xc4], U256::MAX);
    // Channel 3 joins group 100 later (R69).
    let evs = handle(
        &mut c,
        SetGroupChannel {
            group_channel_id: 100,
            channel_ids: vec![3],
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::GroupChanged {
            channel_id: 3,
            group_channel_id: 100
        }]
    );
    let job = ext_job(100, 7, true, 3);
    assert!(handle(&mut c, job.clone(), 0).is_empty());
    let evs = handle(&mut c, prevhash(100, 7, 0x33), 1_000);
    let ws = works(&evs);
    assert_eq!(
        ws.iter().map(|w| w.channel_id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for (w, prefix) in ws.iter().zip([
        [0xa1u8, 0xa2, 0xa3, 0xa4],
        [0xb1, 0xb2, 0xb3, 0xb4],
        [0xc1, 0xc2, 0xc3, 0xc4],
    ]) {
        // Independent computation with the bitcoin crate's hashes.
        let coinbase = [
            &job.coinbase_tx_prefix[..],
            &prefix,
            &job.coinbase_tx_suffix,
        ]
        .concat();
        let mut h = sha256d::Hash::hash(&coinbase).to_byte_array();
        for sibling in &job.merkle_path {
            h = sha256d::Hash::hash(&[h, sibling.0].concat()).to_byte_array();
        }
        assert_eq!(w.header.merkle_root(), U256(h));
        assert_eq!(w.header.prev_hash(), U256([0x33; 32]));
        assert!(w.clean && w.extended.is_none() && w.job_id == 7);
        assert_eq!(w.version_mask, BIP320_VERSION_MASK);
        // Header-only shares on each member channel (R94).
        let r = c
            .submit_standard(w.channel_id, 7, 1, MIN_NTIME, VERSION, 1_000)
            .unwrap();
        assert_eq!(r.sequence_number, 0);
    }
    // R101: SetTarget to the group reaches every member.
    let hard = U256([0x01; 32]);
    let evs = handle(
        &mut c,
        SetTarget {
            channel_id: 100,
            maximum_target: hard,
        },
        0,
    );
    assert_eq!(evs.len(), 3);
    assert!(c.channels().iter().all(|ch| ch.target == hard));
}

#[test]
fn r75_r104_future_job_is_activated_by_set_new_prev_hash() {
    // R75, R104, R156
    let mut c = client();
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    assert!(handle(&mut c, std_job(1, 5, true, 0x22), 0).is_empty());
    assert_eq!(
        c.submit_standard(1, 5, 0, MIN_NTIME, VERSION, 0),
        Err(SubmitError::FutureJob(5))
    );
    let evs = handle(&mut c, prevhash(1, 5, 0x11), 1_000);
    let w = &works(&evs)[0];
    assert_eq!((w.channel_id, w.job_id, w.clean), (1, 5, true));
    assert_eq!(w.header.prev_hash(), U256([0x11; 32]));
    assert_eq!(w.header.merkle_root(), U256([0x22; 32]));
    assert_eq!(
        (w.header.ntime(), w.header.nbits(), w.header.version()),
        (MIN_NTIME, NBITS, VERSION)
    );
    assert_eq!((w.min_ntime, w.ntime_base_ms), (MIN_NTIME, 1_000));
    assert_eq!(c.current_work(1).unwrap().job_id, 5);
}

#[test]
fn r76_non_future_job_before_any_prevhash_is_a_protocol_error() {
    // R76, E30: logged, nothing to mine; a later prevhash naming it still activates it.
    let mut c = client();
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    let evs = handle(&mut c, std_job(1, 3, false, 0x22), 0);
    assert_eq!(
        violations(&evs),
        vec![Violation::NonFutureJobWithoutPrevHash(3)]
    );
    assert!(works(&evs).is_empty());
    assert!(c.current_work(1).is_none());
    let evs = handle(&mut c, prevhash(1, 3, 0x11), 1_000);
    assert_eq!(works(&evs)[0].job_id, 3);
}

#[test]
fn r74_non_future_job_uses_the_last_prevhash_and_keeps_earlier_jobs_valid() {
    // R74, R156: a new job on the same prevhash does not make the previous one stale.
    let mut c = mining_standard(U256::MAX);
    let evs = handle(&mut c, std_job(1, 2, false, 0x44), 5_000);
    let w = &works(&evs)[0];
    assert_eq!((w.job_id, w.clean), (2, false));
    assert_eq!(w.header.prev_hash(), U256([0x11; 32]));
    assert_eq!(w.ntime_base_ms, 1_000);
    assert!(submit(&mut c, 1, 1).is_ok());
    assert!(submit(&mut c, 2, 1).is_ok());
}

#[test]
fn r96_sri_2023_non_future_job_carries_its_own_min_ntime() {
    // R96 with the sri-2023 NewMiningJob (min_ntime instead of future_job): the window starts
    // at the later of the prevhash's and the job's min_ntime.
    let mut c = mining_standard(U256::MAX);
    let mut j = std_job(1, 2, false, 0x44);
    j.min_ntime = Some(MIN_NTIME + 5);
    let w = works(&handle(&mut c, j, 10_000)).remove(0);
    assert_eq!(
        (w.min_ntime, w.header.ntime()),
        (MIN_NTIME + 5, MIN_NTIME + 5)
    );
    assert!(matches!(
        c.submit_standard(1, 2, 0, MIN_NTIME, VERSION, 10_000),
        Err(SubmitError::NtimeOutOfRange { .. })
    ));
    assert!(c
        .submit_standard(1, 2, 0, MIN_NTIME + 5, VERSION, 10_000)
        .is_ok());
}

#[test]
fn expected_share_rate_follows_hash_rate_and_target() {
    // 4.3.7: what UpdateChannel's nominal_hash_rate and SetTarget imply.
    let mut c = client();
    open_standard(&mut c, 1, 100, &[], sv2::mining::DIFFICULTY_1_TARGET);
    let rate = c.channel(1).unwrap().expected_shares_per_second();
    // 1 TH/s at difficulty 1: about 1e12 / 2^32 shares per second.
    assert!(
        (rate / (1e12 / 4_294_967_296.0) - 1.0).abs() < 1e-3,
        "{rate}"
    );
}

#[test]
fn r106_prevhash_naming_an_unknown_job_invalidates_everything() {
    // R106, E32, R105
    let mut c = mining_standard(U256::MAX);
    handle(&mut c, std_job(1, 2, true, 0x44), 0);
    let evs = handle(&mut c, prevhash(1, 99, 0x55), 3_000);
    assert_eq!(violations(&evs), vec![Violation::UnknownJob(99)]);
    assert!(evs.contains(&ClientEvent::WorkInvalidated { channel_id: 1 }));
    assert!(works(&evs).is_empty());
    assert_eq!(submit(&mut c, 1, 1), Err(SubmitError::StaleJob(1)));
    assert!(c.current_work(1).is_none());
    // The next non-future job is mined on the new prevhash.
    let evs = handle(&mut c, std_job(1, 3, false, 0x66), 4_000);
    assert_eq!(works(&evs)[0].header.prev_hash(), U256([0x55; 32]));
}

#[test]
fn r105_late_share_for_a_job_one_prevhash_back_is_refused_locally() {
    // R105, R156: stale, and nothing goes upstream.
    let mut c = mining_standard(U256::MAX);
    handle(&mut c, std_job(1, 2, true, 0x44), 0);
    handle(&mut c, std_job(1, 3, true, 0x45), 0);
    let evs = handle(&mut c, prevhash(1, 2, 0x77), 5_000);
    assert_eq!(works(&evs)[0].job_id, 2);
    assert_eq!(submit(&mut c, 1, 1), Err(SubmitError::StaleJob(1)));
    // The other queued future job is stale too (R105).
    assert_eq!(submit(&mut c, 3, 1), Err(SubmitError::StaleJob(3)));
    assert!(outgoing(&mut c).is_empty());
    assert!(c
        .submit_standard(1, 2, 1, MIN_NTIME, VERSION, 5_000)
        .is_ok());
}

#[test]
fn r77_reused_job_id_replaces_the_job_with_a_protocol_error() {
    // R77, E31
    let mut c = mining_standard(U256::MAX);
    let evs = handle(&mut c, std_job(1, 1, false, 0x99), 2_000);
    assert_eq!(violations(&evs), vec![Violation::DuplicateJobId(1)]);
    assert_eq!(works(&evs)[0].header.merkle_root(), U256([0x99; 32]));
    assert_eq!(c.channel(1).unwrap().jobs, 1);
}

#[test]
fn r73_job_messages_on_the_wrong_channel_kind() {
    // R73: NewMiningJob to an extended channel or to a group.
    let mut c = client();
    open_extended(&mut c, 2, &[], 4, U256::MAX);
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    let evs = handle(&mut c, std_job(2, 1, true, 0), 0);
    assert_eq!(violations(&evs), vec![Violation::WrongChannelKind(2)]);
    let evs = handle(&mut c, std_job(100, 1, true, 0), 0);
    assert_eq!(violations(&evs), vec![Violation::WrongChannelKind(100)]);
    assert_eq!(c.channel(2).unwrap().jobs + c.channel(1).unwrap().jobs, 0);
}

#[test]
fn r44_group_job_on_a_standard_jobs_connection_is_logged_but_derived() {
    // R44, R70, R79, E28, E38
    let mut c = client();
    c.set_connection_flags(REQUIRES_STANDARD_JOBS, 0);
    open_standard(&mut c, 1, 100, &[1], U256::MAX);
    let evs = handle(&mut c, ext_job(100, 1, false, 1), 0);
    assert_eq!(
        violations(&evs),
        vec![
            Violation::GroupOnStandardJobsConnection,
            Violation::NonFutureJobWithoutPrevHash(1)
        ]
    );
    assert_eq!(c.channel(1).unwrap().jobs, 1);
}

// ---------------------------------------------------------------------------------------------
// C.6: shares

#[test]
fn r89_sequence_numbers_are_per_channel_and_increasing() {
    // R89
    let mut c = mining_standard(U256::MAX);
    open_standard(&mut c, 2, 100, &[], U256::MAX);
    handle(&mut c, std_job(2, 1, true, 0x22), 0);
    handle(&mut c, prevhash(2, 1, 0x11), 1_000);
    assert_eq!(submit(&mut c, 1, 1), Ok(0));
    assert_eq!(submit(&mut c, 1, 2), Ok(1));
    let r = c
        .submit_standard(2, 1, 1, MIN_NTIME, VERSION, 1_000)
        .unwrap();
    assert_eq!(r.sequence_number, 0);
    assert_eq!(submit(&mut c, 1, 3), Ok(2));
    let seqs: Vec<(u32, u32)> = outgoing(&mut c)
        .iter()
        .map(|m| match m {
            Message::SubmitSharesStandard(s) => (s.channel_id, s.sequence_number),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(seqs, vec![(1, 0), (1, 1), (2, 0), (1, 2)]);
}

#[test]
fn r90_r92_one_batched_success_resolves_ten_pending_shares() {
    // R90, R92
    let mut c = mining_standard(U256::MAX);
    for n in 0..10 {
        c.submit_standard(1, 1, n, MIN_NTIME, VERSION, 2_000 + u64::from(n))
            .unwrap();
    }
    assert_eq!(c.pending_shares(1), 10);
    let evs = handle(
        &mut c,
        SubmitSharesSuccess {
            channel_id: 1,
            last_sequence_number: 9,
            new_submits_accepted_count: 10,
            new_shares_sum: 10,
        },
        2_100,
    );
    let accepted: Vec<(u32, u64)> = evs
        .iter()
        .filter_map(|e| match e {
            ClientEvent::ShareAccepted {
                sequence_number,
                latency_ms,
                job_id: 1,
                channel_id: 1,
            } => Some((*sequence_number, *latency_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(
        accepted,
        (0..10).map(|n| (n, 100 - u64::from(n))).collect::<Vec<_>>()
    );
    assert!(matches!(
        evs.last(),
        Some(ClientEvent::SharesAcknowledged {
            last_sequence_number: 9,
            new_submits_accepted_count: 10,
            resolved: 10,
            ..
        })
    ));
    assert_eq!(c.pending_shares(1), 0);
}

#[test]
fn r91_an_error_in_the_middle_of_a_batch_rejects_only_that_share() {
    // R91, R92: shares 0..5, Error for 2, then Success up to 4.
    let mut c = mining_standard(U256::MAX);
    for n in 0..5 {
        submit(&mut c, 1, n).unwrap();
    }
    let evs = handle(
        &mut c,
        SubmitSharesError {
            channel_id: 1,
            sequence_number: 2,
            error_code: "stale-share".into(),
        },
        2_050,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::ShareRejected {
            channel_id: 1,
            sequence_number: 2,
            job_id: 1,
            error_code: "stale-share".into(),
            latency_ms: 50
        }]
    );
    assert_eq!(c.pending_shares(1), 4);
    // A partial batch first: up to 1.
    let evs = handle(
        &mut c,
        SubmitSharesSuccess {
            channel_id: 1,
            last_sequence_number: 1,
            new_submits_accepted_count: 2,
            new_shares_sum: 2,
        },
        2_060,
    );
    assert_eq!(evs.len(), 3);
    assert_eq!(c.pending_shares(1), 2);
    let evs = handle(
        &mut c,
        SubmitSharesSuccess {
            channel_id: 1,
            last_sequence_number: 4,
            new_submits_accepted_count: 2,
            new_shares_sum: 2,
        },
        2_070,
    );
    let accepted: Vec<u32> = evs
        .iter()
        .filter_map(|e| match e {
            ClientEvent::ShareAccepted {
                sequence_number, ..
            } => Some(*sequence_number),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, vec![3, 4]);
    assert_eq!(c.pending_shares(1), 0);
    // An Error for a sequence number already resolved, or a Success ahead of what was sent.
    let evs = handle(
        &mut c,
        SubmitSharesError {
            channel_id: 1,
            sequence_number: 3,
            error_code: "late".into(),
        },
        2_080,
    );
    assert_eq!(violations(&evs), vec![Violation::UnknownSequence(3)]);
    let evs = handle(
        &mut c,
        SubmitSharesSuccess {
            channel_id: 1,
            last_sequence_number: 50,
            ..Default::default()
        },
        2_090,
    );
    assert_eq!(violations(&evs), vec![Violation::SequenceAhead(50)]);
}

#[test]
fn r151_behaviour_does_not_depend_on_the_error_code() {
    // R151: an unknown code string causes the same transitions as a known one.
    let run = |code: &str| {
        let mut c = mining_standard(U256::MAX);
        submit(&mut c, 1, 1).unwrap();
        submit(&mut c, 1, 2).unwrap();
        let evs = handle(
            &mut c,
            SubmitSharesError {
                channel_id: 1,
                sequence_number: 0,
                error_code: Str0255::from(code),
            },
            3_000,
        );
        let kinds: Vec<String> = evs
            .iter()
            .map(|e| {
                format!("{e:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        (kinds, c.pending_shares(1), submit(&mut c, 1, 3))
    };
    assert_eq!(run("stale-share"), run("something-nobody-defined"));
    assert_eq!(run("difficulty-too-low"), run(""));
}

#[test]
fn r98_a_hash_above_the_target_is_not_sent() {
    // R98: reported as BelowTarget, no sequence number consumed.
    let mut c = mining_standard(U256::ZERO);
    assert!(matches!(
        c.submit_standard(1, 1, 7, MIN_NTIME, VERSION, 2_000),
        Err(SubmitError::BelowTarget {
            target: U256::ZERO,
            ..
        })
    ));
    assert!(outgoing(&mut c).is_empty());
    assert_eq!(c.pending_shares(1), 0);
    assert_eq!(c.channel(1).unwrap().next_sequence_number, 0);
}

#[test]
fn r93g_duplicate_shares_are_refused_locally() {
    // R93(g)
    let mut c = mining_standard(U256::MAX);
    assert_eq!(submit(&mut c, 1, 42), Ok(0));
    assert_eq!(submit(&mut c, 1, 42), Err(SubmitError::Duplicate));
    assert_eq!(submit(&mut c, 1, 43), Ok(1));
    assert_eq!(outgoing(&mut c).len(), 2);
}

#[test]
fn r96_ntime_window_grows_one_second_per_second() {
    // R96, R146, E22: prevhash at t = 1000 ms.
    let mut c = mining_standard(U256::MAX);
    let at = |c: &mut MiningClient, ntime: u32, now: u64| {
        c.submit_standard(1, 1, ntime, ntime, VERSION, now)
    };
    assert!(matches!(
        at(&mut c, MIN_NTIME - 1, 1_000),
        Err(SubmitError::NtimeOutOfRange {
            min: MIN_NTIME,
            max: MIN_NTIME,
            ..
        })
    ));
    assert!(at(&mut c, MIN_NTIME, 1_000).is_ok());
    assert!(matches!(
        at(&mut c, MIN_NTIME + 1, 1_999),
        Err(SubmitError::NtimeOutOfRange { .. })
    ));
    assert!(at(&mut c, MIN_NTIME + 1, 2_000).is_ok());
    assert!(at(&mut c, MIN_NTIME + 60, 61_000).is_ok());
    let w = c.current_work(1).unwrap();
    assert_eq!(w.max_ntime(61_000), MIN_NTIME + 60);
}

#[test]
fn r94_r95_submit_kind_and_extranonce_size() {
    // R94, R95
    let mut c = client();
    open_extended(&mut c, 2, &[1, 2], 4, U256::MAX);
    handle(&mut c, ext_job(2, 1, true, 2), 0);
    handle(&mut c, prevhash(2, 1, 0x11), 0);
    assert_eq!(
        c.submit_standard(2, 1, 0, MIN_NTIME, VERSION, 0),
        Err(SubmitError::WrongChannelKind(2))
    );
    assert_eq!(
        c.submit_extended(2, 1, &[1, 2, 3], 0, MIN_NTIME, VERSION, 0),
        Err(SubmitError::ExtranonceLength {
            expected: 4,
            got: 3
        })
    );
    let r = c
        .submit_extended(2, 1, &[1, 2, 3, 4], 0, MIN_NTIME, VERSION, 0)
        .unwrap();
    // R97: is_block says whether the hash also meets the nBits target.
    assert_eq!(
        r.is_block,
        r.hash <= sv2::mining::nbits_to_target(NBITS).unwrap()
    );
    match &outgoing(&mut c)[..] {
        [Message::SubmitSharesExtended(s)] => {
            assert_eq!(s.extranonce.as_slice(), &[1, 2, 3, 4]);
            assert_eq!((s.channel_id, s.sequence_number, s.job_id), (2, 0, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.submit_extended(9, 1, &[1, 2, 3, 4], 0, MIN_NTIME, VERSION, 0),
        Err(SubmitError::UnknownChannel(9))
    );
    assert_eq!(
        c.submit_extended(2, 77, &[1, 2, 3, 4], 0, MIN_NTIME, VERSION, 0),
        Err(SubmitError::UnknownJob(77))
    );
}

// ---------------------------------------------------------------------------------------------
// C.7: targets

#[test]
fn r100_set_target_reaches_future_jobs_and_later_jobs_but_not_earlier_non_future_jobs() {
    // R100: job 1 (future, active), job 2 (non-future), job 3 (future, queued); then a harder
    // target; then job 4.
    let mut c = mining_standard(U256::MAX);
    handle(&mut c, std_job(1, 2, false, 0x44), 1_000);
    handle(&mut c, std_job(1, 3, true, 0x45), 1_000);
    let evs = handle(
        &mut c,
        SetTarget {
            channel_id: 1,
            maximum_target: U256::ZERO,
        },
        1_500,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::TargetChanged {
            channel_id: 1,
            target: U256::ZERO,
            // The newest active job (2) arrived non-future: it keeps its target.
            active_work_updated: false
        }]
    );
    // Job 2 keeps the old target: a share meeting only the old one is still a share.
    assert!(submit(&mut c, 2, 1).is_ok());
    // Job 1 arrived as a future job: it follows SetTarget.
    assert!(matches!(
        submit(&mut c, 1, 1),
        Err(SubmitError::BelowTarget { .. })
    ));
    let evs = handle(&mut c, std_job(1, 4, false, 0x46), 1_600);
    assert_eq!(works(&evs)[0].target, U256::ZERO);
    let evs = handle(&mut c, prevhash(1, 3, 0x12), 2_000);
    assert_eq!(works(&evs)[0].target, U256::ZERO);
}

#[test]
fn r63_update_channel_and_its_error() {
    // R62, R63, R64: UpdateChannel goes out; a later SetTarget above the new max is clamped.
    let mut c = mining_standard(U256::MAX);
    let max = U256([0x3f; 32]);
    c.update_channel(1, 5e12, max).unwrap();
    assert!(
        matches!(&outgoing(&mut c)[..], [Message::UpdateChannel(u)] if u.channel_id == 1 && u.maximum_target == max && u.nominal_hash_rate == 5e12)
    );
    assert_eq!(
        c.update_channel(1, f32::NAN, max),
        Err(UsageError::InvalidHashRate)
    );
    assert_eq!(
        c.update_channel(8, 1.0, max),
        Err(UsageError::UnknownChannel(8))
    );
    let evs = handle(
        &mut c,
        SetTarget {
            channel_id: 1,
            maximum_target: U256::MAX,
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::TargetAboveMax]);
    assert_eq!(c.channel(1).unwrap().target, max);
    let evs = handle(
        &mut c,
        UpdateChannelError {
            channel_id: 1,
            error_code: "max-target-out-of-range".into(),
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::UpdateChannelFailed {
            channel_id: 1,
            error_code: "max-target-out-of-range".into()
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// C.13: version rolling

#[test]
fn r148_r149_standard_channels_roll_bip320_bits_only() {
    // R148, R149
    let mut c = mining_standard(U256::MAX);
    assert_eq!(c.current_work(1).unwrap().version_mask, BIP320_VERSION_MASK);
    assert!(c
        .submit_standard(1, 1, 1, MIN_NTIME, VERSION | 0x1fff_e000, 2_000)
        .is_ok());
    assert_eq!(
        c.submit_standard(1, 1, 1, MIN_NTIME, VERSION | 1, 2_000),
        Err(SubmitError::VersionNotAllowed {
            version: VERSION | 1,
            job_version: VERSION
        })
    );
}

#[test]
fn r42_no_version_rolling_under_requires_fixed_version() {
    // R42, R148
    let mut c = client();
    c.set_connection_flags(0, REQUIRES_FIXED_VERSION);
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    open_extended(&mut c, 2, &[], 4, U256::MAX);
    handle(&mut c, std_job(1, 1, true, 0x22), 0);
    let w = works(&handle(&mut c, prevhash(1, 1, 0x11), 0)).remove(0);
    assert_eq!(w.version_mask, 0);
    assert!(w.rolled_midstates::<4>().is_none());
    assert!(matches!(
        c.submit_standard(1, 1, 1, MIN_NTIME, VERSION | 0x2000, 0),
        Err(SubmitError::VersionNotAllowed { .. })
    ));
    assert!(c.submit_standard(1, 1, 1, MIN_NTIME, VERSION, 0).is_ok());
    // An extended job that claims rolling anyway: logged, and rolling stays off.
    let evs = handle(&mut c, ext_job(2, 1, true, 0), 0);
    assert_eq!(
        violations(&evs),
        vec![Violation::RollingAllowedUnderFixedVersion(1)]
    );
    let w = works(&handle(&mut c, prevhash(2, 1, 0x11), 0)).remove(0);
    assert_eq!(w.version_mask, 0);
    assert!(matches!(
        c.submit_extended(2, 1, &[0; 4], 1, MIN_NTIME, VERSION | 0x2000, 0),
        Err(SubmitError::VersionNotAllowed { .. })
    ));
}

#[test]
fn r41_r148_extended_job_without_rolling() {
    // R41 (client required rolling), R148: version_rolling_allowed = false → version as given.
    let mut c = client();
    c.set_connection_flags(REQUIRES_VERSION_ROLLING, 0);
    open_extended(&mut c, 2, &[], 4, U256::MAX);
    let mut job = ext_job(2, 1, true, 0);
    job.version_rolling_allowed = false;
    let evs = handle(&mut c, job, 0);
    assert_eq!(
        violations(&evs),
        vec![Violation::RollingRequiredButForbidden(1)]
    );
    handle(&mut c, prevhash(2, 1, 0x11), 0);
    assert_eq!(c.current_work(2).unwrap().version_mask, 0);
    assert!(matches!(
        c.submit_extended(2, 1, &[0; 4], 1, MIN_NTIME, VERSION | 0x4000, 0),
        Err(SubmitError::VersionNotAllowed { .. })
    ));
    // And the server may not answer REQUIRES_VERSION_ROLLING with REQUIRES_FIXED_VERSION.
    let mut c = client();
    c.set_connection_flags(REQUIRES_VERSION_ROLLING, REQUIRES_FIXED_VERSION);
    assert_eq!(
        violations(&events(&mut c)),
        vec![Violation::FixedVersionDespiteRollingRequired]
    );
}

// ---------------------------------------------------------------------------------------------
// C.5 / C.3: extranonce prefix and channel end of life

#[test]
fn r86_set_extranonce_prefix_applies_to_jobs_after_it() {
    // R86: job 1 keeps the old prefix, job 2 takes the new one; shares validate with each.
    let mut c = client();
    open_extended(&mut c, 2, &[0xaa, 0xaa], 4, U256::MAX);
    handle(&mut c, ext_job(2, 1, true, 2), 0);
    let w1 = works(&handle(&mut c, prevhash(2, 1, 0x11), 0)).remove(0);
    let evs = handle(
        &mut c,
        SetExtranoncePrefix {
            channel_id: 2,
            extranonce_prefix: B032::new(&[0xbb, 0xbb]).unwrap(),
        },
        0,
    );
    assert!(matches!(
        &evs[..],
        [ClientEvent::ExtranoncePrefixChanged {
            channel_id: 2,
            extranonce_size: 4,
            ..
        }]
    ));
    let w2 = works(&handle(&mut c, ext_job(2, 2, false, 2), 0)).remove(0);
    assert_eq!(
        w1.extended.as_ref().unwrap().extranonce_prefix.as_slice(),
        &[0xaa, 0xaa]
    );
    assert_eq!(
        w2.extended.as_ref().unwrap().extranonce_prefix.as_slice(),
        &[0xbb, 0xbb]
    );
    let en = [1, 2, 3, 4];
    assert_ne!(
        w1.merkle_root_for(&en).unwrap(),
        w2.merkle_root_for(&en).unwrap()
    );
    for (job, w) in [(1, &w1), (2, &w2)] {
        let r = c
            .submit_extended(2, job, &en, 5, MIN_NTIME, VERSION, 0)
            .unwrap();
        assert_eq!(
            r.hash,
            w.header_with(&en, 5, MIN_NTIME, VERSION).unwrap().hash()
        );
    }
}

#[test]
fn r87_prefix_length_change_keeps_the_total_extranonce_length() {
    // R87, E33: 2 + 4 bytes; a 3-byte prefix leaves 3 for the miner; 7 bytes cannot fit.
    let mut c = client();
    open_extended(&mut c, 2, &[0xaa, 0xaa], 4, U256::MAX);
    let evs = handle(
        &mut c,
        SetExtranoncePrefix {
            channel_id: 2,
            extranonce_prefix: B032::new(&[1, 2, 3]).unwrap(),
        },
        0,
    );
    assert!(matches!(
        &evs[..],
        [ClientEvent::ExtranoncePrefixChanged {
            extranonce_size: 3,
            ..
        }]
    ));
    let evs = handle(
        &mut c,
        SetExtranoncePrefix {
            channel_id: 2,
            extranonce_prefix: B032::new(&[0; 7]).unwrap(),
        },
        0,
    );
    assert_eq!(
        violations(&evs),
        vec![Violation::ExtranoncePrefixLength {
            total: 6,
            prefix_len: 7
        }]
    );
    assert_eq!(c.channel(2).unwrap().extranonce_size, 3);
    // Never to a group (R86).
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    let evs = handle(
        &mut c,
        SetExtranoncePrefix {
            channel_id: 100,
            extranonce_prefix: B032::EMPTY,
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::PrefixForGroup(100)]);
}

#[test]
fn r65_e36_close_channel_from_the_server() {
    // R65, E36: the channel is gone; shares refused; messages still in flight are dropped
    // quietly.
    let mut c = mining_standard(U256::MAX);
    submit(&mut c, 1, 1).unwrap();
    let evs = handle(
        &mut c,
        CloseChannel {
            channel_id: 1,
            reason_code: "maintenance".into(),
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::ChannelClosed {
            channel_id: 1,
            reason: CloseReason::Server {
                reason_code: "maintenance".into()
            },
            pending_dropped: 1
        }]
    );
    assert_eq!(submit(&mut c, 1, 2), Err(SubmitError::UnknownChannel(1)));
    assert!(handle(&mut c, std_job(1, 9, false, 0), 0).is_empty());
    assert!(handle(
        &mut c,
        SubmitSharesSuccess {
            channel_id: 1,
            last_sequence_number: 0,
            ..Default::default()
        },
        0
    )
    .is_empty());
    assert_eq!(c.pending_shares(1), 0);
}

#[test]
fn r65_close_channel_from_the_client() {
    // R65
    let mut c = mining_standard(U256::MAX);
    outgoing(&mut c);
    c.close_channel(1, "shutdown").unwrap();
    assert!(
        matches!(&outgoing(&mut c)[..], [Message::CloseChannel(m)] if m.channel_id == 1 && m.reason_code == "shutdown")
    );
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::ChannelClosed {
            reason: CloseReason::Local,
            ..
        }]
    ));
    assert_eq!(c.close_channel(1, ""), Err(UsageError::UnknownChannel(1)));
}

#[test]
fn r116_r117_reconnect_and_connection_closed() {
    // R116, R117
    let mut c = mining_standard(U256::MAX);
    let evs = handle(
        &mut c,
        Reconnect {
            new_host: "".into(),
            new_port: 0,
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::Reconnect {
            host: None,
            port: None
        }]
    );
    let evs = handle(
        &mut c,
        Reconnect {
            new_host: "pool2.example.com".into(),
            new_port: 3336,
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::Reconnect {
            host: Some("pool2.example.com".into()),
            port: Some(3336)
        }]
    );
    let pending = c.open_standard_channel("x", 0.0, U256::MAX).unwrap();
    c.connection_closed();
    let evs = events(&mut c);
    assert!(evs.contains(&ClientEvent::ChannelClosed {
        channel_id: 1,
        reason: CloseReason::ConnectionClosed,
        pending_dropped: 0
    }));
    assert!(evs.contains(&ClientEvent::ChannelOpenFailed {
        request_id: pending,
        reason: OpenFailure::ConnectionClosed
    }));
    assert!(c.channels().is_empty() && c.next_outgoing().is_none());
}

#[test]
fn r53_channel_endpoint_changed() {
    // R53
    let mut c = mining_standard(U256::MAX);
    let evs = handle(&mut c, ChannelEndpointChanged { channel_id: 1 }, 0);
    assert_eq!(evs, vec![ClientEvent::EndpointChanged { channel_id: 1 }]);
    let evs = handle(&mut c, ChannelEndpointChanged { channel_id: 5 }, 0);
    assert_eq!(violations(&evs), vec![Violation::UnknownChannel(5)]);
}

// ---------------------------------------------------------------------------------------------
// C.9: custom jobs

fn custom(channel_id: u32) -> SetCustomMiningJob {
    SetCustomMiningJob {
        channel_id,
        request_id: 0,
        mining_job_token: vec![1, 2, 3],
        version: VERSION,
        prev_hash: U256([0x5a; 32]),
        min_ntime: MIN_NTIME,
        nbits: NBITS_HARD,
        coinbase_tx_version: 2,
        coinbase_prefix: vec![0x03, 0x01, 0x02, 0x03],
        coinbase_tx_input_n_sequence: u32::MAX,
        coinbase_tx_value_remaining: 312_500_000,
        coinbase_tx_outputs: vec![],
        coinbase_tx_locktime: 0,
        merkle_path: vec![U256([7; 32])],
        extranonce_size: 99,
        future_job: true,
    }
}

#[test]
fn r45_r108_custom_jobs_need_work_selection_and_an_extended_channel() {
    // R45, R108, R109, R113
    let mut c = client();
    open_extended(&mut c, 2, &[1], 4, U256::MAX);
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    assert_eq!(
        c.set_custom_job(custom(2)),
        Err(UsageError::WorkSelectionNotNegotiated)
    );
    c.set_connection_flags(REQUIRES_WORK_SELECTION, 0);
    assert_eq!(c.set_custom_job(custom(1)), Err(UsageError::NotExtended(1)));
    let mut long = custom(2);
    long.coinbase_prefix = vec![0; 9];
    assert_eq!(
        c.set_custom_job(long),
        Err(UsageError::CustomJobField("coinbase_prefix"))
    );
    assert!(outgoing(&mut c).is_empty());
}

#[test]
fn r111_r112_custom_job_success_gives_work_and_error_is_reported() {
    // R111, R112, R114, E34, R157
    let mut c = client();
    c.set_connection_flags(REQUIRES_WORK_SELECTION, 0);
    open_extended(&mut c, 2, &[1], 4, U256::MAX);
    let r = c.set_custom_job(custom(2)).unwrap();
    match &outgoing(&mut c)[..] {
        [Message::SetCustomMiningJob(m)] => {
            assert_eq!(
                (m.request_id, m.extranonce_size, m.future_job),
                (r, 4, false)
            );
        }
        other => panic!("{other:?}"),
    }
    let evs = handle(
        &mut c,
        SetCustomMiningJobSuccess {
            channel_id: 2,
            request_id: r,
            job_id: 40,
            coinbase_tx_prefix: vec![0xc0; 10],
            coinbase_tx_suffix: vec![0xc1; 10],
        },
        500,
    );
    assert_eq!(
        evs[0],
        ClientEvent::CustomJobAccepted {
            channel_id: 2,
            request_id: r,
            job_id: 40
        }
    );
    let w = works(&evs).remove(0);
    assert_eq!(w.header.prev_hash(), U256([0x5a; 32]));
    assert_eq!(w.header.nbits(), NBITS_HARD);
    assert_eq!(
        w.coinbase(&[9; 4]).unwrap(),
        [&[0xc0; 10][..], &[1], &[9; 4], &[0xc1; 10]].concat()
    );
    let rc = c
        .submit_extended(2, 40, &[9; 4], 0, MIN_NTIME, VERSION, 500)
        .unwrap();
    assert!(!rc.is_block);
    // A rejected one.
    let r2 = c.set_custom_job(custom(2)).unwrap();
    let evs = handle(
        &mut c,
        SetCustomMiningJobError {
            channel_id: 2,
            request_id: r2,
            error_code: "invalid-mining-job-token".into(),
        },
        0,
    );
    assert_eq!(
        evs,
        vec![ClientEvent::CustomJobRejected {
            channel_id: 2,
            request_id: r2,
            error_code: "invalid-mining-job-token".into()
        }]
    );
    let evs = handle(
        &mut c,
        SetCustomMiningJobError {
            channel_id: 2,
            request_id: r2,
            error_code: "again".into(),
        },
        0,
    );
    assert_eq!(violations(&evs), vec![Violation::UnknownRequest(r2)]);
}

// ---------------------------------------------------------------------------------------------
// R35 / R72 and hostile upstreams

#[test]
fn r35_messages_that_are_not_for_the_client_are_returned() {
    // R35
    let mut c = client();
    let m: Message = SetupConnectionSuccess::default().into();
    assert_eq!(
        c.handle_message(m, 0),
        Err(ClientError::NotForClient(
            sv2::messages::MessageKind::SetupConnectionSuccess
        ))
    );
    assert!(c.next_event().is_none());
}

#[test]
fn r72_unknown_channel_ids_are_logged_and_ignored() {
    // R72
    let mut c = mining_standard(U256::MAX);
    let msgs: Vec<Message> = vec![
        std_job(77, 1, false, 0).into(),
        ext_job(77, 1, false, 1).into(),
        prevhash(77, 1, 0).into(),
        SetTarget {
            channel_id: 77,
            maximum_target: U256::ZERO,
        }
        .into(),
        SubmitSharesSuccess {
            channel_id: 77,
            ..Default::default()
        }
        .into(),
        SubmitSharesError {
            channel_id: 77,
            ..Default::default()
        }
        .into(),
        CloseChannel {
            channel_id: 77,
            ..Default::default()
        }
        .into(),
        SetExtranoncePrefix {
            channel_id: 77,
            ..Default::default()
        }
        .into(),
        UpdateChannelError {
            channel_id: 77,
            ..Default::default()
        }
        .into(),
    ];
    for m in msgs {
        let evs = handle(&mut c, m, 0);
        assert_eq!(violations(&evs), vec![Violation::UnknownChannel(77)]);
    }
    let evs = handle(
        &mut c,
        SetGroupChannel {
            group_channel_id: 300,
            channel_ids: (0..65_535).collect(),
        },
        0,
    );
    // Channel 1 moves, the 65 534 others are counted in one error.
    assert_eq!(
        violations(&evs),
        vec![Violation::NotStandardChannels(65_534)]
    );
    assert_eq!(c.channels().len(), 1);
    assert!(c.current_work(1).is_some());
}

#[test]
fn hostile_upstream_keeps_memory_bounded() {
    // R72, R77 and the caps of ClientConfig: many jobs, huge merkle paths, huge coinbases, a
    // flood of errors, a silent server.
    let config = ClientConfig {
        max_queued_events: 100,
        max_pending_shares: 16,
        ..ClientConfig::default()
    };
    let max_jobs = config.max_jobs_per_channel;
    let max_bytes = config.max_job_bytes_per_channel;
    let mut c = MiningClient::new(config);
    open_extended(&mut c, 2, &[], 4, U256::MAX);
    // Many jobs.
    for id in 0..10_000 {
        handle(&mut c, ext_job(2, id, id % 2 == 0, 4), 0);
        if id % 100 == 0 {
            handle(&mut c, prevhash(2, id, id as u8), 0);
        }
    }
    let info = c.channel(2).unwrap();
    assert!(info.jobs <= max_jobs, "{info:?}");
    // The newest active job survives eviction.
    assert!(c.current_work(2).is_some());
    // A huge merkle path (more than SEQ0_255 could carry) is refused before any hashing.
    let evs = handle(&mut c, ext_job(2, 20_000, false, 100_000), 0);
    assert_eq!(violations(&evs), vec![Violation::JobTooLarge(20_000)]);
    // Coinbases near the B0_64K limit: the byte budget holds.
    for id in 0..64 {
        let mut j = ext_job(2, 30_000 + id, true, 255);
        j.coinbase_tx_prefix = vec![0; 65_535];
        j.coinbase_tx_suffix = vec![0; 65_535];
        handle(&mut c, j, 0);
    }
    assert!(c.channel(2).unwrap().job_bytes <= max_bytes);
    // One job bigger than the whole budget is refused.
    let mut c2 = MiningClient::new(ClientConfig {
        max_job_bytes_per_channel: 1_000,
        ..ClientConfig::default()
    });
    open_extended(&mut c2, 2, &[], 4, U256::MAX);
    let evs = handle(&mut c2, ext_job(2, 1, true, 40), 0);
    assert_eq!(violations(&evs), vec![Violation::JobTooLarge(1)]);
    // A flood of bad messages while the caller does not drain events.
    for _ in 0..10_000 {
        c.handle_message(prevhash(12345, 1, 0).into(), 0).unwrap();
    }
    assert!(c.dropped_protocol_errors() >= 9_900);
    events(&mut c);
    // A server that never answers shares: the oldest ones expire.
    handle(&mut c, ext_job(2, 50_000, false, 0), 0);
    for n in 0..40 {
        c.submit_extended(2, 50_000, &[0; 4], n, MIN_NTIME, VERSION, 0)
            .unwrap();
    }
    assert_eq!(c.pending_shares(2), 16);
    let expired = events(&mut c)
        .iter()
        .filter(|e| matches!(e, ClientEvent::ShareExpired { .. }))
        .count();
    assert_eq!(expired, 24);
    // Unanswered opens count against the channel limit.
    let mut c3 = MiningClient::new(ClientConfig {
        max_channels: 3,
        ..ClientConfig::default()
    });
    for _ in 0..3 {
        c3.open_standard_channel("a", 0.0, U256::MAX).unwrap();
    }
    assert_eq!(
        c3.open_standard_channel("a", 0.0, U256::MAX),
        Err(UsageError::TooManyChannels(3))
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 13: the quirks of deployed dialects (messages/dialects.json) are followed, not reported

fn client_of(dialect: &'static sv2::messages::Dialect) -> MiningClient {
    let mut c = client();
    c.set_dialect(dialect);
    c
}

/// Decodes one frame in `dialect` as the session would and hands it to the client.
fn replay(c: &mut MiningClient, bytes: &[u8], now: u64) -> Vec<ClientEvent> {
    let (frame, used) = sv2::messages::decode_frame(c.dialect(), bytes).unwrap();
    assert_eq!(used, bytes.len());
    match frame {
        sv2::messages::Frame::Message(m) => handle(c, m, now),
        other => panic!("{other:?}"),
    }
}

/// SRI 2023's first NewExtendedMiningJob after OpenExtendedMiningChannel.Success: channel_id
/// 0, job 1, future (min_ntime absent), a 108-byte payload, as captured in issue 13.
fn sri_first_job_frame() -> Vec<u8> {
    let mut job = ext_job(0, 1, true, 0);
    job.coinbase_tx_prefix = vec![0x02; 45];
    job.coinbase_tx_suffix = vec![0x03; 44];
    let mut bytes = Vec::new();
    Message::from(job)
        .encode_frame(&sv2::messages::SRI_2023, &mut bytes)
        .unwrap();
    let captured = [
        0x00, 0x80, 0x1f, 0x6c, 0x00, 0x00, // header: channel_msg, 0x1f, 108 bytes
        0x00, 0x00, 0x00, 0x00, // channel_id 0
        0x01, 0x00, 0x00, 0x00, // job_id 1
        0x00, // min_ntime: OPTION absent = future job
    ];
    assert_eq!(bytes[..captured.len()], captured);
    bytes
}

#[test]
fn sri_2023_first_job_to_channel_zero_is_for_the_channel_just_opened() {
    // dialects.json `job_to_channel_zero_means_newest_channel` (sri-2023): the job to channel
    // 0 then SetNewPrevHash(channel 1, job 1) gives channel 1 work at once, nothing reported.
    let mut c = client_of(&sv2::messages::SRI_2023);
    open_extended(&mut c, 1, &[0xaa; 4], 8, U256::MAX);
    let evs = replay(&mut c, &sri_first_job_frame(), 0);
    assert_eq!(violations(&evs), vec![]);
    let evs = handle(&mut c, prevhash(1, 1, 0x11), 10);
    assert_eq!(violations(&evs), vec![]);
    let w = works(&evs);
    assert_eq!((w.len(), w[0].channel_id, w[0].job_id), (1, 1, 1));
    assert!(c.current_work(1).is_some());
}

#[test]
fn spec_dialect_still_reports_a_job_to_channel_zero() {
    // R71/R72: in the spec dialect channel 0 names no channel; reported as before.
    let mut c = client();
    open_extended(&mut c, 1, &[0xaa; 4], 8, U256::MAX);
    let mut job = ext_job(0, 1, true, 0);
    job.coinbase_tx_prefix = vec![0x02; 45];
    let evs = handle(&mut c, job, 0);
    assert_eq!(violations(&evs), vec![Violation::UnknownChannel(0)]);
}

#[test]
fn r106_prevhash_before_its_job_is_reported_and_the_job_mined_when_it_comes() {
    // R106/E32 in the spec dialect: the violation is reported, the channel mines nothing
    // meanwhile, but the job, when it arrives, is mined on that prevhash at once (it used to
    // wait for the next template, a deadlock when templates only change on blocks).
    let mut c = mining_standard(U256::MAX);
    let evs = handle(&mut c, prevhash(1, 5, 0x55), 2_000);
    assert_eq!(violations(&evs), vec![Violation::UnknownJob(5)]);
    assert!(evs.contains(&ClientEvent::WorkInvalidated { channel_id: 1 }));
    assert!(c.current_work(1).is_none());
    let evs = handle(&mut c, std_job(1, 5, true, 0x44), 2_100);
    assert_eq!(violations(&evs), vec![]);
    let w = works(&evs);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].job_id, 5);
    assert!(w[0].clean);
    assert_eq!(w[0].header.prev_hash(), U256([0x55; 32]));
    assert_eq!(c.current_work(1).map(|w| w.job_id), Some(5));
    // Only the job named: another future job stays future.
    let evs = handle(&mut c, std_job(1, 6, true, 0x45), 2_200);
    assert!(works(&evs).is_empty());
}

#[test]
fn sri_2023_prevhash_before_its_job_is_not_reported() {
    // dialects.json `prevhash_may_precede_job` (sri-2023): same recovery, no violation.
    let mut c = client_of(&sv2::messages::SRI_2023);
    open_extended(&mut c, 1, &[0xaa; 4], 8, U256::MAX);
    let evs = handle(&mut c, prevhash(1, 1, 0x11), 10);
    assert_eq!(violations(&evs), vec![]);
    let evs = replay(&mut c, &sri_first_job_frame(), 20);
    assert_eq!(violations(&evs), vec![]);
    assert_eq!(works(&evs).len(), 1);
}

#[test]
fn group_id_equal_to_channel_id_is_no_collision_in_braiins_and_sri() {
    // dialects.json `group_id_may_equal_channel_id`: braiins 2021 answers group 0 for
    // channel 0, SRI 2023 repeats the channel id; the spec dialect reports R68 as before.
    for (dialect, id, reported) in [
        (&sv2::messages::BRAIINS_2021, 0, false),
        (&sv2::messages::SRI_2023, 7, false),
        (&sv2::messages::SPEC, 7, true),
    ] {
        let mut c = client_of(dialect);
        let request_id = c.open_standard_channel("u", 1e12, U256::MAX).unwrap();
        let evs = handle(
            &mut c,
            OpenStandardMiningChannelSuccess {
                request_id,
                channel_id: id,
                target: U256::MAX,
                group_channel_id: id,
                ..Default::default()
            },
            0,
        );
        let expected = if reported {
            vec![Violation::ChannelIdCollision(id)]
        } else {
            vec![]
        };
        assert_eq!(violations(&evs), expected, "{}", dialect.name());
        assert_eq!(c.channel(id).unwrap().group_channel_id, None);
        // Work addressed to the channel's own id is mined.
        handle(&mut c, std_job(id, 1, true, 0x22), 0);
        let evs = handle(&mut c, prevhash(id, 1, 0x11), 10);
        assert_eq!(works(&evs).len(), 1, "{}", dialect.name());
    }
}

#[test]
fn braiins_2021_new_shares_sum_placeholder_is_no_violation() {
    // dialects.json `new_shares_sum_saturates` (braiins-2021 sends u32::MAX): a frame as
    // braiins encodes it is acknowledged like any other.
    let mut c = client_of(&sv2::messages::BRAIINS_2021);
    open_standard(&mut c, 1, 100, &[], U256::MAX);
    handle(&mut c, std_job(1, 1, true, 0x22), 0);
    handle(&mut c, prevhash(1, 1, 0x11), 1_000);
    let seq = submit(&mut c, 1, 0).unwrap();
    let mut bytes = Vec::new();
    Message::from(SubmitSharesSuccess {
        channel_id: 1,
        last_sequence_number: seq,
        new_submits_accepted_count: 1,
        new_shares_sum: u64::from(u32::MAX),
    })
    .encode_frame(&sv2::messages::BRAIINS_2021, &mut bytes)
    .unwrap();
    assert_eq!(bytes[bytes.len() - 4..], [0xff; 4]);
    let evs = replay(&mut c, &bytes, 1_100);
    assert_eq!(violations(&evs), vec![]);
    assert!(evs.iter().any(|e| matches!(
        e,
        ClientEvent::ShareAccepted { sequence_number, .. } if *sequence_number == seq
    )));
}

#[test]
fn r71_r76_a_later_group_member_gets_the_group_work_it_joined() {
    // Issue 13 item 3: a pool sends a group's work once, so a standard channel joining the
    // group afterwards mines the group's current job (its own merkle root, R80), not nothing.
    let mut c = client();
    open_standard(&mut c, 1, 100, &[0x01; 4], U256::MAX);
    handle(&mut c, ext_job(100, 1, true, 2), 0);
    handle(&mut c, prevhash(100, 1, 0x11), 1_000);
    handle(&mut c, ext_job(100, 2, true, 2), 1_100); // a future job for the next block
    let request_id = c.open_standard_channel("late", 1e12, U256::MAX).unwrap();
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id,
            channel_id: 2,
            target: U256::MAX,
            extranonce_prefix: B032::new(&[0x02; 4]).unwrap(),
            group_channel_id: 100,
        },
        2_000,
    );
    assert_eq!(violations(&evs), vec![]);
    let w = works(&evs);
    assert_eq!(w.len(), 1, "{evs:?}");
    assert_eq!((w[0].channel_id, w[0].job_id), (2, 1));
    assert_eq!(w[0].header.prev_hash(), U256([0x11; 32]));
    let first = c.current_work(1).unwrap();
    assert_ne!(w[0].header.merkle_root(), first.header.merkle_root());
    // The future job reached the late member too: the next group prevhash activates it.
    let evs = handle(&mut c, prevhash(100, 2, 0x22), 3_000);
    let ids: Vec<(u32, u32)> = works(&evs)
        .iter()
        .map(|w| (w.channel_id, w.job_id))
        .collect();
    assert_eq!(ids, [(1, 2), (2, 2)]);
}

#[test]
fn open_channel_timeout_fires_once_and_a_late_answer_is_an_unknown_request() {
    // Issue 13 item 8: the client's open-channel timer (ClientConfig::open_channel_timeout_ms).
    let mut c = MiningClient::new(ClientConfig {
        open_channel_timeout_ms: 1_000,
        ..ClientConfig::default()
    });
    let request_id = c.open_standard_channel("alice", 1e12, U256::MAX).unwrap();
    outgoing(&mut c);
    assert_eq!(
        c.poll_timeout(),
        Some(0),
        "the timer starts at the next call"
    );
    c.handle_timeout(500);
    assert_eq!(c.poll_timeout(), Some(1_500));
    c.handle_timeout(1_499);
    assert!(events(&mut c).is_empty());
    c.handle_timeout(1_500);
    assert_eq!(
        events(&mut c),
        vec![ClientEvent::ChannelOpenFailed {
            request_id,
            reason: OpenFailure::TimedOut {
                extended: false,
                user_identity: "alice".into(),
                waited_ms: 1_000,
            },
        }]
    );
    assert_eq!(c.poll_timeout(), None);
    let evs = handle(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id,
            channel_id: 1,
            target: U256::MAX,
            group_channel_id: 9,
            ..Default::default()
        },
        2_000,
    );
    assert_eq!(
        violations(&evs),
        vec![Violation::UnknownRequest(request_id)]
    );
    // 0 disables the timer.
    let mut c = MiningClient::new(ClientConfig {
        open_channel_timeout_ms: 0,
        ..ClientConfig::default()
    });
    c.open_extended_channel("bob", 1e12, U256::MAX, 4).unwrap();
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(u64::MAX);
    assert!(events(&mut c).is_empty());
    assert_eq!(c.pending_opens(), 1);
}
