//! Deep and odd object graphs: a ten-million-node list, wide arrays, DSTs, zero-sized types,
//! many small cycles, over-aligned types, panicking drops and large objects.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use gcheap_core::{Config, Gc, GcCell, GcRefCell, Heap, Mutation, Rootable, Trace, Tracer};

fn heap(verify: bool) -> Heap {
    Heap::new(Config {
        verify,
        poison_freed: verify,
        gc_workers: 2,
        ..Config::default()
    })
    .unwrap()
}

fn objects(heap: &Heap) -> u64 {
    let s = heap.mem_stats();
    s.check_invariants().unwrap();
    s.heap_objects
}

/// Counts drops into a shared counter.
#[derive(Clone)]
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Tracked {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

// ---------------------------------------------------------------------------------------------
// A ten-million-node singly linked list.

struct ListNode<'gc> {
    value: u64,
    next: Option<Gc<'gc, ListNode<'gc>>>,
}

// SAFETY: `next` is the only Gc pointer.
unsafe impl<'gc> Trace for ListNode<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
    }
}

type ListHead = Rootable![GcCell<'_, Option<Gc<'_, ListNode<'_>>>>];

fn list_sum(m: &mut gcheap_core::Mutator<ListHead>) -> (u64, u64) {
    m.mutate(|_, head| {
        let (mut sum, mut len, mut cur) = (0u64, 0u64, head.get());
        while let Some(n) = cur {
            sum += n.value;
            len += 1;
            cur = n.next;
        }
        (sum, len)
    })
}

#[test]
#[cfg_attr(miri, ignore)]
fn ten_million_node_list() {
    const N: u64 = 10_000_000;
    const CALLS: u64 = 4;
    // Checkmark keeps a visited set of every object: too much memory at this size.
    let heap = heap(false);
    let mut m = heap.mutator::<ListHead>(|_| GcCell::new(None));
    for call in 0..CALLS {
        m.mutate(|mc, head| {
            let mut cur = head.get();
            for value in call * N / CALLS..(call + 1) * N / CALLS {
                cur = Some(Gc::new(mc, ListNode { value, next: cur }));
            }
            head.set(mc, cur);
        });
    }
    m.collect();
    m.collect();
    let stats = heap.mem_stats();
    stats.check_invariants().unwrap();
    assert!(stats.heap_objects > N, "{}", stats.heap_objects);
    assert_eq!(list_sum(&mut m), (N * (N - 1) / 2, N));
    m.mutate(|mc, head| head.set(mc, None));
    m.collect();
    let after = objects(&heap);
    assert!(after < 100, "the list was not freed: {after} objects left");
}

// ---------------------------------------------------------------------------------------------
// Wide arrays.

struct Leaf {
    value: u64,
    _drops: Tracked,
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Leaf {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

#[test]
#[cfg_attr(miri, ignore)]
fn million_element_gc_slice() {
    const N: usize = 1_000_000;
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    type R = Rootable!['gc => GcCell<'gc, Option<Gc<'gc, [Gc<'gc, Leaf>]>>>];
    let mut m = heap.mutator::<R>(|_| GcCell::new(None));
    m.mutate(|mc, root| {
        let items = (0..N).map(|i| {
            Gc::new(
                mc,
                Leaf {
                    value: i as u64 * 3,
                    _drops: Tracked(drops.clone()),
                },
            )
        });
        root.set(mc, Some(Gc::from_iter(mc, items)));
    });
    let before = objects(&heap);
    m.collect();
    m.collect();
    assert_eq!(drops.load(SeqCst), 0);
    assert_eq!(objects(&heap), before, "nothing reachable was freed");
    m.mutate(|_, root| {
        let arr = root.get().unwrap();
        assert_eq!(arr.len(), N);
        for (i, leaf) in arr.iter().enumerate() {
            assert_eq!(leaf.value, i as u64 * 3);
        }
    });
    // Keep every 1000th element in a new slice, drop the big one.
    m.mutate(|mc, root| {
        let arr = root.get().unwrap();
        let kept = Gc::from_iter(mc, arr.iter().step_by(1000).copied());
        root.set(mc, Some(kept));
    });
    m.collect();
    assert_eq!(drops.load(SeqCst), N - N / 1000);
    assert!(objects(&heap) < 2000);
    m.mutate(|_, root| {
        let arr = root.get().unwrap();
        assert_eq!(arr.len(), N / 1000);
        for (i, leaf) in arr.iter().enumerate() {
            assert_eq!(leaf.value, i as u64 * 3000);
        }
    });
    drop(m);
    drop(heap);
    assert_eq!(drops.load(SeqCst), N);
}

#[test]
#[cfg_attr(miri, ignore)]
fn hundred_thousand_element_vec_in_refcell() {
    const N: u64 = 100_000;
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m =
        heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, Leaf>>>]>(|_| GcRefCell::new(Vec::new()));
    // Grown over several calls so that the pacer may run cycles in between.
    for chunk in 0..10 {
        m.mutate(|mc, v| {
            let mut v = v.borrow_mut(mc);
            for i in chunk * N / 10..(chunk + 1) * N / 10 {
                v.push(Gc::new(
                    mc,
                    Leaf {
                        value: i,
                        _drops: Tracked(drops.clone()),
                    },
                ));
            }
        });
    }
    m.collect();
    assert_eq!(drops.load(SeqCst), 0);
    m.mutate(|mc, v| {
        let v2 = v.borrow();
        assert_eq!(v2.len() as u64, N);
        assert!(v2.iter().enumerate().all(|(i, l)| l.value == i as u64));
        drop(v2);
        v.borrow_mut(mc).retain(|l| l.value % 2 == 0);
    });
    m.collect();
    assert_eq!(drops.load(SeqCst) as u64, N / 2);
    m.mutate(|_, v| {
        let v = v.borrow();
        assert_eq!(v.len() as u64, N / 2);
        assert!(v.iter().enumerate().all(|(i, l)| l.value == 2 * i as u64));
    });
}

// ---------------------------------------------------------------------------------------------
// DSTs.

#[test]
fn strings_and_slices() {
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    struct Dsts<'gc> {
        empty_str: Gc<'gc, str>,
        long_str: Gc<'gc, str>,
        empty_u64: Gc<'gc, [u64]>,
        empty_tracked: Gc<'gc, [Tracked]>,
        units: Gc<'gc, [()]>,
        strings: Gc<'gc, [(String, Tracked)]>,
    }
    // SAFETY: reports every Gc field.
    unsafe impl<'gc> Trace for Dsts<'gc> {
        fn trace(&self, t: &mut Tracer<'_>) {
            t.trace(&self.empty_str);
            t.trace(&self.long_str);
            t.trace(&self.empty_u64);
            t.trace(&self.empty_tracked);
            t.trace(&self.units);
            t.trace(&self.strings);
        }
    }
    let long: String = (0..100_000)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    let mut m =
        heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, Dsts<'_>>>>]>(|_| GcCell::new(None));
    m.mutate(|mc, root| {
        let d = Dsts {
            empty_str: Gc::from_str(mc, ""),
            long_str: Gc::from_str(mc, &long),
            empty_u64: Gc::from_iter(mc, std::iter::empty()),
            empty_tracked: Gc::from_iter(mc, std::iter::empty()),
            units: Gc::from_iter(mc, std::iter::repeat_n((), 12_345)),
            strings: Gc::from_iter(
                mc,
                (0..1000).map(|i| (format!("string number {i}"), Tracked(drops.clone()))),
            ),
        };
        root.set(mc, Some(Gc::new(mc, d)));
        // Garbage of the same shapes.
        Gc::from_str(mc, "");
        Gc::from_str(mc, &long);
        Gc::<[Tracked]>::from_iter(mc, std::iter::empty());
        Gc::from_iter(
            mc,
            (0..500).map(|_| (String::from("garbage"), Tracked(drops.clone()))),
        );
    });
    m.collect();
    assert_eq!(
        drops.load(SeqCst),
        500,
        "the garbage slice's elements dropped once each"
    );
    m.mutate(|_, root| {
        let d = root.get().unwrap();
        assert_eq!(&*d.empty_str, "");
        assert_eq!(&*d.long_str, long);
        assert!(d.empty_u64.is_empty());
        assert!(d.empty_tracked.is_empty());
        assert_eq!(d.units.len(), 12_345);
        assert_eq!(d.strings.len(), 1000);
        for (i, (s, _)) in d.strings.iter().enumerate() {
            assert_eq!(*s, format!("string number {i}"));
        }
    });
    m.mutate(|mc, root| root.set(mc, None));
    m.collect();
    assert_eq!(drops.load(SeqCst), 1500);
    drop(m);
    drop(heap);
    assert_eq!(drops.load(SeqCst), 1500, "no element dropped twice");
}

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

