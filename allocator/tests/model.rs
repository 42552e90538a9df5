//! Model-based test of the allocator: random sequences of allocations (every size class, large
//! objects, over-aligned and tiny objects, scan and noscan, from two caches), explicit frees (by the
//! allocating cache, by the other cache, and cache-less), sweep cycles with random mark sets (swept
//! at once, or lazily by later allocations, frees and `sweep_one`), flushes and scavenging, checked
//! after every step against a model of the live objects:
//!
//! - live objects (and their slots) never overlap, are aligned, fit their usable size, and keep
//!   the per-object pattern they were filled with;
//! - freed and swept objects are poisoned, and the sweep hook reports exactly the dead scan objects,
//!   still intact;
//! - the statistics equal the model's counts (objects, bytes, per-class counts, cumulative mallocs,
//!   tiny allocations, sweep cycles), or lie within the model's bounds while a sweep is under way,
//!   and satisfy the documented identities.

mod common;
use common::check_identities;

use std::alloc::Layout;
use std::collections::{BTreeMap, BTreeSet};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use gcheap_allocator::sizeclass::{NUM_SIZE_CLASSES, class_size, size_to_class};
use gcheap_allocator::{
    AllocError, AllocStats, Allocator, AllocatorConfig, Cache, MAX_SMALL_SIZE, ObjectKind,
    PAGE_SIZE, POISON_BYTE, RETAIN_BYTES, TINY_SIZE,
};
use proptest::prelude::*;

/// Under Miri, where a full check (slot lookups and a statistics snapshot) costs seconds, it runs
/// only every this many steps (and after sweeps); the other steps check the objects' contents and
/// disjointness. Natively every step gets the full check.
const MIRI_FULL_CHECK_EVERY: usize = 6;

/// One step of a test sequence.
#[derive(Debug, Clone)]
enum Op {
    /// `Cache::alloc` (or `alloc_tiny`) on cache `cache`.
    Alloc(Req),
    /// `count` allocations of the same request in a row (fills spans).
    Burst {
        count: usize,
        req: Req,
    },
    /// Frees a live non-tiny object (`index` modulo their number) through the cache that
    /// allocated it.
    Free {
        index: usize,
    },
    /// Frees a live non-tiny object through the other cache (the cross-cache path).
    FreeFromOtherCache {
        index: usize,
    },
    /// Frees a live non-tiny object with `Allocator::free` (no cache).
    FreeShared {
        index: usize,
    },
    /// Frees up to `count` live non-tiny objects from `index` on, each the way `how` picks
    /// (0: its cache, 1: the other cache, 2: no cache).
    FreeRange {
        index: usize,
        count: usize,
        how: usize,
    },
    /// A sweep cycle; see [`Harness::sweep`].
    Sweep {
        keep: Vec<bool>,
        flush: bool,
        window: Vec<Window>,
        finish: bool,
    },
    /// `Allocator::sweep_one`, `n` times (a background sweeper's work).
    SweepOne {
        n: usize,
    },
    /// `Allocator::finish_sweep`.
    FinishSweep,
    /// `Cache::flush` on cache `cache`.
    Flush {
        cache: usize,
    },
    Scavenge(Scavenge),
    /// A request that must fail without side effects.
    BadAlloc {
        zero: bool,
        tiny: bool,
        cache: usize,
    },
}

/// A step between `start_sweep_cycle` and the caches' safepoint.
#[derive(Debug, Clone, Copy)]
enum Window {
    /// An allocation, marked at once (the collector allocates black).
    Alloc(Req),
    /// `Allocator::sweep_one` (a background sweeper running meanwhile).
    SweepOne,
}

/// An allocation request.
#[derive(Debug, Clone, Copy)]
struct Req {
    size: usize,
    align: usize,
    kind: Kind,
    cache: usize,
}

#[derive(Debug, Clone)]
enum Scavenge {
    Bytes(usize),
    To(usize),
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scan,
    NoScan,
    /// Through `alloc_tiny` (size under 16, align at most 8).
    Tiny,
}

struct Obj {
    id: u64,
    ptr: NonNull<u8>,
    /// Requested size and alignment.
    size: usize,
    align: usize,
    kind: Kind,
    /// The cache that allocated it.
    cache: usize,
    /// Start of its slot: the object itself, or the tiny block holding it.
    base: NonNull<u8>,
    /// Usable size of its slot (16 for a tiny block).
    usable: usize,
    /// Allocated black (marked at once) in a sweep window; its mark may outlive the cycle.
    black: bool,
    /// Its expected contents.
    pattern: Vec<u8>,
}

impl Obj {
    fn addr(&self) -> usize {
        self.ptr.as_ptr().addr()
    }
    fn base_addr(&self) -> usize {
        self.base.as_ptr().addr()
    }
    /// Size class of its slot as the statistics count it (0 = large; tiny blocks are 16 B).
    fn stats_class(&self) -> usize {
        if self.kind != Kind::Tiny && self.size > MAX_SMALL_SIZE {
            0
        } else {
            let c = size_to_class(self.usable);
            assert_eq!(
                class_size(c),
                self.usable,
                "usable size is not a class size"
            );
            c
        }
    }
    fn contents(&self) -> &[u8] {
        // SAFETY: the object is live (the model says so) and `size` bytes long.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.size) }
    }
}

