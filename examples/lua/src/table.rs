//! Lua tables: an array part and a hash part, as PUC Lua lays them out.
//!
//! **Array part.** Keys `1..=n` live in a `Vec<Value>` while they are dense: a store at `n + 1`
//! appends, and a rehash moves integer keys between the parts by Lua's rule (the largest `n`
//! such that more than half of `1..=n` is in use).
//!
//! **Hash part.** Open addressing with linear probing over a power-of-two vector of nodes. A
//! key whose value is set to nil stays as a *dead key* (value nil) until the next rehash, so that
//! `next` can continue a traversal from a key assigned nil during it, as Lua allows; a dead key's
//! slot is reused only by the same key. `next` walks the array part, then the nodes in order.
//!
//! **Concurrency.** A table is its own heap object with its data in a `GcRefCell`: writes run
//! gcheap's write barrier once per borrow. Only the state that made a table touches it, so the
//! cell's borrow flag is never contended.

use gcheap::{Gc, GcRefCell, Mutation, Trace};

use crate::value::{KeyError, LuaStr, Value, float_to_int, hash_value};
use crate::weak_table::{Mode, WeakStore};

/// A Lua table.
#[derive(Trace)]
pub struct Table<'gc> {
    /// The table's contents and metatable; borrowed mutably (with the barrier) to write.
    pub data: GcRefCell<'gc, TableData<'gc>>,
    /// Metamethods this table, used as a metatable, was found not to have: bit
    /// `Event::index()`. Lua's `flags` cache: a metatable without `__index` answers a miss in
    /// one load. Cleared by every store of a string key, which is how a metamethod appears.
    #[trace(static)]
    absent: std::cell::Cell<u32>,
}

/// What a table holds.
#[derive(Trace, Default)]
pub struct TableData<'gc> {
    array: Vec<Value<'gc>>,
    nodes: Vec<Node<'gc>>,
    /// Nodes holding a key, live or dead.
    used: usize,
    /// The metatable, if any.
    pub metatable: Option<Gc<'gc, Table<'gc>>>,
    /// Whether the table is marked for finalization (see `vm::finalize`).
    pub finalizer: bool,
    /// The weak entries, when the metatable's `__mode` makes the table weak.
    weak: Option<Box<WeakStore<'gc>>>,
}

/// `next` was given a key the table does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidKey;

impl std::fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid key to 'next'")
    }
}

impl std::error::Error for InvalidKey {}

/// One slot of the hash part: `key` nil means empty; `value` nil with a key means a dead key.
#[derive(Clone, Copy, Trace)]
struct Node<'gc> {
    key: Value<'gc>,
    value: Value<'gc>,
}

impl Node<'_> {
    const EMPTY: Self = Node {
        key: Value::Nil,
        value: Value::Nil,
    };
}

impl<'gc> Table<'gc> {
    /// A new empty table, with room for `narray` array items and `nhash` hash entries.
    pub fn new(mc: &Mutation<'gc>, narray: usize, nhash: usize) -> Gc<'gc, Table<'gc>> {
        let mut data = TableData {
            array: Vec::with_capacity(narray),
            ..TableData::default()
        };
        if nhash > 0 {
            data.nodes = vec![Node::EMPTY; (nhash * 4 / 3 + 1).next_power_of_two()];
        }
        Gc::new(
            mc,
            Table {
                data: GcRefCell::new(data),
                absent: std::cell::Cell::new(0),
            },
        )
    }

