//! `sv2_miner_config`, `sv2_miner` and `sv2_work`: the composed miner (session + mining client)
//! for firmware, the work a device hashes, and the target / difficulty / hash-rate helpers.

use super::noise_options::{self, InitiatorOptions};
use super::session::{seed_arg, set_timeouts, str0255_arg, ClientSecurityChoice};
use super::*;
use crate::codec::{Str0255, U256};
use crate::keys::{AuthorityPublicKey, Host, PoolUrl, Security};
use crate::messages::Protocol;
use crate::mining::client::{
    ClientConfig as MiningClientConfig, ClientEvent, CloseReason as ChannelCloseReason,
    OpenFailure, Work,
};
use crate::mining::miner::{ChannelRequest, Miner, MinerConfig, MinerEvent};
use crate::mining::{target as tmath, BlockHeader, MAX_EXTRANONCE_SIZE};
use crate::noise::{Cipher, InitiatorConfig};
use crate::session::{ClientConfig, ClientSecurity, CloseReason};

/// Mining SetupConnection flag (spec bit layout): the client wants NewMiningJob for its
/// standard channels and no group-addressed extended jobs (header-only devices).
pub const SV2_MINING_REQUIRES_STANDARD_JOBS: u32 = 1 << 0;
/// Mining SetupConnection flag: the client will send SetCustomMiningJob (work selection).
pub const SV2_MINING_REQUIRES_WORK_SELECTION: u32 = 1 << 1;
/// Mining SetupConnection flag: the client needs version rolling (BIP320).
pub const SV2_MINING_REQUIRES_VERSION_ROLLING: u32 = 1 << 2;
/// Mining SetupConnection.Success flag: the pool accepts no change to the version.
pub const SV2_MINING_SUCCESS_REQUIRES_FIXED_VERSION: u32 = 1 << 0;
/// Mining SetupConnection.Success flag: the pool accepts only extended channels.
pub const SV2_MINING_SUCCESS_REQUIRES_EXTENDED_CHANNELS: u32 = 1 << 1;

// ---------------------------------------------------------------------------------------------
// Work

/// Library-private part of an `sv2_work` (the coinbase pieces of extended work).
#[derive(Debug)]
pub struct sv2_work_internal {
    /// The work as the mining client made it (its `extended` part is what C cannot see).
    work: Work,
    /// For a caller-owned clone: the address of its public part (what `sv2_work_free` checks).
    clone_of: *const sv2_work,
}

/// One unit of work for a mining device: an active job of one channel. Plain data plus one
/// library-private pointer.
///
/// The work of an `SV2_MINER_EVENT_NEW_WORK` event belongs to the miner and is valid until the
/// next mutating call on that miner. `sv2_work_clone()` makes a caller-owned copy (freed with
/// `sv2_work_free()`), for example to hand to a hashing thread. A by-value copy of the struct
/// (`sv2_work w = *ev.work;`) is enough for `sv2_work_header()`, `sv2_work_hash()`,
/// `sv2_work_meets_target()` and the midstate functions, which read only `header`, `target` and
/// `version_mask`; `sv2_work_set_extranonce()` also reads `internal`, so it needs a clone (or a
/// copy whose original is still valid).
///
/// Hash the header with any `nonce`, any `ntime` from `min_ntime` to `sv2_work_max_ntime()`,
/// and any `version` that differs from `version` only in `version_mask` bits; submit what meets
/// `target` with `sv2_miner_submit_standard()` (standard channels) or
/// `sv2_miner_submit_extended()` (extended channels, with the extranonce used).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_work {
    /// The channel (a standard or extended channel, never a group id).
    pub channel_id: u32,
    /// The job id to submit.
    pub job_id: u32,
    /// The 80-byte header template in block-header byte order: the job's version, the
    /// prevhash, the merkle root (extended: for `extranonce`), `ntime = min_ntime`, nBits and
    /// nonce 0.
    pub header: [u8; 80],
    /// Shares must hash to at most this target (32 bytes, little-endian like the hash).
    pub target: [u8; 32],
    /// The job's version (the base for rolling).
    pub version: u32,
    /// Version bits the miner may change (BIP320 `0x1fffe000`), or 0 when rolling is not
    /// allowed.
    pub version_mask: u32,
    /// Smallest nTime allowed.
    pub min_ntime: u32,
    /// nBits of the block (the network target).
    pub nbits: u32,
    /// `now_ms` at which the nTime window opened: nTime may grow by one per second from here.
    pub ntime_base_ms: u64,
    /// True when this work follows a new prevhash: abandon all earlier work of the channel at
    /// once. False for a new job on the same prevhash (earlier work stays valid).
    pub clean: bool,
    /// True for extended-channel work (the miner chooses an extranonce).
    pub extended: bool,
    /// Extended: bytes of extranonce the miner supplies.
    pub extranonce_size: u16,
    /// Extended: length of `extranonce_prefix`.
    pub extranonce_prefix_len: u8,
    /// Extended: the channel's extranonce prefix (first `extranonce_prefix_len` bytes).
    pub extranonce_prefix: [u8; 32],
    /// Extended: the extranonce (first `extranonce_size` bytes) that `header`'s merkle root
    /// commits to: zeros until `sv2_work_set_extranonce()`.
    pub extranonce: [u8; 32],
    /// Library-private; do not touch.
    pub internal: *const sv2_work_internal,
}

/// The heap home of an `sv2_work`: the public part first, so that a pointer to it is a
/// pointer to the holder.
#[repr(C)]
#[derive(Debug)]
struct WorkHolder {
    view: sv2_work,
    internal: sv2_work_internal,
}

impl WorkHolder {
    fn new(work: Work, owned_by_caller: bool) -> Box<WorkHolder> {
        let mut view = sv2_work {
            channel_id: work.channel_id,
            job_id: work.job_id,
            header: *work.header.as_bytes(),
            target: work.target.0,
            version: work.version(),
            version_mask: work.version_mask,
            min_ntime: work.min_ntime,
            nbits: work.header.nbits(),
            ntime_base_ms: work.ntime_base_ms,
            clean: work.clean,
            extended: work.extended.is_some(),
            extranonce_size: 0,
            extranonce_prefix_len: 0,
            extranonce_prefix: [0; 32],
            extranonce: [0; 32],
            internal: std::ptr::null(),
        };
        if let Some(ext) = &work.extended {
            view.extranonce_size = ext.extranonce_size;
            let prefix = ext.extranonce_prefix.as_slice();
            view.extranonce_prefix_len = prefix.len() as u8;
            view.extranonce_prefix[..prefix.len()].copy_from_slice(prefix);
            let en = ext.extranonce.as_slice();
            view.extranonce[..en.len()].copy_from_slice(en);
        }
        let mut holder = Box::new(WorkHolder {
            view,
            internal: sv2_work_internal {
                work,
                clone_of: std::ptr::null(),
            },
        });
        holder.view.internal = &holder.internal;
        if owned_by_caller {
            holder.internal.clone_of = &holder.view;
        }
        holder
    }
}

fn work_ref<'a>(work: *const sv2_work) -> Result<&'a sv2_work, Error> {
    in_ref(work, "work")
}

fn work_mut<'a>(work: *mut sv2_work) -> Result<&'a mut sv2_work, Error> {
    // SAFETY: the C contract: NULL or a valid, writable sv2_work not used elsewhere during the
    // call. NULL is checked by `as_mut`.
    unsafe { work.as_mut() }.ok_or_else(|| Error::null("work"))
}

fn header_of(w: &sv2_work, nonce: u32, ntime: u32, version: u32) -> BlockHeader {
    let mut header = BlockHeader::from_bytes(w.header);
    header.set_nonce(nonce);
    header.set_ntime(ntime);
    header.set_version(version);
    header
}

/// The header template with `nonce`, `ntime` and `version` in place (no hashing).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `work` (only `header` is read). Out: `header_out`: 80 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_header(
    work: *const sv2_work,
    nonce: u32,
    ntime: u32,
    version: u32,
    header_out: *mut u8,
) -> sv2_result {
    boundary(|| {
        let w = work_ref(work)?;
        let out = out_ptr(header_out, "header_out")?;
        write_array(out, header_of(w, nonce, ntime, version).as_bytes());
        Ok(())
    })
}

/// SHA256d of the header with `nonce`, `ntime` and `version`, in internal byte order (the
/// order `target` uses: compare with `sv2_work_meets_target()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `work` (only `header` is read). Out: `hash_out`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_hash(
    work: *const sv2_work,
    nonce: u32,
    ntime: u32,
    version: u32,
    hash_out: *mut u8,
) -> sv2_result {
    boundary(|| {
        let w = work_ref(work)?;
        let out = out_ptr(hash_out, "hash_out")?;
        write_array(out, &header_of(w, nonce, ntime, version).hash().0);
        Ok(())
    })
}

