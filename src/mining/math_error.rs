//! The error type of the mining arithmetic.

use thiserror::Error;

/// Why a mining-arithmetic function refused its input.
///
/// Every variant is a caller or peer input problem; none signals an internal bug. The C ABI
/// maps them onto the caller-misuse (1xx) and protocol (4xx) result ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MathError {
    /// A difficulty that is zero, negative, NaN or infinite.
    #[error("difficulty must be a finite number > 0")]
    InvalidDifficulty,
    /// A hash rate that is negative, NaN or infinite.
    #[error("hash rate must be a finite number >= 0")]
    InvalidHashrate,
    /// A share rate that is zero, negative, NaN or infinite.
    #[error("share rate must be a finite number > 0")]
    InvalidShareRate,
    /// nBits with the sign bit set and a non-zero mantissa (a negative target).
    #[error("nbits {0:#010x} encodes a negative target")]
    NegativeNbits(u32),
    /// nBits whose value does not fit in 256 bits.
    #[error("nbits {0:#010x} overflows 256 bits")]
    OverflowNbits(u32),
    /// The caller's output buffer is too short.
    #[error("buffer too small: need {needed} bytes, have {available}")]
    BufferTooSmall {
        /// Bytes the operation needs.
        needed: usize,
        /// Bytes the caller provided.
        available: usize,
    },
    /// The coinbase scriptSig would fall outside the consensus range of 2..=100 bytes (R88).
    #[error("coinbase scriptSig would be {0} bytes; consensus allows 2..=100")]
    ScriptSigLength(usize),
    /// An extranonce prefix longer than 32 bytes (B0_32, R88).
    #[error("extranonce_prefix of {0} bytes exceeds 32")]
    ExtranoncePrefixTooLong(usize),
    /// An extranonce size above 32 bytes, which SubmitSharesExtended cannot carry (R88, E23).
    #[error("extranonce_size {0} exceeds 32")]
    ExtranonceTooLong(usize),
    /// An extranonce whose length differs from the extranonce area of the coinbase.
    #[error("extranonce is {got} bytes, the coinbase reserves {expected}")]
    ExtranonceLength {
        /// Length reserved by the coinbase layout.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// Serialized transaction outputs that end in the middle of an output.
    #[error("transaction outputs are truncated")]
    TruncatedTxOut,
    /// A CompactSize that is not in its shortest form, which consensus rejects.
    #[error("non-canonical CompactSize in transaction outputs")]
    NonCanonicalCompactSize,
    /// A list element that is not exactly one serialized TxOut (E55).
    #[error("list element {0} is not exactly one serialized TxOut")]
    NotOneTxOut(usize),
    /// The declared output count differs from the outputs actually present (E55, R136).
    #[error("declared {declared} outputs, found {found}")]
    OutputCountMismatch {
        /// Count the message declared.
        declared: u64,
        /// Count found in the bytes.
        found: u64,
    },
    /// A board index outside `0..board_count` (or no boards) for a version-rolling split.
    #[error(
        "board {index} of {count}: the index must be below the board count, which must be > 0"
    )]
    InvalidBoardIndex {
        /// The board index given.
        index: u32,
        /// The board count given.
        count: u32,
    },
    /// A version-rolling mask with too few BIP320 bits to give that many boards distinct parts.
    #[error(
        "version mask {mask:#010x} has too few BIP320 bits to split between {board_count} boards"
    )]
    VersionSpaceTooSmall {
        /// The mask, clipped to BIP320.
        mask: u32,
        /// The board count given.
        board_count: u32,
    },
    /// The pool outputs spend more than `coinbase_tx_value_remaining`.
    #[error("pool outputs spend {spent} sat, only {available} sat remain")]
    ValueExceedsRemaining {
        /// Sum of the pool outputs' values (saturated at u64::MAX).
        spent: u64,
        /// `coinbase_tx_value_remaining`.
        available: u64,
    },
    /// The merkle branch would be longer than the caller's buffer or than SEQ0_255 allows.
    #[error("merkle path needs {needed} entries, have room for {available}")]
    MerklePathTooLong {
        /// Entries the branch has.
        needed: usize,
        /// Entries the caller can take.
        available: usize,
    },
}
