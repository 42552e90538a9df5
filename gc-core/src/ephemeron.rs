//! Ephemerons: [`GcEphemeron`], a key-value pair whose value is reachable through it only while
//! its key is reachable by other paths, and the marker's table of ephemerons waiting for their
//! keys. The maps built on them are in `weak_map.rs`.
//!
//! **The problem.** A weak-keyed table (JavaScript's `WeakMap`, Lua's `__mode = "k"`) must not
//! keep its keys alive, yet must keep an entry's value alive while its key lives, even when the
//! value refers to the key (a cycle through the table) or is the key of another entry (a chain).
//! Tracing the value only when the key is already marked misses keys marked later; re-scanning
//! every table until nothing changes is quadratic on chains.
//!
//! **The pending table.** Scanning an ephemeron whose key is unmarked, a marker files the
//! ephemeron under its key's allocator slot (the unit a mark bit covers: a tiny block holds
//! several small objects) in the heap's [`EphemeronTable`] instead of tracing the
//! value. Whenever a marker newly marks an object while the table is non-empty, it takes the
//! object's entries out and pushes their ephemerons back onto its stack as gray: scanned again,
//! they find their key marked and trace their values. Each filing is released at most once, so
//! marking stays linear, and a chain resolves as each key is reached, within the cycle.
//!
//! **Races.** Filing and marking race on different threads: a marker may mark the key just as
//! another files an ephemeron under it. The filer counts the entry (`pending`, SeqCst) before it
//! reads the key's mark bit under its shard's lock; the marker sets the mark bit (SeqCst) before it
//! reads `pending`. In the total order of SeqCst operations, either the marker sees the count
//! (and takes the shard's lock, so it finds the entry or the filer sees the bit), or the filer
//! sees the bit, and traces the value itself. The release is synchronous with the mark, inside the
//! marking operation that made it (a worker's scan, a mutator's barrier, assist or upgrade), so
//! the ragged termination needs no extra check: when no gray object is left, no entry can be
//! released either.
//!
//! **Mark end.** Entries still filed when the mark is final have unmarked keys: the clearing pass
//! ([`EphemeronTable::clear_dead`], after weak references are cleared and guarded objects
//! resurrected) clears their key slots, so the value is never read again (its objects may be
//! swept), and the table is empty for the next cycle. Every marked ephemeron with a live key was
//! released, so its value was traced.
//!
//! **Reading a key** is a read barrier, as upgrading a weak reference is (`crate::weak`): while
//! the cycle marks, it shades the key (which releases the entry); once the mark is final it reads
//! the key's mark bit; once cleared, a non-null key is live.
//!
//! **Immutability.** An ephemeron is its own heap object, never written after it is built but for
//! the collector's clearing, and its value may hold no barrier cell (a value that must change
//! holds a `Gc` of a cell). Markers read it without its state word, so scanning it twice (filed,
//! then released) is harmless, and a filed address stays the ephemeron's until the sweep.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::*};

use gcheap_allocator::Allocator;
use parking_lot::Mutex;

use crate::context::Mutation;
use crate::gc::Gc;
use crate::mark::{Gray, Marker};
use crate::object::{StaticLayout, base_of};
use crate::trace::{Trace, Tracer};
use crate::weak::read_weak;

/// Shards of the pending table, by key address: markers releasing different keys rarely meet.
const SHARDS: usize = 64;

/// An ephemeron waiting for its key: the ephemeron object's base and its key's address field.
struct Pending {
    ephemeron: NonNull<u8>,
    key: NonNull<AtomicPtr<u8>>,
}

// SAFETY: addresses of marked heap objects, used by markers on any thread while the cycle marks
// (nothing is freed then) and by the clearing pass before the sweep; the key slot is atomic.
unsafe impl Send for Pending {}

/// The ephemerons filed under one key: almost always one (a key of one map), so that case needs
/// no allocation.
enum Filed {
    One(Pending),
    Many(Vec<Pending>),
}