/// A zero-sized type with drop glue.
struct DropZst;

impl Drop for DropZst {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, SeqCst);
    }
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for DropZst {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

#[test]
fn zero_sized_types() {
    let heap = heap(true);
    struct Zsts<'gc> {
        units: Vec<Gc<'gc, ()>>,
        droppers: Vec<Gc<'gc, DropZst>>,
        slice: Option<Gc<'gc, [DropZst]>>,
    }
    // SAFETY: reports every Gc field.
    unsafe impl<'gc> Trace for Zsts<'gc> {
        fn trace(&self, t: &mut Tracer<'_>) {
            t.trace(&self.units);
            t.trace(&self.droppers);
            t.trace(&self.slice);
        }
    }
    let mut m = heap.mutator::<Rootable![GcRefCell<'_, Zsts<'_>>]>(|_| {
        GcRefCell::new(Zsts {
            units: vec![],
            droppers: vec![],
            slice: None,
        })
    });
    let addrs = m.mutate(|mc, root| {
        let mut r = root.borrow_mut(mc);
        for _ in 0..1000 {
            r.units.push(Gc::new(mc, ()));
            r.droppers.push(Gc::new(mc, DropZst));
        }
        r.slice = Some(Gc::from_iter(mc, (0..777).map(|_| DropZst)));
        // Garbage ZSTs.
        for _ in 0..100 {
            Gc::new(mc, DropZst);
        }
        let units: HashSet<usize> = r.units.iter().map(|g| Gc::as_ptr(*g).addr()).collect();
        let droppers: HashSet<usize> = r.droppers.iter().map(|g| Gc::as_ptr(*g).addr()).collect();
        assert_eq!(
            units.len(),
            1000,
            "every Gc::new(()) is a distinct allocation"
        );
        assert_eq!(
            droppers.len(),
            1000,
            "every Gc::new(DropZst) is a distinct allocation"
        );
        (units, droppers)
    });
    m.collect();
    assert_eq!(
        ZST_DROPS.load(SeqCst),
        100,
        "only the garbage ZSTs were dropped"
    );
    m.mutate(|_, root| {
        let r = root.borrow();
        let units: HashSet<usize> = r.units.iter().map(|g| Gc::as_ptr(*g).addr()).collect();
        let droppers: HashSet<usize> = r.droppers.iter().map(|g| Gc::as_ptr(*g).addr()).collect();
        assert_eq!(units, addrs.0);
        assert_eq!(droppers, addrs.1);
        assert_eq!(r.slice.unwrap().len(), 777);
    });
    m.mutate(|mc, root| {
        let mut r = root.borrow_mut(mc);
        r.droppers.truncate(500);
        r.slice = None;
    });
    m.collect();
    assert_eq!(ZST_DROPS.load(SeqCst), 100 + 500 + 777);
    drop(m);
    drop(heap);
    assert_eq!(ZST_DROPS.load(SeqCst), 100 + 1000 + 777);
}

