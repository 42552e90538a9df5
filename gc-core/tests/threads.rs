//! Several mutators on several threads sharing one heap; persistent roots sent between threads;
//! `collect()` from inside another mutator's `mutate`; `should_yield()`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use gcheap_core::{Config, Gc, GcCell, GcRefCell, Heap, Mutation, Root, Rootable, Trace, Tracer};

fn heap(gc_percent: i32) -> Heap {
    Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        gc_percent,
        ..Config::default()
    })
    .unwrap()
}

fn check(v: u64) -> u64 {
    v.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}

/// A list node owned by one thread's mutator.
struct TNode<'gc> {
    thread: u64,
    seq: u64,
    check: u64,
    next: GcCell<'gc, Option<Gc<'gc, TNode<'gc>>>>,
    drops: Arc<AtomicUsize>,
}

// SAFETY: `next` is the only Gc pointer.
unsafe impl<'gc> Trace for TNode<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
    }
}

impl Drop for TNode<'_> {
    fn drop(&mut self) {
        assert_eq!(
            self.check,
            check(self.thread << 40 | self.seq),
            "corrupt drop"
        );
        self.drops.fetch_add(1, SeqCst);
    }
}

type Lists = Rootable![GcRefCell<'_, Vec<Gc<'_, TNode<'_>>>>];

#[test]
#[cfg_attr(miri, ignore)]
fn four_threads_churn_one_heap() {
    const THREADS: u64 = 4;
    const ROUNDS: u64 = 300;
    let heap = heap(25);
    let drops = Arc::new(AtomicUsize::new(0));
    let allocated = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let heap = heap.clone();
            let drops = drops.clone();
            let allocated = allocated.clone();
            let start = start.clone();
            std::thread::spawn(move || churn_lists(t, ROUNDS, &heap, &drops, &allocated, &start))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 8);
    }
    check_churned_heap(heap, THREADS, ROUNDS, &drops, &allocated);
}

/// Thread `t` of `four_threads_churn_one_heap`: each round a new list of 100 nodes, at most 8
/// lists kept and checked, and now and then a forced cycle. Returns how many lists it keeps.
fn churn_lists(
    t: u64,
    rounds: u64,
    heap: &Heap,
    drops: &Arc<AtomicUsize>,
    allocated: &AtomicUsize,
    start: &Barrier,
) -> usize {
    let mut m = heap.mutator::<Lists>(|_| GcRefCell::new(Vec::new()));
    start.wait();
    let mut seq = 0u64;
    for round in 0..rounds {
        m.mutate(|mc, lists| {
            // A new list of 100 nodes; keep at most 8 lists.
            let head = new_list(mc, t, &mut seq, drops);
            allocated.fetch_add(100, SeqCst);
            let mut lists = lists.borrow_mut(mc);
            lists.push(head);
            if lists.len() > 8 {
                let i = (round as usize * 7) % lists.len();
                lists.remove(i);
            }
            check_lists(&lists, t);
        });
        if round % 100 == 50 + t {
            // Forced cycles from different threads, some through the heap handle.
            if t.is_multiple_of(2) {
                m.collect();
            } else {
                heap.collect();
            }
        }
    }
    m.mutate(|_, lists| lists.borrow().len())
}

/// A list of 100 fresh nodes of thread `t` numbered from `seq` on, with garbage of another
/// shape in between; returns its head.
fn new_list<'gc>(
    mc: &Mutation<'gc>,
    t: u64,
    seq: &mut u64,
    drops: &Arc<AtomicUsize>,
) -> Gc<'gc, TNode<'gc>> {
    let mut head = None;
    for _ in 0..100 {
        let id = t << 40 | *seq;
        let n = Gc::new(
            mc,
            TNode {
                thread: t,
                seq: *seq,
                check: check(id),
                next: GcCell::new(head),
                drops: drops.clone(),
            },
        );
        head = Some(n);
        *seq += 1;
        // Garbage of another shape in between.
        Gc::new(mc, [*seq; 16]);
    }
    head.unwrap()
}