/// The bytes object `id` is filled with: 256 bytes of an xorshift stream seeded by the id,
/// repeated, with each 256-byte chunk starting with the id and the chunk's number (so that a copy
/// displaced within the object shows). Cheap to build for large objects, also under Miri.
fn pattern(id: u64, len: usize) -> Vec<u8> {
    const CHUNK: usize = 256;
    let mut v = Vec::with_capacity(len.max(CHUNK));
    let mut x = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while v.len() < CHUNK {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    while v.len() < len {
        v.extend_from_within(..CHUNK.min(len - v.len()));
    }
    v.truncate(len);
    for (i, chunk) in v.chunks_mut(CHUNK).enumerate() {
        let head = (id ^ (i as u64) << 48).to_le_bytes();
        let n = chunk.len().min(8);
        chunk[..n].copy_from_slice(&head[..n]);
    }
    v
}

fn assert_poisoned(ptr: NonNull<u8>, len: usize, what: &str) {
    // SAFETY: the caller passes a slot of this allocator that was freed and not reused since; its
    // memory stays mapped (the allocator unmaps nothing while it lives).
    let bytes = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), len) };
    if bytes == vec![POISON_BYTE; len] {
        return; // the fast path (a memcmp, also under Miri)
    }
    if let Some(i) = bytes.iter().position(|&b| b != POISON_BYTE) {
        panic!(
            "{what} {ptr:p} (+{len}) not poisoned at offset {i}: {:#x}",
            bytes[i]
        );
    }
}

/// Counts of heap objects: (objects, bytes, objects per size class), as the statistics count them.
fn census<'a>(objs: impl Iterator<Item = &'a Obj>) -> (u64, u64, [u64; NUM_SIZE_CLASSES]) {
    let mut per_class = [0u64; NUM_SIZE_CLASSES];
    let (mut objects, mut bytes) = (0, 0);
    let mut blocks = BTreeSet::new();
    for o in objs {
        if o.kind == Kind::Tiny && !blocks.insert(o.base_addr()) {
            continue; // its block is counted already
        }
        objects += 1;
        bytes += o.usable as u64;
        per_class[o.stats_class()] += 1;
    }
    (objects, bytes, per_class)
}

/// (address, slot size, first bytes) of each object the sweep hook reported.
type Reports = Arc<Mutex<Vec<(usize, usize, Vec<u8>)>>>;

struct Harness {
    allocator: Allocator,
    caches: [Cache; 2],
    reports: Reports,
    live: Vec<Obj>,
    /// Live tiny blocks (base address -> objects in it).
    tiny_blocks: BTreeMap<usize, usize>,
    /// Objects the current sweep cycle frees, while it may not be finished.
    dying: Vec<Obj>,
    /// Whether the current sweep cycle may not be finished.
    sweeping: bool,
    /// Whether memory was released to the OS since the cycle began (released pages read as zero,
    /// not poison).
    scavenged: bool,
    next_id: u64,
    /// Successful allocation calls (tiny or not).
    allocs: u64,
    /// Tiny allocations packed into an existing block.
    tiny_packed: u64,
    /// Cumulative bytes allocated, as the statistics count them.
    total_alloc: u64,
    cycles: u64,
    spans_swept: u64,
}

impl Harness {
    fn new() -> Harness {
        let reports: Reports = Arc::default();
        let sink = reports.clone();
        let config = AllocatorConfig {
            poison_freed: true,
            sweep_hook: Some(Arc::new(move |p: NonNull<u8>, size: usize| {
                // The object is dead but not yet poisoned: read its first bytes.
                // SAFETY: the allocator reports slots of at least 8 bytes, alive until now.
                let head = unsafe { std::slice::from_raw_parts(p.as_ptr(), size.min(8)) };
                sink.lock()
                    .unwrap()
                    .push((p.as_ptr().addr(), size, head.to_vec()));
            })),
        };
        let allocator = Allocator::new(config);
        let caches = [allocator.cache(), allocator.cache()];
        Harness {
            allocator,
            caches,
            reports,
            live: Vec::new(),
            tiny_blocks: BTreeMap::new(),
            dying: Vec::new(),
            sweeping: false,
            scavenged: false,
            next_id: 1,
            allocs: 0,
            tiny_packed: 0,
            total_alloc: 0,
            cycles: 0,
            spans_swept: 0,
        }
    }

