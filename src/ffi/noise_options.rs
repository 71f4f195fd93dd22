//! The Noise settings every C configuration handle shares, so that `sv2_client_config` and
//! `sv2_miner_config` (initiators) and `sv2_server_config` and `sv2_pool_config` (responders)
//! take the same settings with the same meaning as the Rust, Python and Node configs.

use super::result::*;
use super::{str_arg, Error};
use crate::noise::{Cipher, InitiatorConfig, NoiseProfile, ResponderConfig};
use std::ffi::c_char;

/// An initiator's Noise settings beyond its key.
#[derive(Debug, Clone)]
pub(crate) struct InitiatorOptions {
    /// `None`: the negotiation of the config's dialect.
    pub profile: Option<NoiseProfile>,
    /// `None`: the negotiation's default offer.
    pub ciphers: Option<Vec<Cipher>>,
    /// `false`: the Braiins 2021 form without negotiation.
    pub negotiate: bool,
}

impl Default for InitiatorOptions {
    fn default() -> Self {
        InitiatorOptions {
            profile: None,
            ciphers: None,
            negotiate: true,
        }
    }
}

impl InitiatorOptions {
    pub fn apply(&self, noise: &mut InitiatorConfig) {
        noise.profile = self.profile;
        noise.ciphers = self.ciphers.clone();
        noise.negotiate = self.negotiate;
    }
}

/// A responder's Noise settings beyond its key and certificate.
#[derive(Debug, Clone)]
pub(crate) struct ResponderOptions {
    /// `None`: the preference of the config's dialect.
    pub profile: Option<NoiseProfile>,
    /// `None`: the profile's preference order.
    pub preference: Option<Vec<Cipher>>,
    pub accept_no_negotiation: bool,
}

impl Default for ResponderOptions {
    fn default() -> Self {
        ResponderOptions {
            profile: None,
            preference: None,
            accept_no_negotiation: true,
        }
    }
}

impl ResponderOptions {
    pub fn apply(&self, noise: &mut ResponderConfig) {
        noise.profile = self.profile;
        noise.cipher_preference = self.preference.clone();
        noise.accept_no_negotiation = self.accept_no_negotiation;
    }
}

/// `"sri-2023"` or `"braiins-2021"` (case-insensitive); NULL follows the dialect.
pub(crate) fn profile_arg(name: *const c_char) -> Result<Option<NoiseProfile>, Error> {
    if name.is_null() {
        return Ok(None);
    }
    let name = str_arg(name)?;
    NoiseProfile::from_name(name).map(Some).ok_or_else(|| {
        Error::new(
            SV2_ERR_INVALID_ARG,
            format!("unknown Noise profile {name:?}: sri-2023 or braiins-2021"),
        )
    })
}

/// A cipher list as text (`"AESG,CHCH"`); NULL restores the default.
pub(crate) fn ciphers_arg(list: *const c_char) -> Result<Option<Vec<Cipher>>, Error> {
    if list.is_null() {
        return Ok(None);
    }
    Cipher::parse_list(str_arg(list)?)
        .map(Some)
        .map_err(|e| Error::new(SV2_ERR_INVALID_ARG, e))
}

/// SetupConnection's version range: both at least 2 is not required (a test may offer
/// others) but `min <= max` is.
pub(crate) fn versions_arg(min_version: u16, max_version: u16) -> Result<(), Error> {
    if min_version > max_version {
        return Err(Error::new(
            SV2_ERR_INVALID_ARG,
            format!("min_version {min_version} is above max_version {max_version}"),
        ));
    }
    Ok(())
}
