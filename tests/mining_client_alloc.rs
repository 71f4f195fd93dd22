//! Hashing a client [`Work`] does not touch the heap: building the header for a new nonce, nTime
//! or version, switching the extranonce (coinbase txid + merkle root), the midstates and writing
//! the coinbase into a caller buffer all allocate nothing.
//!
//! A counting global allocator wraps the system one, per thread, as in `alloc_free_decode.rs`.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_in;

use sv2::codec::{B032, U256};
use sv2::messages::{MiningSetNewPrevHash, NewExtendedMiningJob, OpenExtendedMiningChannelSuccess};
use sv2::mining::client::{ClientConfig, ClientEvent, MiningClient, Work};

/// Extended work with a 12-deep branch and a realistic coinbase, straight from the client.
fn work() -> Work {
    let mut c = MiningClient::new(ClientConfig::default());
    let request_id = c.open_extended_channel("a", 1e12, U256::MAX, 8).unwrap();
    c.handle_message(
        OpenExtendedMiningChannelSuccess {
            request_id,
            channel_id: 1,
            target: U256::MAX,
            extranonce_size: 8,
            extranonce_prefix: B032::new(&[1, 2, 3, 4]).unwrap(),
        }
        .into(),
        0,
    )
    .unwrap();
    c.handle_message(
        NewExtendedMiningJob {
            channel_id: 1,
            job_id: 1,
            future_job: true,
            version: 0x2000_0000,
            version_rolling_allowed: true,
            merkle_path: (0..12).map(|i| U256([i; 32])).collect(),
            coinbase_tx_prefix: vec![0x11; 60],
            coinbase_tx_suffix: vec![0x22; 150],
            min_ntime: None,
        }
        .into(),
        0,
    )
    .unwrap();
    c.handle_message(
        MiningSetNewPrevHash {
            channel_id: 1,
            job_id: 1,
            prev_hash: U256([0x33; 32]),
            min_ntime: 1_700_000_000,
            nbits: 0x1703_4219,
        }
        .into(),
        0,
    )
    .unwrap();
    std::iter::from_fn(|| c.next_event())
        .find_map(|e| match e {
            ClientEvent::NewWork(w) => Some(w),
            _ => None,
        })
        .unwrap()
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would make the zero checks below pass vacuously.
    assert_eq!(
        allocations_in(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(16)))),
        1
    );
    let w = work();
    assert!(allocations_in(|| drop(std::hint::black_box(w.coinbase(&[0; 8]).unwrap()))) >= 1);
}

#[test]
fn header_for_a_new_nonce_ntime_version_allocates_nothing() {
    let w = work();
    let mut acc = 0u8;
    let n = allocations_in(|| {
        for i in 0..1000u32 {
            let h = std::hint::black_box(&w).header_for(
                i,
                1_700_000_000 + i / 100,
                0x2000_0000 | ((i & 7) << 13),
            );
            acc ^= h.as_bytes()[79];
            acc ^= w.hash_for(i, 1_700_000_000, 0x2000_0000).0[0];
        }
    });
    std::hint::black_box(acc);
    assert_eq!(
        n, 0,
        "{n} heap allocations in 1000 header builds and hashes"
    );
}

#[test]
fn extranonce_switch_midstates_and_coinbase_allocate_nothing() {
    let mut w = work();
    let mut buf = [0u8; 512];
    let mut acc = 0u32;
    let n = allocations_in(|| {
        for i in 0..200u64 {
            let en = i.to_le_bytes();
            w.set_extranonce(&en).unwrap();
            let h = w
                .header_with(&en, i as u32, 1_700_000_000, 0x2000_0000)
                .unwrap();
            acc ^= h.midstate().0[0];
            acc ^= w.midstate().0[1];
            let (versions, mids) = w.rolled_midstates::<4>().unwrap();
            acc ^= versions[3] ^ mids[3].0[0];
            acc ^= w.write_coinbase(&en, &mut buf).unwrap() as u32;
            acc ^= w.merkle_root_for(&en).unwrap().0[0] as u32;
            acc ^= w.max_ntime(i * 1000);
        }
    });
    std::hint::black_box(acc);
    assert_eq!(n, 0, "{n} heap allocations in 200 extranonce switches");
}
