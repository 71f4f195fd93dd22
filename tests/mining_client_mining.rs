//! CPU mining through the client at an easy target: real shares are found on a standard and on
//! an extended channel, go out as encoded frames, are checked by an independent "pool" (the
//! `bitcoin` crate rebuilding each header from the submitted fields), and are accepted by
//! scripted SubmitShares.Success frames (R89, R90, R92, R98, R104, R148). The pool engine
//! built in parallel replaces the scripted side in the end-to-end tests later.

use bitcoin::block::{Header, Version};
use bitcoin::hashes::{sha256d, Hash};
use bitcoin::pow::CompactTarget;
use bitcoin::{BlockHash, TxMerkleNode};
use sv2::codec::{B032, U256};
use sv2::messages::{
    decode_frame, Dialect, Frame, Message, MiningSetNewPrevHash, NewExtendedMiningJob,
    NewMiningJob, OpenExtendedMiningChannelSuccess, OpenStandardMiningChannelSuccess,
    SubmitSharesSuccess,
};
use sv2::mining::client::{ClientConfig, ClientEvent, MiningClient, Work};

/// One hash in 256 meets it: the most significant byte (the last, LE) must be zero.
fn easy_target() -> U256 {
    let mut t = [0xff; 32];
    t[31] = 0;
    U256(t)
}

const PREV: [u8; 32] = [0x5c; 32];
const MIN_NTIME: u32 = 1_700_000_000;
const NBITS: u32 = 0x1703_4219;

/// Sends a message over the "wire": encode a frame, decode it back.
fn wire(m: Message) -> Message {
    let mut frame = Vec::new();
    m.encode_frame(Dialect::default(), &mut frame).unwrap();
    match decode_frame(Dialect::default(), &frame).unwrap() {
        (Frame::Message(m), n) if n == frame.len() => m,
        other => panic!("{other:?}"),
    }
}

fn deliver(c: &mut MiningClient, m: impl Into<Message>, now: u64) {
    c.handle_message(wire(m.into()), now).unwrap();
}

fn drain(c: &mut MiningClient) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.next_event()).collect()
}

fn new_work(evs: &[ClientEvent]) -> Work {
    evs.iter()
        .find_map(|e| match e {
            ClientEvent::NewWork(w) => Some(w.clone()),
            _ => None,
        })
        .expect("work")
}

/// Nonces of `work` (with its current template) whose hash meets the target, using the
/// midstate route an ASIC would take, rolling versions too when allowed.
fn mine(work: &Work, want: usize) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    let (versions, mids) = work.rolled_midstates::<2>().expect("rolling allowed");
    for (version, mid) in versions.iter().zip(mids) {
        let mut tail = work.header_for(0, work.min_ntime, *version).tail();
        for nonce in 0u32.. {
            tail.set_nonce(nonce);
            if work.meets_target(mid.hash(&tail)) {
                found.push((nonce, *version));
                if found.len() % (want / 2) == 0 {
                    break;
                }
            }
        }
    }
    found
}

fn pool_hash(version: u32, root: [u8; 32], ntime: u32, nonce: u32) -> U256 {
    let h = Header {
        version: Version::from_consensus(version as i32),
        prev_blockhash: BlockHash::from_byte_array(PREV),
        merkle_root: TxMerkleNode::from_byte_array(root),
        time: ntime,
        bits: CompactTarget::from_consensus(NBITS),
        nonce,
    };
    U256(h.block_hash().to_byte_array())
}

/// The scripted pool's acknowledgement: one batched Success for everything it checked.
fn ack(c: &mut MiningClient, channel_id: u32, last: u32, count: u32, now: u64) -> usize {
    deliver(
        c,
        SubmitSharesSuccess {
            channel_id,
            last_sequence_number: last,
            new_submits_accepted_count: count,
            new_shares_sum: u64::from(count) * 256,
        },
        now,
    );
    drain(c)
        .iter()
        .filter(
            |e| matches!(e, ClientEvent::ShareAccepted { channel_id: id, .. } if *id == channel_id),
        )
        .count()
}