/// Every kept list is intact.
fn check_lists<'gc>(lists: &[Gc<'gc, TNode<'gc>>], t: u64) {
    for l in lists.iter() {
        let mut cur = Some(*l);
        let mut len = 0;
        let top = l.seq;
        while let Some(n) = cur {
            assert_eq!(n.thread, t);
            assert_eq!(n.seq, top - len);
            assert_eq!(n.check, check(t << 40 | n.seq));
            len += 1;
            cur = n.next.get();
        }
        assert_eq!(len, 100);
    }
}

/// After the threads of `four_threads_churn_one_heap`: automatic and forced cycles ran, and
/// every node was dropped exactly once.
fn check_churned_heap(
    heap: Heap,
    threads: u64,
    rounds: u64,
    drops: &AtomicUsize,
    allocated: &AtomicUsize,
) {
    let s = heap.mem_stats();
    s.check_invariants().unwrap();
    assert!(s.num_gc > s.num_forced_gc, "automatic cycles ran: {s:?}");
    // Each collect() ran a forced cycle that started after the call; concurrent calls may share
    // one (as Go's runtime.GC calls do).
    assert!((1..=threads as u32 * 3).contains(&s.num_forced_gc), "{s:?}");
    heap.collect();
    // All mutators are gone: everything was garbage.
    let total = allocated.load(SeqCst);
    assert_eq!(total, (threads * rounds * 100) as usize);
    assert_eq!(drops.load(SeqCst), total);
    drop(heap);
    assert_eq!(drops.load(SeqCst), total, "nothing dropped twice");
}

/// A Sync object with a drop counter.
struct Message {
    text: String,
    drops: Arc<AtomicUsize>,
}

impl Drop for Message {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Message {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// What the producer of `roots_travel_between_threads` sends.
type Sent = (
    Root<Rootable![u64]>,
    Root<Rootable![String]>,
    Root<Rootable![Message]>,
);
/// What its consumer keeps: every other message, with its number.
type Kept = Vec<(
    u64,
    Root<Rootable![u64]>,
    Root<Rootable![String]>,
    Root<Rootable![Message]>,
)>;

#[test]
#[cfg_attr(miri, ignore)]
fn roots_travel_between_threads() {
    let heap = heap(10);
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<Sent>();
    let producer = {
        let heap = heap.clone();
        let drops = drops.clone();
        std::thread::spawn(move || send_roots(&heap, &drops, tx))
    };
    let consumer = {
        let heap = heap.clone();
        let drops = drops.clone();
        std::thread::spawn(move || receive_roots(&heap, &drops, rx))
    };
    producer.join().unwrap();
    let kept = consumer.join().unwrap();
    assert_eq!(kept.len(), 100);
    // Roots can be read on this thread too, and dropped here.
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        for (i, n, _, _) in &kept {
            assert_eq!(*n.get(mc), i * 3);
        }
    });
    drop(kept);
    m.collect();
    assert_eq!(drops.load(SeqCst), 200);
}

/// The producer: 200 triples of roots, made among garbage and sent one by one.
fn send_roots(heap: &Heap, drops: &Arc<AtomicUsize>, tx: mpsc::Sender<Sent>) {
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    for i in 0..200u64 {
        let roots = m.mutate(|mc, _| {
            // Garbage so that automatic cycles run while roots are in flight.
            for _ in 0..200 {
                Gc::new(mc, [i; 8]);
            }
            (
                Root::new(mc, Gc::new(mc, i * 3)),
                Root::new(mc, Gc::new(mc, format!("message {i}"))),
                Root::new(
                    mc,
                    Gc::new(
                        mc,
                        Message {
                            text: "x".repeat(i as usize),
                            drops: drops.clone(),
                        },
                    ),
                ),
            )
        });
        if i % 50 == 0 {
            m.collect();
        }
        tx.send(roots).unwrap();
    }
}

