//! Mining Protocol `SetupConnection` flags (04 §4.3.1, CHECKLIST B.3, E20), in the spec's bit
//! layout (bit 0 = least significant bit).
//!
//! The client takes flags in this layout only. Dialects that number them differently (SRI 2023
//! swaps bits 1 and 2, see [`Dialect::mining_flag_bit_work_selection`]) are mapped by the
//! session before it calls [`MiningClient::set_connection_flags`].
//!
//! [`Dialect::mining_flag_bit_work_selection`]: crate::messages::Dialect::mining_flag_bit_work_selection
//! [`MiningClient::set_connection_flags`]: super::MiningClient::set_connection_flags

/// `SetupConnection.flags` bit 0: the client needs standard jobs (NewMiningJob) and cannot
/// take extended jobs sent to a group (R44). Printed as REQUIRES_VERSION_ROLLING by 04 §4.3.1
/// (E20).
pub const REQUIRES_STANDARD_JOBS: u32 = 1 << 0;
/// `SetupConnection.flags` bit 1: the client will send SetCustomMiningJob (R45).
pub const REQUIRES_WORK_SELECTION: u32 = 1 << 1;
/// `SetupConnection.flags` bit 2: the server MUST NOT send jobs without version rolling (R41).
pub const REQUIRES_VERSION_ROLLING: u32 = 1 << 2;

/// `SetupConnection.Success.flags` bit 0: the upstream accepts no change to `version` (R42).
pub const REQUIRES_FIXED_VERSION: u32 = 1 << 0;
/// `SetupConnection.Success.flags` bit 1: the upstream refuses standard channels (R43).
pub const REQUIRES_EXTENDED_CHANNELS: u32 = 1 << 1;

/// The flags of one connection: what the client asked for and what the server's
/// SetupConnection.Success said (R37).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionFlags {
    /// `SetupConnection.flags` as sent.
    pub requested: u32,
    /// `SetupConnection.Success.flags` as received.
    pub granted: u32,
}

impl ConnectionFlags {
    /// R42: the server forbids any change to `version`.
    pub fn fixed_version(&self) -> bool {
        self.granted & REQUIRES_FIXED_VERSION != 0
    }
    /// R43: the server refuses standard channels.
    pub fn extended_channels_only(&self) -> bool {
        self.granted & REQUIRES_EXTENDED_CHANNELS != 0
    }
    /// R45: SetCustomMiningJob may be sent (the flag was requested and the setup succeeded).
    pub fn work_selection(&self) -> bool {
        self.requested & REQUIRES_WORK_SELECTION != 0
    }
    /// R41: the client demanded version rolling.
    pub fn requires_version_rolling(&self) -> bool {
        self.requested & REQUIRES_VERSION_ROLLING != 0
    }
    /// R44: the client asked for standard jobs only.
    pub fn standard_jobs_only(&self) -> bool {
        self.requested & REQUIRES_STANDARD_JOBS != 0
    }
}
