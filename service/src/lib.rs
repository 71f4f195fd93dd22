//! The runtime around libsv2's sans-I/O roles, for the `sv2` programs (../shared/CLI.md): the
//! sockets, clocks, threads, template sources and (later) stores and metrics that the core
//! crate `sv2` never touches. `libsv2.so`, `libsv2.a` and the Python and Node packages do not
//! link this crate; firmware gets no runtime from it.

pub mod bitcoind;
pub mod source;
