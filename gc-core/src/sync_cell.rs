//! Thread-safe cells, for objects shared between mutator threads.
//!
//! An object reachable from several threads must be `Sync`, and gcheap's plain cells are not
//! ([`GcCell`](crate::GcCell) and [`GcRefCell`](crate::GcRefCell) belong to objects used by one
//! thread at a time). These two are: [`GcAtomicCell`] holds one `Copy` value of any size behind a
//! tiny lock (a two-word `Value` can never be read torn), and [`GcMutex`] holds compound data
//! behind a mutex. Like the plain cells, every write takes the mutation context and runs the
//! write barrier first; reads of a `GcMutex` lock it too, since another thread may be writing.
//! Both are `Sync` exactly when their contents are `Send` — so, for values holding `Gc<'gc, U>`,
//! when `U: Sync`: sharing never lets a `!Sync` object reach a second thread.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard};

use crate::context::Mutation;
use crate::trace::{Trace, Tracer};

/// Invariant in `'gc`, like [`Gc`](crate::Gc).
type Brand<'gc> = PhantomData<fn(&'gc ()) -> &'gc ()>;

/// A thread-safe slot for a `Copy` value inside a shared heap object.
///
/// ```
/// use gcheap_core::{Gc, GcAtomicCell, Heap, Root, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// let shared: Root<Rootable![GcAtomicCell<'_, Option<Gc<'_, u64>>>]> =
///     m.mutate(|mc, _| Root::new(mc, Gc::new(mc, GcAtomicCell::new(None))));
/// let h = heap.clone();
/// let s = shared.clone();
/// std::thread::spawn(move || {
///     let mut m = h.mutator::<Rootable![()]>(|_| ());
///     m.mutate(|mc, _| s.get(mc).set(mc, Some(Gc::new(mc, 42))));
/// })
/// .join()
/// .unwrap();
/// m.mutate(|mc, _| assert_eq!(*shared.get(mc).get().unwrap(), 42));
/// ```
pub struct GcAtomicCell<'gc, T> {
    _brand: Brand<'gc>,
    value: Mutex<T>,
}

impl<'gc, T: Copy> GcAtomicCell<'gc, T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        GcAtomicCell {
            _brand: PhantomData,
            value: Mutex::new(value),
        }
    }

    /// The current value (never torn, whatever its size).
    #[inline]
    pub fn get(&self) -> T {
        *self.value.lock()
    }

    /// Mutable access without a barrier or lock: the cell is owned, so it is not in the heap.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<'gc, T: Copy + Trace> GcAtomicCell<'gc, T> {
    /// Stores `value`, running the write barrier.
    #[inline]
    pub fn set(&self, mc: &Mutation<'gc>, value: T) {
        self.replace(mc, value);
    }

    /// Stores `value` and returns the old one, atomically, running the write barrier.
    #[inline]
    pub fn replace(&self, mc: &Mutation<'gc>, value: T) -> T {
        let mut slot = self.value.lock();
        if T::NEEDS_TRACE {
            mc.barrier(self.value.data_ptr().cast());
        }
        std::mem::replace(&mut *slot, value)
    }

    /// Stores `new` if the current value equals `current` (compared with `eq`); returns the
    /// value found. The compare and the store happen under the cell's lock.
    pub fn compare_exchange(
        &self,
        mc: &Mutation<'gc>,
        current: T,
        new: T,
        eq: impl FnOnce(&T, &T) -> bool,
    ) -> Result<T, T> {
        let mut slot = self.value.lock();
        if !eq(&slot, &current) {
            return Err(*slot);
        }
        if T::NEEDS_TRACE {
            mc.barrier(self.value.data_ptr().cast());
        }
        Ok(std::mem::replace(&mut *slot, new))
    }
}

// SAFETY: traces the value without the lock, like GcCell's impl and for the same reasons: tracers
// hold the containing object, and writers (which take the lock and then run the barrier) write
// only after finding the object black; guards cannot outlive a mutate call, and marking starts
// only at boundaries, so a guard alive while a cycle marks was taken with the barrier. A guard
// leaked with mem::forget leaves no one writing the value.
unsafe impl<T: Trace> Trace for GcAtomicCell<'_, T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::NEEDS_TRACE;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above.
        tracer.trace(unsafe { &*self.value.data_ptr() });
    }
}

impl<T: Copy + Default> Default for GcAtomicCell<'_, T> {
    fn default() -> Self {
        GcAtomicCell::new(T::default())
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for GcAtomicCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GcAtomicCell").field(&self.get()).finish()
    }
}

/// A mutex for compound data (`Vec`, maps) inside a shared heap object. Locking takes the
/// mutation context and runs the write barrier, since the guard allows writes.
///
/// ```
/// use gcheap_core::{Gc, GcMutex, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcMutex<'_, Vec<Gc<'_, String>>>]>(|_| GcMutex::new(vec![]));
/// m.mutate(|mc, list| {
///     list.lock(mc).push(Gc::new(mc, "shared".to_string()));
///     assert_eq!(*list.lock(mc)[0], "shared");
/// });
/// ```
pub struct GcMutex<'gc, T: ?Sized> {
    _brand: Brand<'gc>,
    inner: Mutex<T>,
}

/// The guard of a locked [`GcMutex`]: exclusive access until dropped.
pub struct GcMutexGuard<'a, T: ?Sized>(MutexGuard<'a, T>);

impl<'gc, T> GcMutex<'gc, T> {
    /// A mutex holding `value`.
    pub const fn new(value: T) -> Self {
        GcMutex {
            _brand: PhantomData,
            inner: Mutex::new(value),
        }
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<'gc, T: ?Sized> GcMutex<'gc, T> {
    /// Mutable access without a barrier or lock: the mutex is owned, so it is not in the heap.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<'gc, T: ?Sized + Trace> GcMutex<'gc, T> {
    /// Locks the mutex (blocking) and runs the write barrier.
    #[inline]
    pub fn lock(&self, mc: &Mutation<'gc>) -> GcMutexGuard<'_, T> {
        let guard = self.inner.lock();
        if T::NEEDS_TRACE {
            mc.barrier(self.inner.data_ptr().cast::<u8>());
        }
        GcMutexGuard(guard)
    }

    /// Locks the mutex if it is free, running the write barrier; `None` if it is held.
    pub fn try_lock(&self, mc: &Mutation<'gc>) -> Option<GcMutexGuard<'_, T>> {
        let guard = self.inner.try_lock()?;
        if T::NEEDS_TRACE {
            mc.barrier(self.inner.data_ptr().cast::<u8>());
        }
        Some(GcMutexGuard(guard))
    }
}

// SAFETY: as for GcAtomicCell: read without the lock, ordered against writers by the containing
// object's state word.
unsafe impl<T: ?Sized + Trace> Trace for GcMutex<'_, T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::NEEDS_TRACE;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above.
        tracer.trace(unsafe { &*self.inner.data_ptr() });
    }
}

impl<T: Default> Default for GcMutex<'_, T> {
    fn default() -> Self {
        GcMutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcMutex<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.try_lock() {
            Some(v) => f.debug_tuple("GcMutex").field(&&*v).finish(),
            None => f.write_str("GcMutex(<locked>)"),
        }
    }
}

impl<T: ?Sized> Deref for GcMutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> DerefMut for GcMutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