// ---------------------------------------------------------------------------------------------
// Many small cycles.

struct CycleNode<'gc> {
    id: u32,
    next: GcCell<'gc, Option<Gc<'gc, CycleNode<'gc>>>>,
    drops: Arc<Vec<AtomicUsize>>,
}

// SAFETY: `next` is the only Gc pointer.
unsafe impl<'gc> Trace for CycleNode<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
    }
}

impl Drop for CycleNode<'_> {
    fn drop(&mut self) {
        self.drops[self.id as usize].fetch_add(1, SeqCst);
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn many_small_cycles() {
    const CYCLES: u32 = 100_000;
    let heap = heap(true);
    // Cycle c has 2 nodes if c is even, 3 if odd; node ids are consecutive per cycle.
    let len = |c: u32| 2 + c % 2;
    let total: u32 = (0..CYCLES).map(len).sum();
    let drops: Arc<Vec<AtomicUsize>> = Arc::new((0..total).map(|_| AtomicUsize::new(0)).collect());
    let mut m = heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, CycleNode<'_>>>>]>(|_| {
        GcRefCell::new(Vec::new())
    });
    let mut first_ids = Vec::new();
    let mut next_id = 0;
    for batch in 0..10 {
        m.mutate(|mc, kept| {
            for c in batch * CYCLES / 10..(batch + 1) * CYCLES / 10 {
                let nodes: Vec<_> = (0..len(c))
                    .map(|k| {
                        Gc::new(
                            mc,
                            CycleNode {
                                id: next_id + k,
                                next: GcCell::new(None),
                                drops: drops.clone(),
                            },
                        )
                    })
                    .collect();
                for (k, n) in nodes.iter().enumerate() {
                    n.next.set(mc, Some(nodes[(k + 1) % nodes.len()]));
                }
                first_ids.push(next_id);
                next_id += len(c);
                // Keep cycles c % 4 in {0, 1}: half of them, both lengths.
                if c % 4 < 2 {
                    kept.borrow_mut(mc).push(nodes[0]);
                }
            }
        });
    }
    m.collect();
    for c in 0..CYCLES {
        let reachable = c % 4 < 2;
        for id in first_ids[c as usize]..first_ids[c as usize] + len(c) {
            let d = drops[id as usize].load(SeqCst);
            assert_eq!(d, usize::from(!reachable), "cycle {c} node {id}: {d} drops");
        }
    }
    m.mutate(|_, kept| {
        let kept = kept.borrow();
        assert_eq!(kept.len() as u32, CYCLES / 2);
        for (j, head) in kept.iter().enumerate() {
            let c = (j as u32 / 2) * 4 + j as u32 % 2;
            assert_eq!(head.id, first_ids[c as usize]);
            let mut cur = *head;
            for k in 1..=len(c) {
                cur = cur.next.get().unwrap();
                assert_eq!(cur.id, head.id + k % len(c));
            }
            assert!(Gc::ptr_eq(cur, *head), "cycle {c} closes");
        }
    });
    drop(m);
    drop(heap);
    assert!(drops.iter().all(|d| d.load(SeqCst) == 1));
}

