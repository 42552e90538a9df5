//! The weak part of a table whose metatable has `__mode` (Lua's weak tables).
//!
//! A weak table keeps the entries that weakness concerns apart from its array and hash parts,
//! in a [`WeakStore`]: with weak keys (`"k"`), every entry whose key is a table, function or
//! thread is a gcheap *ephemeron* (the key held weakly, the value held only while the key is
//! reachable by other paths: Lua 5.4's ephemeron tables, chains included); with weak values
//! (`"v"`), every entry whose value is a table, function or thread holds the value through a
//! weak reference; `"kv"` does both. Strings, numbers and booleans are values, never collected,
//! so entries made only of them stay in the ordinary parts.
//!
//! The collector clears the weak references and ephemerons of dead objects at mark end, before
//! it resurrects objects with finalizers, so a weak value to an object whose `__gc` is about to
//! run reads nil in the finalizer, and a weak key of it is dropped only by the cycle that frees
//! it (the order the Lua manual gives, §2.5.4). A cleared entry reads as absent; the store drops
//! cleared entries when it grows past twice the live count it had at its last compaction,
//! which only an insertion of a new key does (so `next` over it is stable while only existing
//! keys are assigned, as Lua promises).
//!
//! The store keeps its own index over `GcEphemeron`s rather than a `GcWeakMap`: `next` needs a
//! stable order to continue from a key, one table holds keys of three types (tables, functions,
//! threads), and weak values need entries whose key is strong.

use std::collections::HashMap;

use gcheap::{Gc, GcEphemeron, GcWeak, Mutation, Trace};

use crate::function::Function;
use crate::table::{InvalidKey, Table};
use crate::value::Value;
use crate::vm::Thread;

/// A collectable value held weakly.
#[derive(Clone, Copy, Trace)]
enum WeakRef<'gc> {
    Table(GcWeak<'gc, Table<'gc>>),
    Function(GcWeak<'gc, Function<'gc>>),
    Thread(GcWeak<'gc, Thread<'gc>>),
}

impl<'gc> WeakRef<'gc> {
    /// A weak reference to `v`, if it is collectable.
    fn new(mc: &Mutation<'gc>, v: Value<'gc>) -> Option<WeakRef<'gc>> {
        Some(match v {
            Value::Table(t) => WeakRef::Table(Gc::downgrade(mc, t)),
            Value::Function(f) => WeakRef::Function(Gc::downgrade(mc, f)),
            Value::Thread(t) => WeakRef::Thread(Gc::downgrade(mc, t)),
            _ => return None,
        })
    }

    fn upgrade(self, mc: &Mutation<'gc>) -> Option<Value<'gc>> {
        match self {
            WeakRef::Table(w) => w.upgrade(mc).map(Value::Table),
            WeakRef::Function(w) => w.upgrade(mc).map(Value::Function),
            WeakRef::Thread(w) => w.upgrade(mc).map(Value::Thread),
        }
    }

    fn is_cleared(self) -> bool {
        match self {
            WeakRef::Table(w) => w.is_cleared(),
            WeakRef::Function(w) => w.is_cleared(),
            WeakRef::Thread(w) => w.is_cleared(),
        }
    }
}

