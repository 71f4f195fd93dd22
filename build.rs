//! Gives the C shared library a versioned SONAME (`libsv2.so.<version>`), so that programs
//! linked against one release do not silently load another. Before 1.0 every release may break
//! the C ABI, so the SONAME carries the full version (DESIGN §3.7 "ABI"); `make install` adds
//! the `libsv2.so` development symlink. Only the cdylib is affected.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    let capi = std::env::var_os("CARGO_FEATURE_CAPI").is_some();
    if linux && capi {
        let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsv2.so.{version}");
        // Export the C API only: secp256k1-sys defines a few `rustsecp256k1_*` callbacks as
        // `#[no_mangle]` Rust functions, which a cdylib would export with ours. The C API is
        // defined in this crate's own objects; everything the dependencies' archives define
        // stays local.
        println!("cargo:rustc-cdylib-link-arg=-Wl,--exclude-libs=ALL");
    }
}
