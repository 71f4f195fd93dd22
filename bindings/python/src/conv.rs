//! Field values between Python and the core's types.
//!
//! Integers are `int`, U256/B32/B0_*/SHORT_TX_ID are `bytes` (bytearray accepted on input),
//! STR0_255 is `str` (decoded with `surrogateescape`, so bytes that are not UTF-8 survive a
//! round trip; `bytes` accepted on input), OPTION[U32] is `int | None` and SEQ0_* is `tuple`
//! (any iterable but `str`/`bytes` on input).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use std::borrow::Cow;
use sv2::codec::{ShortTxId, Str0255, B032, U256};

/// Bytes from `bytes` or `bytearray`.
pub fn bytes_in<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = ob.downcast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(b) = ob.downcast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "expected bytes, got {}",
        ob.get_type().name()?
    )))
}

/// Exactly `N` bytes.
pub fn fixed_in<const N: usize>(ob: &Bound<'_, PyAny>) -> PyResult<[u8; N]> {
    let b = bytes_in(ob)?;
    b.as_ref()
        .try_into()
        .map_err(|_| PyValueError::new_err(format!("expected {N} bytes, got {}", b.len())))
}

/// A 32-byte U256 (little-endian, as on the wire).
pub fn u256_in(ob: &Bound<'_, PyAny>) -> PyResult<U256> {
    fixed_in::<32>(ob).map(U256)
}

/// A STR0_255 from `str` (UTF-8, surrogateescape) or `bytes`.
pub fn str_in(ob: &Bound<'_, PyAny>) -> PyResult<Str0255> {
    if let Ok(s) = ob.downcast::<PyString>() {
        return match s.to_cow() {
            Ok(text) => Ok(Str0255::from(text.as_ref())),
            Err(_) => {
                let raw = s.call_method1("encode", ("utf-8", "surrogateescape"))?;
                Ok(Str0255::from_bytes(bytes_in(&raw)?.into_owned()))
            }
        };
    }
    match bytes_in(ob) {
        Ok(b) => Ok(Str0255::from_bytes(b.into_owned())),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected str or bytes, got {}",
            ob.get_type().name()?
        ))),
    }
}

macro_rules! arg {
    ($(#[$doc:meta])* $name:ident($t:ty), $conv:expr) => {
        $(#[$doc])*
        #[derive(Default)]
        pub struct $name(pub $t);
        impl<'py> FromPyObject<'py> for $name {
            fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
                #[allow(clippy::redundant_closure_call)]
                ($conv)(ob).map($name)
            }
        }
    };
}

arg!(
    /// A U256/B32 constructor argument.
    U256Arg(U256),
    u256_in
);
arg!(
    /// A STR0_255 constructor argument.
    StrArg(Str0255),
    str_in
);
arg!(
    /// A B0_255/B0_64K/B0_16M constructor argument (length checked when encoding).
    BytesArg(Vec<u8>),
    |ob: &Bound<'_, PyAny>| bytes_in(ob).map(Cow::into_owned)
);
arg!(
    /// A B0_32 constructor argument.
    B032Arg(B032),
    |ob: &Bound<'_, PyAny>| {
        let b = bytes_in(ob)?;
        B032::new(&b).ok_or_else(|| {
            PyValueError::new_err(format!("expected at most 32 bytes, got {}", b.len()))
        })
    }
);
arg!(
    /// A SHORT_TX_ID constructor argument (no message has a scalar one yet).
    #[allow(dead_code)]
    ShortTxIdArg(ShortTxId),
    |ob: &Bound<'_, PyAny>| fixed_in::<6>(ob).map(ShortTxId)
);

/// An unsigned integer constructor argument (U8..U64). An int outside the type's range is
/// kept until the constructor can name the message and field in the error (pyo3's own
/// OverflowError names neither).
pub enum IntArg<T> {
    /// In range.
    Value(T),
    /// Out of range: the value as Python prints it.
    OutOfRange(String),
}

impl<T: Default> Default for IntArg<T> {
    fn default() -> Self {
        IntArg::Value(T::default())
    }
}

impl<'py, T: FromPyObject<'py>> FromPyObject<'py> for IntArg<T> {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        match ob.extract::<T>() {
            Ok(v) => Ok(IntArg::Value(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(ob.py()) => {
                Ok(IntArg::OutOfRange(ob.str()?.to_string()))
            }
            Err(e) => Err(e),
        }
    }
}

