//! `GcKey<'gc, T>`: a Gc pointer compared, ordered and hashed by identity.
//!
//! `Gc<T>` compares and hashes its *value*, as `Rc` does. Interpreters key their tables by
//! object identity instead (a Lua table used as a key, a JavaScript object in a `Map`): wrap the
//! pointer in a `GcKey` and use it as a std `HashMap`/`BTreeMap` key, inside the heap too (it is
//! `Trace`, and keeps its object alive like the Gc it holds). Identity is the object's address,
//! which never changes: the collector does not move objects.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::gc::Gc;
use crate::object::ObjectType;
use crate::trace::{Trace, Tracer};

/// A [`Gc`] whose `Eq`, `Ord` and `Hash` use the object's identity (its address), not its value.
///
/// ```
/// use std::collections::HashMap;
/// use gcheap_core::{Gc, GcKey, Heap, Rootable};
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// m.mutate(|mc, _| {
///     let (a, b) = (Gc::new(mc, 7u32), Gc::new(mc, 7u32));
///     assert_eq!(a, b);                          // equal values
///     let mut names = HashMap::new();
///     names.insert(GcKey(a), "a");
///     names.insert(GcKey(b), "b");               // another object: another key
///     assert_eq!(names.len(), 2);
///     assert_eq!(names[&GcKey(a)], "a");
/// });
/// ```
pub struct GcKey<'gc, T: ?Sized + 'gc>(pub Gc<'gc, T>);

impl<'gc, T: ?Sized + 'gc> GcKey<'gc, T> {
    /// The pointer.
    #[inline]
    pub fn gc(self) -> Gc<'gc, T> {
        self.0
    }

    /// The object's address, without any slice length or vtable.
    #[inline]
    fn addr(&self) -> usize {
        Gc::as_ptr(self.0).cast::<()>().addr()
    }
}

impl<'gc, T: ?Sized + 'gc> From<Gc<'gc, T>> for GcKey<'gc, T> {
    #[inline]
    fn from(gc: Gc<'gc, T>) -> Self {
        GcKey(gc)
    }
}

impl<T: ?Sized> Clone for GcKey<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for GcKey<'_, T> {}

impl<T: ?Sized> PartialEq for GcKey<'_, T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.addr() == other.addr()
    }
}
impl<T: ?Sized> Eq for GcKey<'_, T> {}

impl<T: ?Sized> PartialOrd for GcKey<'_, T> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: ?Sized> Ord for GcKey<'_, T> {
    /// Address order: stable while the objects live, meaningless across runs.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.addr().cmp(&other.addr())
    }
}

impl<T: ?Sized> Hash for GcKey<'_, T> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addr().hash(state);
    }
}

impl<T: ?Sized> fmt::Debug for GcKey<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GcKey<{}>({:#x})",
            std::any::type_name::<T>(),
            self.addr()
        )
    }
}

// SAFETY: reports the one Gc pointer it holds, as `Gc`'s own impl does.
unsafe impl<'gc, T: ObjectType + ?Sized + 'gc> Trace for GcKey<'gc, T> {
    const NEEDS_TRACE: bool = true;
    const HAS_CELLS: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.trace(&self.0);
    }
}
