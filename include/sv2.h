/*
 * sv2.h: the C API of libsv2, Stratum V2 (sv2-spec 2022) over a sans-I/O Rust core.
 * Licensed MIT OR Apache-2.0.
 *
 * CONTENTS BY TASK (search for the names; each declaration below is documented)
 *  Mining device (one handle for handshake, setup, channels, jobs, shares, reconnects):
 *    config   sv2_miner_config_new, sv2_miner_config_set_pool_url, sv2_miner_config_set_device,
 *             sv2_miner_config_add_standard_channel, sv2_miner_config_add_extended_channel
 *    loop     sv2_miner_new, sv2_miner_data_to_send, sv2_miner_poll_timeout,
 *             sv2_miner_receive_data, sv2_miner_handle_timeout, sv2_miner_peer_closed,
 *             sv2_miner_next_event (sv2_miner_event, SV2_MINER_EVENT_*), sv2_miner_last_error
 *    shares   sv2_miner_submit_standard, sv2_miner_submit_extended (sv2_share_receipt)
 *    failover sv2_miner_set_endpoint, sv2_miner_reconnect
 *  Work for hashing boards (sv2_work: header, target, version mask; no allocation):
 *             sv2_work_clone, sv2_work_free, sv2_work_header, sv2_work_midstate,
 *             sv2_work_rolled_midstates, sv2_work_set_extranonce, sv2_work_max_ntime,
 *             sv2_work_hash, sv2_work_meets_target, sv2_work_is_block,
 *             sv2_version_rolling_split (disjoint version ranges for N boards)
 *  Pool (sessions and the engine: channels, jobs from templates, share checks, vardiff):
 *    config   sv2_pool_config_new, sv2_pool_config_set_noise, sv2_pool_config_set_vardiff
 *    loop     sv2_pool_new, sv2_pool_accept, sv2_pool_receive_data, sv2_pool_data_to_send,
 *             sv2_pool_poll_timeout, sv2_pool_handle_timeout, sv2_pool_next_event
 *             (sv2_pool_event, SV2_POOL_EVENT_*), sv2_pool_peer_closed, sv2_pool_remove
 *    work     sv2_pool_new_template, sv2_pool_set_prev_hash, sv2_template_source_new,
 *             sv2_pool_set_target, sv2_pool_snapshot
 *  Session (one connection of any protocol, messages in and out, no mining logic):
 *             sv2_client_config_new, sv2_server_config_new, sv2_session_new_client,
 *             sv2_session_new_server, sv2_session_receive_data, sv2_session_data_to_send,
 *             sv2_session_next_event (sv2_event), sv2_session_send, sv2_session_send_<msg>
 *  Codec (standalone frames and the message views):
 *             sv2_frame_decode, sv2_message_kind, sv2_message_as_<msg> (read-only views),
 *             sv2_encode_<msg>, sv2_message_encode, sv2_message_free, sv2_bytes_from_str
 *  Keys, certificates, pool URLs (what `sv2 key` does):
 *             sv2_authority_key_generate, sv2_server_key_generate, sv2_key_to_text,
 *             sv2_key_from_text, sv2_certificate_sign, sv2_certificate_verify,
 *             sv2_certificate_to_text, sv2_certificate_from_text, sv2_pool_url_parse
 *  Helpers:   sv2_target_to_difficulty, sv2_target_from_difficulty, sv2_target_from_nbits,
 *             sv2_target_from_share_rate, sv2_target_hashrate, sv2_result_str (SV2_ERR_*),
 *             sv2_version (SV2_VERSION_*)
 *
 * CONVENTIONS
 *  - Every symbol, type and macro starts with sv2_ / SV2_. Functions are sv2_<object>_<verb>.
 *  - Objects are opaque handles made by sv2_<object>_new* and freed by sv2_<object>_free;
 *    freeing NULL is a no-op.
 *  - Fallible functions return an sv2_result: SV2_OK (0) or an SV2_ERR_* code, grouped by
 *    hundreds: 1xx caller misuse, 2xx framing and codec, 3xx Noise, keys and certificates,
 *    4xx protocol, 9xx panic/poisoned. sv2_result_str() describes a code (static storage);
 *    sv2_<object>_last_error() gives a readable message for the last error on a handle.
 *  - Arguments: the object first, then inputs, then outputs. A buffer is followed by its size.
 *    `const` handles are not modified. Outputs are written only on success; the one exception
 *    is the size out-parameter of SV2_ERR_BUFFER_TOO_SMALL, which reports the size needed.
 *  - A NULL pointer where one is required returns SV2_ERR_NULL_ARG, never a crash.
 *  - A bug inside the library (a Rust panic) is caught at the boundary: the call returns
 *    SV2_ERR_PANIC and the handle is poisoned (every later call returns SV2_ERR_POISONED;
 *    only _free is still useful).
 *  - Events are polled (sv2_session_next_event, sv2_miner_next_event, sv2_pool_next_event),
 *    never called back.
 *
 * LIFETIMES
 *  Pointers the library returns into a handle (event messages, views, frames, works, error
 *  texts of an sv2_session, sv2_miner or sv2_pool) stay valid until the next mutating call on
 *  the same handle (a call taking it as non-const). Copy what you need to keep
 *  (sv2_work_clone() for a work). Nothing returned needs freeing except handles and clones.
 *
 * THREADS
 *  An sv2_client_config or sv2_server_config may be used from many threads at once by the
 *  functions taking it as const (session creation), as long as no thread changes it meanwhile.
 *  An sv2_session, sv2_miner or sv2_pool must not be used by two threads at the same time
 *  (one thread owns it); distinct handles are independent. A cloned sv2_work may be handed to
 *  another thread. The library starts no threads and holds no global mutable state.
 *
 * MEMORY
 *  The library allocates with the system allocator for handles, queued bytes and decoded
 *  messages; each function's documentation says whether it allocates. Incoming bytes are
 *  caller-owned and copied; outgoing bytes are copied into caller buffers.
 */

#ifndef SV2_H
#define SV2_H

/* Generated by `cargo xtask header` (cbindgen) from src/ffi/. Do not edit. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
/** Marks functions whose result must be checked. */
#if defined(__GNUC__) || defined(__clang__)
#define SV2_MUST_USE __attribute__((warn_unused_result))
#else
#define SV2_MUST_USE
#endif

/** Major version of this header (the library's Cargo.toml version 0.1.0). */
#define SV2_VERSION_MAJOR 0
/** Minor version of this header. */
#define SV2_VERSION_MINOR 1
/** Patch version of this header. */
#define SV2_VERSION_PATCH 0
/** The version as a string, as in sv2_version(). */
#define SV2_VERSION_STRING "0.1.0"


/**
 * Value of `sv2_message_kind()` for a NULL message.
 */
#define SV2_MESSAGE_KIND_NONE UINT32_MAX

/**
 * Size of a key (public or secret) in bytes.
 */
#define SV2_KEY_LEN 32

/**
 * A buffer of this size holds any key text with its NUL (`sv2_key_to_text()`).
 */
#define SV2_KEY_TEXT_SIZE 64

/**
 * A buffer of this size holds any certificate text with its NUL (`sv2_certificate_to_text()`).
 */
#define SV2_CERTIFICATE_TEXT_SIZE 512

/**
 * Number of message kinds: kinds are `0 .. SV2_MESSAGE_KIND_COUNT - 1`.
 */
#define SV2_MESSAGE_KIND_COUNT 50

/**
 * Kind of `SetupConnection` (Common 03 §3.7.1, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SETUP_CONNECTION 0

/**
 * Kind of `SetupConnection.Success` (Common 03 §3.7.2, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SETUP_CONNECTION_SUCCESS 1

/**
 * Kind of `SetupConnection.Error` (Common 03 §3.7.3, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SETUP_CONNECTION_ERROR 2

/**
 * Kind of `ChannelEndpointChanged` (Common 03 §3.7.4, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_CHANNEL_ENDPOINT_CHANGED 3

/**
 * Kind of `OpenStandardMiningChannel` (Mining 04 §4.3.2, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_STANDARD_MINING_CHANNEL 4

/**
 * Kind of `OpenStandardMiningChannel.Success` (Mining 04 §4.3.3, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_STANDARD_MINING_CHANNEL_SUCCESS 5

/**
 * Kind of `OpenStandardMiningChannel.Error` (Mining 04 §4.3.6, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_STANDARD_MINING_CHANNEL_ERROR 6

/**
 * Kind of `OpenExtendedMiningChannel` (Mining 04 §4.3.4, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_EXTENDED_MINING_CHANNEL 7

/**
 * Kind of `OpenExtendedMiningChannel.Success` (Mining 04 §4.3.5, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_EXTENDED_MINING_CHANNEL_SUCCESS 8

/**
 * Kind of `OpenExtendedMiningChannel.Error` (Mining 04 §4.3.6, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_EXTENDED_MINING_CHANNEL_ERROR 9

/**
 * Kind of `UpdateChannel` (Mining 04 §4.3.7, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_UPDATE_CHANNEL 10

/**
 * Kind of `UpdateChannel.Error` (Mining 04 §4.3.8, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_UPDATE_CHANNEL_ERROR 11

/**
 * Kind of `CloseChannel` (Mining 04 §4.3.9, Client->Server and Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_CLOSE_CHANNEL 12

/**
 * Kind of `SetExtranoncePrefix` (Mining 04 §4.3.10, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_EXTRANONCE_PREFIX 13

/**
 * Kind of `SubmitSharesStandard` (Mining 04 §4.3.11, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_SHARES_STANDARD 14

/**
 * Kind of `SubmitSharesExtended` (Mining 04 §4.3.12, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_SHARES_EXTENDED 15

/**
 * Kind of `SubmitShares.Success` (Mining 04 §4.3.13, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_SHARES_SUCCESS 16

/**
 * Kind of `SubmitShares.Error` (Mining 04 §4.3.14, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_SHARES_ERROR 17

/**
 * Kind of `NewMiningJob` (Mining 04 §4.3.15, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_NEW_MINING_JOB 18

/**
 * Kind of `NewExtendedMiningJob` (Mining 04 §4.3.16, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_NEW_EXTENDED_MINING_JOB 19

/**
 * Kind of `SetNewPrevHash` (Mining 04 §4.3.17, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_MINING_SET_NEW_PREV_HASH 20

/**
 * Kind of `SetTarget` (Mining 04 §4.3.21, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_TARGET 21

/**
 * Kind of `SetCustomMiningJob` (Mining 04 §4.3.18, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_CUSTOM_MINING_JOB 22

/**
 * Kind of `SetCustomMiningJob.Success` (Mining 04 §4.3.19, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_CUSTOM_MINING_JOB_SUCCESS 23

/**
 * Kind of `SetCustomMiningJob.Error` (Mining 04 §4.3.20, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_CUSTOM_MINING_JOB_ERROR 24

/**
 * Kind of `Reconnect` (Mining 04 §4.3.22, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_RECONNECT 25

/**
 * Kind of `SetGroupChannel` (Mining 04 §4.3.23, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SET_GROUP_CHANNEL 26

/**
 * Kind of `AllocateMiningJobToken` (JobNegotiation 05 §5.1.2, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_ALLOCATE_MINING_JOB_TOKEN 27

/**
 * Kind of `AllocateMiningJobToken.Success` (JobNegotiation 05 §5.1.3, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_ALLOCATE_MINING_JOB_TOKEN_SUCCESS 28

/**
 * Kind of `AllocateMiningJobToken.Error` (JobNegotiation 07 table only, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_ALLOCATE_MINING_JOB_TOKEN_ERROR 29

/**
 * Kind of `IdentifyTransactions` (JobNegotiation 05 §5.1.7, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_IDENTIFY_TRANSACTIONS 30

/**
 * Kind of `IdentifyTransactions.Success` (JobNegotiation 05 §5.1.8, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_IDENTIFY_TRANSACTIONS_SUCCESS 31

/**
 * Kind of `ProvideMissingTransactions` (JobNegotiation 05 §5.1.9, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_PROVIDE_MISSING_TRANSACTIONS 32

/**
 * Kind of `ProvideMissingTransactions.Success` (JobNegotiation 05 §5.1.10, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_PROVIDE_MISSING_TRANSACTIONS_SUCCESS 33

/**
 * Kind of `CommitMiningJob` (JobNegotiation 05 §5.1.4, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_COMMIT_MINING_JOB 34

/**
 * Kind of `CommitMiningJob.Success` (JobNegotiation 05 §5.1.5, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_COMMIT_MINING_JOB_SUCCESS 35

/**
 * Kind of `CommitMiningJob.Error` (JobNegotiation 05 §5.1.6, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_COMMIT_MINING_JOB_ERROR 36

/**
 * Kind of `CoinbaseOutputDataSize` (TemplateDistribution 06 §6.1, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_COINBASE_OUTPUT_DATA_SIZE 37

/**
 * Kind of `NewTemplate` (TemplateDistribution 06 §6.2, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_NEW_TEMPLATE 38

/**
 * Kind of `SetNewPrevHash` (TemplateDistribution 06 §6.3, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_TDP_SET_NEW_PREV_HASH 39

/**
 * Kind of `RequestTransactionData` (TemplateDistribution 06 §6.4, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_REQUEST_TRANSACTION_DATA 40

/**
 * Kind of `RequestTransactionData.Success` (TemplateDistribution 06 §6.5, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_REQUEST_TRANSACTION_DATA_SUCCESS 41

/**
 * Kind of `RequestTransactionData.Error` (TemplateDistribution 06 §6.6, Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_REQUEST_TRANSACTION_DATA_ERROR 42

/**
 * Kind of `SubmitSolution` (TemplateDistribution 06 §6.7, Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_SOLUTION 43

/**
 * Kind of `OpenTelemetryChannel` (Telemetry , Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_TELEMETRY_CHANNEL 44

/**
 * Kind of `OpenTelemetryChannel.Success` (Telemetry , Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_TELEMETRY_CHANNEL_SUCCESS 45

/**
 * Kind of `OpenTelemetryChannel.Error` (Telemetry , Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_OPEN_TELEMETRY_CHANNEL_ERROR 46

/**
 * Kind of `SubmitTelemetryData` (Telemetry , Client->Server); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_TELEMETRY_DATA 47

/**
 * Kind of `SubmitTelemetryData.Success` (Telemetry , Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_TELEMETRY_DATA_SUCCESS 48

/**
 * Kind of `SubmitTelemetryData.Error` (Telemetry , Server->Client); see `sv2_message_kind()`.
 */
#define SV2_MESSAGE_SUBMIT_TELEMETRY_DATA_ERROR 49

/**
 * Mining SetupConnection flag (spec bit layout): the client wants NewMiningJob for its
 * standard channels and no group-addressed extended jobs (header-only devices).
 */
#define SV2_MINING_REQUIRES_STANDARD_JOBS (1 << 0)

/**
 * Mining SetupConnection flag: the client will send SetCustomMiningJob (work selection).
 */
#define SV2_MINING_REQUIRES_WORK_SELECTION (1 << 1)

/**
 * Mining SetupConnection flag: the client needs version rolling (BIP320).
 */
#define SV2_MINING_REQUIRES_VERSION_ROLLING (1 << 2)

/**
 * Mining SetupConnection.Success flag: the pool accepts no change to the version.
 */
#define SV2_MINING_SUCCESS_REQUIRES_FIXED_VERSION (1 << 0)

/**
 * Mining SetupConnection.Success flag: the pool accepts only extended channels.
 */
#define SV2_MINING_SUCCESS_REQUIRES_EXTENDED_CHANNELS (1 << 1)

/**
 * No event: the miner is idle (`sv2_miner_event.type`).
 */
#define SV2_MINER_EVENT_NONE 0

/**
 * The Noise handshake completed (`cipher`).
 */
#define SV2_MINER_EVENT_HANDSHAKE_COMPLETE 1

/**
 * SetupConnection succeeded (`success_flags`); the configured channels are being opened.
 */
#define SV2_MINER_EVENT_SETUP_COMPLETE 2

/**
 * A channel opened (`request_id`, `channel_id`, `extended`, `target`, `extranonce_prefix`,
 * `extranonce_size`, `has_group_channel_id`/`group_channel_id`).
 */
#define SV2_MINER_EVENT_CHANNEL_OPENED 3

/**
 * A channel could not be opened. Four cases: refused by the server (`request_id`, `error`
 * 0, `text`: the server's error code); the server's grant refused by the miner (`request_id`,
 * `error` 0, `text` "invalid grant: …", e.g. an extranonce size above 32); the connection
 * ended before an answer (`request_id`, `error` 0, `text` "connection closed"; after the
 * CLOSED event, and the channel is asked for again after `sv2_miner_reconnect()`); refused
 * locally before sending, for a configured channel at setup (`request_id` 0, `error`: the
 * code, e.g. `SV2_ERR_EXTENDED_CHANNELS_REQUIRED`; `text`: why); no answer within the
 * open-channel timeout (`request_id`, `extended`, `error` `SV2_ERR_TIMEOUT_OPEN_CHANNEL`,
 * `text` naming request, kind and user; see `sv2_miner_config_set_open_channel_timeout()`).
 */
#define SV2_MINER_EVENT_CHANNEL_OPEN_FAILED 4

/**
 * A job became active: hash `work` (`channel_id`, `job_id`). If `work->clean`, abandon all
 * earlier work of the channel.
 */
#define SV2_MINER_EVENT_NEW_WORK 5

/**
 * Every job of `channel_id` is stale: stop hashing it and wait for NEW_WORK.
 */
#define SV2_MINER_EVENT_WORK_INVALIDATED 6

/**
 * The pool changed `channel_id`'s `target`; `active_work_updated` tells whether the current
 * work takes it (otherwise it applies from the next work).
 */
#define SV2_MINER_EVENT_TARGET_CHANGED 7

/**
 * A share was accepted (`channel_id`, `sequence_number`, `job_id`, `latency_ms`).
 */
#define SV2_MINER_EVENT_SHARE_ACCEPTED 8

/**
 * A share was rejected (`channel_id`, `sequence_number`, `job_id`, `latency_ms`; `text`: the
 * pool's error code, e.g. `stale-share`).
 */
#define SV2_MINER_EVENT_SHARE_REJECTED 9

/**
 * One SubmitShares.Success after its SHARE_ACCEPTED events (`channel_id`,
 * `sequence_number`: its last sequence number, `accepted_count`, `shares_sum`).
 */
#define SV2_MINER_EVENT_SHARES_ACKNOWLEDGED 10

/**
 * A pending share was given up without an answer (`channel_id`, `sequence_number`, `job_id`).
 */
#define SV2_MINER_EVENT_SHARE_EXPIRED 11

/**
 * A channel is gone (`channel_id`, `pending_dropped`; `text`: the server's reason code, empty
 * when the connection closed).
 */
#define SV2_MINER_EVENT_CHANNEL_CLOSED 12

/**
 * New extranonce prefix for the channel's next jobs (`channel_id`, `extranonce_prefix`,
 * `extranonce_size`).
 */
#define SV2_MINER_EVENT_EXTRANONCE_PREFIX_CHANGED 13

/**
 * A standard channel moved into a group (`channel_id`, `group_channel_id`).
 */
#define SV2_MINER_EVENT_GROUP_CHANGED 14

/**
 * UpdateChannel.Error (`channel_id`, `text`: the error code).
 */
#define SV2_MINER_EVENT_UPDATE_CHANNEL_FAILED 15

/**
 * The pool asks to move (`host`: empty for the current host, `port`: 0 for the current
 * port): connect a new socket there, then call `sv2_miner_reconnect()`.
 */
#define SV2_MINER_EVENT_RECONNECT 16

/**
 * ChannelEndpointChanged (`channel_id`): reset extension state for the channel.
 */
#define SV2_MINER_EVENT_ENDPOINT_CHANGED 17

/**
 * The pool broke a rule; the message was ignored or clamped (`text`: what; not fatal).
 */
#define SV2_MINER_EVENT_PROTOCOL_ERROR 18

/**
 * The connection ended (`close_reason`: `SV2_CLOSE_*`, `error`; `text` and
 * `sv2_miner_last_error()`: why). Send what `sv2_miner_data_to_send()` still holds, close the
 * socket; to go on, connect again and call `sv2_miner_reconnect()`.
 */
#define SV2_MINER_EVENT_CLOSED 19

/**
 * An event of a newer library version this header does not describe; ignore it.
 */
#define SV2_MINER_EVENT_OTHER 20

/**
 * Number of `SV2_REJECT_*` reasons (size of `sv2_channel_stats.shares_rejected_by_reason`).
 */
#define SV2_REJECT_REASON_COUNT 8

/**
 * Share rejected: `invalid-channel-id`.
 */
#define SV2_REJECT_INVALID_CHANNEL_ID 0

/**
 * Share rejected: `stale-share`.
 */
#define SV2_REJECT_STALE_SHARE 1

/**
 * Share rejected: `invalid-job-id`.
 */
#define SV2_REJECT_INVALID_JOB_ID 2

/**
 * Share rejected: `ntime-out-of-range`.
 */
#define SV2_REJECT_NTIME_OUT_OF_RANGE 3

/**
 * Share rejected: `version-not-allowed`.
 */
#define SV2_REJECT_VERSION_NOT_ALLOWED 4

/**
 * Share rejected: `invalid-extranonce-size`.
 */
#define SV2_REJECT_INVALID_EXTRANONCE_SIZE 5

/**
 * Share rejected: `difficulty-too-low`.
 */
#define SV2_REJECT_DIFFICULTY_TOO_LOW 6

/**
 * Share rejected: `duplicate-share`.
 */
#define SV2_REJECT_DUPLICATE_SHARE 7

/**
 * `sv2_pool_config_set_client_max_target()`: never set a target easier than the client's
 * `max_target` (the spec; the default).
 */
#define SV2_CLIENT_MAX_TARGET_HONOUR 0

/**
 * `sv2_pool_config_set_client_max_target()`: disregard the client's `max_target`; targets
 * follow the pool's bounds and vardiff only.
 */
#define SV2_CLIENT_MAX_TARGET_IGNORE 1

/**
 * `sv2_pool_config_set_client_max_target()`: honour the client's `max_target` down to
 * `cap_target`; a harder one counts as `cap_target`.
 */
#define SV2_CLIENT_MAX_TARGET_CAP 2

/**
 * No event (`sv2_pool_event.type`).
 */
#define SV2_POOL_EVENT_NONE 0

/**
 * A connection completed SetupConnection (`conn`; `setup`: its SetupConnection, read with
 * `sv2_message_as_setup_connection()`: vendor, firmware, device id, flags).
 */
#define SV2_POOL_EVENT_CONNECTED 1

/**
 * A channel opened (`conn`, `channel_id`, `extended`, `has_group_channel_id`/
 * `group_channel_id`, `user_identity`, `target`, `extranonce_prefix`).
 */
#define SV2_POOL_EVENT_CHANNEL_OPENED 2

/**
 * A channel closed (`conn`, `channel_id`, `cause`: `SV2_CHANNEL_CLOSE_*`, `text`: the reason
 * code, `stats`: its final totals).
 */
#define SV2_POOL_EVENT_CHANNEL_CLOSED 3

/**
 * A share was accepted (`conn`, `channel_id`, `user_identity`, `job_id`, `sequence_number`,
 * `credited_difficulty`, `share_difficulty`).
 */
#define SV2_POOL_EVENT_SHARE_ACCEPTED 4

/**
 * A share was rejected and the error queued for the miner (`conn`, `channel_id`,
 * `sequence_number`, `reject_reason`: `SV2_REJECT_*`, `text`: the error code sent).
 */
#define SV2_POOL_EVENT_SHARE_REJECTED 5

/**
 * A share met the network target (`conn`, `channel_id`, `user_identity`, `job_id`, `header`,
 * `block_hash`, `coinbase_tx`, `has_template_id`/`template_id`). Broadcast the block (header,
 * coinbase, the template's transactions); with the synthetic source, call
 * `sv2_template_source_advance()` and `sv2_pool_next_synthetic_block()`.
 */
#define SV2_POOL_EVENT_BLOCK_FOUND 6

/**
 * A channel's target changed and SetTarget was queued (`conn`, `channel_id`, `target`,
 * `cause`: `SV2_TARGET_CAUSE_*`).
 */
#define SV2_POOL_EVENT_TARGET_CHANGED 7

/**
 * The engine refused a message or action of this connection (`conn`, `error`; `text` and
 * `sv2_pool_last_error()`: why). Logged, not fatal (a refused SetupConnection closes the
 * connection: a CLOSED event follows).
 */
#define SV2_POOL_EVENT_ENGINE_ERROR 8

/**
 * A connection ended (`conn`, `close_reason`: `SV2_CLOSE_*`, `error`, `text`). Send what
 * `sv2_pool_data_to_send()` still holds for it, close the socket, then `sv2_pool_remove()`.
 */
#define SV2_POOL_EVENT_CLOSED 9

/**
 * `sv2_pool_event.cause` of CHANNEL_CLOSED: the miner sent CloseChannel.
 */
#define SV2_CHANNEL_CLOSE_CLIENT 1

/**
 * `sv2_pool_event.cause` of CHANNEL_CLOSED: the pool closed it.
 */
#define SV2_CHANNEL_CLOSE_SERVER 2

/**
 * `sv2_pool_event.cause` of CHANNEL_CLOSED: the connection closed.
 */
#define SV2_CHANNEL_CLOSE_CONNECTION 3

/**
 * `sv2_pool_event.cause` of TARGET_CHANGED: the vardiff controller.
 */
#define SV2_TARGET_CAUSE_VARDIFF 1

/**
 * `sv2_pool_event.cause` of TARGET_CHANGED: the miner's UpdateChannel.
 */
#define SV2_TARGET_CAUSE_UPDATE_CHANNEL 2

/**
 * `sv2_pool_event.cause` of TARGET_CHANGED: `sv2_pool_set_target()`.
 */
#define SV2_TARGET_CAUSE_API 3

/**
 * `SetupConnection.protocol` of the Mining Protocol (also `sv2_event.protocol`).
 */
#define SV2_PROTOCOL_MINING 0

/**
 * `SetupConnection.protocol` of the Job Negotiation Protocol.
 */
#define SV2_PROTOCOL_JOB_NEGOTIATION 1

/**
 * `SetupConnection.protocol` of the Template Distribution Protocol.
 */