/// The value of a weak entry.
#[derive(Clone, Copy, Trace)]
enum Held<'gc> {
    Strong(Value<'gc>),
    Weak(WeakRef<'gc>),
}

impl<'gc> Held<'gc> {
    fn get(self, mc: &Mutation<'gc>) -> Option<Value<'gc>> {
        match self {
            Held::Strong(v) => Some(v),
            Held::Weak(w) => w.upgrade(mc),
        }
    }
}

type Eph<'gc, K> = Gc<'gc, GcEphemeron<'gc, K, Held<'gc>>>;

/// One entry of the store.
#[derive(Clone, Copy, Trace)]
enum Entry<'gc> {
    /// A weak key (an ephemeron), by the key's type.
    TableKey(Eph<'gc, Table<'gc>>),
    FunctionKey(Eph<'gc, Function<'gc>>),
    ThreadKey(Eph<'gc, Thread<'gc>>),
    /// A key held strongly, with a weak value.
    Strong(Value<'gc>, WeakRef<'gc>),
    /// A removed entry (its index stays until the next compaction).
    Vacant,
}

impl<'gc> Entry<'gc> {
    /// The live key and value, if the entry has them.
    fn get(self, mc: &Mutation<'gc>) -> Option<(Value<'gc>, Value<'gc>)> {
        fn eph<'gc, K: Trace>(
            mc: &Mutation<'gc>,
            e: Eph<'gc, K>,
            wrap: fn(Gc<'gc, K>) -> Value<'gc>,
        ) -> Option<(Value<'gc>, Value<'gc>)> {
            let (k, held) = Gc::as_ref(e).get(mc)?;
            Some((wrap(k), held.get(mc)?))
        }
        match self {
            Entry::TableKey(e) => eph(mc, e, Value::Table),
            Entry::FunctionKey(e) => eph(mc, e, Value::Function),
            Entry::ThreadKey(e) => eph(mc, e, Value::Thread),
            Entry::Strong(k, w) => Some((k, w.upgrade(mc)?)),
            Entry::Vacant => None,
        }
    }

    /// The value, if the entry's key is `key` and both are alive.
    fn value_for(self, mc: &Mutation<'gc>, key: Value<'gc>) -> Option<Value<'gc>> {
        let held = match (self, key) {
            (Entry::TableKey(e), Value::Table(k)) => *Gc::as_ref(e).get_for(k)?,
            (Entry::FunctionKey(e), Value::Function(k)) => *Gc::as_ref(e).get_for(k)?,
            (Entry::ThreadKey(e), Value::Thread(k)) => *Gc::as_ref(e).get_for(k)?,
            (Entry::Strong(k, w), key) if k.raw_eq(&key) => Held::Weak(w),
            _ => return None,
        };
        held.get(mc)
    }

    /// Whether the entry is vacant or cleared. (An ephemeron whose key lives but whose weak
    /// value died reads as absent but counts as live here: its value cannot be looked at
    /// without its key.)
    fn is_dead(self) -> bool {
        match self {
            Entry::TableKey(e) => e.is_cleared(),
            Entry::FunctionKey(e) => e.is_cleared(),
            Entry::ThreadKey(e) => e.is_cleared(),
            Entry::Strong(_, w) => w.is_cleared(),
            Entry::Vacant => true,
        }
    }
}

/// Which references of a table's entries are weak (`__mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mode {
    /// `k`: keys that are objects are held weakly (ephemerons).
    pub keys: bool,
    /// `v`: values that are objects are held weakly.
    pub values: bool,
}

impl Mode {
    /// The mode a `__mode` value asks for.
    pub fn of(v: Value<'_>) -> Mode {
        match v {
            Value::Str(s) => Mode {
                keys: s.contains(&b'k'),
                values: s.contains(&b'v'),
            },
            _ => Mode::default(),
        }
    }

    /// Whether anything is weak.
    pub fn is_weak(self) -> bool {
        self.keys || self.values
    }
}

/// The weak entries of a table (see the module docs).
#[derive(Trace)]
pub struct WeakStore<'gc> {
    #[trace(static)]
    mode: Mode,
    entries: Vec<Entry<'gc>>,
    /// Object keys (weak or strong) by address -> entry index.
    #[trace(static)]
    by_address: HashMap<usize, usize>,
    /// Other keys (strings, numbers, booleans) -> entry index.
    #[trace(static)]
    by_value: HashMap<ValueKey, usize>,
    /// The live entries at the last compaction (compaction waits for twice as many).
    #[trace(static)]
    live_at_compaction: usize,
}

/// A key that is not an object, by content (keys are normalized: integral floats are `Int`).
#[derive(Clone, PartialEq, Eq, Hash)]
enum ValueKey {
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Box<[u8]>),
}

impl ValueKey {
    fn of(v: Value<'_>) -> Option<ValueKey> {
        Some(match v {
            Value::Bool(b) => ValueKey::Bool(b),
            Value::Int(i) => ValueKey::Int(i),
            Value::Num(f) => ValueKey::Float(f.to_bits()),
            Value::Str(s) => ValueKey::Str(s.to_vec().into_boxed_slice()),
            _ => return None,
        })
    }
}

fn address(v: Value<'_>) -> Option<usize> {
    match v {
        Value::Table(t) => Some(Gc::as_ptr(t).addr()),
        Value::Function(f) => Some(Gc::as_ptr(f).addr()),
        Value::Thread(t) => Some(Gc::as_ptr(t).addr()),
        _ => None,
    }
}

