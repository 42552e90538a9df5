//! gc-arena 0.7: one `Arena` per run, `collect_debt` after every `mutate`; `Lock` for pointer
//! fields set after construction.

use crate::workloads;
use crate::workloads::binary_trees::{self, Trees};
use crate::workloads::gcbench::{self, ARRAY_SIZE, GcBench, array_check, array_value};
use gc_arena::barrier::unlock;
use gc_arena::lock::Lock;
use gc_arena::{Arena, Collect, Gc, Mutation, Rootable, unsize};

/// A binary-trees node.
#[derive(Collect)]
#[collect(no_drop)]
pub struct Node<'gc> {
    left: Option<Gc<'gc, Node<'gc>>>,
    right: Option<Gc<'gc, Node<'gc>>>,
}

fn bottom_up<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
    let children = (depth > 0).then(|| (bottom_up(mc, depth - 1), bottom_up(mc, depth - 1)));
    let (left, right) = children.unzip();
    Gc::new(mc, Node { left, right })
}

fn check(node: &Node<'_>) -> u64 {
    1 + node.left.map_or(0, |n| check(&n)) + node.right.map_or(0, |n| check(&n))
}

type TreeRoot = Rootable![Option<Gc<'_, Node<'_>>>];

struct ArenaTrees {
    arena: Arena<TreeRoot>,
}

impl Trees for ArenaTrees {
    fn temporary(&mut self, depth: u32) -> u64 {
        let n = self.arena.mutate(|mc, _| check(&bottom_up(mc, depth)));
        self.arena.collect_debt();
        n
    }

    fn keep_long_lived(&mut self, depth: u32) {
        self.arena
            .mutate_root(|mc, root| *root = Some(bottom_up(mc, depth)));
        self.arena.collect_debt();
    }

    fn check_long_lived(&mut self) -> u64 {
        self.arena
            .mutate(|_, root| check(&root.expect("built above")))
    }
}

/// Runs binary-trees on a fresh arena; returns the checksum.
pub fn trees(max: u32) -> u64 {
    let mut trees = ArenaTrees {
        arena: Arena::new(|_| None),
    };
    binary_trees::run(&mut trees, max)
}

/// A binary-trees node with a parent pointer, set after the node is built.
#[derive(Collect)]
#[collect(no_drop)]
pub struct CyclicNode<'gc> {
    left: Option<Gc<'gc, CyclicNode<'gc>>>,
    right: Option<Gc<'gc, CyclicNode<'gc>>>,
    parent: Lock<Option<Gc<'gc, CyclicNode<'gc>>>>,
}

fn bottom_up_cyclic<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, CyclicNode<'gc>> {
    let children = (depth > 0).then(|| {
        (
            bottom_up_cyclic(mc, depth - 1),
            bottom_up_cyclic(mc, depth - 1),
        )
    });
    let (left, right) = children.unzip();
    let parent = Lock::new(None);
    let node = Gc::new(
        mc,
        CyclicNode {
            left,
            right,
            parent,
        },
    );
    for child in [left, right].into_iter().flatten() {
        unlock!(Gc::write(mc, child), CyclicNode, parent).set(Some(node));
    }
    node
}

fn check_cyclic<'gc>(node: Gc<'gc, CyclicNode<'gc>>) -> u64 {
    let mut n = 1;
    for child in [node.left, node.right].into_iter().flatten() {
        let parent = child.parent.get();
        assert!(
            parent.is_some_and(|p| Gc::ptr_eq(p, node)),
            "a broken parent pointer"
        );
        n += check_cyclic(child);
    }
    n
}

type CyclicRoot = Rootable![Option<Gc<'_, CyclicNode<'_>>>];

struct CyclicTrees {
    arena: Arena<CyclicRoot>,
}

impl Trees for CyclicTrees {
    fn temporary(&mut self, depth: u32) -> u64 {
        let n = self
            .arena
            .mutate(|mc, _| check_cyclic(bottom_up_cyclic(mc, depth)));
        self.arena.collect_debt();
        n
    }