#define SV2_PROTOCOL_TEMPLATE_DISTRIBUTION 2

/**
 * No event: the session is idle (`sv2_event.type`).
 */
#define SV2_EVENT_NONE 0

/**
 * The Noise handshake completed (`cipher`, `negotiation_form`).
 */
#define SV2_EVENT_HANDSHAKE_COMPLETE 1

/**
 * SetupConnection succeeded (`protocol`, `version`, `requested_flags`, `success_flags`; `msg`
 * is the client's SetupConnection).
 */
#define SV2_EVENT_SETUP_COMPLETE 2

/**
 * A message from the peer (`msg`, `message_kind`, `has_channel_id`/`channel_id`).
 */
#define SV2_EVENT_MESSAGE 3

/**
 * A frame of an unknown extension with the channel_msg bit set, for a proxy to forward
 * (`frame`: the whole frame, header included; `channel_id`).
 */
#define SV2_EVENT_FORWARD 4

/**
 * The session ended (`close_reason`, `error`, `setup_error_flags`, `setup_error_code`).
 * Bytes still pending in `sv2_session_data_to_send()` should be sent before closing the socket.
 */
#define SV2_EVENT_CLOSED 5

/**
 * `sv2_event.close_reason`: SetupConnection.Error was sent (server) or received (client).
 */
#define SV2_CLOSE_SETUP_REJECTED 1

/**
 * `sv2_event.close_reason`: the peer closed the connection cleanly.
 */
#define SV2_CLOSE_PEER_CLOSED 2

/**
 * `sv2_event.close_reason`: `sv2_session_close()` was called.
 */
#define SV2_CLOSE_LOCAL 3

/**
 * `sv2_event.close_reason`: an error ended the session; see `sv2_event.error` and
 * `sv2_session_last_error()`.
 */
#define SV2_CLOSE_ERROR 4

/**
 * `sv2_event.cipher`: ChaCha20-Poly1305.
 */
#define SV2_CIPHER_CHACHAPOLY 1

/**
 * `sv2_event.cipher`: AES-256-GCM.
 */
#define SV2_CIPHER_AESGCM 2

/**
 * `sv2_event.negotiation_form`: `STR3` negotiation (SRI 2022/2023).
 */
#define SV2_NEGOTIATION_STR3 1

/**
 * `sv2_event.negotiation_form`: `STR2` negotiation (Braiins 2021).
 */
#define SV2_NEGOTIATION_STR2 2

/**
 * `sv2_event.negotiation_form`: no negotiation (legacy Braiins clients).
 */
#define SV2_NEGOTIATION_NONE 3

/**
 * `sv2_session_poll_timeout()`: no timer is running.
 */
#define SV2_NO_TIMEOUT UINT64_MAX

/**
 * No event (`sv2_template_provider_event.type`).
 */
#define SV2_PROVIDER_EVENT_NONE 0

/**
 * A connection completed SetupConnection for Template Distribution (`conn`; `setup`: its
 * SetupConnection, read with `sv2_message_as_setup_connection()`).
 */
#define SV2_PROVIDER_EVENT_CONNECTED 1

/**
 * A client announced its coinbase outputs (`conn`, `size`:
 * `coinbase_output_max_additional_size`); templates follow on it.
 */
#define SV2_PROVIDER_EVENT_COINBASE_OUTPUT_DATA_SIZE 2

/**
 * A SubmitSolution became a block (`conn`, `template_id`, `height`, `stale`, `block`: the
 * serialized block, `block_hash`, `header`): broadcast it (Bitcoin Core `submitblock`).
 */
#define SV2_PROVIDER_EVENT_SOLUTION 3

/**
 * A SubmitSolution that is not a block (`conn`, `template_id`; `error`: 0 for a template the
 * provider does not know, else `SV2_ERR_INVALID_TEMPLATE`; `text`: why). The connection stays.
 */
#define SV2_PROVIDER_EVENT_SOLUTION_REFUSED 4

/**
 * A client asked for more coinbase room than any block has (`conn`, `error`, `text`): it is
 * being closed (a CLOSED event follows).
 */
#define SV2_PROVIDER_EVENT_RESERVATION_REFUSED 5

/**
 * A connection ended (`conn`, `close_reason`: `SV2_CLOSE_*`, `error`, `text`). Send what
 * `sv2_template_provider_data_to_send()` still holds, close the socket, then
 * `sv2_template_provider_remove()`.
 */
#define SV2_PROVIDER_EVENT_CLOSED 6

/**
 * `SV2_TEMPLATE_UPDATE_*` of `sv2_template_provider_set_template()`: a new tip (clients got a
 * future template and SetNewPrevHash).
 */
#define SV2_TEMPLATE_UPDATE_NEW_TIP 1

/**
 * `sv2_template_provider_set_template()`: another template on the current tip (clients got a
 * non-future template).
 */
#define SV2_TEMPLATE_UPDATE_SAME_TIP 2

/**
 * No event (`sv2_template_client_event.type`).
 */
#define SV2_TEMPLATE_CLIENT_EVENT_NONE 0

/**
 * Setup done and CoinbaseOutputDataSize sent: templates follow.
 */
#define SV2_TEMPLATE_CLIENT_EVENT_READY 1

/**
 * A template (`msg`: read with `sv2_message_as_new_template()`; `template_id`). A future one
 * waits for its SET_NEW_PREV_HASH. Hand it to a pool with `sv2_pool_apply_template_event()`.
 */
#define SV2_TEMPLATE_CLIENT_EVENT_NEW_TEMPLATE 2

/**
 * A new tip activating a future template (`msg`: `sv2_message_as_tdp_set_new_prev_hash()`;
 * `template_id`).
 */
#define SV2_TEMPLATE_CLIENT_EVENT_SET_NEW_PREV_HASH 3

/**
 * A template's transactions (`msg`: `sv2_message_as_request_transaction_data_success()`;
 * `template_id`).
 */
#define SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA 4

/**
 * The provider could not give them (`msg`: `sv2_message_as_request_transaction_data_error()`;
 * `template_id`; `text`: the error code, `template-id-not-found` or `stale-template-id`).
 */
#define SV2_TEMPLATE_CLIENT_EVENT_TRANSACTION_DATA_ERROR 5

/**
 * The connection ended (`close_reason`: `SV2_CLOSE_*`, `error`, `text`). Reconnect with a
 * new client; a pool keeps its channels meanwhile.
 */
#define SV2_TEMPLATE_CLIENT_EVENT_CLOSED 6

/**
 * A block template as a template source (a Bitcoin node, the synthetic source) knows it:
 * header fields, height, coinbase value and the transactions in block order. Made by
 * `sv2_block_template_new()` or `sv2_synthetic_block_source_next_block()`, given to
 * `sv2_template_provider_set_template()` (which copies it), freed by
 * `sv2_block_template_free()`.
 */
typedef struct sv2_block_template sv2_block_template;

/**
 * Configuration of client sessions: what `sv2_session_new_client()` copies.
 *
 * Made by `sv2_client_config_new()`, changed by the `sv2_client_config_set_*` functions, freed
 * by `sv2_client_config_free()`. Sessions copy what they need, so a config may be changed or
 * freed while sessions made from it live. Several threads may make sessions from one config at
 * once, as long as none changes it meanwhile.
 */
typedef struct sv2_client_config sv2_client_config;

/**
 * A message: its kind and, through `sv2_message_as_<msg>()`, its fields.
 *
 * Either owned by a session (the message of an event: valid until the next mutating call on
 * that session, never freed by the caller) or by the caller (from `sv2_frame_decode()`: freed
 * with `sv2_message_free()`).
 */
typedef struct sv2_message sv2_message;

/**
 * A mining device's connection to its pool: the sans-I/O session (Noise, SetupConnection)
 * and the mining client (channels, jobs, shares) in one handle. It opens no socket, reads no
 * clock and starts no threads.
 *
 * Loop: write what `sv2_miner_data_to_send()` gives to the socket; wait for the socket or
 * `sv2_miner_poll_timeout()`; feed bytes with `sv2_miner_receive_data()` (or call
 * `sv2_miner_handle_timeout()`); drain `sv2_miner_next_event()` until
 * `SV2_MINER_EVENT_NONE`; submit shares with `sv2_miner_submit_*()`. One thread owns the
 * miner; hashing threads work on `sv2_work_clone()` copies.
 */
typedef struct sv2_miner sv2_miner;

/**
 * Configuration of a miner: the pool (URL or key), the device, the SetupConnection flags and
 * the channels to open after every (re)connection. Made by `sv2_miner_config_new()`, freed by
 * `sv2_miner_config_free()`; a miner copies it, so it may be freed once the miner exists.
 */
typedef struct sv2_miner_config sv2_miner_config;

/**
 * A pool: the sessions of many downstream connections and the pool engine (channels, jobs
 * from templates, share validation, acknowledgements, vardiff, accounting) in one handle. It
 * opens no socket, reads no clock and starts no threads.
 *
 * Loop: on accept, `sv2_pool_accept()` names the connection; feed each socket's bytes with
 * `sv2_pool_receive_data()` (end of file: `sv2_pool_peer_closed()`); call
 * `sv2_pool_handle_timeout()` at `sv2_pool_poll_timeout()`; drain `sv2_pool_next_event()`;
 * then, for every connection, write what `sv2_pool_data_to_send()` gives. Templates come from
 * `sv2_pool_new_template()` / `sv2_pool_set_prev_hash()` (a template provider) or
 * `sv2_pool_next_synthetic_block()`.
 */
typedef struct sv2_pool sv2_pool;

/**
 * Configuration of a pool: security (Noise key and certificate, or plaintext), wire dialect,
 * timeouts, and the engine's settings (vardiff, target bounds, acknowledgement batching,
 * coinbase). Made by `sv2_pool_config_new()`, freed by `sv2_pool_config_free()`; a pool
 * copies it.
 */
typedef struct sv2_pool_config sv2_pool_config;

/**
 * Configuration of server sessions: what `sv2_session_new_server()` copies. Same rules as
 * `sv2_client_config`.
 */
typedef struct sv2_server_config sv2_server_config;

/**
 * One connection's protocol state (Noise, SetupConnection, framing): bytes and time in, events
 * and bytes out. It performs no I/O, reads no clock and starts no threads.
 *
 * Call order: after `sv2_session_new_*`, `sv2_session_receive_data()`, any send and
 * `sv2_session_handle_timeout()`: drain `sv2_session_data_to_send()` (until it gives 0 bytes)
 * to the socket, then look at `sv2_session_poll_timeout()`, then drain
 * `sv2_session_next_event()` until `SV2_EVENT_NONE`.
 */
typedef struct sv2_session sv2_session;

/**
 * Templates and tips without a Bitcoin node, for demos and tests: regtest difficulty,
 * invented prevhashes, valid BIP34 heights and real (made-up) legacy and segwit transactions.
 * Deterministic from its seed.
 */
typedef struct sv2_synthetic_block_source sv2_synthetic_block_source;

/**
 * A pool's connection to its Template Provider (§6 client): sends CoinbaseOutputDataSize after
 * setup (R131), reports templates and tips, asks for transaction data, submits solutions. It
 * opens no socket, reads no clock and starts no threads.
 *
 * Loop: as `sv2_miner`: write `sv2_template_client_data_to_send()` to the socket, feed what
 * arrives with `_receive_data()`, drain `_next_event()` (hand NEW_TEMPLATE and
 * SET_NEW_PREV_HASH to `sv2_pool_apply_template_event()`), and return the pool's blocks with
 * `sv2_template_client_submit_block_found()`.
 */
typedef struct sv2_template_client sv2_template_client;

/**
 * Configuration of a template client (a pool's connection to its Template Provider): the
 * provider (URL or key), the vendor string, the coinbase outputs the pool adds, timeouts.
 * Made by `sv2_template_client_config_new()`, freed by `sv2_template_client_config_free()`;
 * a client copies it.
 */
typedef struct sv2_template_client_config sv2_template_client_config;

/**
 * A Template Provider (§6): serves templates to pools and job negotiators over many
 * connections, answers RequestTransactionData, and turns SubmitSolution into full blocks. It
 * opens no socket, reads no clock and starts no threads.
 *
 * Loop: on accept, `sv2_template_provider_accept()` names the connection; feed each socket's
 * bytes with `sv2_template_provider_receive_data()` (end of file: `_peer_closed()`); call
 * `_handle_timeout()` at `_poll_timeout()`; on every template from the node call
 * `_set_template()`; drain `_next_event()` (SOLUTION: broadcast the block); then, for every
 * connection, write what `_data_to_send()` gives.
 */
typedef struct sv2_template_provider sv2_template_provider;

/**
 * Configuration of a template provider: security (Noise key and certificate, or plaintext),
 * timeouts and how many templates it keeps for RequestTransactionData and SubmitSolution.
 * Made by `sv2_template_provider_config_new()`, freed by
 * `sv2_template_provider_config_free()`; a provider copies it.
 */
typedef struct sv2_template_provider_config sv2_template_provider_config;

/**
 * A made-up template provider for demos and tests: invented prevhashes, valid BIP34 heights,
 * a network target `sv2_pool_config_set_block_difficulty_factor()` times harder than the
 * hardest share target (so blocks are rare next to shares). Deterministic from its seed.
 */
typedef struct sv2_template_source sv2_template_source;

/**
 * Library-private part of an `sv2_work` (the coinbase pieces of extended work).
 */
typedef struct sv2_work_internal sv2_work_internal;

/**
 * A borrowed byte string: `len` bytes at `ptr`.
 *
 * In views filled by the library, `ptr` points into the message and stays valid as long as the
 * message does; it is not NUL-terminated and may be any non-NULL value when `len` is 0. In
 * structures the caller fills, `ptr` may be NULL when `len` is 0; the library copies the bytes
 * during the call.
 */
typedef struct sv2_bytes {
  /**
   * First byte.
   */
  const uint8_t *ptr;
  /**
   * Number of bytes.
   */
  size_t len;
} sv2_bytes;

/**
 * The result of a fallible libsv2 call: `SV2_OK` (0) or one of the `SV2_ERR_*` codes.
 * `sv2_result_str()` describes a code.
 */
typedef uint32_t sv2_result;

/**
 * A wire dialect: one of the `SV2_DIALECT_*` values.
 */
typedef uint32_t sv2_dialect;

/**
 * A server certificate with the two keys it binds (spec 3.3.6): what the pool authority signs
 * and what a server needs for `sv2_server_config_set_noise()`. Plain data, caller-allocated.
 */
typedef struct sv2_certificate {
  /**
   * Certificate format version (0).
   */
  uint16_t version;
  /**
   * Unix time (seconds) from which the certificate is valid, inclusive.
   */
  uint32_t valid_from;
  /**
   * Unix time (seconds) after which it is no longer valid, inclusive.
   */
  uint32_t not_valid_after;
  /**
   * The server's X25519 static public key the certificate was signed for.
   */
  uint8_t server_public_key[32];
  /**
   * The Ed25519 public key of the authority that signed it.
   */
  uint8_t authority_public_key[32];
  /**
   * The Ed25519 signature over the 78 signed bytes.
   */
  uint8_t signature[64];
} sv2_certificate;

/**
 * A parsed pool URL (`stratum2+tcp://host:port/<authority key>` or
 * `stratum2+tcp+plain://host:port`). Plain data, caller-allocated.
 */
typedef struct sv2_pool_url {
  /**
   * The host, NUL-terminated: a lowercased DNS name or an IP address (IPv6 without brackets,
   * ready for `getaddrinfo()`). `char`, so that it passes to the C string functions as is.
   */
  char host[256];
  /**
   * The TCP port.
   */
  uint16_t port;
  /**
   * True for Noise (`stratum2+tcp://`), false for explicit plaintext.
   */
  bool noise;
  /**
   * The pool authority's Ed25519 public key when `noise` is true (zeros otherwise).
   */
  uint8_t authority_key[32];
} sv2_pool_url;

/**
 * `SetupConnection` (Common 03 §3.7.1, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_setup_connection()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_setup_connection()` or `sv2_encode_setup_connection()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_setup_connection {
  /**
   * `protocol`: `U8` (uint8_t). 0=Mining, 1=Job Negotiation, 2=Template Distribution, 3=Job Distribution (not specified in this version)
   */
  uint8_t protocol;
  /**
   * `min_version`: `U16` (uint16_t). currently must be 2
   */
  uint16_t min_version;
  /**
   * `max_version`: `U16` (uint16_t). currently must be 2
   */
  uint16_t max_version;
  /**
   * `flags`: `U32` (uint32_t). protocol-specific feature flags; bit 0 = least significant bit (implied)
   */
  uint32_t flags;
  /**
   * `endpoint_host`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8). Section table says U32 but describes 'ASCII text indicating the hostname or IP address'. All known implementations (Braiins ii-stratum, SRI) encode STR0_255; spec fixed to STR0_255 in c77569d (2023). See checklist E14.
   */
  struct sv2_bytes endpoint_host;
  /**
   * `endpoint_port`: `U16` (uint16_t).
   */
  uint16_t endpoint_port;
  /**
   * `vendor`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes vendor;
  /**
   * `hardware_version`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes hardware_version;
  /**
   * `firmware`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes firmware;
  /**
   * `device_id`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes device_id;
} sv2_setup_connection;

/**
 * `SetupConnection.Success` (Common 03 §3.7.2, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_setup_connection_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_setup_connection_success()` or `sv2_encode_setup_connection_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_setup_connection_success {
  /**
   * `used_version`: `U16` (uint16_t).
   */
  uint16_t used_version;
  /**
   * `flags`: `U32` (uint32_t).
   */
  uint32_t flags;
} sv2_setup_connection_success;

/**
 * `SetupConnection.Error` (Common 03 §3.7.3, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_setup_connection_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_setup_connection_error()` or `sv2_encode_setup_connection_error()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_setup_connection_error {
  /**
   * `flags`: `U32` (uint32_t). full set of client-requested flags the server does not support; 0 = error unrelated to flags
   */
  uint32_t flags;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_setup_connection_error;

/**
 * `ChannelEndpointChanged` (Common 03 §3.7.4, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_channel_endpoint_changed()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_channel_endpoint_changed()` or `sv2_encode_channel_endpoint_changed()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_channel_endpoint_changed {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
} sv2_channel_endpoint_changed;

/**
 * `OpenStandardMiningChannel` (Mining 04 §4.3.2, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_standard_mining_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_standard_mining_channel()` or `sv2_encode_open_standard_mining_channel()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_open_standard_mining_channel {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `user_identity`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes user_identity;
  /**
   * `nominal_hash_rate`: `F32` (float). F32 is not defined in 03 §3.1; IEEE-754 binary32, little-endian (4 bytes).
   */
  float nominal_hash_rate;
  /**
   * `max_target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t max_target[32];
} sv2_open_standard_mining_channel;

/**
 * `OpenStandardMiningChannel.Success` (Mining 04 §4.3.3, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_standard_mining_channel_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_standard_mining_channel_success()` or `sv2_encode_open_standard_mining_channel_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_open_standard_mining_channel_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t target[32];
  /**
   * `extranonce_prefix`: `B0_32` (at most 32 bytes). B0_32 is used but not defined in 03 §3.1 (added in fbae595): 1-byte length prefix, length 0..32.
   */
  struct sv2_bytes extranonce_prefix;
  /**
   * `group_channel_id`: `U32` (uint32_t).
   */
  uint32_t group_channel_id;
} sv2_open_standard_mining_channel_success;

/**
 * `OpenStandardMiningChannel.Error` (Mining 04 §4.3.6, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_standard_mining_channel_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_standard_mining_channel_error()` or `sv2_encode_open_standard_mining_channel_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * 04 §4.3.6 defines a single 'OpenMiningChannel.Error'; the 07 table assigns two ids (0x12 for standard, 0x15 for extended) with this same layout. SRI (2022) used 0x12 for both; accept both on receive.
 */
typedef struct sv2_open_standard_mining_channel_error {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_open_standard_mining_channel_error;

/**
 * `OpenExtendedMiningChannel` (Mining 04 §4.3.4, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_extended_mining_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_extended_mining_channel()` or `sv2_encode_open_extended_mining_channel()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Section says '&lt;All fields from OpenStandardMiningChannel>' followed by min_extranonce_size; expanded here.
 */
typedef struct sv2_open_extended_mining_channel {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `user_identity`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes user_identity;
  /**
   * `nominal_hash_rate`: `F32` (float). F32 is not defined in 03 §3.1; IEEE-754 binary32, little-endian (4 bytes).
   */
  float nominal_hash_rate;
  /**
   * `max_target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t max_target[32];
  /**
   * `min_extranonce_size`: `U16` (uint16_t).
   */
  uint16_t min_extranonce_size;
} sv2_open_extended_mining_channel;

/**
 * `OpenExtendedMiningChannel.Success` (Mining 04 §4.3.5, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_extended_mining_channel_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_extended_mining_channel_success()` or `sv2_encode_open_extended_mining_channel_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_open_extended_mining_channel_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t target[32];
  /**
   * `extranonce_size`: `U16` (uint16_t).
   */
  uint16_t extranonce_size;
  /**
   * `extranonce_prefix`: `B0_32` (at most 32 bytes). B0_32 undefined in 03 §3.1; 1-byte length prefix, 0..32 bytes.
   */
  struct sv2_bytes extranonce_prefix;
} sv2_open_extended_mining_channel_success;

/**
 * `OpenExtendedMiningChannel.Error` (Mining 04 §4.3.6, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_extended_mining_channel_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_extended_mining_channel_error()` or `sv2_encode_open_extended_mining_channel_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Same section/layout as 0x12 (04 §4.3.6 'OpenMiningChannel.Error'); id 0x15 exists only in the 07 table. Later spec versions reassign 0x15 to NewMiningJob.
 */
typedef struct sv2_open_extended_mining_channel_error {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_open_extended_mining_channel_error;

/**
 * `UpdateChannel` (Mining 04 §4.3.7, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_update_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_update_channel()` or `sv2_encode_update_channel()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_update_channel {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `nominal_hash_rate`: `F32` (float).
   */
  float nominal_hash_rate;
  /**
   * `maximum_target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t maximum_target[32];
} sv2_update_channel;

/**
 * `UpdateChannel.Error` (Mining 04 §4.3.8, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_update_channel_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_update_channel_error()` or `sv2_encode_update_channel_error()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_update_channel_error {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_update_channel_error;

/**
 * `CloseChannel` (Mining 04 §4.3.9, Client->Server and Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_close_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_close_channel()` or `sv2_encode_close_channel()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_close_channel {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `reason_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes reason_code;
} sv2_close_channel;

/**
 * `SetExtranoncePrefix` (Mining 04 §4.3.10, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_extranonce_prefix()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_extranonce_prefix()` or `sv2_encode_set_extranonce_prefix()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_set_extranonce_prefix {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `extranonce_prefix`: `B0_32` (at most 32 bytes).
   */
  struct sv2_bytes extranonce_prefix;
} sv2_set_extranonce_prefix;

/**
 * `SubmitSharesStandard` (Mining 04 §4.3.11, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_shares_standard()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_shares_standard()` or `sv2_encode_submit_shares_standard()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_submit_shares_standard {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `sequence_number`: `U32` (uint32_t).
   */
  uint32_t sequence_number;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `nonce`: `U32` (uint32_t).
   */
  uint32_t nonce;
  /**
   * `ntime`: `U32` (uint32_t). Section text says ntime MUST be >= 'header_timestamp' of the latest SetNewPrevHash; the Mining SetNewPrevHash has no such field (it has min_ntime). See checklist E22.
   */
  uint32_t ntime;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
} sv2_submit_shares_standard;

/**
 * `SubmitSharesExtended` (Mining 04 §4.3.12, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_shares_extended()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_shares_extended()` or `sv2_encode_submit_shares_extended()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Section says '&lt;SubmitSharesStandard message fields>' followed by extranonce; expanded here.
 */
typedef struct sv2_submit_shares_extended {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `sequence_number`: `U32` (uint32_t).
   */
  uint32_t sequence_number;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `nonce`: `U32` (uint32_t).
   */
  uint32_t nonce;
  /**
   * `ntime`: `U32` (uint32_t). Section text says ntime MUST be >= 'header_timestamp' of the latest SetNewPrevHash; the Mining SetNewPrevHash has no such field (it has min_ntime). See checklist E22.
   */
  uint32_t ntime;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `extranonce`: `B0_32` (at most 32 bytes). length MUST equal the extranonce_size negotiated at channel opening; B0_32 caps it at 32 bytes although extranonce_size is U16.
   */
  struct sv2_bytes extranonce;
} sv2_submit_shares_extended;

/**
 * `SubmitShares.Success` (Mining 04 §4.3.13, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_shares_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_shares_success()` or `sv2_encode_submit_shares_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_submit_shares_success {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `last_sequence_number`: `U32` (uint32_t).
   */
  uint32_t last_sequence_number;
  /**
   * `new_submits_accepted_count`: `U32` (uint32_t).
   */
  uint32_t new_submits_accepted_count;
  /**
   * `new_shares_sum`: `U64` (uint64_t). unit not defined in this version ('Sum of shares'); later spec: sum of share difficulties
   */
  uint64_t new_shares_sum;
} sv2_submit_shares_success;

/**
 * `SubmitShares.Error` (Mining 04 §4.3.14, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_shares_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_shares_error()` or `sv2_encode_submit_shares_error()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_submit_shares_error {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `sequence_number`: `U32` (uint32_t).
   */
  uint32_t sequence_number;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_submit_shares_error;

/**
 * An `OPTION[U32]`: `value` is meaningful only when `present` is true.
 */
typedef struct sv2_option_u32 {
  /**
   * Whether a value is present.
   */
  bool present;
  /**
   * The value (0 when absent).
   */
  uint32_t value;
} sv2_option_u32;

/**
 * `NewMiningJob` (Mining 04 §4.3.15, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_new_mining_job()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_new_mining_job()` or `sv2_encode_new_mining_job()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * The '&lt;Bitcoin specific part>' row in the section table is a separator, not a field.
 */
typedef struct sv2_new_mining_job {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `future_job`: `BOOL` (bool).
   */
  bool future_job;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `merkle_root`: `B32` (32 bytes, little-endian (wire order)). B32 is not defined in 03 §3.1: 32 raw bytes, no length prefix (identical on the wire to U256; later spec changed the type to U256).
   */
  uint8_t merkle_root[32];
  /**
   * `min_ntime`: `OPTION[U32]` (optional uint32_t). sri-2023 dialect only: carried instead of `future_job` (None means a future job).
   */
  struct sv2_option_u32 min_ntime;
} sv2_new_mining_job;