impl Filed {
    fn push(&mut self, p: Pending) {
        match self {
            Filed::Many(v) => v.push(p),
            Filed::One(_) => {
                let Filed::One(first) = std::mem::replace(self, Filed::Many(Vec::new())) else {
                    unreachable!("matched One above")
                };
                *self = Filed::Many(vec![first, p]);
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Filed::One(_) => 1,
            Filed::Many(v) => v.len(),
        }
    }

    fn for_each(self, mut f: impl FnMut(Pending)) {
        match self {
            Filed::One(p) => f(p),
            Filed::Many(v) => v.into_iter().for_each(f),
        }
    }
}

/// Hashes a slot address (a multiple of 16) with one multiplication: the table is looked up for
/// every object marked while entries are filed, so SipHash's cost showed (the address is not
/// attacker-chosen).
#[derive(Default)]
struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // The high bits of the product feed hashbrown's control bytes and bucket index alike.
        self.0 = ((n as u64) >> 4)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(32);
    }
}

/// One shard of the pending table: key slot address -> the ephemerons filed under it.
type Shard = Mutex<HashMap<usize, Filed, BuildHasherDefault<SlotHasher>>>;

/// The heap's ephemerons waiting for their keys to be marked (see the module docs).
pub(crate) struct EphemeronTable {
    /// At least the number of filed entries (incremented before filing, decremented after
    /// release): zero means nothing to look up.
    pending: AtomicUsize,
    shards: Box<[Shard]>,
    /// Cycles whose clearing pass cleared an entry: maps prune their cleared entries when it
    /// changes.
    pub(crate) clears: AtomicU64,
}

impl Default for EphemeronTable {
    fn default() -> Self {
        EphemeronTable {
            pending: AtomicUsize::new(0),
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
            clears: AtomicU64::new(0),
        }
    }
}

impl EphemeronTable {
    fn shard(&self, slot: usize) -> &Shard {
        // Slots are at least 16 apart: skip the low bits.
        &self.shards[(slot >> 4) % SHARDS]
    }

    /// Files `pending` under its unmarked key (at `key_base`); returns false, filing nothing, if
    /// the key is marked by now (the caller traces the value).
    ///
    /// Entries are filed under the key's allocator slot, not its address: small objects without
    /// pointers share tiny blocks (`crate::object`), marked as one, so marking any object of the
    /// block must release them.
    fn file(&self, allocator: &Allocator, key_base: NonNull<u8>, pending: Pending) -> bool {
        let Some(slot) = allocator.object_base(key_base) else {
            return false;
        };
        let slot = slot.as_ptr().addr();
        self.pending.fetch_add(1, SeqCst);
        let mut shard = self.shard(slot).lock();
        if allocator.is_marked(key_base) != Some(false) {
            drop(shard);
            self.pending.fetch_sub(1, SeqCst);
            return false;
        }
        match shard.entry(slot) {
            std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().push(pending),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Filed::One(pending));
            }
        }
        true
    }

    /// Called by a marker that newly marked the object at `base` (its slot's mark bit): pushes
    /// the ephemerons filed under the slot onto `stack`, to be scanned again.
    #[inline]
    pub(crate) fn release(
        &self,
        allocator: &Allocator,
        base: NonNull<u8>,
        stack: &mut VecDeque<Gray>,
    ) {
        if self.pending.load(SeqCst) != 0 {
            self.release_slow(allocator, base, stack);
        }
    }

    #[cold]
    #[inline(never)]
    fn release_slow(&self, allocator: &Allocator, base: NonNull<u8>, stack: &mut VecDeque<Gray>) {
        let Some(slot) = allocator.object_base(base) else {
            return;
        };
        let slot = slot.as_ptr().addr();
        let Some(entries) = self.shard(slot).lock().remove(&slot) else {
            return;
        };
        self.pending.fetch_sub(entries.len(), SeqCst);
        entries.for_each(|p| {
            stack.push_back(Gray {
                base: p.ephemeron,
                start: 0,
            })
        });
    }

    /// The clearing pass, once the mark is final: every entry still filed has an unmarked key;
    /// clears its key slot so that the value is never read again. Empties the table.
    pub(crate) fn clear_dead(&self, allocator: &Allocator) {
        let mut cleared = 0usize;
        for shard in self.shards.iter() {
            for (key, entries) in shard.lock().drain() {
                debug_assert_eq!(
                    allocator.is_marked(NonNull::new(key as *mut u8).expect("filed keys")),
                    Some(false),
                    "a filed ephemeron's key was marked without releasing it"
                );
                entries.for_each(|p| {
                    // SAFETY: the ephemeron was marked when it was filed and is not swept before
                    // this cycle's sweep, which has not started; the slot is atomic.
                    unsafe { p.key.as_ref() }.store(std::ptr::null_mut(), Release);
                    cleared += 1;
                });
            }
        }
        self.pending.store(0, SeqCst);
        if cleared > 0 {
            self.clears.fetch_add(1, Relaxed);
        }
    }
}

