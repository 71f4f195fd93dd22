//! Transaction outputs as a list or as one concatenation (CHECKLIST E55).
//!
//! NewTemplate carries the coinbase outputs as one flat B0_64K while SetCustomMiningJob and
//! CommitMiningJob carry a `SEQ0_64K[B0_64K]` with one serialized output per element; the
//! sri-2023 dialect uses the flat form in all three. Each output is consensus-serialized:
//! `value U64 LE ‖ CompactSize script length ‖ script`.

use crate::codec::{DecodeErrorKind, EncodeErrorKind};

/// Concatenates serialized outputs (list form → flat form).
pub fn concat(outputs: &[Vec<u8>]) -> Result<Vec<u8>, EncodeErrorKind> {
    let total: usize = outputs.iter().map(Vec::len).sum();
    if total > 65535 {
        return Err(EncodeErrorKind::TooLong {
            length: total,
            max: 65535,
        });
    }
    let mut flat = Vec::with_capacity(total);
    for output in outputs {
        flat.extend_from_slice(output);
    }
    Ok(flat)
}

/// Length of the serialized output at the start of `bytes`, if it is complete.
fn output_len(bytes: &[u8]) -> Option<usize> {
    let (script_len, prefix) = match *bytes.get(8)? {
        n @ 0..=0xfc => (usize::from(n), 1),
        0xfd => (
            usize::from(u16::from_le_bytes([*bytes.get(9)?, *bytes.get(10)?])),
            3,
        ),
        0xfe => {
            let b = bytes.get(9..13)?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 5)
        }
        0xff => return None, // 8-byte lengths cannot occur within a 64 KiB field
    };
    let total = 8 + prefix + script_len;
    (bytes.len() >= total).then_some(total)
}

/// Splits a concatenation into outputs (flat form → list form).
pub fn split(flat: &[u8]) -> Result<Vec<Vec<u8>>, DecodeErrorKind> {
    let mut outputs = Vec::new();
    let mut rest = flat;
    while !rest.is_empty() {
        let len = output_len(rest).ok_or(DecodeErrorKind::InvalidValue(
            "not a sequence of serialized transaction outputs",
        ))?;
        outputs.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    Ok(outputs)
}

/// Number of outputs in a concatenation, or `None` if it does not parse.
pub fn count(flat: &[u8]) -> Option<usize> {
    split(flat).ok().map(|v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_and_flat_forms_convert_both_ways() {
        // E55
        let a = [vec![1, 0, 0, 0, 0, 0, 0, 0], vec![2], vec![0x51, 0x52]].concat();
        let b = [vec![0u8; 8], vec![0]].concat();
        let flat = concat(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(split(&flat).unwrap(), vec![a, b]);
        assert_eq!(count(&flat), Some(2));
        assert!(split(&flat[..flat.len() - 1]).is_err());
        assert_eq!(split(&[]).unwrap(), Vec::<Vec<u8>>::new());
    }
}