    fn run(&mut self, ops: &[Op]) {
        self.check(None);
        for (step, op) in ops.iter().enumerate() {
            let swept_before = self.sweeping;
            self.apply(op);
            let full = !cfg!(miri)
                || step % MIRI_FULL_CHECK_EVERY == MIRI_FULL_CHECK_EVERY - 1
                || matches!(op, Op::Sweep { .. } | Op::FinishSweep);
            if !full {
                self.check_contents(Some((step, op)));
                continue;
            }
            let s = self.check(Some((step, op)));
            if !swept_before && !self.sweeping && !matches!(op, Op::Sweep { .. }) {
                assert_eq!(
                    s.spans_swept, self.spans_swept,
                    "a span was swept outside a sweep cycle"
                );
            }
        }
        self.teardown();
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Alloc(req) => {
                self.alloc(req);
            }
            Op::Burst { count, req } => {
                for _ in 0..count {
                    self.alloc(req);
                }
            }
            Op::Free { index } => self.free(index, 0),
            Op::FreeFromOtherCache { index } => self.free(index, 1),
            Op::FreeShared { index } => self.free(index, 2),
            Op::FreeRange { index, count, how } => {
                let candidates: Vec<usize> = (0..self.live.len())
                    .filter(|&i| self.live[i].kind != Kind::Tiny)
                    .collect();
                let n = candidates.len();
                let chosen: BTreeSet<usize> = (0..count.min(n))
                    .map(|i| candidates[index.wrapping_add(i) % n])
                    .collect();
                let mut gone = Vec::new();
                for (i, o) in std::mem::take(&mut self.live).into_iter().enumerate() {
                    if chosen.contains(&i) {
                        gone.push(o);
                    } else {
                        self.live.push(o);
                    }
                }
                for (i, o) in gone.into_iter().enumerate() {
                    self.free_obj(o, (how + i) % 3);
                }
            }
            Op::Sweep {
                ref keep,
                flush,
                ref window,
                finish,
            } => self.sweep(keep, flush, window, finish),
            Op::SweepOne { n } => {
                for _ in 0..n {
                    self.allocator.sweep_one();
                }
            }
            Op::FinishSweep => self.finish_cycle(),
            Op::Flush { cache } => self.caches[cache].flush(),
            Op::Scavenge(ref how) => self.scavenge(how),
            Op::BadAlloc { zero, tiny, cache } => {
                let before = self.allocator.stats();
                let (layout, expected) = if zero {
                    (Layout::from_size_align(0, 8).unwrap(), AllocError::ZeroSize)
                } else {
                    (
                        Layout::from_size_align(64, 2 * PAGE_SIZE).unwrap(),
                        AllocError::UnsupportedAlignment {
                            align: 2 * PAGE_SIZE,
                        },
                    )
                };
                let got = if tiny {
                    self.caches[cache].alloc_tiny(layout)
                } else {
                    self.caches[cache].alloc(layout, ObjectKind::Scan)
                };
                assert_eq!(got, Err(expected));
                let after = self.allocator.stats();
                assert_eq!((after.mallocs, after.frees), (before.mallocs, before.frees));
            }
        }
    }

    /// Allocates, checks and fills an object; returns its index in `live`.
    fn alloc(&mut self, req: Req) -> usize {
        self.alloc_as(req, false)
    }

    /// Like `alloc`, for an object the caller marks at once.
    fn alloc_black(&mut self, req: Req) -> usize {
        self.alloc_as(req, true)
    }

    fn alloc_as(&mut self, req: Req, black: bool) -> usize {
        let Req {
            size,
            align,
            kind,
            cache,
        } = req;
        let layout = Layout::from_size_align(size, align).unwrap();
        let c = &mut self.caches[cache];
        let p = match kind {
            Kind::Scan => c.alloc(layout, ObjectKind::Scan),
            Kind::NoScan => c.alloc(layout, ObjectKind::NoScan),
            Kind::Tiny => c.alloc_tiny(layout),
        }
        .unwrap_or_else(|e| panic!("alloc {layout:?} {kind:?}: {e}"));
        self.allocs += 1;
        let addr = p.as_ptr().addr();
        assert_eq!(addr % align, 0, "{p:p} not aligned to {align}");
        let base = self
            .allocator
            .object_base(p)
            .unwrap_or_else(|| panic!("new object {p:p} is not inside an allocated slot"));
        let usable = self.allocator.usable_size(p).unwrap();
        if kind == Kind::Tiny {
            assert!(size < TINY_SIZE && align <= 8);
            assert_eq!(
                usable, TINY_SIZE,
                "tiny object {p:p} not in a 16-byte block"
            );
            let offset = addr - base.as_ptr().addr();
            assert!(offset + size <= TINY_SIZE, "tiny object crosses its block");
            let block = base.as_ptr().addr();
            let block_live = self.tiny_blocks.get(&block).is_some_and(|&n| n > 0);
            if offset == 0 {
                // A fresh block: one more heap object.
                assert!(!block_live, "fresh tiny block {base:p} holds live objects");
                self.total_alloc += TINY_SIZE as u64;
            } else {
                self.tiny_packed += 1;
                if !block_live && black {
                    // Packed, before the safepoint, into a block that this cycle would free, not
                    // swept yet: marking the new object keeps the whole block alive.
                    let (back, dying): (Vec<Obj>, Vec<Obj>) = std::mem::take(&mut self.dying)
                        .into_iter()
                        .partition(|o| o.kind == Kind::Tiny && o.base == base);
                    self.dying = dying;
                    assert!(
                        !back.is_empty(),
                        "tiny object {p:p} packed into a freed block"
                    );
                    for o in back {
                        assert_eq!(o.contents(), &o.pattern[..], "object {} corrupted", o.id);
                        *self.tiny_blocks.entry(block).or_default() += 1;
                        self.live.push(o);
                    }
                } else {
                    assert!(block_live, "tiny object {p:p} packed into a dead block");
                }
            }
            *self.tiny_blocks.entry(block).or_default() += 1;
        } else {
            assert_eq!(base, p, "object {p:p} does not start its slot");
            assert!(usable >= size);
            if size > MAX_SMALL_SIZE {
                assert_eq!(addr % PAGE_SIZE, 0);
                assert_eq!(usable, size.next_multiple_of(PAGE_SIZE));
            } else if align <= 8 {
                assert_eq!(usable, class_size(size_to_class(size)));
            } else {
                assert_eq!(usable % align, 0);
                assert_eq!(class_size(size_to_class(usable)), usable);
            }
            self.total_alloc += usable as u64;
        }
        let id = self.next_id;
        self.next_id += 1;
        let pattern = pattern(id, size);
        // SAFETY: a fresh allocation of at least `size` bytes.
        unsafe { std::ptr::copy_nonoverlapping(pattern.as_ptr(), p.as_ptr(), size) };
        self.live.push(Obj {
            id,
            ptr: p,
            size,
            align,
            kind,
            cache,
            base,
            usable,
            black,
            pattern,
        });
        self.live.len() - 1
    }

    /// Frees a live non-tiny object: `how` 0 = its cache, 1 = the other cache, 2 = no cache.
    fn free(&mut self, index: usize, how: usize) {
        let candidates = self.live.iter().filter(|o| o.kind != Kind::Tiny).count();
        if candidates == 0 {
            return;
        }
        let (i, _) = (self.live.iter().enumerate())
            .filter(|(_, o)| o.kind != Kind::Tiny)
            .nth(index % candidates)
            .unwrap();
        let obj = self.live.remove(i);
        self.free_obj(obj, how);
    }

    fn free_obj(&mut self, obj: Obj, how: usize) {
        assert_eq!(
            obj.contents(),
            &obj.pattern[..],
            "object {} corrupted",
            obj.id
        );
        // SAFETY: the object is live and no one uses it afterwards.
        unsafe {
            match how {
                0 => self.caches[obj.cache].free(obj.ptr),
                1 => self.caches[1 - obj.cache].free(obj.ptr),
                _ => self.allocator.free(obj.ptr),
            }
        }
        assert_poisoned(obj.ptr, obj.usable, "freed object");
    }

    /// A sweep cycle, as a collector runs one:
    /// 1. finish the previous cycle (marking must not start before it is swept);
    /// 2. mark the survivors: object i iff `keep[i % keep.len()]` (none if `keep` is empty), plus
    ///    what is still marked from allocating black; a tiny object survives iff its block does;
    /// 3. flush both caches (`flush`) or only make sure they did since the cycle began
    ///    (`prepare_for_sweep`: they may keep spans, which become unswept);
    /// 4. `start_sweep_cycle`;
    /// 5. run `window`: allocations (black: marked at once) and `sweep_one` before the caches
    ///    reach a safepoint, then `prepare_for_sweep` on both (releasing, and so sweeping, the
    ///    spans they held);
    /// 6. `finish_sweep` now (`finish`), or leave the rest to later allocations, frees,
    ///    `sweep_one` and `finish_sweep` steps.
    fn sweep(&mut self, keep: &[bool], flush: bool, window: &[Window], finish: bool) {
        self.finish_cycle();
        let premarked: Vec<bool> = self
            .live
            .iter()
            .map(|o| self.allocator.is_marked(o.ptr) == Some(true))
            .collect();
        let black = self.black_slots();
        for (o, &m) in self.live.iter().zip(&premarked) {
            let b = black.contains(&o.base_addr());
            assert!(!m || b, "object {} is marked before marking", o.id);
        }
        let chosen: Vec<bool> = (0..self.live.len())
            .map(|i| !keep.is_empty() && keep[i % keep.len()])
            .collect();
        for (o, &c) in self.live.iter().zip(&chosen) {
            if c {
                self.allocator.mark(o.ptr);
            }
        }
        let marked_blocks: BTreeSet<usize> = self
            .live
            .iter()
            .enumerate()
            .filter(|(i, o)| (chosen[*i] || premarked[*i]) && o.kind == Kind::Tiny)
            .map(|(_, o)| o.base_addr())
            .collect();
        let survives: Vec<bool> = self
            .live
            .iter()
            .enumerate()
            .map(|(i, o)| match o.kind {
                Kind::Tiny => marked_blocks.contains(&o.base_addr()),
                _ => chosen[i] || premarked[i],
            })
            .collect();
        for (o, &s) in self.live.iter().zip(&survives) {
            let marked = self.allocator.is_marked(o.ptr);
            assert_eq!(marked, Some(s), "mark bit of object {}", o.id);
        }

        for c in &mut self.caches {
            if flush {
                c.flush();
            } else {
                c.prepare_for_sweep();
            }
        }
        assert!(
            self.reports.lock().unwrap().is_empty(),
            "hook ran before the sweep"
        );
        self.allocator.start_sweep_cycle();
        self.cycles += 1;
        let mut survivors = Vec::new();
        for (mut o, s) in std::mem::take(&mut self.live).into_iter().zip(survives) {
            o.black = false;
            if s {
                survivors.push(o);
            } else {
                self.dying.push(o);
            }
        }
        self.live = survivors;
        self.tiny_blocks.clear();
        for o in self.live.iter().filter(|o| o.kind == Kind::Tiny) {
            *self.tiny_blocks.entry(o.base_addr()).or_default() += 1;
        }
        self.sweeping = true;
        self.scavenged = false;

        for &step in window {
            match step {
                Window::Alloc(req) => {
                    let i = self.alloc_black(req);
                    self.allocator.mark(self.live[i].ptr);
                }
                Window::SweepOne => {
                    self.allocator.sweep_one();
                }
            }
        }
        for c in &mut self.caches {
            c.prepare_for_sweep();
        }
        if finish {
            self.finish_cycle();
        }
    }

    /// Finishes the current sweep cycle, if any, and checks what it freed.
    fn finish_cycle(&mut self) {
        if !self.sweeping {
            return;
        }
        let before = self.allocator.stats();
        self.allocator.finish_sweep();
        self.sweeping = false;
        let dead = std::mem::take(&mut self.dying);

        // The hook reported exactly the dead scan objects, intact until then.
        let mut expected: Vec<(usize, usize, Vec<u8>)> = dead
            .iter()
            .filter(|o| o.kind == Kind::Scan)
            .map(|o| (o.addr(), o.usable, o.pattern[..o.size.min(8)].to_vec()))
            .collect();
        // Compare as many bytes as each object has (its size may be under 8).
        let head_len: BTreeMap<usize, usize> = expected.iter().map(|e| (e.0, e.2.len())).collect();
        let mut reported: Vec<(usize, usize, Vec<u8>)> =
            std::mem::take(&mut *self.reports.lock().unwrap())
                .into_iter()
                .map(|(addr, size, mut head)| {
                    head.truncate(head_len.get(&addr).copied().unwrap_or(8));
                    (addr, size, head)
                })
                .collect();
        expected.sort();
        reported.sort();
        assert_eq!(
            reported, expected,
            "sweep hook reports != dead scan objects"
        );

        // Dead slots are poisoned (each tiny block once), unless reused or released since.
        if !self.scavenged {
            let live_slots: BTreeMap<usize, usize> = self
                .live
                .iter()
                .map(|o| (o.base_addr(), o.usable))
                .collect();
            let reused = |start: usize, len: usize| {
                live_slots
                    .range(..start + len)
                    .next_back()
                    .is_some_and(|(&s, &l)| s + l > start)
            };
            let mut blocks = BTreeSet::new();
            for o in &dead {
                if (o.kind != Kind::Tiny || blocks.insert(o.base_addr()))
                    && !reused(o.base_addr(), o.usable)
                {
                    assert_poisoned(o.base, o.usable, "swept object");
                }
            }
        }
        let black = self.black_slots();
        for o in self.live.iter().filter(|o| !black.contains(&o.base_addr())) {
            let marked = self.allocator.is_marked(o.ptr);
            assert_eq!(
                marked,
                Some(false),
                "object {}: mark survived the sweep",
                o.id
            );
        }
        let after = self.allocator.stats();
        assert!(after.spans_swept >= before.spans_swept);
        if !dead.is_empty() {
            assert!(
                after.spans_swept > self.spans_swept,
                "objects died, no span swept"
            );
        }
        self.spans_swept = after.spans_swept;
    }

    /// Slots (tiny blocks included) holding an object allocated black: they may still be marked.
    fn black_slots(&self) -> BTreeSet<usize> {
        self.live
            .iter()
            .filter(|o| o.black)
            .map(Obj::base_addr)
            .collect()
    }

    fn scavenge(&mut self, how: &Scavenge) {
        let before = self.allocator.stats();
        let retained = before.heap_idle - before.heap_released;
        let (released, expected) = match *how {
            Scavenge::Bytes(n) => (
                self.allocator.scavenge(n),
                retained.min((n / PAGE_SIZE * PAGE_SIZE) as u64),
            ),
            Scavenge::To(n) => (
                self.allocator.scavenge_to(n),
                retained.saturating_sub((n / PAGE_SIZE * PAGE_SIZE) as u64),
            ),
            Scavenge::All => (self.allocator.release_all(), retained),
        };
        assert_eq!(
            released as u64, expected,
            "{how:?} with {retained} retained"
        );
        let after = self.allocator.stats();
        assert_eq!(after.heap_released, before.heap_released + expected);
        assert_eq!(after.scavenged_total, before.scavenged_total + expected);
        assert_eq!(after.heap_idle, before.heap_idle);
        self.scavenged |= released > 0;
    }

    /// Checks every invariant against the model; returns the statistics it checked.
    fn check(&self, step: Option<(usize, &Op)>) -> AllocStats {
        let ctx = || format!("after step {step:?}");
        self.check_contents(step);
        // Slot lookups.
        for o in &self.live {
            assert_eq!(self.allocator.object_base(o.ptr), Some(o.base), "{}", ctx());
            let usable = self.allocator.usable_size(o.ptr);
            assert_eq!(usable, Some(o.usable), "{}", ctx());
            assert!(o.usable >= o.size);
        }
        self.check_stats(step)
    }

    /// Checks the live objects' contents, alignment and disjointness (no allocator calls).
    fn check_contents(&self, step: Option<(usize, &Op)>) {
        let ctx = || format!("after step {step:?}");
        for o in &self.live {
            assert_eq!(
                o.contents(),
                &o.pattern[..],
                "object {} ({:?}) corrupted {}",
                o.id,
                o.kind,
                ctx()
            );
            assert_eq!(o.addr() % o.align, 0);
        }
        // No two live objects overlap (requested sizes)...
        let mut by_addr: Vec<(usize, usize, u64)> =
            self.live.iter().map(|o| (o.addr(), o.size, o.id)).collect();
        by_addr.sort_unstable();
        for w in by_addr.windows(2) {
            assert!(
                w[0].0 + w[0].1 <= w[1].0,
                "objects {} and {} overlap {}",
                w[0].2,
                w[1].2,
                ctx()
            );
        }
        // ...and neither do their slots (tiny blocks counted once).
        let mut slots: BTreeMap<usize, usize> = BTreeMap::new();
        for o in &self.live {
            let prev = slots.insert(o.base_addr(), o.usable);
            assert!(
                prev.is_none() || o.kind == Kind::Tiny,
                "two objects share slot {:p}",
                o.base
            );
        }
        let mut end = 0;
        for (&start, &len) in &slots {
            assert!(start >= end, "slots overlap at {start:#x} {}", ctx());
            end = start + len;
        }
        let blocks: Vec<usize> = slots
            .keys()
            .copied()
            .filter(|b| self.tiny_blocks.contains_key(b))
            .collect();
        assert_eq!(blocks.len(), self.tiny_blocks.len());
    }

    /// Checks the statistics: exact between sweep cycles, bounded while one may be under way.
    fn check_stats(&self, step: Option<(usize, &Op)>) -> AllocStats {
        let ctx = || format!("after step {step:?}");
        let s = self.allocator.stats();
        check_identities(&s);
        let (objects, bytes, per_class) = census(self.live.iter());
        let (d_objects, d_bytes, d_per_class) = if self.sweeping {
            census(self.dying.iter())
        } else {
            (0, 0, [0; NUM_SIZE_CLASSES])
        };
        let within = |v: u64, lo: u64, extra: u64| lo <= v && v <= lo + extra;
        assert!(
            within(s.heap_objects, objects, d_objects),
            "heap_objects {} not in {objects}+{d_objects} {}",
            s.heap_objects,
            ctx()
        );
        assert!(
            within(s.heap_alloc, bytes, d_bytes),
            "heap_alloc {} not in {bytes}+{d_bytes} {}",
            s.heap_alloc,
            ctx()
        );
        assert_eq!(s.mallocs, self.allocs, "mallocs {}", ctx());
        assert_eq!(s.frees, s.mallocs - s.heap_objects, "frees {}", ctx());
        assert_eq!(s.tiny_allocs, self.tiny_packed, "tiny_allocs {}", ctx());
        assert_eq!(s.total_alloc, self.total_alloc, "total_alloc {}", ctx());
        assert_eq!(s.sweep_cycles, self.cycles);
        assert_eq!(s.by_size.len(), NUM_SIZE_CLASSES);
        for (c, b) in s.by_size.iter().enumerate() {
            assert_eq!(b.size as usize, class_size(c));
            assert!(
                within(b.mallocs - b.frees, per_class[c], d_per_class[c]),
                "class {c}: {} live, model {}+{} {}",
                b.mallocs - b.frees,
                per_class[c],
                d_per_class[c],
                ctx()
            );
        }
        let class_mallocs: u64 = s.by_size.iter().map(|b| b.mallocs).sum();
        assert_eq!(class_mallocs + s.tiny_allocs, s.mallocs);
        s
    }

    /// Frees everything, sweeps the rest away, and checks that the heap is empty.
    fn teardown(&mut self) {
        let (tiny, others): (Vec<Obj>, Vec<Obj>) = std::mem::take(&mut self.live)
            .into_iter()
            .partition(|o| o.kind == Kind::Tiny);
        self.live = tiny;
        for (i, o) in others.into_iter().enumerate() {
            self.free_obj(o, i % 3);
        }
        // Twice: objects allocated black in the last cycle may still be marked.
        self.sweep(&[], true, &[], true);
        self.sweep(&[], true, &[], true);
        let s = self.check(None);
        assert_eq!(
            (s.heap_objects, s.heap_alloc, s.heap_inuse),
            (0, 0, 0),
            "{s:?}"
        );
        assert_eq!(s.mallocs, s.frees);
        self.allocator.release_all();
        let s = self.allocator.stats();
        assert_eq!(s.heap_released, s.heap_sys);
        let fresh = [self.allocator.cache(), self.allocator.cache()];
        drop(std::mem::replace(&mut self.caches, fresh));
        let t = self.allocator.stats();
        assert_eq!(
            (t.mallocs, t.frees, t.total_alloc),
            (s.mallocs, s.frees, s.total_alloc)
        );
    }
}

