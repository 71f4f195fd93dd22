//! Template Distribution (spec §6) in C: `sv2_block_template` (what a template source hands
//! the provider), `sv2_synthetic_block_source` (templates without a node, for demos and
//! tests), `sv2_template_provider` (the server role over many connections) and
//! `sv2_template_client` (what a pool runs towards its provider), plus the glue that feeds an
//! `sv2_pool` from a template client and returns its blocks as SubmitSolution.

use super::messages::{message_from_view, View};
use super::session::{
    seed_arg, server_identity_arg, set_timeouts, str0255_arg, ClientSecurityChoice,
};
use super::*;
use crate::codec::U256;
use crate::keys::{AuthorityPublicKey, Certificate, Host, PoolUrl, Security, StaticSecretKey};
use crate::noise::{InitiatorConfig, ResponderConfig};
use crate::session::{
    ClientSecurity, CloseReason, ConnectionId, ServerConfig, ServerSecurity, SessionError,
};
use crate::template::{
    BlockTemplate, ProviderConfig, ProviderError, ProviderEvent, SyntheticBlockSource,
    TemplateClient, TemplateClientConfig, TemplateClientEvent, TemplateError, TemplateProvider,
    TemplateTransaction, TemplateUpdate, TxError,
};
use std::collections::HashSet;

impl From<TxError> for Error {
    fn from(e: TxError) -> Self {
        Error::new(SV2_ERR_INVALID_TRANSACTION, e.to_string())
    }
}

impl From<TemplateError> for Error {
    fn from(e: TemplateError) -> Self {
        let code = match &e {
            TemplateError::Transaction { .. } => SV2_ERR_INVALID_TRANSACTION,
            _ => SV2_ERR_INVALID_TEMPLATE,
        };
        Error::new(code, e.to_string())
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::StaleTip => Error::new(SV2_ERR_STALE_TIP, e.to_string()),
            ProviderError::Template(t) => t.into(),
        }
    }
}

/// `(SV2_CLOSE_*, error code, text)` of a close reason.
fn close_parts(reason: CloseReason, peer: &str) -> (u32, sv2_result, String) {
    match reason {
        CloseReason::SetupRejected { flags, error_code } => (
            SV2_CLOSE_SETUP_REJECTED,
            SV2_OK,
            format!(
                "SetupConnection.Error: {} (flags {flags:#x})",
                String::from_utf8_lossy(error_code.as_bytes())
            ),
        ),
        CloseReason::PeerClosed => (
            SV2_CLOSE_PEER_CLOSED,
            SV2_OK,
            format!("the {peer} closed the connection"),
        ),
        CloseReason::LocalClose => (SV2_CLOSE_LOCAL, SV2_OK, "closed locally".to_owned()),
        CloseReason::Error(e) => {
            let e = Error::from(e);
            (SV2_CLOSE_ERROR, e.code, e.message)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Block templates

/// A block template as a template source (a Bitcoin node, the synthetic source) knows it:
/// header fields, height, coinbase value and the transactions in block order. Made by
/// `sv2_block_template_new()` or `sv2_synthetic_block_source_next_block()`, given to
/// `sv2_template_provider_set_template()` (which copies it), freed by
/// `sv2_block_template_free()`.
#[derive(Debug)]
pub struct sv2_block_template {
    state: HandleState,
    template: BlockTemplate,
}

impl Handle for sv2_block_template {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a template without transactions; add them with `sv2_block_template_add_transaction()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `version`: header version. `prev_hash`, `target`: 32 bytes each, internal byte order
/// (little-endian, as in the header and `getblocktemplate`'s values reversed). `nbits`:
/// header bits. `header_timestamp`: the block time to start from (`curtime`). `min_time`: the
/// earliest valid block time (`mintime`). `height`: the block's height (BIP34). `coinbase_value`:
/// subsidy plus fees in satoshis. `segwit`: whether the block commits to witnesses (BIP141).
/// Out: `template_out`: to free with `sv2_block_template_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sv2_block_template_new(
    version: u32,
    prev_hash: *const u8,
    nbits: u32,
    target: *const u8,
    header_timestamp: u32,
    min_time: u32,
    height: u32,
    coinbase_value: u64,
    segwit: bool,
    template_out: *mut *mut sv2_block_template,
) -> sv2_result {
    boundary(|| {
        let prev_hash = U256(in_array::<32>(prev_hash, "prev_hash")?);
        let target = U256(in_array::<32>(target, "target")?);
        let out = out_ptr(template_out, "template_out")?;
        new_handle(
            sv2_block_template {
                state: HandleState::default(),
                template: BlockTemplate {
                    version,
                    prev_hash,
                    nbits,
                    target,
                    header_timestamp,
                    min_time,
                    height,
                    coinbase_value,
                    segwit,
                    transactions: Vec::new(),
                },
            },
            out,
        );
        Ok(())
    })
}

/// Frees a template. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_block_template_free(template_: *mut sv2_block_template) {
    free_handle(template_)
}

/// The text of the last error a `sv2_block_template_*` call returned.
///
/// Returns: a NUL-terminated string owned by the template (`""` if none), valid until the next
/// mutating call on it; a fixed text if `template_` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_block_template_last_error(
    template_: *const sv2_block_template,
) -> *const c_char {
    last_error_of(template_)
}

/// Appends a transaction (block order, after the coinbase). The bytes are parsed to compute
/// the txid and weight the merkle path and the block's room need.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_TRANSACTION` if
/// the bytes are not exactly one transaction (truncated, trailing bytes, no inputs, a bad
/// segwit marker; `sv2_block_template_last_error()` says where). Nothing changes on error.
/// In: `data`/`len`: the serialized transaction (with witnesses if it has any), copied.
/// `sigops`: its signature operation cost. `fee`: satoshis.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_block_template_add_transaction(
    template_: *mut sv2_block_template,
    data: *const u8,
    len: usize,
    sigops: u64,
    fee: u64,
) -> sv2_result {
    with_mut(template_, |t| {
        let bytes = in_slice(data, len, "data")?;
        let tx = TemplateTransaction::new(bytes.to_vec(), sigops, fee)?;
        t.template.transactions.push(tx);
        Ok(())
    })
}

/// Transactions in the template (the coinbase not counted).
///
/// Returns: the count; 0 for a NULL or poisoned template.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_block_template_transaction_count(
    template_: *const sv2_block_template,
) -> usize {
    read_value(template_, 0, |t| t.template.transactions.len())
}

