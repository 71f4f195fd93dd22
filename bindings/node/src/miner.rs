//! The composed miner (session + mining client): bytes and time in; work, share results and
//! bytes to send out. `ts/net.ts` drives it over `node:net` and can mine on the CPU with
//! `scan`, for tests and demos.

use crate::conv::{bytes_out, u256_of, u256_out};
use crate::errors::{invalid, js, Result};
use crate::now_or;
use crate::session::{
    call_trace_hook, cipher_name, close_reason, core_client_config, ClientConfig, CloseReason,
    TraceHook,
};
use napi::bindgen_prelude::{BigInt, Buffer, Uint8Array};
use napi::Env;
use napi_derive::napi;
use sv2::codec::U256;
use sv2::mining::client::{
    ClientConfig as MiningClientConfig, ClientEvent, CloseReason as ChannelCloseReason,
    OpenFailure, Work as CoreWork,
};
use sv2::mining::miner::{
    ChannelRequest as CoreRequest, Miner as CoreMiner, MinerConfig as CoreMinerConfig, MinerError,
    MinerEvent as CoreEvent,
};

/// A channel the miner opens after each successful setup.
#[napi(object)]
pub struct ChannelRequest {
    /// `'standard'` (header-only) or `'extended'` (the miner rolls an extranonce).
    #[napi(ts_type = "'standard' | 'extended'")]
    pub kind: String,
    /// `user_identity` (who gets credit), e.g. `'alice.rig1'`.
    pub user_identity: String,
    /// Expected hash rate in H/s (the pool derives the first target from it).
    pub nominal_hash_rate: f64,
    /// Largest target accepted (32 bytes LE; default: any).
    pub max_target: Option<Uint8Array>,
    /// Extended channels: the smallest extranonce the miner needs (default 4).
    pub min_extranonce_size: Option<u32>,
}

fn core_request(r: &ChannelRequest) -> Result<CoreRequest> {
    let max_target = match &r.max_target {
        Some(t) => u256_of("maxTarget", t)?,
        None => U256::MAX,
    };
    let user_identity = r.user_identity.clone();
    let nominal_hash_rate = r.nominal_hash_rate as f32;
    match r.kind.as_str() {
        "standard" => Ok(CoreRequest::Standard {
            user_identity,
            nominal_hash_rate,
            max_target,
        }),
        "extended" => Ok(CoreRequest::Extended {
            user_identity,
            nominal_hash_rate,
            max_target,
            min_extranonce_size: r.min_extranonce_size.unwrap_or(4).min(32) as u16,
        }),
        other => Err(crate::errors::invalid(format!(
            "channel kind `{other}`: expected 'standard' or 'extended'"
        ))),
    }
}

/// Work for a mining device: an active job of one channel.
#[napi(object)]
pub struct Work {
    /// The channel (never a group id).
    pub channel_id: u32,
    /// The job id to put into shares.
    pub job_id: u32,
    /// The 80-byte header template (nonce 0, ntime = minNtime, the job's version).
    pub header: Uint8Array,
    /// Shares must hash to at most this target (32 bytes LE).
    pub target: Uint8Array,
    /// The job's version.
    pub version: u32,
    /// Version bits the miner may roll (BIP320 mask, or 0).
    pub version_mask: u32,
    /// Smallest nTime allowed.
    pub min_ntime: u32,
    /// nBits of the header (the network target).
    pub nbits: u32,
    /// True when every earlier work of the channel is stale (new prevhash).
    pub clean: bool,
    /// True for extended-channel work (the miner chooses an extranonce).
    pub extended: bool,
    /// Extended work: the channel's extranonce prefix.
    pub extranonce_prefix: Option<Uint8Array>,
    /// Extended work: bytes of extranonce the miner supplies.
    pub extranonce_size: Option<u32>,
}