/// Whether `hash` (from `sv2_work_hash()` or the caller's own SHA256d, internal byte order)
/// meets the work's share target.
///
/// Returns: true if the hash, read as a little-endian 256-bit number, is at most `target`;
/// false otherwise and if an argument is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_work_meets_target(work: *const sv2_work, hash: *const u8) -> bool {
    boundary_value(false, || {
        let (Ok(w), Ok(hash)) = (work_ref(work), in_array::<32>(hash, "hash")) else {
            return false;
        };
        tmath::hash_meets_target(U256(hash), U256(w.target))
    })
}

/// Whether `hash` also meets the network target of the header's nBits (a block).
///
/// Returns: true if so; false otherwise and if an argument is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_work_is_block(work: *const sv2_work, hash: *const u8) -> bool {
    boundary_value(false, || {
        let (Ok(w), Ok(hash)) = (work_ref(work), in_array::<32>(hash, "hash")) else {
            return false;
        };
        tmath::nbits_to_target(w.nbits).is_ok_and(|t| tmath::hash_meets_target(U256(hash), t))
    })
}

/// The largest nTime a share may carry at `now_ms`: `min_ntime` plus the whole seconds since
/// `ntime_base_ms`.
///
/// Returns: the nTime; 0 if `work` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_work_max_ntime(work: *const sv2_work, now_ms: u64) -> u32 {
    boundary_value(0, || {
        work_ref(work).map_or(0, |w| {
            let secs = now_ms.saturating_sub(w.ntime_base_ms) / 1000;
            u64::from(w.min_ntime)
                .saturating_add(secs)
                .min(u64::from(u32::MAX)) as u32
        })
    })
}

/// The SHA-256 midstate of the header template (the state after its first 64 bytes, which
/// nonce and nTime do not touch): what an ASIC is loaded with.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// In: `work`. Out: `midstate_out`: 32 bytes, the eight state words each little-endian (the
/// layout most ASIC drivers load; on a little-endian CPU it reads as `uint32_t[8]`).
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_midstate(work: *const sv2_work, midstate_out: *mut u8) -> sv2_result {
    boundary(|| {
        let w = work_ref(work)?;
        let out = out_ptr(midstate_out, "midstate_out")?;
        write_array(
            out,
            &BlockHeader::from_bytes(w.header).midstate().to_le_bytes(),
        );
        Ok(())
    })
}

/// Writes `N` rolled versions and their midstates (no allocation); false if the mask allows
/// fewer than `N` versions.
fn rolled<const N: usize>(w: &sv2_work, versions_out: *mut u32, midstates_out: *mut u8) -> bool {
    let mut roller = crate::mining::VersionRoller::new(w.version, w.version_mask);
    if roller.len() < N {
        return false;
    }
    let mut versions = [0u32; N];
    for v in versions.iter_mut() {
        match roller.next() {
            Some(next) => *v = next,
            None => return false,
        }
    }
    let states = BlockHeader::from_bytes(w.header).midstates(&versions);
    for (i, (v, m)) in versions.iter().zip(states.iter()).enumerate() {
        // SAFETY: the C contract: `versions_out` has room for `count` (= N) values and
        // `midstates_out` for `count` × 32 bytes; i < N.
        unsafe {
            versions_out.add(i).write(*v);
            std::ptr::copy_nonoverlapping(m.to_le_bytes().as_ptr(), midstates_out.add(32 * i), 32);
        }
    }
    true
}

/// `count` versions reachable by rolling `version_mask` (the job's own version first) and the
/// midstate of each, for AsicBoost-style drivers that load several midstates per job.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `count` is not 1, 2, 4 or
/// 8; `SV2_ERR_ROLLING_NOT_ALLOWED` if the mask allows fewer versions (e.g. `count` > 1 on a
/// work with `version_mask` 0).
/// In: `work`, `count`. Out: `versions_out`: `count` versions. `midstates_out`: `count` × 32
/// bytes, laid out as `sv2_work_midstate()`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_rolled_midstates(
    work: *const sv2_work,
    count: usize,
    versions_out: *mut u32,
    midstates_out: *mut u8,
) -> sv2_result {
    boundary(|| {
        let w = work_ref(work)?;
        let versions_out = out_ptr(versions_out, "versions_out")?;
        let midstates_out = out_ptr(midstates_out, "midstates_out")?;
        let done = match count {
            1 => rolled::<1>(w, versions_out, midstates_out),
            2 => rolled::<2>(w, versions_out, midstates_out),
            4 => rolled::<4>(w, versions_out, midstates_out),
            8 => rolled::<8>(w, versions_out, midstates_out),
            _ => {
                return Err(Error::new(
                    SV2_ERR_INVALID_ARG,
                    format!("count {count}: 1, 2, 4 or 8 midstates"),
                ))
            }
        };
        if !done {
            return Err(Error::new(
                SV2_ERR_ROLLING_NOT_ALLOWED,
                format!(
                    "version mask {:#010x} allows fewer than {count} versions",
                    w.version_mask
                ),
            ));
        }
        Ok(())
    })
}

/// One hashing board's share of a job's version-rolling space (`sv2_version_rolling_split()`):
/// the board hashes the versions `work->version ^ fixed_bits ^ r` for every `r` made of bits of
/// `mask`. In a clone of the work given to the board, set `version ^= fixed_bits` and
/// `version_mask = mask`: `sv2_work_rolled_midstates()` then gives that board's versions only.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_version_rolling_part {
    /// The version bits the board rolls itself (a subset of the job's BIP320 mask).
    pub mask: u32,
    /// The bits to XOR into the job's version for this board; distinct for every board.
    pub fixed_bits: u32,
}

/// Splits a job's version-rolling space (`work->version_mask`) between `board_count` hashing
/// boards of one standard channel so that no two boards ever hash the same version: the highest
/// ⌈log2 board_count⌉ BIP320 bits of the mask carry the board index, the others stay rollable
/// by every board. Each board gets 1/2^⌈log2 board_count⌉ of the versions (with 3 boards a
/// quarter each; every version is a whole nonce range, so the unused quarter costs nothing).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `board_count` is 0 or
/// `board_index >= board_count`; `SV2_ERR_ROLLING_NOT_ALLOWED` if the mask has too few BIP320
/// bits for that many boards (mask 0, the pool forbidding rolling, allows one board only).
/// In: `mask`: the work's `version_mask` (bits outside BIP320 `0x1fffe000` are ignored).
/// `board_index`: 0 .. `board_count` - 1. Out: `part_out`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_version_rolling_split(
    mask: u32,
    board_index: u32,
    board_count: u32,
    part_out: *mut sv2_version_rolling_part,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(part_out, "part_out")?;
        let part =
            crate::mining::split_version_rolling(mask, board_index, board_count).map_err(|e| {
                match e {
                    crate::mining::MathError::VersionSpaceTooSmall { .. } => {
                        Error::new(SV2_ERR_ROLLING_NOT_ALLOWED, e.to_string())
                    }
                    _ => Error::from(e),
                }
            })?;
        write_out(
            out,
            sv2_version_rolling_part {
                mask: part.mask,
                fixed_bits: part.fixed_bits,
            },
        );
        Ok(())
    })
}

/// Extended work: switches the header template to `extranonce` (recomputes the merkle root
/// from the coinbase pieces: one coinbase txid and one SHA256d per merkle level). The new
/// `header` and `extranonce` fields are written into `work`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a work without its library-private part);
/// `SV2_ERR_NOT_EXTENDED` for standard-channel work; `SV2_ERR_EXTRANONCE_LENGTH` if `len` is
/// not `extranonce_size` (the work is unchanged on error).
/// Args: `work`: a clone from `sv2_work_clone()` (the event's work is read-only), or a
/// by-value copy whose original is still valid. In: `extranonce`/`len`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_set_extranonce(
    work: *mut sv2_work,
    extranonce: *const u8,
    len: usize,
) -> sv2_result {
    boundary(|| {
        let w = work_mut(work)?;
        let en = in_slice(extranonce, len, "extranonce")?;
        // SAFETY: `internal` is NULL or points to the library-private part of a live work
        // (the C contract above).
        let internal = unsafe { w.internal.as_ref() }
            .ok_or_else(|| Error::null("work->internal (not a work made by libsv2)"))?;
        let root = internal.work.merkle_root_for(en)?;
        let mut header = BlockHeader::from_bytes(w.header);
        header.set_merkle_root(root);
        w.header = *header.as_bytes();
        w.extranonce = [0; 32];
        w.extranonce[..en.len()].copy_from_slice(en);
        Ok(())
    })
}

