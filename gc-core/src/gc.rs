//! `Gc<'gc, T>`: a pointer to a heap object, valid for the `'gc` brand of one `mutate` call.
//!
//! The brand is an invariant lifetime chosen by [`Mutator::mutate`](crate::Mutator::mutate)'s
//! `for<'gc>` closure, so a Gc cannot be stored anywhere that outlives the call: no Gc exists on
//! any stack or Rust-heap local while its mutator is outside `mutate`, which is why the collector
//! never scans stacks. Inside `mutate` a Gc is as cheap as `&T`: `Copy`, one word (two for slices
//! and `str`), and `Deref`.

use std::alloc::Layout;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::mem::{MaybeUninit, size_of};
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use gcheap_allocator::AllocError;

use crate::alloc::alloc_object;
use crate::context::Mutation;
use crate::object::{ObjectType, StaticLayout, base_of, card_count, cards_offset};
use crate::trace::{Trace, Tracer};

/// A pointer to a garbage-collected object, branded with the `'gc` lifetime of the `mutate` call
/// it lives in.
///
/// `Gc` is `Copy` and derefs to `&T`; comparison, hashing and formatting forward to `T` as `Rc`'s
/// do, and [`Gc::ptr_eq`] compares identity. It is `Send`/`Sync` exactly when `&T` is (`T: Sync`).
///
/// ```
/// use gcheap_core::{Gc, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// m.mutate(|mc, _| {
///     let a = Gc::new(mc, 40u64);
///     let b = a;                        // Copy
///     assert_eq!(*a + 2, 42);
///     assert!(Gc::ptr_eq(a, b));
///     let s: Gc<str> = Gc::from_str(mc, "hello");
///     let v: Gc<[u32]> = Gc::from_iter(mc, 0..4);
///     assert_eq!(&*s, "hello");
///     assert_eq!(v[3], 3);
/// });
/// ```
pub struct Gc<'gc, T: ?Sized + 'gc> {
    ptr: NonNull<T>,
    _brand: GcBrand<'gc, T>,
}

/// Covariant in T like `&'gc T`; invariant in `'gc` so that brands never unify.
type GcBrand<'gc, T> = PhantomData<(&'gc T, fn(&'gc ()) -> &'gc ())>;

// SAFETY: a Gc is a shared reference to T that its brand keeps valid; sharing or sending it is
// sharing `&T`, which needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Send for Gc<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for Gc<'_, T> {}

impl<T: ?Sized> Clone for Gc<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Gc<'_, T> {}

impl<'gc, T: ?Sized + 'gc> Gc<'gc, T> {
    /// Wraps a payload pointer of a live object of this heap.
    ///
    /// # Safety
    /// `ptr` must point at an initialized object of type T, allocated by gcheap, that stays alive
    /// for `'gc`.
    #[inline]
    pub(crate) unsafe fn from_ptr(ptr: NonNull<T>) -> Gc<'gc, T> {
        Gc {
            ptr,
            _brand: PhantomData,
        }
    }

    /// The object, borrowed for the whole brand (longer than `Deref` can give). An associated
    /// function, like `Rc`'s, so that it never shadows a method of `T`.
    #[inline]
    #[allow(clippy::should_implement_trait)] // it is implemented; this one outlives the borrow
    pub fn as_ref(this: Self) -> &'gc T {
        // SAFETY: the object stays alive for 'gc: this Gc exists only inside the mutate call; a
        // cycle marking during the call started with the world stopped (this mutator holding no
        // Gc), so the object is reachable from the snapshot, kept so by the barrier, or was
        // allocated black; and sweeping starts only at the next stop, after the call.
        unsafe { this.ptr.as_ref() }
    }

    /// Whether two Gc pointers point at the same object.
    #[inline]
    pub fn ptr_eq(a: Gc<'gc, T>, b: Gc<'gc, T>) -> bool {
        std::ptr::addr_eq(a.ptr.as_ptr(), b.ptr.as_ptr())
    }

    /// The object's address (an associated function, like `Rc::as_ptr`).
    #[inline]
    pub fn as_ptr(this: Self) -> *const T {
        this.ptr.as_ptr()
    }

    #[inline]
    pub(crate) fn payload(self) -> NonNull<u8> {
        self.ptr.cast()
    }
}

