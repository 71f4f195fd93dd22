//! The C API (`libsv2.so`, `libsv2.a`, `include/sv2.h`). The only module with `unsafe`.
//!
//! Conventions (the README's "C API" section says the same for C programmers):
//!
//! * every symbol, type and macro starts with `sv2_`/`SV2_`;
//! * objects are opaque handles made by `sv2_<object>_new…` and freed by `sv2_<object>_free`
//!   (NULL is a no-op); all handles are `Box`-backed (one owner, freed exactly once);
//! * fallible functions return an `sv2_result` (`SV2_OK` = 0); outputs are written only on
//!   success, except the size reported with `SV2_ERR_BUFFER_TOO_SMALL`;
//! * NULL arguments return `SV2_ERR_NULL_ARG`; every body runs inside `boundary`-style
//!   helpers that catch panics, return `SV2_ERR_PANIC` and poison the handle (later calls
//!   return `SV2_ERR_POISONED`);
//! * events are polled; borrowed pointers are valid until the next mutating call on the same
//!   handle.
//!
//! `include/sv2.h` is generated from these files by `cargo xtask header` (pinned cbindgen), and
//! `messages.rs` from the message table by `cargo xtask codegen`.
#![allow(non_camel_case_types)]

mod keys;
mod messages;
mod miner;
mod noise_options;
mod pool;
mod result;
mod session;
mod template;
mod version;

pub use keys::*;
pub use messages::*;
pub use miner::*;
pub use pool::*;
pub use result::*;
pub use session::*;
pub use template::*;
pub use version::*;

use crate::codec::{ShortTxId, B032, U256};
use crate::messages::{Dialect, Frame, Message};
use messages::View;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

// ---------------------------------------------------------------------------------------------
// Plain data shared by the views

/// A borrowed byte string: `len` bytes at `ptr`.
///
/// In views filled by the library, `ptr` points into the message and stays valid as long as the
/// message does; it is not NUL-terminated and may be any non-NULL value when `len` is 0. In
/// structures the caller fills, `ptr` may be NULL when `len` is 0; the library copies the bytes
/// during the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_bytes {
    /// First byte.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

/// A borrowed sequence of byte strings (`SEQ0_64K[B0_64K]` and the like): `len` elements at
/// `ptr`. Same lifetime rules as `sv2_bytes`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_bytes_seq {
    /// First element.
    pub ptr: *const sv2_bytes,
    /// Number of elements.
    pub len: usize,
}

/// A borrowed sequence of 32-byte values (`SEQ0_255[U256]`, `SEQ0_64K[U256]`): `len`
/// elements of 32 bytes each (little-endian, wire order) at `ptr`. Same lifetime rules as
/// `sv2_bytes`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_u256_seq {
    /// First element.
    pub ptr: *const [u8; 32],
    /// Number of elements.
    pub len: usize,
}

/// A borrowed sequence of `uint32_t` (`SEQ0_64K[U32]`). Same lifetime rules as `sv2_bytes`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_u32_seq {
    /// First element.
    pub ptr: *const u32,
    /// Number of elements.
    pub len: usize,
}

/// A borrowed sequence of `uint16_t` (`SEQ0_64K[U16]`). Same lifetime rules as `sv2_bytes`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_u16_seq {
    /// First element.
    pub ptr: *const u16,
    /// Number of elements.
    pub len: usize,
}

/// A borrowed sequence of 6-byte short transaction ids (`SEQ0_64K[SHORT_TX_ID]`). Same
/// lifetime rules as `sv2_bytes`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_short_tx_id_seq {
    /// First element.
    pub ptr: *const [u8; 6],
    /// Number of elements.
    pub len: usize,
}

/// An `OPTION[U32]`: `value` is meaningful only when `present` is true.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sv2_option_u32 {
    /// Whether a value is present.
    pub present: bool,
    /// The value (0 when absent).
    pub value: u32,
}