fn size_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 1usize..=128,
        3 => 129usize..=2048,
        2 => 2049usize..=MAX_SMALL_SIZE,
        1 => (MAX_SMALL_SIZE + 1)..=300_000,
    ]
}

fn align_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![
        8 => Just(8usize),
        2 => (0u32..=2).prop_map(|s| 1usize << s),
        3 => (4u32..=12).prop_map(|s| 1usize << s),
        1 => Just(PAGE_SIZE),
    ]
}

fn req_strategy() -> impl Strategy<Value = Req> {
    prop_oneof![
        12 => (size_strategy(), align_strategy(), any::<bool>(), 0usize..2).prop_map(
            |(size, align, scan, cache)| Req {
                size,
                align,
                kind: if scan { Kind::Scan } else { Kind::NoScan },
                cache,
            }
        ),
        5 => (1usize..TINY_SIZE, 0u32..=3, 0usize..2).prop_map(|(size, a, cache)| Req {
            size,
            align: 1 << a,
            kind: Kind::Tiny,
            cache,
        }),
    ]
}

/// Runs of objects of one class: small ones, enough to fill spans, or big ones, enough to use up a
/// cache's budget of retained full spans (so that filled spans go back to the central lists).
fn burst_strategy() -> impl Strategy<Value = Op> {
    let small = (1usize..1100, 1usize..=64);
    let big = (1usize..100, 2049usize..=MAX_SMALL_SIZE);
    let runs = prop_oneof![3 => small, 1 => big];
    (runs, 0usize..3, 0usize..2).prop_map(|((count, size), k, cache)| {
        let kind = [Kind::Scan, Kind::NoScan, Kind::Tiny][k];
        let kind = if size > 64 && kind == Kind::Tiny {
            Kind::NoScan
        } else {
            kind
        };
        let size = if kind == Kind::Tiny {
            size % (TINY_SIZE - 1) + 1
        } else {
            size
        };
        Op::Burst {
            count,
            req: Req {
                size,
                align: 1,
                kind,
                cache,
            },
        }
    })
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        17 => req_strategy().prop_map(Op::Alloc),
        2 => burst_strategy(),
        3 => any::<usize>().prop_map(|index| Op::Free { index }),
        2 => any::<usize>().prop_map(|index| Op::FreeFromOtherCache { index }),
        1 => any::<usize>().prop_map(|index| Op::FreeShared { index }),
        1 => (any::<usize>(), 1usize..200, 0usize..3)
            .prop_map(|(index, count, how)| Op::FreeRange { index, count, how }),
        2 => (
            proptest::collection::vec(any::<bool>(), 0..12),
            any::<bool>(),
            proptest::collection::vec(
                prop_oneof![
                    3 => req_strategy().prop_map(Window::Alloc),
                    1 => Just(Window::SweepOne),
                ],
                0..6
            ),
            any::<bool>(),
        )
            .prop_map(|(keep, flush, window, finish)| Op::Sweep {
                keep,
                flush,
                window,
                finish,
            }),
        1 => (1usize..20).prop_map(|n| Op::SweepOne { n }),
        1 => Just(Op::FinishSweep),
        1 => (0usize..2).prop_map(|cache| Op::Flush { cache }),
        1 => prop_oneof![
            (0usize..64 * PAGE_SIZE).prop_map(Scavenge::Bytes),
            (0usize..64 * PAGE_SIZE).prop_map(Scavenge::To),
            Just(Scavenge::All),
        ]
        .prop_map(Op::Scavenge),
        1 => (any::<bool>(), any::<bool>(), 0usize..2)
            .prop_map(|(zero, tiny, cache)| Op::BadAlloc { zero, tiny, cache }),
    ]
}