fn work_out(w: &CoreWork) -> Work {
    Work {
        channel_id: w.channel_id,
        job_id: w.job_id,
        header: bytes_out(w.header.as_bytes()),
        target: u256_out(&w.target),
        version: w.version(),
        version_mask: w.version_mask,
        min_ntime: w.min_ntime,
        nbits: w.header.nbits(),
        clean: w.clean,
        extended: w.is_extended(),
        extranonce_prefix: w
            .extended
            .as_ref()
            .map(|e| bytes_out(e.extranonce_prefix.as_slice())),
        extranonce_size: w.extended.as_ref().map(|e| u32::from(e.extranonce_size)),
    }
}

/// What a miner reports. `switch (event.type)` narrows it.
#[napi(discriminant = "type")]
pub enum MinerEvent {
    /// The Noise handshake completed.
    HandshakeComplete {
        /// `'ChaChaPoly'` or `'AesGcm'`.
        cipher: String,
    },
    /// SetupConnection succeeded; the configured channels are being opened.
    SetupComplete {
        /// SetupConnection.Success flags (spec layout).
        success_flags: u32,
    },
    /// A configured channel could not be requested on this connection.
    ChannelRefused {
        /// The request's user identity.
        user_identity: String,
        /// Why.
        message: String,
    },
    /// A channel opened.
    ChannelOpened {
        /// The id `openChannel` returned.
        request_id: u32,
        /// The channel id.
        channel_id: u32,
        /// Extended channel.
        extended: bool,
        /// Initial target.
        target: Uint8Array,
        /// Extranonce prefix.
        extranonce_prefix: Uint8Array,
        /// Extranonce bytes the miner supplies (0 for standard channels).
        extranonce_size: u32,
        /// Group of a standard channel.
        group_channel_id: Option<u32>,
    },
    /// The open failed.
    ChannelOpenFailed {
        /// The request id.
        request_id: u32,
        /// The server's error code, or a description of the local reason (`'timed-out'` when
        /// the server did not answer within `openChannelTimeoutMs`).
        error_code: String,
        /// For `'timed-out'`: what went unanswered ("no answer to OpenExtendedMiningChannel
        /// request 1 (user 'bob') within 30000 ms").
        detail: Option<String>,
    },
    /// A job became active: hash it.
    NewWork {
        /// The work.
        work: Work,
    },
    /// Every job of the channel is stale; wait for NewWork.
    WorkInvalidated {
        /// The channel.
        channel_id: u32,
    },
    /// SetTarget changed the channel's target.
    TargetChanged {
        /// The channel.
        channel_id: u32,
        /// New target.
        target: Uint8Array,
        /// True if the current work takes the new target.
        active_work_updated: bool,
    },
    /// A share was accepted.
    ShareAccepted {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
        /// Its job.
        job_id: u32,
        /// Milliseconds from submit to acknowledgement.
        latency_ms: f64,
    },
    /// A share was rejected.
    ShareRejected {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
        /// Its job.
        job_id: u32,
        /// The pool's error code (`'stale-share'`, `'difficulty-too-low'`, …).
        error_code: String,
        /// Milliseconds from submit to answer.
        latency_ms: f64,
    },
    /// One SubmitShares.Success (after its ShareAccepted events).
    SharesAcknowledged {
        /// The channel.
        channel_id: u32,
        /// `last_sequence_number`.
        last_sequence_number: u32,
        /// `new_submits_accepted_count`.
        new_submits_accepted_count: u32,
        /// `new_shares_sum`.
        new_shares_sum: BigInt,
    },
    /// A pending share was given up (no answer in time).
    ShareExpired {
        /// The channel.
        channel_id: u32,
        /// The share's sequence number.
        sequence_number: u32,
    },
    /// A channel closed.
    ChannelClosed {
        /// The channel.
        channel_id: u32,
        /// `'server'`, `'local'` or `'connection-closed'`.
        #[napi(ts_type = "'server' | 'local' | 'connection-closed'")]
        by: String,
        /// The server's reason code.
        reason_code: Option<String>,
    },
    /// SetExtranoncePrefix.
    ExtranoncePrefixChanged {
        /// The channel.
        channel_id: u32,
        /// New prefix.
        extranonce_prefix: Uint8Array,
    },
    /// The pool asked to reconnect elsewhere (host/port absent: the same).
    Reconnect {
        /// New host.
        host: Option<String>,
        /// New port.
        port: Option<u32>,
    },
    /// A message from upstream broke a rule; it was ignored (logged, not fatal).
    ProtocolError {
        /// The message type.
        message: String,
        /// The channel it named.
        channel_id: Option<u32>,
        /// What was wrong.
        violation: String,
    },
    /// Another mining-client event (group changes, custom jobs, endpoint changes).
    Other {
        /// A description.
        description: String,
    },
    /// The connection ended; `reconnect()` after opening a new socket to go on.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

fn miner_event(e: CoreEvent) -> MinerEvent {
    match e {
        CoreEvent::HandshakeComplete { cipher } => MinerEvent::HandshakeComplete {
            cipher: cipher_name(cipher),
        },
        CoreEvent::SetupComplete { success_flags } => MinerEvent::SetupComplete { success_flags },
        CoreEvent::ChannelRefused { request, error } => MinerEvent::ChannelRefused {
            user_identity: match request {
                CoreRequest::Standard { user_identity, .. }
                | CoreRequest::Extended { user_identity, .. } => user_identity,
            },
            message: error.to_string(),
        },
        CoreEvent::Closed(r) => MinerEvent::Closed {
            reason: close_reason(&r),
        },
        CoreEvent::Client(c) => client_event(c),
    }
}

fn client_event(c: ClientEvent) -> MinerEvent {
    match c {
        ClientEvent::ChannelOpened {
            request_id,
            channel_id,
            extended,
            target,
            extranonce_prefix,
            extranonce_size,
            group_channel_id,
        } => MinerEvent::ChannelOpened {
            request_id,
            channel_id,
            extended,
            target: u256_out(&target),
            extranonce_prefix: bytes_out(extranonce_prefix.as_slice()),
            extranonce_size: u32::from(extranonce_size),
            group_channel_id,
        },
        ClientEvent::ChannelOpenFailed { request_id, reason } => {
            let detail =
                matches!(reason, OpenFailure::TimedOut { .. }).then(|| reason.describe(request_id));
            MinerEvent::ChannelOpenFailed {
                request_id,
                error_code: match reason {
                    OpenFailure::Server { error_code } => error_code,
                    OpenFailure::InvalidGrant(v) => format!("invalid grant: {v:?}"),
                    OpenFailure::ConnectionClosed => "connection-closed".into(),
                    OpenFailure::TimedOut { .. } => "timed-out".into(),
                },
                detail,
            }
        }
        ClientEvent::NewWork(w) => MinerEvent::NewWork { work: work_out(&w) },
        ClientEvent::WorkInvalidated { channel_id } => MinerEvent::WorkInvalidated { channel_id },
        ClientEvent::TargetChanged {
            channel_id,
            target,
            active_work_updated,
        } => MinerEvent::TargetChanged {
            channel_id,
            target: u256_out(&target),
            active_work_updated,
        },
        ClientEvent::ShareAccepted {
            channel_id,
            sequence_number,
            job_id,
            latency_ms,
        } => MinerEvent::ShareAccepted {
            channel_id,
            sequence_number,
            job_id,
            latency_ms: latency_ms as f64,
        },
        ClientEvent::ShareRejected {
            channel_id,
            sequence_number,
            job_id,
            error_code,
            latency_ms,
        } => MinerEvent::ShareRejected {
            channel_id,
            sequence_number,
            job_id,
            error_code,
            latency_ms: latency_ms as f64,
        },
        ClientEvent::SharesAcknowledged {
            channel_id,
            last_sequence_number,
            new_submits_accepted_count,
            new_shares_sum,
            ..
        } => MinerEvent::SharesAcknowledged {
            channel_id,
            last_sequence_number,
            new_submits_accepted_count,
            new_shares_sum: BigInt::from(new_shares_sum),
        },
        ClientEvent::ShareExpired {
            channel_id,
            sequence_number,
            ..
        } => MinerEvent::ShareExpired {
            channel_id,
            sequence_number,
        },
        ClientEvent::ChannelClosed {
            channel_id, reason, ..
        } => {
            let (by, reason_code) = match reason {
                ChannelCloseReason::Server { reason_code } => ("server", Some(reason_code)),
                ChannelCloseReason::Local => ("local", None),
                ChannelCloseReason::ConnectionClosed => ("connection-closed", None),
            };
            MinerEvent::ChannelClosed {
                channel_id,
                by: by.into(),
                reason_code,
            }
        }
        ClientEvent::ExtranoncePrefixChanged {
            channel_id,
            extranonce_prefix,
            ..
        } => MinerEvent::ExtranoncePrefixChanged {
            channel_id,
            extranonce_prefix: bytes_out(extranonce_prefix.as_slice()),
        },
        ClientEvent::Reconnect { host, port } => MinerEvent::Reconnect {
            host,
            port: port.map(u32::from),
        },
        ClientEvent::ProtocolError {
            message,
            channel_id,
            violation,
        } => MinerEvent::ProtocolError {
            message: message.info().rust_name.to_string(),
            channel_id,
            violation: format!("{violation:?}"),
        },
        other => MinerEvent::Other {
            description: format!("{other:?}"),
        },
    }
}

/// Configuration of a `Miner`: the connection (`ClientConfig`, protocol Mining) and the
/// channels to open after each setup.
#[napi(object)]
pub struct MinerConfig {
    /// The connection.
    pub connection: ClientConfig,
    /// Channels opened after every successful setup.
    pub channels: Vec<ChannelRequest>,
    /// Milliseconds a channel open may go unanswered before it fails with a
    /// `ChannelOpenFailed` (`errorCode` `'timed-out'`); default 30000, 0 waits forever.
    pub open_channel_timeout_ms: Option<f64>,
}

/// A share found by `scan`.
#[napi(object)]
pub struct FoundShare {
    /// The channel.
    pub channel_id: u32,
    /// The job.
    pub job_id: u32,
    /// The nonce.
    pub nonce: u32,
    /// The nTime.
    pub ntime: u32,
    /// The version.
    pub version: u32,
    /// Extended work: the extranonce used.
    pub extranonce: Option<Uint8Array>,
    /// The header hash (32 bytes LE).
    pub hash: Uint8Array,
    /// True if the hash also meets the network target.
    pub is_block: bool,
}

/// Options of `Miner.scan`.
#[napi(object)]
pub struct ScanOptions {
    /// First nonce tried (an integer 0..=4294967295).
    pub start_nonce: f64,
    /// Nonces tried at most (an integer 0..=4294967295; keep it small: the call is
    /// synchronous).
    pub count: f64,
    /// nTime (default: the work's minNtime).
    pub ntime: Option<u32>,
    /// Version (default: the job's version).
    pub version: Option<u32>,
    /// Extended work: the extranonce (default: zeros of the channel's size).
    pub extranonce: Option<Uint8Array>,
}

/// A receipt for a submitted share.
#[napi(object)]
pub struct SubmitReceipt {
    /// The channel.
    pub channel_id: u32,
    /// The sequence number assigned.
    pub sequence_number: u32,
    /// The job.
    pub job_id: u32,
    /// The header hash.
    pub hash: Uint8Array,
    /// True if it is a block.
    pub is_block: bool,
}

/// Session + mining client for one pool connection, sans I/O.
#[napi]
pub struct Miner {
    inner: CoreMiner,
    trace: Option<TraceHook>,
}

impl Miner {
    fn flush_trace(&mut self, env: &Env) -> Result<()> {
        let inner = &mut self.inner;
        call_trace_hook(env, &self.trace, || inner.next_trace_json())
    }
}

fn miner_err(e: MinerError) -> crate::errors::Error {
    match e {
        MinerError::Session(s) => js(s),
        MinerError::Submit(s) => js(s),
        MinerError::Usage(u) => js(u),
    }
}

#[napi]
impl Miner {
    /// A miner; it runs the handshake and SetupConnection, then opens `config.channels`.
    #[napi(constructor)]
    pub fn new(config: MinerConfig, now_ms: Option<f64>) -> Result<Self> {
        let session = core_client_config(&config.connection)?;
        let channels = config
            .channels
            .iter()
            .map(core_request)
            .collect::<Result<Vec<_>>>()?;
        let open_channel_timeout_ms = match config.open_channel_timeout_ms {
            None => MiningClientConfig::default().open_channel_timeout_ms,
            Some(ms) if ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0 => ms as u64,
            Some(_) => return Err(invalid("openChannelTimeoutMs must be an integer >= 0")),
        };
        let cfg = CoreMinerConfig {
            session,
            client: MiningClientConfig {
                open_channel_timeout_ms,
                ..MiningClientConfig::default()
            },
            channels,
        };
        Ok(Miner {
            inner: CoreMiner::new(cfg, now_or(now_ms)).map_err(js)?,
            trace: None,
        })
    }

