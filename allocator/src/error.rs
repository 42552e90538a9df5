//! Errors the allocator reports instead of aborting.

use std::fmt;

/// Why an allocation failed.
///
/// ```
/// use gcheap_allocator::{AllocError, Allocator, ObjectKind};
/// use std::alloc::Layout;
///
/// let allocator = Allocator::new(Default::default());
/// let mut cache = allocator.cache();
/// let layout = Layout::from_size_align(64, 16 << 10).unwrap();
/// assert!(matches!(
///     cache.alloc(layout, ObjectKind::NoScan),
///     Err(AllocError::UnsupportedAlignment { align: 16384 })
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocError {
    /// A request for zero bytes: every object has an address of its own, so it needs a size.
    ZeroSize,
    /// An alignment above the page size (8 KiB), which no span can promise.
    UnsupportedAlignment {
        /// The requested alignment.
        align: usize,
    },
    /// The OS refused to reserve more address space (or the request exceeds the address space).
    OutOfMemory {
        /// Bytes the allocator tried to obtain.
        requested: usize,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::ZeroSize => write!(f, "cannot allocate an object of zero bytes"),
            AllocError::UnsupportedAlignment { align } => write!(
                f,
                "alignment {align} exceeds the page size ({}); no span can guarantee it",
                crate::sizeclass::PAGE_SIZE
            ),
            AllocError::OutOfMemory { requested } => {
                write!(f, "out of memory: the OS refused to map {requested} bytes")
            }
        }
    }
}

impl std::error::Error for AllocError {}