    fn keep_long_lived(&mut self, depth: u32) {
        self.arena
            .mutate_root(|mc, root| *root = Some(bottom_up_cyclic(mc, depth)));
        self.arena.collect_debt();
    }

    fn check_long_lived(&mut self) -> u64 {
        self.arena
            .mutate(|_, root| check_cyclic(root.expect("built above")))
    }
}

/// Runs the cyclic binary-trees on a fresh arena; returns the checksum.
pub fn cyclic_trees(max: u32) -> u64 {
    let mut trees = CyclicTrees {
        arena: Arena::new(|_| None),
    };
    binary_trees::run(&mut trees, max)
}

/// GCBench's node: two children (set after construction by `Populate`) and two ints.
#[derive(Collect)]
#[collect(no_drop)]
pub struct BenchNode<'gc> {
    left: Lock<Option<Gc<'gc, BenchNode<'gc>>>>,
    right: Lock<Option<Gc<'gc, BenchNode<'gc>>>>,
    i: i32,
    j: i32,
}

impl<'gc> BenchNode<'gc> {
    fn new(
        mc: &Mutation<'gc>,
        left: Option<Gc<'gc, BenchNode<'gc>>>,
        right: Option<Gc<'gc, BenchNode<'gc>>>,
    ) -> Gc<'gc, BenchNode<'gc>> {
        Gc::new(
            mc,
            BenchNode {
                left: Lock::new(left),
                right: Lock::new(right),
                i: 0,
                j: 0,
            },
        )
    }
}

fn populate<'gc>(mc: &Mutation<'gc>, depth: u32, node: Gc<'gc, BenchNode<'gc>>) -> u64 {
    if depth == 0 {
        return 0;
    }
    let (left, right) = (
        BenchNode::new(mc, None, None),
        BenchNode::new(mc, None, None),
    );
    let node = Gc::write(mc, node);
    unlock!(node, BenchNode, left).set(Some(left));
    unlock!(node, BenchNode, right).set(Some(right));
    2 + populate(mc, depth - 1, left) + populate(mc, depth - 1, right)
}

fn make_tree<'gc>(mc: &Mutation<'gc>, depth: u32) -> (Gc<'gc, BenchNode<'gc>>, u64) {
    if depth == 0 {
        return (BenchNode::new(mc, None, None), 1);
    }
    let (left, l) = make_tree(mc, depth - 1);
    let (right, r) = make_tree(mc, depth - 1);
    (BenchNode::new(mc, Some(left), Some(right)), 1 + l + r)
}

fn count(node: &BenchNode<'_>) -> u64 {
    let mut n = 1 + node.i as u64 + node.j as u64;
    for child in [node.left.get(), node.right.get()].into_iter().flatten() {
        n += count(&child);
    }
    n
}

/// GCBench's long-lived data, the arena's root.
#[derive(Collect, Default)]
#[collect(no_drop)]
pub struct LongLived<'gc> {
    tree: Option<Gc<'gc, BenchNode<'gc>>>,
    array: Option<Gc<'gc, Vec<f64>>>,
}

struct ArenaBench {
    arena: Arena<Rootable![LongLived<'_>]>,
}

impl ArenaBench {
    /// One `mutate` call, then `collect_debt`.
    fn step<T>(&mut self, f: impl for<'gc> FnOnce(&'gc Mutation<'gc>) -> T) -> T {
        let result = self.arena.mutate(|mc, _| f(mc));
        self.arena.collect_debt();
        result
    }
}

impl GcBench for ArenaBench {
    fn make_tree(&mut self, depth: u32) -> u64 {
        self.step(|mc| make_tree(mc, depth).1)
    }

    fn populate(&mut self, depth: u32) -> u64 {
        self.step(|mc| 1 + populate(mc, depth, BenchNode::new(mc, None, None)))
    }

    fn keep_long_lived_tree(&mut self, depth: u32) -> u64 {
        let n = self.arena.mutate_root(|mc, long| {
            let tree = long.tree.insert(BenchNode::new(mc, None, None));
            1 + populate(mc, depth, *tree)
        });
        self.arena.collect_debt();
        n
    }

