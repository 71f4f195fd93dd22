//! Shared test helpers.
#![allow(dead_code)]

pub mod arbitrary_generated;

/// Parses hex with optional whitespace and `|` separators (as the CHECKLIST prints frames).
pub fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    ::hex::decode(clean).expect("valid hex")
}