/// A wire dialect: one of the `SV2_DIALECT_*` values.
pub type sv2_dialect = u32;
/// The spec (sv2-spec 2022 with the errata resolved): the default.
pub const SV2_DIALECT_SPEC: sv2_dialect = 0;
/// SRI (stratum-mining/stratum) as deployed in 2023.
pub const SV2_DIALECT_SRI_2023: sv2_dialect = 1;
/// Braiins ii-stratum / Braiins Pool as deployed in 2021.
pub const SV2_DIALECT_BRAIINS_2021: sv2_dialect = 2;

pub(crate) fn dialect_of(dialect: sv2_dialect) -> Result<&'static Dialect, Error> {
    let name = match dialect {
        SV2_DIALECT_SPEC => "spec",
        SV2_DIALECT_SRI_2023 => "sri-2023",
        SV2_DIALECT_BRAIINS_2021 => "braiins-2021",
        _ => return Err(Error::new(SV2_ERR_INVALID_ARG, "unknown sv2_dialect")),
    };
    Dialect::by_name(name).ok_or_else(|| Error::new(SV2_ERR_INVALID_ARG, "unknown sv2_dialect"))
}

/// Builds an `sv2_bytes` over a NUL-terminated string (without its NUL), for filling string
/// fields of message structures: `v.user_identity = sv2_bytes_from_str("worker.1");`.
///
/// Returns: `{ s, strlen(s) }`, borrowing `s`; `{ NULL, 0 }` if `s` is NULL.
/// Args: `s`: a NUL-terminated string or NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_bytes_from_str(s: *const c_char) -> sv2_bytes {
    let empty = sv2_bytes {
        ptr: std::ptr::null(),
        len: 0,
    };
    boundary_value(empty, || match cstr_arg(s) {
        Ok(text) => sv2_bytes {
            ptr: s.cast(),
            len: text.to_bytes().len(),
        },
        Err(_) => empty,
    })
}

// ---------------------------------------------------------------------------------------------
// Errors, handles and the panic boundary

/// An error on its way to C: the code and the text kept as the handle's last error.
#[derive(Debug)]
pub(crate) struct Error {
    pub(crate) code: sv2_result,
    pub(crate) message: String,
}

impl Error {
    pub(crate) fn new(code: sv2_result, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
    pub(crate) fn null(what: &str) -> Self {
        Error::new(SV2_ERR_NULL_ARG, format!("{what} is NULL"))
    }
}

/// State every handle carries: poisoning and the last error text.
#[derive(Debug, Default)]
pub(crate) struct HandleState {
    poisoned: AtomicBool,
    last_error: Option<CString>,
}

impl HandleState {
    fn set_error(&mut self, message: &str) {
        let clean: Vec<u8> = message.bytes().filter(|b| *b != 0).collect();
        self.last_error = CString::new(clean).ok();
    }
    fn last_error_ptr(&self) -> *const c_char {
        self.last_error.as_deref().unwrap_or(c"").as_ptr()
    }
}

/// Implemented by every handle type.
pub(crate) trait Handle {
    fn state(&self) -> &HandleState;
    fn state_mut(&mut self) -> &mut HandleState;
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("internal error (panic): {detail}")
}

/// Runs `f`, turning a panic into `SV2_ERR_PANIC`. For functions without a handle to poison.
pub(crate) fn boundary(f: impl FnOnce() -> Result<(), Error>) -> sv2_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => SV2_OK,
        Ok(Err(e)) => e.code,
        Err(_) => SV2_ERR_PANIC,
    }
}

