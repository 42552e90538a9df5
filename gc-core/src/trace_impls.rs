//! `Trace` for std's types.
//!
//! **Which std types are `Trace`.** Only types whose drop may run on any thread (a sweep drops
//! objects on whichever thread sweeps them): `Rc` is not `Trace`. std's interior-mutability types
//! (`Cell`, `RefCell`, `Mutex`, `RwLock`, atomics) are `Trace` only around `'static` values, which
//! cannot hold a `Gc<'gc, _>`: a Gc stored through them would bypass the write barrier.
//!
//! **Containers** (`Box`, `Vec`, `VecDeque`, the maps and sets) trace their elements, and refuse
//! elements with barrier cells at compile time (`refuse_cells!`, see `Trace::HAS_CELLS`): the
//! barrier finds a cell's object from the cell's address, which fails for a cell in memory the
//! container owns.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;
use std::sync::atomic;
use std::sync::{Mutex, RwLock};

use crate::trace::{OwnedContents, Trace, Tracer};

/// Fails to compile (when the calling `trace` is instantiated) if `$t` has cells: see
/// [`Trace::HAS_CELLS`].
macro_rules! refuse_cells {
    ($($t:ty),+) => {
        const {
            assert!(
                !($(<$t as Trace>::HAS_CELLS)||+),
                "gcheap: a GcCell, GcRefCell, GcAtomicCell or GcMutex holding Gc pointers cannot \
                 live in a Box, Vec, VecDeque, map or set inside a heap object (the write barrier \
                 finds a cell's object from its address). Keep the cells in the object itself or \
                 in a Gc<[...]> slice, or put them in objects of their own and store Gc pointers."
            )
        }
    };
}

/// Implements `Trace` for types that hold no Gc pointers.
macro_rules! trace_leaf {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: the type holds no Gc pointers and drops anywhere (it is Send).
        unsafe impl Trace for $t {
            const NEEDS_TRACE: bool = false;
            #[inline]
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
    )*};
}

trace_leaf!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    str,
    String,
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroUsize,
    std::num::NonZeroI32,
    std::num::NonZeroI64,
    std::time::Duration,
    std::time::Instant,
    std::time::SystemTime,
    std::path::PathBuf,
    std::ffi::OsString,
    std::ffi::CString,
    std::any::TypeId,
    atomic::AtomicBool,
    atomic::AtomicU8,
    atomic::AtomicU16,
    atomic::AtomicU32,
    atomic::AtomicU64,
    atomic::AtomicUsize,
    atomic::AtomicI8,
    atomic::AtomicI16,
    atomic::AtomicI32,
    atomic::AtomicI64,
    atomic::AtomicIsize,
);

// SAFETY: a `'static` reference cannot point at a Gc object (those live only for `'gc`), and
// dropping a reference does nothing.
unsafe impl<T: ?Sized + Sync + 'static> Trace for &'static T {
    const NEEDS_TRACE: bool = false;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {}
}

// SAFETY: PhantomData holds nothing.
unsafe impl<T: ?Sized> Trace for PhantomData<T> {
    const NEEDS_TRACE: bool = false;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// Implements `Trace` for std's interior-mutability types around `'static + Send` values only: a
/// `'static` value holds no Gc pointer, so nothing is missed by not looking inside (and the
/// collector must not look: a mutator may be writing the value right now).
macro_rules! trace_static_cell {
    ($($t:ident),*) => {$(
        // SAFETY: `T: 'static` holds no Gc pointers, so there is nothing to report; `T: Send`
        // makes dropping it on a sweeping thread sound.
        unsafe impl<T: ?Sized + Send + 'static> Trace for $t<T> {
            const NEEDS_TRACE: bool = false;
            #[inline]
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
    )*};
}

trace_static_cell!(Cell, RefCell, Mutex, RwLock);

// SAFETY: traces the boxed value, which the Box owns.
unsafe impl<T: Trace + ?Sized> Trace for Box<T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(T);
        tracer.trace_owned(self);
    }
}

impl<T: Trace + ?Sized> OwnedContents for Box<T> {
    #[inline]
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&**self);
    }
}

