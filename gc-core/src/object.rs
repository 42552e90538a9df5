//! Object layout: the header in front of every object the collector must scan or drop.
//!
//! ```text
//! sized T:      [ &'static Descriptor ][ pad ][ T ]                   Gc points at T
//! [T], str:     [ &'static Descriptor ][ len ][ pad ][ T; len ]       Gc is a fat pointer
//! noscan+nodrop [ T ]                                                 no header at all
//! ```
//!
//! The header is one word (two for slices: the length, so that the marker and the sweeper,
//! which start from the object's base address, know how many elements there are). A type that
//! holds no Gc pointers and needs no drop gets no header: it lives in a noscan span (a tiny block
//! if it is under 16 bytes), the marker only sets its mark bit, and the sweeper never reads it.
//!
//! The descriptor is a per-type static: the type's name (for checkmark failures), its trace glue
//! (which scans a bounded chunk of a slice at a time) and its drop glue.
//!
//! **Span classes follow drop, not pointers.** The marker learns from each Gc's static type
//! whether its target has a header and must be scanned; it never asks the span class. So the
//! allocator's scan/noscan choice only decides whether sweeping calls the drop hook: objects that
//! need a drop go into scan spans, everything else (with or without a header) into noscan spans,
//! and sweeping never touches a dead object that needs no drop (before this, reading those
//! headers cost about 10% of binary-trees).

use std::mem::{align_of, needs_drop, size_of};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering::*};

use crate::barrier::STATE_MASK;
use crate::trace::{Trace, Tracer};

/// How many slice elements one marking step scans. Bounded steps keep one huge array from
/// becoming one huge unit of work (and, in a concurrent collector, one long barrier wait).
pub(crate) const SCAN_CHUNK: usize = 128;

/// Per-type information the collector needs at run time, found through an object's header.
/// Opaque outside gcheap.
#[doc(hidden)]
pub struct Descriptor {
    /// The type's name, for checkmark failures and debugging.
    pub(crate) name: fn() -> &'static str,
    /// Scans elements `start..` (sized types: the whole object; slices: one chunk) and returns
    /// where the next chunk starts, if any. `None` when the type cannot hold Gc pointers.
    pub(crate) trace: Option<TraceFn>,
    /// Drops the object in place. `None` when the type needs no drop.
    pub(crate) drop: Option<unsafe fn(NonNull<u8>)>,
    /// Whether objects of the type contain barrier cells ([`Trace::HAS_CELLS`]). Objects without
    /// are never written after they are built, so markers scan them without taking their state
    /// word (see [`crate::mark`]).
    pub(crate) has_cells: bool,
    /// For slices: the element size (0 for sized types, whose objects have no cards).
    pub(crate) elem_size: usize,
    /// Bytes from the object's base to its payload.
    pub(crate) payload_offset: usize,
}

/// Scans a chunk of the object at a base address, from an element index; returns the next
/// chunk's start, if any.
pub(crate) type TraceFn = unsafe fn(NonNull<u8>, usize, &mut Tracer<'_>) -> Option<usize>;

/// Rounds `n` up to a multiple of `align` (a power of two).
const fn round_up(n: usize, align: usize) -> usize {
    (n + align - 1) & !(align - 1)
}

/// Types that can be the target of a [`Gc`](crate::Gc): every sized [`Trace`] type, `[T]`, `str`,
/// and trait objects of traits that have `ObjectType` as a supertrait. Implemented by gcheap only.
///
/// The trait is dyn-compatible so that it can be a supertrait: a `Gc<'gc, dyn Shape>` is
/// traceable when `trait Shape: ObjectType`, because the collector asks the trait object's vtable
/// where the object's header lies and whether to scan it (the header then gives the concrete
/// type's trace and drop glue). [`Gc::unsize`](crate::Gc::unsize) makes such a pointer.
///
/// ```
/// use gcheap_core::{Gc, Heap, ObjectType, Rootable};
///
/// trait Shape: ObjectType {
///     fn area(&self) -> f64;
/// }
/// impl Shape for [f64; 2] {
///     fn area(&self) -> f64 {
///         self[0] * self[1]
///     }
/// }
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// m.mutate(|mc, _| {
///     let shape = Gc::unsize::<dyn Shape>(Gc::new(mc, [3.0, 2.0]), |s| s);
///     assert_eq!(shape.area(), 6.0);
/// });
/// ```
///
/// # Safety
/// Implemented only inside this crate; [`object_layout`](Self::object_layout) describes how
/// objects of the type are laid out behind their header.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the target of a Gc",
    note = "a sized type must implement `Trace`; a trait object `dyn Trait` needs `gcheap::ObjectType` as a supertrait of `Trait`"
)]
pub unsafe trait ObjectType: sealed::Sealed {
    /// Where the object's header lies and whether the marker scans it.
    #[doc(hidden)]
    fn object_layout(&self) -> ObjectLayout;
}

