//! Keys, certificates and pool URLs.
//!
//! Two curves, four key types that cannot be mixed up: the pool authority's Ed25519 key pair
//! (signs certificates; its public key is in the pool URL) and the server's X25519 static key
//! pair (the Noise `s`). Keys are written as Base58Check text; key files carry a header line.

use crate::conv;
use crate::errors::{error, PyResultExt, ResultCode, ToPyErr};
use pyo3::exceptions::{PyFileExistsError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;
use sv2::keys::{
    AuthorityPublicKey, AuthoritySecretKey, Host, KeyFileError, PoolUrl, Security,
    ServerCertificate, StaticPublicKey, StaticSecretKey,
};

/// Key file errors: I/O problems as `OSError` (with the path), format problems as NoiseError.
pub fn key_file_error(py: Python<'_>, e: KeyFileError) -> PyErr {
    match &e {
        KeyFileError::Io { source, .. } => std::io::Error::new(source.kind(), e.to_string()).into(),
        KeyFileError::AlreadyExists { .. } => PyFileExistsError::new_err(e.to_string()),
        _ => e.to_pyerr(py),
    }
}

fn seed(seed: Option<&Bound<'_, PyAny>>) -> PyResult<Option<[u8; 32]>> {
    seed.map(conv::fixed_in::<32>).transpose()
}

/// The current unix time in seconds, for certificate validity (read by the binding, never by
/// the core).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

macro_rules! public_key {
    ($py:ident, $core:ty, $name:literal, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, hash, module = "sv2._sv2", name = $name)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $py(pub $core);

        #[pymethods]
        impl $py {
            /// Parses the key text (Base58Check); the same as `from_text`.
            #[new]
            fn new(py: Python<'_>, text: &str) -> PyResult<Self> {
                Self::from_text(py, text)
            }
            /// Parses the key text (Base58Check).
            #[staticmethod]
            fn from_text(py: Python<'_>, text: &str) -> PyResult<Self> {
                <$core>::from_text(text.trim()).py(py).map(Self)
            }
            /// Wraps 32 raw key bytes, checked as key text is (an authority key must be a
            /// valid Ed25519 point: `NoiseError` `KEY_INVALID` otherwise).
            #[staticmethod]
            fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
                <$core>::from_bytes_checked(conv::fixed_in::<32>(data)?)
                    .py(py)
                    .map(Self)
            }
            /// The 32 raw key bytes.
            fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, self.0.as_bytes())
            }
            /// The key text.
            fn to_text(&self) -> String {
                self.0.to_string()
            }
            /// Parses key file contents (header line and key text).
            #[staticmethod]
            fn from_file_text(py: Python<'_>, contents: &str) -> PyResult<Self> {
                <$core>::from_file_text(contents).py(py).map(Self)
            }
            /// Key file contents.
            fn to_file_text(&self) -> String {
                self.0.to_file_text()
            }
            /// Reads a key file.
            #[staticmethod]
            fn read_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
                <$core>::read_file(&path)
                    .map(Self)
                    .map_err(|e| key_file_error(py, e))
            }
            /// Writes a key file; refuses to replace an existing one unless `overwrite`.
            #[pyo3(signature = (path, overwrite = false))]
            fn write_file(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
                self.0
                    .write_file(&path, overwrite)
                    .map_err(|e| key_file_error(py, e))
            }
            fn __str__(&self) -> String {
                self.0.to_string()
            }
            fn __repr__(&self) -> String {
                format!("{}('{}')", $name, self.0)
            }
        }
    };
}

