//! The Noise NX secure channel (spec 3.3). Being written.