proptest! {
    // PROPTEST_CASES overrides the default of 64 cases (for longer runs).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn model(ops in proptest::collection::vec(op_strategy(), 1..200)) {
        Harness::new().run(&ops);
    }
}

/// Short constructors for writing out a fixed sequence of steps.
mod fixed_ops {
    use super::{Kind, Op, Req, Window};

    /// A request for `size` bytes aligned to `align` of `kind` on cache `cache`.
    pub fn req(size: usize, align: usize, kind: Kind, cache: usize) -> Req {
        Req {
            size,
            align,
            kind,
            cache,
        }
    }

    /// An allocation, scan or noscan.
    pub fn a(size: usize, align: usize, scan: bool, cache: usize) -> Op {
        let kind = if scan { Kind::Scan } else { Kind::NoScan };
        Op::Alloc(req(size, align, kind, cache))
    }

    /// A tiny allocation.
    pub fn t(size: usize, align: usize, cache: usize) -> Op {
        Op::Alloc(req(size, align, Kind::Tiny, cache))
    }

    /// A sweep cycle.
    pub fn sweep(keep: &[bool], flush: bool, window: Vec<Window>, finish: bool) -> Op {
        Op::Sweep {
            keep: keep.to_vec(),
            flush,
            window,
            finish,
        }
    }

