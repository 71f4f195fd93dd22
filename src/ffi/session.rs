//! `sv2_client_config`, `sv2_server_config` and `sv2_session`: the sans-I/O connection.

use super::noise_options::{self, InitiatorOptions, ResponderOptions};
use super::*;
use crate::codec::{FrameHeader, RawFrame, Str0255, HEADER_LEN};
use crate::keys::{AuthorityPublicKey, Certificate, StaticSecretKey};
use crate::messages::{Message, Protocol};
use crate::noise::{Cipher, InitiatorConfig, NegotiationForm, ResponderConfig};
use crate::session::{
    protocol_of, ClientConfig, ClientSecurity, CloseReason, Event, ProtocolSupport, ServerConfig,
    ServerSecurity, Session, Timeouts,
};

/// `SetupConnection.protocol` of the Mining Protocol (also `sv2_event.protocol`).
pub const SV2_PROTOCOL_MINING: u32 = 0;
/// `SetupConnection.protocol` of the Job Negotiation Protocol.
pub const SV2_PROTOCOL_JOB_NEGOTIATION: u32 = 1;
/// `SetupConnection.protocol` of the Template Distribution Protocol.
pub const SV2_PROTOCOL_TEMPLATE_DISTRIBUTION: u32 = 2;

fn protocol_arg(protocol: u32) -> Result<Protocol, Error> {
    u8::try_from(protocol)
        .ok()
        .and_then(protocol_of)
        .ok_or_else(|| Error::new(SV2_ERR_INVALID_ARG, format!("unknown protocol {protocol}")))
}

pub(crate) fn str0255_arg(ptr: *const c_char, what: &str) -> Result<Str0255, Error> {
    if ptr.is_null() {
        return Ok(Str0255::default());
    }
    let bytes = cstr_arg(ptr)?.to_bytes();
    if bytes.len() > 255 {
        return Err(Error::new(
            SV2_ERR_INVALID_ARG,
            format!("{what}: {} bytes where at most 255 fit", bytes.len()),
        ));
    }
    Ok(Str0255::from_bytes(bytes.to_vec()))
}

pub(crate) fn seed_arg(seed: *const u8) -> Result<Option<[u8; 32]>, Error> {
    if seed.is_null() {
        Ok(None)
    } else {
        in_array::<32>(seed, "seed").map(Some)
    }
}

/// A timer from the C form, where 0 disables it.
pub(crate) fn timer_arg(ms: u64) -> Option<u64> {
    (ms != 0).then_some(ms)
}

/// Sets the three session timers of the `*_set_timeouts` calls from the C form (0 disables a
/// timer); the first-channel timer has its own setter and is kept.
pub(crate) fn set_timeouts(
    timeouts: &mut Timeouts,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) {
    timeouts.handshake_ms = timer_arg(handshake_ms);
    timeouts.setup_ms = timer_arg(setup_ms);
    timeouts.idle_ms = timer_arg(idle_ms);
}

/// A server's Noise identity: its static secret key and the certificate issued for it
/// (refused when the certificate names another key).
pub(crate) fn server_identity_arg(
    static_secret: *const u8,
    certificate: *const sv2_certificate,
) -> Result<(StaticSecretKey, Certificate), Error> {
    let secret = StaticSecretKey::from_bytes(in_array::<32>(static_secret, "static_secret")?);
    let cert = in_ref(certificate, "certificate")?;
    if secret.public_key().as_bytes() != &cert.server_public_key {
        return Err(Error::new(
            SV2_ERR_CERT_MALFORMED,
            "the certificate was issued for another server key",
        ));
    }
    Ok((secret, cert.to_core()))
}

// ---------------------------------------------------------------------------------------------
// Client configuration

#[derive(Debug, Clone, Copy)]
pub(crate) enum ClientSecurityChoice {
    Unset,
    Plaintext,
    Noise(AuthorityPublicKey),
}

/// Configuration of client sessions: what `sv2_session_new_client()` copies.
///
/// Made by `sv2_client_config_new()`, changed by the `sv2_client_config_set_*` functions, freed
/// by `sv2_client_config_free()`. Sessions copy what they need, so a config may be changed or
/// freed while sessions made from it live. Several threads may make sessions from one config at
/// once, as long as none changes it meanwhile.
#[derive(Debug)]
pub struct sv2_client_config {
    state: HandleState,
    config: ClientConfig,
    security: ClientSecurityChoice,
    noise_options: InitiatorOptions,
    rng_seed: Option<[u8; 32]>,
}

