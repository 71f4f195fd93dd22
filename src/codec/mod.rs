//! Wire data types and framing (spec 3.1, 3.2).

mod u256;
pub use u256::U256;