    /// An object index for a free step (taken modulo the live objects), spread out from `i`.
    pub fn idx(i: usize) -> usize {
        i * 7 + 3
    }
}

/// A fixed sequence exercising every kind of step; small enough for Miri (where each step's check
/// costs about a second per few dozen live objects).
#[test]
fn model_fixed_sequence() {
    use fixed_ops::{a, idx, req, sweep, t};
    let ops = vec![
        a(8, 8, true, 0),
        a(24, 8, false, 0),
        t(1, 1, 0),
        t(7, 4, 0),
        t(3, 2, 0),
        a(100, 8, true, 1),
        t(9, 8, 0),
        t(12, 4, 1),
        a(1000, 64, true, 0),
        a(MAX_SMALL_SIZE, 8, false, 1),
        a(33_000, 8, true, 0),
        a(3000, 4096, false, 1),
        a(1, 1, true, 0),
        a(200, PAGE_SIZE, true, 1),
        Op::Free { index: idx(1) },
        Op::FreeFromOtherCache { index: idx(2) },
        Op::FreeShared { index: idx(3) },
        sweep(&[true, false, true], true, vec![], true),
        a(48, 16, true, 0),
        a(48, 16, true, 0),
        t(15, 1, 1),
        t(2, 2, 1),
        a(5000, 8, true, 1),
        Op::Flush { cache: 0 },
        a(300, 8, true, 0),
        Op::FreeFromOtherCache { index: idx(4) },
        Op::BadAlloc {
            zero: true,
            tiny: true,
            cache: 0,
        },
        Op::BadAlloc {
            zero: false,
            tiny: false,
            cache: 1,
        },
        Op::Scavenge(Scavenge::Bytes(3 * PAGE_SIZE)),
        // 1 KiB objects, 8 to a span: fills two spans and starts a third.
        Op::Burst {
            count: 20,
            req: req(1024, 1, Kind::Scan, 0),
        },
        Op::Burst {
            count: 12,
            req: req(5, 1, Kind::Tiny, 1),
        },
        a(50_000, 8, false, 0),
        a(17, 8, true, 1),
        // A lazy cycle: caches keep their spans, objects allocated black before the safepoint,
        // sweeping by frees, allocation and sweep_one.
        sweep(
            &[false, true],
            false,
            vec![
                Window::Alloc(req(17, 8, Kind::Scan, 0)),
                Window::SweepOne,
                Window::Alloc(req(40_000, 1, Kind::NoScan, 1)),
                Window::Alloc(req(32, 1, Kind::Scan, 0)),
            ],
            false,
        ),
        Op::FreeShared { index: idx(9) },
        Op::FreeRange {
            index: 0,
            count: 10,
            how: 1,
        },
        a(32, 8, true, 1),
        Op::SweepOne { n: 3 },
        Op::Scavenge(Scavenge::To(PAGE_SIZE)),
        a(2048, 2048, true, 0),
        t(5, 1, 0),
        t(5, 1, 0),
        Op::FinishSweep,
        Op::Free { index: idx(5) },
        a(9000, 8, true, 1),
        Op::Flush { cache: 1 },
        sweep(&[true, true, false], false, vec![], true),
        a(33_000, 8, true, 1),
        Op::FreeFromOtherCache { index: idx(8) },
        Op::Scavenge(Scavenge::All),
        sweep(
            &[true],
            true,
            vec![Window::Alloc(req(64, 64, Kind::Scan, 1))],
            false,
        ),
        a(128, 8, false, 0),
        sweep(&[], false, vec![], false),
        a(64, 8, true, 0),
    ];
    Harness::new().run(&ops);
}