/**
 * A borrowed sequence of 32-byte values (`SEQ0_255[U256]`, `SEQ0_64K[U256]`): `len`
 * elements of 32 bytes each (little-endian, wire order) at `ptr`. Same lifetime rules as
 * `sv2_bytes`.
 */
typedef struct sv2_u256_seq {
  /**
   * First element.
   */
  const uint8_t (*ptr)[32];
  /**
   * Number of elements.
   */
  size_t len;
} sv2_u256_seq;

/**
 * `NewExtendedMiningJob` (Mining 04 §4.3.16, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_new_extended_mining_job()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_new_extended_mining_job()` or `sv2_encode_new_extended_mining_job()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_new_extended_mining_job {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `future_job`: `BOOL` (bool).
   */
  bool future_job;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `version_rolling_allowed`: `BOOL` (bool).
   */
  bool version_rolling_allowed;
  /**
   * `merkle_path`: `SEQ0_255[U256]` (sequence of 32-byte values). section description is a copy-paste error ('Valid version field ...'); it is the merkle branch, ordered from deepest (cf. 04 §4.3.18, 06 §6.2)
   */
  struct sv2_u256_seq merkle_path;
  /**
   * `coinbase_tx_prefix`: `B0_64K` (bytes).
   */
  struct sv2_bytes coinbase_tx_prefix;
  /**
   * `coinbase_tx_suffix`: `B0_64K` (bytes).
   */
  struct sv2_bytes coinbase_tx_suffix;
  /**
   * `min_ntime`: `OPTION[U32]` (optional uint32_t). sri-2023 dialect only: carried instead of `future_job` (None means a future job).
   */
  struct sv2_option_u32 min_ntime;
} sv2_new_extended_mining_job;

/**
 * `SetNewPrevHash` (Mining 04 §4.3.17, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_mining_set_new_prev_hash()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_mining_set_new_prev_hash()` or `sv2_encode_mining_set_new_prev_hash()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_mining_set_new_prev_hash {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `prev_hash`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t prev_hash[32];
  /**
   * `min_ntime`: `U32` (uint32_t).
   */
  uint32_t min_ntime;
  /**
   * `nbits`: `U32` (uint32_t).
   */
  uint32_t nbits;
} sv2_mining_set_new_prev_hash;

/**
 * `SetTarget` (Mining 04 §4.3.21, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_target()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_target()` or `sv2_encode_set_target()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_set_target {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `maximum_target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t maximum_target[32];
} sv2_set_target;

/**
 * A borrowed sequence of byte strings (`SEQ0_64K[B0_64K]` and the like): `len` elements at
 * `ptr`. Same lifetime rules as `sv2_bytes`.
 */
typedef struct sv2_bytes_seq {
  /**
   * First element.
   */
  const struct sv2_bytes *ptr;
  /**
   * Number of elements.
   */
  size_t len;
} sv2_bytes_seq;

/**
 * `SetCustomMiningJob` (Mining 04 §4.3.18, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_custom_mining_job()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_custom_mining_job()` or `sv2_encode_set_custom_mining_job()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * 07 table gives channel_msg=0 although the payload starts with channel_id and the message is per (extended) channel; later spec (2026, fbf87d8) sets channel_msg=1. Accept either bit on receive.
 */
typedef struct sv2_set_custom_mining_job {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `mining_job_token`: `B0_255` (bytes).
   */
  struct sv2_bytes mining_job_token;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `prev_hash`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t prev_hash[32];
  /**
   * `min_ntime`: `U32` (uint32_t).
   */
  uint32_t min_ntime;
  /**
   * `nbits`: `U32` (uint32_t).
   */
  uint32_t nbits;
  /**
   * `coinbase_tx_version`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_version;
  /**
   * `coinbase_prefix`: `B0_255` (bytes). 'Up to 8 bytes' per description although typed B0_255
   */
  struct sv2_bytes coinbase_prefix;
  /**
   * `coinbase_tx_input_n_sequence`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_input_n_sequence;
  /**
   * `coinbase_tx_value_remaining`: `U64` (uint64_t).
   */
  uint64_t coinbase_tx_value_remaining;
  /**
   * `coinbase_tx_outputs`: `SEQ0_64K[B0_64K]` (sequence of byte strings). each element is one serialized output (NewTemplate uses a flat B0_64K instead)
   */
  struct sv2_bytes_seq coinbase_tx_outputs;
  /**
   * `coinbase_tx_locktime`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_locktime;
  /**
   * `merkle_path`: `SEQ0_255[U256]` (sequence of 32-byte values).
   */
  struct sv2_u256_seq merkle_path;
  /**
   * `extranonce_size`: `U16` (uint16_t).
   */
  uint16_t extranonce_size;
  /**
   * `future_job`: `BOOL` (bool). semantics 'TBD: Can be custom job ever future?'
   */
  bool future_job;
} sv2_set_custom_mining_job;

/**
 * `SetCustomMiningJob.Success` (Mining 04 §4.3.19, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_custom_mining_job_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_custom_mining_job_success()` or `sv2_encode_set_custom_mining_job_success()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * channel_msg=0 per 07 table (see SetCustomMiningJob note).
 */
typedef struct sv2_set_custom_mining_job_success {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `job_id`: `U32` (uint32_t).
   */
  uint32_t job_id;
  /**
   * `coinbase_tx_prefix`: `B0_64K` (bytes).
   */
  struct sv2_bytes coinbase_tx_prefix;
  /**
   * `coinbase_tx_suffix`: `B0_64K` (bytes).
   */
  struct sv2_bytes coinbase_tx_suffix;
} sv2_set_custom_mining_job_success;

/**
 * `SetCustomMiningJob.Error` (Mining 04 §4.3.20, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_custom_mining_job_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_custom_mining_job_error()` or `sv2_encode_set_custom_mining_job_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * channel_msg=0 per 07 table (see SetCustomMiningJob note).
 */
typedef struct sv2_set_custom_mining_job_error {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_set_custom_mining_job_error;

/**
 * `Reconnect` (Mining 04 §4.3.22, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_reconnect()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_reconnect()` or `sv2_encode_reconnect()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_reconnect {
  /**
   * `new_host`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8). empty = reconnect to present host
   */
  struct sv2_bytes new_host;
  /**
   * `new_port`: `U16` (uint16_t). 0 = present port
   */
  uint16_t new_port;
} sv2_reconnect;

/**
 * A borrowed sequence of `uint32_t` (`SEQ0_64K[U32]`). Same lifetime rules as `sv2_bytes`.
 */
typedef struct sv2_u32_seq {
  /**
   * First element.
   */
  const uint32_t *ptr;
  /**
   * Number of elements.
   */
  size_t len;
} sv2_u32_seq;

/**
 * `SetGroupChannel` (Mining 04 §4.3.23, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_set_group_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_set_group_channel()` or `sv2_encode_set_group_channel()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_set_group_channel {
  /**
   * `group_channel_id`: `U32` (uint32_t).
   */
  uint32_t group_channel_id;
  /**
   * `channel_ids`: `SEQ0_64K[U32]` (sequence of uint32_t).
   */
  struct sv2_u32_seq channel_ids;
} sv2_set_group_channel;

/**
 * `AllocateMiningJobToken` (JobNegotiation 05 §5.1.2, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_allocate_mining_job_token()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_allocate_mining_job_token()` or `sv2_encode_allocate_mining_job_token()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_allocate_mining_job_token {
  /**
   * `user_identifier`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes user_identifier;
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
} sv2_allocate_mining_job_token;

/**
 * `AllocateMiningJobToken.Success` (JobNegotiation 05 §5.1.3, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_allocate_mining_job_token_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_allocate_mining_job_token_success()` or `sv2_encode_allocate_mining_job_token_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_allocate_mining_job_token_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `mining_job_token`: `B0_255` (bytes).
   */
  struct sv2_bytes mining_job_token;
  /**
   * `coinbase_output_max_additional_size`: `U32` (uint32_t).
   */
  uint32_t coinbase_output_max_additional_size;
  /**
   * `coinbase_output`: `B0_64K` (bytes). sri-2023 dialect only; empty/zero elsewhere.
   */
  struct sv2_bytes coinbase_output;
  /**
   * `async_mining_allowed`: `BOOL` (bool).
   */
  bool async_mining_allowed;
} sv2_allocate_mining_job_token_success;

/**
 * `AllocateMiningJobToken.Error` (JobNegotiation 07 table only, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_allocate_mining_job_token_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_allocate_mining_job_token_error()` or `sv2_encode_allocate_mining_job_token_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Listed in the 07 table but no section defines it: payload layout unknown. Do not send; on receive treat the payload as opaque bytes. SRI (2022) left it commented out for the same reason; removed from the spec in 2023 (21381ff).
 */
typedef struct sv2_allocate_mining_job_token_error {
  /**
   * `payload`: `BYTES` (bytes).
   */
  struct sv2_bytes payload;
} sv2_allocate_mining_job_token_error;

/**
 * `IdentifyTransactions` (JobNegotiation 05 §5.1.7, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_identify_transactions()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_identify_transactions()` or `sv2_encode_identify_transactions()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_identify_transactions {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
} sv2_identify_transactions;

/**
 * `IdentifyTransactions.Success` (JobNegotiation 05 §5.1.8, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_identify_transactions_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_identify_transactions_success()` or `sv2_encode_identify_transactions_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_identify_transactions_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `tx_data_hashes`: `SEQ0_64K[U256]` (sequence of 32-byte values). this field has no name in the section; name taken from later spec (3beb0e4)
   */
  struct sv2_u256_seq tx_data_hashes;
} sv2_identify_transactions_success;

/**
 * A borrowed sequence of `uint16_t` (`SEQ0_64K[U16]`). Same lifetime rules as `sv2_bytes`.
 */
typedef struct sv2_u16_seq {
  /**
   * First element.
   */
  const uint16_t *ptr;
  /**
   * Number of elements.
   */
  size_t len;
} sv2_u16_seq;

/**
 * `ProvideMissingTransactions` (JobNegotiation 05 §5.1.9, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_provide_missing_transactions()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_provide_missing_transactions()` or `sv2_encode_provide_missing_transactions()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_provide_missing_transactions {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `unknown_tx_position_list`: `SEQ0_64K[U16]` (sequence of uint16_t).
   */
  struct sv2_u16_seq unknown_tx_position_list;
} sv2_provide_missing_transactions;

/**
 * `ProvideMissingTransactions.Success` (JobNegotiation 05 §5.1.10, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_provide_missing_transactions_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_provide_missing_transactions_success()` or `sv2_encode_provide_missing_transactions_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_provide_missing_transactions_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `transaction_list`: `SEQ0_64K[B0_16M]` (sequence of byte strings).
   */
  struct sv2_bytes_seq transaction_list;
} sv2_provide_missing_transactions_success;

/**
 * A borrowed sequence of 6-byte short transaction ids (`SEQ0_64K[SHORT_TX_ID]`). Same
 * lifetime rules as `sv2_bytes`.
 */
typedef struct sv2_short_tx_id_seq {
  /**
   * First element.
   */
  const uint8_t (*ptr)[6];
  /**
   * Number of elements.
   */
  size_t len;
} sv2_short_tx_id_seq;

/**
 * `CommitMiningJob` (JobNegotiation 05 §5.1.4, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_commit_mining_job()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_commit_mining_job()` or `sv2_encode_commit_mining_job()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * MISSING from the 07 message-type table: this version assigns no msg_type. 0x57 is provisional, taken from SRI const_sv2 (2022) and later spec commit aaf100a (2023-03).
 */
typedef struct sv2_commit_mining_job {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `mining_job_token`: `B0_255` (bytes).
   */
  struct sv2_bytes mining_job_token;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `coinbase_tx_version`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_version;
  /**
   * `coinbase_prefix`: `B0_255` (bytes).
   */
  struct sv2_bytes coinbase_prefix;
  /**
   * `coinbase_tx_input_n_sequence`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_input_n_sequence;
  /**
   * `coinbase_tx_value_remaining`: `U64` (uint64_t).
   */
  uint64_t coinbase_tx_value_remaining;
  /**
   * `coinbase_tx_outputs`: `SEQ0_64K[B0_64K]` (sequence of byte strings).
   */
  struct sv2_bytes_seq coinbase_tx_outputs;
  /**
   * `coinbase_tx_locktime`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_locktime;
  /**
   * `min_extranonce_size`: `U16` (uint16_t).
   */
  uint16_t min_extranonce_size;
  /**
   * `tx_short_hash_nonce`: `U64` (uint64_t).
   */
  uint64_t tx_short_hash_nonce;
  /**
   * `tx_short_hash_list`: `SEQ0_64K[SHORT_TX_ID]` (sequence of 6-byte short transaction ids).
   */
  struct sv2_short_tx_id_seq tx_short_hash_list;
  /**
   * `tx_hash_list_hash`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t tx_hash_list_hash[32];
  /**
   * `excess_data`: `B0_64K` (bytes).
   */
  struct sv2_bytes excess_data;
} sv2_commit_mining_job;

/**
 * `CommitMiningJob.Success` (JobNegotiation 05 §5.1.5, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_commit_mining_job_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_commit_mining_job_success()` or `sv2_encode_commit_mining_job_success()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * MISSING from the 07 table; 0x58 is provisional (SRI 2022, spec aaf100a).
 */
typedef struct sv2_commit_mining_job_success {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `new_mining_job_token`: `B0_255` (bytes).
   */
  struct sv2_bytes new_mining_job_token;
} sv2_commit_mining_job_success;

/**
 * `CommitMiningJob.Error` (JobNegotiation 05 §5.1.6, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_commit_mining_job_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_commit_mining_job_error()` or `sv2_encode_commit_mining_job_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * MISSING from the 07 table; 0x59 is provisional (SRI 2022 MESSAGE_TYPE_COMMIT_MINING_JOB_ERROR; later spec used 0x59 for DeclareMiningJob.Error).
 */
typedef struct sv2_commit_mining_job_error {
  /**
   * `request_id`: `U32` (uint32_t).
   */
  uint32_t request_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
  /**
   * `error_details`: `B0_64K` (bytes).
   */
  struct sv2_bytes error_details;
} sv2_commit_mining_job_error;

/**
 * `CoinbaseOutputDataSize` (TemplateDistribution 06 §6.1, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_coinbase_output_data_size()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_coinbase_output_data_size()` or `sv2_encode_coinbase_output_data_size()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_coinbase_output_data_size {
  /**
   * `coinbase_output_max_additional_size`: `U32` (uint32_t).
   */
  uint32_t coinbase_output_max_additional_size;
} sv2_coinbase_output_data_size;

/**
 * `NewTemplate` (TemplateDistribution 06 §6.2, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_new_template()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_new_template()` or `sv2_encode_new_template()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_new_template {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
  /**
   * `future_template`: `BOOL` (bool).
   */
  bool future_template;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `coinbase_tx_version`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_version;
  /**
   * `coinbase_prefix`: `B0_255` (bytes). 'Up to 8 bytes'
   */
  struct sv2_bytes coinbase_prefix;
  /**
   * `coinbase_tx_input_sequence`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_input_sequence;
  /**
   * `coinbase_tx_value_remaining`: `U64` (uint64_t).
   */
  uint64_t coinbase_tx_value_remaining;
  /**
   * `coinbase_tx_outputs_count`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_outputs_count;
  /**
   * `coinbase_tx_outputs`: `B0_64K` (bytes). flat concatenation of serialized outputs (count given by coinbase_tx_outputs_count); differs from SEQ0_64K\[B0_64K\] used in CommitMiningJob/SetCustomMiningJob
   */
  struct sv2_bytes coinbase_tx_outputs;
  /**
   * `coinbase_tx_locktime`: `U32` (uint32_t).
   */
  uint32_t coinbase_tx_locktime;
  /**
   * `merkle_path`: `SEQ0_255[U256]` (sequence of 32-byte values).
   */
  struct sv2_u256_seq merkle_path;
} sv2_new_template;

/**
 * `SetNewPrevHash` (TemplateDistribution 06 §6.3, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_tdp_set_new_prev_hash()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_tdp_set_new_prev_hash()` or `sv2_encode_tdp_set_new_prev_hash()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Same name as Mining SetNewPrevHash (0x20) but different protocol, id and layout.
 */
typedef struct sv2_tdp_set_new_prev_hash {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
  /**
   * `prev_hash`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t prev_hash[32];
  /**
   * `header_timestamp`: `U32` (uint32_t).
   */
  uint32_t header_timestamp;
  /**
   * `n_bits`: `U32` (uint32_t).
   */
  uint32_t n_bits;
  /**
   * `target`: `U256` (32 bytes, little-endian (wire order)).
   */
  uint8_t target[32];
} sv2_tdp_set_new_prev_hash;

/**
 * `RequestTransactionData` (TemplateDistribution 06 §6.4, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_request_transaction_data()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_request_transaction_data()` or `sv2_encode_request_transaction_data()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_request_transaction_data {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
} sv2_request_transaction_data;

/**
 * `RequestTransactionData.Success` (TemplateDistribution 06 §6.5, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_request_transaction_data_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_request_transaction_data_success()` or `sv2_encode_request_transaction_data_success()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_request_transaction_data_success {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
  /**
   * `excess_data`: `B0_64K` (bytes).
   */
  struct sv2_bytes excess_data;
  /**
   * `transaction_list`: `SEQ0_64K[B0_16M]` (sequence of byte strings). description copy-pasted from ProvideMissingTransactions.Success; it is the full tx data of the template (excluding coinbase)
   */
  struct sv2_bytes_seq transaction_list;
} sv2_request_transaction_data_success;

/**
 * `RequestTransactionData.Error` (TemplateDistribution 06 §6.6, Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_request_transaction_data_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_request_transaction_data_error()` or `sv2_encode_request_transaction_data_error()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_request_transaction_data_error {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
  /**
   * `error_code`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes error_code;
} sv2_request_transaction_data_error;

/**
 * `SubmitSolution` (TemplateDistribution 06 §6.7, Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_solution()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_solution()` or `sv2_encode_submit_solution()`: the library only reads it
 * during the call and copies what it keeps.
 */
typedef struct sv2_submit_solution {
  /**
   * `template_id`: `U64` (uint64_t).
   */
  uint64_t template_id;
  /**
   * `version`: `U32` (uint32_t).
   */
  uint32_t version;
  /**
   * `header_timestamp`: `U32` (uint32_t).
   */
  uint32_t header_timestamp;
  /**
   * `header_nonce`: `U32` (uint32_t).
   */
  uint32_t header_nonce;
  /**
   * `coinbase_tx`: `B0_64K` (bytes).
   */
  struct sv2_bytes coinbase_tx;
} sv2_submit_solution;

/**
 * `OpenTelemetryChannel` (Telemetry , Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_telemetry_channel()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_telemetry_channel()` or `sv2_encode_open_telemetry_channel()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked.
 */