/// The template's height.
///
/// Returns: the height; 0 for a NULL or poisoned template.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_block_template_height(template_: *const sv2_block_template) -> u32 {
    read_value(template_, 0, |t| t.template.height)
}

// ---------------------------------------------------------------------------------------------
// Synthetic block source

/// Templates and tips without a Bitcoin node, for demos and tests: regtest difficulty,
/// invented prevhashes, valid BIP34 heights and real (made-up) legacy and segwit transactions.
/// Deterministic from its seed.
#[derive(Debug)]
pub struct sv2_synthetic_block_source {
    state: HandleState,
    source: SyntheticBlockSource,
}

impl Handle for sv2_synthetic_block_source {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a synthetic source building block `height` with `transactions` transactions in the
/// first template of each tip (later templates on the same tip add a few).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `source_out`: to free with `sv2_synthetic_block_source_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_synthetic_block_source_new(
    seed: u64,
    height: u32,
    transactions: usize,
    source_out: *mut *mut sv2_synthetic_block_source,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(source_out, "source_out")?;
        new_handle(
            sv2_synthetic_block_source {
                state: HandleState::default(),
                source: SyntheticBlockSource::new(seed, height).with_transactions(transactions),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a synthetic source. NULL is a no-op. Templates it made stay valid.
#[no_mangle]
pub extern "C" fn sv2_synthetic_block_source_free(source: *mut sv2_synthetic_block_source) {
    free_handle(source)
}

/// The first template on the current tip (hand it to `sv2_template_provider_set_template()`:
/// a new tip).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// In: `header_timestamp`: the block time (unix seconds).
/// Out: `template_out`: a new template, to free with `sv2_block_template_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_synthetic_block_source_next_block(
    source: *mut sv2_synthetic_block_source,
    header_timestamp: u32,
    template_out: *mut *mut sv2_block_template,
) -> sv2_result {
    with_mut(source, |s| {
        let out = out_ptr(template_out, "template_out")?;
        let template = s.source.next_block(header_timestamp);
        new_handle(
            sv2_block_template {
                state: HandleState::default(),
                template,
            },
            out,
        );
        Ok(())
    })
}

/// Another template on the same tip with a few more transactions (fees rose): the provider
/// sends it as a non-future template (R133).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `template_out`: a new template, to free with `sv2_block_template_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_synthetic_block_source_update(
    source: *mut sv2_synthetic_block_source,
    header_timestamp: u32,
    template_out: *mut *mut sv2_block_template,
) -> sv2_result {
    with_mut(source, |s| {
        let out = out_ptr(template_out, "template_out")?;
        let template = s.source.update(header_timestamp);
        new_handle(
            sv2_block_template {
                state: HandleState::default(),
                template,
            },
            out,
        );
        Ok(())
    })
}

/// A block was found on the current tip: the next template builds on `block_hash` one height
/// up.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// In: `block_hash`: 32 bytes, internal byte order (`sv2_template_provider_event.block_hash`).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_synthetic_block_source_advance(
    source: *mut sv2_synthetic_block_source,
    block_hash: *const u8,
) -> sv2_result {
    with_mut(source, |s| {
        s.source
            .advance(U256(in_array::<32>(block_hash, "block_hash")?));
        Ok(())
    })
}

/// The height of the next block.
///
/// Returns: the height; 0 for a NULL or poisoned source.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_synthetic_block_source_height(
    source: *const sv2_synthetic_block_source,
) -> u32 {
    read_value(source, 0, |s| s.source.height())
}

// ---------------------------------------------------------------------------------------------
// Template provider configuration

/// Configuration of a template provider: security (Noise key and certificate, or plaintext),
/// timeouts and how many templates it keeps for RequestTransactionData and SubmitSolution.
/// Made by `sv2_template_provider_config_new()`, freed by
/// `sv2_template_provider_config_free()`; a provider copies it.
#[derive(Debug)]
pub struct sv2_template_provider_config {
    state: HandleState,
    server: ServerConfig,
    noise: Option<(StaticSecretKey, Certificate)>,
    plaintext: bool,
    rng_seed: Option<[u8; 32]>,
    max_templates: usize,
}

impl Handle for sv2_template_provider_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a provider configuration (64 templates kept, default timeouts) with no security
/// choice yet: call `sv2_template_provider_config_set_noise()` or `_set_plaintext()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: to free with `sv2_template_provider_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_config_new(
    config_out: *mut *mut sv2_template_provider_config,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        let defaults = ProviderConfig::new(ServerConfig::new(ServerSecurity::Plaintext, vec![]));
        new_handle(
            sv2_template_provider_config {
                state: HandleState::default(),
                server: defaults.server,
                noise: None,
                plaintext: false,
                rng_seed: None,
                max_templates: defaults.max_templates,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a provider configuration. NULL is a no-op. Providers made from it are not affected.
#[no_mangle]
pub extern "C" fn sv2_template_provider_config_free(config: *mut sv2_template_provider_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_template_provider_config_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
/// mutating call on it; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_provider_config_last_error(
    config: *const sv2_template_provider_config,
) -> *const c_char {
    last_error_of(config)
}

/// Secures connections with Noise NX, as `sv2_pool_config_set_noise()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
/// issued for this key.
/// In: `static_secret`: 32 bytes (copied). `certificate`: copied.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_config_set_noise(
    config: *mut sv2_template_provider_config,
    static_secret: *const u8,
    certificate: *const sv2_certificate,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise = Some(server_identity_arg(static_secret, certificate)?);
        c.plaintext = false;
        Ok(())
    })
}

/// Disables encryption (a provider next to its pool on a trusted network).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_config_set_plaintext(
    config: *mut sv2_template_provider_config,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise = None;
        c.plaintext = true;
        Ok(())
    })
}

