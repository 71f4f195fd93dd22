//! Messages, frames and the codec.
//!
//! Every message class (generated, `messages_generated.rs`) is a frozen subclass of
//! [`PyMessage`], which holds the core's [`Message`]: the subclass is only its Python face
//! (constructor, properties, `__match_args__`). Encoding, equality and handing a message to
//! the session therefore cost one clone and no per-field conversion.

use crate::conv;
use crate::errors::{error, PyResultExt, ResultCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass_init::PyClassInitializer;
use pyo3::types::{PyBytes, PyDict, PyTuple, PyType};
use pyo3::IntoPyObjectExt;
use pyo3::PyClass;
use sv2::codec::{FrameHeader, RawFrame, StreamDecoder, HEADER_LEN};
use sv2::messages::{self, Dialect, Message, MessageKind, DIALECTS};

/// The payload of a message class instance, e.g. `inner!(slf, SetTarget)`.
#[macro_export]
macro_rules! inner {
    ($slf:expr, $variant:ident) => {
        match &$slf.as_super().get().0 {
            sv2::messages::Message::$variant(m) => m,
            _ => unreachable!("message class and payload disagree"),
        }
    };
}

/// A dialect by name (`"spec"`, `"sri-2023"`, `"braiins-2021"`).
pub fn dialect(py: Python<'_>, name: &str) -> PyResult<&'static Dialect> {
    Dialect::by_name(name).ok_or_else(|| {
        let known: Vec<&str> = DIALECTS.iter().map(|d| d.name()).collect();
        error(
            py,
            ResultCode::INVALID_ARG,
            format!("unknown dialect {name:?}; known: {}", known.join(", ")),
        )
    })
}

/// Base class of every message. Instances are immutable, compare by value and are built
/// with keyword arguments; `to_dict()`/`from_dict()` convert to and from plain dicts.
#[pyclass(subclass, frozen, eq, module = "sv2._sv2", name = "Message")]
#[derive(PartialEq)]
pub struct PyMessage(pub Message);

#[pymethods]
impl PyMessage {
    /// The whole frame (header and payload) in `dialect`.
    #[pyo3(signature = (dialect = "spec"))]
    fn encode<'py>(&self, py: Python<'py>, dialect: &str) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        self.0
            .encode_frame(self::dialect(py, dialect)?, &mut out)
            .py(py)?;
        Ok(PyBytes::new(py, &out))
    }

    /// The fields as a dict, by spec name, in order.
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let dict = PyDict::new(py);
        for name in slf.getattr("__match_args__")?.downcast::<PyTuple>()?.iter() {
            let value = slf.getattr(name.downcast::<pyo3::types::PyString>()?)?;
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    /// A message from a dict of its fields (the inverse of `to_dict`).
    #[classmethod]
    fn from_dict<'py>(
        cls: &Bound<'py, PyType>,
        fields: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        cls.call((), Some(fields))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let dict = Self::to_dict(slf)?;
        let mut parts = Vec::new();
        for (k, v) in dict.iter() {
            parts.push(format!("{}={}", k, v.repr()?));
        }
        Ok(format!("{}({})", slf.get_type().name()?, parts.join(", ")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let from_dict = slf.get_type().getattr("from_dict")?;
        (from_dict, (Self::to_dict(slf)?,)).into_bound_py_any(py)
    }
}

impl PyMessage {
    /// The message held by a Python object, or a TypeError.
    pub fn extract(ob: &Bound<'_, PyAny>) -> PyResult<Message> {
        match ob.downcast::<PyMessage>() {
            Ok(m) => Ok(m.get().0.clone()),
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected a message, got {}",
                ob.get_type().name()?
            ))),
        }
    }
}

/// A received payload as a Python object: a message instance built straight from the bytes
/// (no intermediate `Message`), or a `RawFrame` for a kind `dialect` does not know.
#[inline]
pub fn payload_to_py(
    py: Python<'_>,
    dialect: &Dialect,
    header: FrameHeader,
    payload: &[u8],
) -> PyResult<PyObject> {
    match dialect.kind_of(&header) {
        Some(kind) => crate::messages_generated::decode_payload(py, kind, dialect, payload),
        None => PyRawFrame(RawFrame::new(header, payload)).into_py_any(py),
    }
}