    /// Starts over on a new socket (same authority key), re-opening the channels. `nowUnix`
    /// (default: the system clock) is when the new server's certificate is checked.
    #[napi]
    pub fn reconnect(&mut self, now_ms: Option<f64>, now_unix: Option<f64>) -> Result<()> {
        let unix = now_unix.map_or_else(crate::unix_now, |n| n as u64);
        self.inner.reconnect(now_or(now_ms), unix).map_err(js)
    }

    /// The host and port announced in SetupConnection on the next connection (after a
    /// Reconnect to another host).
    #[napi]
    pub fn set_endpoint(&mut self, host: String, port: u32) -> Result<()> {
        let port =
            u16::try_from(port).map_err(|_| crate::errors::invalid("port must be <= 65535"))?;
        self.inner.set_endpoint(&host, port);
        Ok(())
    }

    /// The wire tap, as `Session.setTrace`: `hook(line)` gets one JSON line per frame sent
    /// or received, from `receiveData`, `nextEvent` and `dataToSend`; it stays on across
    /// reconnections. `null` switches it off.
    #[napi(ts_args_type = "hook: ((line: string) => void) | null")]
    pub fn set_trace(&mut self, env: Env, hook: Option<TraceHook>) -> Result<()> {
        self.inner.set_trace(hook.is_some());
        self.trace = hook;
        self.flush_trace(&env)
    }

