//! `sv2_version()`. The `SV2_VERSION_*` macros are written into the header by
//! `cargo xtask header` from Cargo.toml.

use std::ffi::{c_char, CStr};

const VERSION: &CStr = match CStr::from_bytes_with_nul(
    concat!("libsv2/", env!("CARGO_PKG_VERSION"), "/noise-ring\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("version string"),
};

/// The library's version and Noise backend, e.g. `"libsv2/0.1.0/noise-ring"`. Compare with
/// the `SV2_VERSION_*` macros of the header the program was compiled with.
///
/// Returns: a NUL-terminated string in static storage (never NULL, never to be freed).
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_version() -> *const c_char {
    VERSION.as_ptr()
}