/// The first frame of `data` as a Python object, and the bytes it used.
#[inline]
fn first_frame_to_py(
    py: Python<'_>,
    dialect: &Dialect,
    data: &[u8],
) -> PyResult<(PyObject, usize)> {
    let (header, payload) = messages::split_frame(data).py(py)?;
    let object = payload_to_py(py, dialect, header, payload)?;
    Ok((object, HEADER_LEN + payload.len()))
}

/// A message object: `message` under its class's face `S` (the generated subclass).
#[inline]
pub fn instance<S>(py: Python<'_>, message: Message, face: S) -> PyResult<PyObject>
where
    S: PyClass<BaseType = PyMessage>,
{
    Py::new(
        py,
        PyClassInitializer::from(PyMessage(message)).add_subclass(face),
    )
    .map(Py::into_any)
}

/// The 6-byte frame header.
#[pyclass(frozen, eq, hash, module = "sv2._sv2", name = "FrameHeader")]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub struct PyFrameHeader(pub FrameHeader);

#[pymethods]
impl PyFrameHeader {
    #[new]
    #[pyo3(signature = (*, extension_id = 0, channel_msg = false, msg_type = 0, msg_length = 0))]
    fn new(extension_id: u16, channel_msg: bool, msg_type: u8, msg_length: u32) -> PyResult<Self> {
        // The top bit of the wire's extension_type is channel_msg: a larger id would be
        // silently cut to 15 bits.
        if extension_id > 0x7fff {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "extension_id exceeds 32767 (15 bits; the 16th is channel_msg)",
            ));
        }
        if msg_length > sv2::codec::framing::MAX_PAYLOAD_LEN as u32 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "msg_length exceeds 16777215 (U24)",
            ));
        }
        Ok(Self(FrameHeader::new(
            extension_id,
            channel_msg,
            msg_type,
            msg_length,
        )))
    }

    /// Parses the first 6 bytes of `data`.
    #[staticmethod]
    fn parse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = conv::bytes_in(data)?;
        let bytes: [u8; HEADER_LEN] = data
            .get(..HEADER_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                error(
                    py,
                    ResultCode::TRUNCATED,
                    format!("a frame header needs 6 bytes, got {}", data.len()),
                )
            })?;
        Ok(Self(FrameHeader::parse(bytes)))
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<PyObject> {
        ("extension_id", "channel_msg", "msg_type", "msg_length").into_py_any(py)
    }

    /// The raw `extension_type` (channel_msg bit included).
    #[getter]
    fn extension_type(&self) -> u16 {
        self.0.extension_type
    }
    /// The extension id without the channel_msg bit (0 for the spec's messages).
    #[getter]
    fn extension_id(&self) -> u16 {
        self.0.extension_id()
    }
    /// The channel_msg bit.
    #[getter]
    fn channel_msg(&self) -> bool {
        self.0.channel_msg()
    }
    /// The message type.
    #[getter]
    fn msg_type(&self) -> u8 {
        self.0.msg_type
    }
    /// The payload length.
    #[getter]
    fn msg_length(&self) -> u32 {
        self.0.msg_length
    }
    /// The 6 header bytes.
    #[allow(clippy::wrong_self_convention)]
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_bytes())
    }
    fn __repr__(&self) -> String {
        format!(
            "FrameHeader(extension_id={}, channel_msg={}, msg_type={}, msg_length={})",
            self.0.extension_id(),
            if self.0.channel_msg() {
                "True"
            } else {
                "False"
            },
            self.0.msg_type,
            self.0.msg_length
        )
    }
}

/// A frame of a message the dialect does not know, kept as bytes for forwarding.
#[pyclass(frozen, eq, hash, module = "sv2._sv2", name = "RawFrame")]
#[derive(PartialEq, Eq, Hash, Clone)]
pub struct PyRawFrame(pub RawFrame);

