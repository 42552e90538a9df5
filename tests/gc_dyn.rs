//! Trait objects behind Gc: `Gc::unsize`, tracing and dropping through `Gc<dyn Trait>`, and
//! downcasting through `GcAny`.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use gcheap::{Config, Gc, GcAny, GcKey, GcRefCell, Heap, Mutation, ObjectType, Rootable, Trace};

/// A heap that checks what died: checkmark and poisoning on, cycles only on request.
fn checked_heap(gc_workers: usize) -> Heap {
    Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers,
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config")
}

/// Drops seen, by node id.
type DropLog = Arc<Mutex<HashMap<u64, u32>>>;

/// A heap object that records its drop, optionally holding another.
#[derive(Trace)]
#[trace(unsafe_drop)]
struct Node<'gc> {
    id: u64,
    next: Option<Gc<'gc, Node<'gc>>>,
    #[trace(static)]
    log: DropLog,
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        *self.log.lock().unwrap().entry(self.id).or_default() += 1;
    }
}

fn node<'gc>(
    mc: &Mutation<'gc>,
    id: u64,
    next: Option<Gc<'gc, Node<'gc>>>,
    log: &DropLog,
) -> Gc<'gc, Node<'gc>> {
    Gc::new(
        mc,
        Node {
            id,
            next,
            log: log.clone(),
        },
    )
}

fn drops(log: &DropLog, id: u64) -> u32 {
    log.lock().unwrap().get(&id).copied().unwrap_or(0)
}

/// A trait whose objects hold Gc pointers of the brand.
trait Value<'gc>: ObjectType + Debug {
    fn sum(&self) -> u64;
}

#[derive(Trace, Debug)]
struct Leaf(u64);

impl Value<'_> for Leaf {
    fn sum(&self) -> u64 {
        self.0
    }
}

/// A concrete type holding trait objects, which hold Gc pointers in turn.
#[derive(Trace)]
struct Branch<'gc> {
    children: Vec<Gc<'gc, dyn Value<'gc> + 'gc>>,
    tag: Gc<'gc, Node<'gc>>,
}

impl Debug for Branch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Branch({})", self.tag.id)
    }
}

impl<'gc> Value<'gc> for Branch<'gc> {
    fn sum(&self) -> u64 {
        self.tag.id + self.children.iter().map(|c| c.sum()).sum::<u64>()
    }
}

impl<'gc> Value<'gc> for Node<'gc> {
    fn sum(&self) -> u64 {
        self.id
    }
}

impl Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.id)
    }
}

type Roots = Rootable![GcRefCell<'_, Vec<Gc<'_, dyn Value<'_> + '_>>>];

fn as_value<'gc, T: Value<'gc> + 'gc>(gc: Gc<'gc, T>) -> Gc<'gc, dyn Value<'gc> + 'gc> {
    Gc::unsize::<dyn Value<'gc>>(gc, |v| v)
}

/// A tree of trait objects: a branch of leaves (no header), nodes (header, drop) and a nested
/// branch, each `Node` with a distinct id.
fn tree<'gc>(mc: &Mutation<'gc>, log: &DropLog, base: u64) -> Gc<'gc, dyn Value<'gc> + 'gc> {
    let inner = Gc::new(
        mc,
        Branch {
            children: vec![
                as_value(Gc::new(mc, Leaf(1))),
                as_value(node(mc, base + 1, None, log)),
            ],
            tag: node(mc, base + 2, None, log),
        },
    );
    let outer = Gc::new(
        mc,
        Branch {
            children: vec![as_value(inner), as_value(Gc::new(mc, Leaf(10)))],
            tag: node(mc, base + 3, Some(node(mc, base + 4, None, log)), log),
        },
    );
    as_value(outer)
}