/// Runs `f` for a function that returns a value rather than a code; a panic yields `default`.
pub(crate) fn boundary_value<R: Copy>(default: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// Runs `f` on the handle behind `ptr` inside the panic boundary: NULL gives
/// `SV2_ERR_NULL_ARG`, a poisoned handle `SV2_ERR_POISONED`, an error is recorded as the
/// handle's last error, and a panic poisons the handle.
pub(crate) fn with_mut<T: Handle>(
    ptr: *mut T,
    f: impl FnOnce(&mut T) -> Result<(), Error>,
) -> sv2_result {
    // SAFETY: the C contract: `ptr` is NULL or a live handle of this type made by this library,
    // not used by another thread during the call. NULL is checked by `as_mut`.
    let Some(handle) = (unsafe { ptr.as_mut() }) else {
        return SV2_ERR_NULL_ARG;
    };
    if handle.state().poisoned.load(Ordering::Relaxed) {
        return SV2_ERR_POISONED;
    }
    match catch_unwind(AssertUnwindSafe(|| f(&mut *handle))) {
        Ok(Ok(())) => SV2_OK,
        Ok(Err(e)) => {
            handle.state_mut().set_error(&e.message);
            e.code
        }
        Err(payload) => {
            let state = handle.state_mut();
            state.poisoned.store(true, Ordering::Relaxed);
            state.set_error(&panic_text(payload.as_ref()));
            SV2_ERR_PANIC
        }
    }
}

/// Like [`with_mut`] for functions that only read the handle (many threads may call them at
/// once on shareable handles, so errors are not recorded; a panic still poisons).
pub(crate) fn with_ref<T: Handle>(
    ptr: *const T,
    f: impl FnOnce(&T) -> Result<(), Error>,
) -> sv2_result {
    // SAFETY: the C contract: `ptr` is NULL or a live handle of this type made by this library,
    // not mutated by another thread during the call. NULL is checked by `as_ref`.
    let Some(handle) = (unsafe { ptr.as_ref() }) else {
        return SV2_ERR_NULL_ARG;
    };
    if handle.state().poisoned.load(Ordering::Relaxed) {
        return SV2_ERR_POISONED;
    }
    match catch_unwind(AssertUnwindSafe(|| f(handle))) {
        Ok(Ok(())) => SV2_OK,
        Ok(Err(e)) => e.code,
        Err(_) => {
            handle.state().poisoned.store(true, Ordering::Relaxed);
            SV2_ERR_PANIC
        }
    }
}

/// Reads a value from a handle; NULL, poisoned handles and panics give `default`.
pub(crate) fn read_value<T: Handle, R: Copy>(
    ptr: *const T,
    default: R,
    f: impl FnOnce(&T) -> R,
) -> R {
    let mut out = default;
    let _ = with_ref(ptr, |h| {
        out = f(h);
        Ok(())
    });
    out
}

/// The last error text of a handle (`""` if none; a fixed text for NULL).
pub(crate) fn last_error_of<T: Handle>(ptr: *const T) -> *const c_char {
    // SAFETY: as in `with_ref`.
    match unsafe { ptr.as_ref() } {
        None => c"handle is NULL".as_ptr(),
        Some(h) => h.state().last_error_ptr(),
    }
}

/// Moves `value` to the heap and hands it to C through `out`.
pub(crate) fn new_handle<T>(value: T, out: *mut *mut T) {
    let raw = Box::into_raw(Box::new(value));
    // SAFETY: callers check `out` for NULL first (`out_ptr`); it points to writable storage
    // for one pointer by the C contract.
    unsafe { out.write(raw) };
}

/// Frees a handle made by [`new_handle`]; NULL is a no-op. A panic while dropping is contained.
pub(crate) fn free_handle<T>(ptr: *mut T) {
    if ptr.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the C contract: `ptr` came from `new_handle` (Box::into_raw) and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }));
}

/// Checks an output pointer.
pub(crate) fn out_ptr<T>(ptr: *mut T, what: &str) -> Result<*mut T, Error> {
    if ptr.is_null() {
        Err(Error::null(what))
    } else {
        Ok(ptr)
    }
}

/// Writes an output value (after `out_ptr` checked it).
pub(crate) fn write_out<T>(ptr: *mut T, value: T) {
    // SAFETY: `ptr` was checked non-NULL by `out_ptr`; the C contract makes it writable and
    // aligned for a `T`.
    unsafe { ptr.write(value) };
}

