//! `sv2_pool_config`, `sv2_pool` and `sv2_template_source`: the pool engine with its sessions
//! (many downstream connections in one handle), so that a pool can be written in C.

use super::messages::{message_from_view, View};
use super::noise_options::{self, ResponderOptions};
use super::session::{seed_arg, server_identity_arg, set_timeouts, timer_arg};
use super::*;
use crate::codec::U256;
use crate::keys::{Certificate, StaticSecretKey};
use crate::mining::pool::{
    BlockFound, ChannelKind, ChannelStats, ClientMaxTarget, CloseCause, OpenPolicy, PoolConfig,
    PoolEvent, RejectReason, SyntheticTemplateSource, TargetChangeCause, REJECT_REASON_COUNT,
};
use crate::mining::pool_server::{PoolServer, PoolServerEvent};
use crate::noise::ResponderConfig;
use crate::session::{CloseReason, ServerConfig, ServerSecurity};
use std::collections::HashSet;
use std::sync::Arc;

/// Number of `SV2_REJECT_*` reasons (size of `sv2_channel_stats.shares_rejected_by_reason`).
pub const SV2_REJECT_REASON_COUNT: usize = 8;
const _: () = assert!(SV2_REJECT_REASON_COUNT == REJECT_REASON_COUNT);
/// Share rejected: `invalid-channel-id`.
pub const SV2_REJECT_INVALID_CHANNEL_ID: u32 = 0;
/// Share rejected: `stale-share`.
pub const SV2_REJECT_STALE_SHARE: u32 = 1;
/// Share rejected: `invalid-job-id`.
pub const SV2_REJECT_INVALID_JOB_ID: u32 = 2;
/// Share rejected: `ntime-out-of-range`.
pub const SV2_REJECT_NTIME_OUT_OF_RANGE: u32 = 3;
/// Share rejected: `version-not-allowed`.
pub const SV2_REJECT_VERSION_NOT_ALLOWED: u32 = 4;
/// Share rejected: `invalid-extranonce-size`.
pub const SV2_REJECT_INVALID_EXTRANONCE_SIZE: u32 = 5;
/// Share rejected: `difficulty-too-low`.
pub const SV2_REJECT_DIFFICULTY_TOO_LOW: u32 = 6;
/// Share rejected: `duplicate-share`.
pub const SV2_REJECT_DUPLICATE_SHARE: u32 = 7;

const _: () = assert!(RejectReason::DuplicateShare as u32 == SV2_REJECT_DUPLICATE_SHARE);
const _: () = assert!(RejectReason::InvalidChannelId as u32 == SV2_REJECT_INVALID_CHANNEL_ID);

// ---------------------------------------------------------------------------------------------
// Configuration

/// Configuration of a pool: security (Noise key and certificate, or plaintext), wire dialect,
/// timeouts, and the engine's settings (vardiff, target bounds, acknowledgement batching,
/// coinbase). Made by `sv2_pool_config_new()`, freed by `sv2_pool_config_free()`; a pool
/// copies it.
#[derive(Debug)]
pub struct sv2_pool_config {
    state: HandleState,
    server: ServerConfig,
    noise: Option<(StaticSecretKey, Certificate)>,
    noise_options: ResponderOptions,
    plaintext: bool,
    rng_seed: Option<[u8; 32]>,
    pool: PoolConfig,
}

impl Handle for sv2_pool_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a pool configuration with the engine's defaults (vardiff on at 10 shares per minute,
/// acknowledgements batched by 32 or 1 s, any difficulty, payout to `OP_TRUE` (regtest only),
/// coinbase tag `/libsv2/`) and no security choice yet: call `sv2_pool_config_set_noise()` or
/// `sv2_pool_config_set_plaintext()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: to free with `sv2_pool_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_new(config_out: *mut *mut sv2_pool_config) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        new_handle(
            sv2_pool_config {
                state: HandleState::default(),
                server: ServerConfig::new(ServerSecurity::Plaintext, vec![]),
                noise: None,
                noise_options: ResponderOptions::default(),
                plaintext: false,
                rng_seed: None,
                pool: PoolConfig::default(),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a pool configuration. NULL is a no-op. Pools made from it are not affected.
#[no_mangle]
pub extern "C" fn sv2_pool_config_free(config: *mut sv2_pool_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_pool_config_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
/// mutating call on this config; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_pool_config_last_error(config: *const sv2_pool_config) -> *const c_char {
    last_error_of(config)
}

/// Secures connections with Noise NX: the server's static secret key and the certificate the
/// pool authority signed for it (`sv2 key gen-server` / `sv2 key sign`, or
/// `sv2_server_key_generate()` / `sv2_certificate_sign()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
/// issued for this key.
/// In: `static_secret`: 32 bytes (copied; wiped when the config and the pool are freed).
/// `certificate`: copied.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_noise(
    config: *mut sv2_pool_config,
    static_secret: *const u8,
    certificate: *const sv2_certificate,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise = Some(server_identity_arg(static_secret, certificate)?);
        c.plaintext = false;
        Ok(())
    })
}

/// Disables encryption (trusted local networks only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_plaintext(config: *mut sv2_pool_config) -> sv2_result {
    with_mut(config, |c| {
        c.noise = None;
        c.plaintext = true;
        Ok(())
    })
}

/// Sets the miners' wire dialect (`SV2_DIALECT_*`). It also sets the Noise cipher preference
/// (`SV2_DIALECT_BRAIINS_2021`: AESGCM whenever offered) unless
/// `sv2_pool_config_set_noise_profile()` or `sv2_pool_config_set_ciphers()` override it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_dialect(
    config: *mut sv2_pool_config,
    dialect: sv2_dialect,
) -> sv2_result {
    with_mut(config, |c| {
        c.server.dialect = dialect_of(dialect)?;
        Ok(())
    })
}

/// Overrides whose cipher preference the server uses: `"sri-2023"` (ChaChaPoly first) or
/// `"braiins-2021"` (AESGCM whenever offered), case-insensitive; NULL (the default) follows
/// the dialect set with `sv2_pool_config_set_dialect()`. The server answers every negotiation form
/// whatever this says (R21). Rust `ResponderConfig::profile`, Python `noise_profile`, Node
/// `noiseProfile`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// unknown name (nothing is changed then).
/// In: `profile`: NUL-terminated, or NULL.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_noise_profile(
    config: *mut sv2_pool_config,
    profile: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.profile = noise_options::profile_arg(profile)?;
        Ok(())
    })
}

/// Sets the ciphers the server supports, most preferred first (it picks the first one the
/// client offers): wire names or Noise names separated by commas or spaces,
/// case-insensitive (`"AESG,CHCH"`); NULL restores the profile's order. Rust
/// `ResponderConfig::cipher_preference`, Python/Node `ciphers`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// empty list, an unknown name or a repeat (nothing is changed then).
/// In: `ciphers`: NUL-terminated, or NULL.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_ciphers(
    config: *mut sv2_pool_config,
    ciphers: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.preference = noise_options::ciphers_arg(ciphers)?;
        Ok(())
    })
}

