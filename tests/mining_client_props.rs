//! Property tests: the header a mining client's [`Work`] builds, hashed with double SHA-256,
//! equals the header built independently from the raw job pieces with the `bitcoin` crate
//! (R80, R81, R98, R104, R148), on extended channels and on standard channels of a group (R71).

use bitcoin::block::{Header, Version};
use bitcoin::hashes::{sha256d, Hash};
use bitcoin::pow::CompactTarget;
use bitcoin::{BlockHash, TxMerkleNode};
use proptest::prelude::*;
use sv2::codec::{B032, U256};
use sv2::messages::{
    MiningSetNewPrevHash, NewExtendedMiningJob, OpenExtendedMiningChannelSuccess,
    OpenStandardMiningChannelSuccess,
};
use sv2::mining::client::{ClientConfig, ClientEvent, MiningClient, Work};
use sv2::mining::BIP320_VERSION_MASK;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

/// Coinbase txid folded over the branch, with the bitcoin crate's SHA256d (R80, R81).
fn reference_root(coinbase: &[u8], path: &[[u8; 32]]) -> [u8; 32] {
    let mut h = sha256d::Hash::hash(coinbase).to_byte_array();
    for sibling in path {
        h = sha256d::Hash::hash(&[h, *sibling].concat()).to_byte_array();
    }
    h
}

/// The block hash the bitcoin crate computes for these header fields.
fn reference_hash(
    version: u32,
    prev: [u8; 32],
    root: [u8; 32],
    ntime: u32,
    nbits: u32,
    nonce: u32,
) -> [u8; 32] {
    let header = Header {
        version: Version::from_consensus(version as i32),
        prev_blockhash: BlockHash::from_byte_array(prev),
        merkle_root: TxMerkleNode::from_byte_array(root),
        time: ntime,
        bits: CompactTarget::from_consensus(nbits),
        nonce,
    };
    header.block_hash().to_byte_array()
}

fn take_work(c: &mut MiningClient) -> Vec<Work> {
    std::iter::from_fn(|| c.next_event())
        .filter_map(|e| match e {
            ClientEvent::NewWork(w) => Some(w),
            _ => None,
        })
        .collect()
}

#[derive(Debug, Clone)]
struct JobCase {
    coinbase_prefix: Vec<u8>,
    coinbase_suffix: Vec<u8>,
    path: Vec<[u8; 32]>,
    prev: [u8; 32],
    version: u32,
    min_ntime: u32,
    nbits: u32,
}

fn job_case() -> impl Strategy<Value = JobCase> {
    (
        bytes(300),
        bytes(300),
        proptest::collection::vec(any::<[u8; 32]>(), 0..=14),
        any::<[u8; 32]>(),
        any::<u32>(),
        0u32..u32::MAX - 10_000,
        any::<u32>(),
    )
        .prop_map(
            |(coinbase_prefix, coinbase_suffix, path, prev, version, min_ntime, nbits)| JobCase {
                coinbase_prefix,
                coinbase_suffix,
                path,
                prev,
                version,
                min_ntime,
                nbits,
            },
        )
}

fn job_messages(j: &JobCase, channel_id: u32) -> (NewExtendedMiningJob, MiningSetNewPrevHash) {
    (
        NewExtendedMiningJob {
            channel_id,
            job_id: 42,
            future_job: true,
            version: j.version,
            version_rolling_allowed: true,
            merkle_path: j.path.iter().map(|p| U256(*p)).collect(),
            coinbase_tx_prefix: j.coinbase_prefix.clone(),
            coinbase_tx_suffix: j.coinbase_suffix.clone(),
            min_ntime: None,
        },
        MiningSetNewPrevHash {
            channel_id,
            job_id: 42,
            prev_hash: U256(j.prev),
            min_ntime: j.min_ntime,
            nbits: j.nbits,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// R80, R81, R104, R148: extended channel, any extranonce, nonce, rolled version and nTime.
    #[test]
    fn extended_work_header_matches_bitcoin_crate(
        job in job_case(),
        extranonce_prefix in bytes(32),
        extranonce in bytes(32),
        nonce in any::<u32>(),
        roll in any::<u32>(),
        ntime_step in 0u32..5_000,
    ) {
        let mut c = MiningClient::new(ClientConfig::default());
        let size = extranonce.len() as u16;
        let request_id = c.open_extended_channel("p", 1e15, U256::MAX, size).unwrap();
        c.handle_message(OpenExtendedMiningChannelSuccess {
            request_id, channel_id: 3, target: U256::MAX, extranonce_size: size,
            extranonce_prefix: B032::new(&extranonce_prefix).unwrap(),
        }.into(), 0).unwrap();
        let (nj, ph) = job_messages(&job, 3);
        c.handle_message(nj.into(), 0).unwrap();
        c.handle_message(ph.into(), 0).unwrap();
        let mut work = take_work(&mut c).pop().unwrap();

        let version = job.version ^ (roll & BIP320_VERSION_MASK);
        let ntime = job.min_ntime + ntime_step;
        work.set_extranonce(&extranonce).unwrap();
        let ours = work.hash_for(nonce, ntime, version);

        let coinbase = [&job.coinbase_prefix[..], &extranonce_prefix, &extranonce, &job.coinbase_suffix].concat();
        prop_assert_eq!(work.coinbase(&extranonce).unwrap(), coinbase.clone());
        let root = reference_root(&coinbase, &job.path);
        let theirs = reference_hash(version, job.prev, root, ntime, job.nbits, nonce);
        prop_assert_eq!(ours.0, theirs);
        prop_assert_eq!(work.header_with(&extranonce, nonce, ntime, version).unwrap().hash().0, theirs);
        // The midstate route gives the same hash (R148: per rolled version).
        let header = work.header_for(nonce, ntime, version);
        prop_assert_eq!(header.midstate().hash(&header.tail()).0, theirs);

        // The client's own check, rebuilt from its job table, agrees too.
        let receipt = c.submit_extended(3, 42, &extranonce, nonce, ntime, version, u64::from(ntime_step) * 1000).unwrap();
        prop_assert_eq!(receipt.hash.0, theirs);
    }

    /// R71, R80: a group job turned into standard-channel work, per channel prefix.
    #[test]
    fn group_work_header_matches_bitcoin_crate(
        job in job_case(),
        prefixes in proptest::collection::vec(bytes(32), 1..4),
        nonce in any::<u32>(),
    ) {
        let mut c = MiningClient::new(ClientConfig::default());
        for (i, p) in prefixes.iter().enumerate() {
            let request_id = c.open_standard_channel("s", 1e12, U256::MAX).unwrap();
            c.handle_message(OpenStandardMiningChannelSuccess {
                request_id, channel_id: i as u32 + 1, target: U256::MAX,
                extranonce_prefix: B032::new(p).unwrap(), group_channel_id: 1000,
            }.into(), 0).unwrap();
        }
        let (nj, ph) = job_messages(&job, 1000);
        c.handle_message(nj.into(), 0).unwrap();
        c.handle_message(ph.into(), 0).unwrap();
        let works = take_work(&mut c);
        prop_assert_eq!(works.len(), prefixes.len());
        for (w, p) in works.iter().zip(&prefixes) {
            let coinbase = [&job.coinbase_prefix[..], p, &job.coinbase_suffix].concat();
            let root = reference_root(&coinbase, &job.path);
            let theirs = reference_hash(job.version, job.prev, root, job.min_ntime, job.nbits, nonce);
            prop_assert_eq!(w.hash_for(nonce, job.min_ntime, job.version).0, theirs);
        }
    }
}
