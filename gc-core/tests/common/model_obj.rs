//! The object of the single-mutator models (`model.rs`, `model_weak.rs`): an id, a payload
//! derived from it (checked when read and when dropped), edges, and a shared drop log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gcheap_core::{Gc, GcRefCell, Mutation, Trace, Tracer};

use super::model::Node;

pub const PAYLOAD: usize = 5;

/// Drop counts by object id, shared by every object of one heap.
#[derive(Default)]
pub struct DropLog {
    pub counts: Mutex<HashMap<u64, u32>>,
    /// Ids of objects whose payload was corrupt when they were dropped.
    pub corrupt: Mutex<Vec<u64>>,
}

impl DropLog {
    pub fn count(&self, id: u64) -> u32 {
        self.counts.lock().unwrap().get(&id).copied().unwrap_or(0)
    }
}

pub fn payload_for(id: u64) -> [u64; PAYLOAD] {
    let mut p = [0u64; PAYLOAD];
    let mut x = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    for w in &mut p {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        *w = x;
    }
    p
}

pub struct Obj<'gc> {
    pub id: u64,
    pub payload: [u64; PAYLOAD],
    pub edges: GcRefCell<'gc, Vec<Gc<'gc, Obj<'gc>>>>,
    pub log: Arc<DropLog>,
}

// SAFETY: `edges` is the only field holding Gc pointers.
unsafe impl<'gc> Trace for Obj<'gc> {
    fn trace(&self, t: &mut Tracer<'_>) {
        t.trace(&self.edges);
    }
}

impl Drop for Obj<'_> {
    fn drop(&mut self) {
        // Only this object's own, non-Gc fields are read.
        if self.payload != payload_for(self.id) {
            self.log.corrupt.lock().unwrap().push(self.id);
        }
        *self.log.counts.lock().unwrap().entry(self.id).or_insert(0) += 1;
    }
}

pub fn new_obj<'gc>(mc: &Mutation<'gc>, id: u64, log: &Arc<DropLog>) -> Gc<'gc, Obj<'gc>> {
    Gc::new(
        mc,
        Obj {
            id,
            payload: payload_for(id),
            edges: GcRefCell::new(Vec::new()),
            log: log.clone(),
        },
    )
}

impl<'gc> Node<'gc> for Obj<'gc> {
    fn id(&self) -> u64 {
        self.id
    }

    fn edges(&self) -> &GcRefCell<'gc, Vec<Gc<'gc, Self>>> {
        &self.edges
    }

    fn check(&self) {
        assert_eq!(
            self.payload,
            payload_for(self.id),
            "payload of object {}",
            self.id
        );
    }
}