/// Sets the session timeouts in milliseconds (0 disables one).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_config_set_timeouts(
    config: *mut sv2_template_provider_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(&mut c.server.timeouts, handshake_ms, setup_ms, idle_ms);
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
pub extern "C" fn sv2_template_provider_config_set_rng_seed(
    config: *mut sv2_template_provider_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

/// How many templates the provider keeps for RequestTransactionData and SubmitSolution (the
/// oldest is dropped first; its id then gets `template-id-not-found`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for 0.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_config_set_max_templates(
    config: *mut sv2_template_provider_config,
    max_templates: usize,
) -> sv2_result {
    with_mut(config, |c| {
        if max_templates == 0 {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "max_templates must be >= 1",
            ));
        }
        c.max_templates = max_templates;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Template provider

/// No event (`sv2_template_provider_event.type`).
pub const SV2_PROVIDER_EVENT_NONE: u32 = 0;
/// A connection completed SetupConnection for Template Distribution (`conn`; `setup`: its
/// SetupConnection, read with `sv2_message_as_setup_connection()`).
pub const SV2_PROVIDER_EVENT_CONNECTED: u32 = 1;
/// A client announced its coinbase outputs (`conn`, `size`:
/// `coinbase_output_max_additional_size`); templates follow on it.
pub const SV2_PROVIDER_EVENT_COINBASE_OUTPUT_DATA_SIZE: u32 = 2;
/// A SubmitSolution became a block (`conn`, `template_id`, `height`, `stale`, `block`: the
/// serialized block, `block_hash`, `header`): broadcast it (Bitcoin Core `submitblock`).
pub const SV2_PROVIDER_EVENT_SOLUTION: u32 = 3;
/// A SubmitSolution that is not a block (`conn`, `template_id`; `error`: 0 for a template the
/// provider does not know, else `SV2_ERR_INVALID_TEMPLATE`; `text`: why). The connection stays.
pub const SV2_PROVIDER_EVENT_SOLUTION_REFUSED: u32 = 4;
/// A client asked for more coinbase room than any block has (`conn`, `error`, `text`): it is
/// being closed (a CLOSED event follows).
pub const SV2_PROVIDER_EVENT_RESERVATION_REFUSED: u32 = 5;
/// A connection ended (`conn`, `close_reason`: `SV2_CLOSE_*`, `error`, `text`). Send what
/// `sv2_template_provider_data_to_send()` still holds, close the socket, then
/// `sv2_template_provider_remove()`.
pub const SV2_PROVIDER_EVENT_CLOSED: u32 = 6;

/// One event of a template provider, filled by `sv2_template_provider_next_event()` into
/// caller storage. Fields not listed for the event's `type` are zero (pointers NULL). Pointers
/// borrow from the provider and are valid until the next mutating call on it; nothing needs
/// freeing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_template_provider_event {
    /// `SV2_PROVIDER_EVENT_*`.
    pub r#type: u32,
    /// The connection (the id `sv2_template_provider_accept()` returned).
    pub conn: u64,
    /// COINBASE_OUTPUT_DATA_SIZE: the bytes of coinbase outputs the client adds.
    pub size: u32,
    /// SOLUTION, SOLUTION_REFUSED: the template the solution names.
    pub template_id: u64,
    /// SOLUTION: the block's height.
    pub height: u32,
    /// SOLUTION: the provider moved to another tip since that template (still broadcast it:
    /// it competes with the block that made it stale).
    pub stale: bool,
    /// SOLUTION: the whole serialized block (header, coinbase with its witness, the template's
    /// transactions).
    pub block: sv2_bytes,
    /// SOLUTION: the block hash, internal byte order.
    pub block_hash: [u8; 32],
    /// SOLUTION: the 80-byte header.
    pub header: [u8; 80],
    /// CONNECTED: the client's SetupConnection; never free it.
    pub setup: *const sv2_message,
    /// CLOSED: `SV2_CLOSE_*`.
    pub close_reason: u32,
    /// SOLUTION_REFUSED, RESERVATION_REFUSED, CLOSED with `SV2_CLOSE_ERROR`: the error code.
    pub error: sv2_result,
    /// SOLUTION_REFUSED, RESERVATION_REFUSED, CLOSED: a description (not NUL-terminated).
    pub text: sv2_bytes,
}

impl sv2_template_provider_event {
    fn empty() -> Self {
        sv2_template_provider_event {
            r#type: SV2_PROVIDER_EVENT_NONE,
            conn: 0,
            size: 0,
            template_id: 0,
            height: 0,
            stale: false,
            block: bytes_view(&[]),
            block_hash: [0; 32],
            header: [0; 80],
            setup: std::ptr::null(),
            close_reason: 0,
            error: SV2_OK,
            text: bytes_view(&[]),
        }
    }
}

/// Counters of a provider (`sv2_template_provider_stats()`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_provider_stats {
    /// Connections open now.
    pub connections: usize,
    /// Connections that sent CoinbaseOutputDataSize and get templates.
    pub clients: usize,
    /// NewTemplate messages sent.
    pub templates_sent: u64,
    /// Tips announced (SetNewPrevHash rounds).
    pub tips: u64,
    /// SubmitSolution messages that became blocks.
    pub solutions: u64,
    /// SubmitSolution messages refused.
    pub solutions_refused: u64,
    /// RequestTransactionData answered with `.Success`.
    pub transaction_data_served: u64,
    /// Height of the current template (0 before the first).
    pub height: u32,
}

/// `SV2_TEMPLATE_UPDATE_*` of `sv2_template_provider_set_template()`: a new tip (clients got a
/// future template and SetNewPrevHash).
pub const SV2_TEMPLATE_UPDATE_NEW_TIP: u32 = 1;
/// `sv2_template_provider_set_template()`: another template on the current tip (clients got a
/// non-future template).
pub const SV2_TEMPLATE_UPDATE_SAME_TIP: u32 = 2;

/// A Template Provider (§6): serves templates to pools and job negotiators over many
/// connections, answers RequestTransactionData, and turns SubmitSolution into full blocks. It
/// opens no socket, reads no clock and starts no threads.
///
/// Loop: on accept, `sv2_template_provider_accept()` names the connection; feed each socket's
/// bytes with `sv2_template_provider_receive_data()` (end of file: `_peer_closed()`); call
/// `_handle_timeout()` at `_poll_timeout()`; on every template from the node call
/// `_set_template()`; drain `_next_event()` (SOLUTION: broadcast the block); then, for every
/// connection, write what `_data_to_send()` gives.
pub struct sv2_template_provider {
    state: HandleState,
    provider: TemplateProvider,
    conns: HashSet<ConnectionId>,
    /// Storage the current event points into.
    ev_setup: Option<Box<sv2_message>>,
    ev_block: Vec<u8>,
    ev_text: Vec<u8>,
}