/// What the collector needs to know of an object from a pointer to it: the offset of its payload
/// from its base, and whether it is scanned. Opaque outside gcheap.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ObjectLayout {
    /// Bytes from the object's base (its header, or the object itself without one) to its
    /// payload: 0 exactly when the object has no header.
    pub(crate) header_offset: usize,
    /// Whether the marker must scan the object.
    pub(crate) needs_scan: bool,
}

/// The layout constants of the types gcheap allocates (sized types, slices, `str`), known at
/// compile time; trait objects answer [`ObjectType::object_layout`] through their vtable instead.
///
/// # Safety
/// The constants describe how `Gc::new` and friends lay out objects of the type.
pub(crate) unsafe trait StaticLayout {
    /// Whether objects of this type carry a header (they hold Gc pointers or need a drop).
    const HAS_HEADER: bool;
    /// Whether the marker must scan objects of this type.
    const NEEDS_SCAN: bool;
    /// Whether objects of this type must be dropped when they die.
    const NEEDS_DROP: bool;
    /// Bytes from the object's base to its payload.
    const HEADER_OFFSET: usize;
    /// Both of the above the marker needs, as a value.
    const LAYOUT: ObjectLayout = ObjectLayout {
        header_offset: Self::HEADER_OFFSET,
        needs_scan: Self::NEEDS_SCAN,
    };
    /// The type's descriptor.
    fn descriptor() -> &'static Descriptor;
}

mod sealed {
    pub trait Sealed {}
    impl<T: super::Trace> Sealed for T {}
    impl<T: super::Trace> Sealed for [T] {}
    impl Sealed for str {}
}

/// Compile-time descriptor storage: an associated const is promoted to a `'static`.
struct DescriptorOf<T: ?Sized>(std::marker::PhantomData<T>);

impl<T: Trace> DescriptorOf<T> {
    const SIZED: Descriptor = Descriptor {
        name: std::any::type_name::<T>,
        trace: if T::NEEDS_TRACE {
            Some(trace_sized::<T>)
        } else {
            None
        },
        drop: if needs_drop::<T>() {
            Some(drop_sized::<T>)
        } else {
            None
        },
        has_cells: T::HAS_CELLS,
        elem_size: 0,
        payload_offset: <T as StaticLayout>::HEADER_OFFSET,
    };
    const SLICE: Descriptor = Descriptor {
        name: std::any::type_name::<[T]>,
        trace: if T::NEEDS_TRACE {
            Some(trace_slice::<T>)
        } else {
            None
        },
        drop: if needs_drop::<T>() {
            Some(drop_slice::<T>)
        } else {
            None
        },
        has_cells: T::HAS_CELLS,
        elem_size: size_of::<T>(),
        payload_offset: <[T] as StaticLayout>::HEADER_OFFSET,
    };
}

// The header's state bits live in the descriptor address's low bits.
const _: () = assert!(align_of::<Descriptor>() >= 4);

const STR_DESCRIPTOR: Descriptor = Descriptor {
    name: std::any::type_name::<str>,
    trace: None,
    drop: None,
    has_cells: false,
    elem_size: 1,
    payload_offset: 0,
};

/// The base (header address, or the object itself when it has no header) of the object of type
/// `T` whose payload is at `payload`.
#[inline]
pub(crate) fn base_of<T: StaticLayout + ?Sized>(payload: NonNull<u8>) -> NonNull<u8> {
    base_at(payload, T::LAYOUT)
}

/// The base of the object of layout `layout` whose payload is at `payload`.
#[inline]
pub(crate) fn base_at(payload: NonNull<u8>, layout: ObjectLayout) -> NonNull<u8> {
    // SAFETY: every Gc payload lies `header_offset` bytes past the start of its allocation
    // (`Gc::new` and friends lay objects out that way, and a trait object's layout is its
    // concrete type's), so the result is inside the same allocation and non-null.
    unsafe { payload.sub(layout.header_offset) }
}

/// The payload of the sized object whose header is at `base`.
///
/// # Safety
/// `base` must be the base of a live object of type `T` with a header.
unsafe fn payload<T: StaticLayout + ?Sized>(base: NonNull<u8>) -> NonNull<u8> {
    // SAFETY: the payload lies HEADER_OFFSET bytes into the object.
    unsafe { base.add(T::HEADER_OFFSET) }
}