/// A cache must not pack tiny objects into a block that a sweep has freed.
///
/// The cache keeps its current tiny block after it releases the block's span (when the span fills
/// up and the block still has more room than a fresh one). A sweep cycle may then free that block,
/// and the cache, before its next `prepare_for_sweep`, keeps packing objects into freed memory.
#[test]
fn tiny_block_of_a_released_span_is_not_used_after_a_sweep() {
    let allocator = Allocator::default();
    let mut cache = allocator.cache();
    let tiny = |size, align| Layout::from_size_align(size, align).unwrap();
    // Use up the cache's retention budget, so that spans it fills from now on are released.
    let big = Layout::from_size_align(32 << 10, 8).unwrap();
    for _ in 0..=RETAIN_BYTES / (32 << 10) {
        cache.alloc(big, ObjectKind::NoScan).unwrap();
    }
    // Block B with 8 bytes left.
    let first = cache.alloc_tiny(tiny(8, 1)).unwrap();
    let page = first.as_ptr().addr() / PAGE_SIZE; // tiny spans are one page
    // 9-byte objects never fit in B, so each takes a fresh block, and the cache keeps B (it has
    // more room). Fill B's span until the cache releases it and moves on to another span.
    while cache.alloc_tiny(tiny(9, 1)).unwrap().as_ptr().addr() / PAGE_SIZE == page {}
    // Nothing is marked: a sweep cycle frees B's span (the first cycle: no flush is due before it).
    allocator.start_sweep_cycle();
    allocator.finish_sweep();
    assert_eq!(allocator.object_base(first), None, "B's span was freed");
    // Before its next safepoint the mutator allocates a tiny object: it lands in B.
    let p = cache.alloc_tiny(tiny(4, 4)).unwrap();
    assert!(
        allocator.object_base(p).is_some(),
        "alloc_tiny returned {p:p}, inside a span the sweep freed"
    );
}