/// Copies a work into caller-owned memory (valid until `sv2_work_free()`), e.g. to keep
/// hashing it after the next miner call or to hand it to another thread.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a work without its library-private part).
/// In: `work`. Out: `clone_out`: the copy (its `internal` is its own).
/// Allocates: yes (the work; the coinbase pieces of extended work are shared, not copied).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_work_clone(
    work: *const sv2_work,
    clone_out: *mut *mut sv2_work,
) -> sv2_result {
    boundary(|| {
        let w = work_ref(work)?;
        let out = out_ptr(clone_out, "clone_out")?;
        // SAFETY: as in `sv2_work_set_extranonce`.
        let internal = unsafe { w.internal.as_ref() }
            .ok_or_else(|| Error::null("work->internal (not a work made by libsv2)"))?;
        let mut holder = WorkHolder::new(internal.work.clone(), true);
        // The caller may have changed the extranonce of its copy: keep its public part.
        let own_internal = holder.view.internal;
        holder.view = *w;
        holder.view.internal = own_internal;
        let raw = Box::into_raw(holder);
        // SAFETY: `raw` is a live WorkHolder; its first field is the view (repr(C)).
        let view = unsafe { std::ptr::addr_of_mut!((*raw).view) };
        write_out(out, view);
        Ok(())
    })
}

/// Frees a work made by `sv2_work_clone()`. NULL is a no-op, and so is a miner-owned work
/// (an event's) or a by-value copy (even one whose original is gone: it is recognised without
/// reading through its `internal` pointer).
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_work_free(work: *mut sv2_work) {
    let _ = boundary(|| {
        let Ok(w) = work_ref(work) else {
            return Ok(());
        };
        // Only a work that sits in its own holder (a clone, or an event's work) has its
        // `internal` right after it. A by-value copy points into another holder, which may be
        // gone already: decide from addresses alone, without reading through the pointer.
        let own_internal = work
            .cast_const()
            .cast::<u8>()
            .wrapping_add(std::mem::offset_of!(WorkHolder, internal));
        if w.internal.cast::<u8>() != own_internal {
            return Ok(());
        }
        // SAFETY: as above; `internal` is this holder's own part.
        let Some(internal) = (unsafe { w.internal.as_ref() }) else {
            return Ok(());
        };
        if internal.clone_of == work.cast_const() {
            // SAFETY: a clone: `work` is the first field of a WorkHolder from Box::into_raw
            // (repr(C)), freed once by the C contract.
            drop(unsafe { Box::from_raw(work.cast::<WorkHolder>()) });
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Targets, difficulty, hash rate

/// The difficulty of a target (difficulty 1 = `0x00000000ffff0000…`); targets easier than
/// difficulty 1 (regtest) give values below 1.
///
/// Returns: the difficulty; `INFINITY` for target 0; 0 if `target` is NULL.
/// In: `target`: 32 bytes, little-endian.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_target_to_difficulty(target: *const u8) -> f64 {
    boundary_value(0.0, || {
        in_array::<32>(target, "target").map_or(0.0, |t| tmath::target_to_difficulty(U256(t)))
    })
}

/// The target of a difficulty (clamped to 1 ..= 2^256 − 1).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for 0, negative, NaN or
/// infinite difficulty.
/// Out: `target_out`: 32 bytes, little-endian.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_target_from_difficulty(difficulty: f64, target_out: *mut u8) -> sv2_result {
    boundary(|| {
        let out = out_ptr(target_out, "target_out")?;
        write_array(out, &tmath::difficulty_to_target(difficulty)?.0);
        Ok(())
    })
}

/// The target of compact nBits (as in a block header).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for negative or overflowing
/// nBits.
/// Out: `target_out`: 32 bytes, little-endian.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_target_from_nbits(nbits: u32, target_out: *mut u8) -> sv2_result {
    boundary(|| {
        let out = out_ptr(target_out, "target_out")?;
        write_array(out, &tmath::nbits_to_target(nbits)?.0);
        Ok(())
    })
}

/// The target at which `hashrate` hashes per second yield `shares_per_second` shares on
/// average (a hash rate of 0 gives the easiest target).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
/// infinite hash rate or a share rate that is not finite and > 0.
/// Out: `target_out`: 32 bytes, little-endian.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_target_from_share_rate(
    hashrate: f64,
    shares_per_second: f64,
    target_out: *mut u8,
) -> sv2_result {
    boundary(|| {
        let out = out_ptr(target_out, "target_out")?;
        write_array(
            out,
            &tmath::target_for_share_rate(hashrate, shares_per_second)?.0,
        );
        Ok(())
    })
}

/// Expected shares per second from `hashrate` hashes per second on `target`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
/// infinite hash rate.
/// In: `target`: 32 bytes. Out: `shares_per_second_out`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_target_share_rate(
    target: *const u8,
    hashrate: f64,
    shares_per_second_out: *mut f64,
) -> sv2_result {
    boundary(|| {
        let t = in_array::<32>(target, "target")?;
        let out = out_ptr(shares_per_second_out, "shares_per_second_out")?;
        write_out(out, tmath::expected_share_rate(hashrate, U256(t))?);
        Ok(())
    })
}

/// The hash rate implied by observing `shares_per_second` shares on `target`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for a negative, NaN or
/// infinite share rate.
/// In: `target`: 32 bytes. Out: `hashrate_out`: hashes per second.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_target_hashrate(
    target: *const u8,
    shares_per_second: f64,
    hashrate_out: *mut f64,
) -> sv2_result {
    boundary(|| {
        let t = in_array::<32>(target, "target")?;
        let out = out_ptr(hashrate_out, "hashrate_out")?;
        write_out(
            out,
            tmath::hashrate_from_share_rate(shares_per_second, U256(t))?,
        );
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Miner configuration

/// Configuration of a miner: the pool (URL or key), the device, the SetupConnection flags and
/// the channels to open after every (re)connection. Made by `sv2_miner_config_new()`, freed by
/// `sv2_miner_config_free()`; a miner copies it, so it may be freed once the miner exists.
#[derive(Debug)]
pub struct sv2_miner_config {
    state: HandleState,
    session: ClientConfig,
    security: ClientSecurityChoice,
    noise_options: InitiatorOptions,
    rng_seed: Option<[u8; 32]>,
    client: MiningClientConfig,
    channels: Vec<ChannelRequest>,
}

impl Handle for sv2_miner_config {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a miner configuration: vendor `"libsv2"`, no flags, the spec dialect, default
/// timeouts (10 s handshake, 10 s setup), no channel and no pool yet: call
/// `sv2_miner_config_set_pool_url()` (or `_set_authority_key()` / `_set_plaintext()`) and add
/// at least one channel before `sv2_miner_new()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Out: `config_out`: to free with `sv2_miner_config_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_new(config_out: *mut *mut sv2_miner_config) -> sv2_result {
    boundary(|| {
        let out = out_ptr(config_out, "config_out")?;
        new_handle(
            sv2_miner_config {
                state: HandleState::default(),
                session: ClientConfig::new(
                    ClientSecurity::Plaintext,
                    Protocol::Mining,
                    0,
                    "libsv2",
                ),
                security: ClientSecurityChoice::Unset,
                noise_options: InitiatorOptions::default(),
                rng_seed: None,
                client: MiningClientConfig::default(),
                channels: Vec::new(),
            },
            out,
        );
        Ok(())
    })
}

/// Frees a miner configuration. NULL is a no-op. Miners made from it are not affected.
#[no_mangle]
pub extern "C" fn sv2_miner_config_free(config: *mut sv2_miner_config) {
    free_handle(config)
}

/// The text of the last error a `sv2_miner_config_*` call returned.
///
/// Returns: a NUL-terminated string owned by the config (`""` if none), valid until the next
/// mutating call on this config; a fixed text if `config` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_miner_config_last_error(config: *const sv2_miner_config) -> *const c_char {
    last_error_of(config)
}

/// Sets the pool from its URL: `stratum2+tcp://HOST:PORT/<authority key>` (Noise, the server
/// must prove that authority) or `stratum2+tcp+plain://HOST:PORT` (plaintext, local networks
/// only). Host and port go into SetupConnection; the caller connects the socket itself
/// (`sv2_pool_url_parse()` gives host and port).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_URL_*` (nothing is changed then).
/// In: `url`: NUL-terminated.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_pool_url(
    config: *mut sv2_miner_config,
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
            // Refused by `require_2022` above (issue 20: the C miner speaks 2022 only so far).
            Security::Spec2025 { .. } => {
                return Err(Error::new(SV2_ERR_URL_KEY, "spec-2025 pool URL"))
            }
        };
        c.session.setup.endpoint_host = Str0255::from_bytes(host.into_bytes());
        c.session.setup.endpoint_port = parsed.port;
        Ok(())
    })
}

