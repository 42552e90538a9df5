//! Arenas: large, aligned reservations of address space, and the process-wide map from an address
//! to the arena (and so the span) that holds it.
//!
//! An arena is [`ARENA_SIZE`] bytes (64 MiB; 1 MiB under Miri), aligned to its size, reserved with
//! one anonymous `mmap` (memmap2) and committed lazily by the OS as pages are first touched. A
//! request larger than an arena gets a *huge* arena: a whole number of arena-sized chunks.
//!
//! Turning an address into its span must be O(1) and must fail cleanly for an address that is not
//! ours (the debug checks for foreign pointers depend on it). As in Go's `arenaL1/arenaL2` map, the
//! arena index (`addr >> ARENA_SHIFT`) of a 48-bit address is split into two levels: a static
//! first-level table and second-level blocks allocated on first use and kept for the life of the
//! process. Each arena then holds a per-page table of span pointers, so a lookup is three dependent
//! loads: L1 entry, L2 entry, page entry. Arenas are registered before any of their pages is handed
//! out and unregistered only when their allocator is dropped, when no pointer into them can be live.

use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::error::AllocError;
use crate::sizeclass::{PAGE_SHIFT, PAGE_SIZE};
use crate::span::Span;

/// log2 of the arena size.
#[cfg(not(miri))]
pub const ARENA_SHIFT: u32 = 26;
/// log2 of the arena size (small under Miri, which must materialize every byte it is given).
#[cfg(miri)]
pub const ARENA_SHIFT: u32 = 20;
/// Bytes in one arena: the unit of address-space reservation.
pub const ARENA_SIZE: usize = 1 << ARENA_SHIFT;
/// Pages in one arena.
pub const ARENA_PAGES: usize = ARENA_SIZE / PAGE_SIZE;

/// Addresses are at most this many bits (x86-64 and AArch64 user space with 4-level paging).
const ADDRESS_BITS: u32 = 48;
const L2_BITS: u32 = 11;
const L1_BITS: u32 = ADDRESS_BITS - ARENA_SHIFT - L2_BITS;

type L2Block = [AtomicPtr<Arena>; 1 << L2_BITS];

static ARENA_MAP: [AtomicPtr<L2Block>; 1 << L1_BITS] =
    [const { AtomicPtr::new(ptr::null_mut()) }; 1 << L1_BITS];

/// The memory behind an arena.
struct Reservation {
    /// The whole mapping, of which the arena uses an aligned part.
    #[cfg(not(miri))]
    map: memmap2::MmapMut,
    /// Offset of the arena's base inside `map`.
    #[cfg(not(miri))]
    offset: usize,
    #[cfg(miri)]
    layout: std::alloc::Layout,
    /// First byte of the arena; every object pointer is derived from it (strict provenance).
    base: NonNull<u8>,
}

impl Reservation {
    #[cfg(not(miri))]
    fn new(bytes: usize) -> Result<Reservation, AllocError> {
        let oom = || AllocError::OutOfMemory { requested: bytes };
        let len = bytes.checked_add(ARENA_SIZE).ok_or_else(oom)?;
        // Over-reserve by one arena so that an aligned `bytes` fits; the unused slack is never
        // touched and so never committed.
        let mut map = memmap2::MmapOptions::new()
            .len(len)
            .no_reserve_swap()
            .map_anon()
            .map_err(|_| oom())?;
        let start = map.as_mut_ptr();
        let offset = start.addr().next_multiple_of(ARENA_SIZE) - start.addr();
        // SAFETY: offset < ARENA_SIZE and the mapping is `bytes + ARENA_SIZE` long, so the result
        // stays inside it; it is non-null because the mapping is.
        let base = unsafe { NonNull::new_unchecked(start.add(offset)) };
        Ok(Reservation { map, offset, base })
    }

    #[cfg(miri)]
    fn new(bytes: usize) -> Result<Reservation, AllocError> {
        let oom = || AllocError::OutOfMemory { requested: bytes };
        let layout = std::alloc::Layout::from_size_align(bytes, ARENA_SIZE).map_err(|_| oom())?;
        // SAFETY: `layout` has a non-zero size (at least one arena).
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        let base = NonNull::new(p).ok_or_else(oom)?;
        Ok(Reservation { layout, base })
    }