// ---------------------------------------------------------------------------------------------
// Over-aligned types.

macro_rules! aligned {
    ($name:ident, $plain:ident, $align:literal) => {
        #[repr(align($align))]
        struct $name<'gc> {
            value: u64,
            next: Option<Gc<'gc, $name<'gc>>>,
            _drops: Tracked,
        }
        // SAFETY: `next` is the only Gc pointer.
        unsafe impl<'gc> Trace for $name<'gc> {
            fn trace(&self, t: &mut Tracer<'_>) {
                t.trace(&self.next);
            }
        }
        /// Plain data (no header, noscan).
        #[repr(align($align))]
        #[derive(Clone, Copy)]
        struct $plain(u64);
        // SAFETY: holds no Gc pointers.
        unsafe impl Trace for $plain {
            const NEEDS_TRACE: bool = false;
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
    };
}

aligned!(Al16, Plain16, 16);
aligned!(Al32, Plain32, 32);
aligned!(Al64, Plain64, 64);

struct Aligned<'gc> {
    a16: Vec<Gc<'gc, Al16<'gc>>>,
    a32: Vec<Gc<'gc, Al32<'gc>>>,
    a64: Vec<Gc<'gc, Al64<'gc>>>,
    p16: Vec<Gc<'gc, Plain16>>,
    p32: Vec<Gc<'gc, Plain32>>,
    p64: Vec<Gc<'gc, Plain64>>,
    s64: Vec<Gc<'gc, [Al64<'gc>]>>,
    sp64: Vec<Gc<'gc, [Plain64]>>,
}