/// Whether to accept clients that skip negotiation (legacy Braiins 2021; default true, as R21
/// asks). Rust `ResponderConfig::accept_no_negotiation`, Python `accept_no_negotiation`, Node
/// `acceptNoNegotiation`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_negotiation(
    config: *mut sv2_pool_config,
    accept_no_negotiation: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.accept_no_negotiation = accept_no_negotiation;
        Ok(())
    })
}

/// Turns the wire tap on for the pool's connections made from this config (default off): every SV2 frame sent
/// or received (decrypted) is kept as a JSON line for `sv2_pool_next_trace()`. Off, it costs
/// nothing. Rust `ServerConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_trace(
    config: *mut sv2_pool_config,
    enabled: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.server.trace = enabled;
        Ok(())
    })
}

/// Sets the session timeouts in milliseconds (0 disables one), as
/// `sv2_server_config_set_timeouts()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_timeouts(
    config: *mut sv2_pool_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(&mut c.server.timeouts, handshake_ms, setup_ms, idle_ms);
        Ok(())
    })
}

/// Sets how long a client may stay set up without asking for a channel before the pool
/// closes the connection (R55), as `sv2_server_config_set_open_channel_timeout()`. Default
/// 60 000 ms; 0 disables it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_open_channel_timeout(
    config: *mut sv2_pool_config,
    open_channel_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        c.server.timeouts.open_channel_ms = timer_arg(open_channel_ms);
        Ok(())
    })
}

/// Seeds the Noise ephemeral keys (tests only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
/// In: `seed`: 32 bytes, or NULL for the OS random source.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_rng_seed(
    config: *mut sv2_pool_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

/// Variable difficulty: on or off, and the share rate each channel is steered to. A channel's
/// first target follows from its nominal hash rate and this rate.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `shares_per_minute` is not
/// finite and > 0.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_vardiff(
    config: *mut sv2_pool_config,
    enabled: bool,
    shares_per_minute: f64,
) -> sv2_result {
    with_mut(config, |c| {
        if !(shares_per_minute.is_finite() && shares_per_minute > 0.0) {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "shares_per_minute must be finite and > 0",
            ));
        }
        c.pool.vardiff.enabled = enabled;
        c.pool.vardiff.shares_per_minute = shares_per_minute;
        Ok(())
    })
}

/// The easiest (`max_target`, the pool's minimum difficulty) and hardest (`min_target`)
/// targets the pool ever sets.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `min_target` is 0 or above
/// `max_target`.
/// In: `min_target`, `max_target`: 32 bytes each, little-endian.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_target_bounds(
    config: *mut sv2_pool_config,
    min_target: *const u8,
    max_target: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        let min = U256(in_array::<32>(min_target, "min_target")?);
        let max = U256(in_array::<32>(max_target, "max_target")?);
        if min == U256::ZERO || min > max {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "min_target must be > 0 and <= max_target",
            ));
        }
        c.pool.min_target = min;
        c.pool.max_target = max;
        Ok(())
    })
}

/// `sv2_pool_config_set_client_max_target()`: never set a target easier than the client's
/// `max_target` (the spec; the default).
pub const SV2_CLIENT_MAX_TARGET_HONOUR: u32 = 0;
/// `sv2_pool_config_set_client_max_target()`: disregard the client's `max_target`; targets
/// follow the pool's bounds and vardiff only.
pub const SV2_CLIENT_MAX_TARGET_IGNORE: u32 = 1;
/// `sv2_pool_config_set_client_max_target()`: honour the client's `max_target` down to
/// `cap_target`; a harder one counts as `cap_target`.
pub const SV2_CLIENT_MAX_TARGET_CAP: u32 = 2;

/// What the pool does with the `max_target` clients send when they open or update a channel
/// (a deployment choice: some devices ask for far more difficulty than they can do, e.g. SRI
/// 2023's mining device asks for difficulty 7.6 M and then never finds a share).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `cap_target` with
/// `SV2_CLIENT_MAX_TARGET_CAP`); `SV2_ERR_INVALID_ARG` for an unknown `policy`.
/// In: `policy`: `SV2_CLIENT_MAX_TARGET_*`. `cap_target`: 32 bytes, little-endian, read only
/// for `SV2_CLIENT_MAX_TARGET_CAP` (may be NULL otherwise).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_client_max_target(
    config: *mut sv2_pool_config,
    policy: u32,
    cap_target: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.pool.client_max_target = match policy {
            SV2_CLIENT_MAX_TARGET_HONOUR => ClientMaxTarget::Honour,
            SV2_CLIENT_MAX_TARGET_IGNORE => ClientMaxTarget::Ignore,
            SV2_CLIENT_MAX_TARGET_CAP => {
                ClientMaxTarget::Cap(U256(in_array::<32>(cap_target, "cap_target")?))
            }
            other => {
                return Err(Error::new(
                    SV2_ERR_INVALID_ARG,
                    format!("unknown client max_target policy {other}"),
                ))
            }
        };
        Ok(())
    })
}

/// Whether clients may set REQUIRES_WORK_SELECTION and send SetCustomMiningJob (default
/// false: such a SetupConnection is refused with `unsupported-feature-flags`). SRI's mining
/// proxy always sets the flag. A C pool has no job-token policy, so the custom jobs
/// themselves are refused (`invalid-mining-job-token`); template jobs work as usual.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_allow_work_selection(
    config: *mut sv2_pool_config,
    allow: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.pool.allow_work_selection = allow;
        Ok(())
    })
}

/// Acknowledgement batching: one SubmitShares.Success per `batch_size` accepted shares, at
/// most `flush_ms` after the first of them (1 acknowledges every share at once).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `batch_size` is 0.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_ack_batch(
    config: *mut sv2_pool_config,
    batch_size: u32,
    flush_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        if batch_size == 0 {
            return Err(Error::new(SV2_ERR_INVALID_ARG, "batch_size must be >= 1"));
        }
        c.pool.ack_batch_size = batch_size;
        c.pool.ack_flush_ms = flush_ms;
        Ok(())
    })
}

/// The SetupConnection.Success flags the pool sends (`SV2_MINING_SUCCESS_REQUIRES_*`: fixed
/// version, extended channels only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for unknown bits.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_success_flags(
    config: *mut sv2_pool_config,
    flags: u32,
) -> sv2_result {
    with_mut(config, |c| {
        let known = SV2_MINING_SUCCESS_REQUIRES_FIXED_VERSION
            | SV2_MINING_SUCCESS_REQUIRES_EXTENDED_CHANNELS;
        if flags & !known != 0 {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                format!("unknown success flags {:#x}", flags & !known),
            ));
        }
        c.pool.require_fixed_version = flags & SV2_MINING_SUCCESS_REQUIRES_FIXED_VERSION != 0;
        c.pool.require_extended_channels =
            flags & SV2_MINING_SUCCESS_REQUIRES_EXTENDED_CHANNELS != 0;
        Ok(())
    })
}