/// # Safety
/// `base` is a live, initialized object of type `T` with a header.
unsafe fn trace_sized<T: Trace>(
    base: NonNull<u8>,
    _: usize,
    tracer: &mut Tracer<'_>,
) -> Option<usize> {
    // SAFETY: the caller promises a live, initialized T at the payload.
    let value = unsafe { payload::<T>(base).cast::<T>().as_ref() };
    value.trace(tracer);
    None
}

/// # Safety
/// `base` is a dead object of type `T` with a header, not dropped yet and never used again.
unsafe fn drop_sized<T: Trace>(base: NonNull<u8>) {
    // SAFETY: the caller promises an initialized T that no one will use again.
    unsafe { payload::<T>(base).cast::<T>().drop_in_place() }
}

/// The length word of the slice object at `base`.
///
/// # Safety
/// `base` is a slice object with a header.
pub(crate) unsafe fn slice_len(base: NonNull<u8>) -> usize {
    // SAFETY: slice headers store the initialized length in their second word.
    unsafe { base.cast::<usize>().add(1).read() }
}

/// # Safety
/// `base` is a live slice object of `T` whose first `len` elements are initialized.
unsafe fn trace_slice<T: Trace>(
    base: NonNull<u8>,
    start: usize,
    tracer: &mut Tracer<'_>,
) -> Option<usize> {
    // SAFETY: caller's promise; the length word counts initialized elements only.
    let len = unsafe { slice_len(base) };
    let end = len.min(start.saturating_add(SCAN_CHUNK));
    // SAFETY: caller's promise: a slice object with a header, so its payload follows it.
    let first = unsafe { payload::<[T]>(base).cast::<T>() };
    for i in start..end {
        // SAFETY: i < len, an initialized element.
        tracer.trace(unsafe { first.add(i).as_ref() });
    }
    (end < len).then_some(end)
}

/// # Safety
/// `base` is a dead slice object of `T`, not dropped yet and never used again.
unsafe fn drop_slice<T: Trace>(base: NonNull<u8>) {
    // SAFETY: the first `len` elements are initialized and no one uses them again.
    unsafe {
        let len = slice_len(base);
        let first = payload::<[T]>(base).cast::<T>();
        NonNull::slice_from_raw_parts(first, len).drop_in_place();
    }
}

// SAFETY: layout constants match how `Gc::new` lays out sized objects.
unsafe impl<T: Trace> StaticLayout for T {
    const HAS_HEADER: bool = T::NEEDS_TRACE || needs_drop::<T>();
    const NEEDS_SCAN: bool = T::NEEDS_TRACE;
    const NEEDS_DROP: bool = needs_drop::<T>();
    const HEADER_OFFSET: usize = if Self::HAS_HEADER {
        round_up(size_of::<usize>(), align_of::<T>())
    } else {
        0
    };
    #[inline]
    fn descriptor() -> &'static Descriptor {
        &DescriptorOf::<T>::SIZED
    }
}

// SAFETY: layout constants match how `Gc::from_iter` lays out slices.
unsafe impl<T: Trace> StaticLayout for [T] {
    const HAS_HEADER: bool = T::NEEDS_TRACE || needs_drop::<T>();
    const NEEDS_SCAN: bool = T::NEEDS_TRACE;
    const NEEDS_DROP: bool = needs_drop::<T>();
    const HEADER_OFFSET: usize = if Self::HAS_HEADER {
        round_up(2 * size_of::<usize>(), align_of::<T>())
    } else {
        0
    };
    #[inline]
    fn descriptor() -> &'static Descriptor {
        &DescriptorOf::<T>::SLICE
    }
}

// SAFETY: str is bytes: no header.
unsafe impl StaticLayout for str {
    const HAS_HEADER: bool = false;
    const NEEDS_SCAN: bool = false;
    const NEEDS_DROP: bool = false;
    const HEADER_OFFSET: usize = 0;
    #[inline]
    fn descriptor() -> &'static Descriptor {
        &STR_DESCRIPTOR
    }
}

// SAFETY: each answers its type's layout constants, which describe how gcheap lays it out.
unsafe impl<T: Trace> ObjectType for T {
    #[inline(always)]
    fn object_layout(&self) -> ObjectLayout {
        <T as StaticLayout>::LAYOUT
    }
}
// SAFETY: as above.
unsafe impl<T: Trace> ObjectType for [T] {
    #[inline(always)]
    fn object_layout(&self) -> ObjectLayout {
        <[T] as StaticLayout>::LAYOUT
    }
}
// SAFETY: as above.
unsafe impl ObjectType for str {
    #[inline(always)]
    fn object_layout(&self) -> ObjectLayout {
        <str as StaticLayout>::LAYOUT
    }
}