// SAFETY: reports every Gc field.
unsafe impl<'gc> Trace for Aligned<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.a16);
        t.trace(&self.a32);
        t.trace(&self.a64);
        t.trace(&self.p16);
        t.trace(&self.p32);
        t.trace(&self.p64);
        t.trace(&self.s64);
        t.trace(&self.sp64);
    }
}

fn check_aligned(a: &Aligned<'_>) {
    fn ok<T: ?Sized>(p: *const T, align: usize) {
        assert_eq!(
            p.cast::<u8>().addr() % align,
            0,
            "{p:p} not {align}-aligned"
        );
    }
    for (i, x) in a.a16.iter().enumerate() {
        ok(Gc::as_ptr(*x), 16);
        assert_eq!(x.value, i as u64);
        assert_eq!(x.next.map(|n| n.value), i.checked_sub(1).map(|j| j as u64));
    }
    for (i, x) in a.a32.iter().enumerate() {
        ok(Gc::as_ptr(*x), 32);
        assert_eq!(x.value, i as u64);
        assert_eq!(x.next.map(|n| n.value), i.checked_sub(1).map(|j| j as u64));
    }
    for (i, x) in a.a64.iter().enumerate() {
        ok(Gc::as_ptr(*x), 64);
        assert_eq!(x.value, i as u64);
        assert_eq!(x.next.map(|n| n.value), i.checked_sub(1).map(|j| j as u64));
    }
    for (i, x) in a.p16.iter().enumerate() {
        ok(Gc::as_ptr(*x), 16);
        assert_eq!(x.0, i as u64);
    }
    for (i, x) in a.p32.iter().enumerate() {
        ok(Gc::as_ptr(*x), 32);
        assert_eq!(x.0, i as u64);
    }
    for (i, x) in a.p64.iter().enumerate() {
        ok(Gc::as_ptr(*x), 64);
        assert_eq!(x.0, i as u64);
    }
    for (n, s) in a.s64.iter().enumerate() {
        assert_eq!(s.len(), n);
        for (i, x) in s.iter().enumerate() {
            ok(x, 64);
            assert_eq!(x.value, i as u64);
        }
    }
    for (n, s) in a.sp64.iter().enumerate() {
        assert_eq!(s.len(), n);
        for (i, x) in s.iter().enumerate() {
            ok(x, 64);
            assert_eq!(x.0, (n * 1000 + i) as u64);
        }
    }
}

/// Pushes `n` objects of every over-aligned type (the traced ones in lists), with garbage in
/// between: one garbage `Al64` per object.
fn push_aligned_objects<'gc>(
    mc: &Mutation<'gc>,
    r: &mut Aligned<'gc>,
    n: usize,
    drops: &Arc<AtomicUsize>,
) {
    let t = || Tracked(drops.clone());
    for i in 0..n {
        let v = i as u64;
        let next = r.a16.last().copied();
        r.a16.push(Gc::new(
            mc,
            Al16 {
                value: v,
                next,
                _drops: t(),
            },
        ));
        let next = r.a32.last().copied();
        r.a32.push(Gc::new(
            mc,
            Al32 {
                value: v,
                next,
                _drops: t(),
            },
        ));
        let next = r.a64.last().copied();
        r.a64.push(Gc::new(
            mc,
            Al64 {
                value: v,
                next,
                _drops: t(),
            },
        ));
        r.p16.push(Gc::new(mc, Plain16(v)));
        r.p32.push(Gc::new(mc, Plain32(v)));
        r.p64.push(Gc::new(mc, Plain64(v)));
        // Garbage in between.
        Gc::new(
            mc,
            Al64 {
                value: v,
                next: None,
                _drops: t(),
            },
        );
        Gc::new(mc, Plain64(v));
        Gc::new(mc, 7u8);
    }
}