// SAFETY: traces every element.
unsafe impl<T: Trace> Trace for [T] {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::HAS_CELLS;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        for v in self {
            tracer.trace(v);
        }
    }
}

// SAFETY: traces every element.
unsafe impl<T: Trace, const N: usize> Trace for [T; N] {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::HAS_CELLS;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.as_slice());
    }
}

// SAFETY: traces every element the Vec owns.
unsafe impl<T: Trace> Trace for Vec<T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(T);
        tracer.trace_owned(self);
    }
}

impl<T: Trace> OwnedContents for Vec<T> {
    #[inline]
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.as_slice());
    }
}

// SAFETY: traces every element.
unsafe impl<T: Trace> Trace for VecDeque<T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(T);
        tracer.trace_owned(self);
    }
}

impl<T: Trace> OwnedContents for VecDeque<T> {
    #[inline]
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        let (a, b) = self.as_slices();
        tracer.trace(a);
        tracer.trace(b);
    }
}

// SAFETY: traces the value if present.
unsafe impl<T: Trace> Trace for Option<T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::HAS_CELLS;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(v) = self {
            tracer.trace(v);
        }
    }
}

// SAFETY: traces whichever value is present.
unsafe impl<T: Trace, E: Trace> Trace for Result<T, E> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE || E::NEEDS_TRACE;
    const HAS_CELLS: bool = T::HAS_CELLS || E::HAS_CELLS;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        match self {
            Ok(v) => tracer.trace(v),
            Err(e) => tracer.trace(e),
        }
    }
}

// SAFETY: traces keys and values.
unsafe impl<K: Trace, V: Trace, S: Send + 'static> Trace for HashMap<K, V, S> {
    const NEEDS_TRACE: bool = K::NEEDS_TRACE || V::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(K, V);
        tracer.trace_owned(self);
    }
}

impl<K: Trace, V: Trace, S: Send + 'static> OwnedContents for HashMap<K, V, S> {
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        for (k, v) in self {
            tracer.trace(k);
            tracer.trace(v);
        }
    }
}

// SAFETY: traces every element.
unsafe impl<T: Trace, S: Send + 'static> Trace for HashSet<T, S> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(T);
        tracer.trace_owned(self);
    }
}

impl<T: Trace, S: Send + 'static> OwnedContents for HashSet<T, S> {
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        for v in self {
            tracer.trace(v);
        }
    }
}

// SAFETY: traces keys and values.
unsafe impl<K: Trace, V: Trace> Trace for BTreeMap<K, V> {
    const NEEDS_TRACE: bool = K::NEEDS_TRACE || V::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(K, V);
        tracer.trace_owned(self);
    }
}

impl<K: Trace, V: Trace> OwnedContents for BTreeMap<K, V> {
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        for (k, v) in self {
            tracer.trace(k);
            tracer.trace(v);
        }
    }
}

// SAFETY: traces every element.
unsafe impl<T: Trace> Trace for BTreeSet<T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = false;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        refuse_cells!(T);
        tracer.trace_owned(self);
    }
}

impl<T: Trace> OwnedContents for BTreeSet<T> {
    fn trace_contents(&self, tracer: &mut Tracer<'_>) {
        for v in self {
            tracer.trace(v);
        }
    }
}

macro_rules! trace_tuple {
    ($($name:ident)+) => {
        // SAFETY: traces every element.
        unsafe impl<$($name: Trace),+> Trace for ($($name,)+) {
            const NEEDS_TRACE: bool = $($name::NEEDS_TRACE)||+;
            const HAS_CELLS: bool = $($name::HAS_CELLS)||+;
            #[inline]
            #[allow(non_snake_case)]
            fn trace(&self, tracer: &mut Tracer<'_>) {
                let ($($name,)+) = self;
                $(tracer.trace($name);)+
            }
        }
    };
}

trace_tuple!(A);
trace_tuple!(A B);
trace_tuple!(A B C);
trace_tuple!(A B C D);
trace_tuple!(A B C D E);
trace_tuple!(A B C D E F);
trace_tuple!(A B C D E F G);
trace_tuple!(A B C D E F G H);