impl Handle for sv2_client_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a client configuration: Mining Protocol, flags 0, vendor `"libsv2"`, the spec
/// dialect, default timeouts (10 s handshake, 10 s setup, no idle timeout), OS randomness, and
/// no security choice yet: call `sv2_client_config_set_authority_key()` (Noise, normal case)
/// or `sv2_client_config_set_plaintext()` (local networks only) before making sessions.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: the new config, to free with `sv2_client_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_new(config_out: *mut *mut sv2_client_config) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        let config = ClientConfig::new(ClientSecurity::Plaintext, Protocol::Mining, 0, "libsv2");
        new_handle(
            sv2_client_config {
                state: HandleState::default(),
                config,
                security: ClientSecurityChoice::Unset,
                noise_options: InitiatorOptions::default(),
                rng_seed: None,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a client configuration. NULL is a no-op. Sessions made from it are not affected.
#[no_mangle]
pub extern "C" fn sv2_client_config_free(config: *mut sv2_client_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_client_config_set_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if there was none), valid until
/// the next mutating call on this config; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_client_config_last_error(config: *const sv2_client_config) -> *const c_char {
    last_error_of(config)
}

/// Secures sessions with Noise NX, accepting only servers whose certificate the pool authority
/// `authority_key` signed (the key of the pool URL).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID` if the 32 bytes are not an
/// Ed25519 public key.
/// Args: `config`. In: `authority_key`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_authority_key(
    config: *mut sv2_client_config,
    authority_key: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        let key = in_array::<32>(authority_key, "authority_key")?;
        let text = AuthorityPublicKey::from_bytes(key).to_text();
        let key = AuthorityPublicKey::from_text(&text)?;
        c.security = ClientSecurityChoice::Noise(key);
        Ok(())
    })
}

/// Disables encryption: the connection is neither confidential nor authenticated. Only for a
/// trusted local network (R18).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_plaintext(config: *mut sv2_client_config) -> sv2_result {
    with_mut(config, |c| {
        c.security = ClientSecurityChoice::Plaintext;
        Ok(())
    })
}

/// Sets the sub-protocol and the SetupConnection flags.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an unknown protocol.
/// In: `protocol`: `SV2_PROTOCOL_*`. `flags`: the protocol's SetupConnection flags.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_protocol(
    config: *mut sv2_client_config,
    protocol: u32,
    flags: u32,
) -> sv2_result {
    with_mut(config, |c| {
        protocol_arg(protocol)?;
        c.config.setup.protocol = protocol as u8;
        c.config.setup.flags = flags;
        Ok(())
    })
}

/// Sets the device description sent in SetupConnection (R36).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if a
/// string is longer than 255 bytes (nothing is changed then).
/// In: NUL-terminated strings, each NULL for empty; copied.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_device(
    config: *mut sv2_client_config,
    vendor: *const c_char,
    hardware_version: *const c_char,
    firmware: *const c_char,
    device_id: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        let vendor = str0255_arg(vendor, "vendor")?;
        let hardware_version = str0255_arg(hardware_version, "hardware_version")?;
        let firmware = str0255_arg(firmware, "firmware")?;
        let device_id = str0255_arg(device_id, "device_id")?;
        let setup = &mut c.config.setup;
        setup.vendor = vendor;
        setup.hardware_version = hardware_version;
        setup.firmware = firmware;
        setup.device_id = device_id;
        Ok(())
    })
}

/// Sets the endpoint announced in SetupConnection (the host and port the client connected to).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if `host`
/// is longer than 255 bytes.
/// In: `host`: NUL-terminated (NULL for empty), copied. `port`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_endpoint(
    config: *mut sv2_client_config,
    host: *const c_char,
    port: u16,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.setup.endpoint_host = str0255_arg(host, "host")?;
        c.config.setup.endpoint_port = port;
        Ok(())
    })
}

/// Takes security and endpoint from a parsed pool URL: Noise with its authority key, or
/// plaintext for `stratum2+tcp+plain://`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `url->host` is not
/// NUL-terminated; `SV2_ERR_KEY_INVALID`.
/// In: `url`: from `sv2_pool_url_parse()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_pool_url(
    config: *mut sv2_client_config,
    url: *const sv2_pool_url,
) -> sv2_result {
    with_mut(config, |c| {
        let url = in_ref(url, "url")?;
        let host_bytes = url.host.map(|c| c as u8);
        let host = CStr::from_bytes_until_nul(&host_bytes)
            .map_err(|_| Error::new(SV2_ERR_INVALID_ARG, "url host is not NUL-terminated"))?;
        let security = if url.noise {
            let text = AuthorityPublicKey::from_bytes(url.authority_key).to_text();
            ClientSecurityChoice::Noise(AuthorityPublicKey::from_text(&text)?)
        } else {
            ClientSecurityChoice::Plaintext
        };
        c.config.setup.endpoint_host = Str0255::from_bytes(host.to_bytes().to_vec());
        c.config.setup.endpoint_port = url.port;
        c.security = security;
        Ok(())
    })
}

/// Sets the wire dialect of the pool (`SV2_DIALECT_*`). The dialect also selects the Noise
/// negotiation (`SV2_DIALECT_BRAIINS_2021`: the Braiins 2021 "STR2"; the others SRI's "STR3")
/// unless `sv2_client_config_set_noise_profile()` overrides it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_dialect(
    config: *mut sv2_client_config,
    dialect: sv2_dialect,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.dialect = dialect_of(dialect)?;
        Ok(())
    })
}