#[pymethods]
impl PyRawFrame {
    /// A frame from a header and payload; the header's length is set from the payload.
    #[new]
    fn new(header: PyFrameHeader, payload: &Bound<'_, PyAny>) -> PyResult<Self> {
        let payload = conv::bytes_in(payload)?;
        if payload.len() > sv2::codec::framing::MAX_PAYLOAD_LEN {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "payload exceeds 16777215 bytes",
            ));
        }
        let h = header.0;
        let header = FrameHeader::new(
            h.extension_id(),
            h.channel_msg(),
            h.msg_type,
            payload.len() as u32,
        );
        Ok(Self(RawFrame::new(header, &payload)))
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<PyObject> {
        ("header", "payload").into_py_any(py)
    }

    /// The header.
    #[getter]
    fn header(&self) -> PyFrameHeader {
        PyFrameHeader(self.0.header)
    }
    /// The payload.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.payload)
    }
    /// The channel id, for frames with the channel_msg bit and at least 4 payload bytes.
    #[getter]
    fn channel_id(&self) -> Option<u32> {
        self.0.channel_id()
    }
    /// A copy addressed to another channel (for proxies); None without the channel_msg bit.
    fn with_channel_id(&self, channel_id: u32) -> Option<Self> {
        let mut copy = self.0.clone();
        copy.set_channel_id(channel_id).then_some(Self(copy))
    }
    /// Header and payload.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.0.payload.len());
        self.0.write_to(&mut out);
        PyBytes::new(py, &out)
    }
    fn __repr__(&self) -> String {
        format!(
            "RawFrame({}, payload=<{} bytes>)",
            PyFrameHeader(self.0.header).__repr__(),
            self.0.payload.len()
        )
    }
}

/// Decodes the first frame of `data`: `(message or RawFrame, bytes used)`.
#[pyfunction]
#[pyo3(signature = (data, dialect = "spec"))]
pub fn decode_frame(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dialect: &str,
) -> PyResult<(PyObject, usize)> {
    let d = self::dialect(py, dialect)?;
    first_frame_to_py(py, d, &conv::bytes_in(data)?)
}

/// Decodes one whole frame: a message instance, or a RawFrame for a kind the dialect does
/// not know. Raises CodecError on malformed input or trailing bytes.
#[pyfunction]
#[pyo3(signature = (data, dialect = None))]
pub fn decode(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dialect: Option<&str>,
) -> PyResult<PyObject> {
    let d = match dialect {
        None => Dialect::default(),
        Some(name) => self::dialect(py, name)?,
    };
    if let Ok(b) = data.downcast::<PyBytes>() {
        decode_whole(py, d, b.as_bytes())
    } else {
        decode_whole(py, d, &conv::bytes_in(data)?)
    }
}

/// Decodes every frame of `data` (which must hold whole frames) in one call: the batch form
/// of `decode`, for captures and buffers holding many frames.
#[pyfunction]
#[pyo3(signature = (data, dialect = None))]
pub fn decode_all(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dialect: Option<&str>,
) -> PyResult<Vec<PyObject>> {
    let d = match dialect {
        None => Dialect::default(),
        Some(name) => self::dialect(py, name)?,
    };
    let data = conv::bytes_in(data)?;
    let mut rest: &[u8] = &data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (object, used) = first_frame_to_py(py, d, rest)?;
        out.push(object);
        rest = &rest[used..];
    }
    Ok(out)
}

#[inline]
fn decode_whole(py: Python<'_>, d: &Dialect, data: &[u8]) -> PyResult<PyObject> {
    let (object, used) = first_frame_to_py(py, d, data)?;
    if used != data.len() {
        return Err(error(
            py,
            ResultCode::TRAILING_BYTES,
            format!(
                "{} bytes after the frame (use decode_frame or StreamDecoder for several frames)",
                data.len() - used
            ),
        ));
    }
    Ok(object)
}

/// Decodes a payload given its header.
#[pyfunction]
#[pyo3(signature = (header, payload, dialect = "spec"))]
pub fn decode_payload(
    py: Python<'_>,
    header: PyFrameHeader,
    payload: &Bound<'_, PyAny>,
    dialect: &str,
) -> PyResult<PyObject> {
    let d = self::dialect(py, dialect)?;
    let payload = conv::bytes_in(payload)?;
    payload_to_py(py, d, header.0, &payload)
}