/// The coinbase: the tag placed in the scriptSig and the script paid when no policy splits the
/// reward (the default `OP_TRUE` is for regtest only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an empty payout script.
/// (A tag too long for the scriptSig is refused by `sv2_pool_new()`.)
/// In: `tag`/`tag_len`, `payout_script`/`script_len`: copied.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_coinbase(
    config: *mut sv2_pool_config,
    tag: *const u8,
    tag_len: usize,
    payout_script: *const u8,
    script_len: usize,
) -> sv2_result {
    with_mut(config, |c| {
        let tag = in_slice(tag, tag_len, "tag")?;
        let script = in_slice(payout_script, script_len, "payout_script")?;
        if script.is_empty() {
            return Err(Error::new(SV2_ERR_INVALID_ARG, "empty payout_script"));
        }
        c.pool.coinbase_tag = tag.to_vec();
        c.pool.payout_script = script.to_vec();
        Ok(())
    })
}

/// Fixed leading bytes of every extranonce prefix (a server id, so that several pool servers
/// never share search space).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`. (Lengths are checked by `sv2_pool_new()`.)
/// In: `server_id`/`len`: copied.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_server_id(
    config: *mut sv2_pool_config,
    server_id: *const u8,
    len: usize,
) -> sv2_result {
    with_mut(config, |c| {
        c.pool.server_id = in_slice(server_id, len, "server_id")?.to_vec();
        Ok(())
    })
}

/// Whether every accepted share produces an `SV2_POOL_EVENT_SHARE_ACCEPTED` (default true;
/// pools that only need totals can read `sv2_pool_snapshot()` instead).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_share_events(
    config: *mut sv2_pool_config,
    enabled: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.pool.share_events = enabled;
        Ok(())
    })
}

/// Synthetic templates only (`sv2_pool_next_synthetic_block()`): the made-up network target
/// is `factor` times harder than the hardest share target, so about one share in `factor` is
/// a block (default 1000; 1 makes every share a block).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` unless `factor` is finite
/// and at least 1.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_config_set_block_difficulty_factor(
    config: *mut sv2_pool_config,
    factor: f64,
) -> sv2_result {
    with_mut(config, |c| {
        if !(factor.is_finite() && factor >= 1.0) {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "block_difficulty_factor must be finite and >= 1",
            ));
        }
        c.pool.block_difficulty_factor = factor;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Synthetic templates

/// A made-up template provider for demos and tests: invented prevhashes, valid BIP34 heights,
/// a network target `sv2_pool_config_set_block_difficulty_factor()` times harder than the
/// hardest share target (so blocks are rare next to shares). Deterministic from its seed.
#[derive(Debug)]
pub struct sv2_template_source {
    state: HandleState,
    source: SyntheticTemplateSource,
}

impl Handle for sv2_template_source {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a synthetic template source building block `height` on a made-up tip.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `source_out`: to free with `sv2_template_source_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_source_new(
    seed: u64,
    height: u32,
    source_out: *mut *mut sv2_template_source,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(source_out, "source_out")?;
        new_handle(
            sv2_template_source {
                state: HandleState::default(),
                source: SyntheticTemplateSource::new(seed, height),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a template source. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_template_source_free(source: *mut sv2_template_source) {
    free_handle(source)
}

/// A block was found (or the made-up network found one): the next
/// `sv2_pool_next_synthetic_block()` builds on `block_hash` at the next height.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// In: `block_hash`: 32 bytes, internal byte order (`sv2_pool_event.block_hash`).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_source_advance(
    source: *mut sv2_template_source,
    block_hash: *const u8,
) -> sv2_result {
    with_mut(source, |s| {
        s.source
            .advance(U256(in_array::<32>(block_hash, "block_hash")?));
        Ok(())
    })
}

/// Fixes the source's network difficulty to `nbits` (e.g. regtest's 0x207fffff, about every
/// other hash a block, for tests that want blocks) instead of the pool's block difficulty
/// factor times the share target.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG` for nBits
/// that encode no valid target (negative, overflowing or zero).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_source_set_nbits(
    source: *mut sv2_template_source,
    nbits: u32,
) -> sv2_result {
    with_mut(source, |s| {
        match crate::mining::nbits_to_target(nbits) {
            Ok(t) if t != U256::ZERO => {}
            _ => {
                return Err(Error::new(
                    SV2_ERR_INVALID_ARG,
                    "nbits encode no valid target",
                ))
            }
        }
        s.source = s.source.clone().with_nbits(nbits);
        Ok(())
    })
}

/// The height of the block the source's templates build.
///
/// Returns: the height; 0 for a NULL or poisoned source.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_source_height(source: *const sv2_template_source) -> u32 {
    read_value(source, 0, |s| s.source.height())
}

// ---------------------------------------------------------------------------------------------
// Pool events

/// No event (`sv2_pool_event.type`).
pub const SV2_POOL_EVENT_NONE: u32 = 0;
/// A connection completed SetupConnection (`conn`; `setup`: its SetupConnection, read with
/// `sv2_message_as_setup_connection()`: vendor, firmware, device id, flags).
pub const SV2_POOL_EVENT_CONNECTED: u32 = 1;
/// A channel opened (`conn`, `channel_id`, `extended`, `has_group_channel_id`/
/// `group_channel_id`, `user_identity`, `target`, `extranonce_prefix`).
pub const SV2_POOL_EVENT_CHANNEL_OPENED: u32 = 2;
/// A channel closed (`conn`, `channel_id`, `cause`: `SV2_CHANNEL_CLOSE_*`, `text`: the reason
/// code, `stats`: its final totals).
pub const SV2_POOL_EVENT_CHANNEL_CLOSED: u32 = 3;
/// A share was accepted (`conn`, `channel_id`, `user_identity`, `job_id`, `sequence_number`,
/// `credited_difficulty`, `share_difficulty`).
pub const SV2_POOL_EVENT_SHARE_ACCEPTED: u32 = 4;
/// A share was rejected and the error queued for the miner (`conn`, `channel_id`,
/// `sequence_number`, `reject_reason`: `SV2_REJECT_*`, `text`: the error code sent).
pub const SV2_POOL_EVENT_SHARE_REJECTED: u32 = 5;
/// A share met the network target (`conn`, `channel_id`, `user_identity`, `job_id`, `header`,
/// `block_hash`, `coinbase_tx`, `has_template_id`/`template_id`). Broadcast the block (header,
/// coinbase, the template's transactions); with the synthetic source, call
/// `sv2_template_source_advance()` and `sv2_pool_next_synthetic_block()`.
pub const SV2_POOL_EVENT_BLOCK_FOUND: u32 = 6;
/// A channel's target changed and SetTarget was queued (`conn`, `channel_id`, `target`,
/// `cause`: `SV2_TARGET_CAUSE_*`).
pub const SV2_POOL_EVENT_TARGET_CHANGED: u32 = 7;
/// The engine refused a message or action of this connection (`conn`, `error`; `text` and
/// `sv2_pool_last_error()`: why). Logged, not fatal (a refused SetupConnection closes the
/// connection: a CLOSED event follows).
pub const SV2_POOL_EVENT_ENGINE_ERROR: u32 = 8;
/// A connection ended (`conn`, `close_reason`: `SV2_CLOSE_*`, `error`, `text`). Send what
/// `sv2_pool_data_to_send()` still holds for it, close the socket, then `sv2_pool_remove()`.
pub const SV2_POOL_EVENT_CLOSED: u32 = 9;

