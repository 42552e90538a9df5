//! Weak-keyed maps (JavaScript's `WeakMap`, Lua's `__mode = "k"` tables): [`GcWeakMap`] for one
//! mutator, [`GcSyncWeakMap`] for maps shared between mutators.
//!
//! A map is a hash table from a key's identity (its address) to a [`GcEphemeron`] holding the key
//! weakly and the value, so the collector decides each entry's fate as `crate::ephemeron`
//! describes: an entry survives a cycle exactly when its key is reachable by other paths. The
//! collector clears the ephemerons of dead keys at mark end; the map drops those entries the next
//! time it is written, or asked its length, after such a cycle (the heap counts cycles that
//! cleared anything, so a map without dead entries never walks itself).
//!
//! A cleared entry's address key may be reused by a new object after the sweep: every lookup
//! checks that the ephemeron's key is the object asked about, and an insertion replaces a cleared
//! entry.

use std::collections::HashMap;
use std::fmt;

use crate::cell::GcRefCell;
use crate::context::Mutation;
use crate::ephemeron::GcEphemeron;
use crate::gc::Gc;
use crate::sync_cell::GcMutex;
use crate::trace::{Trace, Tracer};

type Entry<'gc, K, V> = Gc<'gc, GcEphemeron<'gc, K, V>>;

/// The contents of a map, inside its cell.
struct Table<'gc, K: Trace + 'gc, V: Trace + 'gc> {
    /// Key address -> ephemeron (possibly cleared).
    entries: HashMap<usize, Entry<'gc, K, V>>,
    /// The heap's count of clearing cycles when the map last dropped cleared entries.
    pruned_at: u64,
}

// SAFETY: reports every ephemeron (which decides what of its key and value is reachable); no
// barrier cell inside.
unsafe impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Trace for Table<'gc, K, V> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.entries);
    }
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Table<'gc, K, V> {
    fn new() -> Self {
        Table {
            entries: HashMap::new(),
            pruned_at: 0,
        }
    }

    /// Whether a cycle cleared ephemerons since the last prune.
    fn needs_prune(&self, mc: &Mutation<'gc>) -> bool {
        mc.shared
            .ephemerons
            .clears
            .load(std::sync::atomic::Ordering::Acquire)
            != self.pruned_at
    }

    /// Drops the entries whose ephemeron was cleared.
    fn prune(&mut self, mc: &Mutation<'gc>) {
        let clears = mc
            .shared
            .ephemerons
            .clears
            .load(std::sync::atomic::Ordering::Acquire);
        if clears != self.pruned_at {
            self.entries.retain(|_, e| !e.is_cleared());
            self.pruned_at = clears;
        }
    }

    fn get(&self, key: Gc<'gc, K>) -> Option<Entry<'gc, K, V>> {
        let e = *self.entries.get(&Gc::as_ptr(key).addr())?;
        e.has_key(key).then_some(e)
    }

    fn insert(&mut self, mc: &Mutation<'gc>, key: Gc<'gc, K>, value: V) -> bool {
        self.prune(mc);
        let e = GcEphemeron::new(mc, key, value);
        let old = self.entries.insert(Gc::as_ptr(key).addr(), e);
        old.is_some_and(|o| o.has_key(key))
    }

    fn remove(&mut self, mc: &Mutation<'gc>, key: Gc<'gc, K>) -> bool {
        self.prune(mc);
        let addr = Gc::as_ptr(key).addr();
        match self.entries.get(&addr) {
            Some(e) if e.has_key(key) => {
                self.entries.remove(&addr);
                true
            }
            _ => false,
        }
    }

    /// The live entries' count, once pruned: entries whose key the cycle found dead but has not
    /// cleared yet are not counted.
    fn len(&self, mc: &Mutation<'gc>) -> usize {
        if mc.job.is_some() {
            self.entries.values().filter(|e| e.is_live(mc)).count()
        } else {
            self.entries.len()
        }
    }

    fn entries(&self, mc: &Mutation<'gc>) -> Vec<(Gc<'gc, K>, &'gc V)> {
        self.entries
            .values()
            .filter_map(|&e| {
                let (k, v) = Gc::as_ref(e).get(mc)?;
                Some((k, v))
            })
            .collect()
    }
}

