//! Where a Template Provider's templates come from, behind one trait: the synthetic source
//! (no node) and Bitcoin Core over JSON-RPC (`bitcoind`). A source is driven from a thread of
//! its own — it may block on the network — and hands whole [`BlockTemplate`]s to the provider
//! role; blocks found go back through [`TemplateSource::submit_block`].

use std::time::Duration;
use sv2::codec::U256;
use sv2::template::{BlockTemplate, SyntheticBlockSource};

/// Why a source could not deliver. The runtime logs it and retries with backoff.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The node cannot be reached (connection refused, timeout, closed).
    #[error("node unreachable: {0}")]
    Unreachable(String),
    /// The node refused our credentials.
    #[error(
        "node refused the credentials (HTTP 401): check --rpc-cookie or --rpc-user/--rpc-password"
    )]
    Unauthorized,
    /// The node is still syncing: its templates would build on an old tip.
    #[error("node is in initial block download")]
    InitialBlockDownload,
    /// The node answered something that is not a usable template or result.
    #[error("malformed answer from the node: {0}")]
    Malformed(String),
    /// The node answered with an RPC error.
    #[error("node RPC error {code}: {message}")]
    Rpc {
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
}

/// What became of a submitted block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// The node accepted it (`submitblock` returned null).
    Accepted,
    /// The node refused it, with its reason (`submitblock`'s string: `duplicate`,
    /// `inconclusive`, `bad-txnmrklroot`, …).
    Rejected(String),
}

/// A template source. See the module documentation.
pub trait TemplateSource: Send + 'static {
    /// Waits up to `timeout` for a template worth sending: the first one, one on a new tip,
    /// or one with more fees. `Ok(None)` when nothing changed in that time. Never returns a
    /// template on a tip older than one it returned before.
    fn next_template(&mut self, timeout: Duration) -> Result<Option<BlockTemplate>, SourceError>;

    /// Broadcasts a block assembled from a solution.
    fn submit_block(&mut self, block: &[u8]) -> Result<SubmitOutcome, SourceError>;

    /// A short description for logs (`synthetic`, `bitcoind http://127.0.0.1:8332`).
    fn describe(&self) -> String;
}

/// The synthetic source: a made-up chain whose blocks come every `block_interval` (or when a
/// solution is submitted), with a fee update every `update_interval` in between.
pub struct SyntheticSource {
    chain: SyntheticBlockSource,
    block_interval: Duration,
    update_interval: Duration,
    started: bool,
    since_block: Duration,
    since_update: Duration,
    /// A block was submitted: the next template is on top of it.
    found: Option<U256>,
    clock: fn() -> u32,
}

fn unix_now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

impl SyntheticSource {
    /// A made-up chain from `seed` at `height`, a block every `block_interval`, a template
    /// update every `update_interval`.
    pub fn new(
        chain: SyntheticBlockSource,
        block_interval: Duration,
        update_interval: Duration,
    ) -> Self {
        SyntheticSource {
            chain,
            block_interval,
            update_interval,
            started: false,
            since_block: Duration::ZERO,
            since_update: Duration::ZERO,
            found: None,
            clock: unix_now,
        }
    }
}

impl TemplateSource for SyntheticSource {
    fn next_template(&mut self, timeout: Duration) -> Result<Option<BlockTemplate>, SourceError> {
        if !self.started {
            self.started = true;
            return Ok(Some(self.chain.next_block((self.clock)())));
        }
        if let Some(hash) = self.found.take() {
            self.chain.advance(hash);
            self.since_block = Duration::ZERO;
            self.since_update = Duration::ZERO;
            return Ok(Some(self.chain.next_block((self.clock)())));
        }
        let until_block = self.block_interval.saturating_sub(self.since_block);
        let until_update = self.update_interval.saturating_sub(self.since_update);
        let wait = until_block.min(until_update).min(timeout);
        std::thread::sleep(wait);
        self.since_block += wait;
        self.since_update += wait;
        if self.since_block >= self.block_interval {
            // The made-up network found a block.
            let mut hash = self.chain.prev_hash();
            hash.0[31] ^= 0x5a;
            hash.0[0] = hash.0[0].wrapping_add(1);
            self.chain.advance(hash);
            self.since_block = Duration::ZERO;
            self.since_update = Duration::ZERO;
            return Ok(Some(self.chain.next_block((self.clock)())));
        }
        if self.since_update >= self.update_interval {
            self.since_update = Duration::ZERO;
            return Ok(Some(self.chain.update((self.clock)())));
        }
        Ok(None)
    }

    fn submit_block(&mut self, block: &[u8]) -> Result<SubmitOutcome, SourceError> {
        let header = block
            .get(..80)
            .ok_or_else(|| SourceError::Malformed("block shorter than a header".into()))?;
        self.found = Some(sv2::mining::double_sha256(header));
        Ok(SubmitOutcome::Accepted)
    }

    fn describe(&self) -> String {
        format!("synthetic (height {})", self.chain.height())
    }
}

/// Capped exponential backoff between retries: `initial`, then twice the last delay up to
/// `max`; [`Backoff::reset`] after a success starts over.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Delays from `initial` doubling up to `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            next: initial.min(max),
        }
    }

    /// The delay to wait before the next try.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }

    /// A try succeeded: the next failure waits `initial` again.
    pub fn reset(&mut self) {
        self.next = self.initial.min(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let delays: Vec<u128> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 500, 500]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }
}
