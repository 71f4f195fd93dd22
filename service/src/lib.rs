//! The runtime around libsv2's sans-I/O roles, for the `sv2` programs (../shared/CLI.md): the
//! sockets, clocks, threads, template sources and (later) stores and metrics that the core
//! crate `sv2` never touches. `libsv2.so`, `libsv2.a` and the Python and Node packages do not
//! link this crate; firmware gets no runtime from it.
//!
//! - [`runtime`]: the generic driver of a server role (one task owns the role; reader and
//!   writer tasks per socket; timers; graceful stop on SIGTERM/SIGINT/`--seconds`).
//! - [`tp`], [`pool`], [`mine`]: the `sv2 tp`, `sv2 pool` and `sv2 mine` programs.
//! - [`source`], [`bitcoind`]: template sources (synthetic; Bitcoin Core over JSON-RPC).

pub mod bitcoind;
pub mod mine;
pub mod pool;
pub mod runtime;
pub mod security;
pub mod source;
pub mod tp;

/// Why a program could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A flag or its value is wrong (exit code 2). The message names the flag.
    #[error("{flag}: {message}")]
    Config {
        /// The flag (`--listen`, `--cert`, …).
        flag: String,
        /// What is wrong with it.
        message: String,
    },
    /// Something failed while running (exit code 1).
    #[error("{0}")]
    Runtime(String),
}

impl ServiceError {
    /// A configuration error about `flag`.
    pub fn config(flag: &str, message: impl Into<String>) -> Self {
        ServiceError::Config {
            flag: flag.to_string(),
            message: message.into(),
        }
    }

    /// The process exit code (CLI.md): 2 for bad arguments, 1 for runtime failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServiceError::Config { .. } => 2,
            ServiceError::Runtime(_) => 1,
        }
    }
}

/// The `--json` summary of a run: `role`, `seconds`, then counters, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// `tp`, `pool`, `mine`.
    pub role: &'static str,
    /// How long it ran.
    pub seconds: f64,
    /// Counters in print order (`connections` first).
    pub counters: Vec<(&'static str, u64)>,
}

impl Summary {
    /// A summary of `role` that ran `seconds` and accepted `connections`.
    pub fn new(role: &'static str, seconds: f64, connections: u64) -> Self {
        Summary {
            role,
            seconds,
            counters: vec![("connections", connections)],
        }
    }

    /// Adds a counter.
    pub fn with(mut self, key: &'static str, value: u64) -> Self {
        self.counters.push((key, value));
        self
    }

    /// A counter's value.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.counters
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    /// One JSON object on one line. The keys are fixed identifiers and the values numbers,
    /// so no escaping is needed.
    pub fn to_json(&self) -> String {
        let mut out = format!(
            "{{\"role\":\"{}\",\"seconds\":{:.3}",
            self.role, self.seconds
        );
        for (key, value) in &self.counters {
            out.push_str(&format!(",\"{key}\":{value}"));
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CLI.md: one JSON object, `role` and `seconds` first, then the counters in order.
    #[test]
    fn summary_is_one_json_line_with_the_common_keys_first() {
        let summary = Summary::new("tp", 1.5, 2)
            .with("accepted", 3)
            .with("solutions", 4);
        assert_eq!(
            summary.to_json(),
            r#"{"role":"tp","seconds":1.500,"connections":2,"accepted":3,"solutions":4}"#
        );
        assert_eq!(summary.get("solutions"), Some(4));
        assert_eq!(summary.get("missing"), None);
    }

    #[test]
    fn config_errors_exit_2_and_name_the_flag() {
        let error = ServiceError::config("--listen", "bad");
        assert_eq!(error.exit_code(), 2);
        assert_eq!(error.to_string(), "--listen: bad");
        assert_eq!(ServiceError::Runtime("x".into()).exit_code(), 1);
    }
}
