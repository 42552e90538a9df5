//! Size classes: Go's 67 classes from 8 B to 32 KiB, and span classes.
//!
//! Every small request is rounded up to one of a fixed set of object sizes, so that a span (a run of
//! pages) holds objects of a single size and an object's index is a multiplication away from its
//! address. The table is Go's (`runtime/sizeclasses.go`): rounding a request up to its class wastes
//! at most 12.5%, and each class's span length (pages per span) is chosen so that the tail of the
//! span left over after carving it into objects wastes at most 12.5% too. Class 0 means "large":
//! an object of more than [`MAX_SMALL_SIZE`] bytes gets a dedicated span of whole pages.
//!
//! Lookups are two dense tables, as in Go: sizes up to 1024 B are indexed in steps of 8 B, larger
//! ones in steps of 128 B, so `size_to_class` is a shift and one byte load.
//!
//! A *span class* is a size class with one more bit: whether the objects in it may hold pointers the
//! collector must trace ("scan") or not ("noscan"). Marking never reads noscan objects and sweeping
//! never reports them, so pointer-free, drop-free data (strings, byte buffers) costs the collector
//! nothing but a mark bit. One extra span class, [`SpanClass::TINY`], holds the 16-byte blocks that
//! the tiny allocator packs small noscan objects into.

/// Bytes in a page: the unit the page heap hands out.
pub const PAGE_SIZE: usize = 8192;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 13;
/// The largest object served from a size class; larger objects get a dedicated span.
pub const MAX_SMALL_SIZE: usize = 32 << 10;
/// Number of size classes, including class 0 (large objects).
pub const NUM_SIZE_CLASSES: usize = 68;
/// Tiny allocations (noscan, under this size) are packed into blocks of this size.
pub const TINY_SIZE: usize = 16;
/// The largest number of objects a span holds (8-byte class, one page).
pub const MAX_OBJECTS_PER_SPAN: usize = PAGE_SIZE / 8;

const SMALL_SIZE_DIV: usize = 8;
const SMALL_SIZE_MAX: usize = 1024;
const LARGE_SIZE_DIV: usize = 128;

/// Object size of each class in bytes (`class_to_size` in Go). Class 0 is the large-object class.
pub const CLASS_TO_SIZE: [u32; NUM_SIZE_CLASSES] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];

/// Pages in one span of each class (`class_to_allocnpages` in Go).
pub const CLASS_TO_PAGES: [u8; NUM_SIZE_CLASSES] = [
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 3, 2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8,
    3, 10, 7, 4,
];