    fn keep_long_lived_array(&mut self) {
        self.arena.mutate_root(|mc, long| {
            let array = (0..ARRAY_SIZE).map(array_value).collect();
            long.array = Some(Gc::new(mc, array));
        });
        self.arena.collect_debt();
    }

    fn check_long_lived(&mut self) -> u64 {
        self.arena.mutate(|_, long| {
            let tree = long.tree.expect("built above");
            let array = long.array.expect("built above");
            count(&tree) + array_check(array[1000])
        })
    }
}

/// Runs GCBench on a fresh arena; returns the checksum.
pub fn gcbench() -> u64 {
    let mut bench = ArenaBench {
        arena: Arena::new(|_| LongLived::default()),
    };
    gcbench::run(&mut bench)
}

/// A list node.
#[derive(Collect)]
#[collect(no_drop)]
pub struct Link<'gc> {
    value: u64,
    next: Option<Gc<'gc, Link<'gc>>>,
}

fn batch(mc: &Mutation<'_>, first: u64) -> u64 {
    let mut sum = 0;
    for list in 0..workloads::LISTS_PER_BATCH {
        let start = first + list * workloads::LIST_LEN;
        let head = (start..start + workloads::LIST_LEN)
            .fold(None, |next, value| Some(Gc::new(mc, Link { value, next })));
        let mut link = head;
        while let Some(l) = link {
            sum += l.value;
            link = l.next;
        }
    }
    sum
}

/// Runs the small-object workload on a fresh arena, one `mutate` per batch.
pub fn small_objects() -> u64 {
    let mut arena = Arena::<Rootable![()]>::new(|_| ());
    workloads::small_objects(|first| {
        let sum = arena.mutate(|mc, _| batch(mc, first));
        arena.collect_debt();
        sum
    })
}

/// The latency ring, the arena's root: a `Vec` of `Lock` slots in a `Gc`, written through
/// `Gc::write` (gc-arena's safe barrier: during marking it turns the whole ring gray again,
/// to be traced anew).
type Ring<'gc> = Gc<'gc, Vec<Lock<Option<Gc<'gc, [u8]>>>>>;

/// The latency ring on a fresh arena: one `mutate` per push followed by `collect_debt`, as
/// the rest of this bench calls it (and as its docs recommend: the debt is paid in small
/// increments, so each push pays for about its own allocation). The buffer is a
/// `Gc<[u8; 1024]>` unsized to `Gc<[u8]>` with `unsize!` (gc-arena's way to make a slice
/// object: one allocation).
pub struct LatencyRing {
    arena: Arena<Rootable![Ring<'_>]>,
}

impl LatencyRing {
    pub fn new() -> LatencyRing {
        let arena = Arena::<Rootable![Ring<'_>]>::new(|mc| {
            let slots = (0..workloads::LATENCY_SLOTS).map(|_| Lock::new(None));
            Gc::new(mc, slots.collect())
        });
        LatencyRing { arena }
    }
}

impl workloads::LatencyRing for LatencyRing {
    fn push(&mut self, i: usize) {
        self.arena.mutate(|mc, ring| {
            let bytes: [u8; workloads::LATENCY_BUFFER] =
                std::array::from_fn(|j| workloads::latency_byte(i, j));
            let buf = unsize!(Gc::new(mc, bytes) => [u8]);
            Gc::write(mc, *ring)[i % workloads::LATENCY_SLOTS]
                .unlock()
                .set(Some(buf));
        });
        self.arena.collect_debt();
    }

    fn checksum(&mut self) -> u64 {
        self.arena.mutate(|_, ring| {
            (ring.iter())
                .filter_map(|s| s.get())
                .map(|b| workloads::latency_value(&b))
                .sum()
        })
    }
}

/// Runs the latency ring on a fresh arena, each push timed into `times`; returns the checksum.
pub fn latency(times: &mut [u64]) -> u64 {
    workloads::latency_run(LatencyRing::new(), times)
}