/// Refuses a buffer of more than `PTRDIFF_MAX` bytes: no object is that large, so the length
/// is a bug in the caller, typically `recv()`'s -1 stored in a `size_t` (and Rust may not even
/// form such a slice).
pub(crate) fn check_len<T>(len: usize, what: &str) -> Result<(), Error> {
    match len.checked_mul(std::mem::size_of::<T>().max(1)) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(()),
        _ => Err(Error::new(
            SV2_ERR_INVALID_ARG,
            format!(
                "{what}: length {len} is larger than any buffer (a negative ssize_t such as \
                 recv()'s -1 stored in a size_t?)"
            ),
        )),
    }
}

/// A borrowed input buffer (NULL allowed only with length 0).
pub(crate) fn in_slice<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    check_len::<u8>(len, what)?;
    // SAFETY: the C contract: `ptr` is valid for reads of `len` bytes during the call.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A borrowed output buffer of `len` writable bytes (NULL allowed only with length 0).
pub(crate) fn out_slice<'a>(ptr: *mut u8, len: usize, what: &str) -> Result<&'a mut [u8], Error> {
    if len == 0 {
        return Ok(&mut []);
    }
    let ptr = out_ptr(ptr, what)?;
    check_len::<u8>(len, what)?;
    // SAFETY: the C contract: `ptr` is writable for `len` bytes during the call.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// A borrowed input structure.
pub(crate) fn in_ref<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Error> {
    // SAFETY: the C contract: NULL or a valid, aligned `T`, only read during the call. NULL is
    // checked by `as_ref`.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::null(what))
}

/// A fixed-size input array such as a 32-byte key.
pub(crate) fn in_array<const N: usize>(ptr: *const u8, what: &str) -> Result<[u8; N], Error> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    let mut out = [0u8; N];
    // SAFETY: the C contract: `ptr` points to `N` readable bytes (documented per function).
    out.copy_from_slice(unsafe { std::slice::from_raw_parts(ptr, N) });
    Ok(out)
}

/// Writes a fixed-size output array.
pub(crate) fn write_array<const N: usize>(ptr: *mut u8, value: &[u8; N]) {
    // SAFETY: callers checked `ptr` with `out_ptr`; the C contract: `N` writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(value.as_ptr(), ptr, N) };
}

/// A NUL-terminated input string.
pub(crate) fn cstr_arg<'a>(ptr: *const c_char) -> Result<&'a CStr, Error> {
    if ptr.is_null() {
        return Err(Error::null("string argument"));
    }
    // SAFETY: the C contract: a NUL-terminated string valid during the call.
    Ok(unsafe { CStr::from_ptr(ptr) })
}

/// A NUL-terminated UTF-8 input string.
pub(crate) fn str_arg<'a>(ptr: *const c_char) -> Result<&'a str, Error> {
    cstr_arg(ptr)?
        .to_str()
        .map_err(|_| Error::new(SV2_ERR_INVALID_ARG, "string argument is not UTF-8"))
}