    /// Returns `len` bytes at `offset` to the OS; they read as zero when next touched.
    #[cfg(not(miri))]
    fn release(&self, offset: usize, len: usize) {
        // SAFETY: the range lies inside the mapping (checked by the caller's page arithmetic and
        // by memmap2), and it holds only free pages: no live object, no reference into it exists,
        // so discarding its contents cannot change any value the program can observe.
        let res = unsafe {
            self.map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                self.offset + offset,
                len,
            )
        };
        // madvise(DONTNEED) on a private anonymous mapping we own cannot fail except for bad
        // arguments, which would be a bug here.
        debug_assert!(res.is_ok(), "madvise failed: {res:?}");
    }

    #[cfg(miri)]
    fn release(&self, offset: usize, len: usize) {
        // SAFETY: as above, the range holds only free pages of this reservation; Miri cannot
        // madvise, so emulate its effect (the pages read as zero afterwards).
        unsafe { ptr::write_bytes(self.base.as_ptr().add(offset), 0, len) };
    }
}

#[cfg(miri)]
impl Drop for Reservation {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout and not freed before.
        unsafe { std::alloc::dealloc(self.base.as_ptr(), self.layout) };
    }
}

/// One arena: a reservation plus its page -> span table.
pub(crate) struct Arena {
    reservation: Reservation,
    /// Pages in this arena (a multiple of [`ARENA_PAGES`]).
    pages: usize,
    /// For each page, the span that contains it while the span is in use; null otherwise.
    spans: Box<[AtomicPtr<Span>]>,
    /// Identity of the allocator that owns this arena.
    pub(crate) owner: usize,
    /// Position of this arena in its page heap's arena list.
    pub(crate) index: usize,
}

impl Arena {
    /// Reserves and registers an arena of at least `min_pages` pages.
    pub(crate) fn reserve(
        min_pages: usize,
        owner: usize,
        index: usize,
    ) -> Result<OwnedArena, AllocError> {
        let pages = min_pages.max(1).next_multiple_of(ARENA_PAGES);
        let bytes = pages
            .checked_mul(PAGE_SIZE)
            .filter(|b| *b < 1 << (ADDRESS_BITS - 1))
            .ok_or(AllocError::OutOfMemory {
                requested: min_pages.saturating_mul(PAGE_SIZE),
            })?;
        let reservation = Reservation::new(bytes)?;
        let spans = (0..pages)
            .map(|_| AtomicPtr::new(ptr::null_mut()))
            .collect();
        let arena = Box::new(Arena {
            reservation,
            pages,
            spans,
            owner,
            index,
        });
        // The arena map and its owner both refer to the arena through this one raw pointer, so
        // no Box or &mut ever asserts uniqueness over it while it is registered.
        let arena = OwnedArena(NonNull::from(Box::leak(arena)));
        arena.register();
        Ok(arena)
    }

    /// Address of the first byte of the arena.
    #[inline]
    pub(crate) fn base(&self) -> usize {
        self.reservation.base.as_ptr().addr()
    }

    /// A pointer to `addr`, which must lie inside the arena, carrying the arena's provenance.
    #[inline]
    pub(crate) fn ptr_at(&self, addr: usize) -> NonNull<u8> {
        debug_assert!(addr >= self.base() && addr - self.base() < self.pages * PAGE_SIZE);
        self.reservation
            .base
            .with_addr(std::num::NonZeroUsize::new(addr).expect("inside arena"))
    }

    /// Pages in the arena.
    #[inline]
    pub(crate) fn pages(&self) -> usize {
        self.pages
    }

    /// Page index of `addr`, which must lie inside the arena.
    #[inline]
    pub(crate) fn page_of(&self, addr: usize) -> usize {
        (addr - self.base()) >> PAGE_SHIFT
    }

    /// The span recorded for page `page`, if any.
    #[inline]
    pub(crate) fn span_at(&self, page: usize) -> Option<NonNull<Span>> {
        NonNull::new(self.spans[page].load(Ordering::Acquire))
    }

    /// Records `span` (or null) for pages `first .. first + n`.
    pub(crate) fn set_spans(&self, first: usize, n: usize, span: *mut Span) {
        for entry in &self.spans[first..first + n] {
            entry.store(span, Ordering::Release);
        }
    }