/// Uses Noise, trusting only servers certified by `authority_key` (replaces the URL's key).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_KEY_INVALID`.
/// In: `authority_key`: 32 bytes.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_authority_key(
    config: *mut sv2_miner_config,
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
pub extern "C" fn sv2_miner_config_set_plaintext(config: *mut sv2_miner_config) -> sv2_result {
    with_mut(config, |c| {
        c.security = ClientSecurityChoice::Plaintext;
        Ok(())
    })
}

/// Sets the device description sent in SetupConnection.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` if a
/// string is longer than 255 bytes (nothing is changed then).
/// In: NUL-terminated strings, each NULL for empty; copied.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_device(
    config: *mut sv2_miner_config,
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
        let setup = &mut c.session.setup;
        setup.vendor = vendor;
        setup.hardware_version = hardware_version;
        setup.firmware = firmware;
        setup.device_id = device_id;
        Ok(())
    })
}

/// Sets the Mining SetupConnection flags in the spec's bit layout (`SV2_MINING_REQUIRES_*`);
/// the miner translates them for the dialect on the wire.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_flags(
    config: *mut sv2_miner_config,
    flags: u32,
) -> sv2_result {
    with_mut(config, |c| {
        c.session.setup.flags = flags;
        Ok(())
    })
}

/// Sets the pool's wire dialect (`SV2_DIALECT_*`). The dialect also selects the Noise
/// negotiation (`SV2_DIALECT_BRAIINS_2021`: "STR2", the others "STR3") unless
/// `sv2_miner_config_set_noise_profile()` overrides it.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_dialect(
    config: *mut sv2_miner_config,
    dialect: sv2_dialect,
) -> sv2_result {
    with_mut(config, |c| {
        c.session.dialect = dialect_of(dialect)?;
        Ok(())
    })
}

/// Overrides the Noise negotiation the dialect selects: `"sri-2023"` (STR3) or
/// `"braiins-2021"` (STR2), case-insensitive; NULL (the default) follows the dialect set with
/// `sv2_miner_config_set_dialect()`. Rust `InitiatorConfig::profile`, Python `noise_profile`, Node
/// `noiseProfile`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL; `SV2_ERR_INVALID_ARG` for an
/// unknown name (nothing is changed then).
/// In: `profile`: NUL-terminated, or NULL.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_noise_profile(
    config: *mut sv2_miner_config,
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
pub extern "C" fn sv2_miner_config_set_ciphers(
    config: *mut sv2_miner_config,
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
pub extern "C" fn sv2_miner_config_set_negotiation(
    config: *mut sv2_miner_config,
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
pub extern "C" fn sv2_miner_config_set_versions(
    config: *mut sv2_miner_config,
    min_version: u16,
    max_version: u16,
) -> sv2_result {
    with_mut(config, |c| {
        noise_options::versions_arg(min_version, max_version)?;
        c.session.setup.min_version = min_version;
        c.session.setup.max_version = max_version;
        Ok(())
    })
}

/// Turns the wire tap on for the miner's connections made from this config (default off): every SV2 frame sent
/// or received (decrypted) is kept as a JSON line for `sv2_miner_next_trace()`. Off, it costs
/// nothing. Rust `ClientConfig::trace`, Python `trace=` (a callable), Node `trace: true` and `setTrace(hook)`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_trace(
    config: *mut sv2_miner_config,
    enabled: bool,
) -> sv2_result {
    with_mut(config, |c| {
        c.session.trace = enabled;
        Ok(())
    })
}

/// Sets the timeouts in milliseconds (0 disables one), as `sv2_client_config_set_timeouts()`.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_timeouts(
    config: *mut sv2_miner_config,
    handshake_ms: u64,
    setup_ms: u64,
    idle_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        set_timeouts(&mut c.session.timeouts, handshake_ms, setup_ms, idle_ms);
        Ok(())
    })
}

/// How long a channel open may go unanswered (default 30000 ms; 0 waits forever). Then the
/// open fails with an `SV2_MINER_EVENT_CHANNEL_OPEN_FAILED` whose text names the request id,
/// the channel kind and the user ("no answer to OpenExtendedMiningChannel request 1 (user
/// 'bob') within 30000 ms") and whose `extended` tells the kind. Some servers never answer an
/// open they do not support (braiins' 2021 proxy ignores OpenExtendedMiningChannel).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_open_channel_timeout(
    config: *mut sv2_miner_config,
    timeout_ms: u64,
) -> sv2_result {
    with_mut(config, |c| {
        c.client.open_channel_timeout_ms = timeout_ms;
        Ok(())
    })
}

/// Seeds the Noise ephemeral keys instead of the OS random source (tests only; see
/// `sv2_client_config_set_rng_seed()`).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` if `config` is NULL.
/// In: `seed`: 32 bytes, or NULL for the OS random source.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_set_rng_seed(
    config: *mut sv2_miner_config,
    seed: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        c.rng_seed = seed_arg(seed)?;
        Ok(())
    })
}

fn channel_args(
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
) -> Result<(String, U256), Error> {
    let user = str_arg(user_identity)?;
    if user.len() > 255 {
        return Err(Error::new(
            SV2_ERR_INVALID_ARG,
            format!("user_identity: {} bytes where at most 255 fit", user.len()),
        ));
    }
    if !(nominal_hash_rate.is_finite() && nominal_hash_rate >= 0.0) {
        return Err(Error::new(
            SV2_ERR_INVALID_ARG,
            "nominal_hash_rate must be finite and >= 0",
        ));
    }
    let max_target = if max_target.is_null() {
        U256::MAX
    } else {
        U256(in_array::<32>(max_target, "max_target")?)
    };
    Ok((user.to_owned(), max_target))
}

fn standard_request(
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
) -> Result<ChannelRequest, Error> {
    let (user_identity, max_target) = channel_args(user_identity, nominal_hash_rate, max_target)?;
    Ok(ChannelRequest::Standard {
        user_identity,
        nominal_hash_rate,
        max_target,
    })
}

fn extended_request(
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
    min_extranonce_size: u16,
) -> Result<ChannelRequest, Error> {
    let (user_identity, max_target) = channel_args(user_identity, nominal_hash_rate, max_target)?;
    if usize::from(min_extranonce_size) > MAX_EXTRANONCE_SIZE {
        return Err(Error::new(
            SV2_ERR_INVALID_ARG,
            format!("min_extranonce_size {min_extranonce_size} exceeds 32"),
        ));
    }
    Ok(ChannelRequest::Extended {
        user_identity,
        nominal_hash_rate,
        max_target,
        min_extranonce_size,
    })
}

/// Adds a standard (header-only) channel, opened after every successful setup.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` (identity over 255 bytes or
/// not UTF-8, hash rate negative or not finite).
/// In: `user_identity`: NUL-terminated (e.g. `"account.worker1"`), copied.
/// `nominal_hash_rate`: hashes per second the device expects to do (the pool's first target
/// follows from it). `max_target`: 32 bytes, the easiest target the device accepts, or NULL
/// for any.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_add_standard_channel(
    config: *mut sv2_miner_config,
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
) -> sv2_result {
    with_mut(config, |c| {
        let request = standard_request(user_identity, nominal_hash_rate, max_target)?;
        c.channels.push(request);
        Ok(())
    })
}