/// `sv2_pool_event.cause` of CHANNEL_CLOSED: the miner sent CloseChannel.
pub const SV2_CHANNEL_CLOSE_CLIENT: u32 = 1;
/// `sv2_pool_event.cause` of CHANNEL_CLOSED: the pool closed it.
pub const SV2_CHANNEL_CLOSE_SERVER: u32 = 2;
/// `sv2_pool_event.cause` of CHANNEL_CLOSED: the connection closed.
pub const SV2_CHANNEL_CLOSE_CONNECTION: u32 = 3;
/// `sv2_pool_event.cause` of TARGET_CHANGED: the vardiff controller.
pub const SV2_TARGET_CAUSE_VARDIFF: u32 = 1;
/// `sv2_pool_event.cause` of TARGET_CHANGED: the miner's UpdateChannel.
pub const SV2_TARGET_CAUSE_UPDATE_CHANNEL: u32 = 2;
/// `sv2_pool_event.cause` of TARGET_CHANGED: `sv2_pool_set_target()`.
pub const SV2_TARGET_CAUSE_API: u32 = 3;

/// Accounting for one channel (payouts, dashboards). `user_identity` borrows from the pool:
/// valid until the next mutating call on it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_channel_stats {
    /// Connection.
    pub conn: u64,
    /// Channel id.
    pub channel_id: u32,
    /// True for an extended channel.
    pub extended: bool,
    /// Whether the standard channel is in a group.
    pub has_group_channel_id: bool,
    /// Its group.
    pub group_channel_id: u32,
    /// `user_identity` (not NUL-terminated).
    pub user_identity: sv2_bytes,
    /// Current target (32 bytes, little-endian).
    pub target: [u8; 32],
    /// Accepted shares.
    pub shares_accepted: u64,
    /// Rejected shares, all reasons.
    pub shares_rejected: u64,
    /// Rejected shares by `SV2_REJECT_*` reason.
    pub shares_rejected_by_reason: [u64; SV2_REJECT_REASON_COUNT],
    /// Sum of the credited difficulty of accepted shares.
    pub accepted_difficulty: f64,
    /// Estimated hash rate over the rolling window (hashes per second).
    pub hashrate: f64,
    /// Highest difficulty a share of this channel reached.
    pub best_share_difficulty: f64,
    /// Blocks found.
    pub blocks_found: u32,
}

impl sv2_channel_stats {
    fn empty() -> Self {
        sv2_channel_stats {
            conn: 0,
            channel_id: 0,
            extended: false,
            has_group_channel_id: false,
            group_channel_id: 0,
            user_identity: bytes_view(&[]),
            target: [0; 32],
            shares_accepted: 0,
            shares_rejected: 0,
            shares_rejected_by_reason: [0; SV2_REJECT_REASON_COUNT],
            accepted_difficulty: 0.0,
            hashrate: 0.0,
            best_share_difficulty: 0.0,
            blocks_found: 0,
        }
    }

    /// `user_identity` points into `s.user_identity` (an `Arc<str>` the caller keeps alive).
    fn from_stats(s: &ChannelStats) -> Self {
        sv2_channel_stats {
            conn: s.conn,
            channel_id: s.channel_id,
            extended: s.kind == ChannelKind::Extended,
            has_group_channel_id: s.group_channel_id.is_some(),
            group_channel_id: s.group_channel_id.unwrap_or(0),
            user_identity: bytes_view(s.user_identity.as_bytes()),
            target: s.target.0,
            shares_accepted: s.shares_accepted,
            shares_rejected: s.rejected_total(),
            shares_rejected_by_reason: s.shares_rejected,
            accepted_difficulty: s.accepted_difficulty,
            hashrate: s.hashrate,
            best_share_difficulty: s.best_share_difficulty,
            blocks_found: s.blocks_found,
        }
    }
}

/// The whole pool at one instant (`sv2_pool_snapshot()`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_pool_summary {
    /// Open connections.
    pub connections: usize,
    /// Open channels.
    pub channels: usize,
    /// Whether a prevhash is set.
    pub has_prev_hash: bool,
    /// The current prevhash (internal byte order).
    pub prev_hash: [u8; 32],
    /// Whether a job is active.
    pub has_active_job: bool,
    /// The newest active job.
    pub active_job_id: u32,
    /// Sum of the channels' hash rate estimates (hashes per second).
    pub total_hashrate: f64,
    /// Blocks found since the pool started.
    pub blocks_found: u64,
}