/// The whole frame of a message (or RawFrame) in `dialect`.
#[pyfunction]
#[pyo3(signature = (message, dialect = "spec"))]
pub fn encode<'py>(
    py: Python<'py>,
    message: &Bound<'py, PyAny>,
    dialect: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(raw) = message.downcast::<PyRawFrame>() {
        return Ok(raw.get().to_bytes(py));
    }
    let d = self::dialect(py, dialect)?;
    let mut out = Vec::new();
    match message.downcast::<PyMessage>() {
        Ok(m) => m.get().0.encode_frame(d, &mut out).py(py)?,
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "expected a message or RawFrame, got {}",
                message.get_type().name()?
            )))
        }
    }
    Ok(PyBytes::new(py, &out))
}

/// The message class for a spec name (`"SetupConnection.Success"`) or class name; the
/// protocol (`"Mining"` as in `Message.PROTOCOL`, or `"mining"` as in the session configs;
/// likewise for the other two) disambiguates the two `SetNewPrevHash`.
#[pyfunction]
#[pyo3(signature = (name, protocol = None))]
pub fn message_class<'py>(
    py: Python<'py>,
    name: &str,
    protocol: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let protocol = protocol.map(|p| match p {
        "mining" => "Mining",
        "job-negotiation" => "JobNegotiation",
        "template-distribution" => "TemplateDistribution",
        other => other,
    });
    let kind = MessageKind::from_name(protocol, name).ok_or_else(|| {
        let within = protocol.map_or(String::new(), |p| format!(" in protocol {p:?}"));
        error(
            py,
            ResultCode::INVALID_ARG,
            format!("no message {name:?}{within}"),
        )
    })?;
    py.import("sv2._sv2")?.getattr(kind.info().rust_name)
}

/// Splits a byte stream into frames and decodes them.
///
/// `push(data)` appends received bytes; iterate (or call `next_message()`) to get the
/// messages of every complete frame. A header announcing more than `max_payload` bytes
/// raises CodecError and leaves the decoder failed.
#[pyclass(module = "sv2._sv2", name = "StreamDecoder")]
pub struct PyStreamDecoder {
    inner: StreamDecoder,
    dialect: &'static Dialect,
}

#[pymethods]
impl PyStreamDecoder {
    #[new]
    #[pyo3(signature = (dialect = "spec", max_payload = sv2::codec::framing::MAX_PAYLOAD_LEN))]
    fn new(py: Python<'_>, dialect: &str, max_payload: usize) -> PyResult<Self> {
        Ok(Self {
            inner: StreamDecoder::new(max_payload),
            dialect: self::dialect(py, dialect)?,
        })
    }

    /// Appends received bytes.
    fn push(&mut self, data: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.push(&conv::bytes_in(data)?);
        Ok(())
    }

    /// The next complete frame as `(header, payload)`, or None.
    fn next_frame<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<Option<(PyFrameHeader, Bound<'py, PyBytes>)>> {
        match self.inner.next_frame().py(py)? {
            Some((h, p)) => Ok(Some((PyFrameHeader(h), PyBytes::new(py, p)))),
            None => Ok(None),
        }
    }

    /// The next complete frame decoded (a message or RawFrame), or None.
    fn next_message(&mut self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        match self.inner.next_frame().py(py)? {
            Some((h, p)) => Ok(Some(payload_to_py(py, self.dialect, h, p)?)),
            None => Ok(None),
        }
    }

    /// Bytes received but not yet returned as frames.
    #[getter]
    fn buffered(&self) -> usize {
        self.inner.buffered()
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        self.next_message(py)
    }
}

/// Adds the codec's classes and functions.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyMessage>()?;
    module.add_class::<PyFrameHeader>()?;
    module.add_class::<PyRawFrame>()?;
    module.add_class::<PyStreamDecoder>()?;
    module.add_function(wrap_pyfunction!(decode, module)?)?;
    module.add_function(wrap_pyfunction!(decode_frame, module)?)?;
    module.add_function(wrap_pyfunction!(decode_all, module)?)?;
    module.add_function(wrap_pyfunction!(decode_payload, module)?)?;
    module.add_function(wrap_pyfunction!(encode, module)?)?;
    module.add_function(wrap_pyfunction!(message_class, module)?)?;
    let names: Vec<&str> = DIALECTS.iter().map(|d| d.name()).collect();
    module.add("DIALECTS", PyTuple::new(module.py(), names)?)?;
    Ok(())
}