/// Copies `data` into the caller's buffer, or reports the size needed.
pub(crate) fn copy_out(
    data: &[u8],
    buf: *mut u8,
    cap: usize,
    len_out: *mut usize,
) -> Result<(), Error> {
    let len_out = out_ptr(len_out, "size output")?;
    if cap < data.len() {
        write_out(len_out, data.len());
        return Err(Error::new(
            SV2_ERR_BUFFER_TOO_SMALL,
            format!("buffer of {cap} bytes, {} needed", data.len()),
        ));
    }
    if !data.is_empty() {
        let buf = out_ptr(buf, "buffer")?;
        // SAFETY: the C contract: `buf` is writable for `cap` bytes, and `data.len() <= cap`.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    }
    write_out(len_out, data.len());
    Ok(())
}

/// Copies `text` and a NUL into the caller's buffer; `size_out` gets the buffer size the text
/// needs (with its NUL), also when the buffer is too small.
pub(crate) fn copy_text_out(
    text: &str,
    buf: *mut c_char,
    cap: usize,
    size_out: *mut usize,
) -> Result<(), Error> {
    // Zeroized: the text may be a secret key's.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(text.len() + 1));
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    copy_out(&bytes, buf.cast(), cap, size_out)
}

// ---------------------------------------------------------------------------------------------
// Messages

/// A message: its kind and, through `sv2_message_as_<msg>()`, its fields.
///
/// Either owned by a session (the message of an event: valid until the next mutating call on
/// that session, never freed by the caller) or by the caller (from `sv2_frame_decode()`: freed
/// with `sv2_message_free()`).
#[derive(Debug)]
pub struct sv2_message {
    state: HandleState,
    /// True for the message of a session event: `sv2_message_free` leaves it alone.
    pub(crate) session_owned: bool,
    message: Message,
    view: View,
    /// Copies the view points into (flattened sequences); never touched after `wrap`.
    _aux: Aux,
}

impl Handle for sv2_message {
    fn state(&self) -> &HandleState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut HandleState {
        &mut self.state
    }
}

/// Storage for the parts of a view that are not laid out in the message as C needs them.
#[derive(Debug, Default)]
pub(crate) struct Aux {
    bytes: Vec<Vec<sv2_bytes>>,
    u256: Vec<Vec<[u8; 32]>>,
    short_ids: Vec<Vec<[u8; 6]>>,
}

impl Aux {
    fn bytes_seq(&mut self, items: &[Vec<u8>]) -> sv2_bytes_seq {
        let list: Vec<sv2_bytes> = items.iter().map(|b| bytes_view(b)).collect();
        let view = sv2_bytes_seq {
            ptr: list.as_ptr(),
            len: list.len(),
        };
        self.bytes.push(list);
        view
    }
    fn u256_seq(&mut self, items: &[U256]) -> sv2_u256_seq {
        let list: Vec<[u8; 32]> = items.iter().map(|u| u.0).collect();
        let view = sv2_u256_seq {
            ptr: list.as_ptr(),
            len: list.len(),
        };
        self.u256.push(list);
        view
    }
    fn short_tx_id_seq(&mut self, items: &[ShortTxId]) -> sv2_short_tx_id_seq {
        let list: Vec<[u8; 6]> = items.iter().map(|s| s.0).collect();
        let view = sv2_short_tx_id_seq {
            ptr: list.as_ptr(),
            len: list.len(),
        };
        self.short_ids.push(list);
        view
    }
}

fn bytes_view(b: &[u8]) -> sv2_bytes {
    sv2_bytes {
        ptr: b.as_ptr(),
        len: b.len(),
    }
}

fn option_view(o: Option<u32>) -> sv2_option_u32 {
    sv2_option_u32 {
        present: o.is_some(),
        value: o.unwrap_or(0),
    }
}

fn u32_seq_view(v: &[u32]) -> sv2_u32_seq {
    sv2_u32_seq {
        ptr: v.as_ptr(),
        len: v.len(),
    }
}

fn u16_seq_view(v: &[u16]) -> sv2_u16_seq {
    sv2_u16_seq {
        ptr: v.as_ptr(),
        len: v.len(),
    }
}

/// # Safety
/// `b.ptr` is valid for `b.len` bytes (or NULL with length 0).
unsafe fn in_vec(b: &sv2_bytes, field: &str) -> Result<Vec<u8>, Error> {
    in_slice(b.ptr, b.len, field).map(<[u8]>::to_vec)
}

/// # Safety
/// As [`in_vec`].
unsafe fn in_b032(b: &sv2_bytes, field: &str) -> Result<B032, Error> {
    let bytes = in_slice(b.ptr, b.len, field)?;
    B032::new(bytes).ok_or_else(|| {
        Error::new(
            SV2_ERR_ENCODE_TOO_LONG,
            format!("{field}: {} bytes where at most 32 fit", bytes.len()),
        )
    })
}

fn option_from_view(o: sv2_option_u32) -> Option<u32> {
    o.present.then_some(o.value)
}

/// A sequence's elements, borrowed for the duration of the call.
///
/// # Safety
/// `ptr` is valid for `len` elements (or NULL with length 0).
unsafe fn in_elements<'a, T>(ptr: *const T, len: usize, field: &str) -> Result<&'a [T], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::null(field));
    }
    check_len::<T>(len, field)?;
    // SAFETY: forwarded from the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// # Safety