/// One event of a pool, filled by `sv2_pool_next_event()` into caller storage. Fields not
/// listed for the event's `type` are zero (pointers NULL). Pointers borrow from the pool and
/// are valid until the next mutating call on it; nothing needs freeing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_pool_event {
    /// `SV2_POOL_EVENT_*`.
    pub r#type: u32,
    /// The connection (the id `sv2_pool_accept()` returned).
    pub conn: u64,
    /// The channel.
    pub channel_id: u32,
    /// CHANNEL_OPENED: true for an extended channel.
    pub extended: bool,
    /// CHANNEL_OPENED: whether the standard channel is in a group.
    pub has_group_channel_id: bool,
    /// CHANNEL_OPENED: its group.
    pub group_channel_id: u32,
    /// CHANNEL_OPENED, SHARE_ACCEPTED, BLOCK_FOUND: who gets credit (not NUL-terminated).
    pub user_identity: sv2_bytes,
    /// CHANNEL_OPENED, TARGET_CHANGED: the target (32 bytes, little-endian).
    pub target: [u8; 32],
    /// CHANNEL_OPENED: the channel's extranonce prefix.
    pub extranonce_prefix: sv2_bytes,
    /// SHARE_ACCEPTED, BLOCK_FOUND: the job.
    pub job_id: u32,
    /// SHARE_ACCEPTED, SHARE_REJECTED: the submit's sequence number.
    pub sequence_number: u32,
    /// SHARE_ACCEPTED: the difficulty credited (of the target the share was checked against).
    pub credited_difficulty: f64,
    /// SHARE_ACCEPTED: the difficulty the hash reached.
    pub share_difficulty: f64,
    /// SHARE_REJECTED: `SV2_REJECT_*`.
    pub reject_reason: u32,
    /// SHARE_REJECTED: the error code sent; CHANNEL_CLOSED: the reason code; ENGINE_ERROR,
    /// CLOSED: a description (not NUL-terminated).
    pub text: sv2_bytes,
    /// CHANNEL_CLOSED: `SV2_CHANNEL_CLOSE_*`; TARGET_CHANGED: `SV2_TARGET_CAUSE_*`.
    pub cause: u32,
    /// CHANNEL_CLOSED: the channel's final totals.
    pub stats: sv2_channel_stats,
    /// BLOCK_FOUND: the 80-byte block header.
    pub header: [u8; 80],
    /// BLOCK_FOUND: SHA256d of the header, internal byte order.
    pub block_hash: [u8; 32],
    /// BLOCK_FOUND: the full coinbase transaction.
    pub coinbase_tx: sv2_bytes,
    /// BLOCK_FOUND: whether the job came from a template (false for a custom job).
    pub has_template_id: bool,
    /// BLOCK_FOUND: the template's id.
    pub template_id: u64,
    /// CONNECTED: the client's SetupConnection; never free it.
    pub setup: *const sv2_message,
    /// CLOSED: `SV2_CLOSE_*`.
    pub close_reason: u32,
    /// CLOSED with `SV2_CLOSE_ERROR`, ENGINE_ERROR: the error code.
    pub error: sv2_result,
    /// BLOCK_FOUND of a template job: the SubmitSolution for the template provider (read with
    /// `sv2_message_as_submit_solution()`, or pass the whole event to
    /// `sv2_template_client_submit_block_found()`); NULL for a custom job. Never free it.
    pub submit_solution: *const sv2_message,
}

impl sv2_pool_event {
    fn empty() -> Self {
        let none = bytes_view(&[]);
        sv2_pool_event {
            r#type: SV2_POOL_EVENT_NONE,
            conn: 0,
            channel_id: 0,
            extended: false,
            has_group_channel_id: false,
            group_channel_id: 0,
            user_identity: none,
            target: [0; 32],
            extranonce_prefix: none,
            job_id: 0,
            sequence_number: 0,
            credited_difficulty: 0.0,
            share_difficulty: 0.0,
            reject_reason: 0,
            text: none,
            cause: 0,
            stats: sv2_channel_stats::empty(),
            header: [0; 80],
            block_hash: [0; 32],
            coinbase_tx: none,
            has_template_id: false,
            template_id: 0,
            setup: std::ptr::null(),
            close_reason: 0,
            error: SV2_OK,
            submit_solution: std::ptr::null(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pool

/// A pool: the sessions of many downstream connections and the pool engine (channels, jobs
/// from templates, share validation, acknowledgements, vardiff, accounting) in one handle. It
/// opens no socket, reads no clock and starts no threads.
///
/// Loop: on accept, `sv2_pool_accept()` names the connection; feed each socket's bytes with
/// `sv2_pool_receive_data()` (end of file: `sv2_pool_peer_closed()`); call
/// `sv2_pool_handle_timeout()` at `sv2_pool_poll_timeout()`; drain `sv2_pool_next_event()`;
/// then, for every connection, write what `sv2_pool_data_to_send()` gives. Templates come from
/// `sv2_pool_new_template()` / `sv2_pool_set_prev_hash()` (a template provider) or
/// `sv2_pool_next_synthetic_block()`.
pub struct sv2_pool {
    state: HandleState,
    pool: PoolServer,
    conns: HashSet<u64>,
    /// Storage the current event points into.
    ev_setup: Option<Box<sv2_message>>,
    ev_user: Option<Arc<str>>,
    ev_stats_user: Option<Arc<str>>,
    ev_bytes: Vec<u8>,
    ev_text: Vec<u8>,
    ev_block: Option<Box<BlockFound>>,
    ev_solution: Option<Box<sv2_message>>,
    /// Storage of the last snapshot.
    snapshot: Vec<ChannelStats>,
    /// A trace line (and its connection) taken but not yet copied out.
    pending_trace: Option<(u64, String)>,
}

impl std::fmt::Debug for sv2_pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("sv2_pool")
            .field("connections", &self.conns.len())
            .finish()
    }
}

impl sv2_pool {
    /// The pool server (for the template glue in `template.rs`).
    pub(crate) fn server_mut(&mut self) -> &mut PoolServer {
        &mut self.pool
    }
}

impl Handle for sv2_pool {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a pool. It has no job until it gets a template and a prevhash.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
/// neither Noise nor plaintext was chosen or the engine settings are inconsistent (the config
/// is `const`, so no error text is recorded: the settings' limits are documented with their
/// setters and in `PoolConfig::validate`).
/// In: `config`: copied.
/// Out: `pool_out`: to free with `sv2_pool_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_new(
    config: *const sv2_pool_config,
    pool_out: *mut *mut sv2_pool,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(pool_out, "pool_out")?;
        let mut server = c.server.clone();
        server.security = match (&c.noise, c.plaintext) {
            (Some((secret, cert)), _) => {
                let mut noise = ResponderConfig::new(secret.clone(), *cert);
                c.noise_options.apply(&mut noise);
                noise.rng_seed = c.rng_seed;
                ServerSecurity::Noise(noise)
            }
            (None, true) => ServerSecurity::Plaintext,
            (None, false) => {
                return Err(Error::new(
                    SV2_ERR_INVALID_CONFIG,
                    "choose Noise (set_noise) or plaintext first",
                ))
            }
        };
        let pool = PoolServer::new(server, c.pool.clone(), Box::new(OpenPolicy))?;
        new_handle(
            sv2_pool {
                state: HandleState::default(),
                pool,
                conns: HashSet::new(),
                ev_setup: None,
                ev_user: None,
                ev_stats_user: None,
                ev_bytes: Vec::new(),
                ev_text: Vec::new(),
                ev_block: None,
                ev_solution: None,
                snapshot: Vec::new(),
                pending_trace: None,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a pool and everything it owns. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_pool_free(pool: *mut sv2_pool) {
    free_handle(pool)
}

/// A readable description of the last error on this pool (the last error a call returned, or
/// the last ENGINE_ERROR / CLOSED event's reason).
///
/// Returns: a NUL-terminated string owned by the pool (`""` if none), valid until the next
/// mutating call on it; a fixed text if `pool` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_pool_last_error(pool: *const sv2_pool) -> *const c_char {
    last_error_of(pool)
}

fn known_conn(p: &sv2_pool, conn: u64) -> Result<(), Error> {
    if p.conns.contains(&conn) {
        Ok(())
    } else {
        Err(Error::new(
            SV2_ERR_UNKNOWN_CONNECTION,
            format!("unknown connection {conn}"),
        ))
    }
}

/// A new downstream connection (the caller accepted its socket).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NOISE_INTERNAL`.
/// In: `now_ms`. Out: `conn_out`: the connection's id (never reused).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_accept(
    pool: *mut sv2_pool,
    now_ms: u64,
    conn_out: *mut u64,
) -> sv2_result {
    with_mut(pool, |p| {
        let out = out_ptr(conn_out, "conn_out")?;
        let conn = p.pool.accept(now_ms)?;
        p.conns.insert(conn);
        write_out(out, conn);
        Ok(())
    })
}

/// Feeds bytes received on `conn`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
/// `SV2_ERR_CLOSED` if the connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing
/// consumed: drain events and retry). Another code means the bytes broke the protocol and the
/// connection closed: a CLOSED event follows.
/// In: `conn`, `data`/`len`: copied, `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_receive_data(
    pool: *mut sv2_pool,
    conn: u64,
    data: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(pool, |p| {
        let bytes = in_slice(data, len, "data")?;
        known_conn(p, conn)?;
        p.pool.receive_data(conn, bytes, now_ms)?;
        Ok(())
    })
}

/// `conn`'s socket reached end of file; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_peer_closed(pool: *mut sv2_pool, conn: u64) -> sv2_result {
    with_mut(pool, |p| {
        known_conn(p, conn)?;
        p.pool.peer_closed(conn);
        Ok(())
    })
}

/// Closes `conn` from the pool's side; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_close(pool: *mut sv2_pool, conn: u64) -> sv2_result {
    with_mut(pool, |p| {
        known_conn(p, conn)?;
        p.pool.close(conn);
        Ok(())
    })
}