    /// Bytes received from the socket.
    #[napi]
    pub fn receive_data(&mut self, env: Env, data: Uint8Array, now_ms: Option<f64>) -> Result<()> {
        let result = self.inner.receive_data(&data, now_or(now_ms)).map_err(js);
        self.flush_trace(&env)?;
        result
    }

    /// Bytes to write to the socket.
    #[napi]
    pub fn data_to_send(&mut self, env: Env) -> Result<Buffer> {
        let mut out = Vec::new();
        self.inner.take_data_to_send(&mut out);
        self.flush_trace(&env)?;
        Ok(Buffer::from(out))
    }

    /// The next event, or `null`.
    #[napi]
    pub fn next_event(&mut self, env: Env) -> Result<Option<MinerEvent>> {
        let event = self.inner.next_event().map(miner_event);
        self.flush_trace(&env)?;
        Ok(event)
    }

    /// When to call `handleTimeout` next, or `null`.
    #[napi]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|t| t as f64)
    }

    /// Fires expired timers.
    #[napi]
    pub fn handle_timeout(&mut self, now_ms: Option<f64>) {
        self.inner.handle_timeout(now_or(now_ms));
    }

    /// The socket reached end of file.
    #[napi]
    pub fn peer_closed(&mut self) {
        self.inner.peer_closed();
    }

