//! Memory per open standard channel, measured with a counting allocator over 100 000
//! channels (target: < 1 KiB each, DESIGN §3.2 "keep per-channel state small").
//!
//! Run alone (`cargo test --release --test pool_engine_memory -- --nocapture` prints the
//! figure); the allocator counts live bytes process-wide, and this binary has one test.

// SAFETY: the only unsafe code is the `GlobalAlloc` impl below, which forwards every call
// unchanged to `std::alloc::System` and only adjusts a byte counter; test-only.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use sv2::codec::{Str0255, U256};
use sv2::messages::{Message, OpenStandardMiningChannel};
use sv2::mining::pool::*;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments; counting has no
// effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: `ptr` was allocated by `System` through this wrapper with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: u32 = 100_000;

fn open_many(e: &mut PoolEngine, conn: u64) {
    let mut out = Vec::new();
    for i in 0..N {
        e.handle_message(
            conn,
            Message::from(OpenStandardMiningChannel {
                request_id: i,
                // A realistic worker name (heap-allocated per channel, counted).
                user_identity: Str0255::from(format!("account{}.worker{i}", i % 977).as_str()),
                nominal_hash_rate: 100e12,
                max_target: U256::MAX,
            }),
            0,
        )
        .unwrap();
        if i % 4096 == 0 {
            // The Success messages are the caller's once drained; do not count them.
            out.clear();
            e.drain_outgoing(&mut out);
            while e.next_event().is_some() {}
        }
    }
    out.clear();
    e.drain_outgoing(&mut out);
    while e.next_event().is_some() {}
}

#[test]
fn memory_per_standard_channel_below_1_kib() {
    let cfg = PoolConfig {
        max_channels_per_connection: N + 1,
        ..PoolConfig::default()
    };
    let mut e = PoolEngine::new(cfg, Box::new(OpenPolicy)).unwrap();
    let mut src = SyntheticTemplateSource::new(1, 100).with_transactions(3000);
    let (t, p) = src.next_block(1_700_000_000);
    e.new_template(t, 0).unwrap();
    e.set_prev_hash(p, 0).unwrap();
    e.connection_opened(1, 0).unwrap();
    e.connection_opened(2, SETUP_REQUIRES_STANDARD_JOBS)
        .unwrap();

    // Group channels (one connection, one group).
    let before = LIVE.load(Ordering::Relaxed);
    open_many(&mut e, 1);
    let group = (LIVE.load(Ordering::Relaxed) - before) as f64 / f64::from(N);

    // Standard-jobs channels after a job went out (each has its merkle root cached).
    let before = LIVE.load(Ordering::Relaxed);
    open_many(&mut e, 2);
    let upd = src.update();
    e.new_template(upd, 1).unwrap();
    let mut out = Vec::new();
    e.drain_outgoing(&mut out);
    drop(out);
    let standard_jobs = (LIVE.load(Ordering::Relaxed) - before) as f64 / f64::from(N);

    println!("bytes per open standard channel: group {group:.0}, standard-jobs {standard_jobs:.0}");
    assert!(group < 1024.0, "group channel: {group} bytes");
    assert!(
        standard_jobs < 1024.0,
        "standard-jobs channel: {standard_jobs} bytes"
    );
    assert_eq!(e.channel_count(), 2 * N as usize);
}