macro_rules! map_docs {
    ($name:literal) => {
        concat!(
            "\n\nKeys are compared by identity ([`Gc::ptr_eq`]). Lookups take the key itself, which",
            " proves it alive, so they need no read barrier; [`entries`](", $name, "::entries)",
            " hands out keys the map holds weakly, so while a cycle marks it shades them (they",
            " survive that cycle). Values may hold no barrier cell inline (keep a `Gc` of a cell):",
            " an entry is never written, only replaced."
        )
    };
}

/// A map whose keys are held weakly and whose values are kept alive only while their key is
/// (an *ephemeron table*, like JavaScript's `WeakMap` and Lua's `__mode = "k"` tables). When a
/// key dies, its entry is removed, even if the value refers to the key or to other keys.
#[doc = map_docs!("GcWeakMap")]
///
/// For a map shared between mutators, use [`GcSyncWeakMap`].
///
/// ```
/// use gcheap_core::{Gc, GcWeakMap, Heap, Root, Rootable};
///
/// let heap = Heap::default();
/// type Names<'gc> = GcWeakMap<'gc, String, Gc<'gc, String>>;
/// let mut m = heap.mutator::<Rootable![Names<'_>]>(|_| GcWeakMap::new());
/// let kept: Root<Rootable![String]> = m.mutate(|mc, names| {
///     let (a, b) = (Gc::new(mc, "A".to_string()), Gc::new(mc, "B".to_string()));
///     names.insert(mc, a, Gc::new(mc, "a".to_string()));
///     names.insert(mc, b, Gc::new(mc, "b".to_string()));
///     assert_eq!(names.get(a).map(|s| s.as_str()), Some("a"));
///     Root::new(mc, a) // b is held by nothing else
/// });
/// m.collect();
/// m.mutate(|mc, names| {
///     assert_eq!(names.len(mc), 1);
///     assert_eq!(**names.get(kept.get(mc)).unwrap(), "a");
/// });
/// ```
pub struct GcWeakMap<'gc, K: Trace + 'gc, V: Trace + 'gc> {
    table: GcRefCell<'gc, Table<'gc, K, V>>,
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> GcWeakMap<'gc, K, V> {
    /// An empty map.
    pub fn new() -> Self {
        GcWeakMap {
            table: GcRefCell::new(Table::new()),
        }
    }

    /// Inserts or replaces the entry of `key`; returns whether a live entry was replaced.
    ///
    /// # Panics
    /// If the heap is out of memory, or the map is borrowed by a call still running (from a
    /// `Trace` impl or a drop, which cannot reach it legally).
    pub fn insert(&self, mc: &Mutation<'gc>, key: Gc<'gc, K>, value: V) -> bool {
        self.table.borrow_mut(mc).insert(mc, key, value)
    }

    /// The value of `key`'s entry.
    pub fn get(&self, key: Gc<'gc, K>) -> Option<&'gc V> {
        let e = self.table.borrow().get(key)?;
        Gc::as_ref(e).get_for(key)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: Gc<'gc, K>) -> bool {
        self.table.borrow().get(key).is_some()
    }

    /// The ephemeron of `key`'s entry (it stays valid, holding its key and value, after the
    /// entry is replaced or removed).
    pub fn ephemeron(&self, key: Gc<'gc, K>) -> Option<Gc<'gc, GcEphemeron<'gc, K, V>>> {
        self.table.borrow().get(key)
    }

    /// Removes `key`'s entry; returns whether there was one.
    pub fn remove(&self, mc: &Mutation<'gc>, key: Gc<'gc, K>) -> bool {
        self.table.borrow_mut(mc).remove(mc, key)
    }

    /// The number of entries whose key is alive. Drops cleared entries first, if a cycle cleared
    /// any since the map last did; while a cycle marks, it counts the entries one by one.
    pub fn len(&self, mc: &Mutation<'gc>) -> usize {
        if self.table.borrow().needs_prune(mc) {
            self.table.borrow_mut(mc).prune(mc);
        }
        self.table.borrow().len(mc)
    }

    /// Whether no entry's key is alive.
    pub fn is_empty(&self, mc: &Mutation<'gc>) -> bool {
        self.len(mc) == 0
    }

    /// The live entries, in no particular order. While a cycle marks, their keys are shaded
    /// (the caller holds them now).
    pub fn entries(&self, mc: &Mutation<'gc>) -> Vec<(Gc<'gc, K>, &'gc V)> {
        self.table.borrow().entries(mc)
    }
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Default for GcWeakMap<'gc, K, V> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: reports its table through the cell (which the barrier protects).
unsafe impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Trace for GcWeakMap<'gc, K, V> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = true;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.table);
    }
}