/// The base of the ephemeron object whose payload is `this`, as a pointer the marker may read
/// the header through: taken from the allocator's span (whose provenance covers the object),
/// not derived from `this`, a reference to the payload alone.
pub(crate) fn ephemeron_base<E: StaticLayout>(allocator: &Allocator, this: &E) -> NonNull<u8> {
    let payload = NonNull::from(this).cast::<u8>();
    let base = allocator
        .object_base(payload)
        .expect("an ephemeron is a heap object");
    debug_assert_eq!(base.addr(), base_of::<E>(payload).addr());
    base
}

impl Marker {
    /// Scanning the ephemeron at `this` with key slot `key` (a `K`'s payload): whether to trace
    /// its value now. Files it if the key is unmarked.
    pub(crate) fn ephemeron<E: StaticLayout, K: StaticLayout>(
        &mut self,
        this: &E,
        key: &AtomicPtr<u8>,
    ) -> bool {
        let Some(k) = NonNull::new(key.load(Acquire)) else {
            return false;
        };
        let key_base = base_of::<K>(k);
        if self.allocator.is_marked(key_base) != Some(false) {
            return true;
        }
        let pending = Pending {
            ephemeron: ephemeron_base::<E>(&self.allocator, this),
            key: NonNull::from(key),
        };
        !self.ephemerons.file(&self.allocator, key_base, pending)
    }
}

