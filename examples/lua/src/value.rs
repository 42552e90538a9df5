//! Lua values on the gcheap heap.
//!
//! A [`Value`] is `Copy` and three words: nil, booleans and numbers are immediate; strings are
//! `Gc<[u8]>` (Lua strings are bytes, compared by content), and tables and functions are `Gc`
//! pointers (and coroutines) compared by identity. Every collectable value lives on the
//! heap of the state's `Mutator`; a `Value<'gc>` carries the brand of the `mutate` call it was
//! read in, so none survives outside one.
//!
//! **Numbers** keep Lua 5.4's two subtypes: `Int` (i64, wrapping arithmetic) and `Num` (f64).
//! Equality across them is mathematical (`1 == 1.0`), and a table key that is a float with an
//! integral value is normalized to the integer ([`Value::normalize_key`]), as Lua does.

use gcheap::{Gc, Mutation, Trace};

use crate::function::Function;
use crate::table::Table;
use crate::vm::Thread;

/// A Lua value.
///
/// Two words: an 8-byte tag and the payload. The wide tag keeps every payload at offset 8, so
/// a value is copied as two aligned words (with a one-byte tag the compiler copies the bytes
/// after the tag in unaligned pieces, which later reads of the payload cannot be forwarded
/// from).
#[derive(Clone, Copy, Trace)]
#[repr(u64)]
pub enum Value<'gc> {
    /// `nil`.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// An integer (wrapping 64-bit arithmetic).
    Int(i64),
    /// A float.
    Num(f64),
    /// A string: bytes, compared by content.
    Str(Gc<'gc, LuaStr<'gc>>),
    /// A table, compared by identity.
    Table(Gc<'gc, Table<'gc>>),
    /// A function (Lua closure or native), compared by identity.
    Function(Gc<'gc, Function<'gc>>),
    /// A coroutine, compared by identity.
    Thread(Gc<'gc, Thread<'gc>>),
}

impl<'gc> Value<'gc> {
    /// Lua's `type()` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Table(_) => "table",
            Value::Function(_) => "function",
            Value::Thread(_) => "thread",
        }
    }

    /// Lua truthiness: everything but `nil` and `false` is true.
    #[inline]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// Whether the value is `nil`.
    #[inline]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Raw equality (`rawequal`, and `==` before metamethods).
    pub fn raw_eq(&self, other: &Value<'gc>) -> bool {
        match (*self, *other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Int(i), Value::Num(f)) | (Value::Num(f), Value::Int(i)) => int_eq_float(i, f),
            (Value::Str(a), Value::Str(b)) => Gc::ptr_eq(a, b) || a.same_text(&b),
            (Value::Table(a), Value::Table(b)) => Gc::ptr_eq(a, b),
            (Value::Function(a), Value::Function(b)) => Gc::ptr_eq(a, b),
            (Value::Thread(a), Value::Thread(b)) => Gc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The value as a table key: floats with an integral value become integers. `Err` for nil
    /// and NaN, which cannot be keys (the caller words the error).
    pub fn normalize_key(self) -> Result<Value<'gc>, KeyError> {
        match self {
            Value::Nil => Err(KeyError::Nil),
            Value::Num(f) if f.is_nan() => Err(KeyError::NaN),
            Value::Num(f) => Ok(float_to_int(f).map_or(Value::Num(f), Value::Int)),
            v => Ok(v),
        }
    }
}

/// Why a value cannot be a table key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// The key was `nil`.
    Nil,
    /// The key was a NaN float.
    NaN,
}

impl KeyError {
    /// Lua's message.
    pub fn message(self) -> &'static str {
        match self {
            KeyError::Nil => "table index is nil",
            KeyError::NaN => "table index is NaN",
        }
    }
}

/// `i == f` mathematically.
#[inline]
pub fn int_eq_float(i: i64, f: f64) -> bool {
    float_to_int(f) == Some(i)
}

/// The integer equal to `f`, if there is one.
#[inline]
pub fn float_to_int(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63, exactly integral.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) && f.fract() == 0.0
    {
        Some(f as i64)
    } else {
        None
    }
}

/// The hash of a normalized key (integers and integral floats are never both present: keys are
/// normalized first).
#[inline]
pub fn hash_value(v: &Value<'_>) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    match *v {
        Value::Nil => 0,
        Value::Bool(b) => 1 + b as u64,
        Value::Int(i) => (i as u64).wrapping_mul(K),
        Value::Num(f) => f.to_bits().wrapping_mul(K) ^ 0x5555,
        Value::Str(s) => s.hash(),
        Value::Table(t) => (Gc::as_ptr(t).addr() as u64 >> 4).wrapping_mul(K),
        Value::Function(f) => (Gc::as_ptr(f).addr() as u64 >> 4).wrapping_mul(K),
        Value::Thread(t) => (Gc::as_ptr(t).addr() as u64 >> 4).wrapping_mul(K),
    }
}

/// A Lua string: immutable bytes and their hash, computed once when the string is made.
///
/// The bytes are a separate heap object, so that a string value is a thin pointer and a
/// [`Value`] two words; the hash makes table lookups by string key hash-free.
#[derive(Trace)]
pub struct LuaStr<'gc> {
    #[trace(static)]
    hash: u64,
    bytes: Gc<'gc, [u8]>,
}

impl<'gc> LuaStr<'gc> {
    /// A new string with the bytes `s`.
    pub fn new(mc: &Mutation<'gc>, s: &[u8]) -> Gc<'gc, LuaStr<'gc>> {
        Gc::new(
            mc,
            LuaStr {
                hash: hash_bytes(s),
                bytes: Gc::from_slice(mc, s),
            },
        )
    }

    /// The hash of the bytes ([`hash_bytes`]).
    #[inline]
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Whether `other` has the same bytes.
    #[inline]
    pub fn same_text(&self, other: &LuaStr<'_>) -> bool {
        self.hash == other.hash && self.bytes[..] == other.bytes[..]
    }
}

impl std::ops::Deref for LuaStr<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// FxHash-style hash of a string's bytes. A string longer than 64 bytes is hashed by its
/// length, its first and last 16 bytes and 32 bytes sampled between (making a long string,
/// often a concatenation's intermediate, must not cost a pass over it; equal strings still
/// hash equal, which is all lookups need).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    if b.len() > 64 {
        let mut sample = [0u8; 64];
        sample[..16].copy_from_slice(&b[..16]);
        sample[48..].copy_from_slice(&b[b.len() - 16..]);
        let step = (b.len() - 32) / 32;
        for i in 0..32 {
            sample[16 + i] = b[16 + i * step];
        }
        return (hash_bytes(&sample) ^ b.len() as u64).wrapping_mul(K);
    }
    let mut h = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &byte in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Values show as Lua would name them; objects by address (their contents may be cyclic).
impl std::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Num(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{:?}", String::from_utf8_lossy(s)),
            Value::Table(t) => write!(f, "table: {:p}", Gc::as_ptr(*t)),
            Value::Function(x) => write!(f, "function: {:p}", Gc::as_ptr(*x)),
            Value::Thread(t) => write!(f, "thread: {:p}", Gc::as_ptr(*t)),
        }
    }
}

impl std::fmt::Debug for LuaStr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}