impl std::fmt::Debug for sv2_template_provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("sv2_template_provider")
            .field("connections", &self.conns.len())
            .finish()
    }
}

impl Handle for sv2_template_provider {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a provider. Clients get templates once `sv2_template_provider_set_template()` gave
/// the first one.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
/// neither Noise nor plaintext was chosen.
/// In: `config`: copied.
/// Out: `provider_out`: to free with `sv2_template_provider_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_new(
    config: *const sv2_template_provider_config,
    provider_out: *mut *mut sv2_template_provider,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(provider_out, "provider_out")?;
        let mut server = c.server.clone();
        server.security = match (&c.noise, c.plaintext) {
            (Some((secret, cert)), _) => {
                let mut noise = ResponderConfig::new(secret.clone(), *cert);
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
        let mut config = ProviderConfig::new(server);
        config.max_templates = c.max_templates;
        new_handle(
            sv2_template_provider {
                state: HandleState::default(),
                provider: TemplateProvider::new(config),
                conns: HashSet::new(),
                ev_setup: None,
                ev_block: Vec::new(),
                ev_text: Vec::new(),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a provider and everything it owns. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_template_provider_free(provider: *mut sv2_template_provider) {
    free_handle(provider)
}

/// A readable description of the last error on this provider (the last error a call
/// returned, or the last refusal or CLOSED event's reason).
///
/// Returns: a NUL-terminated string owned by the provider (`""` if none), valid until the next
/// mutating call on it; a fixed text if `provider` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_provider_last_error(
    provider: *const sv2_template_provider,
) -> *const c_char {
    last_error_of(provider)
}

fn known_provider_conn(p: &sv2_template_provider, conn: u64) -> Result<(), Error> {
    if p.conns.contains(&conn) {
        Ok(())
    } else {
        Err(Error::new(
            SV2_ERR_UNKNOWN_CONNECTION,
            format!("unknown connection {conn}"),
        ))
    }
}

/// A new connection (the caller accepted its socket).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NOISE_INTERNAL`.
/// In: `now_ms`. Out: `conn_out`: the connection's id (never reused).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_accept(
    provider: *mut sv2_template_provider,
    now_ms: u64,
    conn_out: *mut u64,
) -> sv2_result {
    with_mut(provider, |p| {
        let out = out_ptr(conn_out, "conn_out")?;
        let conn = p.provider.accept(now_ms)?;
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
pub extern "C" fn sv2_template_provider_receive_data(
    provider: *mut sv2_template_provider,
    conn: u64,
    data: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(provider, |p| {
        let bytes = in_slice(data, len, "data")?;
        known_provider_conn(p, conn)?;
        p.provider.receive_data(conn, bytes, now_ms)?;
        Ok(())
    })
}

/// `conn`'s socket reached end of file; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_peer_closed(
    provider: *mut sv2_template_provider,
    conn: u64,
) -> sv2_result {
    with_mut(provider, |p| {
        known_provider_conn(p, conn)?;
        p.provider.peer_closed(conn);
        Ok(())
    })
}

/// Closes `conn` from the provider's side; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_close(
    provider: *mut sv2_template_provider,
    conn: u64,
) -> sv2_result {
    with_mut(provider, |p| {
        known_provider_conn(p, conn)?;
        p.provider.close(conn);
        Ok(())
    })
}

/// Forgets a connection (after its CLOSED event and its last bytes). Its id is never reused.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_remove(
    provider: *mut sv2_template_provider,
    conn: u64,
) -> sv2_result {
    with_mut(provider, |p| {
        known_provider_conn(p, conn)?;
        p.provider.remove(conn);
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
pub extern "C" fn sv2_template_provider_data_to_send(
    provider: *mut sv2_template_provider,
    conn: u64,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
) -> sv2_result {
    with_mut(provider, |p| {
        let n_out = out_ptr(n_out, "n_out")?;
        known_provider_conn(p, conn)?;
        if cap == 0 {
            write_out(n_out, 0);
            return Ok(());
        }
        let slice = out_slice(buf, cap, "buf")?;
        write_out(n_out, p.provider.data_to_send(conn, slice));
        Ok(())
    })
}

/// Whether `conn` has bytes waiting (answers queued since the last `_next_event()` or
/// `_data_to_send()` may not be counted yet).
///
/// Returns: true if so; false otherwise, for an unknown connection and a NULL or poisoned
/// provider.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_provider_wants_write(
    provider: *const sv2_template_provider,
    conn: u64,
) -> bool {
    read_value(provider, false, |p| p.provider.wants_write(conn))
}

/// When `sv2_template_provider_handle_timeout()` must next be called.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_poll_timeout(
    provider: *const sv2_template_provider,
    deadline_ms_out: *mut u64,
) -> sv2_result {
    with_ref(provider, |p| {
        let out = out_ptr(deadline_ms_out, "deadline_ms_out")?;
        write_out(out, p.provider.poll_timeout().unwrap_or(SV2_NO_TIMEOUT));
        Ok(())
    })
}

/// Fires expired timers.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: possibly.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_handle_timeout(
    provider: *mut sv2_template_provider,
    now_ms: u64,
) -> sv2_result {
    with_mut(provider, |p| {
        p.provider.handle_timeout(now_ms);
        Ok(())
    })
}

/// Hands the provider a template from its source. On a new tip every client gets a future
/// template and the SetNewPrevHash that activates it; on the current tip a non-future
/// template (R132, R133). A client whose coinbase reservation this template cannot leave room
/// for is closed (RESERVATION_REFUSED).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_STALE_TIP` if the
/// template builds on a tip the provider already left (nothing is sent: clients never go back
/// to a stale chain).
/// In: `template_`: copied. `now_ms`.
/// Out: `update_out`: `SV2_TEMPLATE_UPDATE_NEW_TIP` or `_SAME_TIP` (may be NULL).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_set_template(
    provider: *mut sv2_template_provider,
    template_: *const sv2_block_template,
    now_ms: u64,
    update_out: *mut u32,
) -> sv2_result {
    with_mut(provider, |p| {
        let mut template = None;
        let rc = with_ref(template_, |t| {
            template = Some(t.template.clone());
            Ok(())
        });
        let Some(template) = template else {
            return Err(Error::new(rc, "template_ is NULL or poisoned"));
        };
        let update = p.provider.set_template(template, now_ms)?;
        if !update_out.is_null() {
            write_out(
                update_out,
                match update {
                    TemplateUpdate::NewTip => SV2_TEMPLATE_UPDATE_NEW_TIP,
                    TemplateUpdate::SameTip => SV2_TEMPLATE_UPDATE_SAME_TIP,
                },
            );
        }
        Ok(())
    })
}

/// The provider's counters.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `stats_out`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_stats(
    provider: *const sv2_template_provider,
    stats_out: *mut sv2_provider_stats,
) -> sv2_result {
    with_ref(provider, |p| {
        let out = out_ptr(stats_out, "stats_out")?;
        let s = p.provider.stats();
        write_out(
            out,
            sv2_provider_stats {
                connections: s.connections,
                clients: s.clients,
                templates_sent: s.templates_sent,
                tips: s.tips,
                solutions: s.solutions,
                solutions_refused: s.solutions_refused,
                transaction_data_served: s.transaction_data_served,
                height: s.height,
            },
        );
        Ok(())
    })
}

/// The next event, or `SV2_PROVIDER_EVENT_NONE` when idle. Also answers what the clients sent
/// (templates after CoinbaseOutputDataSize, RequestTransactionData).
///
/// Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
/// this provider.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_provider_next_event(
    provider: *mut sv2_template_provider,
    event_out: *mut sv2_template_provider_event,
) -> sv2_result {
    with_mut(provider, |p| {
        let out = out_ptr(event_out, "event_out")?;
        p.ev_setup = None;
        p.ev_block.clear();
        p.ev_text.clear();
        let mut ev = sv2_template_provider_event::empty();
        let mut text = None;
        match p.provider.next_event() {
            None => {}
            Some(ProviderEvent::Connected { conn, setup }) => {
                ev.r#type = SV2_PROVIDER_EVENT_CONNECTED;
                ev.conn = conn;
                let mut wrapped =
                    sv2_message::wrap(crate::messages::Message::SetupConnection(setup));
                wrapped.session_owned = true;
                ev.setup = &*wrapped;
                p.ev_setup = Some(wrapped);
            }
            Some(ProviderEvent::CoinbaseOutputDataSize { conn, size }) => {
                ev.r#type = SV2_PROVIDER_EVENT_COINBASE_OUTPUT_DATA_SIZE;
                ev.conn = conn;
                ev.size = size;
            }
            Some(ProviderEvent::ReservationRefused { conn, error }) => {
                ev.r#type = SV2_PROVIDER_EVENT_RESERVATION_REFUSED;
                ev.conn = conn;
                let e = Error::from(error);
                ev.error = e.code;
                text = Some(e.message);
            }
            Some(ProviderEvent::Solution {
                conn,
                template_id,
                height,
                stale,
                block,
            }) => {
                ev.r#type = SV2_PROVIDER_EVENT_SOLUTION;
                ev.conn = conn;
                ev.template_id = template_id;
                ev.height = height;
                ev.stale = stale;
                ev.block_hash = block.hash.0;
                ev.header = block.header;
                p.ev_block = block.bytes;
                ev.block = bytes_view(&p.ev_block);
            }
            Some(ProviderEvent::SolutionRefused {
                conn,
                template_id,
                error,
            }) => {
                ev.r#type = SV2_PROVIDER_EVENT_SOLUTION_REFUSED;
                ev.conn = conn;
                ev.template_id = template_id;
                match error {
                    None => text = Some(format!("unknown template id {template_id}")),
                    Some(error) => {
                        let e = Error::from(error);
                        ev.error = e.code;
                        text = Some(e.message);
                    }
                }
            }
            Some(ProviderEvent::Closed { conn, reason }) => {
                ev.r#type = SV2_PROVIDER_EVENT_CLOSED;
                ev.conn = conn;
                let (reason, error, message) = close_parts(reason, "client");
                ev.close_reason = reason;
                ev.error = error;
                text = Some(message);
            }
        }
        if let Some(text) = text {
            p.state.set_error(&text);
            p.ev_text = text.into_bytes();
        }
        ev.text = bytes_view(&p.ev_text);
        write_out(out, ev);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Template client configuration

/// Configuration of a template client (a pool's connection to its Template Provider): the
/// provider (URL or key), the vendor string, the coinbase outputs the pool adds, timeouts.
/// Made by `sv2_template_client_config_new()`, freed by `sv2_template_client_config_free()`;
/// a client copies it.
#[derive(Debug)]
pub struct sv2_template_client_config {
    state: HandleState,
    config: TemplateClientConfig,
    security: ClientSecurityChoice,
    rng_seed: Option<[u8; 32]>,
}

impl Handle for sv2_template_client_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a template client configuration: vendor `"libsv2"`, no coinbase reservation, default
/// timeouts, no provider yet: call `sv2_template_client_config_set_provider_url()` (or
/// `_set_authority_key()` / `_set_plaintext()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: to free with `sv2_template_client_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_new(
    config_out: *mut *mut sv2_template_client_config,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        new_handle(
            sv2_template_client_config {
                state: HandleState::default(),
                config: TemplateClientConfig::new(ClientSecurity::Plaintext, "libsv2", 0),
                security: ClientSecurityChoice::Unset,
                rng_seed: None,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a template client configuration. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_template_client_config_free(config: *mut sv2_template_client_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_template_client_config_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
/// mutating call on it; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_client_config_last_error(
    config: *const sv2_template_client_config,
) -> *const c_char {
    last_error_of(config)
}

/// Sets the provider from its URL, in the pool URL syntax: `stratum2+tcp://HOST:PORT/<authority
/// key>` (Noise) or `stratum2+tcp+plain://HOST:PORT` (plaintext). Host and port go into
/// SetupConnection; the caller connects the socket (`sv2_pool_url_parse()` gives them).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_*` (nothing is changed then).
/// In: `url`: NUL-terminated.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_provider_url(
    config: *mut sv2_template_client_config,
    url: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        let text = str_arg(url).map_err(|e| {
            if e.code == SV2_ERR_NULL_ARG {
                e
            } else {
                Error::new(SV2_ERR_URL_SCHEME, e.message)
            }
        })?;
        let parsed = PoolUrl::parse(text)?.require_2022()?;
        let host = match &parsed.host {
            Host::Domain(name) => name.clone(),
            Host::Ipv4(addr) => addr.to_string(),
            Host::Ipv6(addr) => addr.to_string(),
        };
        c.security = match parsed.security {
            Security::Noise { authority_key } => ClientSecurityChoice::Noise(authority_key),
            Security::Plaintext => ClientSecurityChoice::Plaintext,
            // Refused by `require_2022` above (issue 20: C sessions speak 2022 only so far).
            Security::Spec2025 { .. } => {
                return Err(Error::new(SV2_ERR_URL_KEY, "spec-2025 pool URL"))
            }
        };
        let setup = &mut c.config.session.setup;
        setup.endpoint_host = crate::codec::Str0255::from_bytes(host.into_bytes());
        setup.endpoint_port = parsed.port;
        Ok(())
    })
}

/// Uses Noise, trusting only providers certified by `authority_key`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID`.
/// In: `authority_key`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_authority_key(
    config: *mut sv2_template_client_config,
    authority_key: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        let key = in_array::<32>(authority_key, "authority_key")?;
        let text = AuthorityPublicKey::from_bytes(key).to_text();
        c.security = ClientSecurityChoice::Noise(AuthorityPublicKey::from_text(&text)?);
        Ok(())
    })
}