/// A key-value pair whose value the collector keeps alive only while the key is reachable by
/// other paths: through the ephemeron, the key is weak and the value is reachable from the key.
/// When the key dies, the ephemeron is cleared (for good) and the value is no longer reachable
/// through it, even if it refers to the key.
///
/// An ephemeron is always its own heap object ([`GcEphemeron::new`] returns a `Gc`), never
/// written after it is built: its value may hold no barrier cell (compile-time check; keep a
/// `Gc` of a cell there instead). [`GcWeakMap`](crate::GcWeakMap) is a table of them.
///
/// ```
/// use gcheap_core::{Gc, GcCell, GcEphemeron, Heap, Root, Rootable};
///
/// let heap = Heap::default();
/// type Eph<'gc> = GcEphemeron<'gc, String, Gc<'gc, String>>;
/// let mut m = heap.mutator::<Rootable![Gc<'_, Eph<'_>>]>(|mc| {
///     let key = Gc::new(mc, "key".to_string());
///     GcEphemeron::new(mc, key, Gc::new(mc, "value".to_string()))
/// });
/// // Nothing else holds the key: the ephemeron is cleared by the next cycle.
/// m.collect();
/// m.mutate(|mc, eph| assert!(eph.get(mc).is_none()));
/// ```
pub struct GcEphemeron<'gc, K: Trace + 'gc, V: Trace + 'gc> {
    /// The key's payload address; null once cleared. Written only by the clearing pass.
    key: AtomicPtr<u8>,
    value: V,
    _key: PhantomData<Gc<'gc, K>>,
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> GcEphemeron<'gc, K, V> {
    /// A new ephemeron from `key` to `value`, as a heap object.
    ///
    /// # Panics
    /// If the heap is out of memory.
    pub fn new(mc: &Mutation<'gc>, key: Gc<'gc, K>, value: V) -> Gc<'gc, GcEphemeron<'gc, K, V>> {
        const {
            assert!(
                !V::HAS_CELLS,
                "a GcEphemeron's value cannot hold a barrier cell inline (ephemerons are never \
                 written); store a Gc of the cell instead"
            )
        };
        Gc::new(
            mc,
            GcEphemeron {
                key: AtomicPtr::new(key.payload().as_ptr()),
                value,
                _key: PhantomData,
            },
        )
    }

    /// The key, if it is still alive. While a cycle marks, the key is shaded, so that it and
    /// the value survive the cycle, like any object a mutator holds.
    #[inline]
    pub fn key(&self, mc: &Mutation<'gc>) -> Option<Gc<'gc, K>> {
        read_weak::<K>(mc, &self.key).map(|p| {
            // SAFETY: `read_weak` returned the address of a live K (the slot was made from a
            // Gc<K>), which stays alive for the brand: it was shaded, or is marked in a cycle
            // whose sweep has not started, or survived the last cycle.
            unsafe { Gc::from_ptr(p.cast()) }
        })
    }

    /// The key and the value, if the key is still alive (see [`key`](Self::key)).
    #[inline]
    pub fn get(&self, mc: &Mutation<'gc>) -> Option<(Gc<'gc, K>, &V)> {
        // The value is valid while the key lives: a live key's ephemeron is traced.
        self.key(mc).map(|k| (k, &self.value))
    }

    /// The value, if `key` is this ephemeron's key. Holding the key proves it alive, so this
    /// needs no read barrier.
    #[inline]
    pub fn get_for(&self, key: Gc<'gc, K>) -> Option<&V> {
        self.has_key(key).then_some(&self.value)
    }

    /// Whether `key` is this ephemeron's key.
    #[inline]
    pub fn has_key(&self, key: Gc<'gc, K>) -> bool {
        std::ptr::eq(self.key.load(Acquire), key.payload().as_ptr())
    }

    /// Whether the collector has cleared this ephemeron (its key died). A `false` answer can be
    /// out of date by the time it is used.
    pub fn is_cleared(&self) -> bool {
        self.key.load(Acquire).is_null()
    }

    /// Whether the key is alive, without shading it: `false` once the cycle's mark is final and
    /// the key unmarked, or once cleared.
    pub(crate) fn is_live(&self, mc: &Mutation<'gc>) -> bool {
        crate::weak::is_live(mc, &self.key)
    }
}

// SAFETY: reports its value's Gc pointers exactly when its key is marked, and otherwise files
// itself so that the marker reports them once the key is marked (see the module docs), which is
// what keeps everything reachable marked; the key is weak by design. No barrier cell: `new`
// refuses values with cells, and the key is atomic.
unsafe impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Trace for GcEphemeron<'gc, K, V> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if tracer.ephemeron::<Self, K>(self, &self.key) {
            tracer.trace(&self.value);
        }
    }
}

/// Shows the key's address and the types, not the value: reading it needs the key's read
/// barrier (a mutation context), as a dead key's value may be swept.
impl<K: Trace, V: Trace> fmt::Debug for GcEphemeron<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcEphemeron")
            .field("key", &self.key.load(Relaxed))
            .field("key_type", &std::any::type_name::<K>())
            .field("value_type", &std::any::type_name::<V>())
            .finish()
    }
}