    /// `t[key]` without metamethods.
    #[inline]
    pub fn get(&self, mc: &Mutation<'gc>, key: Value<'gc>) -> Value<'gc> {
        self.get_ref(mc, &key)
    }

    /// [`get`](Self::get) with the key by reference: the interpreter's field and element reads
    /// (matching on the key in place reads its parts as they were stored; see
    /// `vm::number::arith_fast`).
    #[inline]
    pub fn get_ref(&self, mc: &Mutation<'gc>, key: &Value<'gc>) -> Value<'gc> {
        let d = self.data.borrow();
        let v = match key {
            Value::Int(i) => d.get_int(*i),
            Value::Str(s) => d.get_str(*s),
            _ => d.get(*key),
        };
        match &d.weak {
            Some(w) if v.is_nil() => w.get(mc, *key),
            _ => v,
        }
    }

    /// `t[key] = value` without metamethods.
    #[inline]
    pub fn set(
        &self,
        mc: &Mutation<'gc>,
        key: Value<'gc>,
        value: Value<'gc>,
    ) -> Result<(), KeyError> {
        if let Value::Str(_) = key {
            self.absent.set(0);
        }
        let mut d = self.data.borrow_mut(mc);
        if d.weak.is_none() {
            return d.set(key, value);
        }
        let key = key.normalize_key()?;
        let mut weak = d.weak.take().expect("a weak table");
        let r = if !value.is_nil() && weak.holds(key, value) {
            if !d.get(key).is_nil() {
                d.set(key, Value::Nil)?;
            }
            weak.insert(mc, key, value);
            Ok(())
        } else {
            weak.remove(key);
            d.set(key, value)
        };
        d.weak = Some(weak);
        r
    }

    /// `next(t, key)` without metamethods: the ordinary parts, then the weak entries.
    pub fn next(
        &self,
        mc: &Mutation<'gc>,
        key: Value<'gc>,
    ) -> Result<Option<(Value<'gc>, Value<'gc>)>, InvalidKey> {
        let d = self.data.borrow();
        let Some(w) = &d.weak else {
            return d.next(key);
        };
        match d.next(key) {
            Ok(Some(e)) => Ok(Some(e)),
            Ok(None) => Ok(w.next(mc, None).expect("from the start")),
            Err(InvalidKey) => w.next(mc, Some(key)),
        }
    }

    /// Makes the table's weakness `mode` (from its metatable's `__mode`), moving its entries
    /// between the ordinary parts and the weak store.
    pub fn set_mode(&self, mc: &Mutation<'gc>, mode: Mode) {
        let current = self.data.borrow().weak.as_ref().map(|w| w.mode());
        if current.unwrap_or_default() == mode {
            return;
        }
        let mut entries = Vec::new();
        {
            let mut d = self.data.borrow_mut(mc);
            if let Some(mut w) = d.weak.take() {
                entries.extend(w.drain(mc));
            }
            let mut key = Value::Nil;
            while let Ok(Some((k, v))) = d.next(key) {
                entries.push((k, v));
                key = k;
            }
            let metatable = d.metatable;
            *d = TableData {
                metatable,
                weak: mode.is_weak().then(|| Box::new(WeakStore::new(mode))),
                ..TableData::default()
            };
        }
        for (k, v) in entries {
            self.set(mc, k, v).expect("keys of a table");
        }
    }

    /// Whether the cache of absent metamethods says this table lacks the one with bit `bit`.
    #[inline]
    pub fn lacks(&self, bit: u32) -> bool {
        self.absent.get() & bit != 0
    }

    /// Records that this table lacks the metamethod with bit `bit`.
    #[inline]
    pub fn note_lacks(&self, bit: u32) {
        self.absent.set(self.absent.get() | bit);
    }

    /// The metatable.
    #[inline]
    pub fn metatable(&self) -> Option<Gc<'gc, Table<'gc>>> {
        self.data.borrow().metatable
    }
}

impl<'gc> TableData<'gc> {
    /// `t[key]`, raw.
    pub fn get(&self, key: Value<'gc>) -> Value<'gc> {
        match key {
            Value::Int(i) => self.get_int(i),
            Value::Num(f) => match float_to_int(f) {
                Some(i) => self.get_int(i),
                None if f.is_nan() => Value::Nil,
                None => self.get_hash(key),
            },
            Value::Nil => Value::Nil,
            _ => self.get_hash(key),
        }
    }

    /// `t[i]`, raw.
    #[inline]
    pub fn get_int(&self, i: i64) -> Value<'gc> {
        if i >= 1 && (i as u64) <= self.array.len() as u64 {
            self.array[(i - 1) as usize]
        } else {
            self.get_hash(Value::Int(i))
        }
    }

