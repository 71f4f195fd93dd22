//! The server's answer to SetupConnection (3.7, CHECKLIST C.1).

use crate::codec::Str0255;
use crate::messages::{Dialect, Protocol, SetupConnection};
use std::fmt;
use std::sync::Arc;

/// A protocol a server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolSupport {
    /// The protocol.
    pub protocol: Protocol,
    /// SetupConnection flags the server supports; any other requested flag is refused with
    /// `unsupported-feature-flags` and the full unsupported set (R38).
    pub supported_flags: u32,
    /// Flags sent in SetupConnection.Success (Mining: bit 0 REQUIRES_FIXED_VERSION, bit 1
    /// REQUIRES_EXTENDED_CHANNELS).
    pub success_flags: u32,
}

impl ProtocolSupport {
    /// Mining with every client flag supported and no Success flags.
    pub fn mining() -> Self {
        ProtocolSupport {
            protocol: Protocol::Mining,
            supported_flags: 0b111,
            success_flags: 0,
        }
    }
}

/// A check of the client's vendor, hardware_version, firmware and device_id: `Err(code)`
/// refuses the connection with SetupConnection.Error carrying `code`.
#[derive(Clone)]
pub struct SetupPolicy(pub Arc<SetupCheck>);

/// The closure type behind a [`SetupPolicy`].
pub type SetupCheck = dyn Fn(&SetupConnection) -> Result<(), String> + Send + Sync;

impl SetupPolicy {
    /// Wraps a closure.
    pub fn new(f: impl Fn(&SetupConnection) -> Result<(), String> + Send + Sync + 'static) -> Self {
        SetupPolicy(Arc::new(f))
    }
}

impl fmt::Debug for SetupPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetupPolicy(..)")
    }
}

/// The only version this library speaks (R33).
const VERSION: u16 = 2;

/// `Ok((protocol, success flags))` or `Err((Error.flags, error code))`.
pub(super) fn check(
    setup: &SetupConnection,
    protocols: &[ProtocolSupport],
    policy: Option<&SetupPolicy>,
    dialect: &Dialect,
) -> Result<(Protocol, u32), (u32, Str0255)> {
    // R34: unknown and unserved protocols (including 3, Job Distribution, E18).
    let Some(support) = protocols
        .iter()
        .find(|p| p.protocol.setup_value() == Some(setup.protocol))
    else {
        return Err((0, "unsupported-protocol".into()));
    };
    // R33
    if setup.min_version > VERSION || setup.max_version < VERSION {
        return Err((0, "protocol-version-mismatch".into()));
    }
    // R38: the full set of requested flags the server does not support.
    let unsupported = setup.flags & !support.supported_flags;
    if unsupported != 0 {
        return Err((unsupported, "unsupported-feature-flags".into()));
    }
    let mut success_flags = support.success_flags;
    if support.protocol == Protocol::Mining {
        // R41: a client requiring version rolling cannot be told REQUIRES_FIXED_VERSION; a
        // server that needs a fixed version refuses the flag instead.
        let version_rolling = 1u32 << dialect.mining_flag_bit_version_rolling();
        if setup.flags & version_rolling != 0 && success_flags & 1 != 0 {
            return Err((version_rolling, "unsupported-feature-flags".into()));
        }
        if dialect.pool_echoes_setup_flags() {
            // Peers of this dialect expect their own flags back (profile deviation).
            success_flags = setup.flags;
        }
    }
    if let Some(policy) = policy {
        if let Err(code) = (policy.0)(setup) {
            return Err((0, Str0255::from(code)));
        }
    }
    Ok((support.protocol, success_flags))
}
