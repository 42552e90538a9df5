//! The write barrier (Go's `mbarrier.go`): Go's hybrid barrier at object granularity, and the
//! state-word protocol that keeps writing mutators and scanning markers apart.
//!
//! **What it must guarantee.** Marking runs while mutators write. Tricolor marking is correct if
//! no black object ever points at a white one that nothing gray still leads to. Go's hybrid
//! barrier keeps that with two halves: shade the value a write *overwrites* (the deletion half,
//! Yuasa's: it keeps the snapshot taken at mark start complete), and shade the value it
//! *stores* while the writer's stack is not yet scanned (the insertion half, Dijkstra's). Here
//! every mutator is scanned at mark start: its root object is scanned with the world stopped,
//! at a boundary where it holds no Gc pointer ([`crate::cycle`]). From then on everything a mutator
//! can store is reachable from the snapshot (kept so by the deletion half) or was allocated
//! black ([`crate::alloc`]), so the insertion half is never needed.
//!
//! **Object granularity.** Before the first write to an object in a cycle the writer makes the
//! whole object black: it finds the cell's object from the cell's address (`object_base`, an
//! O(1) span lookup), shades it (it may be white: the writer reached it from a local), scans all
//! of it (shading every value it may overwrite: the deletion half, for all its fields at once)
//! and releases it black. Later writes to it in the cycle find it black and cost a load. Because
//! every write during marking happens after its writer saw the object black, and a marker never
//! reads a black object, **no marker ever reads an object while it is written**: cells need no
//! atomic slots, and a two-word value can't be read torn.
//!
//! **The state word.** The header word holds the descriptor's address and two state bits
//! ([`BUSY`], [`BLACK`]). Markers and writers take an object the same way ([`acquire`]: a CAS
//! that sets `BUSY` unless it is black or held), scan it, and [`release_black`] it. A marker that
//! finds an object held skips it (the holder blackens it); a writer waits (one object, or one
//! chunk of a slice: [`wait_for`]). The `BLACK` bit means black when it equals the cycle's
//! parity, which flips at every mark start, so no pass over the heap whitens objects.
//! Objects whose type has no barrier cells (`Trace::HAS_CELLS`) are never written once built:
//! markers scan them without the state word.
//!
//! **Cards.** A slice that can hold Gc pointers and has more than `SCAN_CHUNK` elements carries
//! one state word per chunk (a card, see [`crate::object`]). Cards replace the header in the
//! protocol: the barrier blackens only the card it writes (shading the object first if it was
//! white, which queues its other cards), so a write to a 200,000-slot array costs one chunk's
//! scan, not the array's.
//!
//! **Cells outside objects.** A cell outside the heap (a local) needs no barrier: no marker reads
//! it. A cell in Rust-heap memory owned by an object (`Vec<GcCell<..>>`) could not be found from
//! its address, so containers refuse elements with cells at compile time (`Trace::HAS_CELLS`).
//! `GcRefCell::borrow_mut` and `GcMutex::lock` run the barrier once for the whole borrow, which
//! cannot outlive the `mutate` call; marking begins only at boundaries (it may end during the
//! borrow: everything the borrow can reach is black by then).
//!
//! **Termination.** A barrier that takes an object holds its gray children privately until it
//! publishes them; it counts itself as a marking operation (`MutatorState::begin_op`/`end_op`)
//! so that the ragged termination check sees it. A barrier that finds its object black is not
//! an operation.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use crate::context::Mutation;
use crate::mark::{Gray, Marker};
use crate::object::{
    Descriptor, ObjectLayout, SCAN_CHUNK, base_at, cards, descriptor_at, header_word,
};

