//! Multi-threaded tests: threads allocating and freeing through their own caches with cross-thread
//! frees, and workers that allocate and mark while a background thread sweeps, all with every
//! object's contents verified.

mod common;
use common::check_identities;

use std::alloc::Layout;
use std::collections::{BTreeSet, HashSet};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use gcheap_allocator::{
    AllocStats, Allocator, AllocatorConfig, Cache, MAX_SMALL_SIZE, ObjectKind, SweepHook, TINY_SIZE,
};

/// A barrier that fails instead of hanging when a thread taking part in it panicked.
struct Phases {
    state: Mutex<(usize, u64)>,
    cv: Condvar,
    parties: usize,
    failed: AtomicBool,
}

impl Phases {
    fn new(parties: usize) -> Phases {
        Phases {
            state: Mutex::new((0, 0)),
            cv: Condvar::new(),
            parties,
            failed: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, (usize, u64)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait(&self) {
        let mut state = self.lock();
        let generation = state.1;
        state.0 += 1;
        if state.0 == self.parties {
            *state = (0, generation + 1);
            self.cv.notify_all();
            return;
        }
        while state.1 == generation {
            if self.failed.load(Acquire) {
                drop(state);
                panic!("another thread failed");
            }
            state = self
                .cv
                .wait_timeout(state, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Marks the phases failed if the thread holding it panics.
struct FailOnPanic<'a>(&'a Phases);

impl Drop for FailOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.failed.store(true, Release);
            self.0.cv.notify_all();
        }
    }
}

/// xorshift64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A random request: mostly small, some up to 32 KiB, a few large; mostly 8-aligned.
fn random_layout(rng: &mut Rng) -> Layout {
    let size = match rng.below(100) {
        0..=59 => 1 + rng.below(256),
        60..=89 => 1 + rng.below(4096),
        90..=98 => 1 + rng.below(MAX_SMALL_SIZE),
        _ => MAX_SMALL_SIZE + 1 + rng.below(100_000),
    };
    let align = if rng.chance(85) {
        8
    } else {
        1 << (4 + rng.below(9)) // 16 ..= 4096
    };
    Layout::from_size_align(size, align).unwrap()
}

/// An object and what it must contain; `Send` so that it can change threads.
struct Obj {
    ptr: NonNull<u8>,
    size: usize,
    /// Allocating thread in the top 16 bits, object number below.
    tag: u64,
    tiny: bool,
}

// SAFETY: the pointer is to an allocator object that only the holder of this `Obj` uses.
unsafe impl Send for Obj {}

impl Obj {
    fn new(ptr: NonNull<u8>, layout: Layout, thread: usize, id: u64, tiny: bool) -> Obj {
        assert_eq!(ptr.as_ptr().addr() % layout.align(), 0, "misaligned");
        let obj = Obj {
            ptr,
            size: layout.size(),
            tag: (thread as u64) << 48 | id,
            tiny,
        };
        let pattern = pattern(obj.tag, obj.size);
        // SAFETY: a fresh allocation of `size` bytes.
        unsafe { std::ptr::copy_nonoverlapping(pattern.as_ptr(), ptr.as_ptr(), obj.size) };
        obj
    }

    fn thread(&self) -> usize {
        (self.tag >> 48) as usize
    }

    fn verify(&self) {
        // SAFETY: the object is live and `size` bytes long.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.size) };
        if let Some(i) = bytes
            .iter()
            .zip(pattern(self.tag, self.size))
            .position(|(a, b)| *a != b)
        {
            panic!(
                "object {:p} (thread {}, #{}, {} B) corrupted at offset {i}: {:#x}",
                self.ptr,
                self.thread(),
                self.tag & 0xFFFF_FFFF_FFFF,
                self.size,
                bytes[i]
            );
        }
    }
}

/// The bytes an object with `tag` holds: the tag, then an xorshift stream seeded by it.
fn pattern(tag: u64, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 8);
    v.extend_from_slice(&tag.to_le_bytes());
    let mut rng = Rng::new(tag);
    while v.len() < len {
        v.extend_from_slice(&rng.next().to_le_bytes());
    }
    v.truncate(len);
    v
}

fn alloc(cache: &mut Cache, layout: Layout, rng: &mut Rng) -> NonNull<u8> {
    let kind = if rng.chance(50) {
        ObjectKind::Scan
    } else {
        ObjectKind::NoScan
    };
    cache.alloc(layout, kind).expect("allocation failed")
}

/// Threads in `cross_thread_frees`, each handing objects to the next one round the ring.
const RING_THREADS: usize = 4;
/// Rounds each ring thread runs.
const RING_ROUNDS: usize = 80;
/// Objects each ring thread allocates per round.
const RING_BATCH: usize = 64;

/// Threads allocate, hand half of their objects to the next thread (which verifies and frees
/// them: cross-thread frees), free some of their own, and finally free everything.
#[test]
#[cfg_attr(miri, ignore)]
fn cross_thread_frees() {
    let allocator = Allocator::new(AllocatorConfig {
        poison_freed: true,
        sweep_hook: None,
    });
    let done = Arc::new(AtomicBool::new(false));
    let ring = spawn_ring(&allocator);
    let sampler = spawn_stats_sampler(&allocator, &done);
    let allocated: u64 = ring.into_iter().map(|h| h.join().unwrap()).sum();
    done.store(true, Release);
    let snapshots = sampler.join().unwrap();
    assert!(snapshots > 0);
    check_ring_freed_everything(&allocator, allocated);
}

/// Spawns the ring threads of `cross_thread_frees`; each returns how many objects it allocated.
fn spawn_ring(allocator: &Allocator) -> Vec<thread::JoinHandle<u64>> {
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..RING_THREADS)
        .map(|_| mpsc::channel::<Vec<Obj>>())
        .unzip();
    let mut handles = Vec::new();
    for (t, rx) in receivers.into_iter().enumerate() {
        // Thread t sends to thread t + 1 and receives from thread t - 1.
        let tx = senders[(t + 1) % RING_THREADS].clone();
        let allocator = allocator.clone();
        handles.push(thread::spawn(move || ring_thread(t, allocator, tx, rx)));
    }
    handles
}

