//! Cells where the barrier can find their object compile (and run): inline in an object, in an
//! array or tuple field, in a Gc slice; Vec/Box of Gc pointers (no cells) and recursive types
//! through Box are fine too.
use gcheap::prelude::*;

#[derive(Trace)]
struct Node<'gc> {
    value: GcCell<'gc, u64>,
    next: GcCell<'gc, Option<Gc<'gc, Node<'gc>>>>,
    pair: (GcCell<'gc, Option<Gc<'gc, u64>>>, [GcCell<'gc, Option<Gc<'gc, u64>>>; 2]),
    children: GcRefCell<'gc, Vec<Gc<'gc, Node<'gc>>>>,
    shared: GcMutex<'gc, Vec<Gc<'gc, u64>>>,
}

#[derive(Trace)]
enum Expr<'gc> {
    Leaf(Gc<'gc, u64>),
    Add(Box<Expr<'gc>>, Box<Expr<'gc>>),
}

fn node<'gc>(mc: &Mutation<'gc>) -> Gc<'gc, Node<'gc>> {
    Gc::new(
        mc,
        Node {
            value: GcCell::new(1),
            next: GcCell::new(None),
            pair: (GcCell::new(None), [GcCell::new(None), GcCell::new(None)]),
            children: GcRefCell::new(Vec::new()),
            shared: GcMutex::new(Vec::new()),
        },
    )
}

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| {
        let a = node(mc);
        let b = node(mc);
        a.next.set(mc, Some(b));
        a.pair.1[1].set(mc, Some(Gc::new(mc, 7)));
        a.children.borrow_mut(mc).push(b);
        a.shared.lock(mc).push(Gc::new(mc, 8));
        let slots = Gc::from_iter(mc, (0..4).map(|_| GcCell::new(None::<Gc<'_, u64>>)));
        slots[3].set(mc, Some(Gc::new(mc, 9)));
        let e = Gc::new(mc, Expr::Add(Box::new(Expr::Leaf(Gc::new(mc, 2))), Box::new(Expr::Leaf(Gc::new(mc, 3)))));
        assert!(matches!(*e, Expr::Add(..)));
        assert_eq!(*slots[3].get().unwrap() + *a.pair.1[1].get().unwrap(), 16);
    });
}