macro_rules! secret_key {
    ($py:ident, $core:ty, $public:ident, $name:literal, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "sv2._sv2", name = $name)]
        #[derive(Clone)]
        pub struct $py(pub $core);

        #[pymethods]
        impl $py {
            /// A new key from the OS random source, or reproducibly from a 32-byte `seed`
            /// (tests, devices given a good seed).
            #[staticmethod]
            #[pyo3(signature = (seed = None))]
            fn generate(py: Python<'_>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
                let seed = self::seed(seed)?;
                <$core>::generate_with(seed)
                    .map(Self)
                    .map_err(|e| error(py, ResultCode::RNG, e.to_string()))
            }
            /// Parses the key text (Base58Check).
            #[staticmethod]
            fn from_text(py: Python<'_>, text: &str) -> PyResult<Self> {
                <$core>::from_text(text.trim()).py(py).map(Self)
            }
            /// Wraps 32 raw secret key bytes.
            #[staticmethod]
            fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
                Ok(Self(<$core>::from_bytes(conv::fixed_in::<32>(data)?)))
            }
            /// The 32 raw secret key bytes.
            fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, self.0.as_bytes())
            }
            /// The secret key text (deliberately not `str()`).
            fn to_text(&self) -> String {
                self.0.to_text_secret().to_string()
            }
            /// The public half.
            fn public_key(&self) -> $public {
                $public(self.0.public_key())
            }
            /// Parses key file contents.
            #[staticmethod]
            fn from_file_text(py: Python<'_>, contents: &str) -> PyResult<Self> {
                <$core>::from_file_text(contents).py(py).map(Self)
            }
            /// Key file contents (secret).
            fn to_file_text(&self) -> String {
                self.0.to_file_text_secret().to_string()
            }
            /// Reads a key file.
            #[staticmethod]
            fn read_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
                <$core>::read_file(&path)
                    .map(Self)
                    .map_err(|e| key_file_error(py, e))
            }
            /// Writes a key file with mode 0600; refuses to replace an existing one unless
            /// `overwrite`.
            #[pyo3(signature = (path, overwrite = false))]
            fn write_file(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
                self.0
                    .write_file(&path, overwrite)
                    .map_err(|e| key_file_error(py, e))
            }
            fn __repr__(&self) -> String {
                format!(
                    "{}(<redacted>, public_key='{}')",
                    $name,
                    self.0.public_key()
                )
            }
        }
    };
}

public_key!(
    PyAuthorityPublicKey,
    AuthorityPublicKey,
    "AuthorityPublicKey",
    "The pool authority's Ed25519 public key: the key in `stratum2+tcp://host:port/<key>`."
);
public_key!(
    PyStaticPublicKey,
    StaticPublicKey,
    "StaticPublicKey",
    "A server's X25519 static public key (the Noise `s`)."
);
secret_key!(
    PyAuthoritySecretKey,
    AuthoritySecretKey,
    PyAuthorityPublicKey,
    "AuthoritySecretKey",
    "The pool authority's Ed25519 secret key: signs server certificates."
);
secret_key!(
    PyStaticSecretKey,
    StaticSecretKey,
    PyStaticPublicKey,
    "StaticSecretKey",
    "A server's X25519 static secret key."
);

/// A server certificate: the authority's signature over the server's static key and a
/// validity window (unix seconds, inclusive), with the two keys it binds.
#[pyclass(frozen, eq, module = "sv2._sv2", name = "Certificate")]
#[derive(Clone, Copy, PartialEq)]
pub struct PyCertificate(pub ServerCertificate);

#[pymethods]
impl PyCertificate {
    /// Signs a certificate for `server_public_key`, valid from `valid_from` to
    /// `not_valid_after` (unix seconds, inclusive).
    #[staticmethod]
    fn sign(
        py: Python<'_>,
        authority: &PyAuthoritySecretKey,
        server_public_key: &PyStaticPublicKey,
        valid_from: u32,
        not_valid_after: u32,
    ) -> PyResult<Self> {
        ServerCertificate::sign(
            &authority.0,
            server_public_key.0,
            valid_from,
            not_valid_after,
        )
        .map(Self)
        .map_err(|e| error(py, ResultCode::CERT_EMPTY_VALIDITY, e.to_string()))
    }

    /// Checks the signature against the trusted authority key and the validity window at
    /// `now_unix` (default: the current time). Raises NoiseError (3xx) when it fails.
    #[pyo3(signature = (trusted_authority, now_unix = None))]
    fn verify(
        &self,
        py: Python<'_>,
        trusted_authority: &PyAuthorityPublicKey,
        now_unix: Option<u64>,
    ) -> PyResult<()> {
        self.0
            .verify(&trusted_authority.0, now_unix.unwrap_or_else(unix_now))
            .py(py)
    }