/// The header word at `base`, as an atomic: the descriptor's address plus the state bits.
///
/// # Safety
/// `base` is an object with a header whose header has been written.
#[inline]
pub(crate) unsafe fn header_word<'a>(base: NonNull<u8>) -> &'a AtomicUsize {
    // SAFETY: caller's promise: a written, 8-aligned header word inside a live allocation. It is
    // only ever accessed atomically once written (the write at allocation happens-before any
    // other thread learns the object's address).
    unsafe { AtomicUsize::from_ptr(base.cast::<usize>().as_ptr()) }
}

/// Writes the header of a fresh object: its descriptor and the black bit `parity`.
///
/// # Safety
/// `base` is a fresh allocation of at least one word, 8-aligned, that no other thread knows.
#[inline]
pub(crate) unsafe fn write_header(base: NonNull<u8>, desc: &'static Descriptor, parity: usize) {
    // SAFETY: caller's promise: one 8-aligned word of a live allocation that no other thread
    // can access yet, so this first (atomic) write races with nothing.
    unsafe { AtomicUsize::from_ptr(base.cast::<usize>().as_ptr()) }
        .store(desc as *const Descriptor as usize | parity, Relaxed);
}

/// Reads the descriptor in the header at `base`.
///
/// # Safety
/// `base` is an object with a header whose header has been written.
#[inline]
pub(crate) unsafe fn descriptor_at(base: NonNull<u8>) -> &'static Descriptor {
    // SAFETY: caller's promise.
    let word = unsafe { header_word(base) }.load(Relaxed);
    // SAFETY: with the state bits cleared, the word is a `&'static Descriptor`.
    unsafe { &*((word & !STATE_MASK) as *const Descriptor) }
}

/// **Cards.** A slice object that can hold Gc pointers and has more than [`SCAN_CHUNK`] elements
/// carries one state word per chunk of `SCAN_CHUNK` elements (a *card*), after its elements. Its
/// cards take the header's place in the marking protocol: a marker holds and blackens one card at
/// a time, and the barrier blackens only the card it writes, so a write to a huge array costs one
/// chunk's scan, not the array's.
///
/// The number of cards of a slice object of `len` elements whose type can hold Gc pointers.
#[inline]
pub(crate) const fn card_count(len: usize) -> usize {
    if len > SCAN_CHUNK {
        len.div_ceil(SCAN_CHUNK)
    } else {
        0
    }
}

/// Where the card table of a slice object starts, from its base: after the elements, rounded up
/// to a word.
#[inline]
pub(crate) const fn cards_offset(payload_offset: usize, elem_size: usize, len: usize) -> usize {
    round_up(payload_offset + elem_size * len, align_of::<usize>())
}

/// The card words of the slice object at `base` (whose descriptor is `desc`), if it has cards.
///
/// # Safety
/// `base` is a live object with a written header holding `desc`, and its length word and cards
/// (if any) were written at allocation.
#[inline]
pub(crate) unsafe fn cards<'a>(base: NonNull<u8>, desc: &Descriptor) -> Option<&'a [AtomicUsize]> {
    if desc.elem_size == 0 || desc.trace.is_none() {
        return None;
    }
    // SAFETY: caller's promise: a slice object (elem_size != 0) with a header keeps its length in
    // its second word.
    let len = unsafe { slice_len(base) };
    let n = card_count(len);
    if n == 0 {
        return None;
    }
    let offset = cards_offset(desc.payload_offset, desc.elem_size, len);
    // SAFETY: `Gc::from_iter` made room for n card words at that offset, 8-aligned (objects with
    // headers are 8-aligned), and wrote them before the object was published; since then they
    // are only accessed atomically.
    unsafe {
        let first = base.add(offset).cast::<AtomicUsize>();
        Some(std::slice::from_raw_parts(first.as_ptr(), n))
    }
}

/// The sweep hook: drops a dead object of a scan span, if its type needs a drop.
///
/// # Safety
/// `base` is a dead object of a scan span, allocated by gcheap (so it has a header), not dropped
/// before and never used again.
pub(crate) unsafe fn drop_dead(base: NonNull<u8>) {
    // SAFETY: caller's promise: every object in a scan span has a written header.
    let desc = unsafe { descriptor_at(base) };
    if let Some(drop) = desc.drop {
        // SAFETY: caller's promise.
        unsafe { drop(base) }
    }
}