    /// Returns `n` pages starting at page `first` to the OS.
    pub(crate) fn release_pages(&self, first: usize, n: usize) {
        debug_assert!(first + n <= self.pages);
        self.reservation.release(first * PAGE_SIZE, n * PAGE_SIZE);
    }

    fn chunks(&self) -> impl Iterator<Item = usize> + use<> {
        let first = self.base() >> ARENA_SHIFT;
        first..first + self.pages / ARENA_PAGES
    }

    fn unregister(&self) {
        for chunk in self.chunks() {
            if let Some(l2) = l2_block(chunk >> L2_BITS, false) {
                l2[chunk & ((1 << L2_BITS) - 1)].store(ptr::null_mut(), Ordering::Release);
            }
        }
    }
}

// SAFETY: the reservation's pointer is only a base for address arithmetic; the memory behind it is
// accessed through the allocator's protocols (objects by their owners, metadata through atomics),
// never through a reference this type hands out, so sharing or moving an Arena across threads is
// as safe as sharing the address range itself.
unsafe impl Send for Arena {}
// SAFETY: see `Send` above; every mutable field is atomic.
unsafe impl Sync for Arena {}

/// The owner of a registered arena: unregisters and frees it when dropped.
pub(crate) struct OwnedArena(NonNull<Arena>);

// SAFETY: OwnedArena uniquely owns the arena (as a Box would), and Arena is Send + Sync.
unsafe impl Send for OwnedArena {}
// SAFETY: as above; shared access only reads through `&Arena`.
unsafe impl Sync for OwnedArena {}

impl OwnedArena {
    fn register(&self) {
        for chunk in self.chunks() {
            let l2 = l2_block(chunk >> L2_BITS, true).expect("created on demand");
            let prev = l2[chunk & ((1 << L2_BITS) - 1)].swap(self.0.as_ptr(), Ordering::AcqRel);
            debug_assert!(prev.is_null(), "arena chunk registered twice");
        }
    }
}

impl std::ops::Deref for OwnedArena {
    type Target = Arena;
    fn deref(&self) -> &Arena {
        // SAFETY: the pointer came from Box::leak in `Arena::reserve` and is freed only in Drop.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for OwnedArena {
    fn drop(&mut self) {
        self.unregister();
        // SAFETY: leaked from a Box in `Arena::reserve`; now unregistered, so no lookup can reach it,
        // and its allocator (the only user of pointers into it) is being dropped.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

fn l2_block(l1: usize, create: bool) -> Option<&'static L2Block> {
    let slot = &ARENA_MAP[l1];
    let mut p = slot.load(Ordering::Acquire);
    if p.is_null() {
        if !create {
            return None;
        }
        let fresh: Box<L2Block> =
            Box::new([const { AtomicPtr::new(ptr::null_mut()) }; 1 << L2_BITS]);
        let fresh = Box::into_raw(fresh);
        match slot.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => p = fresh,
            Err(existing) => {
                // SAFETY: `fresh` came from Box::into_raw just above and was never published.
                drop(unsafe { Box::from_raw(fresh) });
                p = existing;
            }
        }
    }
    // SAFETY: non-null entries point to L2 blocks that are leaked on purpose (never freed), so the
    // reference is valid for 'static; the block is only accessed through atomics.
    Some(unsafe { &*p })
}

/// The arena that contains `addr`, if any allocator in this process owns one there.
///
/// The returned reference is valid while the owning allocator lives; callers hold it no longer.
#[inline]
pub(crate) fn arena_of(addr: usize) -> Option<NonNull<Arena>> {
    let chunk = addr >> ARENA_SHIFT;
    let l1 = chunk >> L2_BITS;
    if l1 >= ARENA_MAP.len() {
        return None;
    }
    let l2 = ARENA_MAP[l1].load(Ordering::Acquire);
    if l2.is_null() {
        return None;
    }
    // SAFETY: published L2 blocks are never freed (see `l2_block`).
    let entry = unsafe { &(*l2)[chunk & ((1 << L2_BITS) - 1)] };
    NonNull::new(entry.load(Ordering::Acquire))
}
