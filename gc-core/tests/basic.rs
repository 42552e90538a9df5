//! Basic end-to-end behaviour of the collector through hand-written `Trace` impls.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use gcheap_core::{Config, Gc, GcCell, GcRefCell, Heap, Root, Rootable, Trace, Tracer};

fn heap() -> Heap {
    Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        ..Config::default()
    })
    .unwrap()
}

struct Node<'gc> {
    value: u64,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    drops: Option<Arc<AtomicUsize>>,
}

// SAFETY: traces `next`, the only field holding Gc pointers.
unsafe impl<'gc> Trace for Node<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.next);
    }
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        // Reads only its own non-Gc fields.
        if let Some(d) = &self.drops {
            d.fetch_add(1, SeqCst);
        }
    }
}

type Head = Rootable![GcCell<'_, Option<Gc<'_, Node<'_>>>>];

#[test]
fn list_survives_and_garbage_is_dropped_once() {
    let heap = heap();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m = heap.mutator::<Head>(|_| GcCell::new(None));
    m.mutate(|mc, head| {
        for value in 0..10_000 {
            let n = Gc::new(
                mc,
                Node {
                    value,
                    next: GcCell::new(head.get()),
                    drops: Some(drops.clone()),
                },
            );
            head.set(mc, Some(n));
        }
        // Garbage: never linked.
        for value in 0..5_000 {
            Gc::new(
                mc,
                Node {
                    value,
                    next: GcCell::new(None),
                    drops: Some(drops.clone()),
                },
            );
        }
    });
    m.collect();
    assert_eq!(drops.load(SeqCst), 5_000);
    let sum = m.mutate(|_, head| {
        let (mut sum, mut cur) = (0, head.get());
        while let Some(n) = cur {
            sum += n.value;
            cur = n.next.get();
        }
        sum
    });
    assert_eq!(sum, (0..10_000).sum::<u64>());
    // Cut the list in half.
    m.mutate(|mc, head| {
        let mut cur = head.get().unwrap();
        for _ in 0..4_999 {
            cur = cur.next.get().unwrap();
        }
        cur.next.set(mc, None);
    });
    m.collect();
    assert_eq!(drops.load(SeqCst), 10_000);
    drop(m);
    drop(heap);
    assert_eq!(
        drops.load(SeqCst),
        15_000,
        "heap drop drops everything left"
    );
}

type StrRoot = Root<Rootable![Gc<'_, str>]>;
type SliceRoot = Root<Rootable![Gc<'_, [u32]>]>;
type StringsRoot = Root<Rootable!['gc => Gc<'gc, [Gc<'gc, String>]>]>;

#[test]
fn strings_slices_and_roots() {
    let heap = heap();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let (s, v, big) = m.mutate(|mc, _| {
        let s: StrRoot = Root::new(mc, Gc::new(mc, Gc::from_str(mc, "hello")));
        let v: SliceRoot = Root::new(mc, Gc::new(mc, Gc::from_iter(mc, 0..1000u32)));
        let inner: Vec<Gc<'_, String>> = (0..3000).map(|i| Gc::new(mc, i.to_string())).collect();
        let big: StringsRoot = Root::new(mc, Gc::new(mc, Gc::from_slice(mc, &inner)));
        (s, v, big)
    });
    for _ in 0..3 {
        m.collect();
    }
    m.mutate(|mc, _| {
        assert_eq!(&**s.get(mc), "hello");
        assert_eq!(v.get(mc).iter().map(|&x| x as u64).sum::<u64>(), 499_500);
        let big = big.get(mc);
        assert_eq!(big.len(), 3000);
        for (i, x) in big.iter().enumerate() {
            assert_eq!(**x, i.to_string());
        }
    });
    let stats = heap.mem_stats();
    stats.check_invariants().unwrap();
    assert_eq!(stats.num_gc, 3);
    assert_eq!(stats.num_forced_gc, 3);
}

#[test]
fn refcell_vectors_and_pacer_cycles() {
    let heap = heap();
    let mut m = heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, [u8; 100]>>>]>(|_| {
        GcRefCell::new(Vec::new())
    });
    for round in 0..200 {
        m.mutate(|mc, v| {
            let mut v = v.borrow_mut(mc);
            if v.len() >= 1000 {
                v.drain(..1000);
            }
            for _ in 0..1000 {
                v.push(Gc::new(mc, [round as u8; 100]));
            }
        });
    }
    let stats = heap.mem_stats();
    stats.check_invariants().unwrap();
    assert!(stats.num_gc > 0, "the pacer ran cycles: {}", stats.num_gc);
    assert_eq!(stats.num_forced_gc, 0);
    m.mutate(|_, v| {
        let v = v.borrow();
        assert!(v.len() <= 2000);
        assert!(v.iter().all(|a| a[0] == a[99]));
    });
}

/// An interpreter's two-word value: Copy, stored in a GcCell, holding Gc pointers in some variants.
#[derive(Clone, Copy, Debug)]
enum Value<'gc> {
    Nil,
    Int(i64),
    Str(Gc<'gc, str>),
    Pair(Gc<'gc, (GcCell<'gc, Value<'gc>>, GcCell<'gc, Value<'gc>>)>),
}

// SAFETY: reports the Gc pointer of each variant that has one.
unsafe impl Trace for Value<'_> {
    fn trace(&self, t: &mut Tracer<'_>) {
        match self {
            Value::Nil | Value::Int(_) => {}
            Value::Str(s) => t.trace(s),
            Value::Pair(p) => t.trace(p),
        }
    }
}

#[test]
fn two_word_values_in_cells() {
    assert_eq!(std::mem::size_of::<Value<'static>>(), 24);
    let heap = heap();
    let mut m = heap.mutator::<Rootable![GcCell<'_, Value<'_>>]>(|_| GcCell::new(Value::Nil));
    m.mutate(|mc, root| {
        let mut list = Value::Nil;
        for i in 0..1000 {
            let head = if i % 2 == 0 {
                Value::Int(i)
            } else {
                Value::Str(Gc::from_str(mc, &i.to_string()))
            };
            list = Value::Pair(Gc::new(mc, (GcCell::new(head), GcCell::new(list))));
        }
        root.set(mc, list);
        // Overwrite a cell in place: the old value becomes garbage.
        if let Value::Pair(p) = root.get() {
            p.0.set(mc, Value::Int(-1));
        }
    });
    m.collect();
    m.collect();
    let (ints, strs) = m.mutate(|_, root| {
        let (mut ints, mut strs, mut cur) = (0i64, 0usize, root.get());
        while let Value::Pair(p) = cur {
            match p.0.get() {
                Value::Int(i) => ints += i,
                Value::Str(s) => strs += s.parse::<usize>().unwrap(),
                other => panic!("unexpected {other:?}"),
            }
            cur = p.1.get();
        }
        (ints, strs)
    });
    assert_eq!(ints, (0..1000).step_by(2).sum::<i64>() - 1); // the head was overwritten
    assert_eq!(strs, (1..999).step_by(2).sum::<usize>());
}

#[test]
fn heap_and_handles_are_thread_safe_types() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Heap>();
    send_sync::<Root<Rootable![String]>>();
}

/// An item that counts its drops.
struct Counted(Arc<AtomicUsize>);

// SAFETY: holds no Gc pointers.
unsafe impl Trace for Counted {
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// An exact-size iterator whose `len()` claims `claimed` items but which yields `actual`.
struct Lying {
    claimed: usize,
    actual: usize,
    yielded: usize,
    drops: Arc<AtomicUsize>,
}

impl Iterator for Lying {
    type Item = Counted;
    fn next(&mut self) -> Option<Counted> {
        (self.yielded < self.actual).then(|| {
            self.yielded += 1;
            Counted(self.drops.clone())
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.claimed, Some(self.claimed))
    }
}

impl ExactSizeIterator for Lying {}

#[test]
fn from_iter_with_a_lying_length() {
    let heap = heap();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let lying = |claimed, actual| Lying {
        claimed,
        actual,
        yielded: 0,
        drops: drops.clone(),
    };

    // Fewer items than promised: a panic that names both counts; the items it did yield are
    // dropped once, by a later sweep (never the uninitialized rest).
    let short = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        m.mutate(|mc, _| {
            Gc::from_iter(mc, lying(5, 3));
        })
    }));
    let message = short.expect_err("a short iterator must panic");
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.contains("promised 5 items but yielded 3"),
        "{message}"
    );

    // More items than promised: the slice holds `len()` of them; the rest stay in the iterator.
    let extra = m.mutate(|mc, _| {
        let mut it = lying(2, 4);
        let slice = Gc::from_iter(mc, &mut it);
        (slice.len(), it.yielded)
    });
    assert_eq!(extra, (2, 2));

    m.collect();
    m.collect();
    assert_eq!(
        drops.load(SeqCst),
        3 + 2,
        "every item that was yielded, dropped once"
    );
}