    /// `t[s]` for a string key, raw.
    pub fn get_str(&self, s: Gc<'gc, LuaStr<'gc>>) -> Value<'gc> {
        match self.find_str(s) {
            Some(i) => self.nodes[i].value,
            None => Value::Nil,
        }
    }

    fn get_hash(&self, key: Value<'gc>) -> Value<'gc> {
        match self.find(key) {
            Some(i) => self.nodes[i].value,
            None => Value::Nil,
        }
    }

    /// [`find`](Self::find) for a string key: the same string object (interned constants) is
    /// found by a pointer comparison, another by its length and then its bytes.
    #[inline]
    fn find_str(&self, s: Gc<'gc, LuaStr<'gc>>) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mask = self.nodes.len() - 1;
        let mut i = s.hash() as usize & mask;
        loop {
            match self.nodes[i].key {
                Value::Nil => return None,
                Value::Str(k) if Gc::ptr_eq(k, s) || k.same_text(&s) => {
                    return Some(i);
                }
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The node holding `key` (normalized), live or dead.
    fn find(&self, key: Value<'gc>) -> Option<usize> {
        if let Value::Str(s) = key {
            return self.find_str(s);
        }
        if self.nodes.is_empty() {
            return None;
        }
        let mask = self.nodes.len() - 1;
        let mut i = hash_value(&key) as usize & mask;
        loop {
            let n = &self.nodes[i];
            if n.key.is_nil() {
                return None;
            }
            if n.key.raw_eq(&key) {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// `t[key] = value`, raw.
    pub fn set(&mut self, key: Value<'gc>, value: Value<'gc>) -> Result<(), KeyError> {
        let key = key.normalize_key()?;
        if let Value::Int(i) = key {
            self.set_int(i, value);
        } else {
            self.set_hash(key, value);
        }
        Ok(())
    }

    /// `t[i] = value`, raw.
    pub fn set_int(&mut self, i: i64, value: Value<'gc>) {
        let len = self.array.len();
        if i >= 1 && (i as u64) <= len as u64 {
            // The array part keeps its size (a traversal may be visiting this key), so it may
            // end in nils; `length` finds the border inside it then.
            self.array[(i - 1) as usize] = value;
            return;
        }
        if i as u64 == len as u64 + 1 && !value.is_nil() {
            // Appending: take the key out of the hash part if it was there.
            if let Some(n) = self.find(Value::Int(i)) {
                self.nodes[n].value = Value::Nil;
            }
            self.array.push(value);
            self.migrate_from_hash();
            return;
        }
        self.set_hash(Value::Int(i), value);
    }

    /// After an append, moves the keys that now continue the array out of the hash part.
    fn migrate_from_hash(&mut self) {
        if self.used == 0 {
            return;
        }
        loop {
            let next = self.array.len() as i64 + 1;
            let Some(n) = self.find(Value::Int(next)) else {
                return;
            };
            let v = self.nodes[n].value;
            if v.is_nil() {
                return;
            }
            self.nodes[n].value = Value::Nil;
            self.array.push(v);
        }
    }

    fn set_hash(&mut self, key: Value<'gc>, value: Value<'gc>) {
        if let Some(i) = self.find(key) {
            self.nodes[i].value = value;
            return;
        }
        if value.is_nil() {
            return;
        }
        if (self.used + 1) * 4 > self.nodes.len() * 3 {
            self.rehash(Some(key));
            if let Value::Int(i) = key
                && i >= 1
                && (i as u64) <= self.array.len() as u64
            {
                self.array[(i - 1) as usize] = value;
                return;
            }
            if let Value::Int(i) = key
                && i as u64 == self.array.len() as u64 + 1
            {
                self.array.push(value);
                self.migrate_from_hash();
                return;
            }
        }
        self.insert_new(key, value);
    }

    /// Inserts a key known to be absent, into a node that is empty.
    fn insert_new(&mut self, key: Value<'gc>, value: Value<'gc>) {
        let mask = self.nodes.len() - 1;
        let mut i = hash_value(&key) as usize & mask;
        while !self.nodes[i].key.is_nil() {
            i = (i + 1) & mask;
        }
        self.nodes[i] = Node { key, value };
        self.used += 1;
    }

    /// Rebuilds both parts for the live keys plus `extra` (about to be inserted): sizes the
    /// array part by Lua's rule and the hash part for the rest, dropping dead keys.
    fn rehash(&mut self, extra: Option<Value<'gc>>) {
        let live: Vec<Node<'gc>> = self
            .nodes
            .iter()
            .filter(|n| !n.key.is_nil() && !n.value.is_nil())
            .copied()
            .collect();
        // nums[b]: integer keys k with 2^(b-1) < k <= 2^b (nums[0]: k = 1).
        let mut nums = [0usize; 64];
        let mut count_int = |k: i64| {
            if k >= 1 {
                let b = 64 - ((k - 1) as u64).leading_zeros() as usize;
                nums[b.min(63)] += 1;
            }
        };
        for (i, v) in self.array.iter().enumerate() {
            if !v.is_nil() {
                count_int(i as i64 + 1);
            }
        }
        for n in &live {
            if let Value::Int(k) = n.key {
                count_int(k);
            }
        }
        if let Some(Value::Int(k)) = extra {
            count_int(k);
        }
        // The largest power of two n with more than n/2 keys in 1..=n.
        let (mut total, mut size) = (0usize, 0usize);
        for (b, &c) in nums.iter().enumerate() {
            total += c;
            let twotoi = 1usize << b;
            if total > twotoi / 2 {
                size = twotoi;
            }
            if twotoi / 2 > total + 64 {
                break;
            }
        }
        let old_array = std::mem::take(&mut self.array);
        let mut rest: Vec<Node<'gc>> = Vec::new();
        let mut array: Vec<Value<'gc>> = Vec::with_capacity(size);
        for (i, v) in old_array.into_iter().enumerate() {
            if i < size {
                array.push(v);
            } else if !v.is_nil() {
                rest.push(Node {
                    key: Value::Int(i as i64 + 1),
                    value: v,
                });
            }
        }
        for n in live {
            match n.key {
                Value::Int(k) if k >= 1 && (k as u64) <= size as u64 => {
                    let k = k as usize;
                    if array.len() < k {
                        array.resize(k, Value::Nil);
                    }
                    array[k - 1] = n.value;
                }
                _ => rest.push(n),
            }
        }
        while array.last().is_some_and(Value::is_nil) {
            array.pop();
        }
        self.array = array;
        let want = rest.len() + 1;
        let cap = (want * 4 / 3 + 1).next_power_of_two().max(4);
        self.nodes = vec![Node::EMPTY; cap];
        self.used = 0;
        for n in rest {
            self.insert_new(n.key, n.value);
        }
    }

    /// The border `#t` (raw): a `n` with `t[n] ~= nil` and `t[n+1] == nil` (0 if `t[1]` is
    /// nil), as Lua finds it: the array part's length when its last item is set and the hash
    /// part does not continue it.
    pub fn length(&self) -> i64 {
        let n = self.array.len();
        if n > 0 && self.array[n - 1].is_nil() {
            // Binary search for a border inside the array part.
            let (mut lo, mut hi) = (0usize, n);
            while hi - lo > 1 {
                let m = (lo + hi) / 2;
                if self.array[m - 1].is_nil() {
                    hi = m;
                } else {
                    lo = m;
                }
            }
            return lo as i64;
        }
        if self.used == 0 {
            return n as i64;
        }
        // Unbound search in the hash part.
        let mut j = n as i64 + 1;
        if self.get_hash(Value::Int(j)).is_nil() {
            return n as i64;
        }
        let mut i = j;
        while !self.get_hash(Value::Int(j)).is_nil() {
            i = j;
            if j > i64::MAX / 2 {
                // Linear search, as Lua does for pathological tables.
                let mut k = 1;
                while !self.get_int(k).is_nil() {
                    k += 1;
                }
                return k - 1;
            }
            j *= 2;
        }
        while j - i > 1 {
            let m = (i + j) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// `next(t, key)`: the entry after `key` (nil: the first), or `None` at the end. `Err` if
    /// `key` is not in the table (a key assigned nil during the traversal still is).
    pub fn next(&self, key: Value<'gc>) -> Result<Option<(Value<'gc>, Value<'gc>)>, InvalidKey> {
        let start = match key {
            Value::Nil => 0,
            _ => {
                let key = key.normalize_key().map_err(|_| InvalidKey)?;
                match key {
                    Value::Int(i) if i >= 1 && (i as u64) <= self.array.len() as u64 => i as usize,
                    _ => {
                        let n = self.find(key).ok_or(InvalidKey)?;
                        self.array.len() + n + 1
                    }
                }
            }
        };
        for i in start..self.array.len() {
            if !self.array[i].is_nil() {
                return Ok(Some((Value::Int(i as i64 + 1), self.array[i])));
            }
        }
        let from = start.saturating_sub(self.array.len());
        for n in self.nodes.iter().skip(from) {
            if !n.key.is_nil() && !n.value.is_nil() {
                return Ok(Some((n.key, n.value)));
            }
        }
        Ok(None)
    }

    /// The array part, for `table.*` fast paths.
    pub fn array(&self) -> &[Value<'gc>] {
        &self.array
    }
}

impl std::fmt::Debug for Table<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.data.try_borrow() {
            Ok(d) => std::fmt::Debug::fmt(&*d, f),
            Err(_) => f.write_str("Table(<being written>)"),
        }
    }
}

/// Sizes, not contents: a table's contents may refer back to it.
impl std::fmt::Debug for TableData<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("array", &self.array.len())
            .field("hash", &self.used)
            .field("metatable", &self.metatable.is_some())
            .field("weak", &self.weak.as_ref().map(|w| w.mode()))
            .finish()
    }
}
