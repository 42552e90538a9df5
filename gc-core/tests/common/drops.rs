//! Heap objects that record their drops, for tests that check what died and how often.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gcheap_core::{Gc, Mutation, Trace, Tracer};

/// Drops seen, by object id.
pub type DropLog = Arc<Mutex<HashMap<u64, u32>>>;

/// A heap object that records its drop, optionally holding another.
pub struct Node<'gc> {
    pub id: u64,
    pub next: Option<Gc<'gc, Node<'gc>>>,
    pub log: DropLog,
}

// SAFETY: reports its one Gc field; has no cells.
unsafe impl<'gc> Trace for Node<'gc> {
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.next);
    }
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        *self.log.lock().unwrap().entry(self.id).or_default() += 1;
    }
}

/// A new node.
pub fn node<'gc>(
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

/// How many times object `id` was dropped.
pub fn drops(log: &DropLog, id: u64) -> u32 {
    log.lock().unwrap().get(&id).copied().unwrap_or(0)
}