/// Overrides the Noise negotiation the dialect selects: `"sri-2023"` (STR3) or
/// `"braiins-2021"` (STR2), case-insensitive; NULL (the default) follows the dialect set with
/// `sv2_client_config_set_dialect()`. Rust `InitiatorConfig::profile`, Python `noise_profile`, Node
/// `noiseProfile`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// unknown name (nothing is changed then).
/// In: `profile`: NUL-terminated, or NULL.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_noise_profile(
    config: *mut sv2_client_config,
    profile: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.profile = noise_options::profile_arg(profile)?;
        Ok(())
    })
}

/// Sets the ciphers to offer, in order: wire names or Noise names separated by commas or
/// spaces, case-insensitive (`"AESG,CHCH"`, `"ChaChaPoly"`); NULL restores the negotiation's
/// default (CHCH then AESG). Rust `InitiatorConfig::ciphers`, Python/Node `ciphers`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// empty list, an unknown name or a repeat (the text names it; nothing is changed then).
/// In: `ciphers`: NUL-terminated, or NULL.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_ciphers(
    config: *mut sv2_client_config,
    ciphers: *const c_char,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.ciphers = noise_options::ciphers_arg(ciphers)?;
        Ok(())
    })
}

/// Whether to negotiate the cipher (default true). False starts the handshake without
/// negotiation (bare `-> e`, ChaChaPoly), as legacy Braiins 2021 clients do; only the
/// braiins-2021 negotiation allows it, so making a session fails with
/// `SV2_ERR_INVALID_CONFIG` under another. Rust `InitiatorConfig::negotiate`, Python
/// `negotiate`, Node `negotiate`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_negotiation(
    config: *mut sv2_client_config,
    negotiate: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.negotiate = negotiate;
        Ok(())
    })
}

/// Sets the protocol versions SetupConnection offers (default 2 and 2). Rust
/// `SetupConnection::{min_version, max_version}`, Python `min_version`/`max_version`, Node
/// `minVersion`/`maxVersion`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `min_version >
/// max_version`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_versions(
    config: *mut sv2_client_config,
    min_version: u16,
    max_version: u16,
) -> sv2_result {
    with_mut(config, |c| {
        noise_options::versions_arg(min_version, max_version)?;
        c.config.setup.min_version = min_version;
        c.config.setup.max_version = max_version;
        Ok(())
    })
}

/// Turns the wire tap on for sessions made from this config (default off): every SV2 frame sent
/// or received (decrypted) is kept as a JSON line for `sv2_session_next_trace()`. Off, it costs
/// nothing. Rust `ClientConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_trace(
    config: *mut sv2_client_config,
    enabled: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.trace = enabled;
        Ok(())
    })
}

/// Sets the timeouts in milliseconds; 0 disables one.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `handshake_ms`: creation to end of the Noise handshake. `setup_ms`: handshake (or
/// creation) to SetupConnection.Success. `idle_ms`: longest silence once set up.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_timeouts(
    config: *mut sv2_client_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(&mut c.config.timeouts, handshake_ms, setup_ms, idle_ms);
        Ok(())
    })
}

/// Seeds the Noise ephemeral keys instead of using the OS random source. Every session made
/// from this config then uses the same ephemeral key: for reproducible tests only, or for a
/// device that sets a fresh seed from its own entropy before each session.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
/// In: `seed`: 32 bytes, or NULL to go back to the OS random source.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_client_config_set_rng_seed(
    config: *mut sv2_client_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Server configuration

/// Configuration of server sessions: what `sv2_session_new_server()` copies. Same rules as
/// `sv2_client_config`.
#[derive(Debug)]
pub struct sv2_server_config {
    state: HandleState,
    config: ServerConfig,
    noise: Option<(StaticSecretKey, Certificate)>,
    noise_options: ResponderOptions,
    plaintext: bool,
    rng_seed: Option<[u8; 32]>,
}

impl Handle for sv2_server_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a server configuration: serves the Mining Protocol (every client flag supported, no
/// Success flags), the spec dialect, default timeouts, and no security choice yet: call
/// `sv2_server_config_set_noise()` or `sv2_server_config_set_plaintext()` before making
/// sessions.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: the new config, to free with `sv2_server_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_new(config_out: *mut *mut sv2_server_config) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        new_handle(
            sv2_server_config {
                state: HandleState::default(),
                config: ServerConfig::new(
                    ServerSecurity::Plaintext,
                    vec![ProtocolSupport::mining()],
                ),
                noise: None,
                noise_options: ResponderOptions::default(),
                plaintext: false,
                rng_seed: None,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a server configuration. NULL is a no-op. Sessions made from it are not affected.
#[no_mangle]
pub extern "C" fn sv2_server_config_free(config: *mut sv2_server_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_server_config_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if there was none), valid until
/// the next mutating call on this config; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_server_config_last_error(config: *const sv2_server_config) -> *const c_char {
    last_error_of(config)
}

/// Secures sessions with Noise NX using the server's static key and the certificate the pool
/// authority signed for it (see `sv2_certificate_sign()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
/// issued for this key.
/// In: `static_secret`: the 32-byte X25519 secret key (copied; zeroized when the config and
/// the sessions are freed). `certificate`: copied.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_noise(
    config: *mut sv2_server_config,
    static_secret: *const u8,
    certificate: *const sv2_certificate,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise = Some(server_identity_arg(static_secret, certificate)?);
        c.plaintext = false;
        Ok(())
    })
}

