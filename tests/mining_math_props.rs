//! Property tests: libsv2's mining arithmetic against the `bitcoin` crate, built independently
//! from the raw pieces (R80, R81, R98, R148, E29, E55).

use bitcoin::block::{Header, Version};
use bitcoin::consensus::{deserialize, serialize};
use bitcoin::hashes::{sha256d, Hash};
use bitcoin::pow::{CompactTarget, Target};
use bitcoin::{BlockHash, Transaction, TxMerkleNode, Txid};
use proptest::prelude::*;
use sv2::codec::U256;
use sv2::mining::{self, BlockHeader, CoinbaseBuilder, HeaderTail, VersionRoller};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

fn path(max: usize) -> impl Strategy<Value = Vec<[u8; 32]>> {
    proptest::collection::vec(any::<[u8; 32]>(), 0..=max)
}

/// The reference merkle fold, with bitcoin's hashes: h = SHA256d(h ‖ path[i]) (R81).
fn reference_root(coinbase: &[u8], path: &[[u8; 32]]) -> [u8; 32] {
    let mut h = sha256d::Hash::hash(coinbase).to_byte_array();
    for sibling in path {
        let mut node = [0u8; 64];
        node[..32].copy_from_slice(&h);
        node[32..].copy_from_slice(sibling);
        h = sha256d::Hash::hash(&node).to_byte_array();
    }
    h
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// R80 + R81 + header: the whole extended-job pipeline equals an independent build.
    #[test]
    fn extended_job_header_hash_matches_bitcoin_crate(
        prefix in bytes(200),
        extranonce_prefix in bytes(32),
        extranonce in bytes(32),
        suffix in bytes(200),
        branch in path(12),
        prev in any::<[u8; 32]>(),
        version in any::<u32>(),
        ntime in any::<u32>(),
        nbits in any::<u32>(),
        nonce in any::<u32>(),
    ) {
        // R80: coinbase = prefix ‖ extranonce_prefix ‖ extranonce ‖ suffix.
        let coinbase = [&prefix[..], &extranonce_prefix, &extranonce, &suffix].concat();
        let mut buf = vec![0u8; coinbase.len()];
        let n = mining::assemble_coinbase_extended(&mut buf, &prefix, &extranonce_prefix, &extranonce, &suffix).unwrap();
        prop_assert_eq!(&buf[..n], &coinbase[..]);
        let txid = mining::coinbase_txid_extended(&prefix, &extranonce_prefix, &extranonce, &suffix);
        prop_assert_eq!(txid.0, sha256d::Hash::hash(&coinbase).to_byte_array());

        // R81: merkle root.
        let branch_u256: Vec<U256> = branch.iter().map(|b| U256(*b)).collect();
        let root = mining::merkle_root(txid, &branch_u256);
        prop_assert_eq!(root.0, reference_root(&coinbase, &branch));
        prop_assert_eq!(
            mining::extended_job_merkle_root(&prefix, &extranonce_prefix, &extranonce, &suffix, &branch_u256),
            root
        );

        // Header.
        let ours = BlockHeader::new(version, U256(prev), root, ntime, nbits, nonce);
        let theirs = Header {
            version: Version::from_consensus(version as i32),
            prev_blockhash: BlockHash::from_byte_array(prev),
            merkle_root: TxMerkleNode::from_byte_array(root.0),
            time: ntime,
            bits: CompactTarget::from_consensus(nbits),
            nonce,
        };
        prop_assert_eq!(&ours.as_bytes()[..], &serialize(&theirs)[..]);
        let expected = theirs.block_hash().to_byte_array();
        prop_assert_eq!(ours.hash().0, expected);
        prop_assert_eq!(mining::double_sha256(ours.as_bytes()).0, expected);
        // Midstate path equals plain hashing.
        prop_assert_eq!(ours.midstate().hash(&HeaderTail::new(root, ntime, nbits, nonce)).0, expected);
    }

    /// Rolling in place (nonce, nTime, version) gives the same hash as a fresh header, and
    /// the cached midstate stays valid across nonce/nTime rolls (09 §9.2.1).
    #[test]
    fn in_place_rolling_and_midstates(
        prev in any::<[u8; 32]>(),
        root in any::<[u8; 32]>(),
        base_version in any::<u32>(),
        nbits in any::<u32>(),
        rolls in proptest::collection::vec((any::<u32>(), any::<u32>()), 1..8),
        version_step in 0usize..4,
    ) {
        let mut header = BlockHeader::new(base_version, U256(prev), U256(root), 0, nbits, 0);
        let mid = header.midstate();
        let mut tail = header.tail();
        for (ntime, nonce) in &rolls {
            header.set_ntime(*ntime);
            header.set_nonce(*nonce);
            tail.set_ntime(*ntime);
            tail.set_nonce(*nonce);
            let fresh = BlockHeader::new(base_version, U256(prev), U256(root), *ntime, nbits, *nonce);
            prop_assert_eq!(header, fresh);
            prop_assert_eq!(header.hash(), fresh.hash());
            prop_assert_eq!(mid.hash(&tail), fresh.hash());
        }
        // Four rolled versions (R148: all stay within the BIP320 mask).
        let versions: Vec<u32> = VersionRoller::bip320(base_version).skip(version_step * 4).take(4).collect();
        let versions: [u32; 4] = versions.try_into().unwrap();
        for (v, m) in versions.iter().zip(header.midstates(&versions)) {
            prop_assert!(mining::version_rolling_ok(base_version, *v, true));
            let mut rolled = header;
            rolled.set_version(*v);
            prop_assert_eq!(m.hash(&tail), rolled.hash());
            let theirs = Header {
                version: Version::from_consensus(*v as i32),
                prev_blockhash: BlockHash::from_byte_array(prev),
                merkle_root: TxMerkleNode::from_byte_array(root),
                time: rolled.ntime(),
                bits: CompactTarget::from_consensus(nbits),
                nonce: rolled.nonce(),
            };
            prop_assert_eq!(m.hash(&tail).0, theirs.block_hash().to_byte_array());
        }
    }

    /// R148: a share version is accepted iff only BIP320 bits differ (or none, when fixed).
    #[test]
    fn version_rule(job in any::<u32>(), flip in any::<u32>(), allowed in any::<bool>()) {
        let share = job ^ flip;
        let expected = if allowed { flip & !0x1fff_e000 == 0 } else { flip == 0 };
        prop_assert_eq!(mining::version_rolling_ok(job, share, allowed), expected);
    }

    /// nBits ↔ target and difficulty against bitcoin's `Target`.
    #[test]
    fn nbits_and_difficulty_match_bitcoin_crate(exponent in 0u32..=0x22, mantissa in 0u32..0x0100_0000) {
        let nbits = (exponent << 24) | mantissa;
        if let Ok(target) = mining::nbits_to_target(nbits) {
            let theirs = Target::from_compact(CompactTarget::from_consensus(nbits));
            prop_assert_eq!(target.0, theirs.to_le_bytes());
            prop_assert_eq!(mining::target_to_nbits(target), theirs.to_compact_lossy().to_consensus());
            if target != U256::ZERO {
                let d = mining::target_to_difficulty(target);
                let reference = theirs.difficulty_float();
                prop_assert!(((d - reference) / reference).abs() < 1e-12, "{} vs {}", d, reference);
            }
        } else {
            // Negative (sign bit) or overflowing encodings only.
            prop_assert!(mantissa & 0x0080_0000 != 0 || exponent > 32);
        }
    }

    /// target → nbits against bitcoin's lossy compact encoding, for arbitrary targets.
    #[test]
    fn target_to_nbits_matches(t in any::<[u8; 32]>(), shift in 0u32..256) {
        let mut limbs = U256(t).to_limbs();
        // Vary the magnitude: clear the top `shift` bits.
        for (i, limb) in limbs.iter_mut().enumerate().rev() {
            let top = 64 * (i as u32 + 1);
            if top <= 256 - shift { break; }
            let keep = (256 - shift).saturating_sub(64 * i as u32);
            *limb = if keep == 0 { 0 } else { *limb & (u64::MAX >> (64 - keep)) };
        }
        let target = U256::from_limbs(limbs);
        let theirs = Target::from_le_bytes(target.0);
        prop_assert_eq!(mining::target_to_nbits(target), theirs.to_compact_lossy().to_consensus());
        prop_assert!(mining::nbits_to_target(mining::target_to_nbits(target)).unwrap() <= target);
    }

    /// R98 at the boundary, and difficulty_to_target monotonicity.
    #[test]
    fn share_check_boundary(t in any::<[u8; 32]>(), d1 in 1e-9f64..1e15, d2 in 1e-9f64..1e15) {
        let target = U256(t);
        prop_assert!(mining::hash_meets_target(target, target));
        if target != U256::MAX {
            let mut limbs = target.to_limbs();
            for limb in limbs.iter_mut() {
                let (v, carry) = limb.overflowing_add(1);
                *limb = v;
                if !carry { break; }
            }
            prop_assert!(!mining::hash_meets_target(U256::from_limbs(limbs), target));
        }
        let (lo, hi) = if d1 <= d2 { (d1, d2) } else { (d2, d1) };
        prop_assert!(mining::difficulty_to_target(lo).unwrap() >= mining::difficulty_to_target(hi).unwrap());
    }

    /// The coinbase branch builder against bitcoin's merkle root over all txids.
    #[test]
    fn coinbase_branch_matches_bitcoin_merkle_root(
        coinbase in any::<[u8; 32]>(),
        others in proptest::collection::vec(any::<[u8; 32]>(), 0..70),
    ) {
        let other_u256: Vec<U256> = others.iter().map(|t| U256(*t)).collect();
        let mut branch = [U256::ZERO; 16];
        let n = mining::merkle_path_for_coinbase(&other_u256, &mut branch).unwrap();
        let ours = mining::merkle_root(U256(coinbase), &branch[..n]);
        let all = std::iter::once(coinbase).chain(others.iter().copied()).map(Txid::from_byte_array);
        let theirs: TxMerkleNode = bitcoin::merkle_tree::calculate_root(all.map(|t| t.to_raw_hash()).map(TxMerkleNode::from_raw_hash)).unwrap();
        prop_assert_eq!(ours.0, theirs.to_byte_array());
    }

    /// The pool-side builder produces transactions the bitcoin crate parses as coinbases with
    /// the same txid, split exactly around the extranonce area (E29, R88, R136).
    #[test]
    fn coinbase_builder_matches_bitcoin_transaction(
        tx_version in 1u32..3,
        height in 1u32..0x7f_ffff,
        extranonce in bytes(64),
        tag in bytes(20),
        sequence in any::<u32>(),
        pool_scripts in proptest::collection::vec((0u64..1_000_000, bytes(40)), 1..4),
        with_commitment in any::<bool>(),
        extra_template_outputs in proptest::collection::vec(bytes(30), 0..3),
        locktime in any::<u32>(),
    ) {
        // BIP34-style height push: 3 bytes.
        let h = height.to_le_bytes();
        let script_sig_prefix = [0x03, h[0], h[1], h[2]];
        let mut pool = Vec::new();
        let mut pool_value = 0u64;
        for (value, script) in &pool_scripts {
            let mut out = vec![0u8; mining::txout_len(script.len())];
            mining::write_txout(&mut out, *value, script).unwrap();
            pool.extend_from_slice(&out);
            pool_value += value;
        }
        let mut template_list: Vec<Vec<u8>> = Vec::new();
        if with_commitment {
            let mut script = vec![0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
            script.extend_from_slice(&[0x42; 32]);
            let mut out = vec![0u8; mining::txout_len(script.len())];
            mining::write_txout(&mut out, 0, &script).unwrap();
            template_list.push(out);
        }
        for script in &extra_template_outputs {
            let mut out = vec![0u8; mining::txout_len(script.len())];
            mining::write_txout(&mut out, 0, script).unwrap();
            template_list.push(out);
        }
        // E55: list → flat → list round trip.
        let (template_flat, count) = mining::txouts_list_to_flat(&template_list).unwrap();
        prop_assert_eq!(mining::txouts_flat_to_list(&template_flat).unwrap(), template_list.clone());

        let b = CoinbaseBuilder {
            tx_version,
            script_sig_prefix: &script_sig_prefix,
            extranonce_len: extranonce.len(),
            script_sig_suffix: &tag,
            input_sequence: sequence,
            value_remaining: pool_value,
            pool_outputs: &pool,
            template_outputs: &template_flat,
            template_outputs_count: count,
            locktime,
        };
        let script_sig_len = 4 + extranonce.len() + tag.len();
        let layout = match b.layout() {
            Ok(l) => l,
            Err(e) => {
                prop_assert!(script_sig_len > 100);
                prop_assert_eq!(e, mining::MathError::ScriptSigLength(script_sig_len));
                return Ok(());
            }
        };
        prop_assert_eq!(layout.has_witness_commitment, with_commitment);
        let (prefix, suffix) = b.prefix_and_suffix().unwrap();
        let stripped = [&prefix[..], &extranonce, &suffix].concat();
        let mut written = vec![0u8; layout.tx_len];
        prop_assert_eq!(b.write_tx(&extranonce, &mut written).unwrap(), layout.tx_len);
        prop_assert_eq!(&written, &stripped);

        let tx: Transaction = deserialize(&stripped).unwrap();
        prop_assert!(tx.is_coinbase());
        prop_assert_eq!(tx.input[0].script_sig.as_bytes(), &[&script_sig_prefix[..], &extranonce, &tag].concat()[..]);
        prop_assert_eq!(tx.input[0].sequence.0, sequence);
        prop_assert_eq!(tx.output.len(), pool_scripts.len() + template_list.len());
        prop_assert_eq!(tx.lock_time.to_consensus_u32(), locktime);
        let txid = b.txid(&extranonce).unwrap();
        prop_assert_eq!(txid.0, tx.compute_txid().to_byte_array());
        prop_assert_eq!(mining::coinbase_txid_standard(&prefix, &extranonce, &suffix), txid);

        let mut full = vec![0u8; layout.witness_tx_len];
        let n = b.write_full_tx(&extranonce, &mut full).unwrap();
        let full_tx: Transaction = deserialize(&full[..n]).unwrap();
        prop_assert_eq!(full_tx.compute_txid(), tx.compute_txid());
        if with_commitment {
            prop_assert_eq!(n, layout.witness_tx_len);
            let witness: Vec<&[u8]> = full_tx.input[0].witness.iter().collect();
            prop_assert_eq!(witness, vec![&[0u8; 32][..]]);
        } else {
            prop_assert_eq!(n, layout.tx_len);
            prop_assert!(full_tx.input[0].witness.is_empty());
        }
    }
}
