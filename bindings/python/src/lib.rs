//! `sv2._sv2`: the native half of the `sv2` Python package (distribution `libsv2`).
//!
//! Thin PyO3 wrappers over the sans-I/O core: messages (generated, one class per message),
//! the codec, keys and certificates, the session, the mining client, the pool engine and the
//! target helpers. No sockets, no event loop, no threads: `sv2/aio.py` does the I/O in pure
//! Python. The core is used with `default-features = false`, so no C symbols are linked.

// Method names follow Python (`to_bytes`, `to_text`), not Rust's self conventions.
#![allow(clippy::wrong_self_convention)]

mod client;
mod conv;
mod errors;
mod events;
mod keys;
mod messages;
mod messages_generated;
mod pool;
mod pool_server;
mod session;
mod template;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _sv2(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    messages::register(m)?;
    messages_generated::register(m)?;
    keys::register(m)?;
    session::register(m)?;
    client::register(m)?;
    pool::register(m)?;
    pool_server::register(m)?;
    template::register(m)?;
    m.add_function(wrap_pyfunction!(events::monotonic_ms, m)?)?;
    Ok(())
}