/// Disables encryption (local networks only).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_plaintext(config: *mut sv2_server_config) -> sv2_result {
    with_mut(config, |c| {
        c.noise = None;
        c.plaintext = true;
        Ok(())
    })
}

/// Serves `protocol` with the given flags (replacing an earlier entry for the same protocol).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an unknown protocol.
/// In: `protocol`: `SV2_PROTOCOL_*`. `supported_flags`: client flags accepted; a client asking
/// for others is refused with `unsupported-feature-flags`. `success_flags`: the flags of
/// SetupConnection.Success.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_protocol(
    config: *mut sv2_server_config,
    protocol: u32,
    supported_flags: u32,
    success_flags: u32,
) -> sv2_result {
    with_mut(config, |c| {
        let protocol = protocol_arg(protocol)?;
        let support = ProtocolSupport {
            protocol,
            supported_flags,
            success_flags,
        };
        let list = &mut c.config.protocols;
        match list.iter_mut().find(|p| p.protocol == protocol) {
            Some(entry) => *entry = support,
            None => list.push(support),
        }
        Ok(())
    })
}

/// Sets the wire dialect of the clients (`SV2_DIALECT_*`). The Noise responder accepts every
/// negotiation form whatever the dialect; the dialect sets its cipher preference
/// (`SV2_DIALECT_BRAIINS_2021`: AESGCM whenever offered, as Braiins does) unless
/// `sv2_server_config_set_noise_profile()` or `sv2_server_config_set_ciphers()` override it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_dialect(
    config: *mut sv2_server_config,
    dialect: sv2_dialect,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.dialect = dialect_of(dialect)?;
        Ok(())
    })
}

/// Overrides whose cipher preference the server uses: `"sri-2023"` (ChaChaPoly first) or
/// `"braiins-2021"` (AESGCM whenever offered), case-insensitive; NULL (the default) follows
/// the dialect set with `sv2_server_config_set_dialect()`. The server answers every negotiation form
/// whatever this says (R21). Rust `ResponderConfig::profile`, Python `noise_profile`, Node
/// `noiseProfile`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// unknown name (nothing is changed then).
/// In: `profile`: NUL-terminated, or NULL.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_noise_profile(
    config: *mut sv2_server_config,
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
pub extern "C" fn sv2_server_config_set_ciphers(
    config: *mut sv2_server_config,
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
pub extern "C" fn sv2_server_config_set_negotiation(
    config: *mut sv2_server_config,
    accept_no_negotiation: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.noise_options.accept_no_negotiation = accept_no_negotiation;
        Ok(())
    })
}

/// Turns the wire tap on for sessions made from this config (default off): every SV2 frame sent
/// or received (decrypted) is kept as a JSON line for `sv2_session_next_trace()`. Off, it costs
/// nothing. Rust `ServerConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_trace(
    config: *mut sv2_server_config,
    enabled: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.trace = enabled;
        Ok(())
    })
}

/// Sets the timeouts in milliseconds; 0 disables one. As `sv2_client_config_set_timeouts()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_timeouts(
    config: *mut sv2_server_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(&mut c.config.timeouts, handshake_ms, setup_ms, idle_ms);
        Ok(())
    })
}

/// Sets how long a Mining Protocol client may stay set up without asking for a channel
/// (OpenStandardMiningChannel or OpenExtendedMiningChannel) before the server closes the
/// connection with `SV2_ERR_TIMEOUT_OPEN_CHANNEL` (R55). Default 60 000 ms; 0 disables it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_open_channel_timeout(
    config: *mut sv2_server_config,
    open_channel_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        c.config.timeouts.open_channel_ms = timer_arg(open_channel_ms);
        Ok(())
    })
}

/// Seeds the Noise ephemeral keys (tests only; see `sv2_client_config_set_rng_seed()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
/// In: `seed`: 32 bytes, or NULL for the OS random source.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_server_config_set_rng_seed(
    config: *mut sv2_server_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Session

/// No event: the session is idle (`sv2_event.type`).
pub const SV2_EVENT_NONE: u32 = 0;
/// The Noise handshake completed (`cipher`, `negotiation_form`).
pub const SV2_EVENT_HANDSHAKE_COMPLETE: u32 = 1;
/// SetupConnection succeeded (`protocol`, `version`, `requested_flags`, `success_flags`; `msg`
/// is the client's SetupConnection).
pub const SV2_EVENT_SETUP_COMPLETE: u32 = 2;
/// A message from the peer (`msg`, `message_kind`, `has_channel_id`/`channel_id`).
pub const SV2_EVENT_MESSAGE: u32 = 3;
/// A frame of an unknown extension with the channel_msg bit set, for a proxy to forward
/// (`frame`: the whole frame, header included; `channel_id`).
pub const SV2_EVENT_FORWARD: u32 = 4;
/// The session ended (`close_reason`, `error`, `setup_error_flags`, `setup_error_code`).
/// Bytes still pending in `sv2_session_data_to_send()` should be sent before closing the socket.
pub const SV2_EVENT_CLOSED: u32 = 5;