/// Disables encryption (trusted local networks only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_plaintext(
    config: *mut sv2_template_client_config,
) -> sv2_result {
    with_mut(config, |c| {
        c.security = ClientSecurityChoice::Plaintext;
        Ok(())
    })
}

/// Sets the vendor string sent in SetupConnection.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if longer than 255 bytes.
/// In: `vendor`: NUL-terminated, copied.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_vendor(
    config: *mut sv2_template_client_config,
    vendor: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        if vendor.is_null() {
            return Err(Error::null("vendor"));
        }
        c.config.session.setup.vendor = str0255_arg(vendor, "vendor")?;
        Ok(())
    })
}

/// The bytes of coinbase outputs the pool adds (its payout outputs, serialized; R135): sent
/// as CoinbaseOutputDataSize right after setup, and templates leave that room.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_coinbase_output_size(
    config: *mut sv2_template_client_config,
    size: u32,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.coinbase_output_max_additional_size = size;
        Ok(())
    })
}

/// Sets the session timeouts in milliseconds (0 disables one).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_config_set_timeouts(
    config: *mut sv2_template_client_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(
            &mut c.config.session.timeouts,
            handshake_ms,
            setup_ms,
            idle_ms,
        );
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
pub extern "C" fn sv2_template_client_config_set_rng_seed(
    config: *mut sv2_template_client_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Template client

/// No event (`sv2_template_client_event.type`).
pub const SV2_TEMPLATE_CLIENT_EVENT_NONE: u32 = 0;
/// Setup done and CoinbaseOutputDataSize sent: templates follow.
pub const SV2_TEMPLATE_CLIENT_EVENT_READY: u32 = 1;
/// A template (`msg`: read with `sv2_message_as_new_template()`; `template_id`). A future one
/// waits for its SET_NEW_PREV_HASH. Hand it to a pool with `sv2_pool_apply_template_event()`.
pub const SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE: u32 = 2;
/// A new tip activating a future template (`msg`: `sv2_message_as_tdp_set_new_prev_hash()`;
/// `template_id`).
pub const SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH: u32 = 3;
/// A template's transactions (`msg`: `sv2_message_as_request_transaction_data_success()`;
/// `template_id`).
pub const SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA: u32 = 4;
/// The provider could not give them (`msg`: `sv2_message_as_request_transaction_data_error()`;
/// `template_id`; `text`: the error code, `template-id-not-found` or `stale-template-id`).
pub const SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA_ERROR: u32 = 5;
/// The connection ended (`close_reason`: `SV2_CLOSE_*`, `error`, `text`). Reconnect with a
/// new client; a pool keeps its channels meanwhile.
pub const SV2_TEMPLATE_CLIENT_EVENT_CLOSED: u32 = 6;

/// One event of a template client, filled by `sv2_template_client_next_event()` into caller
/// storage. Fields not listed for the event's `type` are zero (pointers NULL). Pointers borrow
/// from the client and are valid until the next mutating call on it; nothing needs freeing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_template_client_event {
    /// `SV2_TEMPLATE_CLIENT_EVENT_*`.
    pub r#type: u32,
    /// The message (NEW_TEMPLATE, SET_NEW_PREV_HASH, TRANSACTION_DATA, TRANSACTION_DATA_ERROR);
    /// never free it.
    pub msg: *const sv2_message,
    /// The template the message is about.
    pub template_id: u64,
    /// CLOSED: `SV2_CLOSE_*`.
    pub close_reason: u32,
    /// CLOSED with `SV2_CLOSE_ERROR`: the error code.
    pub error: sv2_result,
    /// TRANSACTION_DATA_ERROR: the error code; CLOSED: a description (not NUL-terminated).
    pub text: sv2_bytes,
}