/// Pushes slices of 0 to 39 over-aligned elements, traced and plain.
fn push_aligned_slices<'gc>(mc: &Mutation<'gc>, r: &mut Aligned<'gc>, drops: &Arc<AtomicUsize>) {
    let t = || Tracked(drops.clone());
    for n in 0..40usize {
        let s = Gc::from_iter(
            mc,
            (0..n).map(|i| Al64 {
                value: i as u64,
                next: None,
                _drops: t(),
            }),
        );
        r.s64.push(s);
        r.sp64.push(Gc::from_iter(
            mc,
            (0..n).map(|i| Plain64((n * 1000 + i) as u64)),
        ));
    }
}

#[test]
fn over_aligned_objects() {
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m = heap.mutator::<Rootable![GcRefCell<'_, Aligned<'_>>]>(|_| {
        GcRefCell::new(Aligned {
            a16: vec![],
            a32: vec![],
            a64: vec![],
            p16: vec![],
            p32: vec![],
            p64: vec![],
            s64: vec![],
            sp64: vec![],
        })
    });
    const N: usize = 300;
    m.mutate(|mc, root| {
        let mut r = root.borrow_mut(mc);
        push_aligned_objects(mc, &mut r, N, &drops);
        push_aligned_slices(mc, &mut r, &drops);
        check_aligned(&r);
    });
    m.collect();
    assert_eq!(drops.load(SeqCst), N, "only the garbage Al64s were dropped");
    m.mutate(|_, root| check_aligned(&root.borrow()));
    m.collect();
    m.mutate(|_, root| check_aligned(&root.borrow()));
    assert_eq!(drops.load(SeqCst), N);
    drop(m);
    drop(heap);
    let slices: usize = (0..40).sum();
    assert_eq!(drops.load(SeqCst), N * 4 + slices);
}

// ---------------------------------------------------------------------------------------------
// A Drop that panics.

struct Bomb {
    armed: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed {
            panic!("Bomb::drop panicked (expected by the test)");
        }
    }
}

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Bomb {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

#[test]
fn panicking_drop_is_contained() {
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m =
        heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, Leaf>>>]>(|_| GcRefCell::new(Vec::new()));
    m.mutate(|mc, v| {
        for i in 0..100u64 {
            Gc::new(mc, Bomb { armed: true });
            // Garbage neighbours in the same spans must still be dropped.
            Gc::new(
                mc,
                Leaf {
                    value: i,
                    _drops: Tracked(drops.clone()),
                },
            );
            v.borrow_mut(mc).push(Gc::new(
                mc,
                Leaf {
                    value: i,
                    _drops: Tracked(drops.clone()),
                },
            ));
        }
    });
    m.collect();
    assert_eq!(drops.load(SeqCst), 100);
    // The heap stays usable: allocate, collect, check.
    for round in 0..3 {
        m.mutate(|mc, v| {
            Gc::new(mc, Bomb { armed: true });
            Gc::new(mc, Bomb { armed: false });
            for i in 0..1000u64 {
                v.borrow_mut(mc).push(Gc::new(
                    mc,
                    Leaf {
                        value: 100 + round * 1000 + i,
                        _drops: Tracked(drops.clone()),
                    },
                ));
            }
        });
        m.collect();
        let s = heap.mem_stats();
        s.check_invariants().unwrap();
    }
    m.mutate(|_, v| {
        let v = v.borrow();
        assert_eq!(v.len(), 3100);
        assert!(v.iter().enumerate().all(|(i, l)| l.value == i as u64));
    });
    assert_eq!(drops.load(SeqCst), 100);
    drop(m);
    drop(heap);
    assert_eq!(drops.load(SeqCst), 3200);
}