/// `sv2_event.close_reason`: SetupConnection.Error was sent (server) or received (client).
pub const SV2_CLOSE_SETUP_REJECTED: u32 = 1;
/// `sv2_event.close_reason`: the peer closed the connection cleanly.
pub const SV2_CLOSE_PEER_CLOSED: u32 = 2;
/// `sv2_event.close_reason`: `sv2_session_close()` was called.
pub const SV2_CLOSE_LOCAL: u32 = 3;
/// `sv2_event.close_reason`: an error ended the session; see `sv2_event.error` and
/// `sv2_session_last_error()`.
pub const SV2_CLOSE_ERROR: u32 = 4;

/// `sv2_event.cipher`: ChaCha20-Poly1305.
pub const SV2_CIPHER_CHACHAPOLY: u32 = 1;
/// `sv2_event.cipher`: AES-256-GCM.
pub const SV2_CIPHER_AESGCM: u32 = 2;
/// `sv2_event.negotiation_form`: `STR3` negotiation (SRI 2022/2023).
pub const SV2_NEGOTIATION_STR3: u32 = 1;
/// `sv2_event.negotiation_form`: `STR2` negotiation (Braiins 2021).
pub const SV2_NEGOTIATION_STR2: u32 = 2;
/// `sv2_event.negotiation_form`: no negotiation (legacy Braiins clients).
pub const SV2_NEGOTIATION_NONE: u32 = 3;

/// `sv2_session_poll_timeout()`: no timer is running.
pub const SV2_NO_TIMEOUT: u64 = u64::MAX;

/// One event of a session, filled by `sv2_session_next_event()` into caller storage. Fields not
/// listed for the event's `type` are zero (pointers NULL). Pointers borrow from the session and
/// are valid until the next mutating call on this session; nothing needs freeing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_event {
    /// `SV2_EVENT_*`.
    pub r#type: u32,
    /// MESSAGE and SETUP_COMPLETE: the kind of `msg` (`SV2_MESSAGE_*`).
    pub message_kind: u32,
    /// MESSAGE: the message; SETUP_COMPLETE: the client's SetupConnection. Read it with
    /// `sv2_message_as_<msg>()`; never free it.
    pub msg: *const sv2_message,
    /// MESSAGE and FORWARD: whether the message is addressed to a channel.
    pub has_channel_id: bool,
    /// MESSAGE and FORWARD: the channel, if `has_channel_id`.
    pub channel_id: u32,
    /// HANDSHAKE_COMPLETE: `SV2_CIPHER_*`.
    pub cipher: u32,
    /// HANDSHAKE_COMPLETE: `SV2_NEGOTIATION_*`.
    pub negotiation_form: u32,
    /// SETUP_COMPLETE: `SV2_PROTOCOL_*`.
    pub protocol: u32,
    /// SETUP_COMPLETE: the protocol version in use (2).
    pub version: u32,
    /// SETUP_COMPLETE: the flags the client requested.
    pub requested_flags: u32,
    /// SETUP_COMPLETE: the flags of SetupConnection.Success, to be honoured by the client.
    pub success_flags: u32,
    /// FORWARD: the whole frame (header and payload), for `sv2_session_send_raw()` on the other
    /// connection.
    pub frame: sv2_bytes,
    /// CLOSED: `SV2_CLOSE_*`.
    pub close_reason: u32,
    /// CLOSED with `SV2_CLOSE_ERROR`: the error (`sv2_result_str()`, `sv2_session_last_error()`).
    pub error: sv2_result,
    /// CLOSED with `SV2_CLOSE_SETUP_REJECTED`: the flags of SetupConnection.Error.
    pub setup_error_flags: u32,
    /// CLOSED with `SV2_CLOSE_SETUP_REJECTED`: the error code string (not NUL-terminated).
    pub setup_error_code: sv2_bytes,
}

impl sv2_event {
    fn empty() -> Self {
        sv2_event {
            r#type: SV2_EVENT_NONE,
            message_kind: 0,
            msg: std::ptr::null(),
            has_channel_id: false,
            channel_id: 0,
            cipher: 0,
            negotiation_form: 0,
            protocol: 0,
            version: 0,
            requested_flags: 0,
            success_flags: 0,
            frame: sv2_bytes {
                ptr: std::ptr::null(),
                len: 0,
            },
            close_reason: 0,
            error: SV2_OK,
            setup_error_flags: 0,
            setup_error_code: sv2_bytes {
                ptr: std::ptr::null(),
                len: 0,
            },
        }
    }
}

