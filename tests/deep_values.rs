//! Tracing deeply nested owned data inside one object: a `Box` chain 100,000 links long (and a
//! `Vec` nest as deep) must neither overflow the collector's stack nor lose a Gc pointer at any
//! depth.

use gcheap::{Config, Gc, GcRefCell, Heap, Rootable, Trace};

const DEPTH: usize = 100_000;

#[derive(Trace)]
struct Link<'gc> {
    value: Gc<'gc, u64>,
    next: Option<Box<Link<'gc>>>,
}

#[derive(Trace)]
struct Nest<'gc> {
    value: Gc<'gc, u64>,
    inner: Vec<Nest<'gc>>,
}

#[derive(Trace)]
struct Holder<'gc> {
    chain: GcRefCell<'gc, Option<Box<Link<'gc>>>>,
    nest: GcRefCell<'gc, Vec<Nest<'gc>>>,
}

type Root = Rootable![Holder<'_>];

#[test]
fn a_box_chain_and_a_vec_nest_100k_deep_are_traced_without_recursion() {
    let heap = Heap::new(Config {
        verify: true,
        poison_freed: true,
        ..Config::default()
    })
    .expect("a valid config");
    let mut m = heap.mutator::<Root>(|_| Holder {
        chain: GcRefCell::new(None),
        nest: GcRefCell::new(Vec::new()),
    });
    m.mutate(|mc, root| {
        *root.chain.borrow_mut(mc) = Some(build_chain(mc));
        *root.nest.borrow_mut(mc) = vec![build_nest(mc)];
    });
    // Marking and checkmark both trace the 100k-deep values; then everything must still be there.
    m.collect();
    m.collect();
    m.mutate(|_, root| {
        assert_eq!(sum_chain(root.chain.borrow().as_deref()), expected_sum());
        assert_eq!(sum_nest(&root.nest.borrow()[0]), expected_sum());
    });
    // Dismantle both iteratively: Rust's own drop glue for such values recurses.
    m.mutate(|mc, root| {
        let mut link = root.chain.borrow_mut(mc).take();
        while let Some(mut l) = link {
            link = l.next.take();
        }
        let mut nest = root.nest.borrow_mut(mc).pop();
        while let Some(mut n) = nest {
            nest = n.inner.pop();
        }
    });
}

fn build_chain<'gc>(mc: &gcheap::Mutation<'gc>) -> Box<Link<'gc>> {
    let mut head: Option<Box<Link<'gc>>> = None;
    for i in 0..DEPTH as u64 {
        head = Some(Box::new(Link {
            value: Gc::new(mc, i),
            next: head,
        }));
    }
    head.expect("DEPTH > 0")
}

fn build_nest<'gc>(mc: &gcheap::Mutation<'gc>) -> Nest<'gc> {
    let mut nest = Nest {
        value: Gc::new(mc, 0),
        inner: Vec::new(),
    };
    for i in 1..DEPTH as u64 {
        nest = Nest {
            value: Gc::new(mc, i),
            inner: vec![nest],
        };
    }
    nest
}

fn sum_chain(mut link: Option<&Link<'_>>) -> u64 {
    let mut sum = 0;
    while let Some(l) = link {
        sum += *l.value;
        link = l.next.as_deref();
    }
    sum
}

fn sum_nest(mut nest: &Nest<'_>) -> u64 {
    let mut sum = *nest.value;
    while let Some(n) = nest.inner.first() {
        sum += *n.value;
        nest = n;
    }
    sum
}

fn expected_sum() -> u64 {
    (DEPTH as u64 - 1) * DEPTH as u64 / 2
}
