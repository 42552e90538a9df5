//! Checkmark verification (Go's `gccheckmark`): after marking, a second, single-threaded mark
//! from the same roots with its own visited set. Every object it reaches must already carry the
//! first mark's bit; one that does not is a collector bug, reported by a panic naming its type,
//! before the sweep could free it. Ephemerons are followed as the marker follows them: a value
//! once its key has been visited.

use std::collections::{HashMap, HashSet};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, Ordering::Acquire};

use gcheap_allocator::Allocator;

use crate::object::{ObjectLayout, StaticLayout, base_at, base_of, descriptor_at};
use crate::trace::{OwnedTrace, Tracer, TracerKind};

/// The checkmark pass's state.
pub(crate) struct Verifier {
    allocator: Allocator,
    visited: HashSet<usize>,
    stack: Vec<NonNull<u8>>,
    /// Ephemerons (bases) whose key (slot address) has not been visited yet.
    pending: HashMap<usize, Vec<NonNull<u8>>>,
    /// The tracer's nesting of owned containers (see `Tracer::trace_owned`).
    pub(crate) owned: OwnedTrace,
}

impl Verifier {
    pub(crate) fn new(allocator: &Allocator) -> Verifier {
        Verifier {
            allocator: allocator.clone(),
            visited: HashSet::new(),
            stack: Vec::new(),
            pending: HashMap::new(),
            owned: OwnedTrace::default(),
        }
    }

    /// Visits the object of type `T` whose payload is at `payload`.
    pub(crate) fn visit<T: ?Sized>(&mut self, payload: NonNull<u8>, layout: ObjectLayout) {
        let base = base_at(payload, layout);
        let slot = self.allocator.object_base(base).unwrap_or_else(|| {
            panic!(
                "checkmark: a reachable {} at {payload:p} is not in an in-use span of this heap",
                std::any::type_name::<T>()
            )
        });
        if !self.visited.insert(slot.as_ptr().addr()) {
            return;
        }
        if let Some(ephemerons) = self.pending.remove(&slot.as_ptr().addr()) {
            self.stack.extend(ephemerons);
        }
        if self.allocator.is_marked(base) != Some(true) {
            panic!(
                "checkmark: reachable object of type {} at {payload:p} was not marked by the \
                 collector (it would have been freed)",
                std::any::type_name::<T>()
            );
        }
        if layout.needs_scan {
            // The slot, whose provenance covers the header (see `Marker::mark_object`).
            self.stack.push(slot);
        }
    }

    /// Scanning the ephemeron `this` with key slot `key`: whether to trace its value now (its key
    /// was visited); otherwise it is scanned again when the key is.
    pub(crate) fn ephemeron<E: StaticLayout, K: StaticLayout>(
        &mut self,
        this: &E,
        key: &AtomicPtr<u8>,
    ) -> bool {
        let Some(k) = NonNull::new(key.load(Acquire)) else {
            return false;
        };
        // A zero-sized key is no heap object and never dies.
        let Some(slot) = self.allocator.object_base(base_of::<K>(k)) else {
            return true;
        };
        if self.visited.contains(&slot.as_ptr().addr()) {
            return true;
        }
        self.pending
            .entry(slot.as_ptr().addr())
            .or_default()
            .push(crate::ephemeron::ephemeron_base::<E>(&self.allocator, this));
        false
    }

    /// Scans everything reachable from the visited roots.
    pub(crate) fn drain(&mut self) {
        while let Some(base) = self.stack.pop() {
            // SAFETY: only objects with written headers are pushed.
            let desc = unsafe { descriptor_at(base) };
            let trace = desc
                .trace
                .expect("only objects that need scanning are pushed");
            let mut start = 0;
            loop {
                let mut tracer = Tracer::new(TracerKind::Verify(self));
                // SAFETY: the object is reachable, hence live and initialized.
                match unsafe { trace(base, start, &mut tracer) } {
                    Some(next) => start = next,
                    None => break,
                }
            }
        }
    }
}