/// One connection's protocol state (Noise, SetupConnection, framing): bytes and time in, events
/// and bytes out. It performs no I/O, reads no clock and starts no threads.
///
/// Call order: after `sv2_session_new_*`, `sv2_session_receive_data()`, any send and
/// `sv2_session_handle_timeout()`: drain `sv2_session_data_to_send()` (until it gives 0 bytes)
/// to the socket, then look at `sv2_session_poll_timeout()`, then drain
/// `sv2_session_next_event()` until `SV2_EVENT_NONE`.
#[derive(Debug)]
pub struct sv2_session {
    state: HandleState,
    session: Session,
    /// Data the current event points into.
    current: Option<Box<sv2_message>>,
    frame: Vec<u8>,
    setup_error_code: Vec<u8>,
    /// A trace line taken from the session but not yet copied out (buffer too small).
    pending_trace: Option<String>,
}

impl Handle for sv2_session {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

impl sv2_session {
    fn new(session: Session) -> Self {
        sv2_session {
            state: HandleState::default(),
            session,
            current: None,
            frame: Vec::new(),
            setup_error_code: Vec::new(),
            pending_trace: None,
        }
    }
}

/// Makes a client session. With Noise the handshake's first message is ready at once, in
/// plaintext the SetupConnection: drain `sv2_session_data_to_send()` next.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
/// neither Noise nor plaintext was chosen; `SV2_ERR_RNG`; `SV2_ERR_NOISE_INTERNAL`.
/// In: `config`: read only during the call. `now_unix_s`: wall-clock unix seconds, to check the
/// server certificate's validity. `now_ms`: the caller's monotonic clock in milliseconds (the
/// same clock for every later call on this session).
/// Out: `session_out`: the new session, to free with `sv2_session_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_new_client(
    config: *const sv2_client_config,
    now_unix_s: u64,
    now_ms: u64,
    session_out: *mut *mut sv2_session,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(session_out, "session_out")?;
        let mut config = c.config.clone();
        config.security = match c.security {
            ClientSecurityChoice::Unset => {
                return Err(Error::new(
                    SV2_ERR_INVALID_CONFIG,
                    "choose Noise (set_authority_key) or plaintext first",
                ))
            }
            ClientSecurityChoice::Plaintext => ClientSecurity::Plaintext,
            ClientSecurityChoice::Noise(key) => {
                let mut noise = InitiatorConfig::new(key, now_unix_s);
                c.noise_options.apply(&mut noise);
                noise.rng_seed = c.rng_seed;
                ClientSecurity::Noise(noise)
            }
        };
        let session = Session::client(config, now_ms)?;
        new_handle(sv2_session::new(session), out);
        Ok(())
    })
}

/// Makes a server session for one accepted connection, waiting for the client's first bytes.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
/// neither Noise nor plaintext was chosen or no protocol is served; `SV2_ERR_NOISE_INTERNAL`.
/// In: `config`: read only during the call. `now_ms`: the caller's monotonic clock.
/// Out: `session_out`: the new session, to free with `sv2_session_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_new_server(
    config: *const sv2_server_config,
    now_ms: u64,
    session_out: *mut *mut sv2_session,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(session_out, "session_out")?;
        let mut config = c.config.clone();
        config.security = match (&c.noise, c.plaintext) {
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
        let session = Session::server(config, now_ms)?;
        new_handle(sv2_session::new(session), out);
        Ok(())
    })
}

/// Frees a session and everything it owns (events' messages included). NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_session_free(session: *mut sv2_session) {
    free_handle(session)
}

/// A readable description of the last error on this session: the last error a call returned,
/// or the error that closed the session.
///
/// Returns: a NUL-terminated string owned by the session (`""` if there was none), valid until
/// the next mutating call on this session; a fixed text if `session` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_session_last_error(session: *const sv2_session) -> *const c_char {
    last_error_of(session)
}

/// Feeds bytes received from the socket (any chunking, even one byte at a time).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_CLOSED` if the session
/// already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing consumed: drain events, then retry with
/// the same bytes). Any other code means the bytes broke the protocol and the session has
/// closed: drain `sv2_session_next_event()` for the `SV2_EVENT_CLOSED` and send what
/// `sv2_session_data_to_send()` still has.
/// Args: `session`. In: `data`/`len`: copied (NULL allowed with `len` 0). `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_receive_data(
    session: *mut sv2_session,
    data: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(session, |s| {
        let bytes = in_slice(data, len, "data")?;
        s.session.receive_data(bytes, now_ms)?;
        Ok(())
    })
}