/// A pool's connection to its Template Provider (§6 client): sends CoinbaseOutputDataSize after
/// setup (R131), reports templates and tips, asks for transaction data, submits solutions. It
/// opens no socket, reads no clock and starts no threads.
///
/// Loop: as `sv2_miner`: write `sv2_template_client_data_to_send()` to the socket, feed what
/// arrives with `_receive_data()`, drain `_next_event()` (hand NEW_TEMPLATE and
/// SET_NEW_PREV_HASH to `sv2_pool_apply_template_event()`), and return the pool's blocks with
/// `sv2_template_client_submit_block_found()`.
pub struct sv2_template_client {
    state: HandleState,
    client: TemplateClient,
    /// Storage the current event points into.
    ev_msg: Option<Box<sv2_message>>,
    ev_text: Vec<u8>,
}

impl std::fmt::Debug for sv2_template_client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("sv2_template_client")
            .field("ready", &self.client.is_ready())
            .finish()
    }
}

impl Handle for sv2_template_client {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a template client and starts its connection: the Noise handshake (or, in plaintext,
/// the SetupConnection) is ready in `sv2_template_client_data_to_send()` once the socket is
/// connected.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if no
/// provider security was chosen; `SV2_ERR_RNG`.
/// In: `config`: copied. `now_unix_s`: wall-clock unix seconds (the provider certificate's
/// validity). `now_ms`: the caller's monotonic clock.
/// Out: `client_out`: to free with `sv2_template_client_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_new(
    config: *const sv2_template_client_config,
    now_unix_s: u64,
    now_ms: u64,
    client_out: *mut *mut sv2_template_client,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(client_out, "client_out")?;
        let mut config = c.config.clone();
        config.session.security = match c.security {
            ClientSecurityChoice::Unset => return Err(Error::new(
                SV2_ERR_INVALID_CONFIG,
                "choose the provider (set_provider_url, set_authority_key or set_plaintext) first",
            )),
            ClientSecurityChoice::Plaintext => ClientSecurity::Plaintext,
            ClientSecurityChoice::Noise(key) => {
                let mut noise = InitiatorConfig::new(key, now_unix_s);
                noise.rng_seed = c.rng_seed;
                ClientSecurity::Noise(noise)
            }
        };
        let client = TemplateClient::new(config, now_ms)?;
        new_handle(
            sv2_template_client {
                state: HandleState::default(),
                client,
                ev_msg: None,
                ev_text: Vec::new(),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a template client. NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_template_client_free(client: *mut sv2_template_client) {
    free_handle(client)
}

/// A readable description of the last error on this client (the last error a call returned,
/// or why the connection closed).
///
/// Returns: a NUL-terminated string owned by the client (`""` if none), valid until the next
/// mutating call on it; a fixed text if `client` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_client_last_error(
    client: *const sv2_template_client,
) -> *const c_char {
    last_error_of(client)
}

/// Feeds bytes received from the provider.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_CLOSED` if the
/// connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing consumed: drain events and
/// retry). Another code means the bytes broke the protocol and the connection closed: a
/// CLOSED event follows.
/// In: `data`/`len`: copied. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_receive_data(
    client: *mut sv2_template_client,
    data: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(client, |c| {
        let bytes = in_slice(data, len, "data")?;
        c.client.receive_data(bytes, now_ms)?;
        Ok(())
    })
}

/// Copies up to `cap` pending bytes into `buf`; call until `*n_out` is 0.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
/// `SV2_ERR_POISONED`.
/// Out: `buf`/`cap`, `n_out`: bytes copied.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_data_to_send(
    client: *mut sv2_template_client,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
) -> sv2_result {
    with_mut(client, |c| {
        let n_out = out_ptr(n_out, "n_out")?;
        if cap == 0 {
            write_out(n_out, 0);
            return Ok(());
        }
        let slice = out_slice(buf, cap, "buf")?;
        write_out(n_out, c.client.data_to_send(slice));
        Ok(())
    })
}

/// Whether bytes are waiting in `sv2_template_client_data_to_send()`.
///
/// Returns: true if so; false otherwise and for a NULL or poisoned client.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_client_wants_write(client: *const sv2_template_client) -> bool {
    read_value(client, false, |c| c.client.wants_write())
}