/// Ring thread `t`: rounds of allocating, handing over, freeing its own and freeing what it
/// received; then it frees everything left. Returns how many objects it allocated.
fn ring_thread(
    t: usize,
    allocator: Allocator,
    tx: mpsc::Sender<Vec<Obj>>,
    rx: mpsc::Receiver<Vec<Obj>>,
) -> u64 {
    let mut cache = allocator.cache();
    let mut rng = Rng::new(t as u64 + 1);
    let mut own: Vec<Obj> = Vec::new();
    let mut allocated = 0u64;
    let from = (t + RING_THREADS - 1) % RING_THREADS;
    for round in 0..RING_ROUNDS {
        if round % 8 == 7 {
            // Spans change hands: remote frees then meet spans in the central lists.
            cache.flush();
        }
        allocate_and_hand_over(&mut cache, &mut rng, t, &mut allocated, &mut own, &tx);
        free_half_of_own(&mut cache, &mut rng, &mut own);
        while let Ok(batch) = rx.try_recv() {
            free_received(&allocator, &mut cache, batch, from);
        }
        own.iter().for_each(Obj::verify);
    }
    drop(tx);
    // Every thread dropped its sender before draining, so this ends.
    for batch in rx {
        free_received(&allocator, &mut cache, batch, from);
    }
    for o in own {
        o.verify();
        // SAFETY: live and forgotten.
        unsafe { cache.free(o.ptr) };
    }
    allocated
}

/// One round's batch of allocations by ring thread `t`: each object goes at random to `own` or
/// to the next thread, which gets them in bundles of at most 8.
fn allocate_and_hand_over(
    cache: &mut Cache,
    rng: &mut Rng,
    t: usize,
    allocated: &mut u64,
    own: &mut Vec<Obj>,
    tx: &mpsc::Sender<Vec<Obj>>,
) {
    let mut outgoing = Vec::new();
    for _ in 0..RING_BATCH {
        let layout = random_layout(rng);
        let p = alloc(cache, layout, rng);
        *allocated += 1;
        let o = Obj::new(p, layout, t, *allocated, false);
        if rng.chance(50) {
            outgoing.push(o);
        } else {
            own.push(o);
        }
        if outgoing.len() == 8 {
            tx.send(std::mem::take(&mut outgoing)).unwrap();
        }
    }
    tx.send(outgoing).unwrap();
}

