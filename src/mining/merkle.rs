//! Merkle root from a coinbase txid and its branch (R81), and the branch itself (pools).
//!
//! All values are in internal byte order (the raw SHA256d output, i.e. [`U256`]'s LE bytes),
//! which is how `merkle_path` travels in NewExtendedMiningJob and NewTemplate. The branch is
//! "ordered from deepest" (E27): `path[0]` is the coinbase's sibling among the leaves.

use super::sha;
use super::MathError;
use crate::codec::U256;

/// A transaction id: SHA256d of the **non-witness** serialization (E29), internal byte order.
pub fn txid(tx: &[u8]) -> U256 {
    super::double_sha256(tx)
}

/// SHA256d(left ‖ right): one merkle node.
#[inline]
fn node(left: &U256, right: &U256) -> U256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&left.0);
    block[32..].copy_from_slice(&right.0);
    U256(sha::sha256d_64(&block))
}

/// R81: folds the branch over the coinbase txid, `h = SHA256d(h ‖ path[i])`.
///
/// The coinbase is always the leftmost leaf, so every step hashes the running value on the
/// left. An empty path (a block with only the coinbase) returns the txid itself. Three
/// SHA-256 compressions per step, no allocation.
pub fn merkle_root(coinbase_txid: U256, merkle_path: &[U256]) -> U256 {
    merkle_path
        .iter()
        .fold(coinbase_txid, |h, sibling| node(&h, sibling))
}

/// Length of the coinbase's branch in a block with `other_txs` non-coinbase transactions:
/// the tree depth, `ceil(log2(other_txs + 1))`.
pub fn merkle_path_len(other_txs: usize) -> usize {
    let leaves = other_txs.saturating_add(1);
    // ceil(log2(leaves)) for leaves ≥ 1.
    (usize::BITS - (leaves - 1).leading_zeros()) as usize
}

/// Number of nodes on `level` of a bitcoin merkle tree with `leaves` leaves (level 0 = leaves).
fn level_width(leaves: usize, level: u32) -> usize {
    let mut width = leaves;
    for _ in 0..level {
        width = width.div_ceil(2);
    }
    width
}

/// Node `index` on `level`, for a tree whose leaves are `[coinbase, other_txids…]`.
///
/// Only called for subtrees that do not contain leaf 0, so the coinbase is never needed.
/// Bitcoin duplicates the last node of an odd-width level; each leaf is hashed once over the
/// whole branch computation, and the recursion is only as deep as the tree (≤ 64).
fn subtree(other_txids: &[U256], leaves: usize, level: u32, index: usize) -> U256 {
    if level == 0 {
        // index ≥ 1 here: leaf i is other_txids[i - 1]; `get` keeps us panic-free anyway.
        return other_txids
            .get(index.wrapping_sub(1))
            .copied()
            .unwrap_or_default();
    }
    let below = level_width(leaves, level - 1);
    let left = subtree(other_txids, leaves, level - 1, 2 * index);
    let right = if 2 * index + 1 < below {
        subtree(other_txids, leaves, level - 1, 2 * index + 1)
    } else {
        left
    };
    node(&left, &right)
}

/// The merkle branch of the coinbase (leaf 0) for a block whose other transactions have the
/// given txids, in block order. Writes it, deepest first, into `out` and returns its length
/// (the synthetic template source and pools without a template provider need this).
///
/// The sibling on level `l` is node 1 of that level, which covers leaves `2^l .. 2^(l+1)`;
/// those ranges are disjoint, so the whole branch costs about one hash per transaction.
/// Allocation-free.
///
/// # Errors
/// [`MathError::MerklePathTooLong`] if `out` is shorter than [`merkle_path_len`].
pub fn merkle_path_for_coinbase(
    other_txids: &[U256],
    out: &mut [U256],
) -> Result<usize, MathError> {
    let len = merkle_path_len(other_txids.len());
    let available = out.len();
    let slots = out.get_mut(..len).ok_or(MathError::MerklePathTooLong {
        needed: len,
        available,
    })?;
    let leaves = other_txids.len() + 1;
    for (level, slot) in slots.iter_mut().enumerate() {
        // Every level below the root has width ≥ 2, so node 1 exists.
        *slot = subtree(other_txids, leaves, level as u32, 1);
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(s: &str) -> U256 {
        let mut b = [0u8; 32];
        b.copy_from_slice(&hex::decode(s).unwrap());
        U256::from_be_bytes(b)
    }

    /// Reference: the textbook level-by-level root over all leaves.
    fn naive_root(leaves: &[U256]) -> U256 {
        let mut level = leaves.to_vec();
        while level.len() > 1 {
            if level.len() % 2 == 1 {
                level.push(*level.last().unwrap());
            }
            level = level.chunks(2).map(|p| node(&p[0], &p[1])).collect();
        }
        level[0]
    }

    #[test]
    fn block_100000_merkle_root() {
        // R81: mainnet block 100000 (4 transactions); coinbase txid and branch from the block.
        let coinbase = be("8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87");
        let t1 = be("fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4");
        let t2 = be("6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4");
        let t3 = be("e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d");
        let mut path = [U256::ZERO; 4];
        let n = merkle_path_for_coinbase(&[t1, t2, t3], &mut path).unwrap();
        assert_eq!(n, 2);
        assert_eq!(path[0], t1);
        assert_eq!(path[1], node(&t2, &t3));
        let root = be("f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
        assert_eq!(merkle_root(coinbase, &path[..n]), root);
    }

    #[test]
    fn coinbase_only_block() {
        let cb = be("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
        assert_eq!(merkle_root(cb, &[]), cb);
        assert_eq!(merkle_path_for_coinbase(&[], &mut []).unwrap(), 0);
    }

    #[test]
    fn branch_matches_naive_tree_for_all_small_sizes() {
        let cb = txid(b"coinbase");
        for others in 0..40usize {
            let txids: Vec<U256> = (0..others).map(|i| txid(&i.to_le_bytes())).collect();
            let mut path = [U256::ZERO; 8];
            let n = merkle_path_for_coinbase(&txids, &mut path).unwrap();
            assert_eq!(n, merkle_path_len(others));
            let mut leaves = vec![cb];
            leaves.extend_from_slice(&txids);
            assert_eq!(
                merkle_root(cb, &path[..n]),
                naive_root(&leaves),
                "{others} txs"
            );
        }
    }

    #[test]
    fn short_output_buffer_is_an_error() {
        let txids = [U256::ZERO; 5];
        let mut path = [U256::ZERO; 2];
        assert_eq!(
            merkle_path_for_coinbase(&txids, &mut path),
            Err(MathError::MerklePathTooLong {
                needed: 3,
                available: 2
            })
        );
        assert_eq!(merkle_path_len(0), 0);
        assert_eq!(merkle_path_len(1), 1);
        assert_eq!(merkle_path_len(2), 2);
        assert_eq!(merkle_path_len(3), 2);
        assert_eq!(merkle_path_len(4), 3);
        // Saturates at the pointer width: 64 on 64-bit hosts, 32 on armv7 firmware.
        assert_eq!(merkle_path_len(usize::MAX), usize::BITS as usize);
    }
}