/// As [`in_elements`].
unsafe fn in_u256_seq(s: &sv2_u256_seq, field: &str) -> Result<Vec<U256>, Error> {
    // SAFETY: forwarded from the caller.
    Ok(unsafe { in_elements(s.ptr, s.len, field)? }
        .iter()
        .map(|b| U256(*b))
        .collect())
}

/// # Safety
/// As [`in_elements`], and so is every element.
unsafe fn in_bytes_seq(s: &sv2_bytes_seq, field: &str) -> Result<Vec<Vec<u8>>, Error> {
    // SAFETY: forwarded from the caller.
    unsafe { in_elements(s.ptr, s.len, field)? }
        .iter()
        // SAFETY: forwarded from the caller.
        .map(|b| unsafe { in_vec(b, field) })
        .collect()
}

/// # Safety
/// As [`in_elements`].
unsafe fn in_u32_seq(s: &sv2_u32_seq, field: &str) -> Result<Vec<u32>, Error> {
    // SAFETY: forwarded from the caller.
    Ok(unsafe { in_elements(s.ptr, s.len, field)? }.to_vec())
}

/// # Safety
/// As [`in_elements`].
unsafe fn in_u16_seq(s: &sv2_u16_seq, field: &str) -> Result<Vec<u16>, Error> {
    // SAFETY: forwarded from the caller.
    Ok(unsafe { in_elements(s.ptr, s.len, field)? }.to_vec())
}

/// # Safety
/// As [`in_elements`].
unsafe fn in_short_tx_id_seq(
    s: &sv2_short_tx_id_seq,
    field: &str,
) -> Result<Vec<ShortTxId>, Error> {
    // SAFETY: forwarded from the caller.
    Ok(unsafe { in_elements(s.ptr, s.len, field)? }
        .iter()
        .map(|b| ShortTxId(*b))
        .collect())
}

impl sv2_message {
    /// Boxes `message` and builds its view; the box must not be moved out of afterwards.
    pub(crate) fn wrap(message: Message) -> Box<sv2_message> {
        let mut boxed = Box::new(sv2_message {
            state: HandleState::default(),
            session_owned: false,
            message,
            view: View::SetupConnectionSuccess(sv2_setup_connection_success {
                used_version: 0,
                flags: 0,
            }),
            _aux: Aux::default(),
        });
        let inner = &mut *boxed;
        inner.view = messages::make_view(&inner.message, &mut inner._aux);
        boxed
    }

    pub(crate) fn message(&self) -> &Message {
        &self.message
    }
}

/// Applies `pick` to the view of a message (NULL and mismatches give NULL).
pub(crate) fn view_of<V>(
    message: *const sv2_message,
    pick: impl FnOnce(&View) -> Option<*const V>,
) -> *const V {
    read_value(message, std::ptr::null(), |m| {
        pick(&m.view).unwrap_or(std::ptr::null())
    })
}

/// Encodes the message `build` makes from the view at `msg` into the caller's buffer.
pub(crate) fn encode_typed<V>(
    msg: *const V,
    dialect: sv2_dialect,
    buf: *mut u8,
    cap: usize,
    len_out: *mut usize,
    build: impl FnOnce(&V) -> Result<Message, Error>,
) -> sv2_result {
    boundary(|| {
        // SAFETY: the C contract: `msg` is NULL or points to a valid structure of this type.
        let view = unsafe { msg.as_ref() }.ok_or_else(|| Error::null("message"))?;
        out_ptr(len_out, "len_out")?;
        let dialect = dialect_of(dialect)?;
        let message = build(view)?;
        let mut frame = Vec::new();
        message.encode_frame(dialect, &mut frame)?;
        copy_out(&frame, buf, cap, len_out)
    })
}

