//! Tests of the boundary itself (the C programs in tests/c/ test the API as C sees it).

use super::*;
use std::collections::HashSet;
use std::path::Path;

#[test]
fn every_code_is_described_once() {
    let codes = all_codes();
    let unique: HashSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len(), "a code number is used twice");
    for code in codes {
        assert_ne!(describe(code).to_bytes(), b"unknown sv2_result");
    }
    assert_eq!(describe(12345).to_bytes(), b"unknown sv2_result");
}

#[test]
fn a_panic_returns_sv2_err_panic_and_poisons_the_handle() {
    let mut config: *mut sv2_client_config = std::ptr::null_mut();
    assert_eq!(sv2_client_config_new(&mut config), SV2_OK);
    let result = with_mut(config, |_| -> Result<(), Error> {
        panic!("deliberate test panic")
    });
    assert_eq!(result, SV2_ERR_PANIC);
    // SAFETY: the library's own NUL-terminated string.
    let text = unsafe { CStr::from_ptr(sv2_client_config_last_error(config)) };
    assert!(text.to_str().unwrap().contains("deliberate test panic"));
    assert_eq!(sv2_client_config_set_plaintext(config), SV2_ERR_POISONED);
    let mut session: *mut sv2_session = std::ptr::null_mut();
    assert_eq!(
        sv2_session_new_client(config, 0, 0, &mut session),
        SV2_ERR_POISONED
    );
    assert!(session.is_null());
    sv2_client_config_free(config);
}

#[test]
fn a_panic_in_a_read_only_call_poisons_too() {
    let mut config: *mut sv2_server_config = std::ptr::null_mut();
    assert_eq!(sv2_server_config_new(&mut config), SV2_OK);
    let result = with_ref(config.cast_const(), |_| -> Result<(), Error> {
        panic!("read panic")
    });
    assert_eq!(result, SV2_ERR_PANIC);
    assert_eq!(sv2_server_config_set_plaintext(config), SV2_ERR_POISONED);
    sv2_server_config_free(config);
}

#[test]
fn boundary_without_handle_returns_panic() {
    assert_eq!(boundary(|| panic!("free function panic")), SV2_ERR_PANIC);
    assert_eq!(boundary_value(7u32, || panic!("value panic")), 7);
}

fn vectors() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/messages");
    let mut out = Vec::new();
    for protocol in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(protocol.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("hex") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let hex: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .flat_map(|l| l.chars())
                .filter(|c| !c.is_whitespace())
                .collect();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            out.push((path.display().to_string(), bytes));
        }
    }
    assert!(out.len() >= 44, "message vectors missing");
    out
}

#[test]
fn views_round_trip_every_vector() {
    for (name, frame) in vectors() {
        let mut message: *mut sv2_message = std::ptr::null_mut();
        let mut used = 0usize;
        let r = sv2_frame_decode(
            frame.as_ptr(),
            frame.len(),
            SV2_DIALECT_SPEC,
            &mut message,
            &mut used,
        );
        assert_eq!(r, SV2_OK, "{name}");
        assert_eq!(used, frame.len(), "{name}");
        // SAFETY: a live message from sv2_frame_decode.
        let wrapped = unsafe { &*message };
        // SAFETY: the view's pointers borrow from the live message.
        let rebuilt = unsafe { messages::message_from_view(&wrapped.view) }.unwrap();
        assert_eq!(&rebuilt, wrapped.message(), "{name}");

        let mut out = vec![0u8; frame.len()];
        let mut n = 0usize;
        let r = sv2_message_encode(
            message,
            SV2_DIALECT_SPEC,
            out.as_mut_ptr(),
            out.len(),
            &mut n,
        );
        assert_eq!(r, SV2_OK, "{name}");
        assert_eq!(&out[..n], &frame[..], "{name}");

        // Too small: the size needed is reported, nothing else changes.
        if !frame.is_empty() {
            let mut needed = 0usize;
            let r = sv2_message_encode(
                message,
                SV2_DIALECT_SPEC,
                out.as_mut_ptr(),
                frame.len() - 1,
                &mut needed,
            );
            assert_eq!(r, SV2_ERR_BUFFER_TOO_SMALL, "{name}");
            assert_eq!(needed, frame.len(), "{name}");
        }
        sv2_message_free(message);
    }
}

#[test]
fn header_version_macros_match_cargo_toml() {
    let header =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/sv2.h"))
            .unwrap();
    for (name, value) in [
        ("SV2_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("SV2_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("SV2_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define {name} {value}\n");
        assert!(header.contains(&line), "sv2.h lacks `{}`", line.trim());
    }
    // SAFETY: static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(sv2_version()) }.to_str().unwrap();
    assert_eq!(
        version,
        concat!("libsv2/", env!("CARGO_PKG_VERSION"), "/noise-ring")
    );
}

#[test]
fn null_arguments_return_null_arg() {
    let mut n = 0usize;
    assert_eq!(
        sv2_session_receive_data(std::ptr::null_mut(), std::ptr::null(), 0, 0),
        SV2_ERR_NULL_ARG
    );
    assert_eq!(
        sv2_session_data_to_send(std::ptr::null_mut(), std::ptr::null_mut(), 0, &mut n),
        SV2_ERR_NULL_ARG
    );
    assert_eq!(
        sv2_frame_decode(std::ptr::null(), 3, 0, std::ptr::null_mut(), &mut n),
        SV2_ERR_NULL_ARG
    );
    assert!(sv2_message_as_new_mining_job(std::ptr::null()).is_null());
    sv2_session_free(std::ptr::null_mut());
}