/// Forgets a connection (after its CLOSED event and its last bytes; also to drop a connection
/// at once). Its id is never reused.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_remove(pool: *mut sv2_pool, conn: u64) -> sv2_result {
    with_mut(pool, |p| {
        known_conn(p, conn)?;
        p.pool.remove(conn);
        p.conns.remove(&conn);
        Ok(())
    })
}

/// Copies up to `cap` of `conn`'s pending bytes into `buf`; call until `*n_out` is 0.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
/// `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Out: `buf`/`cap`, `n_out`: bytes copied.
/// Allocates: possibly.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_data_to_send(
    pool: *mut sv2_pool,
    conn: u64,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
) -> sv2_result {
    with_mut(pool, |p| {
        let n_out = out_ptr(n_out, "n_out")?;
        known_conn(p, conn)?;
        if cap == 0 {
            write_out(n_out, 0);
            return Ok(());
        }
        let slice = out_slice(buf, cap, "buf")?;
        write_out(n_out, p.pool.data_to_send(conn, slice));
        Ok(())
    })
}

/// Copies the oldest traced frame of the pool's connections (lowest connection first; see
/// `sv2_pool_config_set_trace()`) into `buf` as a NUL-terminated JSON line, as
/// `sv2_session_next_trace()` does, and its connection into `*conn_out` (only when a line was
/// copied).
///
/// The wire tap is a bounded queue that the caller polls, like events (DESIGN.md: poll, don't
/// call back): no callback runs inside the library, and a firmware loop can drain it when it
/// has time. It holds at most 1024 frames; beyond that the oldest are dropped, and the first
/// line kept says how many (`"dropped_before"`). Each line is one JSON object:
/// `{"direction": "sent"|"received", "frame": {…}}`, the frame in the `sv2 decode` form.
///
/// Returns: `SV2_OK` (`*size_out` is 0 when no frame is waiting, else the bytes written,
/// NUL included); `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` with `*size_out` set to the
/// size needed (the line stays queued: call again with a larger buffer).
/// Out: `buf`: `cap` bytes, receives the line and a NUL. `size_out`.
/// Allocates: yes (the line, until copied).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_next_trace(
    pool: *mut sv2_pool,
    conn_out: *mut u64,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> sv2_result {
    with_mut(pool, |p| {
        let conn_out = out_ptr(conn_out, "conn_out")?;
        if p.pending_trace.is_none() {
            p.pending_trace = p.pool.next_trace_json();
        }
        let Some((conn, line)) = p.pending_trace.take() else {
            let size_out = out_ptr(size_out, "size_out")?;
            write_out(size_out, 0);
            return Ok(());
        };
        let mut pending = Some(line);
        let result = super::session::next_trace_out(&mut pending, || None, buf, cap, size_out);
        match pending {
            // Not copied: keep it for the next call.
            Some(line) => p.pending_trace = Some((conn, line)),
            None => write_out(conn_out, conn),
        }
        result
    })
}

/// Whether `conn` has bytes waiting in `sv2_pool_data_to_send()` (messages the engine queued
/// since the last `sv2_pool_next_event()` or `sv2_pool_data_to_send()` may not be counted yet).
///
/// Returns: true if so; false otherwise, for an unknown connection and a NULL or poisoned pool.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_pool_wants_write(pool: *const sv2_pool, conn: u64) -> bool {
    read_value(pool, false, |p| p.pool.wants_write(conn))
}

/// Open connections.
///
/// Returns: the count; 0 for a NULL or poisoned pool.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_pool_connection_count(pool: *const sv2_pool) -> usize {
    read_value(pool, 0, |p| p.conns.len())
}

/// When `sv2_pool_handle_timeout()` must next be called (session timeouts, vardiff,
/// acknowledgement batches).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_poll_timeout(
    pool: *const sv2_pool,
    deadline_ms_out: *mut u64,
) -> sv2_result {
    with_ref(pool, |p| {
        let out = out_ptr(deadline_ms_out, "deadline_ms_out")?;
        write_out(out, p.pool.poll_timeout().unwrap_or(SV2_NO_TIMEOUT));
        Ok(())
    })
}

/// Fires expired timers.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: possibly.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_handle_timeout(pool: *mut sv2_pool, now_ms: u64) -> sv2_result {
    with_mut(pool, |p| {
        p.pool.handle_timeout(now_ms);
        Ok(())
    })
}

fn close_text(reason: CloseReason, ev: &mut sv2_pool_event) -> String {
    match reason {
        CloseReason::SetupRejected { flags, error_code } => {
            ev.close_reason = SV2_CLOSE_SETUP_REJECTED;
            format!(
                "SetupConnection.Error sent: {} (flags {flags:#x})",
                String::from_utf8_lossy(error_code.as_bytes())
            )
        }
        CloseReason::PeerClosed => {
            ev.close_reason = SV2_CLOSE_PEER_CLOSED;
            "the miner closed the connection".to_owned()
        }
        CloseReason::LocalClose => {
            ev.close_reason = SV2_CLOSE_LOCAL;
            "closed by the pool".to_owned()
        }
        CloseReason::Error(e) => {
            ev.close_reason = SV2_CLOSE_ERROR;
            let e = Error::from(e);
            ev.error = e.code;
            e.message
        }
    }
}