/// The largest value of each unsigned wire integer, for the range in errors.
pub trait UintMax {
    /// `T::MAX` as text.
    const MAX: &'static str;
}
impl UintMax for u8 {
    const MAX: &'static str = "255";
}
impl UintMax for u16 {
    const MAX: &'static str = "65535";
}
impl UintMax for u32 {
    const MAX: &'static str = "4294967295";
}
impl UintMax for u64 {
    const MAX: &'static str = "18446744073709551615";
}

impl<T: UintMax> IntArg<T> {
    /// The value, or OverflowError "`Message.field`: -1 is out of range 0..4294967295".
    pub fn get(self, qualname: &str) -> PyResult<T> {
        match self {
            IntArg::Value(v) => Ok(v),
            IntArg::OutOfRange(text) => Err(pyo3::exceptions::PyOverflowError::new_err(format!(
                "{qualname}: {text} is out of range 0..{}",
                T::MAX
            ))),
        }
    }
}

/// Element types of sequences.
pub trait Elem: Sized {
    /// Converts one element.
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self>;
}
impl Elem for u16 {
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self> {
        ob.extract()
    }
}
impl Elem for u32 {
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self> {
        ob.extract()
    }
}
impl Elem for U256 {
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self> {
        u256_in(ob)
    }
}
impl Elem for Vec<u8> {
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self> {
        bytes_in(ob).map(Cow::into_owned)
    }
}
impl Elem for ShortTxId {
    fn elem(ob: &Bound<'_, PyAny>) -> PyResult<Self> {
        fixed_in::<6>(ob).map(ShortTxId)
    }
}

/// A SEQ0_255/SEQ0_64K constructor argument (any iterable but str/bytes; the count is
/// checked when encoding).
pub struct SeqArg<T>(pub Vec<T>);

impl<T> Default for SeqArg<T> {
    fn default() -> Self {
        SeqArg(Vec::new())
    }
}

impl<'py, T: Elem> FromPyObject<'py> for SeqArg<T> {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        if ob.is_instance_of::<PyString>()
            || ob.is_instance_of::<PyBytes>()
            || ob.is_instance_of::<PyByteArray>()
        {
            return Err(PyTypeError::new_err(
                "expected a sequence of values, not a str or bytes",
            ));
        }
        let mut out = Vec::new();
        for item in ob.try_iter()? {
            out.push(T::elem(&item?)?);
        }
        Ok(SeqArg(out))
    }
}

/// An integer (or any value with a Python conversion) for a sequence element.
pub fn int_out<T: Copy + for<'py> IntoPyObject<'py>>(py: Python<'_>, v: &T) -> PyResult<PyObject> {
    (*v).into_py_any(py)
}

/// 32 bytes.
pub fn u256_out(py: Python<'_>, v: &U256) -> PyResult<PyObject> {
    Ok(PyBytes::new(py, &v.0).into_any().unbind())
}

/// Bytes (`&Vec` to fit `seq_out`'s element function type).
#[allow(clippy::ptr_arg)]
pub fn bytes_out(py: Python<'_>, v: &Vec<u8>) -> PyResult<PyObject> {
    Ok(PyBytes::new(py, v).into_any().unbind())
}

/// A B0_32 as bytes.
pub fn b032_out(py: Python<'_>, v: &B032) -> PyResult<PyObject> {
    Ok(PyBytes::new(py, v.as_slice()).into_any().unbind())
}

/// 6 bytes.
pub fn short_tx_id_out(py: Python<'_>, v: &ShortTxId) -> PyResult<PyObject> {
    Ok(PyBytes::new(py, &v.0).into_any().unbind())
}

/// A STR0_255 as str (surrogateescape for bytes that are not UTF-8).
pub fn str_out(py: Python<'_>, v: &Str0255) -> PyResult<PyObject> {
    text_out(py, v.as_bytes())
}

/// Bytes as str, with surrogateescape for bytes that are not UTF-8.
pub fn text_out(py: Python<'_>, bytes: &[u8]) -> PyResult<PyObject> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(PyString::new(py, s).into_any().unbind()),
        Err(_) => Ok(PyBytes::new(py, bytes)
            .call_method1("decode", ("utf-8", "surrogateescape"))?
            .unbind()),
    }
}

/// A STR0_255's bytes.
pub fn str_bytes_out(py: Python<'_>, v: &Str0255) -> PyResult<PyObject> {
    Ok(PyBytes::new(py, v.as_bytes()).into_any().unbind())
}

/// A sequence as a tuple.
pub fn seq_out<T>(
    py: Python<'_>,
    items: &[T],
    f: fn(Python<'_>, &T) -> PyResult<PyObject>,
) -> PyResult<PyObject> {
    let items = items
        .iter()
        .map(|x| f(py, x))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}