/// Verifies and frees half of `own`, picked at random, through the thread's cache.
fn free_half_of_own(cache: &mut Cache, rng: &mut Rng, own: &mut Vec<Obj>) {
    for _ in 0..own.len() / 2 {
        let o = own.swap_remove(rng.below(own.len()));
        o.verify();
        // SAFETY: live and forgotten.
        unsafe { cache.free(o.ptr) };
    }
}

/// Verifies and frees a batch handed over by thread `from`: every fourth object with
/// `Allocator::free`, the others through the receiving thread's cache.
fn free_received(allocator: &Allocator, cache: &mut Cache, batch: Vec<Obj>, from: usize) {
    for (i, o) in batch.into_iter().enumerate() {
        assert_eq!(o.thread(), from, "object from the wrong thread");
        o.verify();
        // SAFETY: live, and handed over to this thread, which forgets it.
        unsafe {
            if i % 4 == 3 {
                allocator.free(o.ptr);
            } else {
                cache.free(o.ptr);
            }
        }
    }
}

/// Spawns a thread that checks the identities on snapshots taken while the others run, until
/// `done`; it returns how many snapshots it checked.
fn spawn_stats_sampler(allocator: &Allocator, done: &Arc<AtomicBool>) -> thread::JoinHandle<u64> {
    let allocator = allocator.clone();
    let done = done.clone();
    thread::spawn(move || {
        let mut n = 0;
        while !done.load(Acquire) {
            check_identities(&allocator.stats());
            n += 1;
            thread::yield_now();
        }
        n
    })
}

/// After the ring threads: every one of the `allocated` objects freed, every span back in the
/// page heap, no cache left.
fn check_ring_freed_everything(allocator: &Allocator, allocated: u64) {
    let s = allocator.stats();
    check_identities(&s);
    assert_all_freed(&s, allocated);
    assert_eq!(
        s.heap_inuse, 0,
        "every span returned to the page heap: {s:?}"
    );
    assert_eq!(s.mcache_inuse, 0);
}

/// Every one of the `allocated` objects was freed: none live, no bytes allocated.
fn assert_all_freed(s: &AllocStats, allocated: u64) {
    assert_eq!(s.mallocs, allocated, "{s:?}");
    assert_eq!(s.mallocs, s.frees, "{s:?}");
    assert_eq!(s.heap_objects, 0, "{s:?}");
    assert_eq!(s.heap_alloc, 0, "{s:?}");
}

/// Workers in `background_sweeper`.
const SWEEP_WORKERS: usize = 3;
/// Sweep cycles in `background_sweeper` (the workers run one more round, freeing everything).
const SWEEP_CYCLES: usize = 40;
/// Objects each worker allocates per cycle.
const SWEEP_ALLOCS: usize = 200;

/// Workers allocate (scan, noscan and tiny objects), keep some, drop some as garbage and free
/// some (their own, and their neighbour's, cross-thread), while a background thread sweeps; each
/// cycle they mark what they keep, and the main thread starts the next sweep cycle.
///
/// Per cycle, with a barrier between steps:
/// 1. workers: allocate and free (sweeping goes on meanwhile); `prepare_for_sweep`;
/// 2. main: `finish_sweep` (marking may not start before the previous sweep is done); workers
///    free what their neighbour handed them;
/// 3. workers: check their keepers are swept (unmarked) and intact, mark them; usually flush;
/// 4. main: `start_sweep_cycle`; sometimes `finish_sweep` and an exact count of live objects;
///    workers that did not flush in step 3 call `prepare_for_sweep` before allocating again.
#[test]
#[cfg_attr(miri, ignore)]
fn background_sweeper() {
    let hook = Arc::new(HookRecord::default());
    let shared = Arc::new(Shared::new(Allocator::new(AllocatorConfig {
        poison_freed: true,
        sweep_hook: Some(hook.sweep_hook()),
    })));
    let _guard = FailOnPanic(&shared.barrier);
    let sweeper = BackgroundSweeper::spawn(&shared.allocator);
    let workers: Vec<_> = (0..SWEEP_WORKERS)
        .map(|w| spawn_worker(w, &shared, &hook))
        .collect();

    let mut spans_swept = shared.allocator.stats().spans_swept;
    for cycle in 0..=SWEEP_CYCLES {
        drive_cycle(&shared, &hook, &sweeper, cycle, &mut spans_swept);
    }
    let allocated: u64 = workers.into_iter().map(|h| h.join().unwrap()).sum();
    shared.allocator.finish_sweep();
    let background = sweeper.stop();

    check_sweeper_final_stats(&shared.allocator, &hook, background, allocated);
    check_release_all(&shared.allocator);
}

