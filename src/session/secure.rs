//! The two generations of the secure channel behind one face, so that [`super::Session`] runs
//! the 2022 Noise layer ([`NoiseHandshake`], [`NoiseTransport`]) or the spec-2025 one
//! ([`Spec2025Handshake`], [`Spec2025Transport`]) with the same code. Both take bytes in any
//! pieces and return whole SV2 frames (2022: a re-framed stream; 2025: frame by frame), so
//! the session's frame decoder sits unchanged on top.

use crate::noise::{
    Cipher, NegotiationForm, NoiseError, NoiseHandshake, NoiseTransport, SendPolicy,
    Spec2025Handshake, Spec2025Transport,
};

pub(super) enum AnyHandshake {
    V2022(NoiseHandshake),
    Spec2025(Spec2025Handshake),
}

pub(super) enum AnyTransport {
    V2022(NoiseTransport),
    Spec2025(Spec2025Transport),
}

impl AnyHandshake {
    pub(super) fn receive_data(&mut self, data: &[u8]) -> Result<(), NoiseError> {
        match self {
            AnyHandshake::V2022(hs) => hs.receive_data(data),
            AnyHandshake::Spec2025(hs) => hs.receive_data(data),
        }
    }

    pub(super) fn data_to_send(&mut self, out: &mut Vec<u8>) {
        match self {
            AnyHandshake::V2022(hs) => hs.data_to_send(out),
            AnyHandshake::Spec2025(hs) => hs.data_to_send(out),
        }
    }

    pub(super) fn is_complete(&self) -> bool {
        match self {
            AnyHandshake::V2022(hs) => hs.is_complete(),
            AnyHandshake::Spec2025(hs) => hs.is_complete(),
        }
    }

    /// The AEAD and first-message form for the `HandshakeComplete` event. Spec-2025 has no
    /// negotiation and only ChaChaPoly, so it reports `(ChaChaPoly, None)`.
    pub(super) fn outcome(&self) -> Option<(Cipher, NegotiationForm)> {
        match self {
            AnyHandshake::V2022(hs) => hs.cipher().zip(hs.negotiation_form()),
            AnyHandshake::Spec2025(_) => Some((Cipher::ChaChaPoly, NegotiationForm::None)),
        }
    }

    pub(super) fn into_transport(self) -> Result<(AnyTransport, Vec<u8>), NoiseError> {
        match self {
            AnyHandshake::V2022(hs) => hs
                .into_transport()
                .map(|(t, rest)| (AnyTransport::V2022(t), rest)),
            AnyHandshake::Spec2025(hs) => hs
                .into_transport()
                .map(|(t, rest)| (AnyTransport::Spec2025(t), rest)),
        }
    }
}

impl AnyTransport {
    pub(super) fn buffered_len(&self) -> usize {
        match self {
            AnyTransport::V2022(t) => t.buffered_len(),
            AnyTransport::Spec2025(t) => t.buffered_len(),
        }
    }

    pub(super) fn decrypt(&mut self, wire: &[u8], out: &mut Vec<u8>) -> Result<(), NoiseError> {
        match self {
            AnyTransport::V2022(t) => t.decrypt(wire, out),
            AnyTransport::Spec2025(t) => t.decrypt(wire, out),
        }
    }

    pub(super) fn encrypt_frames(
        &mut self,
        plaintext: &[u8],
        frame_ends: &[usize],
        out: &mut Vec<u8>,
    ) -> Result<(), NoiseError> {
        match self {
            AnyTransport::V2022(t) => t.encrypt_frames(plaintext, frame_ends, out),
            AnyTransport::Spec2025(t) => t.encrypt_frames(plaintext, frame_ends, out),
        }
    }

    /// Spec-2025 only: the header is authenticated before the payload, so an oversized frame
    /// is refused there. (The 2022 stream is checked by the session's frame decoder.)
    pub(super) fn set_max_payload(&mut self, max: usize) {
        if let AnyTransport::Spec2025(t) = self {
            t.set_max_payload(max);
        }
    }

    /// 2022 only: spec-2025 framing is fixed by the spec (one header, chunked payload).
    pub(super) fn set_send_policy(&mut self, policy: SendPolicy) {
        if let AnyTransport::V2022(t) = self {
            t.set_send_policy(policy);
        }
    }
}