impl<K: Trace, V: Trace> fmt::Debug for GcWeakMap<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("GcWeakMap");
        match self.table.try_borrow() {
            Ok(t) => d.field("entries (cleared included)", &t.entries.len()),
            Err(_) => d.field("entries", &"<borrowed>"),
        };
        d.finish()
    }
}

/// The thread-safe form of [`GcWeakMap`], for maps shared between mutators: the same ephemeron
/// entries behind a [`GcMutex`]. `Sync` when the keys and values are.
#[doc = map_docs!("GcSyncWeakMap")]
///
/// ```
/// use gcheap_core::{Gc, GcSyncWeakMap, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcSyncWeakMap<'_, u64, u64>]>(|_| GcSyncWeakMap::new());
/// m.mutate(|mc, map| {
///     let k = Gc::new(mc, 7u64 << 40);
///     map.insert(mc, k, 49);
///     assert_eq!(map.get(k), Some(&49));
/// });
/// ```
pub struct GcSyncWeakMap<'gc, K: Trace + 'gc, V: Trace + 'gc> {
    table: GcMutex<'gc, Table<'gc, K, V>>,
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> GcSyncWeakMap<'gc, K, V> {
    /// An empty map.
    pub fn new() -> Self {
        GcSyncWeakMap {
            table: GcMutex::new(Table::new()),
        }
    }

    /// Inserts or replaces the entry of `key`; returns whether a live entry was replaced.
    ///
    /// # Panics
    /// If the heap is out of memory.
    pub fn insert(&self, mc: &Mutation<'gc>, key: Gc<'gc, K>, value: V) -> bool {
        self.table.lock(mc).insert(mc, key, value)
    }

    /// The value of `key`'s entry.
    pub fn get(&self, key: Gc<'gc, K>) -> Option<&'gc V> {
        let e = self.table.read().get(key)?;
        Gc::as_ref(e).get_for(key)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: Gc<'gc, K>) -> bool {
        self.table.read().get(key).is_some()
    }

    /// The ephemeron of `key`'s entry (see [`GcWeakMap::ephemeron`]).
    pub fn ephemeron(&self, key: Gc<'gc, K>) -> Option<Gc<'gc, GcEphemeron<'gc, K, V>>> {
        self.table.read().get(key)
    }

    /// Removes `key`'s entry; returns whether there was one.
    pub fn remove(&self, mc: &Mutation<'gc>, key: Gc<'gc, K>) -> bool {
        self.table.lock(mc).remove(mc, key)
    }

    /// The number of entries whose key is alive (see [`GcWeakMap::len`]).
    pub fn len(&self, mc: &Mutation<'gc>) -> usize {
        let needs_prune = self.table.read().needs_prune(mc);
        if needs_prune {
            let mut t = self.table.lock(mc);
            t.prune(mc);
            return t.len(mc);
        }
        self.table.read().len(mc)
    }

    /// Whether no entry's key is alive.
    pub fn is_empty(&self, mc: &Mutation<'gc>) -> bool {
        self.len(mc) == 0
    }

    /// The live entries, in no particular order (see [`GcWeakMap::entries`]).
    pub fn entries(&self, mc: &Mutation<'gc>) -> Vec<(Gc<'gc, K>, &'gc V)> {
        self.table.read().entries(mc)
    }
}

impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Default for GcSyncWeakMap<'gc, K, V> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: reports its table through the mutex (which the barrier protects).
unsafe impl<'gc, K: Trace + 'gc, V: Trace + 'gc> Trace for GcSyncWeakMap<'gc, K, V> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = true;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.table);
    }
}

impl<K: Trace, V: Trace> fmt::Debug for GcSyncWeakMap<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcSyncWeakMap")
            .field(
                "entries (cleared included)",
                &self.table.read().entries.len(),
            )
            .finish()
    }
}
