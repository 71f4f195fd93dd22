//! Mining protocol roles and the bitcoin arithmetic they need.
//!
//! The arithmetic lives in submodules and is re-exported here, so that the role state machines
//! (`client`, `server`, added later) and the C ABI can use one flat namespace:
//!
//! * [`target`]: target ↔ difficulty, nBits ↔ target, hash rate ↔ share rate, share checks (R98);
//! * [`header`]: the 80-byte block header, double SHA-256, SHA-256 midstates, BIP320 version
//!   rolling (R148, R149), search-space sizes (R84, R85) and nTime windows (R96, R146, R147);
//! * [`merkle`]: merkle root from a coinbase txid and a branch (R81), and the branch of the
//!   coinbase for pools;
//! * [`pool`]: the pool engine, the upstream side of the Mining Protocol (channels, jobs from
//!   templates, share validation, vardiff, accounting);
//! * [`coinbase`]: coinbase assembly from job pieces (R80), streaming coinbase txids, the
//!   pool-side coinbase builder (E29, R88) and TxOut lists (E55).
//!
//! Everything on the per-share path (header update, hashing, target checks, coinbase txid,
//! merkle root) is allocation-free and cannot panic; fallible functions return [`MathError`].

pub mod client;
pub mod coinbase;
pub mod header;
pub mod merkle;
pub mod miner;
pub mod pool;
pub mod pool_server;
pub mod target;

mod arith;
mod math_error;
mod sha;

pub use coinbase::{
    assemble_coinbase_extended, assemble_coinbase_standard, coinbase_txid_extended,
    coinbase_txid_standard, extended_job_merkle_root, split_txouts, txid_of_parts, txout_len,
    txouts_flat_to_list, txouts_list_to_flat, validate_extranonce_sizes, write_txout,
    CoinbaseBuilder, CoinbaseLayout, TxOutIter, TxOutRef, MAX_EXTRANONCE_PREFIX_SIZE,
    MAX_EXTRANONCE_SIZE, MAX_SCRIPT_SIG_LEN, MIN_SCRIPT_SIG_LEN,
};
pub use header::{
    double_sha256, extended_search_space_bits, ntime_ok_client, ntime_ok_server,
    split_version_rolling, version_rolling_ok, BlockHeader, HeaderTail, Midstate, VersionRoller,
    VersionRollingPart, BIP320_VERSION_MASK, STANDARD_SEARCH_SPACE_BITS,
};
pub use math_error::MathError;
pub use merkle::{merkle_path_for_coinbase, merkle_path_len, merkle_root, txid};
pub use target::{
    difficulty_of_hash, difficulty_to_target, expected_share_rate, hash_meets_target,
    hashrate_from_share_rate, nbits_to_target, target_for_share_rate, target_to_difficulty,
    target_to_nbits, DIFFICULTY_1_TARGET,
};