/// What the sweep hook of `background_sweeper` saw. (It counts violations rather than
/// panicking: a panic inside a sweep would leave it unfinished.)
#[derive(Default)]
struct HookRecord {
    /// Addresses of live scan keepers: the sweep hook must never report one of them.
    keepers: Mutex<HashSet<usize>>,
    /// Objects the hook reported.
    reported: AtomicU64,
    /// Reported objects that were live keepers.
    wrongly_swept: AtomicU64,
}

impl HookRecord {
    /// The sweep hook, recording into `self`.
    fn sweep_hook(self: &Arc<Self>) -> SweepHook {
        let record = self.clone();
        Arc::new(move |p: NonNull<u8>, _size: usize| {
            if record.keepers.lock().unwrap().contains(&p.as_ptr().addr()) {
                record.wrongly_swept.fetch_add(1, Relaxed);
            }
            record.reported.fetch_add(1, Relaxed);
        })
    }
}

/// What the main thread and the workers of `background_sweeper` share.
struct Shared {
    allocator: Allocator,
    barrier: Phases,
    /// Per worker: objects its neighbour handed over, for it to free.
    mailboxes: Vec<Mutex<Vec<Obj>>>,
    /// Per worker, after marking: (live heap objects it accounts for, their bytes).
    published: Vec<Mutex<(u64, u64)>>,
}

impl Shared {
    fn new(allocator: Allocator) -> Shared {
        Shared {
            allocator,
            barrier: Phases::new(SWEEP_WORKERS + 1),
            mailboxes: (0..SWEEP_WORKERS).map(|_| Mutex::default()).collect(),
            published: (0..SWEEP_WORKERS).map(|_| Mutex::default()).collect(),
        }
    }
}

/// A thread calling `sweep_one` until stopped, counting the spans it swept.
struct BackgroundSweeper {
    stop: Arc<AtomicBool>,
    swept: Arc<AtomicU64>,
    handle: thread::JoinHandle<()>,
}

impl BackgroundSweeper {
    fn spawn(allocator: &Allocator) -> BackgroundSweeper {
        let allocator = allocator.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let swept = Arc::new(AtomicU64::new(0));
        let handle = {
            let stop = stop.clone();
            let swept = swept.clone();
            thread::spawn(move || {
                while !stop.load(Acquire) {
                    if allocator.sweep_one() {
                        swept.fetch_add(1, Relaxed);
                    } else {
                        thread::yield_now();
                    }
                }
            })
        };
        BackgroundSweeper {
            stop,
            swept,
            handle,
        }
    }

    /// Spans swept so far.
    fn swept(&self) -> u64 {
        self.swept.load(Relaxed)
    }

    /// Stops the thread and returns the spans it swept.
    fn stop(self) -> u64 {
        self.stop.store(true, Release);
        self.handle.join().unwrap();
        self.swept.load(Relaxed)
    }
}

/// Spawns worker `w`, which runs every cycle and returns how many objects it allocated.
fn spawn_worker(w: usize, shared: &Arc<Shared>, hook: &Arc<HookRecord>) -> thread::JoinHandle<u64> {
    let shared = shared.clone();
    let hook = hook.clone();
    thread::spawn(move || {
        let _guard = FailOnPanic(&shared.barrier);
        let mut worker = Worker {
            w,
            shared: &shared,
            keeper_set: &hook.keepers,
            cache: shared.allocator.cache(),
            rng: Rng::new(100 + w as u64),
            keepers: Vec::new(),
            next_id: 0,
        };
        for cycle in 0..=SWEEP_CYCLES {
            worker.run_cycle(cycle);
        }
        assert!(worker.keepers.is_empty());
        worker.next_id
    })
}

