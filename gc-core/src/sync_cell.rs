//! Thread-safe cells, for objects shared between mutator threads.
//!
//! An object reachable from several threads must be `Sync`, and gcheap's plain cells are not
//! ([`GcCell`](crate::GcCell) and [`GcRefCell`](crate::GcRefCell) belong to objects used by one
//! thread at a time). These three are: [`GcAtomicCell`] holds one `Copy` value of any size behind
//! a tiny lock (a two-word `Value` can never be read torn), [`GcMutex`] holds compound data
//! behind a mutex, and [`GcRwLock`] behind a read-write lock whose readers need no mutation
//! context and run no barrier. Like the plain cells, every write takes the mutation context and
//! runs the write barrier first; reads lock too, since another thread may be writing
//! ([`GcMutex::read`] and [`GcRwLock::read`] need no context and run no barrier). `GcAtomicCell`
//! and `GcMutex` are `Sync` exactly when their contents are `Send`, `GcRwLock` when they are
//! `Send + Sync` (readers share them) — so, for values holding `Gc<'gc, U>`, when `U: Sync`:
//! sharing never lets a `!Sync` object reach a second thread.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

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

    /// Locks the mutex (blocking) for reading only: no mutation context and no barrier, since
    /// the guard allows no writes.
    #[inline]
    pub fn read(&self) -> GcMutexReadGuard<'_, T> {
        GcMutexReadGuard(self.inner.lock())
    }

    /// Locks the mutex without a barrier, for the collector writing into an object that is black
    /// in its cycle only values that are marked (see `crate::guardian`).
    pub(crate) fn lock_for_collector(&self) -> MutexGuard<'_, T> {
        self.inner.lock()
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

/// The guard of a [`GcMutex`] locked for reading ([`GcMutex::read`]): shared access to the value
/// until dropped (the mutex is still held exclusively).
pub struct GcMutexReadGuard<'a, T: ?Sized>(MutexGuard<'a, T>);

impl<T: ?Sized> Deref for GcMutexReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcMutexReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
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

/// A read-write lock for data inside a shared heap object: any number of readers at once, without
/// a mutation context and without the write barrier (reading needs neither), or one writer,
/// whose [`write`](GcRwLock::write) takes the context and runs the barrier.
///
/// It is `Sync` when its contents are `Send + Sync` (for `Gc<'gc, U>` contents, when `U: Sync`),
/// as std's `RwLock` is.
///
/// ```
/// use gcheap_core::{Gc, GcRwLock, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcRwLock<'_, Vec<Gc<'_, String>>>]>(|_| GcRwLock::new(vec![]));
/// m.mutate(|mc, names| {
///     names.write(mc).push(Gc::new(mc, "shared".to_string()));
///     let (a, b) = (names.read(), names.read());      // readers share the lock
///     assert_eq!(*a[0], *b[0]);
/// });
/// ```
pub struct GcRwLock<'gc, T: ?Sized> {
    _brand: Brand<'gc>,
    inner: RwLock<T>,
}

/// Shared access to a [`GcRwLock`]'s value until dropped.
pub struct GcRwLockReadGuard<'a, T: ?Sized>(RwLockReadGuard<'a, T>);

/// Exclusive access to a [`GcRwLock`]'s value until dropped.
pub struct GcRwLockWriteGuard<'a, T: ?Sized>(RwLockWriteGuard<'a, T>);

impl<'gc, T> GcRwLock<'gc, T> {
    /// A lock holding `value`.
    pub const fn new(value: T) -> Self {
        GcRwLock {
            _brand: PhantomData,
            inner: RwLock::new(value),
        }
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<'gc, T: ?Sized> GcRwLock<'gc, T> {
    /// Mutable access without a barrier or lock: the lock is owned, so it is not in the heap.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Locks for reading (blocking while a writer holds it). Needs no mutation context and runs
    /// no barrier.
    #[inline]
    pub fn read(&self) -> GcRwLockReadGuard<'_, T> {
        GcRwLockReadGuard(self.inner.read())
    }

    /// Locks for reading if no writer holds or waits for the lock.
    pub fn try_read(&self) -> Option<GcRwLockReadGuard<'_, T>> {
        self.inner.try_read().map(GcRwLockReadGuard)
    }
}

impl<'gc, T: ?Sized + Trace> GcRwLock<'gc, T> {
    /// Locks for writing (blocking while anyone holds it) and runs the write barrier.
    #[inline]
    pub fn write(&self, mc: &Mutation<'gc>) -> GcRwLockWriteGuard<'_, T> {
        let guard = self.inner.write();
        if T::NEEDS_TRACE {
            mc.barrier(self.inner.data_ptr().cast::<u8>());
        }
        GcRwLockWriteGuard(guard)
    }

    /// Locks for writing if the lock is free, running the write barrier; `None` if it is held.
    pub fn try_write(&self, mc: &Mutation<'gc>) -> Option<GcRwLockWriteGuard<'_, T>> {
        let guard = self.inner.try_write()?;
        if T::NEEDS_TRACE {
            mc.barrier(self.inner.data_ptr().cast::<u8>());
        }
        Some(GcRwLockWriteGuard(guard))
    }
}

// SAFETY: as for GcMutex: read without the lock, ordered against writers by the containing
// object's state word (a writer takes the object through the barrier before it writes, and a
// marker never reads an object that is black); readers only read, as the marker does.
unsafe impl<T: ?Sized + Trace> Trace for GcRwLock<'_, T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::NEEDS_TRACE;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above.
        tracer.trace(unsafe { &*self.inner.data_ptr() });
    }
}

impl<T: Default> Default for GcRwLock<'_, T> {
    fn default() -> Self {
        GcRwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRwLock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.try_read() {
            Some(v) => f.debug_tuple("GcRwLock").field(&&*v).finish(),
            None => f.write_str("GcRwLock(<locked>)"),
        }
    }
}

impl<T: ?Sized> Deref for GcRwLockReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> Deref for GcRwLockWriteGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> DerefMut for GcRwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