/// The next event, or `SV2_EVENT_NONE` when idle.
///
/// Returns: `SV2_OK` (also when idle: check `event_out->type`); `SV2_ERR_NULL_ARG`;
/// `SV2_ERR_POISONED`.
/// Args: `session`. Out: `event_out`: caller storage. Pointers in it are valid until the next
/// mutating call on this session.
/// Allocates: yes (the event's message).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_next_event(
    session: *mut sv2_session,
    event_out: *mut sv2_event,
) -> sv2_result {
    with_mut(session, |s| {
        let out = out_ptr(event_out, "event_out")?;
        s.current = None;
        s.frame.clear();
        s.setup_error_code.clear();
        let mut ev = sv2_event::empty();
        match s.session.next_event() {
            None => {}
            Some(Event::HandshakeComplete { cipher, form }) => {
                ev.r#type = SV2_EVENT_HANDSHAKE_COMPLETE;
                ev.cipher = match cipher {
                    Cipher::ChaChaPoly => SV2_CIPHER_CHACHAPOLY,
                    Cipher::AesGcm => SV2_CIPHER_AESGCM,
                };
                ev.negotiation_form = match form {
                    NegotiationForm::Str3 => SV2_NEGOTIATION_STR3,
                    NegotiationForm::Str2 => SV2_NEGOTIATION_STR2,
                    NegotiationForm::None => SV2_NEGOTIATION_NONE,
                };
            }
            Some(Event::SetupComplete {
                protocol,
                version,
                requested_flags,
                success_flags,
                setup,
            }) => {
                ev.r#type = SV2_EVENT_SETUP_COMPLETE;
                ev.protocol = protocol.setup_value().map_or(u32::MAX, u32::from);
                ev.version = u32::from(version);
                ev.requested_flags = requested_flags;
                ev.success_flags = success_flags;
                let mut wrapped = sv2_message::wrap(Message::SetupConnection(setup));
                wrapped.session_owned = true;
                ev.message_kind = wrapped.message().kind() as u32;
                ev.msg = &*wrapped;
                s.current = Some(wrapped);
            }
            Some(Event::Message(message)) => {
                ev.r#type = SV2_EVENT_MESSAGE;
                ev.message_kind = message.kind() as u32;
                if let Some(id) = message.channel_id() {
                    ev.has_channel_id = true;
                    ev.channel_id = id;
                }
                let mut wrapped = sv2_message::wrap(message);
                wrapped.session_owned = true;
                ev.msg = &*wrapped;
                s.current = Some(wrapped);
            }
            Some(Event::Forward(raw)) => {
                ev.r#type = SV2_EVENT_FORWARD;
                if let Some(id) = raw.channel_id() {
                    ev.has_channel_id = true;
                    ev.channel_id = id;
                }
                raw.write_to(&mut s.frame);
                ev.frame = bytes_view(&s.frame);
            }
            Some(Event::Closed(reason)) => {
                ev.r#type = SV2_EVENT_CLOSED;
                match reason {
                    CloseReason::SetupRejected { flags, error_code } => {
                        ev.close_reason = SV2_CLOSE_SETUP_REJECTED;
                        ev.setup_error_flags = flags;
                        s.setup_error_code = error_code.into_bytes();
                        ev.setup_error_code = bytes_view(&s.setup_error_code);
                        let text = format!(
                            "SetupConnection.Error: {}",
                            String::from_utf8_lossy(&s.setup_error_code)
                        );
                        s.state.set_error(&text);
                    }
                    CloseReason::PeerClosed => ev.close_reason = SV2_CLOSE_PEER_CLOSED,
                    CloseReason::LocalClose => ev.close_reason = SV2_CLOSE_LOCAL,
                    CloseReason::Error(e) => {
                        ev.close_reason = SV2_CLOSE_ERROR;
                        let e = Error::from(e);
                        ev.error = e.code;
                        s.state.set_error(&e.message);
                    }
                }
            }
        }
        write_out(out, ev);
        Ok(())
    })
}

/// Copies up to `cap` pending bytes (for the socket) into `buf`; call until `*n_out` is 0.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
/// `SV2_ERR_POISONED`.
/// Args: `session`. Out: `buf`/`cap`: the caller's buffer. `n_out`: bytes copied.
/// Allocates: possibly (queued frames are encrypted into the outgoing buffer on the first call).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_data_to_send(
    session: *mut sv2_session,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
) -> sv2_result {
    with_mut(session, |s| {
        let n_out = out_ptr(n_out, "n_out")?;
        if cap == 0 {
            write_out(n_out, 0);
            return Ok(());
        }
        let slice = out_slice(buf, cap, "buf")?;
        let n = s.session.data_to_send(slice);
        write_out(n_out, n);
        Ok(())
    })
}

/// Copies the oldest traced frame of the session (see `sv2_client_config_set_trace()` and
/// `sv2_server_config_set_trace()`) into `buf` as a NUL-terminated JSON line.
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
pub extern "C" fn sv2_session_next_trace(
    session: *mut sv2_session,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> sv2_result {
    with_mut(session, |s| {
        let session = &mut s.session;
        next_trace_out(
            &mut s.pending_trace,
            || session.next_trace_json(),
            buf,
            cap,
            size_out,
        )
    })
}

/// Shared by the three `_next_trace` calls: copies the pending line (or the next one) out,
/// keeping it when the buffer is too small.
pub(crate) fn next_trace_out(
    pending: &mut Option<String>,
    next: impl FnOnce() -> Option<String>,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> Result<(), Error> {
    let size_out = out_ptr(size_out, "size_out")?;
    if pending.is_none() {
        *pending = next();
    }
    match pending.as_deref() {
        None => {
            write_out(size_out, 0);
            Ok(())
        }
        Some(line) => {
            copy_text_out(line, buf, cap, size_out)?;
            *pending = None;
            Ok(())
        }
    }
}

/// Whether bytes are waiting in `sv2_session_data_to_send()`.
///
/// Returns: true if so; false otherwise and for a NULL or poisoned session.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_session_wants_write(session: *const sv2_session) -> bool {
    read_value(session, false, |s| s.session.wants_write())
}

/// Whether SetupConnection succeeded and the session has not ended (messages may be sent).
///
/// Returns: true if so; false otherwise and for a NULL or poisoned session.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_session_is_ready(session: *const sv2_session) -> bool {
    read_value(session, false, |s| s.session.is_ready())
}