typedef struct sv2_open_telemetry_channel {
  /**
   * `req_id`: `U32` (uint32_t).
   */
  uint32_t req_id;
  /**
   * `dev_id`: `STR0_255` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes dev_id;
} sv2_open_telemetry_channel;

/**
 * `OpenTelemetryChannel.Success` (Telemetry , Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_telemetry_channel_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_telemetry_channel_success()` or `sv2_encode_open_telemetry_channel_success()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked.
 */
typedef struct sv2_open_telemetry_channel_success {
  /**
   * `req_id`: `U32` (uint32_t).
   */
  uint32_t req_id;
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
} sv2_open_telemetry_channel_success;

/**
 * `OpenTelemetryChannel.Error` (Telemetry , Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_open_telemetry_channel_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_open_telemetry_channel_error()` or `sv2_encode_open_telemetry_channel_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked.
 */
typedef struct sv2_open_telemetry_channel_error {
  /**
   * `req_id`: `U32` (uint32_t).
   */
  uint32_t req_id;
  /**
   * `code`: `STR0_32` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes code;
} sv2_open_telemetry_channel_error;

/**
 * `SubmitTelemetryData` (Telemetry , Client->Server): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_telemetry_data()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_telemetry_data()` or `sv2_encode_submit_telemetry_data()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked. Starts with channel_id but is sent with the channel_msg bit clear.
 */
typedef struct sv2_submit_telemetry_data {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `seq_num`: `U32` (uint32_t).
   */
  uint32_t seq_num;
  /**
   * `telemetry_payload`: `B0_64K` (bytes).
   */
  struct sv2_bytes telemetry_payload;
} sv2_submit_telemetry_data;

/**
 * `SubmitTelemetryData.Success` (Telemetry , Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_telemetry_data_success()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_telemetry_data_success()` or `sv2_encode_submit_telemetry_data_success()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked. Starts with channel_id but is sent with the channel_msg bit clear.
 */
typedef struct sv2_submit_telemetry_data_success {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `last_seq_num`: `U32` (uint32_t).
   */
  uint32_t last_seq_num;
} sv2_submit_telemetry_data_success;

/**
 * `SubmitTelemetryData.Error` (Telemetry , Server->Client): its fields as C values.
 *
 * Read from a received message with `sv2_message_as_submit_telemetry_data_error()`: every pointer in it (`sv2_bytes` and
 * sequences) borrows from the message and is valid as long as the message is (for a
 * message of a session event: until the next mutating call on this session). Filled by the
 * caller for `sv2_session_send_submit_telemetry_data_error()` or `sv2_encode_submit_telemetry_data_error()`: the library only reads it
 * during the call and copies what it keeps.
 *
 * Telemetry extension: extension_type 0x0001 (channel_msg bit clear), msg_type counted from 0 inside the extension; not in messages.json. Ids 0x00-0x05 overlap the Common ids unless the extension id is checked. Starts with channel_id but is sent with the channel_msg bit clear.
 */
typedef struct sv2_submit_telemetry_data_error {
  /**
   * `channel_id`: `U32` (uint32_t).
   */
  uint32_t channel_id;
  /**
   * `seq_num`: `U32` (uint32_t).
   */
  uint32_t seq_num;
  /**
   * `code`: `STR0_32` (string bytes, not NUL-terminated, not necessarily UTF-8).
   */
  struct sv2_bytes code;
} sv2_submit_telemetry_data_error;

/**
 * One unit of work for a mining device: an active job of one channel. Plain data plus one
 * library-private pointer.
 *
 * The work of an `SV2_MINER_EVENT_NEW_WORK` event belongs to the miner and is valid until the
 * next mutating call on that miner. `sv2_work_clone()` makes a caller-owned copy (freed with
 * `sv2_work_free()`), for example to hand to a hashing thread. A by-value copy of the struct
 * (`sv2_work w = *ev.work;`) is enough for `sv2_work_header()`, `sv2_work_hash()`,
 * `sv2_work_meets_target()` and the midstate functions, which read only `header`, `target` and
 * `version_mask`; `sv2_work_set_extranonce()` also reads `internal`, so it needs a clone (or a
 * copy whose original is still valid).
 *
 * Hash the header with any `nonce`, any `ntime` from `min_ntime` to `sv2_work_max_ntime()`,
 * and any `version` that differs from `version` only in `version_mask` bits; submit what meets
 * `target` with `sv2_miner_submit_standard()` (standard channels) or
 * `sv2_miner_submit_extended()` (extended channels, with the extranonce used).
 */
typedef struct sv2_work {
  /**
   * The channel (a standard or extended channel, never a group id).
   */
  uint32_t channel_id;
  /**
   * The job id to submit.
   */
  uint32_t job_id;
  /**
   * The 80-byte header template in block-header byte order: the job's version, the
   * prevhash, the merkle root (extended: for `extranonce`), `ntime = min_ntime`, nBits and
   * nonce 0.
   */
  uint8_t header[80];
  /**
   * Shares must hash to at most this target (32 bytes, little-endian like the hash).
   */
  uint8_t target[32];
  /**
   * The job's version (the base for rolling).
   */
  uint32_t version;
  /**
   * Version bits the miner may change (BIP320 `0x1fffe000`), or 0 when rolling is not
   * allowed.
   */
  uint32_t version_mask;
  /**
   * Smallest nTime allowed.
   */
  uint32_t min_ntime;
  /**
   * nBits of the block (the network target).
   */
  uint32_t nbits;
  /**
   * `now_ms` at which the nTime window opened: nTime may grow by one per second from here.
   */
  uint64_t ntime_base_ms;
  /**
   * True when this work follows a new prevhash: abandon all earlier work of the channel at
   * once. False for a new job on the same prevhash (earlier work stays valid).
   */
  bool clean;
  /**
   * True for extended-channel work (the miner chooses an extranonce).
   */
  bool extended;
  /**
   * Extended: bytes of extranonce the miner supplies.
   */
  uint16_t extranonce_size;
  /**
   * Extended: length of `extranonce_prefix`.
   */
  uint8_t extranonce_prefix_len;
  /**
   * Extended: the channel's extranonce prefix (first `extranonce_prefix_len` bytes).
   */
  uint8_t extranonce_prefix[32];
  /**
   * Extended: the extranonce (first `extranonce_size` bytes) that `header`'s merkle root
   * commits to: zeros until `sv2_work_set_extranonce()`.
   */
  uint8_t extranonce[32];
  /**
   * Library-private; do not touch.
   */
  const struct sv2_work_internal *internal;
} sv2_work;

/**
 * One hashing board's share of a job's version-rolling space (`sv2_version_rolling_split()`):
 * the board hashes the versions `work->version ^ fixed_bits ^ r` for every `r` made of bits of
 * `mask`. In a clone of the work given to the board, set `version ^= fixed_bits` and
 * `version_mask = mask`: `sv2_work_rolled_midstates()` then gives that board's versions only.
 */
typedef struct sv2_version_rolling_part {
  /**
   * The version bits the board rolls itself (a subset of the job's BIP320 mask).
   */
  uint32_t mask;
  /**
   * The bits to XOR into the job's version for this board; distinct for every board.
   */
  uint32_t fixed_bits;
} sv2_version_rolling_part;

/**
 * One event of a miner, filled by `sv2_miner_next_event()` into caller storage. Fields not
 * listed for the event's `type` are zero (pointers NULL). Pointers borrow from the miner and
 * are valid until the next mutating call on this miner; nothing needs freeing.
 */
typedef struct sv2_miner_event {
  /**
   * `SV2_MINER_EVENT_*`.
   */
  uint32_t type;
  /**
   * The channel the event is about.
   */
  uint32_t channel_id;
  /**
   * CHANNEL_OPENED, CHANNEL_OPEN_FAILED: the id `sv2_miner_open_*_channel()` returned
   * (channels from the config get 1, 2, … in order on each connection).
   */
  uint32_t request_id;
  /**
   * NEW_WORK, SHARE_*: the job.
   */
  uint32_t job_id;
  /**
   * SHARE_*: the share's sequence number (from its `sv2_share_receipt`);
   * SHARES_ACKNOWLEDGED: the last one acknowledged.
   */
  uint32_t sequence_number;
  /**
   * SHARE_ACCEPTED, SHARE_REJECTED: milliseconds from the submit to the answer.
   */
  uint64_t latency_ms;
  /**
   * CHANNEL_OPENED, CHANNEL_OPEN_FAILED (timed out): true for an extended channel.
   */
  bool extended;
  /**
   * CHANNEL_OPENED, TARGET_CHANGED: the target (32 bytes, little-endian).
   */
  uint8_t target[32];
  /**
   * TARGET_CHANGED: whether the current work already uses the new target.
   */
  bool active_work_updated;
  /**
   * CHANNEL_OPENED, EXTRANONCE_PREFIX_CHANGED: the extranonce prefix.
   */
  struct sv2_bytes extranonce_prefix;
  /**
   * CHANNEL_OPENED, EXTRANONCE_PREFIX_CHANGED: bytes of extranonce the miner supplies.
   */
  uint16_t extranonce_size;
  /**
   * CHANNEL_OPENED, GROUP_CHANGED: whether the standard channel is in a group.
   */
  bool has_group_channel_id;
  /**
   * CHANNEL_OPENED, GROUP_CHANGED: the group.
   */
  uint32_t group_channel_id;
  /**
   * NEW_WORK: the work, owned by the miner (read-only; `sv2_work_clone()` to keep it).
   */
  const struct sv2_work *work;
  /**
   * Text per event type (not NUL-terminated): server error codes, reasons, descriptions.
   */
  struct sv2_bytes text;
  /**
   * RECONNECT: the new host (not NUL-terminated; empty: the current host).
   */
  struct sv2_bytes host;
  /**
   * RECONNECT: the new port (0: the current port).
   */
  uint16_t port;
  /**
   * HANDSHAKE_COMPLETE: `SV2_CIPHER_*`.
   */
  uint32_t cipher;
  /**
   * SETUP_COMPLETE: the SetupConnection.Success flags (`SV2_MINING_SUCCESS_*`).
   */
  uint32_t success_flags;
  /**
   * SHARES_ACKNOWLEDGED: `new_submits_accepted_count`.
   */
  uint32_t accepted_count;
  /**
   * SHARES_ACKNOWLEDGED: `new_shares_sum`.
   */
  uint64_t shares_sum;
  /**
   * CHANNEL_CLOSED: shares that were still awaiting an answer.
   */
  uint32_t pending_dropped;
  /**
   * CLOSED: `SV2_CLOSE_*`.
   */
  uint32_t close_reason;
  /**
   * CLOSED with `SV2_CLOSE_ERROR`, CHANNEL_OPEN_FAILED refused locally or timed out: the
   * error code.
   */
  sv2_result error;
} sv2_miner_event;

/**
 * A share that passed the local checks and was queued for the pool.
 */
typedef struct sv2_share_receipt {
  /**
   * The channel.
   */
  uint32_t channel_id;
  /**
   * The sequence number the miner assigned; its SHARE_ACCEPTED / SHARE_REJECTED event
   * carries the same number.
   */
  uint32_t sequence_number;
  /**
   * The job.
   */
  uint32_t job_id;
  /**
   * The header hash (internal byte order).
   */
  uint8_t hash[32];
  /**
   * True if the hash also meets the network target (a block; the pool propagates it).
   */
  bool is_block;
} sv2_share_receipt;

/**
 * Accounting for one channel (payouts, dashboards). `user_identity` borrows from the pool:
 * valid until the next mutating call on it.
 */
typedef struct sv2_channel_stats {
  /**
   * Connection.
   */
  uint64_t conn;
  /**
   * Channel id.
   */
  uint32_t channel_id;
  /**
   * True for an extended channel.
   */
  bool extended;
  /**
   * Whether the standard channel is in a group.
   */
  bool has_group_channel_id;
  /**
   * Its group.
   */
  uint32_t group_channel_id;
  /**
   * `user_identity` (not NUL-terminated).
   */
  struct sv2_bytes user_identity;
  /**
   * Current target (32 bytes, little-endian).
   */
  uint8_t target[32];
  /**
   * Accepted shares.
   */
  uint64_t shares_accepted;
  /**
   * Rejected shares, all reasons.
   */
  uint64_t shares_rejected;
  /**
   * Rejected shares by `SV2_REJECT_*` reason.
   */
  uint64_t shares_rejected_by_reason[SV2_REJECT_REASON_COUNT];
  /**
   * Sum of the credited difficulty of accepted shares.
   */
  double accepted_difficulty;
  /**
   * Estimated hash rate over the rolling window (hashes per second).
   */
  double hashrate;
  /**
   * Highest difficulty a share of this channel reached.
   */
  double best_share_difficulty;
  /**
   * Blocks found.
   */
  uint32_t blocks_found;
} sv2_channel_stats;

/**
 * One event of a pool, filled by `sv2_pool_next_event()` into caller storage. Fields not
 * listed for the event's `type` are zero (pointers NULL). Pointers borrow from the pool and
 * are valid until the next mutating call on it; nothing needs freeing.
 */
typedef struct sv2_pool_event {
  /**
   * `SV2_POOL_EVENT_*`.
   */
  uint32_t type;
  /**
   * The connection (the id `sv2_pool_accept()` returned).
   */
  uint64_t conn;
  /**
   * The channel.
   */
  uint32_t channel_id;
  /**
   * CHANNEL_OPENED: true for an extended channel.
   */
  bool extended;
  /**
   * CHANNEL_OPENED: whether the standard channel is in a group.
   */
  bool has_group_channel_id;
  /**
   * CHANNEL_OPENED: its group.
   */
  uint32_t group_channel_id;
  /**
   * CHANNEL_OPENED, SHARE_ACCEPTED, BLOCK_FOUND: who gets credit (not NUL-terminated).
   */
  struct sv2_bytes user_identity;
  /**
   * CHANNEL_OPENED, TARGET_CHANGED: the target (32 bytes, little-endian).
   */
  uint8_t target[32];
  /**
   * CHANNEL_OPENED: the channel's extranonce prefix.
   */
  struct sv2_bytes extranonce_prefix;
  /**
   * SHARE_ACCEPTED, BLOCK_FOUND: the job.
   */
  uint32_t job_id;
  /**
   * SHARE_ACCEPTED, SHARE_REJECTED: the submit's sequence number.
   */
  uint32_t sequence_number;
  /**
   * SHARE_ACCEPTED: the difficulty credited (of the target the share was checked against).
   */
  double credited_difficulty;
  /**
   * SHARE_ACCEPTED: the difficulty the hash reached.
   */
  double share_difficulty;
  /**
   * SHARE_REJECTED: `SV2_REJECT_*`.
   */
  uint32_t reject_reason;
  /**
   * SHARE_REJECTED: the error code sent; CHANNEL_CLOSED: the reason code; ENGINE_ERROR,
   * CLOSED: a description (not NUL-terminated).
   */
  struct sv2_bytes text;
  /**
   * CHANNEL_CLOSED: `SV2_CHANNEL_CLOSE_*`; TARGET_CHANGED: `SV2_TARGET_CAUSE_*`.
   */
  uint32_t cause;
  /**
   * CHANNEL_CLOSED: the channel's final totals.
   */
  struct sv2_channel_stats stats;
  /**
   * BLOCK_FOUND: the 80-byte block header.
   */
  uint8_t header[80];
  /**
   * BLOCK_FOUND: SHA256d of the header, internal byte order.
   */
  uint8_t block_hash[32];
  /**
   * BLOCK_FOUND: the full coinbase transaction.
   */
  struct sv2_bytes coinbase_tx;
  /**
   * BLOCK_FOUND: whether the job came from a template (false for a custom job).
   */
  bool has_template_id;
  /**
   * BLOCK_FOUND: the template's id.
   */
  uint64_t template_id;
  /**
   * CONNECTED: the client's SetupConnection; never free it.
   */
  const struct sv2_message *setup;
  /**
   * CLOSED: `SV2_CLOSE_*`.
   */
  uint32_t close_reason;
  /**
   * CLOSED with `SV2_CLOSE_ERROR`, ENGINE_ERROR: the error code.
   */
  sv2_result error;
  /**
   * BLOCK_FOUND of a template job: the SubmitSolution for the template provider (read with
   * `sv2_message_as_submit_solution()`, or pass the whole event to
   * `sv2_template_client_submit_block_found()`); NULL for a custom job. Never free it.
   */
  const struct sv2_message *submit_solution;
} sv2_pool_event;

/**
 * The whole pool at one instant (`sv2_pool_snapshot()`).
 */
typedef struct sv2_pool_summary {
  /**
   * Open connections.
   */
  size_t connections;
  /**
   * Open channels.
   */
  size_t channels;
  /**
   * Whether a prevhash is set.
   */
  bool has_prev_hash;
  /**
   * The current prevhash (internal byte order).
   */
  uint8_t prev_hash[32];
  /**
   * Whether a job is active.
   */
  bool has_active_job;
  /**
   * The newest active job.
   */
  uint32_t active_job_id;
  /**
   * Sum of the channels' hash rate estimates (hashes per second).
   */
  double total_hashrate;
  /**
   * Blocks found since the pool started.
   */
  uint64_t blocks_found;
} sv2_pool_summary;

/**
 * One event of a session, filled by `sv2_session_next_event()` into caller storage. Fields not
 * listed for the event's `type` are zero (pointers NULL). Pointers borrow from the session and
 * are valid until the next mutating call on this session; nothing needs freeing.
 */
typedef struct sv2_event {
  /**
   * `SV2_EVENT_*`.
   */
  uint32_t type;
  /**
   * MESSAGE and SETUP_COMPLETE: the kind of `msg` (`SV2_MESSAGE_*`).
   */
  uint32_t message_kind;
  /**
   * MESSAGE: the message; SETUP_COMPLETE: the client's SetupConnection. Read it with
   * `sv2_message_as_<msg>()`; never free it.
   */
  const struct sv2_message *msg;
  /**
   * MESSAGE and FORWARD: whether the message is addressed to a channel.
   */
  bool has_channel_id;
  /**
   * MESSAGE and FORWARD: the channel, if `has_channel_id`.
   */
  uint32_t channel_id;
  /**
   * HANDSHAKE_COMPLETE: `SV2_CIPHER_*`.
   */
  uint32_t cipher;
  /**
   * HANDSHAKE_COMPLETE: `SV2_NEGOTIATION_*`.
   */
  uint32_t negotiation_form;
  /**
   * SETUP_COMPLETE: `SV2_PROTOCOL_*`.
   */
  uint32_t protocol;
  /**
   * SETUP_COMPLETE: the protocol version in use (2).
   */
  uint32_t version;
  /**
   * SETUP_COMPLETE: the flags the client requested.
   */
  uint32_t requested_flags;
  /**
   * SETUP_COMPLETE: the flags of SetupConnection.Success, to be honoured by the client.
   */
  uint32_t success_flags;
  /**
   * FORWARD: the whole frame (header and payload), for `sv2_session_send_raw()` on the other
   * connection.
   */
  struct sv2_bytes frame;
  /**
   * CLOSED: `SV2_CLOSE_*`.
   */
  uint32_t close_reason;
  /**
   * CLOSED with `SV2_CLOSE_ERROR`: the error (`sv2_result_str()`, `sv2_session_last_error()`).
   */
  sv2_result error;
  /**
   * CLOSED with `SV2_CLOSE_SETUP_REJECTED`: the flags of SetupConnection.Error.
   */
  uint32_t setup_error_flags;
  /**
   * CLOSED with `SV2_CLOSE_SETUP_REJECTED`: the error code string (not NUL-terminated).
   */
  struct sv2_bytes setup_error_code;
} sv2_event;

/**
 * Counters of a provider (`sv2_template_provider_stats()`).
 */
typedef struct sv2_provider_stats {
  /**
   * Connections open now.
   */
  size_t connections;
  /**
   * Connections that sent CoinbaseOutputDataSize and get templates.
   */
  size_t clients;
  /**
   * NewTemplate messages sent.
   */
  uint64_t templates_sent;
  /**
   * Tips announced (SetNewPrevHash rounds).
   */
  uint64_t tips;
  /**
   * SubmitSolution messages that became blocks.
   */
  uint64_t solutions;
  /**
   * SubmitSolution messages refused.
   */
  uint64_t solutions_refused;
  /**
   * RequestTransactionData answered with `.Success`.
   */
  uint64_t transaction_data_served;
  /**
   * Height of the current template (0 before the first).
   */
  uint32_t height;
} sv2_provider_stats;

/**
 * One event of a template provider, filled by `sv2_template_provider_next_event()` into
 * caller storage. Fields not listed for the event's `type` are zero (pointers NULL). Pointers
 * borrow from the provider and are valid until the next mutating call on it; nothing needs
 * freeing.
 */
typedef struct sv2_template_provider_event {
  /**
   * `SV2_PROVIDER_EVENT_*`.
   */
  uint32_t type;
  /**
   * The connection (the id `sv2_template_provider_accept()` returned).
   */
  uint64_t conn;
  /**
   * COINBASE_OUTPUT_DATA_SIZE: the bytes of coinbase outputs the client adds.
   */
  uint32_t size;
  /**
   * SOLUTION, SOLUTION_REFUSED: the template the solution names.
   */
  uint64_t template_id;
  /**
   * SOLUTION: the block's height.
   */
  uint32_t height;
  /**
   * SOLUTION: the provider moved to another tip since that template (still broadcast it:
   * it competes with the block that made it stale).
   */
  bool stale;
  /**
   * SOLUTION: the whole serialized block (header, coinbase with its witness, the template's
   * transactions).
   */
  struct sv2_bytes block;
  /**
   * SOLUTION: the block hash, internal byte order.
   */
  uint8_t block_hash[32];
  /**
   * SOLUTION: the 80-byte header.
   */
  uint8_t header[80];
  /**
   * CONNECTED: the client's SetupConnection; never free it.
   */
  const struct sv2_message *setup;
  /**
   * CLOSED: `SV2_CLOSE_*`.
   */
  uint32_t close_reason;
  /**
   * SOLUTION_REFUSED, RESERVATION_REFUSED, CLOSED with `SV2_CLOSE_ERROR`: the error code.
   */
  sv2_result error;
  /**
   * SOLUTION_REFUSED, RESERVATION_REFUSED, CLOSED: a description (not NUL-terminated).
   */
  struct sv2_bytes text;
} sv2_template_provider_event;

/**
 * One event of a template client, filled by `sv2_template_client_next_event()` into caller
 * storage. Fields not listed for the event's `type` are zero (pointers NULL). Pointers borrow
 * from the client and are valid until the next mutating call on it; nothing needs freeing.
 */
typedef struct sv2_template_client_event {
  /**
   * `SV2_TEMPLATE_CLIENT_EVENT_*`.
   */
  uint32_t type;
  /**
   * The message (NEW_TEMPLATE, SET_NEW_PREV_HASH, TRANSACTION_DATA, TRANSACTION_DATA_ERROR);
   * never free it.
   */
  const struct sv2_message *msg;
  /**
   * The template the message is about.
   */
  uint64_t template_id;
  /**
   * CLOSED: `SV2_CLOSE_*`.
   */
  uint32_t close_reason;
  /**
   * CLOSED with `SV2_CLOSE_ERROR`: the error code.
   */
  sv2_result error;
  /**
   * TRANSACTION_DATA_ERROR: the error code; CLOSED: a description (not NUL-terminated).
   */
  struct sv2_bytes text;
} sv2_template_client_event;

/**
 * The spec (sv2-spec 2022 with the errata resolved): the default.
 */
#define SV2_DIALECT_SPEC 0

/**
 * SRI (stratum-mining/stratum) as deployed in 2023.
 */
#define SV2_DIALECT_SRI_2023 1

/**
 * Braiins ii-stratum / Braiins Pool as deployed in 2021.
 */
#define SV2_DIALECT_BRAIINS_2021 2

/**
 * Success.
 */
#define SV2_OK 0

/**
 * A required pointer argument was NULL (or a buffer pointer was NULL with a non-zero length).
 */
#define SV2_ERR_NULL_ARG 100

/**
 * The caller's buffer is too small; the required size was written to the size out-parameter.
 */
#define SV2_ERR_BUFFER_TOO_SMALL 101

/**
 * The call is not valid in the object's current state (e.g. sending before setup completed).
 */
#define SV2_ERR_WRONG_STATE 102

/**
 * An argument has an invalid value (unknown constant, string too long, bad length, ...).
 */
#define SV2_ERR_INVALID_ARG 103

/**
 * The configuration is incomplete or inconsistent (e.g. neither Noise nor plaintext chosen).
 */
#define SV2_ERR_INVALID_CONFIG 104

/**
 * The session has ended: nothing more can be received or sent.
 */
#define SV2_ERR_CLOSED 105

/**
 * `sv2_session_receive_data()` would buffer too much: drain `sv2_session_next_event()` and
 * retry with the same bytes (nothing was consumed).
 */
#define SV2_ERR_INPUT_BUFFER_FULL 106

/**
 * A send would queue too much: drain `sv2_session_data_to_send()` and retry (nothing was
 * queued).
 */
#define SV2_ERR_OUTPUT_BUFFER_FULL 107

/**
 * This message cannot be sent on this connection (other protocol or direction).
 */
#define SV2_ERR_NOT_SENDABLE 108

/**
 * A frame or field ended early.
 */
#define SV2_ERR_TRUNCATED 200

/**
 * A length prefix or count exceeds what its type allows.
 */
#define SV2_ERR_TOO_LONG 201

/**
 * Bytes were left over after a message's last field.
 */
#define SV2_ERR_TRAILING_BYTES 202

/**
 * A BOOL byte other than 0 or 1 (strict dialects).
 */
#define SV2_ERR_INVALID_BOOL 203

/**
 * A string that is not UTF-8 (dialects requiring UTF-8).
 */
#define SV2_ERR_INVALID_UTF8 204

/**
 * A fixed-size value carried with a length prefix had the wrong length.
 */
#define SV2_ERR_WRONG_LENGTH 205

/**
 * Well-formed bytes that describe no valid value.
 */
#define SV2_ERR_INVALID_VALUE 206

/**
 * A frame larger than the configured or protocol maximum.
 */
#define SV2_ERR_FRAME_TOO_LARGE 207

/**
 * A frame of a message type the dialect does not know (decoding a standalone frame).
 */
#define SV2_ERR_UNKNOWN_MESSAGE 208

/**
 * Encoding: a value is longer than its type allows (never silently truncated).
 */
#define SV2_ERR_ENCODE_TOO_LONG 209

/**
 * Encoding: a value does not fit the narrower integer of the dialect.
 */
#define SV2_ERR_ENCODE_OUT_OF_RANGE 210

/**
 * Encoding: the dialect does not define this message.
 */
#define SV2_ERR_NOT_IN_DIALECT 211

/**
 * Noise: a malformed message (bad length, bad negotiation bytes).
 */
#define SV2_ERR_NOISE_MALFORMED 300

/**
 * Noise: algorithm negotiation failed (no common cipher, negotiation refused or unexpected).
 */
#define SV2_ERR_NOISE_NEGOTIATION 301

/**
 * Noise: a handshake message failed authentication (tampering, other dialect).
 */
#define SV2_ERR_NOISE_HANDSHAKE_DECRYPT 302

/**
 * Noise: a transport message failed authentication (tampering, loss, reordering).
 */
#define SV2_ERR_NOISE_TRANSPORT_DECRYPT 303

/**
 * Noise: the peer's key is a low-order point.
 */
#define SV2_ERR_NOISE_INVALID_PUBLIC_KEY 304

/**
 * Noise: the nonce space is exhausted; reconnect.
 */
#define SV2_ERR_NOISE_NONCE_EXHAUSTED 305

/**
 * Noise: internal or configuration error of the secure channel.
 */
#define SV2_ERR_NOISE_INTERNAL 306

/**
 * The operating system's random number generator failed.
 */
#define SV2_ERR_RNG 307

/**
 * Certificate: the signature does not verify under the authority key.
 */
#define SV2_ERR_CERT_BAD_SIGNATURE 320

/**
 * Certificate: the authority key is not a valid Ed25519 public key.
 */
#define SV2_ERR_CERT_INVALID_AUTHORITY_KEY 321

/**
 * Certificate: not valid yet.
 */
#define SV2_ERR_CERT_NOT_YET_VALID 322

/**
 * Certificate: expired.
 */
#define SV2_ERR_CERT_EXPIRED 323

/**
 * Certificate: malformed (message layout, file text, server key not matching).
 */
#define SV2_ERR_CERT_MALFORMED 324

/**
 * Certificate: signed by another authority than the trusted one.
 */
#define SV2_ERR_CERT_AUTHORITY_MISMATCH 325

/**
 * Certificate: `valid_from` is after `not_valid_after`.
 */
#define SV2_ERR_CERT_EMPTY_VALIDITY 326

/**
 * Key text: empty, a character outside base58, or the wrong decoded length.
 */
#define SV2_ERR_KEY_TEXT 330

/**
 * Key text: the checksum does not match (mistyped or truncated key).
 */
#define SV2_ERR_KEY_CHECKSUM 331

/**
 * Key text: a secp256k1 key of the newer spec, which this 2022 implementation does not speak.
 */
#define SV2_ERR_KEY_SECP256K1 332

/**
 * Key: not a valid Ed25519 public key.
 */
#define SV2_ERR_KEY_INVALID 333

/**
 * Pool URL: missing or unsupported scheme, user info, query or fragment.
 */
#define SV2_ERR_URL_SCHEME 340

/**
 * Pool URL: empty or invalid host.
 */
#define SV2_ERR_URL_HOST 341

/**
 * Pool URL: missing or invalid port (the spec defines no default port).
 */
#define SV2_ERR_URL_PORT 342

/**
 * Pool URL: missing, invalid or misplaced authority key (or a path on a plaintext URL).
 */
#define SV2_ERR_URL_KEY 343

/**
 * The peer broke the protocol (first message not SetupConnection, unexpected reply, ...).
 */
#define SV2_ERR_PROTOCOL 400

/**
 * The peer sent a message of another protocol than the negotiated one.
 */
#define SV2_ERR_WRONG_PROTOCOL 401

/**
 * The peer sent a message that only travels the other way.
 */
#define SV2_ERR_WRONG_DIRECTION 402

/**
 * The server chose a protocol version the client did not offer.
 */
#define SV2_ERR_VERSION 403

/**
 * The Noise handshake did not complete in time.
 */
#define SV2_ERR_TIMEOUT_HANDSHAKE 404

/**
 * SetupConnection did not complete in time.
 */
#define SV2_ERR_TIMEOUT_SETUP 405

/**
 * Nothing was received for longer than the idle timeout.
 */
#define SV2_ERR_TIMEOUT_IDLE 406

/**
 * The peer closed the connection inside a frame.
 */
#define SV2_ERR_PEER_CLOSED_MID_FRAME 407

/**
 * The peer closed the connection before the handshake and setup completed.
 */
#define SV2_ERR_PEER_CLOSED_BEFORE_SETUP 408

/**
 * Opening one more channel would exceed the configured maximum.
 */
#define SV2_ERR_TOO_MANY_CHANNELS 409

/**
 * A Mining Protocol client set up the connection but asked for no channel in time (R55);
 * on the miner's side, a channel open the server did not answer in time.
 */
#define SV2_ERR_TIMEOUT_OPEN_CHANNEL 411

/**
 * Mining: no open channel has this id (on this connection).
 */
#define SV2_ERR_UNKNOWN_CHANNEL 450

/**
 * Mining: a standard submit on an extended channel or the reverse.
 */
#define SV2_ERR_WRONG_CHANNEL_KIND 451

/**
 * Mining share refused locally: the job is unknown (never received or forgotten).
 */
#define SV2_ERR_UNKNOWN_JOB 452

/**
 * Mining share refused locally: the job is a future job no SetNewPrevHash activated yet.
 */
#define SV2_ERR_FUTURE_JOB 453

/**
 * Mining share refused locally: a newer prevhash made the job stale.
 */
#define SV2_ERR_STALE_JOB 454

/**
 * Mining share refused locally: the version changes bits outside the allowed mask.
 */
#define SV2_ERR_VERSION_NOT_ALLOWED 455

/**
 * Mining share refused locally: nTime outside `min_ntime ..= min_ntime + elapsed seconds`.
 */
#define SV2_ERR_NTIME_OUT_OF_RANGE 456

/**
 * Mining: the extranonce is not the channel's `extranonce_size` bytes long.
 */
#define SV2_ERR_EXTRANONCE_LENGTH 457

/**
 * Mining share refused locally: the header hash does not meet the job's target.
 */
#define SV2_ERR_BELOW_TARGET 458

/**
 * Mining share refused locally: the same share was submitted before.
 */
#define SV2_ERR_DUPLICATE_SHARE 459

/**
 * Mining: the operation needs extended-channel work or an extended channel.
 */
#define SV2_ERR_NOT_EXTENDED 460

/**
 * Mining: the server accepts only extended channels (REQUIRES_EXTENDED_CHANNELS).
 */
#define SV2_ERR_EXTENDED_CHANNELS_REQUIRED 461

/**
 * Mining: the work's version mask allows fewer rolled versions than asked for.
 */
#define SV2_ERR_ROLLING_NOT_ALLOWED 462

/**
 * Pool: no such connection (never accepted, or removed).
 */
#define SV2_ERR_UNKNOWN_CONNECTION 470

/**
 * Pool: a non-future template arrived before any prevhash.
 */
#define SV2_ERR_NO_PREV_HASH 471

/**
 * Pool: SetNewPrevHash names a template that is not a pending future template.
 */
#define SV2_ERR_UNKNOWN_TEMPLATE 472

/**
 * Pool: the template's coinbase cannot be built.
 */
#define SV2_ERR_INVALID_TEMPLATE 473

/**
 * Pool: job ids or extranonce prefixes are exhausted (restart with a new server id).
 */
#define SV2_ERR_EXHAUSTED 474

/**
 * Template Distribution: transaction bytes that are not exactly one transaction (truncated,
 * trailing bytes, no inputs, a bad segwit marker).
 */
#define SV2_ERR_INVALID_TRANSACTION 480

/**
 * Template Distribution: the template builds on a tip the provider already left.
 */
#define SV2_ERR_STALE_TIP 481

/**
 * A bug inside libsv2 was caught at the API boundary; the handle is now poisoned.
 */
#define SV2_ERR_PANIC 900

/**
 * The handle was poisoned by an earlier `SV2_ERR_PANIC`; only `_free` is still valid.
 */
#define SV2_ERR_POISONED 901

#ifdef __cplusplus
extern "C" {
#endif /* __cplusplus */

/**
 * Builds an `sv2_bytes` over a NUL-terminated string (without its NUL), for filling string
 * fields of message structures: `v.user_identity = sv2_bytes_from_str("worker.1");`.
 *
 * Returns: `{ s, strlen(s) }`, borrowing `s`; `{ NULL, 0 }` if `s` is NULL.
 * Args: `s`: a NUL-terminated string or NULL.
 * Allocates: no.
 */
struct sv2_bytes sv2_bytes_from_str(const char *s);

/**
 * Decodes the first frame of `data` into a new message.
 *
 * Returns: `SV2_OK` with a new message in `*message_out` (free it with `sv2_message_free()`)
 * and the frame length in `*consumed_out`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an
 * unknown dialect; `SV2_ERR_TRUNCATED` if `data` holds less than one whole frame;
 * `SV2_ERR_UNKNOWN_MESSAGE` for a message type the dialect does not know; another 2xx code if
 * the payload does not decode.
 * In: `data`/`len`: the bytes (a frame header and payload, plaintext). `dialect`:
 * `SV2_DIALECT_*`. Out: `message_out`, `consumed_out`.
 * Allocates: yes (the message).
 */
SV2_MUST_USE sv2_result sv2_frame_decode(const uint8_t *data, size_t len, sv2_dialect dialect, struct sv2_message **message_out, size_t *consumed_out);

/**
 * Encodes a message (for example one from `sv2_frame_decode()` or an event) as a frame.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with the
 * required length in `*len_out`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`;
 * `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `message`, `dialect`. Out: `buf`/`cap` (NULL allowed with `cap` 0), `len_out`.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_message_encode(const struct sv2_message *message, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The kind of a message: one of the `SV2_MESSAGE_*` constants.
 *
 * Returns: the kind, or `SV2_MESSAGE_KIND_NONE` if `message` is NULL.
 * Allocates: no.
 */
uint32_t sv2_message_kind(const struct sv2_message *message);

/**
 * The spec name of a message kind, e.g. `"SetupConnection.Success"`.
 *
 * Returns: a NUL-terminated string in static storage, or NULL for an unknown kind.
 * Allocates: no.
 */
const char *sv2_message_kind_name(uint32_t kind);

/**
 * Frees a message made by `sv2_frame_decode()`. NULL is a no-op.
 *
 * The message of a session event belongs to the session: passing it (after casting away its
 * `const`) does nothing.
 * Allocates: no.
 */
void sv2_message_free(struct sv2_message *message);

/**
 * Generates a pool authority key pair (Ed25519), which signs server certificates.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_RNG` if the OS random source failed.
 * In: `seed`: 32 bytes making the generation reproducible (tests, or devices bringing their own
 * entropy), or NULL for the OS random source.
 * Out: `secret_out`: 32 bytes (keep it secret). `public_out`: 32 bytes (the key of the pool
 * URL).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_authority_key_generate(const uint8_t *seed, uint8_t *secret_out, uint8_t *public_out);

/**
 * Generates a server static key pair (X25519): the Noise key a pool server proves with its
 * certificate.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_RNG`.
 * In: `seed`: 32 bytes or NULL (as `sv2_authority_key_generate()`).
 * Out: `secret_out`, `public_out`: 32 bytes each.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_key_generate(const uint8_t *seed, uint8_t *secret_out, uint8_t *public_out);

/**
 * Derives the public key of an authority secret key (Ed25519).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `secret`: 32 bytes. Out: `public_out`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_authority_public_key(const uint8_t *secret, uint8_t *public_out);

/**
 * Derives the public key of a server secret key (X25519).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `secret`: 32 bytes. Out: `public_out`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_public_key(const uint8_t *secret, uint8_t *public_out);

/**
 * Writes a key (any of the four kinds) as key text: Base58Check of the 32 bytes, the form of
 * pool URLs and key files.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` (`*size_out` tells the
 * size needed; `SV2_KEY_TEXT_SIZE` is always enough).
 * In: `key`: 32 bytes. Out: `buf`/`cap`: receives the NUL-terminated text. `size_out`: the
 * buffer size the text needs, NUL included (written on success and on
 * `SV2_ERR_BUFFER_TOO_SMALL`).
 * Allocates: yes (temporarily; wiped).
 */
SV2_MUST_USE sv2_result sv2_key_to_text(const uint8_t *key, char *buf, size_t cap, size_t *size_out);

/**
 * Reads key text (any of the four kinds: only the checksum and length are checked).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_TEXT`; `SV2_ERR_KEY_CHECKSUM`;
 * `SV2_ERR_KEY_SECP256K1`.
 * In: `text`: NUL-terminated (surrounding whitespace is not accepted). Out: `key_out`: 32
 * bytes.
 * Allocates: yes (temporarily; wiped).
 */
SV2_MUST_USE sv2_result sv2_key_from_text(const char *text, uint8_t *key_out);

/**
 * Reads an authority public key from key text, also checking that it is a valid Ed25519 key.
 *
 * Returns: as `sv2_key_from_text()`, plus `SV2_ERR_KEY_INVALID`.
 * In: `text`: NUL-terminated. Out: `key_out`: 32 bytes.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_authority_public_key_from_text(const char *text, uint8_t *key_out);

/**
 * Signs a version-0 certificate for a server key, valid from `valid_from` to
 * `not_valid_after` inclusive (unix seconds).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_EMPTY_VALIDITY`.
 * In: `authority_secret`: 32 bytes. `server_public_key`: 32 bytes.
 * Out: `certificate_out`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_certificate_sign(const uint8_t *authority_secret, const uint8_t *server_public_key, uint32_t valid_from, uint32_t not_valid_after, struct sv2_certificate *certificate_out);

/**
 * Verifies a certificate against the authority key the caller trusts, at `now_unix` (what a
 * client does during the handshake).
 *
 * Returns: `SV2_OK` if valid; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_AUTHORITY_MISMATCH`;
 * `SV2_ERR_CERT_BAD_SIGNATURE`; `SV2_ERR_CERT_INVALID_AUTHORITY_KEY`;
 * `SV2_ERR_CERT_NOT_YET_VALID`; `SV2_ERR_CERT_EXPIRED`.
 * In: `certificate`. `trusted_authority`: 32 bytes. `now_unix`: seconds.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_certificate_verify(const struct sv2_certificate *certificate, const uint8_t *trusted_authority, uint64_t now_unix);

/**
 * Writes a certificate in the certificate file format (`# sv2 server certificate`, then
 * `name = value` lines), as `sv2 key sign` does.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` (`*size_out` tells the
 * size needed; `SV2_CERTIFICATE_TEXT_SIZE` is always enough).
 * In: `certificate`. Out: `buf`/`cap`: the NUL-terminated text. `size_out`: the size needed,
 * NUL included (written on success and on `SV2_ERR_BUFFER_TOO_SMALL`).
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_certificate_to_text(const struct sv2_certificate *certificate, char *buf, size_t cap, size_t *size_out);

/**
 * Reads a certificate file's text, checking its fields and that its signature verifies under
 * the authority key it names (whether that authority is trusted is `sv2_certificate_verify()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED`.
 * In: `text`: NUL-terminated. Out: `certificate_out`.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_certificate_from_text(const char *text, struct sv2_certificate *certificate_out);

/**
 * Parses a pool URL: `stratum2+tcp://host:port/<authority key>` (Noise) or
 * `stratum2+tcp+plain://host:port` (explicit plaintext). There is no default port.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_SCHEME`; `SV2_ERR_URL_HOST`;
 * `SV2_ERR_URL_PORT`; `SV2_ERR_URL_KEY`.
 * In: `url`: NUL-terminated; surrounding whitespace is ignored. Out: `url_out`.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_pool_url_parse(const char *url, struct sv2_pool_url *url_out);

/**
 * The `SetupConnection` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_setup_connection *sv2_message_as_setup_connection(const struct sv2_message *message);

/**
 * Queues a `SetupConnection` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_setup_connection(struct sv2_session *session, const struct sv2_setup_connection *msg, uint64_t now_ms);

/**
 * Encodes a `SetupConnection` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_setup_connection(const struct sv2_setup_connection *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetupConnection.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_setup_connection_success *sv2_message_as_setup_connection_success(const struct sv2_message *message);

/**
 * Queues a `SetupConnection.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_setup_connection_success(struct sv2_session *session, const struct sv2_setup_connection_success *msg, uint64_t now_ms);

/**
 * Encodes a `SetupConnection.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_setup_connection_success(const struct sv2_setup_connection_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetupConnection.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_setup_connection_error *sv2_message_as_setup_connection_error(const struct sv2_message *message);

/**
 * Queues a `SetupConnection.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_setup_connection_error(struct sv2_session *session, const struct sv2_setup_connection_error *msg, uint64_t now_ms);

/**
 * Encodes a `SetupConnection.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_setup_connection_error(const struct sv2_setup_connection_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `ChannelEndpointChanged` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_channel_endpoint_changed *sv2_message_as_channel_endpoint_changed(const struct sv2_message *message);

/**
 * Queues a `ChannelEndpointChanged` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_channel_endpoint_changed(struct sv2_session *session, const struct sv2_channel_endpoint_changed *msg, uint64_t now_ms);

/**
 * Encodes a `ChannelEndpointChanged` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_channel_endpoint_changed(const struct sv2_channel_endpoint_changed *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenStandardMiningChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_standard_mining_channel *sv2_message_as_open_standard_mining_channel(const struct sv2_message *message);

/**
 * Queues a `OpenStandardMiningChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_standard_mining_channel(struct sv2_session *session, const struct sv2_open_standard_mining_channel *msg, uint64_t now_ms);

/**
 * Encodes a `OpenStandardMiningChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_standard_mining_channel(const struct sv2_open_standard_mining_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenStandardMiningChannel.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_standard_mining_channel_success *sv2_message_as_open_standard_mining_channel_success(const struct sv2_message *message);

/**
 * Queues a `OpenStandardMiningChannel.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_standard_mining_channel_success(struct sv2_session *session, const struct sv2_open_standard_mining_channel_success *msg, uint64_t now_ms);

/**
 * Encodes a `OpenStandardMiningChannel.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_standard_mining_channel_success(const struct sv2_open_standard_mining_channel_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenStandardMiningChannel.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_standard_mining_channel_error *sv2_message_as_open_standard_mining_channel_error(const struct sv2_message *message);

/**
 * Queues a `OpenStandardMiningChannel.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_standard_mining_channel_error(struct sv2_session *session, const struct sv2_open_standard_mining_channel_error *msg, uint64_t now_ms);

/**
 * Encodes a `OpenStandardMiningChannel.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_standard_mining_channel_error(const struct sv2_open_standard_mining_channel_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenExtendedMiningChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_extended_mining_channel *sv2_message_as_open_extended_mining_channel(const struct sv2_message *message);

/**
 * Queues a `OpenExtendedMiningChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_extended_mining_channel(struct sv2_session *session, const struct sv2_open_extended_mining_channel *msg, uint64_t now_ms);

/**
 * Encodes a `OpenExtendedMiningChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_extended_mining_channel(const struct sv2_open_extended_mining_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenExtendedMiningChannel.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_extended_mining_channel_success *sv2_message_as_open_extended_mining_channel_success(const struct sv2_message *message);

/**
 * Queues a `OpenExtendedMiningChannel.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_extended_mining_channel_success(struct sv2_session *session, const struct sv2_open_extended_mining_channel_success *msg, uint64_t now_ms);

/**
 * Encodes a `OpenExtendedMiningChannel.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_extended_mining_channel_success(const struct sv2_open_extended_mining_channel_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenExtendedMiningChannel.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_extended_mining_channel_error *sv2_message_as_open_extended_mining_channel_error(const struct sv2_message *message);

/**
 * Queues a `OpenExtendedMiningChannel.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_extended_mining_channel_error(struct sv2_session *session, const struct sv2_open_extended_mining_channel_error *msg, uint64_t now_ms);

/**
 * Encodes a `OpenExtendedMiningChannel.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_extended_mining_channel_error(const struct sv2_open_extended_mining_channel_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `UpdateChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_update_channel *sv2_message_as_update_channel(const struct sv2_message *message);

/**
 * Queues a `UpdateChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_update_channel(struct sv2_session *session, const struct sv2_update_channel *msg, uint64_t now_ms);

/**
 * Encodes a `UpdateChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_update_channel(const struct sv2_update_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `UpdateChannel.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_update_channel_error *sv2_message_as_update_channel_error(const struct sv2_message *message);

/**
 * Queues a `UpdateChannel.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_update_channel_error(struct sv2_session *session, const struct sv2_update_channel_error *msg, uint64_t now_ms);

/**
 * Encodes a `UpdateChannel.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_update_channel_error(const struct sv2_update_channel_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `CloseChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_close_channel *sv2_message_as_close_channel(const struct sv2_message *message);

/**
 * Queues a `CloseChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_close_channel(struct sv2_session *session, const struct sv2_close_channel *msg, uint64_t now_ms);

/**
 * Encodes a `CloseChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_close_channel(const struct sv2_close_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetExtranoncePrefix` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_extranonce_prefix *sv2_message_as_set_extranonce_prefix(const struct sv2_message *message);

/**
 * Queues a `SetExtranoncePrefix` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_extranonce_prefix(struct sv2_session *session, const struct sv2_set_extranonce_prefix *msg, uint64_t now_ms);

/**
 * Encodes a `SetExtranoncePrefix` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_extranonce_prefix(const struct sv2_set_extranonce_prefix *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitSharesStandard` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_shares_standard *sv2_message_as_submit_shares_standard(const struct sv2_message *message);

/**
 * Queues a `SubmitSharesStandard` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_shares_standard(struct sv2_session *session, const struct sv2_submit_shares_standard *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitSharesStandard` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_shares_standard(const struct sv2_submit_shares_standard *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitSharesExtended` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_shares_extended *sv2_message_as_submit_shares_extended(const struct sv2_message *message);

/**
 * Queues a `SubmitSharesExtended` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_shares_extended(struct sv2_session *session, const struct sv2_submit_shares_extended *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitSharesExtended` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_shares_extended(const struct sv2_submit_shares_extended *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitShares.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_shares_success *sv2_message_as_submit_shares_success(const struct sv2_message *message);

/**
 * Queues a `SubmitShares.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_shares_success(struct sv2_session *session, const struct sv2_submit_shares_success *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitShares.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_shares_success(const struct sv2_submit_shares_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitShares.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_shares_error *sv2_message_as_submit_shares_error(const struct sv2_message *message);

/**
 * Queues a `SubmitShares.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_shares_error(struct sv2_session *session, const struct sv2_submit_shares_error *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitShares.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_shares_error(const struct sv2_submit_shares_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `NewMiningJob` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_new_mining_job *sv2_message_as_new_mining_job(const struct sv2_message *message);

/**
 * Queues a `NewMiningJob` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_new_mining_job(struct sv2_session *session, const struct sv2_new_mining_job *msg, uint64_t now_ms);

/**
 * Encodes a `NewMiningJob` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_new_mining_job(const struct sv2_new_mining_job *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `NewExtendedMiningJob` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_new_extended_mining_job *sv2_message_as_new_extended_mining_job(const struct sv2_message *message);

/**
 * Queues a `NewExtendedMiningJob` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_new_extended_mining_job(struct sv2_session *session, const struct sv2_new_extended_mining_job *msg, uint64_t now_ms);

/**
 * Encodes a `NewExtendedMiningJob` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_new_extended_mining_job(const struct sv2_new_extended_mining_job *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetNewPrevHash` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_mining_set_new_prev_hash *sv2_message_as_mining_set_new_prev_hash(const struct sv2_message *message);

/**
 * Queues a `SetNewPrevHash` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_mining_set_new_prev_hash(struct sv2_session *session, const struct sv2_mining_set_new_prev_hash *msg, uint64_t now_ms);

/**
 * Encodes a `SetNewPrevHash` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_mining_set_new_prev_hash(const struct sv2_mining_set_new_prev_hash *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetTarget` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_target *sv2_message_as_set_target(const struct sv2_message *message);

/**
 * Queues a `SetTarget` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_target(struct sv2_session *session, const struct sv2_set_target *msg, uint64_t now_ms);

/**
 * Encodes a `SetTarget` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_target(const struct sv2_set_target *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetCustomMiningJob` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_custom_mining_job *sv2_message_as_set_custom_mining_job(const struct sv2_message *message);

/**
 * Queues a `SetCustomMiningJob` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_custom_mining_job(struct sv2_session *session, const struct sv2_set_custom_mining_job *msg, uint64_t now_ms);

/**
 * Encodes a `SetCustomMiningJob` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_custom_mining_job(const struct sv2_set_custom_mining_job *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetCustomMiningJob.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_custom_mining_job_success *sv2_message_as_set_custom_mining_job_success(const struct sv2_message *message);

/**
 * Queues a `SetCustomMiningJob.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_custom_mining_job_success(struct sv2_session *session, const struct sv2_set_custom_mining_job_success *msg, uint64_t now_ms);

/**
 * Encodes a `SetCustomMiningJob.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_custom_mining_job_success(const struct sv2_set_custom_mining_job_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetCustomMiningJob.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_custom_mining_job_error *sv2_message_as_set_custom_mining_job_error(const struct sv2_message *message);

/**
 * Queues a `SetCustomMiningJob.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_custom_mining_job_error(struct sv2_session *session, const struct sv2_set_custom_mining_job_error *msg, uint64_t now_ms);

/**
 * Encodes a `SetCustomMiningJob.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_custom_mining_job_error(const struct sv2_set_custom_mining_job_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `Reconnect` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_reconnect *sv2_message_as_reconnect(const struct sv2_message *message);

/**
 * Queues a `Reconnect` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_reconnect(struct sv2_session *session, const struct sv2_reconnect *msg, uint64_t now_ms);

/**
 * Encodes a `Reconnect` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_reconnect(const struct sv2_reconnect *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetGroupChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_set_group_channel *sv2_message_as_set_group_channel(const struct sv2_message *message);

/**
 * Queues a `SetGroupChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_set_group_channel(struct sv2_session *session, const struct sv2_set_group_channel *msg, uint64_t now_ms);

/**
 * Encodes a `SetGroupChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_set_group_channel(const struct sv2_set_group_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `AllocateMiningJobToken` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_allocate_mining_job_token *sv2_message_as_allocate_mining_job_token(const struct sv2_message *message);

/**
 * Queues a `AllocateMiningJobToken` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_allocate_mining_job_token(struct sv2_session *session, const struct sv2_allocate_mining_job_token *msg, uint64_t now_ms);

/**
 * Encodes a `AllocateMiningJobToken` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_allocate_mining_job_token(const struct sv2_allocate_mining_job_token *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `AllocateMiningJobToken.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_allocate_mining_job_token_success *sv2_message_as_allocate_mining_job_token_success(const struct sv2_message *message);

/**
 * Queues a `AllocateMiningJobToken.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_allocate_mining_job_token_success(struct sv2_session *session, const struct sv2_allocate_mining_job_token_success *msg, uint64_t now_ms);

/**
 * Encodes a `AllocateMiningJobToken.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_allocate_mining_job_token_success(const struct sv2_allocate_mining_job_token_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `AllocateMiningJobToken.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_allocate_mining_job_token_error *sv2_message_as_allocate_mining_job_token_error(const struct sv2_message *message);

/**
 * Queues a `AllocateMiningJobToken.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_allocate_mining_job_token_error(struct sv2_session *session, const struct sv2_allocate_mining_job_token_error *msg, uint64_t now_ms);

/**
 * Encodes a `AllocateMiningJobToken.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_allocate_mining_job_token_error(const struct sv2_allocate_mining_job_token_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `IdentifyTransactions` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_identify_transactions *sv2_message_as_identify_transactions(const struct sv2_message *message);

/**
 * Queues a `IdentifyTransactions` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_identify_transactions(struct sv2_session *session, const struct sv2_identify_transactions *msg, uint64_t now_ms);

/**
 * Encodes a `IdentifyTransactions` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_identify_transactions(const struct sv2_identify_transactions *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `IdentifyTransactions.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_identify_transactions_success *sv2_message_as_identify_transactions_success(const struct sv2_message *message);

/**
 * Queues a `IdentifyTransactions.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_identify_transactions_success(struct sv2_session *session, const struct sv2_identify_transactions_success *msg, uint64_t now_ms);

/**
 * Encodes a `IdentifyTransactions.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_identify_transactions_success(const struct sv2_identify_transactions_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `ProvideMissingTransactions` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_provide_missing_transactions *sv2_message_as_provide_missing_transactions(const struct sv2_message *message);

/**
 * Queues a `ProvideMissingTransactions` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_provide_missing_transactions(struct sv2_session *session, const struct sv2_provide_missing_transactions *msg, uint64_t now_ms);

/**
 * Encodes a `ProvideMissingTransactions` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_provide_missing_transactions(const struct sv2_provide_missing_transactions *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `ProvideMissingTransactions.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_provide_missing_transactions_success *sv2_message_as_provide_missing_transactions_success(const struct sv2_message *message);

/**
 * Queues a `ProvideMissingTransactions.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_provide_missing_transactions_success(struct sv2_session *session, const struct sv2_provide_missing_transactions_success *msg, uint64_t now_ms);

/**
 * Encodes a `ProvideMissingTransactions.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_provide_missing_transactions_success(const struct sv2_provide_missing_transactions_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `CommitMiningJob` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_commit_mining_job *sv2_message_as_commit_mining_job(const struct sv2_message *message);

/**
 * Queues a `CommitMiningJob` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_commit_mining_job(struct sv2_session *session, const struct sv2_commit_mining_job *msg, uint64_t now_ms);

/**
 * Encodes a `CommitMiningJob` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_commit_mining_job(const struct sv2_commit_mining_job *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `CommitMiningJob.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_commit_mining_job_success *sv2_message_as_commit_mining_job_success(const struct sv2_message *message);

/**
 * Queues a `CommitMiningJob.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_commit_mining_job_success(struct sv2_session *session, const struct sv2_commit_mining_job_success *msg, uint64_t now_ms);

/**
 * Encodes a `CommitMiningJob.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_commit_mining_job_success(const struct sv2_commit_mining_job_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `CommitMiningJob.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_commit_mining_job_error *sv2_message_as_commit_mining_job_error(const struct sv2_message *message);

/**
 * Queues a `CommitMiningJob.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_commit_mining_job_error(struct sv2_session *session, const struct sv2_commit_mining_job_error *msg, uint64_t now_ms);

/**
 * Encodes a `CommitMiningJob.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_commit_mining_job_error(const struct sv2_commit_mining_job_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `CoinbaseOutputDataSize` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_coinbase_output_data_size *sv2_message_as_coinbase_output_data_size(const struct sv2_message *message);

/**
 * Queues a `CoinbaseOutputDataSize` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_coinbase_output_data_size(struct sv2_session *session, const struct sv2_coinbase_output_data_size *msg, uint64_t now_ms);

/**
 * Encodes a `CoinbaseOutputDataSize` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_coinbase_output_data_size(const struct sv2_coinbase_output_data_size *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `NewTemplate` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_new_template *sv2_message_as_new_template(const struct sv2_message *message);

/**
 * Queues a `NewTemplate` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_new_template(struct sv2_session *session, const struct sv2_new_template *msg, uint64_t now_ms);

/**
 * Encodes a `NewTemplate` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_new_template(const struct sv2_new_template *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SetNewPrevHash` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_tdp_set_new_prev_hash *sv2_message_as_tdp_set_new_prev_hash(const struct sv2_message *message);

/**
 * Queues a `SetNewPrevHash` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_tdp_set_new_prev_hash(struct sv2_session *session, const struct sv2_tdp_set_new_prev_hash *msg, uint64_t now_ms);

/**
 * Encodes a `SetNewPrevHash` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_tdp_set_new_prev_hash(const struct sv2_tdp_set_new_prev_hash *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `RequestTransactionData` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_request_transaction_data *sv2_message_as_request_transaction_data(const struct sv2_message *message);

/**
 * Queues a `RequestTransactionData` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_request_transaction_data(struct sv2_session *session, const struct sv2_request_transaction_data *msg, uint64_t now_ms);

/**
 * Encodes a `RequestTransactionData` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_request_transaction_data(const struct sv2_request_transaction_data *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `RequestTransactionData.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_request_transaction_data_success *sv2_message_as_request_transaction_data_success(const struct sv2_message *message);

/**
 * Queues a `RequestTransactionData.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_request_transaction_data_success(struct sv2_session *session, const struct sv2_request_transaction_data_success *msg, uint64_t now_ms);

/**
 * Encodes a `RequestTransactionData.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_request_transaction_data_success(const struct sv2_request_transaction_data_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `RequestTransactionData.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_request_transaction_data_error *sv2_message_as_request_transaction_data_error(const struct sv2_message *message);

/**
 * Queues a `RequestTransactionData.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_request_transaction_data_error(struct sv2_session *session, const struct sv2_request_transaction_data_error *msg, uint64_t now_ms);

/**
 * Encodes a `RequestTransactionData.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_request_transaction_data_error(const struct sv2_request_transaction_data_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitSolution` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_solution *sv2_message_as_submit_solution(const struct sv2_message *message);

/**
 * Queues a `SubmitSolution` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_solution(struct sv2_session *session, const struct sv2_submit_solution *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitSolution` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_solution(const struct sv2_submit_solution *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenTelemetryChannel` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_telemetry_channel *sv2_message_as_open_telemetry_channel(const struct sv2_message *message);

/**
 * Queues a `OpenTelemetryChannel` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_telemetry_channel(struct sv2_session *session, const struct sv2_open_telemetry_channel *msg, uint64_t now_ms);

/**
 * Encodes a `OpenTelemetryChannel` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_telemetry_channel(const struct sv2_open_telemetry_channel *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenTelemetryChannel.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_telemetry_channel_success *sv2_message_as_open_telemetry_channel_success(const struct sv2_message *message);

/**
 * Queues a `OpenTelemetryChannel.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_telemetry_channel_success(struct sv2_session *session, const struct sv2_open_telemetry_channel_success *msg, uint64_t now_ms);

/**
 * Encodes a `OpenTelemetryChannel.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_telemetry_channel_success(const struct sv2_open_telemetry_channel_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `OpenTelemetryChannel.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_open_telemetry_channel_error *sv2_message_as_open_telemetry_channel_error(const struct sv2_message *message);

/**
 * Queues a `OpenTelemetryChannel.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_open_telemetry_channel_error(struct sv2_session *session, const struct sv2_open_telemetry_channel_error *msg, uint64_t now_ms);

/**
 * Encodes a `OpenTelemetryChannel.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_open_telemetry_channel_error(const struct sv2_open_telemetry_channel_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitTelemetryData` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_telemetry_data *sv2_message_as_submit_telemetry_data(const struct sv2_message *message);

/**
 * Queues a `SubmitTelemetryData` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_telemetry_data(struct sv2_session *session, const struct sv2_submit_telemetry_data *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitTelemetryData` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_telemetry_data(const struct sv2_submit_telemetry_data *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitTelemetryData.Success` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_telemetry_data_success *sv2_message_as_submit_telemetry_data_success(const struct sv2_message *message);

/**
 * Queues a `SubmitTelemetryData.Success` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_telemetry_data_success(struct sv2_session *session, const struct sv2_submit_telemetry_data_success *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitTelemetryData.Success` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_telemetry_data_success(const struct sv2_submit_telemetry_data_success *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The `SubmitTelemetryData.Error` view of a message, or NULL if `message` is NULL or another kind.
 *
 * Returns: a pointer into `message`, valid as long as `message` is: for a message of a
 * session event, until the next mutating call on this session; for a message from
 * `sv2_frame_decode()`, until `sv2_message_free()`. Do not free it.
 * Args: `message`: a message (NULL allowed).
 * Allocates: no.
 */
const struct sv2_submit_telemetry_data_error *sv2_message_as_submit_telemetry_data_error(const struct sv2_message *message);

/**
 * Queues a `SubmitTelemetryData.Error` for the peer (encrypted with Noise); then drain `sv2_session_data_to_send()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_WRONG_STATE` before setup completed;
 * `SV2_ERR_CLOSED` after the session ended; `SV2_ERR_NOT_SENDABLE` if this message does not
 * travel this way on this connection; `SV2_ERR_ENCODE_*` if a value does not fit its type;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`. On error nothing is queued and the session stays usable.
 * Args: `session`: the session. In: `msg`: the message, read during the call only. `now_ms`: the caller's monotonic clock.
 * Allocates: yes (the queued bytes).
 */
SV2_MUST_USE sv2_result sv2_session_send_submit_telemetry_data_error(struct sv2_session *session, const struct sv2_submit_telemetry_data_error *msg, uint64_t now_ms);

/**
 * Encodes a `SubmitTelemetryData.Error` frame (header and payload) in `dialect` into `buf`.
 *
 * Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with
 * the required length in `*len_out` (nothing else written); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_INVALID_ARG` for an unknown dialect; `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
 * In: `msg`: the message. `dialect`: `SV2_DIALECT_*`. Out: `buf`/`cap`: the caller's buffer
 * (NULL allowed with `cap` 0, to ask for the size). `len_out`: bytes written or needed.
 * Allocates: yes (temporarily).
 */
SV2_MUST_USE sv2_result sv2_encode_submit_telemetry_data_error(const struct sv2_submit_telemetry_data_error *msg, sv2_dialect dialect, uint8_t *buf, size_t cap, size_t *len_out);

/**
 * The header template with `nonce`, `ntime` and `version` in place (no hashing).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `work` (only `header` is read). Out: `header_out`: 80 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_work_header(const struct sv2_work *work, uint32_t nonce, uint32_t ntime, uint32_t version, uint8_t *header_out);

/**
 * SHA256d of the header with `nonce`, `ntime` and `version`, in internal byte order (the
 * order `target` uses: compare with `sv2_work_meets_target()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `work` (only `header` is read). Out: `hash_out`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_work_hash(const struct sv2_work *work, uint32_t nonce, uint32_t ntime, uint32_t version, uint8_t *hash_out);

/**
 * Whether `hash` (from `sv2_work_hash()` or the caller's own SHA256d, internal byte order)
 * meets the work's share target.
 *
 * Returns: true if the hash, read as a little-endian 256-bit number, is at most `target`;
 * false otherwise and if an argument is NULL.
 * Allocates: no.
 */
bool sv2_work_meets_target(const struct sv2_work *work, const uint8_t *hash);

/**
 * Whether `hash` also meets the network target of the header's nBits (a block).
 *
 * Returns: true if so; false otherwise and if an argument is NULL.
 * Allocates: no.
 */
bool sv2_work_is_block(const struct sv2_work *work, const uint8_t *hash);

/**
 * The largest nTime a share may carry at `now_ms`: `min_ntime` plus the whole seconds since
 * `ntime_base_ms`.
 *
 * Returns: the nTime; 0 if `work` is NULL.
 * Allocates: no.
 */
uint32_t sv2_work_max_ntime(const struct sv2_work *work, uint64_t now_ms);

/**
 * The SHA-256 midstate of the header template (the state after its first 64 bytes, which
 * nonce and nTime do not touch): what an ASIC is loaded with.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `work`. Out: `midstate_out`: 32 bytes, the eight state words each little-endian (the
 * layout most ASIC drivers load; on a little-endian CPU it reads as `uint32_t[8]`).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_work_midstate(const struct sv2_work *work, uint8_t *midstate_out);

/**
 * `count` versions reachable by rolling `version_mask` (the job's own version first) and the
 * midstate of each, for AsicBoost-style drivers that load several midstates per job.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `count` is not 1, 2, 4 or
 * 8; `SV2_ERR_ROLLING_NOT_ALLOWED` if the mask allows fewer versions (e.g. `count` > 1 on a
 * work with `version_mask` 0).
 * In: `work`, `count`. Out: `versions_out`: `count` versions. `midstates_out`: `count` × 32
 * bytes, laid out as `sv2_work_midstate()`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_work_rolled_midstates(const struct sv2_work *work, size_t count, uint32_t *versions_out, uint8_t *midstates_out);

/**
 * Splits a job's version-rolling space (`work->version_mask`) between `board_count` hashing
 * boards of one standard channel so that no two boards ever hash the same version: the highest
 * ⌈log2 board_count⌉ BIP320 bits of the mask carry the board index, the others stay rollable
 * by every board. Each board gets 1/2^⌈log2 board_count⌉ of the versions (with 3 boards a
 * quarter each; every version is a whole nonce range, so the unused quarter costs nothing).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `board_count` is 0 or
 * `board_index >= board_count`; `SV2_ERR_ROLLING_NOT_ALLOWED` if the mask has too few BIP320
 * bits for that many boards (mask 0, the pool forbidding rolling, allows one board only).
 * In: `mask`: the work's `version_mask` (bits outside BIP320 `0x1fffe000` are ignored).
 * `board_index`: 0 .. `board_count` - 1. Out: `part_out`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_version_rolling_split(uint32_t mask, uint32_t board_index, uint32_t board_count, struct sv2_version_rolling_part *part_out);

/**
 * Extended work: switches the header template to `extranonce` (recomputes the merkle root
 * from the coinbase pieces: one coinbase txid and one SHA256d per merkle level). The new
 * `header` and `extranonce` fields are written into `work`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a work without its library-private part);
 * `SV2_ERR_NOT_EXTENDED` for standard-channel work; `SV2_ERR_EXTRANONCE_LENGTH` if `len` is
 * not `extranonce_size` (the work is unchanged on error).
 * Args: `work`: a clone from `sv2_work_clone()` (the event's work is read-only), or a
 * by-value copy whose original is still valid. In: `extranonce`/`len`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_work_set_extranonce(struct sv2_work *work, const uint8_t *extranonce, size_t len);

/**
 * Copies a work into caller-owned memory (valid until `sv2_work_free()`), e.g. to keep
 * hashing it after the next miner call or to hand it to another thread.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a work without its library-private part).
 * In: `work`. Out: `clone_out`: the copy (its `internal` is its own).
 * Allocates: yes (the work; the coinbase pieces of extended work are shared, not copied).
 */
SV2_MUST_USE sv2_result sv2_work_clone(const struct sv2_work *work, struct sv2_work **clone_out);

/**
 * Frees a work made by `sv2_work_clone()`. NULL is a no-op, and so is a miner-owned work
 * (an event's) or a by-value copy (even one whose original is gone: it is recognised without
 * reading through its `internal` pointer).
 * Allocates: no.
 */
void sv2_work_free(struct sv2_work *work);

/**
 * The difficulty of a target (difficulty 1 = `0x00000000ffff0000…`); targets easier than
 * difficulty 1 (regtest) give values below 1.
 *
 * Returns: the difficulty; `INFINITY` for target 0; 0 if `target` is NULL.
 * In: `target`: 32 bytes, little-endian.
 * Allocates: no.
 */
double sv2_target_to_difficulty(const uint8_t *target);

/**
 * The target of a difficulty (clamped to 1 ..= 2^256 − 1).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for 0, negative, NaN or
 * infinite difficulty.
 * Out: `target_out`: 32 bytes, little-endian.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_target_from_difficulty(double difficulty, uint8_t *target_out);

/**
 * The target of compact nBits (as in a block header).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for negative or overflowing
 * nBits.
 * Out: `target_out`: 32 bytes, little-endian.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_target_from_nbits(uint32_t nbits, uint8_t *target_out);

/**
 * The target at which `hashrate` hashes per second yield `shares_per_second` shares on
 * average (a hash rate of 0 gives the easiest target).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
 * infinite hash rate or a share rate that is not finite and > 0.
 * Out: `target_out`: 32 bytes, little-endian.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_target_from_share_rate(double hashrate, double shares_per_second, uint8_t *target_out);

/**
 * Expected shares per second from `hashrate` hashes per second on `target`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
 * infinite hash rate.
 * In: `target`: 32 bytes. Out: `shares_per_second_out`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_target_share_rate(const uint8_t *target, double hashrate, double *shares_per_second_out);

/**
 * The hash rate implied by observing `shares_per_second` shares on `target`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
 * infinite share rate.
 * In: `target`: 32 bytes. Out: `hashrate_out`: hashes per second.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_target_hashrate(const uint8_t *target, double shares_per_second, double *hashrate_out);

/**
 * Makes a miner configuration: vendor `"libsv2"`, no flags, the spec dialect, default
 * timeouts (10 s handshake, 10 s setup), no channel and no pool yet: call
 * `sv2_miner_config_set_pool_url()` (or `_set_authority_key()` / `_set_plaintext()`) and add
 * at least one channel before `sv2_miner_new()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: to free with `sv2_miner_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_new(struct sv2_miner_config **config_out);

/**
 * Frees a miner configuration. NULL is a no-op. Miners made from it are not affected.
 */
void sv2_miner_config_free(struct sv2_miner_config *config);

/**
 * The text of the last error a `sv2_miner_config_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
 * mutating call on this config; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_miner_config_last_error(const struct sv2_miner_config *config);

/**
 * Sets the pool from its URL: `stratum2+tcp://HOST:PORT/<authority key>` (Noise, the server
 * must prove that authority) or `stratum2+tcp+plain://HOST:PORT` (plaintext, local networks
 * only). Host and port go into SetupConnection; the caller connects the socket itself
 * (`sv2_pool_url_parse()` gives host and port).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_*` (nothing is changed then).
 * In: `url`: NUL-terminated.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_pool_url(struct sv2_miner_config *config, const char *url);

/**
 * Uses Noise, trusting only servers certified by `authority_key` (replaces the URL's key).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID`.
 * In: `authority_key`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_authority_key(struct sv2_miner_config *config, const uint8_t *authority_key);

/**
 * Disables encryption (trusted local networks only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_plaintext(struct sv2_miner_config *config);

/**
 * Sets the device description sent in SetupConnection.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if a
 * string is longer than 255 bytes (nothing is changed then).
 * In: NUL-terminated strings, each NULL for empty; copied.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_device(struct sv2_miner_config *config, const char *vendor, const char *hardware_version, const char *firmware, const char *device_id);

/**
 * Sets the Mining SetupConnection flags in the spec's bit layout (`SV2_MINING_REQUIRES_*`);
 * the miner translates them for the dialect on the wire.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_flags(struct sv2_miner_config *config, uint32_t flags);

/**
 * Sets the pool's wire dialect (`SV2_DIALECT_*`). The dialect also selects the Noise
 * negotiation (`SV2_DIALECT_BRAIINS_2021`: "STR2", the others "STR3") unless
 * `sv2_miner_config_set_noise_profile()` overrides it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_dialect(struct sv2_miner_config *config, sv2_dialect dialect);

/**
 * Overrides the Noise negotiation the dialect selects: `"sri-2023"` (STR3) or
 * `"braiins-2021"` (STR2), case-insensitive; NULL (the default) follows the dialect set with
 * `sv2_miner_config_set_dialect()`. Rust `InitiatorConfig::profile`, Python `noise_profile`, Node
 * `noiseProfile`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * unknown name (nothing is changed then).
 * In: `profile`: NUL-terminated, or NULL.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_noise_profile(struct sv2_miner_config *config, const char *profile);

/**
 * Sets the ciphers to offer, in order: wire names or Noise names separated by commas or
 * spaces, case-insensitive (`"AESG,CHCH"`, `"ChaChaPoly"`); NULL restores the negotiation's
 * default (CHCH then AESG). Rust `InitiatorConfig::ciphers`, Python/Node `ciphers`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * empty list, an unknown name or a repeat (the text names it; nothing is changed then).
 * In: `ciphers`: NUL-terminated, or NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_ciphers(struct sv2_miner_config *config, const char *ciphers);

/**
 * Whether to negotiate the cipher (default true). False starts the handshake without
 * negotiation (bare `-> e`, ChaChaPoly), as legacy Braiins 2021 clients do; only the
 * braiins-2021 negotiation allows it, so making a session fails with
 * `SV2_ERR_INVALID_CONFIG` under another. Rust `InitiatorConfig::negotiate`, Python
 * `negotiate`, Node `negotiate`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_negotiation(struct sv2_miner_config *config, bool negotiate);

/**
 * Sets the protocol versions SetupConnection offers (default 2 and 2). Rust
 * `SetupConnection::{min_version, max_version}`, Python `min_version`/`max_version`, Node
 * `minVersion`/`maxVersion`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `min_version >
 * max_version`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_versions(struct sv2_miner_config *config, uint16_t min_version, uint16_t max_version);

/**
 * Turns the wire tap on for the miner's connections made from this config (default off): every SV2 frame sent
 * or received (decrypted) is kept as a JSON line for `sv2_miner_next_trace()`. Off, it costs
 * nothing. Rust `ClientConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_trace(struct sv2_miner_config *config, bool enabled);

/**
 * Sets the timeouts in milliseconds (0 disables one), as `sv2_client_config_set_timeouts()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_timeouts(struct sv2_miner_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * How long a channel open may go unanswered (default 30000 ms; 0 waits forever). Then the
 * open fails with an `SV2_MINER_EVENT_CHANNEL_OPEN_FAILED` whose text names the request id,
 * the channel kind and the user ("no answer to OpenExtendedMiningChannel request 1 (user
 * 'bob') within 30000 ms") and whose `extended` tells the kind. Some servers never answer an
 * open they do not support (braiins' 2021 proxy ignores OpenExtendedMiningChannel).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_open_channel_timeout(struct sv2_miner_config *config, uint64_t timeout_ms);

/**
 * Seeds the Noise ephemeral keys instead of the OS random source (tests only; see
 * `sv2_client_config_set_rng_seed()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL for the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_config_set_rng_seed(struct sv2_miner_config *config, const uint8_t *seed);

/**
 * Adds a standard (header-only) channel, opened after every successful setup.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` (identity over 255 bytes or
 * not UTF-8, hash rate negative or not finite).
 * In: `user_identity`: NUL-terminated (e.g. `"account.worker1"`), copied.
 * `nominal_hash_rate`: hashes per second the device expects to do (the pool's first target
 * follows from it). `max_target`: 32 bytes, the easiest target the device accepts, or NULL
 * for any.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_add_standard_channel(struct sv2_miner_config *config, const char *user_identity, float nominal_hash_rate, const uint8_t *max_target);

/**
 * Adds an extended channel (the device rolls an extranonce), opened after every successful
 * setup.
 *
 * Returns: as `sv2_miner_config_add_standard_channel()`; also `SV2_ERR_INVALID_ARG` for a
 * `min_extranonce_size` above 32.
 * In: as `sv2_miner_config_add_standard_channel()`, and `min_extranonce_size`: the smallest
 * extranonce the device needs.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_config_add_extended_channel(struct sv2_miner_config *config, const char *user_identity, float nominal_hash_rate, const uint8_t *max_target, uint16_t min_extranonce_size);

/**
 * Makes a miner and starts its first connection: the Noise handshake (or, in plaintext, the
 * SetupConnection) is ready in `sv2_miner_data_to_send()` once the socket is connected.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if no
 * pool security was chosen or no channel was added; `SV2_ERR_RNG`.
 * In: `config`: copied. `now_unix_s`: wall-clock unix seconds, to check the server
 * certificate's validity on this first connection (each `sv2_miner_reconnect()` passes its
 * own time). `now_ms`: the caller's monotonic clock.
 * Out: `miner_out`: to free with `sv2_miner_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_new(const struct sv2_miner_config *config, uint64_t now_unix_s, uint64_t now_ms, struct sv2_miner **miner_out);

/**
 * Frees a miner and everything it owns (the current event's work included; clones made with
 * `sv2_work_clone()` stay valid). NULL is a no-op.
 */
void sv2_miner_free(struct sv2_miner *miner);

/**
 * A readable description of the last error on this miner: the last error a call returned, or
 * why the connection closed.
 *
 * Returns: a NUL-terminated string owned by the miner (`""` if none), valid until the next
 * mutating call on this miner; a fixed text if `miner` is NULL.
 * Allocates: no.
 */
const char *sv2_miner_last_error(const struct sv2_miner *miner);

/**
 * Feeds bytes received from the socket.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `len` exceeds
 * `PTRDIFF_MAX` (a negative `ssize_t` from `recv()` stored in a `size_t`); `SV2_ERR_POISONED`;
 * `SV2_ERR_CLOSED` if the connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing
 * consumed: drain events and retry; a single call larger than the input limit, about 1.1 MiB
 * by default, never fits: feed at most what one `recv()` of a few KiB gives). Another code
 * means the bytes broke the protocol and the connection closed: drain
 * `sv2_miner_next_event()` for `SV2_MINER_EVENT_CLOSED`. `SV2_OK` does not promise the bytes
 * were all valid: frames are decoded as events are drained, so a bad frame after good ones
 * in the same call shows up as a `SV2_MINER_EVENT_CLOSED` (with its code) after their events.
 * In: `data`/`len`: copied. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_receive_data(struct sv2_miner *miner, const uint8_t *data, size_t len, uint64_t now_ms);

/**
 * Copies up to `cap` pending bytes (for the socket) into `buf`; call until `*n_out` is 0.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
 * `SV2_ERR_POISONED`.
 * Out: `buf`/`cap`, `n_out`: bytes copied.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_miner_data_to_send(struct sv2_miner *miner, uint8_t *buf, size_t cap, size_t *n_out);

/**
 * Copies the oldest traced frame of the miner's connection (see
 * `sv2_miner_config_set_trace()`) into `buf` as a NUL-terminated JSON line, as
 * `sv2_session_next_trace()` does. A reconnection starts a new connection; lines not taken
 * before it are gone.
 *
 * The wire tap is a bounded queue that the caller polls, like events (DESIGN.md: poll, don't
 * call back): no callback runs inside the library, and a firmware loop can drain it when it
 * has time. It holds at most 1024 frames; beyond that the oldest are dropped, and the first
 * line kept says how many (`"dropped_before"`). Each line is one JSON object:
 * `{"direction": "sent"|"received", "frame": {…}}`, the frame in the `sv2 decode` form.
 *
 * Returns: `SV2_OK` (`*size_out` is 0 when no frame is waiting, else the bytes written,
 * NUL included); `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` with `*size_out` set to the
 * size needed (the line stays queued: call again with a larger buffer).
 * Out: `buf`: `cap` bytes, receives the line and a NUL. `size_out`.
 * Allocates: yes (the line, until copied).
 */
SV2_MUST_USE sv2_result sv2_miner_next_trace(struct sv2_miner *miner, char *buf, size_t cap, size_t *size_out);

/**
 * Whether bytes are waiting in `sv2_miner_data_to_send()`.
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned miner.
 * Allocates: no.
 */
bool sv2_miner_wants_write(const struct sv2_miner *miner);

/**
 * Whether the connection is set up (shares may be submitted) and has not ended.
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned miner.
 * Allocates: no.
 */
bool sv2_miner_is_ready(const struct sv2_miner *miner);

/**
 * When `sv2_miner_handle_timeout()` must next be called.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_poll_timeout(const struct sv2_miner *miner, uint64_t *deadline_ms_out);

/**
 * Fires expired timers (an expired handshake, setup or idle timer closes the connection).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_handle_timeout(struct sv2_miner *miner, uint64_t now_ms);

/**
 * Tells the miner the socket reached end of file; an `SV2_MINER_EVENT_CLOSED` follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_miner_peer_closed(struct sv2_miner *miner);

/**
 * Sets the host and port announced in SetupConnection on the next connection (call it before
 * `sv2_miner_reconnect()` when a Reconnect moved the miner to another host). `host` is a
 * NUL-terminated string, copied.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` (host not UTF-8 or longer than
 * 255 bytes); `SV2_ERR_POISONED`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_set_endpoint(struct sv2_miner *miner, const char *host, uint16_t port);

/**
 * Starts over on a new socket the caller has connected (after `SV2_MINER_EVENT_RECONNECT` or
 * `SV2_MINER_EVENT_CLOSED`): a fresh handshake that must prove the same pool authority, then
 * the configured channels (and those opened since) are opened again. Shares still pending on
 * the old connection are reported lost (CHANNEL_CLOSED with `pending_dropped`). `now_unix_s`
 * (wall-clock seconds) is the time the new server's certificate is checked at.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_RNG`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_reconnect(struct sv2_miner *miner, uint64_t now_unix_s, uint64_t now_ms);

/**
 * The next event, or `SV2_MINER_EVENT_NONE` when idle.
 *
 * Returns: `SV2_OK` (also when idle: check `event_out->type`); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_POISONED`.
 * Out: `event_out`: caller storage. Pointers in it (the work, texts) are valid until the next
 * mutating call on this miner.
 * Allocates: yes (the work of NEW_WORK).
 */
SV2_MUST_USE sv2_result sv2_miner_next_event(struct sv2_miner *miner, struct sv2_miner_event *event_out);

/**
 * Submits a share found on standard-channel work. It is checked locally first (job active,
 * version within the mask, nTime window, target, duplicates) and only then queued.
 *
 * Returns: `SV2_OK` (the answer comes later as SHARE_ACCEPTED or SHARE_REJECTED with the
 * receipt's sequence number); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE`
 * before setup or after the connection closed; a local refusal: `SV2_ERR_BELOW_TARGET`,
 * `SV2_ERR_STALE_JOB`, `SV2_ERR_DUPLICATE_SHARE`, `SV2_ERR_UNKNOWN_JOB`,
 * `SV2_ERR_FUTURE_JOB`, `SV2_ERR_VERSION_NOT_ALLOWED`, `SV2_ERR_NTIME_OUT_OF_RANGE`,
 * `SV2_ERR_UNKNOWN_CHANNEL`, `SV2_ERR_WRONG_CHANNEL_KIND` (nothing was sent then).
 * In: the work's `channel_id` and `job_id`, the `nonce`, `ntime` and `version` hashed,
 * `now_ms`. Out: `receipt_out`: may be NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_submit_standard(struct sv2_miner *miner, uint32_t channel_id, uint32_t job_id, uint32_t nonce, uint32_t ntime, uint32_t version, uint64_t now_ms, struct sv2_share_receipt *receipt);

/**
 * Submits a share found on extended-channel work with `extranonce` (the bytes given to
 * `sv2_work_set_extranonce()`). Checked locally as `sv2_miner_submit_standard()`.
 *
 * Returns: as `sv2_miner_submit_standard()`, plus `SV2_ERR_EXTRANONCE_LENGTH`.
 * In: as `sv2_miner_submit_standard()`, and `extranonce`/`len`: `extranonce_size` bytes.
 * Out: `receipt_out`: may be NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_submit_extended(struct sv2_miner *miner, uint32_t channel_id, uint32_t job_id, const uint8_t *extranonce, size_t len, uint32_t nonce, uint32_t ntime, uint32_t version, uint64_t now_ms, struct sv2_share_receipt *receipt);

/**
 * Opens another standard channel now (and after every reconnect).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG`;
 * `SV2_ERR_TOO_MANY_CHANNELS`; `SV2_ERR_EXTENDED_CHANNELS_REQUIRED`.
 * In: as `sv2_miner_config_add_standard_channel()`. Out: `request_id_out`: the id the
 * CHANNEL_OPENED / CHANNEL_OPEN_FAILED event will carry.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_open_standard_channel(struct sv2_miner *miner, const char *user_identity, float nominal_hash_rate, const uint8_t *max_target, uint32_t *request_id_out);

/**
 * Opens another extended channel now (and after every reconnect).
 *
 * Returns: as `sv2_miner_open_standard_channel()`.
 * In: as `sv2_miner_config_add_extended_channel()`. Out: `request_id_out`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_miner_open_extended_channel(struct sv2_miner *miner, const char *user_identity, float nominal_hash_rate, const uint8_t *max_target, uint16_t min_extranonce_size, uint32_t *request_id_out);

/**
 * Shares of `channel_id` awaiting the pool's answer.
 *
 * Returns: the count; 0 for an unknown channel and for a NULL or poisoned miner.
 * Allocates: no.
 */
size_t sv2_miner_pending_shares(const struct sv2_miner *miner, uint32_t channel_id);

/**
 * Makes a pool configuration with the engine's defaults (vardiff on at 10 shares per minute,
 * acknowledgements batched by 32 or 1 s, any difficulty, payout to `OP_TRUE` (regtest only),
 * coinbase tag `/libsv2/`) and no security choice yet: call `sv2_pool_config_set_noise()` or
 * `sv2_pool_config_set_plaintext()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: to free with `sv2_pool_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_config_new(struct sv2_pool_config **config_out);

/**
 * Frees a pool configuration. NULL is a no-op. Pools made from it are not affected.
 */
void sv2_pool_config_free(struct sv2_pool_config *config);

/**
 * The text of the last error a `sv2_pool_config_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
 * mutating call on this config; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_pool_config_last_error(const struct sv2_pool_config *config);

/**
 * Secures connections with Noise NX: the server's static secret key and the certificate the
 * pool authority signed for it (`sv2 key gen-server` / `sv2 key sign`, or
 * `sv2_server_key_generate()` / `sv2_certificate_sign()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
 * issued for this key.
 * In: `static_secret`: 32 bytes (copied; wiped when the config and the pool are freed).
 * `certificate`: copied.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_noise(struct sv2_pool_config *config, const uint8_t *static_secret, const struct sv2_certificate *certificate);

/**
 * Disables encryption (trusted local networks only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_plaintext(struct sv2_pool_config *config);

/**
 * Sets the miners' wire dialect (`SV2_DIALECT_*`). It also sets the Noise cipher preference
 * (`SV2_DIALECT_BRAIINS_2021`: AESGCM whenever offered) unless
 * `sv2_pool_config_set_noise_profile()` or `sv2_pool_config_set_ciphers()` override it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_dialect(struct sv2_pool_config *config, sv2_dialect dialect);

/**
 * Overrides whose cipher preference the server uses: `"sri-2023"` (ChaChaPoly first) or
 * `"braiins-2021"` (AESGCM whenever offered), case-insensitive; NULL (the default) follows
 * the dialect set with `sv2_pool_config_set_dialect()`. The server answers every negotiation form
 * whatever this says (R21). Rust `ResponderConfig::profile`, Python `noise_profile`, Node
 * `noiseProfile`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * unknown name (nothing is changed then).
 * In: `profile`: NUL-terminated, or NULL.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_noise_profile(struct sv2_pool_config *config, const char *profile);

/**
 * Sets the ciphers the server supports, most preferred first (it picks the first one the
 * client offers): wire names or Noise names separated by commas or spaces,
 * case-insensitive (`"AESG,CHCH"`); NULL restores the profile's order. Rust
 * `ResponderConfig::cipher_preference`, Python/Node `ciphers`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * empty list, an unknown name or a repeat (nothing is changed then).
 * In: `ciphers`: NUL-terminated, or NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_ciphers(struct sv2_pool_config *config, const char *ciphers);

/**
 * Whether to accept clients that skip negotiation (legacy Braiins 2021; default true, as R21
 * asks). Rust `ResponderConfig::accept_no_negotiation`, Python `accept_no_negotiation`, Node
 * `acceptNoNegotiation`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_negotiation(struct sv2_pool_config *config, bool accept_no_negotiation);

/**
 * Turns the wire tap on for the pool's connections made from this config (default off): every SV2 frame sent
 * or received (decrypted) is kept as a JSON line for `sv2_pool_next_trace()`. Off, it costs
 * nothing. Rust `ServerConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_trace(struct sv2_pool_config *config, bool enabled);

/**
 * Sets the session timeouts in milliseconds (0 disables one), as
 * `sv2_server_config_set_timeouts()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_timeouts(struct sv2_pool_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * Sets how long a client may stay set up without asking for a channel before the pool
 * closes the connection (R55), as `sv2_server_config_set_open_channel_timeout()`. Default
 * 60 000 ms; 0 disables it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_open_channel_timeout(struct sv2_pool_config *config, uint64_t open_channel_ms);

/**
 * Seeds the Noise ephemeral keys (tests only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL for the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_rng_seed(struct sv2_pool_config *config, const uint8_t *seed);

/**
 * Variable difficulty: on or off, and the share rate each channel is steered to. A channel's
 * first target follows from its nominal hash rate and this rate.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `shares_per_minute` is not
 * finite and > 0.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_vardiff(struct sv2_pool_config *config, bool enabled, double shares_per_minute);

/**
 * The easiest (`max_target`, the pool's minimum difficulty) and hardest (`min_target`)
 * targets the pool ever sets.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `min_target` is 0 or above
 * `max_target`.
 * In: `min_target`, `max_target`: 32 bytes each, little-endian.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_target_bounds(struct sv2_pool_config *config, const uint8_t *min_target, const uint8_t *max_target);

/**
 * What the pool does with the `max_target` clients send when they open or update a channel
 * (a deployment choice: some devices ask for far more difficulty than they can do, e.g. SRI
 * 2023's mining device asks for difficulty 7.6 M and then never finds a share).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `cap_target` with
 * `SV2_CLIENT_MAX_TARGET_CAP`); `SV2_ERR_INVALID_ARG` for an unknown `policy`.
 * In: `policy`: `SV2_CLIENT_MAX_TARGET_*`. `cap_target`: 32 bytes, little-endian, read only
 * for `SV2_CLIENT_MAX_TARGET_CAP` (may be NULL otherwise).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_client_max_target(struct sv2_pool_config *config, uint32_t policy, const uint8_t *cap_target);

/**
 * Whether clients may set REQUIRES_WORK_SELECTION and send SetCustomMiningJob (default
 * false: such a SetupConnection is refused with `unsupported-feature-flags`). SRI's mining
 * proxy always sets the flag. A C pool has no job-token policy, so the custom jobs
 * themselves are refused (`invalid-mining-job-token`); template jobs work as usual.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_allow_work_selection(struct sv2_pool_config *config, bool allow);

/**
 * Acknowledgement batching: one SubmitShares.Success per `batch_size` accepted shares, at
 * most `flush_ms` after the first of them (1 acknowledges every share at once).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `batch_size` is 0.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_ack_batch(struct sv2_pool_config *config, uint32_t batch_size, uint64_t flush_ms);

/**
 * The SetupConnection.Success flags the pool sends (`SV2_MINING_SUCCESS_REQUIRES_*`: fixed
 * version, extended channels only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for unknown bits.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_success_flags(struct sv2_pool_config *config, uint32_t flags);

/**
 * The coinbase: the tag placed in the scriptSig and the script paid when no policy splits the
 * reward (the default `OP_TRUE` is for regtest only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an empty payout script.
 * (A tag too long for the scriptSig is refused by `sv2_pool_new()`.)
 * In: `tag`/`tag_len`, `payout_script`/`script_len`: copied.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_coinbase(struct sv2_pool_config *config, const uint8_t *tag, size_t tag_len, const uint8_t *payout_script, size_t script_len);

/**
 * Fixed leading bytes of every extranonce prefix (a server id, so that several pool servers
 * never share search space).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`. (Lengths are checked by `sv2_pool_new()`.)
 * In: `server_id`/`len`: copied.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_server_id(struct sv2_pool_config *config, const uint8_t *server_id, size_t len);

/**
 * Whether every accepted share produces an `SV2_POOL_EVENT_SHARE_ACCEPTED` (default true;
 * pools that only need totals can read `sv2_pool_snapshot()` instead).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_share_events(struct sv2_pool_config *config, bool enabled);

/**
 * Synthetic templates only (`sv2_pool_next_synthetic_block()`): the made-up network target
 * is `factor` times harder than the hardest share target, so about one share in `factor` is
 * a block (default 1000; 1 makes every share a block).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` unless `factor` is finite
 * and at least 1.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_config_set_block_difficulty_factor(struct sv2_pool_config *config, double factor);

/**
 * Makes a synthetic template source building block `height` on a made-up tip.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `source_out`: to free with `sv2_template_source_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_source_new(uint64_t seed, uint32_t height, struct sv2_template_source **source_out);

/**
 * Frees a template source. NULL is a no-op.
 */
void sv2_template_source_free(struct sv2_template_source *source);

/**
 * A block was found (or the made-up network found one): the next
 * `sv2_pool_next_synthetic_block()` builds on `block_hash` at the next height.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * In: `block_hash`: 32 bytes, internal byte order (`sv2_pool_event.block_hash`).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_source_advance(struct sv2_template_source *source, const uint8_t *block_hash);

/**
 * Fixes the source's network difficulty to `nbits` (e.g. regtest's 0x207fffff, about every
 * other hash a block, for tests that want blocks) instead of the pool's block difficulty
 * factor times the share target.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG` for nBits
 * that encode no valid target (negative, overflowing or zero).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_source_set_nbits(struct sv2_template_source *source, uint32_t nbits);

/**
 * The height of the block the source's templates build.
 *
 * Returns: the height; 0 for a NULL or poisoned source.
 * Allocates: no.
 */
uint32_t sv2_template_source_height(const struct sv2_template_source *source);

/**
 * Makes a pool. It has no job until it gets a template and a prevhash.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
 * neither Noise nor plaintext was chosen or the engine settings are inconsistent (the config
 * is `const`, so no error text is recorded: the settings' limits are documented with their
 * setters and in `PoolConfig::validate`).
 * In: `config`: copied.
 * Out: `pool_out`: to free with `sv2_pool_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_new(const struct sv2_pool_config *config, struct sv2_pool **pool_out);

/**
 * Frees a pool and everything it owns. NULL is a no-op.
 */
void sv2_pool_free(struct sv2_pool *pool);

/**
 * A readable description of the last error on this pool (the last error a call returned, or
 * the last ENGINE_ERROR / CLOSED event's reason).
 *
 * Returns: a NUL-terminated string owned by the pool (`""` if none), valid until the next
 * mutating call on it; a fixed text if `pool` is NULL.
 * Allocates: no.
 */
const char *sv2_pool_last_error(const struct sv2_pool *pool);

/**
 * A new downstream connection (the caller accepted its socket).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NOISE_INTERNAL`.
 * In: `now_ms`. Out: `conn_out`: the connection's id (never reused).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_accept(struct sv2_pool *pool, uint64_t now_ms, uint64_t *conn_out);

/**
 * Feeds bytes received on `conn`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
 * `SV2_ERR_CLOSED` if the connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing
 * consumed: drain events and retry). Another code means the bytes broke the protocol and the
 * connection closed: a CLOSED event follows.
 * In: `conn`, `data`/`len`: copied, `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_receive_data(struct sv2_pool *pool, uint64_t conn, const uint8_t *data, size_t len, uint64_t now_ms);

/**
 * `conn`'s socket reached end of file; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_peer_closed(struct sv2_pool *pool, uint64_t conn);

/**
 * Closes `conn` from the pool's side; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_close(struct sv2_pool *pool, uint64_t conn);

/**
 * Forgets a connection (after its CLOSED event and its last bytes; also to drop a connection
 * at once). Its id is never reused.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_remove(struct sv2_pool *pool, uint64_t conn);

/**
 * Copies up to `cap` of `conn`'s pending bytes into `buf`; call until `*n_out` is 0.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
 * `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Out: `buf`/`cap`, `n_out`: bytes copied.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_pool_data_to_send(struct sv2_pool *pool, uint64_t conn, uint8_t *buf, size_t cap, size_t *n_out);

/**
 * Copies the oldest traced frame of the pool's connections (lowest connection first; see
 * `sv2_pool_config_set_trace()`) into `buf` as a NUL-terminated JSON line, as
 * `sv2_session_next_trace()` does, and its connection into `*conn_out` (only when a line was
 * copied).
 *
 * The wire tap is a bounded queue that the caller polls, like events (DESIGN.md: poll, don't
 * call back): no callback runs inside the library, and a firmware loop can drain it when it
 * has time. It holds at most 1024 frames; beyond that the oldest are dropped, and the first
 * line kept says how many (`"dropped_before"`). Each line is one JSON object:
 * `{"direction": "sent"|"received", "frame": {…}}`, the frame in the `sv2 decode` form.
 *
 * Returns: `SV2_OK` (`*size_out` is 0 when no frame is waiting, else the bytes written,
 * NUL included); `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` with `*size_out` set to the
 * size needed (the line stays queued: call again with a larger buffer).
 * Out: `buf`: `cap` bytes, receives the line and a NUL. `size_out`.
 * Allocates: yes (the line, until copied).
 */
SV2_MUST_USE sv2_result sv2_pool_next_trace(struct sv2_pool *pool, uint64_t *conn_out, char *buf, size_t cap, size_t *size_out);

/**
 * Whether `conn` has bytes waiting in `sv2_pool_data_to_send()` (messages the engine queued
 * since the last `sv2_pool_next_event()` or `sv2_pool_data_to_send()` may not be counted yet).
 *
 * Returns: true if so; false otherwise, for an unknown connection and a NULL or poisoned pool.
 * Allocates: no.
 */
bool sv2_pool_wants_write(const struct sv2_pool *pool, uint64_t conn);

/**
 * Open connections.
 *
 * Returns: the count; 0 for a NULL or poisoned pool.
 * Allocates: no.
 */
size_t sv2_pool_connection_count(const struct sv2_pool *pool);

/**
 * When `sv2_pool_handle_timeout()` must next be called (session timeouts, vardiff,
 * acknowledgement batches).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_pool_poll_timeout(const struct sv2_pool *pool, uint64_t *deadline_ms_out);

/**
 * Fires expired timers.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_pool_handle_timeout(struct sv2_pool *pool, uint64_t now_ms);

/**
 * The next event, or `SV2_POOL_EVENT_NONE` when idle. Also moves messages between the
 * sessions and the engine.
 *
 * Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
 * this pool.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_next_event(struct sv2_pool *pool, struct sv2_pool_event *event_out);

/**
 * A block template (Template Distribution NewTemplate) for every channel: a future template
 * waits for its `sv2_pool_set_prev_hash()`, a non-future one is mined at once.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NO_PREV_HASH` (a
 * non-future template before any prevhash); `SV2_ERR_INVALID_TEMPLATE`; `SV2_ERR_EXHAUSTED`;
 * `SV2_ERR_ENCODE_TOO_LONG` for fields over their wire size. Nothing changes on error.
 * In: `template_`: a view filled by the caller or `sv2_message_as_new_template()` of a
 * message from a template provider session; read during the call only. `now_ms`.
 * Out: `job_id_out`: the pool job made from it (may be NULL).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_new_template(struct sv2_pool *pool, const struct sv2_new_template *template_, uint64_t now_ms, uint32_t *job_id_out);

/**
 * A new chain tip (Template Distribution SetNewPrevHash) activating a future template: every
 * earlier job is stale from now on.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_TEMPLATE`.
 * In: `prev_hash`: a view (caller-filled or `sv2_message_as_tdp_set_new_prev_hash()`), read
 * during the call only. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_set_prev_hash(struct sv2_pool *pool, const struct sv2_tdp_set_new_prev_hash *prev_hash, uint64_t now_ms);

/**
 * The next block from a synthetic source: a future template and the prevhash that activates
 * it, given to the pool (every channel gets a new clean job). Its network target is the
 * pool's block difficulty factor times harder than the hardest open channel's share target
 * (without channels, than the pool's easiest target).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED` (pool or source);
 * `SV2_ERR_INVALID_TEMPLATE`; `SV2_ERR_EXHAUSTED`.
 * In: `source`: changed (its template counter). `unix_time`: the block time to start from
 * (`header_timestamp`, the miners' `min_ntime`). `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_next_synthetic_block(struct sv2_pool *pool, struct sv2_template_source *source, uint32_t unix_time, uint64_t now_ms);

/**
 * Sends Reconnect to `conn` (empty `host` / port 0: the same host / port). Close the
 * connection once its bytes are written.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
 * `SV2_ERR_INVALID_ARG` for a host over 255 bytes.
 * In: `host`: NUL-terminated, or NULL for the same host. `port`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_reconnect(struct sv2_pool *pool, uint64_t conn, const char *host, uint16_t port);

/**
 * Sets a channel's target (clamped to the pool's and the miner's bounds) and sends SetTarget.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
 * `SV2_ERR_UNKNOWN_CHANNEL`.
 * In: `target`: 32 bytes. Out: `applied_out`: the target set after clamping (may be NULL).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_set_target(struct sv2_pool *pool, uint64_t conn, uint32_t channel_id, const uint8_t *target, uint64_t now_ms, uint8_t *applied_out);

/**
 * A snapshot of every open channel's statistics, ordered by connection and channel id, and
 * the pool's totals.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_BUFFER_TOO_SMALL`
 * (`*count_out` tells the number of channels). Pass a NULL
 * `stats` and 0 to ask for the count.
 * In: `now_ms` (for the hash rate window). Out: `stats`/`cap`: room for `cap` entries, whose
 * `user_identity` pointers are valid until the next mutating call on this pool. `count_out`:
 * entries written. `summary_out`: may be NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_snapshot(struct sv2_pool *pool, uint64_t now_ms, struct sv2_channel_stats *stats, size_t cap, size_t *count_out, struct sv2_pool_summary *summary_out);

/**
 * A short static description of `result`.
 *
 * Returns: a NUL-terminated string in static storage (never NULL, never to be freed);
 * `"unknown sv2_result"` for a code this version does not define.
 * Args: `result`: any value.
 * Allocates: no.
 */
const char *sv2_result_str(sv2_result result);

/**
 * Makes a client configuration: Mining Protocol, flags 0, vendor `"libsv2"`, the spec
 * dialect, default timeouts (10 s handshake, 10 s setup, no idle timeout), OS randomness, and
 * no security choice yet: call `sv2_client_config_set_authority_key()` (Noise, normal case)
 * or `sv2_client_config_set_plaintext()` (local networks only) before making sessions.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: the new config, to free with `sv2_client_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_client_config_new(struct sv2_client_config **config_out);

/**
 * Frees a client configuration. NULL is a no-op. Sessions made from it are not affected.
 */
void sv2_client_config_free(struct sv2_client_config *config);

/**
 * The text of the last error a `sv2_client_config_set_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if there was none), valid until
 * the next mutating call on this config; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_client_config_last_error(const struct sv2_client_config *config);

/**
 * Secures sessions with Noise NX, accepting only servers whose certificate the pool authority
 * `authority_key` signed (the key of the pool URL).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID` if the 32 bytes are not an
 * Ed25519 public key.
 * Args: `config`. In: `authority_key`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_authority_key(struct sv2_client_config *config, const uint8_t *authority_key);

/**
 * Disables encryption: the connection is neither confidential nor authenticated. Only for a
 * trusted local network (R18).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_plaintext(struct sv2_client_config *config);

/**
 * Sets the sub-protocol and the SetupConnection flags.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an unknown protocol.
 * In: `protocol`: `SV2_PROTOCOL_*`. `flags`: the protocol's SetupConnection flags.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_protocol(struct sv2_client_config *config, uint32_t protocol, uint32_t flags);

/**
 * Sets the device description sent in SetupConnection (R36).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if a
 * string is longer than 255 bytes (nothing is changed then).
 * In: NUL-terminated strings, each NULL for empty; copied.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_device(struct sv2_client_config *config, const char *vendor, const char *hardware_version, const char *firmware, const char *device_id);

/**
 * Sets the endpoint announced in SetupConnection (the host and port the client connected to).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if `host`
 * is longer than 255 bytes.
 * In: `host`: NUL-terminated (NULL for empty), copied. `port`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_endpoint(struct sv2_client_config *config, const char *host, uint16_t port);

/**
 * Takes security and endpoint from a parsed pool URL: Noise with its authority key, or
 * plaintext for `stratum2+tcp+plain://`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `url->host` is not
 * NUL-terminated; `SV2_ERR_KEY_INVALID`.
 * In: `url`: from `sv2_pool_url_parse()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_pool_url(struct sv2_client_config *config, const struct sv2_pool_url *url);

/**
 * Sets the wire dialect of the pool (`SV2_DIALECT_*`). The dialect also selects the Noise
 * negotiation (`SV2_DIALECT_BRAIINS_2021`: the Braiins 2021 "STR2"; the others SRI's "STR3")
 * unless `sv2_client_config_set_noise_profile()` overrides it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_dialect(struct sv2_client_config *config, sv2_dialect dialect);

/**
 * Overrides the Noise negotiation the dialect selects: `"sri-2023"` (STR3) or
 * `"braiins-2021"` (STR2), case-insensitive; NULL (the default) follows the dialect set with
 * `sv2_client_config_set_dialect()`. Rust `InitiatorConfig::profile`, Python `noise_profile`, Node
 * `noiseProfile`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * unknown name (nothing is changed then).
 * In: `profile`: NUL-terminated, or NULL.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_noise_profile(struct sv2_client_config *config, const char *profile);

/**
 * Sets the ciphers to offer, in order: wire names or Noise names separated by commas or
 * spaces, case-insensitive (`"AESG,CHCH"`, `"ChaChaPoly"`); NULL restores the negotiation's
 * default (CHCH then AESG). Rust `InitiatorConfig::ciphers`, Python/Node `ciphers`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * empty list, an unknown name or a repeat (the text names it; nothing is changed then).
 * In: `ciphers`: NUL-terminated, or NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_ciphers(struct sv2_client_config *config, const char *ciphers);

/**
 * Whether to negotiate the cipher (default true). False starts the handshake without
 * negotiation (bare `-> e`, ChaChaPoly), as legacy Braiins 2021 clients do; only the
 * braiins-2021 negotiation allows it, so making a session fails with
 * `SV2_ERR_INVALID_CONFIG` under another. Rust `InitiatorConfig::negotiate`, Python
 * `negotiate`, Node `negotiate`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_negotiation(struct sv2_client_config *config, bool negotiate);

/**
 * Sets the protocol versions SetupConnection offers (default 2 and 2). Rust
 * `SetupConnection::{min_version, max_version}`, Python `min_version`/`max_version`, Node
 * `minVersion`/`maxVersion`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `min_version >
 * max_version`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_versions(struct sv2_client_config *config, uint16_t min_version, uint16_t max_version);

/**
 * Turns the wire tap on for sessions made from this config (default off): every SV2 frame sent
 * or received (decrypted) is kept as a JSON line for `sv2_session_next_trace()`. Off, it costs
 * nothing. Rust `ClientConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_trace(struct sv2_client_config *config, bool enabled);

/**
 * Sets the timeouts in milliseconds; 0 disables one.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `handshake_ms`: creation to end of the Noise handshake. `setup_ms`: handshake (or
 * creation) to SetupConnection.Success. `idle_ms`: longest silence once set up.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_timeouts(struct sv2_client_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * Seeds the Noise ephemeral keys instead of using the OS random source. Every session made
 * from this config then uses the same ephemeral key: for reproducible tests only, or for a
 * device that sets a fresh seed from its own entropy before each session.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL to go back to the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_client_config_set_rng_seed(struct sv2_client_config *config, const uint8_t *seed);

/**
 * Makes a server configuration: serves the Mining Protocol (every client flag supported, no
 * Success flags), the spec dialect, default timeouts, and no security choice yet: call
 * `sv2_server_config_set_noise()` or `sv2_server_config_set_plaintext()` before making
 * sessions.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: the new config, to free with `sv2_server_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_server_config_new(struct sv2_server_config **config_out);

/**
 * Frees a server configuration. NULL is a no-op. Sessions made from it are not affected.
 */
void sv2_server_config_free(struct sv2_server_config *config);

/**
 * The text of the last error a `sv2_server_config_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if there was none), valid until
 * the next mutating call on this config; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_server_config_last_error(const struct sv2_server_config *config);

/**
 * Secures sessions with Noise NX using the server's static key and the certificate the pool
 * authority signed for it (see `sv2_certificate_sign()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
 * issued for this key.
 * In: `static_secret`: the 32-byte X25519 secret key (copied; zeroized when the config and
 * the sessions are freed). `certificate`: copied.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_noise(struct sv2_server_config *config, const uint8_t *static_secret, const struct sv2_certificate *certificate);

/**
 * Disables encryption (local networks only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_plaintext(struct sv2_server_config *config);

/**
 * Serves `protocol` with the given flags (replacing an earlier entry for the same protocol).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an unknown protocol.
 * In: `protocol`: `SV2_PROTOCOL_*`. `supported_flags`: client flags accepted; a client asking
 * for others is refused with `unsupported-feature-flags`. `success_flags`: the flags of
 * SetupConnection.Success.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_protocol(struct sv2_server_config *config, uint32_t protocol, uint32_t supported_flags, uint32_t success_flags);

/**
 * Sets the wire dialect of the clients (`SV2_DIALECT_*`). The Noise responder accepts every
 * negotiation form whatever the dialect; the dialect sets its cipher preference
 * (`SV2_DIALECT_BRAIINS_2021`: AESGCM whenever offered, as Braiins does) unless
 * `sv2_server_config_set_noise_profile()` or `sv2_server_config_set_ciphers()` override it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_dialect(struct sv2_server_config *config, sv2_dialect dialect);

/**
 * Overrides whose cipher preference the server uses: `"sri-2023"` (ChaChaPoly first) or
 * `"braiins-2021"` (AESGCM whenever offered), case-insensitive; NULL (the default) follows
 * the dialect set with `sv2_server_config_set_dialect()`. The server answers every negotiation form
 * whatever this says (R21). Rust `ResponderConfig::profile`, Python `noise_profile`, Node
 * `noiseProfile`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * unknown name (nothing is changed then).
 * In: `profile`: NUL-terminated, or NULL.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_noise_profile(struct sv2_server_config *config, const char *profile);

/**
 * Sets the ciphers the server supports, most preferred first (it picks the first one the
 * client offers): wire names or Noise names separated by commas or spaces,
 * case-insensitive (`"AESG,CHCH"`); NULL restores the profile's order. Rust
 * `ResponderConfig::cipher_preference`, Python/Node `ciphers`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
 * empty list, an unknown name or a repeat (nothing is changed then).
 * In: `ciphers`: NUL-terminated, or NULL.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_ciphers(struct sv2_server_config *config, const char *ciphers);

/**
 * Whether to accept clients that skip negotiation (legacy Braiins 2021; default true, as R21
 * asks). Rust `ResponderConfig::accept_no_negotiation`, Python `accept_no_negotiation`, Node
 * `acceptNoNegotiation`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_negotiation(struct sv2_server_config *config, bool accept_no_negotiation);

/**
 * Turns the wire tap on for sessions made from this config (default off): every SV2 frame sent
 * or received (decrypted) is kept as a JSON line for `sv2_session_next_trace()`. Off, it costs
 * nothing. Rust `ServerConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_trace(struct sv2_server_config *config, bool enabled);

/**
 * Sets the timeouts in milliseconds; 0 disables one. As `sv2_client_config_set_timeouts()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_timeouts(struct sv2_server_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * Sets how long a Mining Protocol client may stay set up without asking for a channel
 * (OpenStandardMiningChannel or OpenExtendedMiningChannel) before the server closes the
 * connection with `SV2_ERR_TIMEOUT_OPEN_CHANNEL` (R55). Default 60 000 ms; 0 disables it.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_open_channel_timeout(struct sv2_server_config *config, uint64_t open_channel_ms);

/**
 * Seeds the Noise ephemeral keys (tests only; see `sv2_client_config_set_rng_seed()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL for the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_server_config_set_rng_seed(struct sv2_server_config *config, const uint8_t *seed);

/**
 * Makes a client session. With Noise the handshake's first message is ready at once, in
 * plaintext the SetupConnection: drain `sv2_session_data_to_send()` next.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
 * neither Noise nor plaintext was chosen; `SV2_ERR_RNG`; `SV2_ERR_NOISE_INTERNAL`.
 * In: `config`: read only during the call. `now_unix_s`: wall-clock unix seconds, to check the
 * server certificate's validity. `now_ms`: the caller's monotonic clock in milliseconds (the
 * same clock for every later call on this session).
 * Out: `session_out`: the new session, to free with `sv2_session_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_session_new_client(const struct sv2_client_config *config, uint64_t now_unix_s, uint64_t now_ms, struct sv2_session **session_out);

/**
 * Makes a server session for one accepted connection, waiting for the client's first bytes.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
 * neither Noise nor plaintext was chosen or no protocol is served; `SV2_ERR_NOISE_INTERNAL`.
 * In: `config`: read only during the call. `now_ms`: the caller's monotonic clock.
 * Out: `session_out`: the new session, to free with `sv2_session_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_session_new_server(const struct sv2_server_config *config, uint64_t now_ms, struct sv2_session **session_out);

/**
 * Frees a session and everything it owns (events' messages included). NULL is a no-op.
 */
void sv2_session_free(struct sv2_session *session);

/**
 * A readable description of the last error on this session: the last error a call returned,
 * or the error that closed the session.
 *
 * Returns: a NUL-terminated string owned by the session (`""` if there was none), valid until
 * the next mutating call on this session; a fixed text if `session` is NULL.
 * Allocates: no.
 */
const char *sv2_session_last_error(const struct sv2_session *session);

/**
 * Feeds bytes received from the socket (any chunking, even one byte at a time).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_CLOSED` if the session
 * already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing consumed: drain events, then retry with
 * the same bytes). Any other code means the bytes broke the protocol and the session has
 * closed: drain `sv2_session_next_event()` for the `SV2_EVENT_CLOSED` and send what
 * `sv2_session_data_to_send()` still has.
 * Args: `session`. In: `data`/`len`: copied (NULL allowed with `len` 0). `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_session_receive_data(struct sv2_session *session, const uint8_t *data, size_t len, uint64_t now_ms);

/**
 * The next event, or `SV2_EVENT_NONE` when idle.
 *
 * Returns: `SV2_OK` (also when idle: check `event_out->type`); `SV2_ERR_NULL_ARG`;
 * `SV2_ERR_POISONED`.
 * Args: `session`. Out: `event_out`: caller storage. Pointers in it are valid until the next
 * mutating call on this session.
 * Allocates: yes (the event's message).
 */
SV2_MUST_USE sv2_result sv2_session_next_event(struct sv2_session *session, struct sv2_event *event_out);

/**
 * Copies up to `cap` pending bytes (for the socket) into `buf`; call until `*n_out` is 0.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
 * `SV2_ERR_POISONED`.
 * Args: `session`. Out: `buf`/`cap`: the caller's buffer. `n_out`: bytes copied.
 * Allocates: possibly (queued frames are encrypted into the outgoing buffer on the first call).
 */
SV2_MUST_USE sv2_result sv2_session_data_to_send(struct sv2_session *session, uint8_t *buf, size_t cap, size_t *n_out);

/**
 * Copies the oldest traced frame of the session (see `sv2_client_config_set_trace()` and
 * `sv2_server_config_set_trace()`) into `buf` as a NUL-terminated JSON line.
 *
 * The wire tap is a bounded queue that the caller polls, like events (DESIGN.md: poll, don't
 * call back): no callback runs inside the library, and a firmware loop can drain it when it
 * has time. It holds at most 1024 frames; beyond that the oldest are dropped, and the first
 * line kept says how many (`"dropped_before"`). Each line is one JSON object:
 * `{"direction": "sent"|"received", "frame": {…}}`, the frame in the `sv2 decode` form.
 *
 * Returns: `SV2_OK` (`*size_out` is 0 when no frame is waiting, else the bytes written,
 * NUL included); `SV2_ERR_NULL_ARG`; `SV2_ERR_BUFFER_TOO_SMALL` with `*size_out` set to the
 * size needed (the line stays queued: call again with a larger buffer).
 * Out: `buf`: `cap` bytes, receives the line and a NUL. `size_out`.
 * Allocates: yes (the line, until copied).
 */
SV2_MUST_USE sv2_result sv2_session_next_trace(struct sv2_session *session, char *buf, size_t cap, size_t *size_out);

/**
 * Whether bytes are waiting in `sv2_session_data_to_send()`.
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned session.
 * Allocates: no.
 */
bool sv2_session_wants_write(const struct sv2_session *session);

/**
 * Whether SetupConnection succeeded and the session has not ended (messages may be sent).
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned session.
 * Allocates: no.
 */
bool sv2_session_is_ready(const struct sv2_session *session);

/**
 * Whether the session has ended.
 *
 * Returns: true if so, and for a NULL or poisoned session.
 * Allocates: no.
 */
bool sv2_session_is_closed(const struct sv2_session *session);

/**
 * When `sv2_session_handle_timeout()` must next be called.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_session_poll_timeout(const struct sv2_session *session, uint64_t *deadline_ms_out);

/**
 * Fires expired timers: an expired handshake, setup or idle timer closes the session (an
 * `SV2_EVENT_CLOSED` with `SV2_ERR_TIMEOUT_*` follows).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_session_handle_timeout(struct sv2_session *session, uint64_t now_ms);

/**
 * Tells the session the socket reached end of file. Complete frames already received are still
 * delivered; then an `SV2_EVENT_CLOSED` follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_session_peer_closed(struct sv2_session *session);

/**
 * Ends the session from this side (an `SV2_EVENT_CLOSED` with `SV2_CLOSE_LOCAL` follows).
 * Bytes already queued can still be taken. Closing twice is harmless.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_session_close(struct sv2_session *session);

/**
 * Queues any message (for example one received on another connection) for the peer.
 *
 * Returns: as the typed `sv2_session_send_<msg>()` functions.
 * In: `message`: read during the call only. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_session_send(struct sv2_session *session, const struct sv2_message *message, uint64_t now_ms);

/**
 * Queues a raw frame unchanged (forwarding an unknown extension, R48), e.g. the `frame` of an
 * `SV2_EVENT_FORWARD` from another connection.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `len` is not 6 plus the
 * header's payload length; `SV2_ERR_WRONG_STATE` before setup; `SV2_ERR_CLOSED`;
 * `SV2_ERR_OUTPUT_BUFFER_FULL`.
 * In: `frame`/`len`: header and payload, copied. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_session_send_raw(struct sv2_session *session, const uint8_t *frame, size_t len, uint64_t now_ms);

/**
 * Makes a template without transactions; add them with `sv2_block_template_add_transaction()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * In: `version`: header version. `prev_hash`, `target`: 32 bytes each, internal byte order
 * (little-endian, as in the header and `getblocktemplate`'s values reversed). `nbits`:
 * header bits. `header_timestamp`: the block time to start from (`curtime`). `min_time`: the
 * earliest valid block time (`mintime`). `height`: the block's height (BIP34). `coinbase_value`:
 * subsidy plus fees in satoshis. `segwit`: whether the block commits to witnesses (BIP141).
 * Out: `template_out`: to free with `sv2_block_template_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_block_template_new(uint32_t version, const uint8_t *prev_hash, uint32_t nbits, const uint8_t *target, uint32_t header_timestamp, uint32_t min_time, uint32_t height, uint64_t coinbase_value, bool segwit, struct sv2_block_template **template_out);

/**
 * Frees a template. NULL is a no-op.
 */
void sv2_block_template_free(struct sv2_block_template *template_);

/**
 * The text of the last error a `sv2_block_template_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the template (`""` if none), valid until the next
 * mutating call on it; a fixed text if `template_` is NULL.
 * Allocates: no.
 */
const char *sv2_block_template_last_error(const struct sv2_block_template *template_);

/**
 * Appends a transaction (block order, after the coinbase). The bytes are parsed to compute
 * the txid and weight the merkle path and the block's room need.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_TRANSACTION` if
 * the bytes are not exactly one transaction (truncated, trailing bytes, no inputs, a bad
 * segwit marker; `sv2_block_template_last_error()` says where). Nothing changes on error.
 * In: `data`/`len`: the serialized transaction (with witnesses if it has any), copied.
 * `sigops`: its signature operation cost. `fee`: satoshis.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_block_template_add_transaction(struct sv2_block_template *template_, const uint8_t *data, size_t len, uint64_t sigops, uint64_t fee);

/**
 * Transactions in the template (the coinbase not counted).
 *
 * Returns: the count; 0 for a NULL or poisoned template.
 * Allocates: no.
 */
size_t sv2_block_template_transaction_count(const struct sv2_block_template *template_);

/**
 * The template's height.
 *
 * Returns: the height; 0 for a NULL or poisoned template.
 * Allocates: no.
 */
uint32_t sv2_block_template_height(const struct sv2_block_template *template_);

/**
 * Makes a synthetic source building block `height` with `transactions` transactions in the
 * first template of each tip (later templates on the same tip add a few).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `source_out`: to free with `sv2_synthetic_block_source_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_synthetic_block_source_new(uint64_t seed, uint32_t height, size_t transactions, struct sv2_synthetic_block_source **source_out);

/**
 * Frees a synthetic source. NULL is a no-op. Templates it made stay valid.
 */
void sv2_synthetic_block_source_free(struct sv2_synthetic_block_source *source);

/**
 * The first template on the current tip (hand it to `sv2_template_provider_set_template()`:
 * a new tip).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * In: `header_timestamp`: the block time (unix seconds).
 * Out: `template_out`: a new template, to free with `sv2_block_template_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_synthetic_block_source_next_block(struct sv2_synthetic_block_source *source, uint32_t header_timestamp, struct sv2_block_template **template_out);

/**
 * Another template on the same tip with a few more transactions (fees rose): the provider
 * sends it as a non-future template (R133).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `template_out`: a new template, to free with `sv2_block_template_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_synthetic_block_source_update(struct sv2_synthetic_block_source *source, uint32_t header_timestamp, struct sv2_block_template **template_out);

/**
 * A block was found on the current tip: the next template builds on `block_hash` one height
 * up.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * In: `block_hash`: 32 bytes, internal byte order (`sv2_template_provider_event.block_hash`).
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_synthetic_block_source_advance(struct sv2_synthetic_block_source *source, const uint8_t *block_hash);

/**
 * The height of the next block.
 *
 * Returns: the height; 0 for a NULL or poisoned source.
 * Allocates: no.
 */
uint32_t sv2_synthetic_block_source_height(const struct sv2_synthetic_block_source *source);

/**
 * Makes a provider configuration (64 templates kept, default timeouts) with no security
 * choice yet: call `sv2_template_provider_config_set_noise()` or `_set_plaintext()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: to free with `sv2_template_provider_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_new(struct sv2_template_provider_config **config_out);

/**
 * Frees a provider configuration. NULL is a no-op. Providers made from it are not affected.
 */
void sv2_template_provider_config_free(struct sv2_template_provider_config *config);

/**
 * The text of the last error a `sv2_template_provider_config_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
 * mutating call on it; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_template_provider_config_last_error(const struct sv2_template_provider_config *config);

/**
 * Secures connections with Noise NX, as `sv2_pool_config_set_noise()`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_CERT_MALFORMED` if the certificate was not
 * issued for this key.
 * In: `static_secret`: 32 bytes (copied). `certificate`: copied.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_set_noise(struct sv2_template_provider_config *config, const uint8_t *static_secret, const struct sv2_certificate *certificate);

/**
 * Disables encryption (a provider next to its pool on a trusted network).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_set_plaintext(struct sv2_template_provider_config *config);

/**
 * Sets the session timeouts in milliseconds (0 disables one).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_set_timeouts(struct sv2_template_provider_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * Seeds the Noise ephemeral keys (tests only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL for the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_set_rng_seed(struct sv2_template_provider_config *config, const uint8_t *seed);

/**
 * How many templates the provider keeps for RequestTransactionData and SubmitSolution (the
 * oldest is dropped first; its id then gets `template-id-not-found`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for 0.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_config_set_max_templates(struct sv2_template_provider_config *config, size_t max_templates);

/**
 * Makes a provider. Clients get templates once `sv2_template_provider_set_template()` gave
 * the first one.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if
 * neither Noise nor plaintext was chosen.
 * In: `config`: copied.
 * Out: `provider_out`: to free with `sv2_template_provider_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_new(const struct sv2_template_provider_config *config, struct sv2_template_provider **provider_out);

/**
 * Frees a provider and everything it owns. NULL is a no-op.
 */
void sv2_template_provider_free(struct sv2_template_provider *provider);

/**
 * A readable description of the last error on this provider (the last error a call
 * returned, or the last refusal or CLOSED event's reason).
 *
 * Returns: a NUL-terminated string owned by the provider (`""` if none), valid until the next
 * mutating call on it; a fixed text if `provider` is NULL.
 * Allocates: no.
 */
const char *sv2_template_provider_last_error(const struct sv2_template_provider *provider);

/**
 * A new connection (the caller accepted its socket).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_NOISE_INTERNAL`.
 * In: `now_ms`. Out: `conn_out`: the connection's id (never reused).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_accept(struct sv2_template_provider *provider, uint64_t now_ms, uint64_t *conn_out);

/**
 * Feeds bytes received on `conn`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`;
 * `SV2_ERR_CLOSED` if the connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing
 * consumed: drain events and retry). Another code means the bytes broke the protocol and the
 * connection closed: a CLOSED event follows.
 * In: `conn`, `data`/`len`: copied, `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_receive_data(struct sv2_template_provider *provider, uint64_t conn, const uint8_t *data, size_t len, uint64_t now_ms);

/**
 * `conn`'s socket reached end of file; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_peer_closed(struct sv2_template_provider *provider, uint64_t conn);

/**
 * Closes `conn` from the provider's side; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_close(struct sv2_template_provider *provider, uint64_t conn);

/**
 * Forgets a connection (after its CLOSED event and its last bytes). Its id is never reused.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_remove(struct sv2_template_provider *provider, uint64_t conn);

/**
 * Copies up to `cap` of `conn`'s pending bytes into `buf`; call until `*n_out` is 0.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
 * `SV2_ERR_POISONED`; `SV2_ERR_UNKNOWN_CONNECTION`.
 * Out: `buf`/`cap`, `n_out`: bytes copied.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_template_provider_data_to_send(struct sv2_template_provider *provider, uint64_t conn, uint8_t *buf, size_t cap, size_t *n_out);

/**
 * Whether `conn` has bytes waiting (answers queued since the last `_next_event()` or
 * `_data_to_send()` may not be counted yet).
 *
 * Returns: true if so; false otherwise, for an unknown connection and a NULL or poisoned
 * provider.
 * Allocates: no.
 */
bool sv2_template_provider_wants_write(const struct sv2_template_provider *provider, uint64_t conn);

/**
 * When `sv2_template_provider_handle_timeout()` must next be called.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_poll_timeout(const struct sv2_template_provider *provider, uint64_t *deadline_ms_out);

/**
 * Fires expired timers.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_template_provider_handle_timeout(struct sv2_template_provider *provider, uint64_t now_ms);

/**
 * Hands the provider a template from its source. On a new tip every client gets a future
 * template and the SetNewPrevHash that activates it; on the current tip a non-future
 * template (R132, R133). A client whose coinbase reservation this template cannot leave room
 * for is closed (RESERVATION_REFUSED).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_STALE_TIP` if the
 * template builds on a tip the provider already left (nothing is sent: clients never go back
 * to a stale chain).
 * In: `template_`: copied. `now_ms`.
 * Out: `update_out`: `SV2_TEMPLATE_UPDATE_NEW_TIP` or `_SAME_TIP` (may be NULL).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_set_template(struct sv2_template_provider *provider, const struct sv2_block_template *template_, uint64_t now_ms, uint32_t *update_out);

/**
 * The provider's counters.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `stats_out`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_provider_stats(const struct sv2_template_provider *provider, struct sv2_provider_stats *stats_out);

/**
 * The next event, or `SV2_PROVIDER_EVENT_NONE` when idle. Also answers what the clients sent
 * (templates after CoinbaseOutputDataSize, RequestTransactionData).
 *
 * Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
 * this provider.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_provider_next_event(struct sv2_template_provider *provider, struct sv2_template_provider_event *event_out);

/**
 * Makes a template client configuration: vendor `"libsv2"`, no coinbase reservation, default
 * timeouts, no provider yet: call `sv2_template_client_config_set_provider_url()` (or
 * `_set_authority_key()` / `_set_plaintext()`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Out: `config_out`: to free with `sv2_template_client_config_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_new(struct sv2_template_client_config **config_out);

/**
 * Frees a template client configuration. NULL is a no-op.
 */
void sv2_template_client_config_free(struct sv2_template_client_config *config);

/**
 * The text of the last error a `sv2_template_client_config_*` call returned.
 *
 * Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
 * mutating call on it; a fixed text if `config` is NULL.
 * Allocates: no.
 */
const char *sv2_template_client_config_last_error(const struct sv2_template_client_config *config);

/**
 * Sets the provider from its URL, in the pool URL syntax: `stratum2+tcp://HOST:PORT/<authority
 * key>` (Noise) or `stratum2+tcp+plain://HOST:PORT` (plaintext). Host and port go into
 * SetupConnection; the caller connects the socket (`sv2_pool_url_parse()` gives them).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_*` (nothing is changed then).
 * In: `url`: NUL-terminated.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_provider_url(struct sv2_template_client_config *config, const char *url);

/**
 * Uses Noise, trusting only providers certified by `authority_key`.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID`.
 * In: `authority_key`: 32 bytes.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_authority_key(struct sv2_template_client_config *config, const uint8_t *authority_key);

/**
 * Disables encryption (trusted local networks only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_plaintext(struct sv2_template_client_config *config);

/**
 * Sets the vendor string sent in SetupConnection.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if longer than 255 bytes.
 * In: `vendor`: NUL-terminated, copied.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_vendor(struct sv2_template_client_config *config, const char *vendor);

/**
 * The bytes of coinbase outputs the pool adds (its payout outputs, serialized; R135): sent
 * as CoinbaseOutputDataSize right after setup, and templates leave that room.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_coinbase_output_size(struct sv2_template_client_config *config, uint32_t size);

/**
 * Sets the session timeouts in milliseconds (0 disables one).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_timeouts(struct sv2_template_client_config *config, uint64_t handshake_ms, uint64_t setup_ms, uint64_t idle_ms);

/**
 * Seeds the Noise ephemeral keys (tests only).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
 * In: `seed`: 32 bytes, or NULL for the OS random source.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_config_set_rng_seed(struct sv2_template_client_config *config, const uint8_t *seed);

/**
 * Makes a template client and starts its connection: the Noise handshake (or, in plaintext,
 * the SetupConnection) is ready in `sv2_template_client_data_to_send()` once the socket is
 * connected.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if no
 * provider security was chosen; `SV2_ERR_RNG`.
 * In: `config`: copied. `now_unix_s`: wall-clock unix seconds (the provider certificate's
 * validity). `now_ms`: the caller's monotonic clock.
 * Out: `client_out`: to free with `sv2_template_client_free()`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_new(const struct sv2_template_client_config *config, uint64_t now_unix_s, uint64_t now_ms, struct sv2_template_client **client_out);

/**
 * Frees a template client. NULL is a no-op.
 */
void sv2_template_client_free(struct sv2_template_client *client);

/**
 * A readable description of the last error on this client (the last error a call returned,
 * or why the connection closed).
 *
 * Returns: a NUL-terminated string owned by the client (`""` if none), valid until the next
 * mutating call on it; a fixed text if `client` is NULL.
 * Allocates: no.
 */
const char *sv2_template_client_last_error(const struct sv2_template_client *client);

/**
 * Feeds bytes received from the provider.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_CLOSED` if the
 * connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing consumed: drain events and
 * retry). Another code means the bytes broke the protocol and the connection closed: a
 * CLOSED event follows.
 * In: `data`/`len`: copied. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_receive_data(struct sv2_template_client *client, const uint8_t *data, size_t len, uint64_t now_ms);

/**
 * Copies up to `cap` pending bytes into `buf`; call until `*n_out` is 0.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
 * `SV2_ERR_POISONED`.
 * Out: `buf`/`cap`, `n_out`: bytes copied.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_data_to_send(struct sv2_template_client *client, uint8_t *buf, size_t cap, size_t *n_out);

/**
 * Whether bytes are waiting in `sv2_template_client_data_to_send()`.
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned client.
 * Allocates: no.
 */
bool sv2_template_client_wants_write(const struct sv2_template_client *client);

/**
 * Whether the connection is set up (templates may arrive) and not closed.
 *
 * Returns: true if so; false otherwise and for a NULL or poisoned client.
 * Allocates: no.
 */
bool sv2_template_client_is_ready(const struct sv2_template_client *client);

/**
 * When `sv2_template_client_handle_timeout()` must next be called.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_poll_timeout(const struct sv2_template_client *client, uint64_t *deadline_ms_out);

/**
 * Fires expired timers.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: possibly.
 */
SV2_MUST_USE sv2_result sv2_template_client_handle_timeout(struct sv2_template_client *client, uint64_t now_ms);

/**
 * The socket reached end of file; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_peer_closed(struct sv2_template_client *client);

/**
 * Closes the connection from this side; a CLOSED event follows.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Allocates: no.
 */
SV2_MUST_USE sv2_result sv2_template_client_close(struct sv2_template_client *client);

/**
 * The next event, or `SV2_TEMPLATE_CLIENT_EVENT_NONE` when idle.
 *
 * Returns: `SV2_OK` (also when idle); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
 * Out: `event_out`: caller storage. Pointers in it are valid until the next mutating call on
 * this client.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_next_event(struct sv2_template_client *client, struct sv2_template_client_event *event_out);

/**
 * Asks for a template's transactions (R142); the answer is a TRANSACTION_DATA or
 * TRANSACTION_DATA_ERROR event.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE` before
 * setup completed; `SV2_ERR_CLOSED`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_request_transaction_data(struct sv2_template_client *client, uint64_t template_id, uint64_t now_ms);

/**
 * Sends a SubmitSolution (R144) the caller filled.
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE` before
 * setup completed; `SV2_ERR_CLOSED`; `SV2_ERR_ENCODE_TOO_LONG` for a coinbase over 64 KiB.
 * In: `solution`: read during the call only. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_submit_solution(struct sv2_template_client *client, const struct sv2_submit_solution *solution, uint64_t now_ms);

/**
 * Sends the SubmitSolution of a block a pool found (its `SV2_POOL_EVENT_BLOCK_FOUND`) to the
 * provider whose template the job came from (R144).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG` if the event
 * is not BLOCK_FOUND; `SV2_ERR_WRONG_STATE`; `SV2_ERR_CLOSED`.
 * In: `pool_event`: the event as `sv2_pool_next_event()` filled it, before the next mutating
 * call on that pool (its `submit_solution` is read). `now_ms`.
 * Out: `sent_out`: false for a block of a custom job, which the pool assembles itself (may
 * be NULL).
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_template_client_submit_block_found(struct sv2_template_client *client, const struct sv2_pool_event *pool_event, uint64_t now_ms, bool *sent_out);

/**
 * Hands a template client's NEW_TEMPLATE or SET_NEW_PREV_HASH event to a pool, which makes
 * jobs of it for every channel (the pool then runs on the provider's templates instead of a
 * synthetic source). Other events are ignored (`SV2_OK`).
 *
 * Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; what `sv2_pool_new_template()` or
 * `sv2_pool_set_prev_hash()` return (`SV2_ERR_NO_PREV_HASH`, `SV2_ERR_UNKNOWN_TEMPLATE`,
 * `SV2_ERR_INVALID_TEMPLATE`, `SV2_ERR_EXHAUSTED`). Nothing changes on error.
 * In: `client_event`: as `sv2_template_client_next_event()` filled it, before the next
 * mutating call on that client. `now_ms`.
 * Allocates: yes.
 */
SV2_MUST_USE sv2_result sv2_pool_apply_template_event(struct sv2_pool *pool, const struct sv2_template_client_event *client_event, uint64_t now_ms);

/**
 * The library's version and Noise backend, e.g. `"libsv2/0.1.0/noise-ring"`. Compare with
 * the `SV2_VERSION_*` macros of the header the program was compiled with.
 *
 * Returns: a NUL-terminated string in static storage (never NULL, never to be freed).
 * Allocates: no.
 */
const char *sv2_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif /* __cplusplus */

#endif  /* SV2_H */