/// The next event, or `SV2_POOL_EVENT_NONE` when idle. Also moves messages between the
/// sessions and the engine.
///
/// Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
/// this pool.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_next_event(
    pool: *mut sv2_pool,
    event_out: *mut sv2_pool_event,
) -> sv2_result {
    with_mut(pool, |p| {
        let out = out_ptr(event_out, "event_out")?;
        p.ev_setup = None;
        p.ev_user = None;
        p.ev_stats_user = None;
        p.ev_block = None;
        p.ev_solution = None;
        p.ev_bytes.clear();
        p.ev_text.clear();
        let mut ev = sv2_pool_event::empty();
        let mut error_text = None;
        match p.pool.next_event() {
            None => {}
            Some(PoolServerEvent::Connected { conn, setup }) => {
                ev.r#type = SV2_POOL_EVENT_CONNECTED;
                ev.conn = conn;
                let mut wrapped =
                    sv2_message::wrap(crate::messages::Message::SetupConnection(setup));
                wrapped.session_owned = true;
                ev.setup = &*wrapped;
                p.ev_setup = Some(wrapped);
            }
            Some(PoolServerEvent::EngineError { conn, error }) => {
                ev.r#type = SV2_POOL_EVENT_ENGINE_ERROR;
                ev.conn = conn;
                let e = Error::from(error);
                ev.error = e.code;
                error_text = Some(e.message);
            }
            Some(PoolServerEvent::Closed { conn, reason }) => {
                ev.r#type = SV2_POOL_EVENT_CLOSED;
                ev.conn = conn;
                error_text = Some(close_text(reason, &mut ev));
            }
            Some(PoolServerEvent::Engine(event)) => engine_event(p, event, &mut ev),
        }
        if let Some(text) = error_text {
            p.state.set_error(&text);
            p.ev_text = text.into_bytes();
        }
        ev.text = bytes_view(&p.ev_text);
        write_out(out, ev);
        Ok(())
    })
}

fn engine_event(p: &mut sv2_pool, event: PoolEvent, ev: &mut sv2_pool_event) {
    match event {
        PoolEvent::ChannelOpened {
            conn,
            channel_id,
            group_channel_id,
            kind,
            user_identity,
            target,
            extranonce_prefix,
        } => {
            ev.r#type = SV2_POOL_EVENT_CHANNEL_OPENED;
            ev.conn = conn;
            ev.channel_id = channel_id;
            ev.has_group_channel_id = group_channel_id.is_some();
            ev.group_channel_id = group_channel_id.unwrap_or(0);
            ev.extended = kind == ChannelKind::Extended;
            ev.user_identity = bytes_view(user_identity.as_bytes());
            p.ev_user = Some(user_identity);
            ev.target = target.0;
            p.ev_bytes = extranonce_prefix;
            ev.extranonce_prefix = bytes_view(&p.ev_bytes);
        }
        PoolEvent::ChannelClosed {
            conn,
            channel_id,
            cause,
            stats,
        } => {
            ev.r#type = SV2_POOL_EVENT_CHANNEL_CLOSED;
            ev.conn = conn;
            ev.channel_id = channel_id;
            let (c, text) = match cause {
                CloseCause::Client(code) => (SV2_CHANNEL_CLOSE_CLIENT, code),
                CloseCause::Server(code) => (SV2_CHANNEL_CLOSE_SERVER, code),
                CloseCause::ConnectionClosed => (SV2_CHANNEL_CLOSE_CONNECTION, String::new()),
            };
            ev.cause = c;
            p.ev_text = text.into_bytes();
            ev.stats = sv2_channel_stats::from_stats(&stats);
            p.ev_stats_user = Some(stats.user_identity.clone());
        }
        PoolEvent::ShareAccepted {
            conn,
            channel_id,
            user_identity,
            job_id,
            sequence_number,
            credited_difficulty,
            share_difficulty,
        } => {
            ev.r#type = SV2_POOL_EVENT_SHARE_ACCEPTED;
            ev.conn = conn;
            ev.channel_id = channel_id;
            ev.user_identity = bytes_view(user_identity.as_bytes());
            p.ev_user = Some(user_identity);
            ev.job_id = job_id;
            ev.sequence_number = sequence_number;
            ev.credited_difficulty = credited_difficulty;
            ev.share_difficulty = share_difficulty;
        }
        PoolEvent::ShareRejected {
            conn,
            channel_id,
            sequence_number,
            reason,
        } => {
            ev.r#type = SV2_POOL_EVENT_SHARE_REJECTED;
            ev.conn = conn;
            ev.channel_id = channel_id;
            ev.sequence_number = sequence_number;
            ev.reject_reason = reason as u32;
            p.ev_text = reason.code().as_bytes().to_vec();
        }
        PoolEvent::BlockFound(block) => {
            ev.r#type = SV2_POOL_EVENT_BLOCK_FOUND;
            ev.conn = block.conn;
            ev.channel_id = block.channel_id;
            ev.user_identity = bytes_view(block.user_identity.as_bytes());
            ev.job_id = block.job_id;
            ev.has_template_id = block.template_id.is_some();
            ev.template_id = block.template_id.unwrap_or(0);
            ev.header = block.header;
            ev.block_hash = block.block_hash.0;
            ev.coinbase_tx = bytes_view(&block.coinbase_tx);
            if let Some(solution) = &block.submit_solution {
                let mut wrapped =
                    sv2_message::wrap(crate::messages::Message::from(solution.clone()));
                wrapped.session_owned = true;
                ev.submit_solution = &*wrapped;
                p.ev_solution = Some(wrapped);
            }
            p.ev_block = Some(block);
        }
        PoolEvent::TargetChanged {
            conn,
            channel_id,
            target,
            cause,
        } => {
            ev.r#type = SV2_POOL_EVENT_TARGET_CHANGED;
            ev.conn = conn;
            ev.channel_id = channel_id;
            ev.target = target.0;
            ev.cause = match cause {
                TargetChangeCause::Vardiff => SV2_TARGET_CAUSE_VARDIFF,
                TargetChangeCause::UpdateChannel => SV2_TARGET_CAUSE_UPDATE_CHANNEL,
                TargetChangeCause::Api => SV2_TARGET_CAUSE_API,
            };
        }
    }
}