/// Whether the session has ended.
///
/// Returns: true if so, and for a NULL or poisoned session.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_session_is_closed(session: *const sv2_session) -> bool {
    read_value(session, true, |s| s.session.is_closed())
}

/// When `sv2_session_handle_timeout()` must next be called.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_poll_timeout(
    session: *const sv2_session,
    deadline_ms_out: *mut u64,
) -> sv2_result {
    with_ref(session, |s| {
        let out = out_ptr(deadline_ms_out, "deadline_ms_out")?;
        write_out(out, s.session.poll_timeout().unwrap_or(SV2_NO_TIMEOUT));
        Ok(())
    })
}

/// Fires expired timers: an expired handshake, setup or idle timer closes the session (an
/// `SV2_EVENT_CLOSED` with `SV2_ERR_TIMEOUT_*` follows).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_handle_timeout(session: *mut sv2_session, now_ms: u64) -> sv2_result {
    with_mut(session, |s| {
        s.session.handle_timeout(now_ms);
        Ok(())
    })
}

/// Tells the session the socket reached end of file. Complete frames already received are still
/// delivered; then an `SV2_EVENT_CLOSED` follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_peer_closed(session: *mut sv2_session) -> sv2_result {
    with_mut(session, |s| {
        s.session.peer_closed();
        Ok(())
    })
}

/// Ends the session from this side (an `SV2_EVENT_CLOSED` with `SV2_CLOSE_LOCAL` follows).
/// Bytes already queued can still be taken. Closing twice is harmless.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_close(session: *mut sv2_session) -> sv2_result {
    with_mut(session, |s| {
        s.session.close();
        Ok(())
    })
}

/// Queues any message (for example one received on another connection) for the peer.
///
/// Returns: as the typed `sv2_session_send_<msg>()` functions.
/// In: `message`: read during the call only. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_send(
    session: *mut sv2_session,
    message: *const sv2_message,
    now_ms: u64,
) -> sv2_result {
    with_mut(session, |s| {
        if message.is_null() {
            return Err(Error::null("message"));
        }
        // The message of this session's own current event is read through the session, not
        // through the pointer, so that no reference aliases `s`.
        let own = s.current.as_deref().map(|c| c as *const sv2_message);
        if own == Some(message) {
            let current = s.current.as_deref().map(sv2_message::message);
            if let Some(m) = current {
                s.session.send(m, now_ms)?;
            }
            return Ok(());
        }
        // A live message of another owner, only read during the call (the C contract).
        let m = in_ref(message, "message")?;
        s.session.send(m.message(), now_ms)?;
        Ok(())
    })
}

/// Queues a raw frame unchanged (forwarding an unknown extension, R48), e.g. the `frame` of an
/// `SV2_EVENT_FORWARD` from another connection.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `len` is not 6 plus the
/// header's payload length; `SV2_ERR_WRONG_STATE` before setup; `SV2_ERR_CLOSED`;
/// `SV2_ERR_OUTPUT_BUFFER_FULL`.
/// In: `frame`/`len`: header and payload, copied. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_session_send_raw(
    session: *mut sv2_session,
    frame: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(session, |s| {
        let bytes = in_slice(frame, len, "frame")?;
        let header_bytes: [u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| Error::new(SV2_ERR_INVALID_ARG, "frame shorter than its header"))?;
        let header = FrameHeader::parse(header_bytes);
        if header.msg_length as usize != bytes.len() - HEADER_LEN {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                format!(
                    "header announces {} payload bytes, {} given",
                    header.msg_length,
                    bytes.len() - HEADER_LEN
                ),
            ));
        }
        let raw = RawFrame::new(header, &bytes[HEADER_LEN..]);
        s.session.send_raw(&raw, now_ms)?;
        Ok(())
    })
}

/// Shared body of the typed senders.
pub(crate) fn send_typed<V>(
    session: *mut sv2_session,
    msg: *const V,
    now_ms: u64,
    build: impl FnOnce(&V) -> Result<Message, Error>,
) -> sv2_result {
    with_mut(session, |s| {
        // SAFETY: the C contract: NULL or a valid structure of this type.
        let view = unsafe { msg.as_ref() }.ok_or_else(|| Error::null("msg"))?;
        let message = build(view)?;
        s.session.send(&message, now_ms)?;
        Ok(())
    })
}