/// Decodes the first frame of `data` into a new message.
///
/// Returns: `SV2_OK` with a new message in `*message_out` (free it with `sv2_message_free()`)
/// and the frame length in `*consumed_out`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG` for an
/// unknown dialect; `SV2_ERR_TRUNCATED` if `data` holds less than one whole frame;
/// `SV2_ERR_UNKNOWN_MESSAGE` for a message type the dialect does not know; another 2xx code if
/// the payload does not decode.
/// In: `data`/`len`: the bytes (a frame header and payload, plaintext). `dialect`:
/// `SV2_DIALECT_*`. Out: `message_out`, `consumed_out`.
/// Allocates: yes (the message).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_frame_decode(
    data: *const u8,
    len: usize,
    dialect: sv2_dialect,
    message_out: *mut *mut sv2_message,
    consumed_out: *mut usize,
) -> sv2_result {
    boundary(|| {
        let message_out = out_ptr(message_out, "message_out")?;
        let consumed_out = out_ptr(consumed_out, "consumed_out")?;
        let bytes = in_slice(data, len, "data")?;
        let dialect = dialect_of(dialect)?;
        let (frame, used) = crate::messages::decode_frame(dialect, bytes)?;
        let message = match frame {
            Frame::Message(m) => m,
            Frame::Raw(raw) => {
                return Err(Error::new(
                    SV2_ERR_UNKNOWN_MESSAGE,
                    format!(
                        "extension {:#06x} message type {:#04x} is unknown in this dialect",
                        raw.header.extension_id(),
                        raw.header.msg_type
                    ),
                ))
            }
        };
        write_out(consumed_out, used);
        write_out(message_out, Box::into_raw(sv2_message::wrap(message)));
        Ok(())
    })
}

/// Encodes a message (for example one from `sv2_frame_decode()` or an event) as a frame.
///
/// Returns: `SV2_OK` with the frame length in `*len_out`; `SV2_ERR_BUFFER_TOO_SMALL` with the
/// required length in `*len_out`; `SV2_ERR_NULL_ARG`; `SV2_ERR_INVALID_ARG`;
/// `SV2_ERR_NOT_IN_DIALECT`; `SV2_ERR_ENCODE_*`.
/// In: `message`, `dialect`. Out: `buf`/`cap` (NULL allowed with `cap` 0), `len_out`.
/// Allocates: yes (temporarily).
#[no_mangle]
#[must_use]
pub extern "C" fn sv2_message_encode(
    message: *const sv2_message,
    dialect: sv2_dialect,
    buf: *mut u8,
    cap: usize,
    len_out: *mut usize,
) -> sv2_result {
    with_ref(message, |m| {
        out_ptr(len_out, "len_out")?;
        let dialect = dialect_of(dialect)?;
        let mut frame = Vec::new();
        m.message.encode_frame(dialect, &mut frame)?;
        copy_out(&frame, buf, cap, len_out)
    })
}

/// Value of `sv2_message_kind()` for a NULL message.
pub const SV2_MESSAGE_KIND_NONE: u32 = u32::MAX;

/// The kind of a message: one of the `SV2_MESSAGE_*` constants.
///
/// Returns: the kind, or `SV2_MESSAGE_KIND_NONE` if `message` is NULL.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_message_kind(message: *const sv2_message) -> u32 {
    read_value(message, SV2_MESSAGE_KIND_NONE, |m| m.message.kind() as u32)
}

/// The spec name of a message kind, e.g. `"SetupConnection.Success"`.
///
/// Returns: a NUL-terminated string in static storage, or NULL for an unknown kind.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_message_kind_name(kind: u32) -> *const c_char {
    boundary_value(std::ptr::null(), || {
        messages::KIND_NAMES
            .get(kind as usize)
            .map_or(std::ptr::null(), |name| name.as_ptr())
    })
}

/// Frees a message made by `sv2_frame_decode()`. NULL is a no-op.
///
/// The message of a session event belongs to the session: passing it (after casting away its
/// `const`) does nothing.
/// Allocates: no.
#[no_mangle]
pub extern "C" fn sv2_message_free(message: *mut sv2_message) {
    let owned_by_session = read_value(message, false, |m| m.session_owned);
    if !owned_by_session {
        free_handle(message)
    }
}

#[cfg(test)]
mod tests;