impl Mutation<'_> {
    /// The write barrier for a cell at `slot` whose value type can hold Gc pointers. Outside a
    /// mark phase it is a load of this context's job field and a predictable branch.
    #[inline]
    pub(crate) fn barrier(&self, slot: *const u8) {
        if self.job.is_some() {
            self.barrier_slow(slot);
        }
    }

    /// The hybrid barrier's deletion half at object granularity: before the first write to an
    /// object in a cycle, make it black by scanning it (shading the values about to be
    /// overwritten), waiting if a worker is scanning it right now. Every mutator was scanned at
    /// the mark start (its root object, with the world stopped), so the insertion half (shading
    /// the new value) is never needed: everything a scanned mutator can store is reachable from
    /// the snapshot (and kept so by this half) or was allocated black.
    ///
    /// A cell outside the heap (a local `GcCell` on the stack or in a `Box` local to the call)
    /// needs nothing: no marker reads it. Cells inside Rust-heap containers of heap objects
    /// (`Vec<GcCell<..>>` in an object) are refused at compile time (see `Trace::HAS_CELLS`),
    /// since their object cannot be found from their address.
    #[cold]
    #[inline(never)]
    fn barrier_slow(&self, slot: *const u8) {
        let Some(slot) = NonNull::new(slot.cast_mut()) else {
            return;
        };
        let Some(base) = self.shared.allocator.object_base(slot) else {
            return;
        };
        let job = self.job.expect("the slow path runs only while marking");
        // SAFETY: the marker is this mutator's, used only on its thread inside mutate (this
        // call) or by the collector with the world stopped; no other borrow of it is live here:
        // allocation and assists borrow it only within their own calls, and the Trace impls the
        // barrier runs get no `Mutation`.
        let marker = unsafe { &mut *self.state.marker.get() };
        let mut began = false;
        // A panic in a Trace impl here would leave the object held and the operation open
        // (the cycle could never end): abort, as the workers do.
        crate::mark::abort_on_panic(|| {
            // SAFETY: `base` is the slot of the heap object holding the cell (`object_base`
            // found the slot inside an in-use span): the caller reached the cell through a Gc of
            // this call, so the object is live (marking frees nothing, and a sweep frees only
            // objects no mutator can reach), and it has a header, since a cell that can hold Gc
            // pointers makes its type need tracing; `slot` is inside it.
            began = unsafe { marker.blacken_for_write(base, slot, || self.state.begin_op()) };
        });
        if began {
            marker.publish(job);
            self.state.end_op(job, marker);
        }
    }
}

/// The header word's state bits. A descriptor is at least 8-aligned, so its address leaves the
/// low three bits free.
///
/// `BUSY`: a marker or a writing mutator holds the object (it is scanning it). `BLACK`: the
/// object's black bit; it means black when it equals the current cycle's parity
/// ([`crate::heap::HeapState::parity`]), which flips at every cycle start, so no pass over the heap
/// is needed to whiten objects: everything blackened or allocated in cycle n is white for n + 1.
pub(crate) const BUSY: usize = 1;
pub(crate) const BLACK: usize = 2;
pub(crate) const STATE_MASK: usize = BUSY | BLACK;

/// What [`acquire`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The caller now holds the object (state `BUSY`); it must release it.
    Held,
    /// Black already: nothing to do, and the marker's reads happened before this call returns.
    Black,
    /// Someone else holds it and will blacken it (or hand it back gray).
    Busy,
}

/// Tries to take the object whose header word is `word` for scanning, in the cycle whose black
/// bit is `black`.
#[inline]
pub(crate) fn acquire(word: &AtomicUsize, black: usize) -> Acquired {
    let mut h = word.load(Acquire);
    loop {
        if h & BLACK == black {
            return Acquired::Black;
        }
        if h & BUSY != 0 {
            return Acquired::Busy;
        }
        match word.compare_exchange_weak(h, h | BUSY, Acquire, Acquire) {
            Ok(_) => return Acquired::Held,
            Err(now) => h = now,
        }
    }
}

/// Releases a held object as black: terminal for the cycle. The release publishes the holder's
/// reads to whoever next finds it black.
#[inline]
pub(crate) fn release_black(word: &AtomicUsize, black: usize) {
    let h = word.load(Relaxed);
    word.store((h & !STATE_MASK) | black, Release);
}

/// Releases a held object still gray (a slice with chunks left to scan).
#[inline]
pub(crate) fn release_gray(word: &AtomicUsize) {
    word.fetch_and(!BUSY, Release);
}