/// One worker of `background_sweeper`.
struct Worker<'a> {
    w: usize,
    shared: &'a Shared,
    /// The addresses of every worker's live scan keepers, as the sweep hook checks them.
    keeper_set: &'a Mutex<HashSet<usize>>,
    cache: Cache,
    rng: Rng,
    /// Objects kept (and marked) across cycles.
    keepers: Vec<Obj>,
    /// Objects allocated so far.
    next_id: u64,
}

impl Worker<'_> {
    /// The worker's four steps of `cycle`, each ended by the barrier; the last cycle lets go of
    /// every keeper and allocates nothing.
    fn run_cycle(&mut self, cycle: usize) {
        let last = cycle == SWEEP_CYCLES;
        // 1. Allocate and free while the previous cycle is being swept.
        self.keepers.iter().for_each(Obj::verify);
        self.let_go_of_keepers(last);
        self.allocate(if last { 0 } else { SWEEP_ALLOCS });
        self.cache.prepare_for_sweep();
        self.shared.barrier.wait();

        // 2. The main thread finishes the sweep; free what the neighbour handed over.
        self.free_handed_over();
        self.shared.barrier.wait();

        // 3. Mark what we keep.
        self.mark_keepers();
        let flush = cycle % 4 != 2;
        if flush {
            self.cache.flush();
        }
        self.shared.barrier.wait();

        // 4. The main thread starts the next cycle.
        self.shared.barrier.wait();
        if !flush {
            // A safepoint before allocating again: releases (and sweeps) the spans held
            // across the start of the cycle.
            self.cache.prepare_for_sweep();
        }
    }

    /// Stops keeping some keepers (all of them if `all`): each becomes garbage, is freed, or is
    /// handed to the next worker.
    fn let_go_of_keepers(&mut self, all: bool) {
        let mut i = 0;
        while i < self.keepers.len() {
            if all || self.rng.chance(30) {
                let o = self.keepers.swap_remove(i);
                self.forget(&o);
                if !o.tiny && self.rng.chance(50) {
                    if self.rng.chance(50) {
                        // SAFETY: live and forgotten.
                        unsafe { self.cache.free(o.ptr) };
                    } else {
                        let next = (self.w + 1) % SWEEP_WORKERS;
                        self.shared.mailboxes[next].lock().unwrap().push(o);
                    }
                } // else: garbage, reclaimed by the next sweep.
            } else {
                i += 1;
            }
        }
    }

    /// Takes a keeper out of the set the sweep hook checks.
    fn forget(&self, o: &Obj) {
        if !o.tiny {
            self.keeper_set
                .lock()
                .unwrap()
                .remove(&o.ptr.as_ptr().addr());
        }
    }

    /// Allocates `count` objects (some tiny), each kept, freed at once or left as garbage.
    fn allocate(&mut self, count: usize) {
        let rng = &mut self.rng;
        for _ in 0..count {
            self.next_id += 1;
            let tiny = rng.chance(15);
            let (layout, p) = if tiny {
                let layout =
                    Layout::from_size_align(1 + rng.below(TINY_SIZE - 1), 1 << rng.below(4))
                        .unwrap();
                (layout, self.cache.alloc_tiny(layout).unwrap())
            } else {
                let layout = random_layout(rng);
                (layout, alloc(&mut self.cache, layout, rng))
            };
            let o = Obj::new(p, layout, self.w, self.next_id, tiny);
            match rng.below(3) {
                0 => {
                    if !tiny {
                        self.keeper_set.lock().unwrap().insert(p.as_ptr().addr());
                    }
                    self.keepers.push(o);
                }
                1 if !tiny => {
                    o.verify();
                    // SAFETY: live and forgotten.
                    unsafe { self.cache.free(o.ptr) }
                }
                _ => {} // garbage
            }
        }
    }

    /// Verifies and frees what the previous worker handed over.
    fn free_handed_over(&mut self) {
        let handed = std::mem::take(&mut *self.shared.mailboxes[self.w].lock().unwrap());
        for o in handed {
            assert_eq!(o.thread(), (self.w + SWEEP_WORKERS - 1) % SWEEP_WORKERS);
            o.verify();
            // SAFETY: live, handed over to this thread, which forgets it.
            unsafe { self.cache.free(o.ptr) };
        }
    }

    /// Checks the keepers are intact and unmarked, marks them, and publishes the live objects
    /// (and bytes) they account for: a tiny block counts once.
    fn mark_keepers(&self) {
        let allocator = &self.shared.allocator;
        let mut blocks = BTreeSet::new();
        let (mut objects, mut bytes) = (0u64, 0u64);
        for o in &self.keepers {
            o.verify();
            assert_eq!(allocator.is_marked(o.ptr), Some(false), "mark not cleared");
        }
        for o in &self.keepers {
            allocator.mark(o.ptr);
            let base = allocator.object_base(o.ptr).unwrap();
            if !o.tiny {
                assert_eq!(base, o.ptr);
                objects += 1;
                bytes += allocator.usable_size(o.ptr).unwrap() as u64;
            } else if blocks.insert(base.as_ptr().addr()) {
                objects += 1;
                bytes += TINY_SIZE as u64;
            }
        }
        *self.shared.published[self.w].lock().unwrap() = (objects, bytes);
    }
}