impl<'gc, T: Trace + 'gc> Gc<'gc, T> {
    /// Allocates `value` in the heap.
    ///
    /// The object goes into a span the collector scans only if `T` can hold Gc pointers; types
    /// that hold none and need no drop get no header, and under 16 bytes share tiny blocks.
    ///
    /// # Panics
    /// If the heap is out of memory (see [`try_new`](Self::try_new)).
    #[inline]
    pub fn new(mc: &Mutation<'gc>, value: T) -> Gc<'gc, T> {
        match Self::try_new(mc, value) {
            Ok(gc) => gc,
            Err(e) => panic!(
                "gcheap: cannot allocate a {}: {e}",
                std::any::type_name::<T>()
            ),
        }
    }

    /// Allocates `value` in the heap, or returns why it could not (the value is dropped).
    #[inline]
    pub fn try_new(mc: &Mutation<'gc>, value: T) -> Result<Gc<'gc, T>, AllocError> {
        let payload = alloc_object::<T>(mc, Layout::new::<T>(), false, 0)?;
        let ptr = payload.cast::<T>();
        // SAFETY: the payload has room for a T at T's alignment, and nothing else refers to it.
        unsafe { ptr.write(value) };
        // SAFETY: initialized just above; alive while reachable from this Gc (see `as_ref`).
        Ok(unsafe { Gc::from_ptr(ptr) })
    }
}

impl<'gc, T: Trace + 'gc> Gc<'gc, [T]> {
    /// Allocates a slice holding the items of an exact-size iterator.
    ///
    /// # Panics
    /// If the iterator yields fewer items than its `len()` said (the items it did yield are
    /// dropped by a later sweep), or the heap is out of memory. Items beyond `len()` are not
    /// taken from the iterator.
    pub fn from_iter<I>(mc: &Mutation<'gc>, items: I) -> Gc<'gc, [T]>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        let items = items.into_iter();
        let len = items.len();
        let layout = Layout::array::<T>(len).unwrap_or_else(|_| {
            panic!(
                "gcheap: a slice of {len} {} is too large",
                std::any::type_name::<T>()
            )
        });
        // Long slices that can hold Gc pointers get one card word per chunk after the elements.
        let ncards = if T::NEEDS_TRACE { card_count(len) } else { 0 };
        let header = <[T] as StaticLayout>::HEADER_OFFSET;
        let cards_at = cards_offset(header, size_of::<T>(), len);
        let extra = if ncards > 0 {
            cards_at - header - layout.size() + ncards * size_of::<usize>()
        } else {
            0
        };
        let payload = alloc_object::<[T]>(mc, layout, true, extra)
            .unwrap_or_else(|e| panic!("gcheap: cannot allocate a slice of {len}: {e}"));
        let first = payload.cast::<T>();
        // SAFETY: slice objects with a header keep their initialized length in the header's
        // second word, inside the allocation.
        let len_word = <[T] as StaticLayout>::HAS_HEADER
            .then(|| unsafe { base_of::<[T]>(payload).cast::<usize>().add(1) });
        // SAFETY: `payload` is non-null and T-aligned, and the allocation holds `len` slots of T
        // (`layout`, whose size `Layout::array` bounded by isize::MAX), uninitialized, which
        // `MaybeUninit` allows. Nothing else refers to them while this borrow lives: the object
        // is unpublished, and `len_word` points into the header, before the payload.
        let slots =
            unsafe { std::slice::from_raw_parts_mut(first.as_ptr().cast::<MaybeUninit<T>>(), len) };
        // Zipping the slots with the iterator bounds the loop by `len` and, for iterators that
        // allow random access (mapped ranges, slices), drops the per-item `Option` check, so LLVM
        // vectorizes simple ones: a 1 KiB byte buffer from a mapped range went from a byte-wise
        // `next()` loop (half of the latency ring's samples) to a vector loop.
        let mut written = 0;
        for (slot, item) in slots.iter_mut().zip(items) {
            slot.write(item);
            written += 1;
            if let Some(w) = len_word {
                // SAFETY: the length word is ours; counting initialized items keeps a panic in the
                // iterator from exposing uninitialized elements to the sweeper's drop.
                unsafe { w.write(written) };
            }
        }
        assert!(
            written == len,
            "gcheap: ExactSizeIterator promised {len} items but yielded {written}"
        );
        if ncards > 0 {
            let base = base_of::<[T]>(payload);
            for k in 0..ncards {
                // SAFETY: the allocation has room for `ncards` words at `cards_at` (`extra` above),
                // 8-aligned; nothing refers to the object yet. Cards start in the header's state.
                unsafe {
                    AtomicUsize::from_ptr(base.add(cards_at).cast::<usize>().add(k).as_ptr())
                        .store(mc.parity, Relaxed);
                }
            }
        }
        // SAFETY: all len elements are initialized.
        unsafe { Gc::from_ptr(NonNull::slice_from_raw_parts(first, len)) }
    }

    /// Allocates a slice holding clones of `items`.
    pub fn from_slice(mc: &Mutation<'gc>, items: &[T]) -> Gc<'gc, [T]>
    where
        T: Clone,
    {
        Gc::from_iter(mc, items.iter().cloned())
    }
}

impl<'gc> Gc<'gc, str> {
    /// Allocates a copy of `s` (a noscan object: the collector never reads it).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(mc: &Mutation<'gc>, s: &str) -> Gc<'gc, str> {
        let payload = alloc_object::<str>(mc, Layout::for_value(s), false, 0).unwrap_or_else(|e| {
            panic!("gcheap: cannot allocate a string of {} bytes: {e}", s.len())
        });
        // SAFETY: the allocation holds at least s.len() bytes and nothing else refers to it.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), payload.as_ptr(), s.len());
            let bytes = NonNull::slice_from_raw_parts(payload, s.len());
            // `str` and `[u8]` have the same layout; the bytes came from a str.
            Gc::from_ptr(NonNull::new_unchecked(bytes.as_ptr() as *mut str))
        }
    }
}

// SAFETY: reports the one Gc pointer: the target.
unsafe impl<'gc, T: ObjectType + ?Sized + 'gc> Trace for Gc<'gc, T> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        // Sized targets answer a constant; trait objects answer through their vtable.
        tracer.mark_gc::<T>(self.payload(), T::object_layout(self));
    }
}

impl<T: ?Sized> Deref for Gc<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: see `as_ref`.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: ?Sized> AsRef<T> for Gc<'_, T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: ?Sized> Borrow<T> for Gc<'_, T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized> fmt::Pointer for Gc<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.ptr.as_ptr(), f)
    }
}

impl<T: ?Sized + PartialEq> PartialEq for Gc<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}
impl<T: ?Sized + Eq> Eq for Gc<'_, T> {}

impl<T: ?Sized + PartialOrd> PartialOrd for Gc<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}
impl<T: ?Sized + Ord> Ord for Gc<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: ?Sized + Hash> Hash for Gc<'_, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

// Keep the pointer one word for sized targets: `Option<Gc>` is a nullable pointer.
const _: () = assert!(size_of::<Option<Gc<'static, u64>>>() == size_of::<usize>());