/// Takes the object or card whose state word is `word` (waiting while a worker holds it: one
/// object or one chunk), runs `scan` holding it, and releases it black. Returns at once if it is
/// black already.
fn wait_for(word: &std::sync::atomic::AtomicUsize, black: usize, scan: impl FnOnce()) {
    let mut spins = 0u32;
    loop {
        match acquire(word, black) {
            Acquired::Black => return,
            Acquired::Held => break,
            Acquired::Busy => {
                spins += 1;
                if spins < 128 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
    }
    scan();
    release_black(word, black);
}

impl Marker {
    /// The barrier for a write at `slot` inside the object at `base`: blackens the card holding
    /// `slot` if the object is a carded slice, else the whole object (see `blacken`). Returns
    /// false at once, without calling `begin`, if that card or object is black already;
    /// otherwise calls `begin` before it takes the object (the caller marks the start of an
    /// operation that may hold gray objects privately, see `MarkJob` termination).
    ///
    /// # Safety
    /// `base` is a live object with a header, written by the caller's mutator, and `slot` lies
    /// inside its elements (a cell of the object).
    pub(crate) unsafe fn blacken_for_write(
        &mut self,
        base: NonNull<u8>,
        slot: NonNull<u8>,
        begin: impl FnOnce(),
    ) -> bool {
        // SAFETY: caller's promise: a live object with a written header.
        let desc = unsafe { descriptor_at(base) };
        // SAFETY: as above; `desc` is its descriptor.
        let Some(cards) = (unsafe { cards(base, desc) }) else {
            // SAFETY: caller's promise.
            let word = unsafe { header_word(base) };
            if word.load(Acquire) & BLACK == self.black {
                return false;
            }
            begin();
            // SAFETY: caller's promise.
            unsafe { self.blacken(base, desc) };
            return true;
        };
        // The slot lies in the elements (caller's promise), and carded objects have elem_size > 0.
        let index =
            (slot.as_ptr().addr() - base.as_ptr().addr() - desc.payload_offset) / desc.elem_size;
        let k = (index / SCAN_CHUNK).min(cards.len() - 1);
        let card = &cards[k];
        if card.load(Acquire) & BLACK == self.black {
            return false;
        }
        begin();
        wait_for(card, self.black, || {
            if let Some(size) = self.mark_base(base) {
                // Newly shaded: the other cards still need scanning.
                self.marked_bytes += size as u64;
                self.stack.push_back(Gray { base, start: 0 });
            }
            // SAFETY: we hold the card; the caller promises a live object.
            unsafe { self.trace_chunk(base, desc, k * SCAN_CHUNK) };
        });
        true
    }

    /// Makes a mutator's root object black at mark start, with the world stopped: marks it and
    /// scans it here rather than queueing it, so that no marker reads it while its mutator runs
    /// (`Mutator::mutate_root` writes it without a barrier; see `crate::mutator`).
    ///
    /// # Safety
    /// `payload` is the payload of a live object of layout `layout`; the world is stopped.
    pub(crate) unsafe fn blacken_root(&mut self, payload: NonNull<u8>, layout: ObjectLayout) {
        let base = base_at(payload, layout);
        if layout.needs_scan {
            // SAFETY: caller's promise: a scanned type has a header, written at allocation, and
            // no mutator writes the object while the world is stopped.
            unsafe { self.blacken(base, descriptor_at(base)) };
        } else if let Some(size) = self.mark_base(base) {
            self.marked_bytes += size as u64;
        }
    }

    /// The barrier's half of the protocol: makes the object at `base` black before its first
    /// write in this cycle. Shades it (it may be white: the writer reached it from its locals),
    /// scans all of it if no one has, and waits while a worker holds it. Its children go onto this
    /// marker's stack; the caller publishes them.
    ///
    /// # Safety
    /// `base` is a live object with a header holding `desc`, written by the caller's mutator.
    unsafe fn blacken(&mut self, base: NonNull<u8>, desc: &Descriptor) {
        // SAFETY: caller's promise.
        let word = unsafe { header_word(base) };
        wait_for(word, self.black, || {
            if let Some(size) = self.mark_base(base) {
                self.marked_bytes += size as u64;
            }
            let mut start = 0;
            // SAFETY: we hold the object; the caller promises it is live with this descriptor.
            while let Some(next) = unsafe { self.trace_chunk(base, desc, start) } {
                start = next;
            }
        });
    }
}