/// The main thread's part of `cycle`, in step with the workers' four steps.
fn drive_cycle(
    shared: &Shared,
    hook: &HookRecord,
    sweeper: &BackgroundSweeper,
    cycle: usize,
    spans_swept: &mut u64,
) {
    let allocator = &shared.allocator;
    shared.barrier.wait(); // 1
    allocator.finish_sweep();
    check_finished_sweep(allocator, hook, cycle, spans_swept);
    shared.barrier.wait(); // 2
    shared.barrier.wait(); // 3
    allocator.start_sweep_cycle();
    if cycle.is_multiple_of(4) {
        // Every cache flushed after marking: sweeping leaves exactly the marked objects.
        allocator.finish_sweep();
        check_exactly_marked_live(shared, cycle);
    }
    if cycle == 1 {
        // Everyone else waits: the background sweeper must get to the unswept spans.
        wait_for_background_sweep(sweeper);
    }
    shared.barrier.wait(); // 4
}

/// After `finish_sweep`: no keeper swept, and (after the first) each cycle swept spans of its
/// own; `spans_swept` carries the count from one cycle to the next.
fn check_finished_sweep(
    allocator: &Allocator,
    hook: &HookRecord,
    cycle: usize,
    spans_swept: &mut u64,
) {
    let s = allocator.stats();
    check_identities(&s);
    assert_eq!(
        hook.wrongly_swept.load(Relaxed),
        0,
        "a marked object was swept"
    );
    if cycle > 0 {
        assert!(s.spans_swept > *spans_swept, "cycle {cycle}: no span swept");
        assert_eq!(s.sweep_cycles, cycle as u64);
    }
    *spans_swept = s.spans_swept;
}

/// The live objects and bytes are exactly those the workers published when marking.
fn check_exactly_marked_live(shared: &Shared, cycle: usize) {
    let s = shared.allocator.stats();
    check_identities(&s);
    let (objects, bytes) = shared
        .published
        .iter()
        .map(|p| *p.lock().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(
        (s.heap_objects, s.heap_alloc),
        (objects, bytes),
        "cycle {cycle}"
    );
}

/// Holds everyone else back until the background sweeper has swept a span.
fn wait_for_background_sweep(sweeper: &BackgroundSweeper) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while sweeper.swept() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "background sweeper stuck"
        );
        thread::yield_now();
    }
}

/// After the workers and the sweeper: the hook and the sweeper did their part, every object was
/// freed or swept, and every cycle ran.
fn check_sweeper_final_stats(
    allocator: &Allocator,
    hook: &HookRecord,
    background: u64,
    allocated: u64,
) {
    let s = allocator.stats();
    check_identities(&s);
    assert!(hook.reported.load(Relaxed) > 0);
    assert_eq!(
        hook.wrongly_swept.load(Relaxed),
        0,
        "a marked object was swept"
    );
    assert!(background > 0);
    assert_all_freed(&s, allocated);
    assert_eq!(s.heap_inuse, 0, "{s:?}");
    assert_eq!(s.sweep_cycles, SWEEP_CYCLES as u64 + 1);
}

/// `release_all` returns every idle page to the system.
fn check_release_all(allocator: &Allocator) {
    allocator.release_all();
    let s = allocator.stats();
    assert_eq!(s.heap_released, s.heap_idle);
}