    /// Parses and checks certificate file text.
    #[staticmethod]
    fn from_text(py: Python<'_>, text: &str) -> PyResult<Self> {
        ServerCertificate::from_text(text).py(py).map(Self)
    }
    /// Certificate file text.
    fn to_text(&self) -> String {
        self.0.to_text()
    }
    /// Reads a certificate file.
    #[staticmethod]
    fn read_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        ServerCertificate::read_file(&path)
            .map(Self)
            .map_err(|e| key_file_error(py, e))
    }
    /// Writes a certificate file; refuses to replace an existing one unless `overwrite`.
    #[pyo3(signature = (path, overwrite = false))]
    fn write_file(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
        self.0
            .write_file(&path, overwrite)
            .map_err(|e| key_file_error(py, e))
    }
    /// Certificate version (0).
    #[getter]
    fn version(&self) -> u16 {
        self.0.certificate.version
    }
    /// Start of validity (unix seconds).
    #[getter]
    fn valid_from(&self) -> u32 {
        self.0.certificate.valid_from
    }
    /// End of validity (unix seconds, inclusive).
    #[getter]
    fn not_valid_after(&self) -> u32 {
        self.0.certificate.not_valid_after
    }
    /// The 64-byte Ed25519 signature.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.certificate.signature)
    }
    /// The server key the certificate was signed for.
    #[getter]
    fn server_public_key(&self) -> PyStaticPublicKey {
        PyStaticPublicKey(self.0.server_public_key)
    }
    /// The authority that signed it.
    #[getter]
    fn authority_public_key(&self) -> PyAuthorityPublicKey {
        PyAuthorityPublicKey(self.0.authority_public_key)
    }
    fn __repr__(&self) -> String {
        format!(
            "Certificate(valid_from={}, not_valid_after={}, server_public_key='{}', authority_public_key='{}')",
            self.0.certificate.valid_from,
            self.0.certificate.not_valid_after,
            self.0.server_public_key,
            self.0.authority_public_key
        )
    }
}

/// A pool URL: `stratum2+tcp://host:port/<authority key>` (Noise) or
/// `stratum2+tcp+plain://host:port` (plaintext, local networks only).
#[pyclass(frozen, eq, hash, module = "sv2._sv2", name = "PoolUrl")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyPoolUrl(pub PoolUrl);

#[pymethods]
impl PyPoolUrl {
    /// Parses a URL; raises NoiseError (URL_SCHEME/HOST/PORT/KEY, 340-343) saying what to fix.
    #[new]
    fn new(py: Python<'_>, url: &str) -> PyResult<Self> {
        PoolUrl::parse(url)
            .and_then(PoolUrl::require_2022)
            .py(py)
            .map(Self)
    }
    /// The host to connect to (IPv6 without brackets).
    #[getter]
    fn host(&self) -> String {
        match &self.0.host {
            Host::Domain(d) => d.clone(),
            Host::Ipv4(a) => a.to_string(),
            Host::Ipv6(a) => a.to_string(),
        }
    }
    /// The TCP port.
    #[getter]
    fn port(&self) -> u16 {
        self.0.port
    }
    /// The pool authority key, or None for a plaintext URL.
    #[getter]
    fn authority_key(&self) -> Option<PyAuthorityPublicKey> {
        self.0.authority_key().copied().map(PyAuthorityPublicKey)
    }
    /// True for `stratum2+tcp+plain://`.
    #[getter]
    fn plaintext(&self) -> bool {
        matches!(self.0.security, Security::Plaintext)
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!("PoolUrl('{}')", self.0)
    }
}

/// Reads any key or certificate file and returns its object, by the file's header line.
#[pyfunction]
pub fn read_key_file(py: Python<'_>, path: PathBuf) -> PyResult<PyObject> {
    use pyo3::IntoPyObjectExt;
    use sv2::keys::KeyFile;
    match KeyFile::read(&path).map_err(|e| key_file_error(py, e))? {
        KeyFile::AuthoritySecretKey(k) => PyAuthoritySecretKey(k).into_py_any(py),
        KeyFile::AuthorityPublicKey(k) => PyAuthorityPublicKey(k).into_py_any(py),
        KeyFile::ServerSecretKey(k) => PyStaticSecretKey(k).into_py_any(py),
        KeyFile::ServerPublicKey(k) => PyStaticPublicKey(k).into_py_any(py),
        KeyFile::Certificate(c) => PyCertificate(c).into_py_any(py),
    }
}

/// An authority key from a key object or key text.
pub fn authority_key_arg(py: Python<'_>, ob: &Bound<'_, PyAny>) -> PyResult<AuthorityPublicKey> {
    if let Ok(k) = ob.downcast::<PyAuthorityPublicKey>() {
        return Ok(k.get().0);
    }
    if let Ok(text) = ob.extract::<String>() {
        return AuthorityPublicKey::from_text(text.trim()).py(py);
    }
    Err(PyValueError::new_err(
        "expected an AuthorityPublicKey or its key text",
    ))
}

/// Adds the key classes.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyAuthorityPublicKey>()?;
    module.add_class::<PyAuthoritySecretKey>()?;
    module.add_class::<PyStaticPublicKey>()?;
    module.add_class::<PyStaticSecretKey>()?;
    module.add_class::<PyCertificate>()?;
    module.add_class::<PyPoolUrl>()?;
    module.add_function(wrap_pyfunction!(read_key_file, module)?)?;
    Ok(())
}
