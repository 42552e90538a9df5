//! `GcKey`: identity-keyed std maps inside the heap, across cycles.

use std::collections::HashMap;

use gcheap_core::{Gc, GcKey, GcRefCell, Heap, Rootable, Trace, Tracer};

struct Symbol {
    name: String,
}

// SAFETY: holds no Gc pointer.
unsafe impl Trace for Symbol {
    const NEEDS_TRACE: bool = false;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// A table from symbol objects (by identity) to values, and the symbols in creation order.
struct Table<'gc> {
    values: GcRefCell<'gc, HashMap<GcKey<'gc, Symbol>, u64>>,
    order: GcRefCell<'gc, Vec<Gc<'gc, Symbol>>>,
}

// SAFETY: traces both cells, which hold every Gc pointer of the table.
unsafe impl<'gc> Trace for Table<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.values);
        t.trace(&self.order);
    }
}

#[test]
fn identity_keyed_map_keeps_its_keys_alive_and_tells_equal_values_apart() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![Table<'_>]>(|_| Table {
        values: GcRefCell::new(HashMap::new()),
        order: GcRefCell::new(Vec::new()),
    });
    m.mutate(|mc, table| {
        for i in 0..1000u64 {
            // Two objects per name: equal values, different identities.
            for copy in 0..2 {
                let sym = Gc::new(
                    mc,
                    Symbol {
                        name: format!("sym{}", i % 500),
                    },
                );
                table.values.borrow_mut(mc).insert(GcKey(sym), i * 2 + copy);
                table.order.borrow_mut(mc).push(sym);
            }
        }
    });
    m.collect();
    m.collect();
    m.mutate(|_, table| {
        let values = table.values.borrow();
        assert_eq!(values.len(), 2000, "every object is its own key");
        for (n, sym) in table.order.borrow().iter().enumerate() {
            assert_eq!(
                values[&GcKey(*sym)],
                n as u64,
                "key {n} maps to its own value"
            );
            assert_eq!(sym.name, format!("sym{}", (n / 2) % 500));
        }
    });
}