/// Whether the connection is set up (templates may arrive) and not closed.
///
/// Returns: true if so; false otherwise and for a NULL or poisoned client.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_template_client_is_ready(client: *const sv2_template_client) -> bool {
    read_value(client, false, |c| c.client.is_ready())
}

/// When `sv2_template_client_handle_timeout()` must next be called.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_poll_timeout(
    client: *const sv2_template_client,
    deadline_ms_out: *mut u64,
) -> sv2_result {
    with_ref(client, |c| {
        let out = out_ptr(deadline_ms_out, "deadline_ms_out")?;
        write_out(out, c.client.poll_timeout().unwrap_or(SV2_NO_TIMEOUT));
        Ok(())
    })
}

/// Fires expired timers.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: possibly.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_handle_timeout(
    client: *mut sv2_template_client,
    now_ms: u64,
) -> sv2_result {
    with_mut(client, |c| {
        c.client.handle_timeout(now_ms);
        Ok(())
    })
}

/// The socket reached end of file; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_peer_closed(client: *mut sv2_template_client) -> sv2_result {
    with_mut(client, |c| {
        c.client.peer_closed();
        Ok(())
    })
}

/// Closes the connection from this side; a CLOSED event follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_close(client: *mut sv2_template_client) -> sv2_result {
    with_mut(client, |c| {
        c.client.close();
        Ok(())
    })
}

/// The next event, or `SV2_TEMPLATE_CLIENT_EVENT_NONE` when idle.
///
/// Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
/// this client.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_next_event(
    client: *mut sv2_template_client,
    event_out: *mut sv2_template_client_event,
) -> sv2_result {
    with_mut(client, |c| {
        use crate::messages::Message;
        let out = out_ptr(event_out, "event_out")?;
        c.ev_msg = None;
        c.ev_text.clear();
        let mut ev = sv2_template_client_event {
            r#type: SV2_TEMPLATE_CLIENT_EVENT_NONE,
            msg: std::ptr::null(),
            template_id: 0,
            close_reason: 0,
            error: SV2_OK,
            text: bytes_view(&[]),
        };
        let mut close_text = None;
        let message = match c.client.next_event() {
            None => None,
            Some(TemplateClientEvent::Ready) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_READY;
                None
            }
            Some(TemplateClientEvent::NewTemplate(t)) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE;
                ev.template_id = t.template_id;
                Some(Message::from(t))
            }
            Some(TemplateClientEvent::SetNewPrevHash(p)) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH;
                ev.template_id = p.template_id;
                Some(Message::from(p))
            }
            Some(TemplateClientEvent::TransactionData(d)) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA;
                ev.template_id = d.template_id;
                Some(Message::from(d))
            }
            Some(TemplateClientEvent::TransactionDataError(e)) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA_ERROR;
                ev.template_id = e.template_id;
                c.ev_text = e.error_code.as_bytes().to_vec();
                Some(Message::from(e))
            }
            Some(TemplateClientEvent::Closed(reason)) => {
                ev.r#type = SV2_TEMPLATE_CLIENT_EVENT_CLOSED;
                let (reason, error, text) = close_parts(reason, "provider");
                ev.close_reason = reason;
                ev.error = error;
                close_text = Some(text);
                None
            }
        };
        if let Some(message) = message {
            let mut wrapped = sv2_message::wrap(message);
            wrapped.session_owned = true;
            ev.msg = &*wrapped;
            c.ev_msg = Some(wrapped);
        }
        if let Some(text) = close_text {
            c.state.set_error(&text);
            c.ev_text = text.into_bytes();
        }
        ev.text = bytes_view(&c.ev_text);
        write_out(out, ev);
        Ok(())
    })
}