#[test]
fn cpu_mining_on_a_standard_channel() {
    // R98, R104, R148, R89, R90, R92
    let mut c = MiningClient::new(ClientConfig::default());
    let request_id = c
        .open_standard_channel("cpu.worker", 1e6, U256::MAX)
        .unwrap();
    deliver(
        &mut c,
        OpenStandardMiningChannelSuccess {
            request_id,
            channel_id: 1,
            target: easy_target(),
            extranonce_prefix: B032::EMPTY,
            group_channel_id: 100,
        },
        0,
    );
    let root = [0x42; 32];
    deliver(
        &mut c,
        NewMiningJob {
            channel_id: 1,
            job_id: 1,
            future_job: true,
            version: 0x2000_0000,
            merkle_root: U256(root),
            min_ntime: None,
        },
        0,
    );
    deliver(
        &mut c,
        MiningSetNewPrevHash {
            channel_id: 1,
            job_id: 1,
            prev_hash: U256(PREV),
            min_ntime: MIN_NTIME,
            nbits: NBITS,
        },
        10,
    );
    let work = new_work(&drain(&mut c));
    let shares = mine(&work, 6);
    assert_eq!(shares.len(), 6);
    for (nonce, version) in &shares {
        c.submit_standard(1, 1, *nonce, MIN_NTIME, *version, 20)
            .unwrap();
    }
    assert_eq!(c.pending_shares(1), 6);
    // The "pool" checks every frame independently.
    let mut checked = 0;
    while let Some(m) = c.next_outgoing() {
        let Message::SubmitSharesStandard(s) = wire(m) else {
            continue;
        };
        assert_eq!(s.sequence_number, checked);
        let hash = pool_hash(s.version, root, s.ntime, s.nonce);
        assert!(hash <= easy_target());
        checked += 1;
    }
    assert_eq!(checked, 6);
    assert_eq!(ack(&mut c, 1, 5, 6, 70), 6);
    assert_eq!(c.pending_shares(1), 0);
}

#[test]
fn cpu_mining_on_an_extended_channel() {
    // R80, R81, R95, R98, R104, R89, R90, R92
    let mut c = MiningClient::new(ClientConfig::default());
    let request_id = c
        .open_extended_channel("cpu.proxy", 1e6, U256::MAX, 4)
        .unwrap();
    let prefix = [0xe0, 0xe1];
    deliver(
        &mut c,
        OpenExtendedMiningChannelSuccess {
            request_id,
            channel_id: 9,
            target: easy_target(),
            extranonce_size: 4,
            extranonce_prefix: B032::new(&prefix).unwrap(),
        },
        0,
    );
    let job = NewExtendedMiningJob {
        channel_id: 9,
        job_id: 3,
        future_job: true,
        version: 0x2000_0000,
        version_rolling_allowed: true,
        merkle_path: (1..=12).map(|i| U256([i; 32])).collect(),
        coinbase_tx_prefix: vec![0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x55],
        coinbase_tx_suffix: vec![0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00],
        min_ntime: None,
    };
    deliver(&mut c, job.clone(), 0);
    deliver(
        &mut c,
        MiningSetNewPrevHash {
            channel_id: 9,
            job_id: 3,
            prev_hash: U256(PREV),
            min_ntime: MIN_NTIME,
            nbits: NBITS,
        },
        10,
    );
    let mut work = new_work(&drain(&mut c));
    let mut submitted = Vec::new();
    for extranonce in [[0, 0, 0, 1], [0, 0, 0, 2]] {
        work.set_extranonce(&extranonce).unwrap();
        for (nonce, version) in mine(&work, 4) {
            c.submit_extended(9, 3, &extranonce, nonce, MIN_NTIME, version, 20)
                .unwrap();
            submitted.push(extranonce);
        }
    }
    assert_eq!(c.pending_shares(9), 8);
    let mut n = 0;
    while let Some(m) = c.next_outgoing() {
        let Message::SubmitSharesExtended(s) = wire(m) else {
            continue;
        };
        assert_eq!(s.extranonce.as_slice(), submitted[n]);
        // Pool side: coinbase, txid, root and header rebuilt from the submitted fields.
        let coinbase = [
            &job.coinbase_tx_prefix[..],
            &prefix,
            s.extranonce.as_slice(),
            &job.coinbase_tx_suffix,
        ]
        .concat();
        let mut h = sha256d::Hash::hash(&coinbase).to_byte_array();
        for sibling in &job.merkle_path {
            h = sha256d::Hash::hash(&[h, sibling.0].concat()).to_byte_array();
        }
        assert!(pool_hash(s.version, h, s.ntime, s.nonce) <= easy_target());
        n += 1;
    }
    assert_eq!(n, 8);
    // Acknowledged in two batches.
    assert_eq!(ack(&mut c, 9, 2, 3, 50), 3);
    assert_eq!(ack(&mut c, 9, 7, 5, 60), 5);
    assert_eq!(c.pending_shares(9), 0);
}