/// The consumer: checks every triple received, keeps every other one; the dropped ones'
/// messages are collected, the kept ones stay intact.
fn receive_roots(heap: &Heap, drops: &AtomicUsize, rx: mpsc::Receiver<Sent>) -> Kept {
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let mut kept = Vec::new();
    for (i, (n, s, msg)) in rx.iter().enumerate() {
        let i = i as u64;
        if i.is_multiple_of(40) {
            m.collect();
        }
        m.mutate(|mc, _| {
            assert_eq!(*n.get(mc), i * 3);
            assert_eq!(*s.get(mc), format!("message {i}"));
            assert_eq!(msg.get(mc).text.len(), i as usize);
            for _ in 0..100 {
                Gc::new(mc, [i; 8]);
            }
        });
        if i.is_multiple_of(2) {
            kept.push((i, n, s, msg));
        }
    }
    m.collect();
    assert_eq!(
        drops.load(SeqCst),
        100,
        "dropped roots' messages were collected"
    );
    m.mutate(|mc, _| {
        for (i, n, s, msg) in &kept {
            assert_eq!(*n.get(mc), i * 3);
            assert_eq!(*s.get(mc), format!("message {i}"));
            assert_eq!(msg.get(mc).text, "x".repeat(*i as usize));
        }
    });
    kept
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&'static str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn collect_inside_another_mutators_mutate_panics() {
    let heap = heap(100);
    let mut a = heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, u64>>>]>(|_| GcCell::new(None));
    let mut b = heap.mutator::<Rootable![()]>(|_| ());
    let (via_mutator, via_heap, via_stats) = a.mutate(|mc, root| {
        root.set(mc, Some(Gc::new(mc, 42)));
        let m = catch_unwind(AssertUnwindSafe(|| b.collect())).unwrap_err();
        let h = catch_unwind(AssertUnwindSafe(|| mc.heap().collect())).unwrap_err();
        let s = catch_unwind(AssertUnwindSafe(|| mc.heap().mem_stats())).unwrap_err();
        (panic_message(m), panic_message(h), panic_message(s))
    });
    for msg in [&via_mutator, &via_heap] {
        assert!(
            msg.contains("collect() called from inside mutate"),
            "unclear message: {msg:?}"
        );
    }
    assert!(
        via_stats.contains("mem_stats() called from inside mutate"),
        "{via_stats:?}"
    );
    // Nothing ran, and the heap is fine afterwards.
    assert_eq!(heap.mem_stats().num_gc, 0);
    b.collect();
    assert_eq!(a.mutate(|_, r| *r.get().unwrap()), 42);
    assert_eq!(heap.mem_stats().num_gc, 1);

    // A different heap may be collected from inside mutate.
    let other = Heap::default();
    a.mutate(|_, _| other.collect());
    assert_eq!(other.mem_stats().num_gc, 1);
}