fn sent(r: Result<(), SessionError>) -> Result<(), Error> {
    r.map_err(Error::from)
}

/// Asks for a template's transactions (R142); the answer is a TRANSACTION_DATA or
/// TRANSACTION_DATA_ERROR event.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE` before
/// setup completed; `SV2_ERR_CLOSED`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_request_transaction_data(
    client: *mut sv2_template_client,
    template_id: u64,
    now_ms: u64,
) -> sv2_result {
    with_mut(client, |c| {
        sent(c.client.request_transaction_data(template_id, now_ms))
    })
}

/// Sends a SubmitSolution (R144) the caller filled.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE` before
/// setup completed; `SV2_ERR_CLOSED`; `SV2_ERR_ENCODE_TOO_LONG` for a coinbase over 64 KiB.
/// In: `solution`: read during the call only. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_submit_solution(
    client: *mut sv2_template_client,
    solution: *const sv2_submit_solution,
    now_ms: u64,
) -> sv2_result {
    with_mut(client, |c| {
        let view = in_ref(solution, "solution")?;
        // SAFETY: the C contract: the view's pointers are valid for their lengths.
        let message = unsafe { message_from_view(&View::SubmitSolution(*view)) }?;
        let crate::messages::Message::SubmitSolution(s) = message else {
            return Err(Error::new(SV2_ERR_INVALID_ARG, "not a SubmitSolution"));
        };
        sent(c.client.submit_solution(s, now_ms))
    })
}

/// Sends the SubmitSolution of a block a pool found (its `SV2_POOL_EVENT_BLOCK_FOUND`) to the
/// provider whose template the job came from (R144).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG` if the event
/// is not BLOCK_FOUND; `SV2_ERR_WRONG_STATE`; `SV2_ERR_CLOSED`.
/// In: `pool_event`: the event as `sv2_pool_next_event()` filled it, before the next mutating
/// call on that pool (its `submit_solution` is read). `now_ms`.
/// Out: `sent_out`: false for a block of a custom job, which the pool assembles itself (may
/// be NULL).
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_template_client_submit_block_found(
    client: *mut sv2_template_client,
    pool_event: *const sv2_pool_event,
    now_ms: u64,
    sent_out: *mut bool,
) -> sv2_result {
    with_mut(client, |c| {
        let ev = in_ref(pool_event, "pool_event")?;
        if ev.r#type != SV2_POOL_EVENT_BLOCK_FOUND {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "pool_event is not SV2_POOL_EVENT_BLOCK_FOUND",
            ));
        }
        let solution = if ev.submit_solution.is_null() {
            None
        } else {
            let mut found = None;
            let rc = with_ref(ev.submit_solution, |m| {
                if let crate::messages::Message::SubmitSolution(s) = m.message() {
                    found = Some(s.clone());
                }
                Ok(())
            });
            if rc != SV2_OK {
                return Err(Error::new(rc, "pool_event.submit_solution is poisoned"));
            }
            found
        };
        let was_sent = match solution {
            Some(s) => {
                sent(c.client.submit_solution(s, now_ms))?;
                true
            }
            None => false,
        };
        if !sent_out.is_null() {
            write_out(sent_out, was_sent);
        }
        Ok(())
    })
}

/// Hands a template client's NEW_TEMPLATE or SET_NEW_PREV_HASH event to a pool, which makes
/// jobs of it for every channel (the pool then runs on the provider's templates instead of a
/// synthetic source). Other events are ignored (`SV2_OK`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; what `sv2_pool_new_template()` or
/// `sv2_pool_set_prev_hash()` return (`SV2_ERR_NO_PREV_HASH`, `SV2_ERR_UNKNOWN_TEMPLATE`,
/// `SV2_ERR_INVALID_TEMPLATE`, `SV2_ERR_EXHAUSTED`). Nothing changes on error.
/// In: `client_event`: as `sv2_template_client_next_event()` filled it, before the next
/// mutating call on that client. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_pool_apply_template_event(
    pool: *mut sv2_pool,
    client_event: *const sv2_template_client_event,
    now_ms: u64,
) -> sv2_result {
    with_mut(pool, |p| {
        let ev = in_ref(client_event, "client_event")?;
        if ev.r#type != SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE
            && ev.r#type != SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH
        {
            return Ok(());
        }
        if ev.msg.is_null() {
            return Err(Error::null("client_event.msg"));
        }
        let mut message = None;
        let rc = with_ref(ev.msg, |m| {
            message = Some(m.message().clone());
            Ok(())
        });
        let Some(message) = message else {
            return Err(Error::new(rc, "client_event.msg is poisoned"));
        };
        let event = match message {
            crate::messages::Message::NewTemplate(t) => TemplateClientEvent::NewTemplate(*t),
            crate::messages::Message::TdpSetNewPrevHash(h) => {
                TemplateClientEvent::SetNewPrevHash(*h)
            }
            _ => {
                return Err(Error::new(
                    SV2_ERR_INVALID_ARG,
                    "client_event.msg does not match its type",
                ))
            }
        };
        TemplateClient::feed_pool(&event, p.server_mut(), now_ms)?;
        Ok(())
    })
}
