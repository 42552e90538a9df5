//! Barrier-carrying cells: the only way to change a Gc pointer inside a heap object.
//!
//! Objects are shared (`&T`), so mutation is interior. [`GcCell`] holds one `Copy` value of any
//! size (an interpreter's two-word `Value` enum included) and [`GcRefCell`] holds compound data
//! (`Vec`, maps) behind a run-time borrow flag like `RefCell`'s. Every write takes the mutation
//! context `mc` and runs the write barrier first, so no Gc pointer can be stored without it.
//! Cells whose value cannot hold Gc pointers skip the barrier at compile time.
//!
//! Both are `!Sync`: they belong to objects used by one thread at a time.

use std::cell::{Ref, RefCell, RefMut, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::context::Mutation;
use crate::trace::{Trace, Tracer};

/// Invariant in `'gc`, like [`Gc`](crate::Gc).
type Brand<'gc> = PhantomData<fn(&'gc ()) -> &'gc ()>;

/// A mutable slot for a `Copy` value inside a heap object, written through the write barrier.
///
/// ```
/// use gcheap_core::{Gc, GcCell, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcCell<'_, Option<Gc<'_, i32>>>]>(|_| GcCell::new(None));
/// m.mutate(|mc, slot| {
///     slot.set(mc, Some(Gc::new(mc, 5)));
///     assert_eq!(*slot.get().unwrap(), 5);
/// });
/// ```
pub struct GcCell<'gc, T> {
    value: UnsafeCell<T>,
    _brand: Brand<'gc>,
}

impl<'gc, T: Copy> GcCell<'gc, T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        GcCell {
            value: UnsafeCell::new(value),
            _brand: PhantomData,
        }
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> T {
        // SAFETY: the cell is !Sync and never hands out references to its contents, so no
        // reference to the value is live while we copy it out.
        unsafe { *self.value.get() }
    }

    /// Mutable access without a barrier: the cell is owned, so it is not in the heap yet.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<'gc, T: Copy + Trace> GcCell<'gc, T> {
    /// Stores `value`, running the write barrier.
    #[inline]
    pub fn set(&self, mc: &Mutation<'gc>, value: T) {
        if T::NEEDS_TRACE {
            mc.barrier(self.value.get().cast());
        }
        // SAFETY: as in `get`: no reference into the cell exists.
        unsafe { *self.value.get() = value }
    }

    /// Stores `value` and returns the old one, running the write barrier.
    #[inline]
    pub fn replace(&self, mc: &Mutation<'gc>, value: T) -> T {
        let old = self.get();
        self.set(mc, value);
        old
    }
}

// SAFETY: traces the value, read without synchronization of its own. Tracing runs (a) in a
// marker or a writing mutator's barrier that holds the containing object (its state word is BUSY),
// and every write to the cell while a cycle marks comes after its writer found that object black
// (the barrier), hence after all such reads (release/acquire on the state word); writes from
// before the cycle happen-before it (mark start stops the world); or (b) in the checkmark pass,
// with the world stopped. A cell outside any heap object is never traced by the collector.
unsafe impl<T: Trace> Trace for GcCell<'_, T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::NEEDS_TRACE;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above: no write is in progress while tracing.
        tracer.trace(unsafe { &*self.value.get() });
    }
}

impl<T: Copy + Default> Default for GcCell<'_, T> {
    fn default() -> Self {
        GcCell::new(T::default())
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for GcCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GcCell").field(&self.get()).finish()
    }
}

/// A `RefCell` for compound data inside a heap object: reads borrow freely, writes need the
/// mutation context and run the write barrier when the borrow is taken.
///
/// ```
/// use gcheap_core::{Gc, GcRefCell, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![GcRefCell<'_, Vec<Gc<'_, u64>>>]>(|_| GcRefCell::new(vec![]));
/// m.mutate(|mc, list| {
///     list.borrow_mut(mc).push(Gc::new(mc, 1));
///     assert_eq!(*list.borrow()[0], 1);
/// });
/// ```
pub struct GcRefCell<'gc, T: ?Sized> {
    _brand: Brand<'gc>,
    cell: RefCell<T>,
}

/// A shared borrow of a [`GcRefCell`]'s contents.
pub struct GcRef<'a, T: ?Sized>(Ref<'a, T>);

/// An exclusive borrow of a [`GcRefCell`]'s contents, taken through the write barrier.
pub struct GcRefMut<'a, T: ?Sized>(RefMut<'a, T>);

/// The contents of a [`GcRefCell`] were already borrowed in a conflicting way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BorrowError {
    mutable: bool,
}

impl fmt::Display for BorrowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mutable {
            write!(f, "GcRefCell already borrowed")
        } else {
            write!(f, "GcRefCell already mutably borrowed")
        }
    }
}

impl std::error::Error for BorrowError {}

impl<'gc, T> GcRefCell<'gc, T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        GcRefCell {
            _brand: PhantomData,
            cell: RefCell::new(value),
        }
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.cell.into_inner()
    }
}

impl<'gc, T: ?Sized> GcRefCell<'gc, T> {
    /// Borrows the contents for reading.
    ///
    /// # Panics
    /// If they are mutably borrowed.
    #[inline]
    pub fn borrow(&self) -> GcRef<'_, T> {
        GcRef(self.cell.borrow())
    }

    /// Borrows the contents for reading, or says why not.
    pub fn try_borrow(&self) -> Result<GcRef<'_, T>, BorrowError> {
        self.cell
            .try_borrow()
            .map(GcRef)
            .map_err(|_| BorrowError { mutable: false })
    }

    /// Mutable access without a barrier: the cell is owned, so it is not in the heap yet.
    pub fn get_mut(&mut self) -> &mut T {
        self.cell.get_mut()
    }
}

impl<'gc, T: ?Sized + Trace> GcRefCell<'gc, T> {
    /// Borrows the contents for writing, running the write barrier first.
    ///
    /// # Panics
    /// If they are borrowed.
    #[inline]
    pub fn borrow_mut(&self, mc: &Mutation<'gc>) -> GcRefMut<'_, T> {
        match self.try_borrow_mut(mc) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }

    /// Borrows the contents for writing, or says why not.
    pub fn try_borrow_mut(&self, mc: &Mutation<'gc>) -> Result<GcRefMut<'_, T>, BorrowError> {
        let b = self
            .cell
            .try_borrow_mut()
            .map_err(|_| BorrowError { mutable: true })?;
        if T::NEEDS_TRACE {
            mc.barrier(self.cell.as_ptr().cast::<u8>());
        }
        Ok(GcRefMut(b))
    }
}

// SAFETY: traces the contents, as GcCell's impl does and for the same reasons. A `GcRefMut` that
// is alive while a cycle marks was taken with the barrier (marking changes only at boundaries,
// where no borrow exists), so its object is black and no tracer reads the contents meanwhile.
unsafe impl<T: ?Sized + Trace> Trace for GcRefCell<'_, T> {
    const NEEDS_TRACE: bool = T::NEEDS_TRACE;
    const HAS_CELLS: bool = T::NEEDS_TRACE;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // SAFETY: see above.
        tracer.trace(unsafe { &*self.cell.as_ptr() });
    }
}

impl<T: Default> Default for GcRefCell<'_, T> {
    fn default() -> Self {
        GcRefCell::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRefCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cell.try_borrow() {
            Ok(v) => f.debug_tuple("GcRefCell").field(&&*v).finish(),
            Err(_) => f.write_str("GcRefCell(<mutably borrowed>)"),
        }
    }
}

impl<T: ?Sized> Deref for GcRef<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Deref for GcRefMut<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> DerefMut for GcRefMut<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for GcRefMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