// ---------------------------------------------------------------------------------------------
// Large objects holding Gc pointers.

struct Big<'gc> {
    seed: u64,
    data: [u64; 10_000],
    ptrs: [Option<Gc<'gc, Leaf>>; 5_000],
    next: Option<Gc<'gc, Big<'gc>>>,
}

type BigHead = Rootable![GcCell<'_, Option<Gc<'_, Big<'_>>>>];

// SAFETY: `ptrs` and `next` are the only Gc pointers.
unsafe impl<'gc> Trace for Big<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.ptrs);
        t.trace(&self.next);
    }
}

/// Pushes a big object whose every fifth pointer holds a leaf, and drops a big garbage object
/// holding one leaf of its own.
fn push_big<'gc>(
    mc: &Mutation<'gc>,
    head: &GcCell<'gc, Option<Gc<'gc, Big<'gc>>>>,
    seed: u64,
    drops: &Arc<AtomicUsize>,
) {
    // Built in place on the heap-side Box first: 120 KiB is too much for a test stack
    // frame in debug builds more than once.
    let mut b = Box::new(Big {
        seed,
        data: [0; 10_000],
        ptrs: [None; 5_000],
        next: head.get(),
    });
    for (i, d) in b.data.iter_mut().enumerate() {
        *d = seed * 100_000 + i as u64;
    }
    for (i, p) in b.ptrs.iter_mut().enumerate() {
        if i % 5 == 0 {
            *p = Some(Gc::new(
                mc,
                Leaf {
                    value: seed * 100_000 + i as u64,
                    _drops: Tracked(drops.clone()),
                },
            ));
        }
    }
    let big = Gc::new(mc, *b);
    // A large garbage object holding pointers to its own garbage leaves.
    let mut g = Box::new(Big {
        seed,
        data: [0; 10_000],
        ptrs: [None; 5_000],
        next: None,
    });
    g.ptrs[0] = Some(Gc::new(
        mc,
        Leaf {
            value: 0,
            _drops: Tracked(drops.clone()),
        },
    ));
    Gc::new(mc, *g);
    head.set(mc, Some(big));
}

/// The list of `bigs` big objects is intact: data, leaves and the pointers without one.
fn check_bigs<'gc>(head: &GcCell<'gc, Option<Gc<'gc, Big<'gc>>>>, bigs: u64) {
    let mut cur = head.get();
    let mut seed = bigs;
    while let Some(b) = cur {
        seed -= 1;
        assert_eq!(b.seed, seed);
        assert!(
            b.data
                .iter()
                .enumerate()
                .all(|(i, &d)| d == seed * 100_000 + i as u64)
        );
        for (i, p) in b.ptrs.iter().enumerate() {
            match p {
                Some(l) => {
                    assert_eq!(i % 5, 0);
                    assert_eq!(l.value, seed * 100_000 + i as u64);
                }
                None => assert_ne!(i % 5, 0),
            }
        }
        cur = b.next;
    }
    assert_eq!(seed, 0);
}

#[test]
#[cfg_attr(miri, ignore)]
fn large_objects_holding_gc_pointers() {
    assert!(size_of::<Big<'static>>() > 32 << 10);
    let heap = heap(true);
    let drops = Arc::new(AtomicUsize::new(0));
    const BIGS: u64 = 20;
    let mut m = heap.mutator::<BigHead>(|_| GcCell::new(None));
    for seed in 0..BIGS {
        m.mutate(|mc, head| push_big(mc, head, seed, &drops));
    }
    let check = |m: &mut gcheap_core::Mutator<BigHead>| m.mutate(|_, head| check_bigs(head, BIGS));
    m.collect();
    assert_eq!(
        drops.load(SeqCst),
        BIGS as usize,
        "only the garbage bigs' leaves"
    );
    check(&mut m);
    m.collect();
    check(&mut m);
    m.mutate(|mc, head| head.set(mc, None));
    m.collect();
    assert_eq!(drops.load(SeqCst), BIGS as usize * 1001);
    assert!(objects(&heap) < 10);
}
