//! Small frozen event classes (session, mining client and pool engine events) and the
//! monotonic clock default.
//!
//! Every event class has keyword construction, `__match_args__`, `__repr__` and value
//! equality, like the message classes.

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyTuple;

/// Declares a frozen event class. Field types must convert to Python by reference (ints,
/// strings, options, `Py<...>`).
#[macro_export]
macro_rules! event_class {
    (
        $(#[doc = $doc:literal])*
        $rust:ident, $name:literal {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[pyclass(frozen, get_all, module = "sv2._sv2", name = $name)]
        pub struct $rust {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        #[pymethods]
        impl $rust {
            #[new]
            #[pyo3(signature = (*, $($field),*))]
            #[allow(clippy::too_many_arguments)]
            fn new($($field: $ty),*) -> Self {
                Self { $($field),* }
            }

            #[classattr]
            fn __match_args__(py: Python<'_>) -> PyResult<PyObject> {
                let names: &[&str] = &[$(stringify!($field)),*];
                pyo3::types::PyTuple::new(py, names).map(|t| t.into_any().unbind())
            }

            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                $crate::events::repr(slf.as_any())
            }

            fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                $crate::events::eq(slf.as_any(), other)
            }
        }
    };
}

/// `Name(field=value, ...)` from `__match_args__`.
pub fn repr(ob: &Bound<'_, PyAny>) -> PyResult<String> {
    let ty = ob.get_type();
    let mut parts = Vec::new();
    for name in ty.getattr("__match_args__")?.downcast::<PyTuple>()?.iter() {
        let value = ob.getattr(name.downcast::<pyo3::types::PyString>()?)?;
        parts.push(format!("{}={}", name, value.repr()?));
    }
    Ok(format!("{}({})", ty.name()?, parts.join(", ")))
}

/// Same type and equal fields.
pub fn eq(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !a.get_type().is(b.get_type()) {
        return Ok(false);
    }
    for name in a
        .get_type()
        .getattr("__match_args__")?
        .downcast::<PyTuple>()?
        .iter()
    {
        let name = name.downcast::<pyo3::types::PyString>()?;
        if !a.getattr(name)?.eq(b.getattr(name)?)? {
            return Ok(false);
        }
    }
    Ok(true)
}

static MONOTONIC_NS: GILOnceCell<PyObject> = GILOnceCell::new();

/// `now_ms` or, when None, Python's `time.monotonic_ns() // 1_000_000` (the same clock the
/// asyncio layer uses). The core never reads a clock; the binding fills the default in.
pub fn now_ms(py: Python<'_>, now_ms: Option<u64>) -> PyResult<u64> {
    match now_ms {
        Some(t) => Ok(t),
        None => {
            let f = MONOTONIC_NS.get_or_try_init(py, || {
                py.import("time")?
                    .getattr("monotonic_ns")
                    .map(Bound::unbind)
            })?;
            let ns: u64 = f.call0(py)?.extract(py)?;
            Ok(ns / 1_000_000)
        }
    }
}

/// `time.monotonic_ns() // 1_000_000`, exported for callers that keep their own time.
#[pyfunction]
pub fn monotonic_ms(py: Python<'_>) -> PyResult<u64> {
    now_ms(py, None)
}