impl<'gc> WeakStore<'gc> {
    /// An empty store for `mode`.
    pub fn new(mode: Mode) -> WeakStore<'gc> {
        WeakStore {
            mode,
            entries: Vec::new(),
            by_address: HashMap::new(),
            by_value: HashMap::new(),
            live_at_compaction: 0,
        }
    }

    /// The store's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the entry (`key`, `value`) belongs in the store rather than the ordinary parts.
    pub fn holds(&self, key: Value<'gc>, value: Value<'gc>) -> bool {
        (self.mode.keys && address(key).is_some()) || (self.mode.values && address(value).is_some())
    }

    fn index_of(&self, key: Value<'gc>) -> Option<usize> {
        match address(key) {
            Some(a) => self.by_address.get(&a).copied(),
            None => self.by_value.get(&ValueKey::of(key)?).copied(),
        }
    }

    /// `t[key]` for a key the store may hold.
    pub fn get(&self, mc: &Mutation<'gc>, key: Value<'gc>) -> Value<'gc> {
        self.index_of(key)
            .and_then(|i| self.entries[i].value_for(mc, key))
            .unwrap_or(Value::Nil)
    }

    /// Removes `key`'s entry, if any.
    pub fn remove(&mut self, key: Value<'gc>) {
        if let Some(i) = self.index_of(key) {
            self.entries[i] = Entry::Vacant;
        }
    }

    /// Stores (`key`, `value`), for an entry that [`holds`](Self::holds) says belongs here.
    pub fn insert(&mut self, mc: &Mutation<'gc>, key: Value<'gc>, value: Value<'gc>) {
        let held = match (self.mode.values, WeakRef::new(mc, value)) {
            (true, Some(w)) => Held::Weak(w),
            _ => Held::Strong(value),
        };
        let entry = match key {
            Value::Table(k) if self.mode.keys => Entry::TableKey(GcEphemeron::new(mc, k, held)),
            Value::Function(k) if self.mode.keys => {
                Entry::FunctionKey(GcEphemeron::new(mc, k, held))
            }
            Value::Thread(k) if self.mode.keys => Entry::ThreadKey(GcEphemeron::new(mc, k, held)),
            _ => match held {
                Held::Weak(w) => Entry::Strong(key, w),
                Held::Strong(_) => unreachable!("a strong entry belongs in the ordinary parts"),
            },
        };
        // An index whose entry is vacant or cleared (its key's address may be a new object's
        // now) is reused for the key.
        if let Some(i) = self.index_of(key) {
            self.entries[i] = entry;
            return;
        }
        if self.entries.len() >= 2 * self.live_at_compaction.max(8) {
            self.compact();
        }
        let i = self.entries.len();
        self.entries.push(entry);
        match address(key) {
            Some(a) => {
                self.by_address.insert(a, i);
            }
            None => {
                let k = ValueKey::of(key).expect("a key that is not an object");
                self.by_value.insert(k, i);
            }
        }
    }

    /// Drops vacant and cleared entries and renumbers the indexes.
    fn compact(&mut self) {
        let mut renumber = vec![usize::MAX; self.entries.len()];
        let mut kept = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !e.is_dead() {
                renumber[i] = kept.len();
                kept.push(*e);
            }
        }
        self.entries = kept;
        self.by_address.retain(|_, i| {
            *i = renumber[*i];
            *i != usize::MAX
        });
        self.by_value.retain(|_, i| {
            *i = renumber[*i];
            *i != usize::MAX
        });
        self.live_at_compaction = self.entries.len();
    }

    /// The first live entry at index `from` or later.
    fn live_from(&self, mc: &Mutation<'gc>, from: usize) -> Option<(Value<'gc>, Value<'gc>)> {
        self.entries[from.min(self.entries.len())..]
            .iter()
            .find_map(|e| e.get(mc))
    }

    /// `next` within the store: the first entry (`key` `None`) or the one after `key`;
    /// `Err` if the store does not hold `key`.
    pub fn next(
        &self,
        mc: &Mutation<'gc>,
        key: Option<Value<'gc>>,
    ) -> Result<Option<(Value<'gc>, Value<'gc>)>, InvalidKey> {
        match key {
            None => Ok(self.live_from(mc, 0)),
            Some(k) => {
                let i = self.index_of(k).ok_or(InvalidKey)?;
                Ok(self.live_from(mc, i + 1))
            }
        }
    }

    /// Every live entry, for a change of mode.
    pub fn drain(&mut self, mc: &Mutation<'gc>) -> Vec<(Value<'gc>, Value<'gc>)> {
        let live = self.entries.iter().filter_map(|e| e.get(mc)).collect();
        *self = WeakStore::new(self.mode);
        live
    }
}

impl std::fmt::Debug for WeakStore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakStore")
            .field("mode", &self.mode)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}