#[test]
fn trait_objects_keep_their_targets_and_drop_them_once() {
    let log = DropLog::default();
    let heap = checked_heap(2);
    let mut m = heap.mutator::<Roots>(|_| GcRefCell::new(Vec::new()));
    m.mutate(|mc, roots| {
        roots.borrow_mut(mc).push(tree(mc, &log, 100));
        roots.borrow_mut(mc).push(tree(mc, &log, 200));
    });
    m.collect();
    m.collect();
    let sums = m.mutate(|_, roots| roots.borrow().iter().map(|v| v.sum()).collect::<Vec<_>>());
    assert_eq!(
        sums,
        vec![1 + 101 + 102 + 10 + 103, 1 + 201 + 202 + 10 + 203]
    );
    for id in 101..=104 {
        assert_eq!(drops(&log, id), 0, "node {id} died while reachable");
    }
    m.mutate(|mc, roots| {
        roots.borrow_mut(mc).remove(0);
    });
    m.collect();
    m.collect();
    for id in 101..=104 {
        assert_eq!(
            drops(&log, id),
            1,
            "node {id} dropped {} times",
            drops(&log, id)
        );
    }
    for id in 201..=204 {
        assert_eq!(drops(&log, id), 0, "node {id} died while reachable");
    }
    let sum = m.mutate(|_, roots| roots.borrow()[0].sum());
    assert_eq!(sum, 1 + 201 + 202 + 10 + 203);
}

#[test]
fn trait_objects_survive_background_cycles() {
    let log = DropLog::default();
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        gc_workers: 2,
        gc_percent: 10,
        ..Config::default()
    })
    .unwrap();
    let mut m = heap.mutator::<Roots>(|_| GcRefCell::new(Vec::new()));
    for round in 0..200u64 {
        m.mutate(|mc, roots| {
            let mut r = roots.borrow_mut(mc);
            r.push(tree(mc, &log, 1000 + 10 * round));
            if r.len() > 8 {
                r.remove(0);
            }
            // Garbage, so that the pacer starts cycles while the trees are built.
            Gc::from_iter(mc, (0..128 * 1024).map(|i| i as u8));
        });
    }
    assert!(heap.mem_stats().num_gc > 3, "{:?}", heap.mem_stats().num_gc);
    m.collect();
    let sums = m.mutate(|_, roots| roots.borrow().iter().map(|v| v.sum()).collect::<Vec<_>>());
    let expected: Vec<u64> = (192..200)
        .map(|round| {
            let base = 1000 + 10 * round;
            1 + (base + 1) + (base + 2) + 10 + (base + 3)
        })
        .collect();
    assert_eq!(sums, expected);
    m.collect();
    // The first 192 trees are garbage: each of their nodes dropped exactly once.
    for round in 0..192u64 {
        for k in 1..=4 {
            assert_eq!(drops(&log, 1000 + 10 * round + k), 1);
        }
    }
}

#[test]
fn unsize_refuses_anything_but_the_object_itself() {
    #[derive(Trace, Debug)]
    struct Outer {
        first: Leaf,
        second: u64,
    }
    impl Value<'_> for Outer {
        fn sum(&self) -> u64 {
            self.first.0 + self.second
        }
    }
    let heap = checked_heap(1);
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let outer = Gc::new(
            mc,
            Outer {
                first: Leaf(1),
                second: 2,
            },
        );
        // A field at the object's address is not the object.
        let field = catch_unwind(AssertUnwindSafe(|| {
            Gc::unsize(outer, |o| &o.first as &dyn Value<'_>);
        }));
        let message = field.unwrap_err();
        let message = message.downcast_ref::<String>().unwrap();
        assert!(
            message.contains("must return the object itself"),
            "{message}"
        );
        // Another object is not the object.
        let other = Gc::new(mc, Leaf(3));
        let another = catch_unwind(AssertUnwindSafe(|| {
            Gc::unsize(outer, move |_| Gc::as_ref(other) as &dyn Value<'_>);
        }));
        assert!(another.is_err());
        // The object itself is.
        let value = Gc::unsize::<dyn Value>(outer, |o| o);
        assert_eq!(value.sum(), 3);
        assert!(std::ptr::addr_eq(Gc::as_ptr(value), Gc::as_ptr(outer)));
    });
}