    /// Opens one more channel now (and after every later setup); returns its request id.
    #[napi]
    pub fn open_channel(&mut self, request: ChannelRequest) -> Result<u32> {
        self.inner
            .open_channel(core_request(&request)?)
            .map_err(miner_err)
    }

    /// The current work of a channel, or `null`.
    #[napi]
    pub fn current_work(&self, channel_id: u32) -> Option<Work> {
        self.inner
            .client()
            .current_work(channel_id)
            .map(|w| work_out(&w))
    }

    /// Ids of the open channels.
    #[napi]
    pub fn channel_ids(&self) -> Vec<u32> {
        self.inner
            .client()
            .channels()
            .iter()
            .map(|c| c.channel_id)
            .collect()
    }

    /// Hashes `count` nonces of the channel's current work from `startNonce` on the CPU and
    /// returns the first share meeting the work's target, or `null`. Synchronous: keep
    /// `count` small (tens of thousands) and call it from `setImmediate` slices.
    #[napi]
    pub fn scan(&self, channel_id: u32, options: ScanOptions) -> Result<Option<FoundShare>> {
        let start_nonce = crate::conv::u32_arg("startNonce", options.start_nonce)?;
        let count = crate::conv::u32_arg("count", options.count)?;
        let Some(mut work) = self.inner.client().current_work(channel_id) else {
            return Err(crate::errors::err(
                crate::errors::WRONG_STATE,
                format!("channel {channel_id} has no work"),
            ));
        };
        let ntime = options.ntime.unwrap_or(work.min_ntime);
        let version = options.version.unwrap_or_else(|| work.version());
        let mut extranonce = None;
        if let Some(ext) = &work.extended {
            let bytes = match &options.extranonce {
                Some(e) => e.to_vec(),
                None => vec![0u8; usize::from(ext.extranonce_size)],
            };
            work.set_extranonce(&bytes).map_err(js)?;
            extranonce = Some(bytes);
        }
        let mut nonce = start_nonce;
        for _ in 0..count {
            let hash = work.hash_for(nonce, ntime, version);
            if work.meets_target(hash) {
                return Ok(Some(FoundShare {
                    channel_id,
                    job_id: work.job_id,
                    nonce,
                    ntime,
                    version,
                    extranonce: extranonce.map(|e| bytes_out(&e)),
                    hash: u256_out(&hash),
                    is_block: work.is_block(hash),
                }));
            }
            nonce = nonce.wrapping_add(1);
        }
        Ok(None)
    }