/// Adds an extended channel (the device rolls an extranonce), opened after every successful
/// setup.
///
/// Returns: as `sv2_miner_config_add_standard_channel()`; also `SV2_ERR_INVALID_ARG` for a
/// `min_extranonce_size` above 32.
/// In: as `sv2_miner_config_add_standard_channel()`, and `min_extranonce_size`: the smallest
/// extranonce the device needs.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_config_add_extended_channel(
    config: *mut sv2_miner_config,
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
    min_extranonce_size: u16,
) -> sv2_result {
    with_mut(config, |c| {
        let request = extended_request(
            user_identity,
            nominal_hash_rate,
            max_target,
            min_extranonce_size,
        )?;
        c.channels.push(request);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Miner events

/// No event: the miner is idle (`sv2_miner_event.type`).
pub const SV2_MINER_EVENT_NONE: u32 = 0;
/// The Noise handshake completed (`cipher`).
pub const SV2_MINER_EVENT_HANDSHAKE_COMPLETE: u32 = 1;
/// SetupConnection succeeded (`success_flags`); the configured channels are being opened.
pub const SV2_MINER_EVENT_SETUP_COMPLETE: u32 = 2;
/// A channel opened (`request_id`, `channel_id`, `extended`, `target`, `extranonce_prefix`,
/// `extranonce_size`, `has_group_channel_id`/`group_channel_id`).
pub const SV2_MINER_EVENT_CHANNEL_OPENED: u32 = 3;
/// A channel could not be opened. Four cases: refused by the server (`request_id`, `error`
/// 0, `text`: the server's error code); the server's grant refused by the miner (`request_id`,
/// `error` 0, `text` "invalid grant: …", e.g. an extranonce size above 32); the connection
/// ended before an answer (`request_id`, `error` 0, `text` "connection closed"; after the
/// CLOSED event, and the channel is asked for again after `sv2_miner_reconnect()`); refused
/// locally before sending, for a configured channel at setup (`request_id` 0, `error`: the
/// code, e.g. `SV2_ERR_EXTENDED_CHANNELS_REQUIRED`; `text`: why); no answer within the
/// open-channel timeout (`request_id`, `extended`, `error` `SV2_ERR_TIMEOUT_OPEN_CHANNEL`,
/// `text` naming request, kind and user; see `sv2_miner_config_set_open_channel_timeout()`).
pub const SV2_MINER_EVENT_CHANNEL_OPEN_FAILED: u32 = 4;
/// A job became active: hash `work` (`channel_id`, `job_id`). If `work->clean`, abandon all
/// earlier work of the channel.
pub const SV2_MINER_EVENT_NEW_WORK: u32 = 5;
/// Every job of `channel_id` is stale: stop hashing it and wait for NEW_WORK.
pub const SV2_MINER_EVENT_WORK_INVALIDATED: u32 = 6;
/// The pool changed `channel_id`'s `target`; `active_work_updated` tells whether the current
/// work takes it (otherwise it applies from the next work).
pub const SV2_MINER_EVENT_TARGET_CHANGED: u32 = 7;
/// A share was accepted (`channel_id`, `sequence_number`, `job_id`, `latency_ms`).
pub const SV2_MINER_EVENT_SHARE_ACCEPTED: u32 = 8;
/// A share was rejected (`channel_id`, `sequence_number`, `job_id`, `latency_ms`; `text`: the
/// pool's error code, e.g. `stale-share`).
pub const SV2_MINER_EVENT_SHARE_REJECTED: u32 = 9;
/// One SubmitShares.Success after its SHARE_ACCEPTED events (`channel_id`,
/// `sequence_number`: its last sequence number, `accepted_count`, `shares_sum`).
pub const SV2_MINER_EVENT_SHARES_ACKNOWLEDGED: u32 = 10;
/// A pending share was given up without an answer (`channel_id`, `sequence_number`, `job_id`).
pub const SV2_MINER_EVENT_SHARE_EXPIRED: u32 = 11;
/// A channel is gone (`channel_id`, `pending_dropped`; `text`: the server's reason code, empty
/// when the connection closed).
pub const SV2_MINER_EVENT_CHANNEL_CLOSED: u32 = 12;
/// New extranonce prefix for the channel's next jobs (`channel_id`, `extranonce_prefix`,
/// `extranonce_size`).
pub const SV2_MINER_EVENT_EXTRANONCE_PREFIX_CHANGED: u32 = 13;
/// A standard channel moved into a group (`channel_id`, `group_channel_id`).
pub const SV2_MINER_EVENT_GROUP_CHANGED: u32 = 14;
/// UpdateChannel.Error (`channel_id`, `text`: the error code).
pub const SV2_MINER_EVENT_UPDATE_CHANNEL_FAILED: u32 = 15;
/// The pool asks to move (`host`: empty for the current host, `port`: 0 for the current
/// port): connect a new socket there, then call `sv2_miner_reconnect()`.
pub const SV2_MINER_EVENT_RECONNECT: u32 = 16;
/// ChannelEndpointChanged (`channel_id`): reset extension state for the channel.
pub const SV2_MINER_EVENT_ENDPOINT_CHANGED: u32 = 17;
/// The pool broke a rule; the message was ignored or clamped (`text`: what; not fatal).
pub const SV2_MINER_EVENT_PROTOCOL_ERROR: u32 = 18;
/// The connection ended (`close_reason`: `SV2_CLOSE_*`, `error`; `text` and
/// `sv2_miner_last_error()`: why). Send what `sv2_miner_data_to_send()` still holds, close the
/// socket; to go on, connect again and call `sv2_miner_reconnect()`.
pub const SV2_MINER_EVENT_CLOSED: u32 = 19;
/// An event of a newer library version this header does not describe; ignore it.
pub const SV2_MINER_EVENT_OTHER: u32 = 20;

/// One event of a miner, filled by `sv2_miner_next_event()` into caller storage. Fields not
/// listed for the event's `type` are zero (pointers NULL). Pointers borrow from the miner and
/// are valid until the next mutating call on this miner; nothing needs freeing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_miner_event {
    /// `SV2_MINER_EVENT_*`.
    pub r#type: u32,
    /// The channel the event is about.
    pub channel_id: u32,
    /// CHANNEL_OPENED, CHANNEL_OPEN_FAILED: the id `sv2_miner_open_*_channel()` returned
    /// (channels from the config get 1, 2, … in order on each connection).
    pub request_id: u32,
    /// NEW_WORK, SHARE_*: the job.
    pub job_id: u32,
    /// SHARE_*: the share's sequence number (from its `sv2_share_receipt`);
    /// SHARES_ACKNOWLEDGED: the last one acknowledged.
    pub sequence_number: u32,
    /// SHARE_ACCEPTED, SHARE_REJECTED: milliseconds from the submit to the answer.
    pub latency_ms: u64,
    /// CHANNEL_OPENED, CHANNEL_OPEN_FAILED (timed out): true for an extended channel.
    pub extended: bool,
    /// CHANNEL_OPENED, TARGET_CHANGED: the target (32 bytes, little-endian).
    pub target: [u8; 32],
    /// TARGET_CHANGED: whether the current work already uses the new target.
    pub active_work_updated: bool,
    /// CHANNEL_OPENED, EXTRANONCE_PREFIX_CHANGED: the extranonce prefix.
    pub extranonce_prefix: sv2_bytes,
    /// CHANNEL_OPENED, EXTRANONCE_PREFIX_CHANGED: bytes of extranonce the miner supplies.
    pub extranonce_size: u16,
    /// CHANNEL_OPENED, GROUP_CHANGED: whether the standard channel is in a group.
    pub has_group_channel_id: bool,
    /// CHANNEL_OPENED, GROUP_CHANGED: the group.
    pub group_channel_id: u32,
    /// NEW_WORK: the work, owned by the miner (read-only; `sv2_work_clone()` to keep it).
    pub work: *const sv2_work,
    /// Text per event type (not NUL-terminated): server error codes, reasons, descriptions.
    pub text: sv2_bytes,
    /// RECONNECT: the new host (not NUL-terminated; empty: the current host).
    pub host: sv2_bytes,
    /// RECONNECT: the new port (0: the current port).
    pub port: u16,
    /// HANDSHAKE_COMPLETE: `SV2_CIPHER_*`.
    pub cipher: u32,
    /// SETUP_COMPLETE: the SetupConnection.Success flags (`SV2_MINING_SUCCESS_*`).
    pub success_flags: u32,
    /// SHARES_ACKNOWLEDGED: `new_submits_accepted_count`.
    pub accepted_count: u32,
    /// SHARES_ACKNOWLEDGED: `new_shares_sum`.
    pub shares_sum: u64,
    /// CHANNEL_CLOSED: shares that were still awaiting an answer.
    pub pending_dropped: u32,
    /// CLOSED: `SV2_CLOSE_*`.
    pub close_reason: u32,
    /// CLOSED with `SV2_CLOSE_ERROR`, CHANNEL_OPEN_FAILED refused locally or timed out: the
    /// error code.
    pub error: sv2_result,
}

impl sv2_miner_event {
    fn empty() -> Self {
        let none = sv2_bytes {
            ptr: std::ptr::null(),
            len: 0,
        };
        sv2_miner_event {
            r#type: SV2_MINER_EVENT_NONE,
            channel_id: 0,
            request_id: 0,
            job_id: 0,
            sequence_number: 0,
            latency_ms: 0,
            extended: false,
            target: [0; 32],
            active_work_updated: false,
            extranonce_prefix: none,
            extranonce_size: 0,
            has_group_channel_id: false,
            group_channel_id: 0,
            work: std::ptr::null(),
            text: none,
            host: none,
            port: 0,
            cipher: 0,
            success_flags: 0,
            accepted_count: 0,
            shares_sum: 0,
            pending_dropped: 0,
            close_reason: 0,
            error: SV2_OK,
        }
    }
}

/// A share that passed the local checks and was queued for the pool.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_share_receipt {
    /// The channel.
    pub channel_id: u32,
    /// The sequence number the miner assigned; its SHARE_ACCEPTED / SHARE_REJECTED event
    /// carries the same number.
    pub sequence_number: u32,
    /// The job.
    pub job_id: u32,
    /// The header hash (internal byte order).
    pub hash: [u8; 32],
    /// True if the hash also meets the network target (a block; the pool propagates it).
    pub is_block: bool,
}

// ---------------------------------------------------------------------------------------------
// Miner

/// A mining device's connection to its pool: the sans-I/O session (Noise, SetupConnection)
/// and the mining client (channels, jobs, shares) in one handle. It opens no socket, reads no
/// clock and starts no threads.
///
/// Loop: write what `sv2_miner_data_to_send()` gives to the socket; wait for the socket or
/// `sv2_miner_poll_timeout()`; feed bytes with `sv2_miner_receive_data()` (or call
/// `sv2_miner_handle_timeout()`); drain `sv2_miner_next_event()` until
/// `SV2_MINER_EVENT_NONE`; submit shares with `sv2_miner_submit_*()`. One thread owns the
/// miner; hashing threads work on `sv2_work_clone()` copies.
#[derive(Debug)]
pub struct sv2_miner {
    state: HandleState,
    miner: Miner,
    /// Storage the current event points into.
    work: Option<Box<WorkHolder>>,
    text: Vec<u8>,
    host: Vec<u8>,
    prefix: Vec<u8>,
    pending_trace: Option<String>,
}

impl Handle for sv2_miner {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Makes a miner and starts its first connection: the Noise handshake (or, in plaintext, the
/// SetupConnection) is ready in `sv2_miner_data_to_send()` once the socket is connected.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_CONFIG` if no
/// pool security was chosen or no channel was added; `SV2_ERR_RNG`.
/// In: `config`: copied. `now_unix_s`: wall-clock unix seconds, to check the server
/// certificate's validity on this first connection (each `sv2_miner_reconnect()` passes its
/// own time). `now_ms`: the caller's monotonic clock.
/// Out: `miner_out`: to free with `sv2_miner_free()`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_new(
    config: *const sv2_miner_config,
    now_unix_s: u64,
    now_ms: u64,
    miner_out: *mut *mut sv2_miner,
) -> sv2_result {
    with_ref(config, |c| {
        let out = out_ptr(miner_out, "miner_out")?;
        if c.channels.is_empty() {
            return Err(Error::new(
                SV2_ERR_INVALID_CONFIG,
                "add a channel (sv2_miner_config_add_*_channel) first",
            ));
        }
        let mut session = c.session.clone();
        session.security = match c.security {
            ClientSecurityChoice::Unset => {
                return Err(Error::new(
                    SV2_ERR_INVALID_CONFIG,
                    "choose the pool (set_pool_url, set_authority_key or set_plaintext) first",
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
        let miner = Miner::new(
            MinerConfig {
                session,
                client: c.client.clone(),
                channels: c.channels.clone(),
            },
            now_ms,
        )?;
        new_handle(
            sv2_miner {
                state: HandleState::default(),
                miner,
                work: None,
                text: Vec::new(),
                host: Vec::new(),
                prefix: Vec::new(),
                pending_trace: None,
            },
            out,
        );
        Ok(())
    })
}

/// Frees a miner and everything it owns (the current event's work included; clones made with
/// `sv2_work_clone()` stay valid). NULL is a no-op.
#[no_mangle]
pub extern "C" fn sv2_miner_free(miner: *mut sv2_miner) {
    free_handle(miner)
}

/// A readable description of the last error on this miner: the last error a call returned, or
/// why the connection closed.
///
/// Returns: a NUL-terminated string owned by the miner (`""` if none), valid until the next
/// mutating call on this miner; a fixed text if `miner` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_miner_last_error(miner: *const sv2_miner) -> *const c_char {
    last_error_of(miner)
}

/// Feeds bytes received from the socket.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` if `len` exceeds
/// `PTRDIFF_MAX` (a negative `ssize_t` from `recv()` stored in a `size_t`); `SV2_ERR_POISONED`;
/// `SV2_ERR_CLOSED` if the connection already ended; `SV2_ERR_INPUT_BUFFER_FULL` (nothing
/// consumed: drain events and retry; a single call larger than the input limit, about 1.1 MiB
/// by default, never fits: feed at most what one `recv()` of a few KiB gives). Another code
/// means the bytes broke the protocol and the connection closed: drain
/// `sv2_miner_next_event()` for `SV2_MINER_EVENT_CLOSED`. `SV2_OK` does not promise the bytes
/// were all valid: frames are decoded as events are drained, so a bad frame after good ones
/// in the same call shows up as a `SV2_MINER_EVENT_CLOSED` (with its code) after their events.
/// In: `data`/`len`: copied. `now_ms`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_receive_data(
    miner: *mut sv2_miner,
    data: *const u8,
    len: usize,
    now_ms: u64,
) -> sv2_result {
    with_mut(miner, |m| {
        let bytes = in_slice(data, len, "data")?;
        m.miner.receive_data(bytes, now_ms)?;
        Ok(())
    })
}

/// Copies up to `cap` pending bytes (for the socket) into `buf`; call until `*n_out` is 0.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG` (also for a NULL `buf` with `cap` > 0);
/// `SV2_ERR_POISONED`.
/// Out: `buf`/`cap`, `n_out`: bytes copied.
/// Allocates: possibly.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_data_to_send(
    miner: *mut sv2_miner,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
) -> sv2_result {
    with_mut(miner, |m| {
        let n_out = out_ptr(n_out, "n_out")?;
        if cap == 0 {
            write_out(n_out, 0);
            return Ok(());
        }
        let slice = out_slice(buf, cap, "buf")?;
        write_out(n_out, m.miner.data_to_send(slice));
        Ok(())
    })
}

/// Copies the oldest traced frame of the miner's connection (see
/// `sv2_miner_config_set_trace()`) into `buf` as a NUL-terminated JSON line, as
/// `sv2_session_next_trace()` does. A reconnection starts a new connection; lines not taken
/// before it are gone.
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
pub extern "C" fn sv2_miner_next_trace(
    miner: *mut sv2_miner,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> sv2_result {
    with_mut(miner, |m| {
        let miner = &mut m.miner;
        super::session::next_trace_out(
            &mut m.pending_trace,
            || miner.next_trace_json(),
            buf,
            cap,
            size_out,
        )
    })
}

/// Whether bytes are waiting in `sv2_miner_data_to_send()`.
///
/// Returns: true if so; false otherwise and for a NULL or poisoned miner.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_miner_wants_write(miner: *const sv2_miner) -> bool {
    read_value(miner, false, |m| m.miner.wants_write())
}

/// Whether the connection is set up (shares may be submitted) and has not ended.
///
/// Returns: true if so; false otherwise and for a NULL or poisoned miner.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_miner_is_ready(miner: *const sv2_miner) -> bool {
    read_value(miner, false, |m| m.miner.session().is_ready())
}

/// When `sv2_miner_handle_timeout()` must next be called.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Out: `deadline_ms_out`: a time on the caller's monotonic clock, or `SV2_NO_TIMEOUT`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_poll_timeout(
    miner: *const sv2_miner,
    deadline_ms_out: *mut u64,
) -> sv2_result {
    with_ref(miner, |m| {
        let out = out_ptr(deadline_ms_out, "deadline_ms_out")?;
        write_out(out, m.miner.poll_timeout().unwrap_or(SV2_NO_TIMEOUT));
        Ok(())
    })
}

/// Fires expired timers (an expired handshake, setup or idle timer closes the connection).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_handle_timeout(miner: *mut sv2_miner, now_ms: u64) -> sv2_result {
    with_mut(miner, |m| {
        m.miner.handle_timeout(now_ms);
        Ok(())
    })
}