/// A block template (Template Distribution NewTemplate) for every channel: a future template
/// waits for its `sv2_pool_set_prev_hash()`, a non-future one is mined at once.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NO_PREV_HASH` (a
/// non-future template before any prevhash); `SV2_ERR_INVALID_TEMPLATE`; `SV2_ERR_EXHAUSTED`;
/// `SV2_ERR_ENCODE_TOO_LONG` for fields over their wire size. Nothing changes on error.
/// In: `template_`: a view filled by the caller or `sv2_message_as_new_template()` of a
/// message from a template provider session; read during the call only. `now_ms`.
/// Out: `job_id_out`: the pool job made from it (may be NULL).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_new_template(
    pool: *mut sv2_pool,
    template_: *const sv2_new_template,
    now_ms: u64,
    job_id_out: *mut u32,
) -> sv2_result {
    with_mut(pool, |p| {
        let view = in_ref(template_, "template_")?;
        // SAFETY: the C contract: the view's pointers are valid for their lengths.
        let message = unsafe { message_from_view(&View::NewTemplate(*view)) }?;
        let crate::messages::Message::NewTemplate(t) = message else {
            return Err(Error::new(SV2_ERR_INVALID_ARG, "not a NewTemplate"));
        };
        let job = p.pool.new_template(*t, now_ms)?;
        if !job_id_out.is_null() {
            write_out(job_id_out, job);
        }
        Ok(())
    })
}

/// A new chain tip (Template Distribution SetNewPrevHash) activating a future template: every
/// earlier job is stale from now on.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_TEMPLATE`.
/// In: `prev_hash`: a view (caller-filled or `sv2_message_as_tdp_set_new_prev_hash()`), read
/// during the call only. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_set_prev_hash(
    pool: *mut sv2_pool,
    prev_hash: *const sv2_tdp_set_new_prev_hash,
    now_ms: u64,
) -> sv2_result {
    with_mut(pool, |p| {
        let view = in_ref(prev_hash, "prev_hash")?;
        // SAFETY: the view has no pointers; the C contract makes it valid.
        let message = unsafe { message_from_view(&View::TdpSetNewPrevHash(*view)) }?;
        let crate::messages::Message::TdpSetNewPrevHash(ph) = message else {
            return Err(Error::new(SV2_ERR_INVALID_ARG, "not a SetNewPrevHash"));
        };
        p.pool.set_prev_hash(*ph, now_ms)?;
        Ok(())
    })
}

/// The next block from a synthetic source: a future template and the prevhash that activates
/// it, given to the pool (every channel gets a new clean job). Its network target is the
/// pool's block difficulty factor times harder than the hardest open channel's share target
/// (without channels, than the pool's easiest target).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED` (pool or source);
/// `SV2_ERR_INVALID_TEMPLATE`; `SV2_ERR_EXHAUSTED`.
/// In: `source`: changed (its template counter). `unix_time`: the block time to start from
/// (`header_timestamp`, the miners' `min_ntime`). `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_next_synthetic_block(
    pool: *mut sv2_pool,
    source: *mut sv2_template_source,
    unix_time: u32,
    now_ms: u64,
) -> sv2_result {
    with_mut(pool, |p| {
        let mut result = Ok(());
        let rc = with_mut(source, |s| {
            result = p
                .pool
                .next_synthetic_block(&mut s.source, unix_time, now_ms);
            Ok(())
        });
        if rc != SV2_OK {
            return Err(Error::new(rc, "template source is NULL or poisoned"));
        }
        result?;
        Ok(())
    })
}

/// Sends Reconnect to `conn` (empty `host` / port 0: the same host / port). Close the
/// connection once its bytes are written.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
/// `SV2_ERR_INVALID_ARG` for a host over 255 bytes.
/// In: `host`: NUL-terminated, or NULL for the same host. `port`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_reconnect(
    pool: *mut sv2_pool,
    conn: u64,
    host: *const c_char,
    port: u16,
) -> sv2_result {
    with_mut(pool, |p| {
        known_conn(p, conn)?;
        let host = if host.is_null() { "" } else { str_arg(host)? };
        p.pool.engine_mut().reconnect(conn, host, port)?;
        Ok(())
    })
}

/// Sets a channel's target (clamped to the pool's and the miner's bounds) and sends SetTarget.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
/// `SV2_ERR_UNKNOWN_CHANNEL`.
/// In: `target`: 32 bytes. Out: `applied_out`: the target set after clamping (may be NULL).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_set_target(
    pool: *mut sv2_pool,
    conn: u64,
    channel_id: u32,
    target: *const u8,
    now_ms: u64,
    applied_out: *mut u8,
) -> sv2_result {
    with_mut(pool, |p| {
        known_conn(p, conn)?;
        let t = U256(in_array::<32>(target, "target")?);
        let applied = p
            .pool
            .engine_mut()
            .set_target(conn, channel_id, t, now_ms)?;
        if !applied_out.is_null() {
            write_array(applied_out, &applied.0);
        }
        Ok(())
    })
}

/// A snapshot of every open channel's statistics, ordered by connection and channel id, and
/// the pool's totals.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_BUFFER_TOO_SMALL`
/// (`*count_out` tells the number of channels). Pass a NULL
/// `stats` and 0 to ask for the count.
/// In: `now_ms` (for the hash rate window). Out: `stats`/`cap`: room for `cap` entries, whose
/// `user_identity` pointers are valid until the next mutating call on this pool. `count_out`:
/// entries written. `summary_out`: may be NULL.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_snapshot(
    pool: *mut sv2_pool,
    now_ms: u64,
    stats: *mut sv2_channel_stats,
    cap: usize,
    count_out: *mut usize,
    summary_out: *mut sv2_pool_summary,
) -> sv2_result {
    with_mut(pool, |p| {
        let count_out = out_ptr(count_out, "count_out")?;
        let snap = p.pool.engine().snapshot(now_ms);
        let n = snap.channels.len();
        write_out(count_out, n);
        if cap < n {
            return Err(Error::new(
                SV2_ERR_BUFFER_TOO_SMALL,
                format!("room for {cap} channels, {n} open"),
            ));
        }
        if n > 0 {
            let stats = out_ptr(stats, "stats")?;
            p.snapshot = snap.channels;
            for (i, s) in p.snapshot.iter().enumerate() {
                // SAFETY: the C contract: `stats` has room for `cap` >= n entries.
                unsafe { stats.add(i).write(sv2_channel_stats::from_stats(s)) };
            }
        }
        if !summary_out.is_null() {
            write_out(
                summary_out,
                sv2_pool_summary {
                    connections: snap.connections,
                    channels: n,
                    has_prev_hash: snap.prev_hash.is_some(),
                    prev_hash: snap.prev_hash.map_or([0; 32], |h| h.0),
                    has_active_job: snap.active_job_id.is_some(),
                    active_job_id: snap.active_job_id.unwrap_or(0),
                    total_hashrate: snap.total_hashrate,
                    blocks_found: snap.blocks_found,
                },
            );
        }
        Ok(())
    })
}