const SIZE_TO_CLASS8: [u8; SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1] = build_size_to_class8();
const SIZE_TO_CLASS128: [u8; (MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1] =
    build_size_to_class128();

const fn smallest_class_for(size: usize) -> u8 {
    let mut class = 1;
    while class < NUM_SIZE_CLASSES {
        if CLASS_TO_SIZE[class] as usize >= size {
            return class as u8;
        }
        class += 1;
    }
    panic!("size beyond the largest size class")
}

const fn build_size_to_class8() -> [u8; SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1] {
    let mut table = [0u8; SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1];
    let mut i = 0;
    while i < table.len() {
        // Entry i serves sizes in ((i-1)*8, i*8]; entry 0 (size 0) maps to the smallest class.
        let size = if i == 0 { 1 } else { i * SMALL_SIZE_DIV };
        table[i] = smallest_class_for(size);
        i += 1;
    }
    table
}

const fn build_size_to_class128() -> [u8; (MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1] {
    let mut table = [0u8; (MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1];
    let mut i = 0;
    while i < table.len() {
        table[i] = smallest_class_for(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV);
        i += 1;
    }
    table
}

/// The size class serving a request of `size` bytes (1 ..= [`MAX_SMALL_SIZE`]); 0 for larger ones.
///
/// ```
/// use gcheap_allocator::sizeclass::{class_size, size_to_class};
/// assert_eq!(class_size(size_to_class(100)), 112);
/// assert_eq!(size_to_class(40 << 10), 0); // large
/// ```
#[inline]
pub fn size_to_class(size: usize) -> usize {
    if size <= SMALL_SIZE_MAX {
        SIZE_TO_CLASS8[size.div_ceil(SMALL_SIZE_DIV)] as usize
    } else if size <= MAX_SMALL_SIZE {
        SIZE_TO_CLASS128[(size - SMALL_SIZE_MAX).div_ceil(LARGE_SIZE_DIV)] as usize
    } else {
        0
    }
}

/// Object size of a size class in bytes (0 for the large class).
#[inline]
pub fn class_size(class: usize) -> usize {
    CLASS_TO_SIZE[class] as usize
}

/// Pages per span of a size class.
#[inline]
pub fn class_pages(class: usize) -> usize {
    CLASS_TO_PAGES[class] as usize
}

/// Objects per span of a size class.
#[inline]
pub fn class_objects(class: usize) -> usize {
    class_pages(class) * PAGE_SIZE / class_size(class)
}

/// A size class plus whether its objects are scanned by the collector.
///
/// Encoded as `size_class << 1 | noscan`, as in Go, with one extra value, [`SpanClass::TINY`], for
/// the tiny allocator's 16-byte blocks (noscan, size class 2, but never handed out whole).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanClass(u8);

/// Number of distinct span classes (scan and noscan for each size class, plus the tiny class).
pub const NUM_SPAN_CLASSES: usize = NUM_SIZE_CLASSES * 2 + 1;

impl SpanClass {
    /// The span class of the tiny allocator's 16-byte blocks.
    pub const TINY: SpanClass = SpanClass((NUM_SIZE_CLASSES * 2) as u8);

    /// The span class for `size_class`, scanned or not.
    #[inline]
    pub fn new(size_class: usize, noscan: bool) -> SpanClass {
        debug_assert!(size_class < NUM_SIZE_CLASSES);
        SpanClass(((size_class << 1) | noscan as usize) as u8)
    }

    /// The size class (0 for large spans).
    #[inline]
    pub fn size_class(self) -> usize {
        if self == Self::TINY {
            size_to_class(TINY_SIZE)
        } else {
            (self.0 >> 1) as usize
        }
    }

    /// Whether objects of this class are pointer-free and need no finalization.
    #[inline]
    pub fn noscan(self) -> bool {
        self == Self::TINY || self.0 & 1 == 1
    }

    /// Whether this is the tiny allocator's block class.
    #[inline]
    pub fn is_tiny(self) -> bool {
        self == Self::TINY
    }

    /// Whether spans of this class hold one large object each.
    #[inline]
    pub fn is_large(self) -> bool {
        self != Self::TINY && self.0 >> 1 == 0
    }

    /// Index into per-span-class tables (`0 .. NUM_SPAN_CLASSES`).
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The span class with the given [`index`](Self::index).
    pub fn from_index(index: usize) -> SpanClass {
        assert!(
            index < NUM_SPAN_CLASSES,
            "span class index {index} out of range"
        );
        SpanClass(index as u8)
    }
}

impl std::fmt::Debug for SpanClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_tiny() {
            write!(f, "SpanClass(tiny)")
        } else {
            let kind = if self.noscan() { "noscan" } else { "scan" };
            write!(f, "SpanClass({}, {kind})", self.size_class())
        }
    }
}

/// The multiplier that turns a byte offset inside a span into an object index:
/// `index = (offset * div_magic(size)) >> 32`, exact for every offset inside a span (Go's `divMul`).
#[inline]
pub const fn div_magic(size: usize) -> u64 {
    (u32::MAX / size as u32) as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_strictly_increase_and_are_aligned() {
        for c in 2..NUM_SIZE_CLASSES {
            assert!(CLASS_TO_SIZE[c] > CLASS_TO_SIZE[c - 1], "class {c}");
            assert_eq!(CLASS_TO_SIZE[c] % 8, 0, "class {c} not 8-aligned");
        }
        assert_eq!(class_size(1), 8);
        assert_eq!(class_size(NUM_SIZE_CLASSES - 1), MAX_SMALL_SIZE);
    }

    #[test]
    fn tail_waste_at_most_one_eighth_and_max_waste_bounded() {
        for c in 1..NUM_SIZE_CLASSES {
            let size = class_size(c);
            let span = class_pages(c) * PAGE_SIZE;
            assert!(class_objects(c) >= 1, "class {c} holds no object");
            let tail = span - class_objects(c) * size;
            assert!(tail * 8 <= span, "class {c}: tail waste {tail} of {span}");
            if size >= 96 {
                // Go's "max waste": every object holds a request one byte above the previous class.
                let prev = class_size(c - 1);
                let used = class_objects(c) * (prev + 1);
                assert!((span - used) * 6 <= span, "class {c}: max waste above 1/6");
            }
        }
    }

    #[test]
    fn every_size_maps_to_the_smallest_fitting_class() {
        // Miri is ~1000x slower: check a sample there.
        let step = if cfg!(miri) { 61 } else { 1 };
        for size in (1..=MAX_SMALL_SIZE).step_by(step) {
            let c = size_to_class(size);
            assert!(c >= 1, "size {size}");
            assert!(class_size(c) >= size, "size {size} -> class {c}");
            assert!(
                class_size(c - 1) < size || c == 1,
                "size {size} not smallest: {c}"
            );
        }
        assert_eq!(size_to_class(MAX_SMALL_SIZE + 1), 0);
    }

    #[test]
    fn power_of_two_sizes_are_naturally_aligned() {
        // Objects of a power-of-two class start at multiples of their size, so any alignment up to
        // the size (and up to a page) is met by choosing such a class.
        for c in 1..NUM_SIZE_CLASSES {
            let size = class_size(c);
            if size.is_power_of_two() {
                assert_eq!((class_pages(c) * PAGE_SIZE) % size, 0);
            }
        }
    }

    #[test]
    fn div_magic_is_exact_over_each_span() {
        for c in 1..NUM_SIZE_CLASSES {
            let size = class_size(c);
            let magic = div_magic(size);
            let span = class_pages(c) * PAGE_SIZE;
            let check = |offset: usize| {
                assert_eq!(
                    ((offset as u64 * magic) >> 32) as usize,
                    offset / size,
                    "class {c}"
                );
            };
            if cfg!(miri) {
                // Miri is ~1000x slower: check each object's first and last byte only.
                for k in 0..span / size {
                    check(k * size);
                    check(k * size + size - 1);
                }
            } else {
                (0..span).for_each(check);
            }
        }
    }

    #[test]
    fn span_class_round_trips() {
        for c in 0..NUM_SIZE_CLASSES {
            for noscan in [false, true] {
                let sc = SpanClass::new(c, noscan);
                assert_eq!(sc.size_class(), c);
                assert_eq!(sc.noscan(), noscan);
                assert_eq!(sc.is_large(), c == 0);
                assert!(!sc.is_tiny());
                assert_eq!(SpanClass::from_index(sc.index()), sc);
            }
        }
        assert!(SpanClass::TINY.noscan());
        assert_eq!(class_size(SpanClass::TINY.size_class()), TINY_SIZE);
        assert_eq!(SpanClass::TINY.index(), NUM_SPAN_CLASSES - 1);
    }
}