/// Tells the miner the socket reached end of file; an `SV2_MINER_EVENT_CLOSED` follows.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`.
/// Allocates: no.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_peer_closed(miner: *mut sv2_miner) -> sv2_result {
    with_mut(miner, |m| {
        m.miner.peer_closed();
        Ok(())
    })
}

/// Sets the host and port announced in SetupConnection on the next connection (call it before
/// `sv2_miner_reconnect()` when a Reconnect moved the miner to another host). `host` is a
/// NUL-terminated string, copied.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` (host not UTF-8 or longer than
/// 255 bytes); `SV2_ERR_POISONED`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_set_endpoint(
    miner: *mut sv2_miner,
    host: *const std::os::raw::c_char,
    port: u16,
) -> sv2_result {
    with_mut(miner, |m| {
        let host = str_arg(host)?;
        if host.len() > 255 {
            return Err(Error::new(
                SV2_ERR_INVALID_ARG,
                "host longer than 255 bytes",
            ));
        }
        m.miner.set_endpoint(host, port);
        Ok(())
    })
}

/// Starts over on a new socket the caller has connected (after `SV2_MINER_EVENT_RECONNECT` or
/// `SV2_MINER_EVENT_CLOSED`): a fresh handshake that must prove the same pool authority, then
/// the configured channels (and those opened since) are opened again. Shares still pending on
/// the old connection are reported lost (CHANNEL_CLOSED with `pending_dropped`). `now_unix_s`
/// (wall-clock seconds) is the time the new server's certificate is checked at.
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_RNG`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_reconnect(
    miner: *mut sv2_miner,
    now_unix_s: u64,
    now_ms: u64,
) -> sv2_result {
    with_mut(miner, |m| {
        m.miner.reconnect(now_ms, now_unix_s)?;
        Ok(())
    })
}

fn bytes_of(v: &[u8]) -> sv2_bytes {
    sv2_bytes {
        ptr: v.as_ptr(),
        len: v.len(),
    }
}

/// The next event, or `SV2_MINER_EVENT_NONE` when idle.
///
/// Returns: `SV2_OK` (also when idle: check `event_out->type`); `SV2_ERR_NULL_ARG`;
/// `SV2_ERR_POISONED`.
/// Out: `event_out`: caller storage. Pointers in it (the work, texts) are valid until the next
/// mutating call on this miner.
/// Allocates: yes (the work of NEW_WORK).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_next_event(
    miner: *mut sv2_miner,
    event_out: *mut sv2_miner_event,
) -> sv2_result {
    with_mut(miner, |m| {
        let out = out_ptr(event_out, "event_out")?;
        m.work = None;
        m.text.clear();
        m.host.clear();
        m.prefix.clear();
        let mut ev = sv2_miner_event::empty();
        let mut closed_text = None;
        match m.miner.next_event() {
            None => {}
            Some(MinerEvent::HandshakeComplete { cipher }) => {
                ev.r#type = SV2_MINER_EVENT_HANDSHAKE_COMPLETE;
                ev.cipher = match cipher {
                    Cipher::ChaChaPoly => SV2_CIPHER_CHACHAPOLY,
                    Cipher::AesGcm => SV2_CIPHER_AESGCM,
                };
            }
            Some(MinerEvent::SetupComplete { success_flags }) => {
                ev.r#type = SV2_MINER_EVENT_SETUP_COMPLETE;
                ev.success_flags = success_flags;
            }
            Some(MinerEvent::ChannelRefused { error, .. }) => {
                ev.r#type = SV2_MINER_EVENT_CHANNEL_OPEN_FAILED;
                let e = Error::from(error);
                ev.error = e.code;
                m.text = e.message.into_bytes();
            }
            Some(MinerEvent::Closed(reason)) => {
                ev.r#type = SV2_MINER_EVENT_CLOSED;
                let text = match reason {
                    CloseReason::SetupRejected { flags, error_code } => {
                        ev.close_reason = SV2_CLOSE_SETUP_REJECTED;
                        format!(
                            "SetupConnection.Error: {} (flags {flags:#x})",
                            String::from_utf8_lossy(error_code.as_bytes())
                        )
                    }
                    CloseReason::PeerClosed => {
                        ev.close_reason = SV2_CLOSE_PEER_CLOSED;
                        "the pool closed the connection".to_owned()
                    }
                    CloseReason::LocalClose => {
                        ev.close_reason = SV2_CLOSE_LOCAL;
                        "closed locally".to_owned()
                    }
                    CloseReason::Error(e) => {
                        ev.close_reason = SV2_CLOSE_ERROR;
                        let e = Error::from(e);
                        ev.error = e.code;
                        e.message
                    }
                };
                closed_text = Some(text.clone());
                m.text = text.into_bytes();
            }
            Some(MinerEvent::Client(event)) => client_event(m, event, &mut ev),
        }
        ev.text = bytes_of(&m.text);
        ev.host = bytes_of(&m.host);
        if ev.r#type == SV2_MINER_EVENT_CHANNEL_OPENED
            || ev.r#type == SV2_MINER_EVENT_EXTRANONCE_PREFIX_CHANGED
        {
            ev.extranonce_prefix = bytes_of(&m.prefix);
        }
        if let Some(text) = closed_text {
            m.state.set_error(&text);
        }
        write_out(out, ev);
        Ok(())
    })
}

fn client_event(m: &mut sv2_miner, event: ClientEvent, ev: &mut sv2_miner_event) {
    match event {
        ClientEvent::ChannelOpened {
            request_id,
            channel_id,
            extended,
            target,
            extranonce_prefix,
            extranonce_size,
            group_channel_id,
        } => {
            ev.r#type = SV2_MINER_EVENT_CHANNEL_OPENED;
            ev.request_id = request_id;
            ev.channel_id = channel_id;
            ev.extended = extended;
            ev.target = target.0;
            m.prefix = extranonce_prefix.as_slice().to_vec();
            ev.extranonce_size = extranonce_size;
            ev.has_group_channel_id = group_channel_id.is_some();
            ev.group_channel_id = group_channel_id.unwrap_or(0);
        }
        ClientEvent::ChannelOpenFailed { request_id, reason } => {
            ev.r#type = SV2_MINER_EVENT_CHANNEL_OPEN_FAILED;
            ev.request_id = request_id;
            m.text = match reason {
                OpenFailure::Server { error_code } => error_code.into_bytes(),
                OpenFailure::InvalidGrant(v) => format!("invalid grant: {v:?}").into_bytes(),
                OpenFailure::ConnectionClosed => b"connection closed".to_vec(),
                OpenFailure::TimedOut { .. } => {
                    ev.extended = matches!(reason, OpenFailure::TimedOut { extended: true, .. });
                    ev.error = SV2_ERR_TIMEOUT_OPEN_CHANNEL;
                    reason.describe(request_id).into_bytes()
                }
            };
        }
        ClientEvent::NewWork(work) => {
            ev.r#type = SV2_MINER_EVENT_NEW_WORK;
            ev.channel_id = work.channel_id;
            ev.job_id = work.job_id;
            let holder = WorkHolder::new(work, false);
            ev.work = &holder.view;
            m.work = Some(holder);
        }
        ClientEvent::WorkInvalidated { channel_id } => {
            ev.r#type = SV2_MINER_EVENT_WORK_INVALIDATED;
            ev.channel_id = channel_id;
        }
        ClientEvent::TargetChanged {
            channel_id,
            target,
            active_work_updated,
        } => {
            ev.r#type = SV2_MINER_EVENT_TARGET_CHANGED;
            ev.channel_id = channel_id;
            ev.target = target.0;
            ev.active_work_updated = active_work_updated;
        }
        ClientEvent::ShareAccepted {
            channel_id,
            sequence_number,
            job_id,
            latency_ms,
        } => {
            ev.r#type = SV2_MINER_EVENT_SHARE_ACCEPTED;
            ev.channel_id = channel_id;
            ev.sequence_number = sequence_number;
            ev.job_id = job_id;
            ev.latency_ms = latency_ms;
        }
        ClientEvent::ShareRejected {
            channel_id,
            sequence_number,
            job_id,
            error_code,
            latency_ms,
        } => {
            ev.r#type = SV2_MINER_EVENT_SHARE_REJECTED;
            ev.channel_id = channel_id;
            ev.sequence_number = sequence_number;
            ev.job_id = job_id;
            ev.latency_ms = latency_ms;
            m.text = error_code.into_bytes();
        }
        ClientEvent::SharesAcknowledged {
            channel_id,
            last_sequence_number,
            new_submits_accepted_count,
            new_shares_sum,
            ..
        } => {
            ev.r#type = SV2_MINER_EVENT_SHARES_ACKNOWLEDGED;
            ev.channel_id = channel_id;
            ev.sequence_number = last_sequence_number;
            ev.accepted_count = new_submits_accepted_count;
            ev.shares_sum = new_shares_sum;
        }
        ClientEvent::ShareExpired {
            channel_id,
            sequence_number,
            job_id,
        } => {
            ev.r#type = SV2_MINER_EVENT_SHARE_EXPIRED;
            ev.channel_id = channel_id;
            ev.sequence_number = sequence_number;
            ev.job_id = job_id;
        }
        ClientEvent::ChannelClosed {
            channel_id,
            reason,
            pending_dropped,
        } => {
            ev.r#type = SV2_MINER_EVENT_CHANNEL_CLOSED;
            ev.channel_id = channel_id;
            ev.pending_dropped = u32::try_from(pending_dropped).unwrap_or(u32::MAX);
            if let ChannelCloseReason::Server { reason_code } = reason {
                m.text = reason_code.into_bytes();
            }
        }
        ClientEvent::ExtranoncePrefixChanged {
            channel_id,
            extranonce_prefix,
            extranonce_size,
        } => {
            ev.r#type = SV2_MINER_EVENT_EXTRANONCE_PREFIX_CHANGED;
            ev.channel_id = channel_id;
            m.prefix = extranonce_prefix.as_slice().to_vec();
            ev.extranonce_size = extranonce_size;
        }
        ClientEvent::GroupChanged {
            channel_id,
            group_channel_id,
        } => {
            ev.r#type = SV2_MINER_EVENT_GROUP_CHANGED;
            ev.channel_id = channel_id;
            ev.has_group_channel_id = true;
            ev.group_channel_id = group_channel_id;
        }
        ClientEvent::UpdateChannelFailed {
            channel_id,
            error_code,
        } => {
            ev.r#type = SV2_MINER_EVENT_UPDATE_CHANNEL_FAILED;
            ev.channel_id = channel_id;
            m.text = error_code.into_bytes();
        }
        ClientEvent::Reconnect { host, port } => {
            ev.r#type = SV2_MINER_EVENT_RECONNECT;
            m.host = host.unwrap_or_default().into_bytes();
            ev.port = port.unwrap_or(0);
        }
        ClientEvent::EndpointChanged { channel_id } => {
            ev.r#type = SV2_MINER_EVENT_ENDPOINT_CHANGED;
            ev.channel_id = channel_id;
        }
        ClientEvent::ProtocolError {
            message,
            channel_id,
            violation,
        } => {
            ev.r#type = SV2_MINER_EVENT_PROTOCOL_ERROR;
            ev.channel_id = channel_id.unwrap_or(0);
            m.text = format!("{}: {violation:?}", message.name()).into_bytes();
        }
        _ => ev.r#type = SV2_MINER_EVENT_OTHER,
    }
}

fn receipt_out(out: *mut sv2_share_receipt, r: crate::mining::client::SubmitReceipt) {
    if !out.is_null() {
        write_out(
            out,
            sv2_share_receipt {
                channel_id: r.channel_id,
                sequence_number: r.sequence_number,
                job_id: r.job_id,
                hash: r.hash.0,
                is_block: r.is_block,
            },
        );
    }
}

fn check_ready(m: &sv2_miner) -> Result<(), Error> {
    if m.miner.session().is_closed() {
        return Err(Error::new(
            SV2_ERR_WRONG_STATE,
            "the connection has closed: reconnect first",
        ));
    }
    if !m.miner.session().is_ready() {
        return Err(Error::new(
            SV2_ERR_WRONG_STATE,
            "the connection is not set up yet",
        ));
    }
    Ok(())
}

/// Submits a share found on standard-channel work. It is checked locally first (job active,
/// version within the mask, nTime window, target, duplicates) and only then queued.
///
/// Returns: `SV2_OK` (the answer comes later as SHARE_ACCEPTED or SHARE_REJECTED with the
/// receipt's sequence number); `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_WRONG_STATE`
/// before setup or after the connection closed; a local refusal: `SV2_ERR_BELOW_TARGET`,
/// `SV2_ERR_STALE_JOB`, `SV2_ERR_DUPLICATE_SHARE`, `SV2_ERR_UNKNOWN_JOB`,
/// `SV2_ERR_FUTURE_JOB`, `SV2_ERR_VERSION_NOT_ALLOWED`, `SV2_ERR_NTIME_OUT_OF_RANGE`,
/// `SV2_ERR_UNKNOWN_CHANNEL`, `SV2_ERR_WRONG_CHANNEL_KIND` (nothing was sent then).
/// In: the work's `channel_id` and `job_id`, the `nonce`, `ntime` and `version` hashed,
/// `now_ms`. Out: `receipt_out`: may be NULL.
/// Allocates: yes.
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sv2_miner_submit_standard(
    miner: *mut sv2_miner,
    channel_id: u32,
    job_id: u32,
    nonce: u32,
    ntime: u32,
    version: u32,
    now_ms: u64,
    receipt: *mut sv2_share_receipt,
) -> sv2_result {
    with_mut(miner, |m| {
        check_ready(m)?;
        let r = m
            .miner
            .submit_standard(channel_id, job_id, nonce, ntime, version, now_ms)?;
        receipt_out(receipt, r);
        Ok(())
    })
}

/// Submits a share found on extended-channel work with `extranonce` (the bytes given to
/// `sv2_work_set_extranonce()`). Checked locally as `sv2_miner_submit_standard()`.
///
/// Returns: as `sv2_miner_submit_standard()`, plus `SV2_ERR_EXTRANONCE_LENGTH`.
/// In: as `sv2_miner_submit_standard()`, and `extranonce`/`len`: `extranonce_size` bytes.
/// Out: `receipt_out`: may be NULL.
/// Allocates: yes.
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sv2_miner_submit_extended(
    miner: *mut sv2_miner,
    channel_id: u32,
    job_id: u32,
    extranonce: *const u8,
    len: usize,
    nonce: u32,
    ntime: u32,
    version: u32,
    now_ms: u64,
    receipt: *mut sv2_share_receipt,
) -> sv2_result {
    with_mut(miner, |m| {
        let en = in_slice(extranonce, len, "extranonce")?;
        check_ready(m)?;
        let r = m
            .miner
            .submit_extended(channel_id, job_id, en, nonce, ntime, version, now_ms)?;
        receipt_out(receipt, r);
        Ok(())
    })
}

/// Opens another standard channel now (and after every reconnect).
///
/// Returns: `SV2_OK`; `SV2_ERR_NULL_ARG`; `SV2_ERR_POISONED`; `SV2_ERR_INVALID_ARG`;
/// `SV2_ERR_TOO_MANY_CHANNELS`; `SV2_ERR_EXTENDED_CHANNELS_REQUIRED`.
/// In: as `sv2_miner_config_add_standard_channel()`. Out: `request_id_out`: the id the
/// CHANNEL_OPENED / CHANNEL_OPEN_FAILED event will carry.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_open_standard_channel(
    miner: *mut sv2_miner,
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
    request_id_out: *mut u32,
) -> sv2_result {
    with_mut(miner, |m| {
        let out = out_ptr(request_id_out, "request_id_out")?;
        let request = standard_request(user_identity, nominal_hash_rate, max_target)?;
        write_out(out, m.miner.open_channel(request)?);
        Ok(())
    })
}

/// Opens another extended channel now (and after every reconnect).
///
/// Returns: as `sv2_miner_open_standard_channel()`.
/// In: as `sv2_miner_config_add_extended_channel()`. Out: `request_id_out`.
/// Allocates: yes.
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_miner_open_extended_channel(
    miner: *mut sv2_miner,
    user_identity: *const c_char,
    nominal_hash_rate: f32,
    max_target: *const u8,
    min_extranonce_size: u16,
    request_id_out: *mut u32,
) -> sv2_result {
    with_mut(miner, |m| {
        let out = out_ptr(request_id_out, "request_id_out")?;
        let request = extended_request(
            user_identity,
            nominal_hash_rate,
            max_target,
            min_extranonce_size,
        )?;
        write_out(out, m.miner.open_channel(request)?);
        Ok(())
    })
}

/// Shares of `channel_id` awaiting the pool's answer.
///
/// Returns: the count; 0 for an unknown channel and for a NULL or poisoned miner.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_miner_pending_shares(miner: *const sv2_miner, channel_id: u32) -> usize {
    read_value(miner, 0, |m| m.miner.client().pending_shares(channel_id))
}