#[test]
fn a_sized_array_unsizes_to_a_headerless_slice_only() {
    let heap = checked_heap(1);
    let mut m =
        heap.mutator::<Rootable![GcRefCell<'_, Option<Gc<'_, [u8]>>>]>(|_| GcRefCell::new(None));
    m.mutate(|mc, root| {
        // [u8; 4] and [u8] both have no header: the same layout.
        let bytes = Gc::unsize::<[u8]>(Gc::new(mc, [1u8, 2, 3, 4]), |a| a);
        *root.borrow_mut(mc) = Some(bytes);
        // A slice with a header keeps its length in it, which a sized array lacks.
        let boxes = Gc::new(mc, [Gc::new(mc, 1u32), Gc::new(mc, 2u32)]);
        let refused = catch_unwind(AssertUnwindSafe(|| {
            Gc::unsize(boxes, |a| a as &[Gc<u32>]);
        }));
        assert!(refused.is_err());
    });
    m.collect();
    let bytes = m.mutate(|_, root| root.borrow().unwrap().to_vec());
    assert_eq!(bytes, [1, 2, 3, 4]);
}

#[test]
fn trait_objects_are_identity_keys() {
    let heap = checked_heap(1);
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let a = Gc::new(mc, Leaf(7));
        let b = Gc::new(mc, Leaf(7));
        let (da, db) = (as_value(a), as_value(b));
        let keys: HashSet<GcKey<dyn Value>> =
            [da, db, as_value(a)].into_iter().map(GcKey).collect();
        assert_eq!(keys.len(), 2);
        assert!(keys.contains(&GcKey(da)));
        assert!(Gc::ptr_eq(da, as_value(a)));
        assert!(!Gc::ptr_eq(da, db));
    });
}

#[test]
fn downcast_finds_the_concrete_type() {
    trait Native: GcAny {
        fn name(&self) -> String;
    }
    #[derive(Trace)]
    struct File(String);
    #[derive(Trace)]
    struct Socket(u16);
    impl Native for File {
        fn name(&self) -> String {
            self.0.clone()
        }
    }
    impl Native for Socket {
        fn name(&self) -> String {
            format!("port {}", self.0)
        }
    }
    let heap = checked_heap(1);
    type Natives = Rootable![GcRefCell<'_, Vec<Gc<'_, dyn Native + Send + Sync>>>];
    let mut m = heap.mutator::<Natives>(|_| GcRefCell::new(Vec::new()));
    m.mutate(|mc, roots| {
        let file = Gc::new(mc, File("a.txt".to_string()));
        let socket = Gc::new(mc, Socket(80));
        roots
            .borrow_mut(mc)
            .push(Gc::unsize::<dyn Native + Send + Sync>(file, |f| f));
        roots
            .borrow_mut(mc)
            .push(Gc::unsize::<dyn Native + Send + Sync>(socket, |s| s));
    });
    m.collect();
    m.mutate(|_, roots| {
        let natives = roots.borrow();
        let names: Vec<String> = natives.iter().map(|n| n.name()).collect();
        assert_eq!(names, ["a.txt", "port 80"]);
        let any = Gc::unsize::<dyn GcAny + Send + Sync>(natives[0], |n| n);
        assert!(any.is::<File>());
        assert!(!any.is::<Socket>());
        assert_eq!(any.downcast::<File>().unwrap().0, "a.txt");
        assert!(any.downcast::<Socket>().is_none());
        let any = Gc::unsize::<dyn GcAny>(natives[1], |n| n);
        assert_eq!(any.downcast::<Socket>().unwrap().0, 80);
        assert!(Gc::ptr_eq(
            Gc::unsize(any.downcast::<Socket>().unwrap(), |s| s as &dyn GcAny),
            any
        ));
    });
}