#[test]
#[cfg_attr(miri, ignore)]
fn should_yield_when_another_thread_collects() {
    let heap = heap(-1);
    let inside = Arc::new(AtomicBool::new(false));
    let collected = Arc::new(AtomicBool::new(false));
    let mut m = heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, u64>>>]>(|_| GcCell::new(None));
    let collector = {
        let heap = heap.clone();
        let inside = inside.clone();
        let collected = collected.clone();
        std::thread::spawn(move || {
            while !inside.load(SeqCst) {
                std::thread::yield_now();
            }
            heap.collect();
            collected.store(true, SeqCst);
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let (yielded, spins) = m.mutate(|mc, root| {
        root.set(mc, Some(Gc::new(mc, 7)));
        assert!(!mc.should_yield(), "nothing waits yet");
        inside.store(true, SeqCst);
        let mut spins = 0u64;
        while !mc.should_yield() {
            if Instant::now() > deadline {
                return (false, spins);
            }
            spins += 1;
            Gc::new(mc, spins);
            std::hint::spin_loop();
        }
        assert!(
            !collected.load(SeqCst),
            "the cycle cannot finish while we are inside mutate"
        );
        (true, spins)
    });
    assert!(yielded, "should_yield() never became true ({spins} spins)");
    collector.join().unwrap();
    assert!(collected.load(SeqCst));
    let s = heap.mem_stats();
    assert_eq!(s.num_gc, 1);
    assert_eq!(s.num_forced_gc, 1);
    assert_eq!(m.mutate(|_, r| *r.get().unwrap()), 7);

    // The next mutate does not see a stale request.
    assert!(!m.mutate(|mc, _| mc.should_yield()));

    // A mem_stats() snapshot waits for a boundary too, and asks for it the same way.
    let inside = Arc::new(AtomicBool::new(false));
    let reader = {
        let heap = heap.clone();
        let inside = inside.clone();
        std::thread::spawn(move || {
            while !inside.load(SeqCst) {
                std::thread::yield_now();
            }
            heap.mem_stats().num_gc
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let yielded = m.mutate(|mc, _| {
        inside.store(true, SeqCst);
        while !mc.should_yield() {
            if Instant::now() > deadline {
                return false;
            }
            std::hint::spin_loop();
        }
        true
    });
    assert!(yielded, "should_yield() ignored a waiting mem_stats()");
    assert_eq!(reader.join().unwrap(), 1);
}

/// Garbage whose drop calls `collect()` on its own heap.
struct Reentrant {
    heap: Heap,
    panicked: Arc<AtomicUsize>,
    returned: Arc<AtomicUsize>,
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Reentrant {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        match catch_unwind(AssertUnwindSafe(|| self.heap.collect())) {
            Ok(()) => self.returned.fetch_add(1, SeqCst),
            Err(_) => self.panicked.fetch_add(1, SeqCst),
        };
    }
}

/// `Heap::collect` documents that it panics when called from a `Drop` run by one of the heap's
/// sweeps. Every sweep must therefore mark its thread as inside the heap, including the sweep
/// that `collect()` itself finishes after the cycle: a drop run there that calls `collect()`
/// would otherwise start a cycle whose sweep termination waits for the sweep in progress on its
/// own thread, forever.
#[test]
#[cfg_attr(miri, ignore)]
fn collect_from_a_drop_run_by_a_sweep_panics_instead_of_hanging() {
    const N: usize = 20_000;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let heap = Heap::new(Config {
            gc_percent: -1,
            gc_workers: 1,
            ..Config::default()
        })
        .unwrap();
        let panicked = Arc::new(AtomicUsize::new(0));
        let returned = Arc::new(AtomicUsize::new(0));
        let mut m = heap.mutator::<Rootable![()]>(|_| ());
        m.mutate(|mc, _| {
            for _ in 0..N {
                Gc::new(
                    mc,
                    Reentrant {
                        heap: mc.heap().clone(),
                        panicked: panicked.clone(),
                        returned: returned.clone(),
                    },
                );
            }
        });
        m.collect();
        tx.send((panicked.load(SeqCst), returned.load(SeqCst)))
            .unwrap();
    });
    let (panicked, returned) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("collect() deadlocked: a Drop run by its sweep called collect() again");
    assert_eq!((panicked, returned), (N, 0));
}

/// A garbage object holding a persistent root of its own heap, and optionally a handle to it.
struct RootHolder {
    _root: Root<Rootable![Message]>,
    _heap: Option<Heap>,
}

// SAFETY: a Root keeps its object alive through the root table, and a Heap handle holds no Gc:
// nothing to report.
unsafe impl Trace for RootHolder {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// Roots do not keep their heap alive: once every handle and mutator is gone, the heap is torn
/// down and every object is dropped, rooted or not, even those held by garbage objects holding
/// roots. With `hold_heap`, the garbage objects also hold `Heap` handles, so the background
/// sweeper drops the last one: the teardown (joining the sweeper, sweeping what is left) must
/// then run off that thread, and still drop everything.
fn heap_torn_down_with_rooted_objects(hold_heap: bool) {
    const N: usize = 200_000;
    let drops = Arc::new(AtomicUsize::new(0));
    let heap = Heap::new(Config {
        gc_percent: -1,
        gc_workers: 1,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        for i in 0..N {
            let target = Gc::new(
                mc,
                Message {
                    text: i.to_string(),
                    drops: drops.clone(),
                },
            );
            Gc::new(
                mc,
                RootHolder {
                    _root: Root::new(mc, target),
                    _heap: hold_heap.then(|| mc.heap().clone()),
                },
            );
        }
    });
    // Request a cycle; the next boundary runs it, and the background sweeper starts dropping
    // the holders (the targets stay alive: their roots were registered during marking).
    heap.set_gc_percent(1);
    m.mutate(|_, _| {});
    drop(m);
    drop(heap);
    // The last holder's drop ends the heap; the targets are dropped by the teardown.
    let deadline = Instant::now() + Duration::from_secs(30);
    while drops.load(SeqCst) < N && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        drops.load(SeqCst),
        N,
        "objects were never dropped after the heap's last handle went away (hold_heap: {hold_heap})"
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn roots_in_garbage_do_not_keep_the_heap_alive() {
    heap_torn_down_with_rooted_objects(false);
}

#[test]
#[cfg_attr(miri, ignore)]
fn last_handle_dropped_by_the_background_sweeper() {
    heap_torn_down_with_rooted_objects(true);
}

/// A node shared by several threads: Sync through its thread-safe cells.
struct SharedList<'gc> {
    id: u64,
    next: gcheap_core::GcAtomicCell<'gc, Option<Gc<'gc, SharedList<'gc>>>>,
    tags: gcheap_core::GcMutex<'gc, Vec<Gc<'gc, String>>>,
}

// SAFETY: traces both cells.
unsafe impl Trace for SharedList<'_> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
        t.trace(&self.tags);
    }
}

/// Several threads push onto one shared list (lock-free-style with compare_exchange on a
/// thread-safe cell) and tag its nodes through a GcMutex, while cycles run with checkmark on:
/// nothing is lost, nothing torn.
#[test]
#[cfg_attr(miri, ignore)]
fn threads_share_a_mutable_graph_through_thread_safe_cells() {
    const THREADS: u64 = 4;
    const PUSHES: u64 = 2_000;
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        gc_percent: 10,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let head: Root<SharedHead> =
        m.mutate(|mc, _| Root::new(mc, new_shared_node(mc, u64::MAX, Vec::new())));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let heap = heap.clone();
            let head = head.clone();
            std::thread::spawn(move || push_and_tag(&heap, &head, t, PUSHES))
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    m.collect();
    m.mutate(|mc, _| check_shared_list(mc, head.get(mc), THREADS, PUSHES));
    heap.mem_stats().check_invariants().unwrap();
}

type SharedHead = Rootable![SharedList<'_>];

fn new_shared_node<'gc>(
    mc: &Mutation<'gc>,
    id: u64,
    tags: Vec<Gc<'gc, String>>,
) -> Gc<'gc, SharedList<'gc>> {
    Gc::new(
        mc,
        SharedList {
            id,
            next: gcheap_core::GcAtomicCell::new(None),
            tags: gcheap_core::GcMutex::new(tags),
        },
    )
}

/// Thread `t`: `pushes` nodes pushed at the front of the list, each tagging the head, and now
/// and then a forced cycle.
fn push_and_tag(heap: &Heap, head: &Root<SharedHead>, t: u64, pushes: u64) {
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    for i in 0..pushes {
        m.mutate(|mc, _| {
            let head = head.get(mc);
            let node = new_shared_node(mc, t * pushes + i, vec![Gc::new(mc, format!("{t}"))]);
            // Push at the front: retry until no other thread got in between.
            loop {
                let first = head.next.get();
                node.next.set(mc, first);
                let swapped =
                    head.next
                        .compare_exchange(mc, first, Some(node), |a, b| match (a, b) {
                            (Some(a), Some(b)) => Gc::ptr_eq(*a, *b),
                            (None, None) => true,
                            _ => false,
                        });
                if swapped.is_ok() {
                    break;
                }
            }
            head.tags.lock(mc).push(Gc::new(mc, format!("{t}:{i}")));
        });
        if i % 500 == 0 {
            m.collect();
        }
    }
}

/// Every node pushed is on the list once, with its thread's tag, and the head holds every tag.
fn check_shared_list<'gc>(
    mc: &Mutation<'gc>,
    head: Gc<'gc, SharedList<'gc>>,
    threads: u64,
    pushes: u64,
) {
    let mut seen = std::collections::HashSet::new();
    let mut cur = head.next.get();
    while let Some(n) = cur {
        assert!(seen.insert(n.id), "node {} twice", n.id);
        let tags = n.tags.lock(mc);
        assert_eq!(*tags[0], (n.id / pushes).to_string());
        cur = n.next.get();
    }
    assert_eq!(seen.len() as u64, threads * pushes);
    assert_eq!(head.tags.lock(mc).len() as u64, threads * pushes);
}