    /// Checks a share locally and queues SubmitSharesStandard (throws `SV2_ERR_SHARE_REFUSED`
    /// when it is stale, a duplicate, above the target…).
    #[napi]
    pub fn submit_standard(
        &mut self,
        channel_id: u32,
        job_id: u32,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<f64>,
    ) -> Result<SubmitReceipt> {
        let r = self
            .inner
            .submit_standard(channel_id, job_id, nonce, ntime, version, now_or(now_ms))
            .map_err(miner_err)?;
        Ok(receipt(&r))
    }

    /// Checks a share locally and queues SubmitSharesExtended.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn submit_extended(
        &mut self,
        channel_id: u32,
        job_id: u32,
        extranonce: Uint8Array,
        nonce: u32,
        ntime: u32,
        version: u32,
        now_ms: Option<f64>,
    ) -> Result<SubmitReceipt> {
        let r = self
            .inner
            .submit_extended(
                channel_id,
                job_id,
                &extranonce,
                nonce,
                ntime,
                version,
                now_or(now_ms),
            )
            .map_err(miner_err)?;
        Ok(receipt(&r))
    }

    /// Shares awaiting an answer on a channel.
    #[napi]
    pub fn pending_shares(&self, channel_id: u32) -> u32 {
        self.inner.client().pending_shares(channel_id) as u32
    }

    /// True once setup completed.
    #[napi(getter)]
    pub fn is_ready(&self) -> bool {
        self.inner.session().is_ready()
    }
}

fn receipt(r: &sv2::mining::client::SubmitReceipt) -> SubmitReceipt {
    SubmitReceipt {
        channel_id: r.channel_id,
        sequence_number: r.sequence_number,
        job_id: r.job_id,
        hash: u256_out(&r.hash),
        is_block: r.is_block,
    }
}
