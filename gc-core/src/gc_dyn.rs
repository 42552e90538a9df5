//! Trait objects behind a `Gc`: `Gc<'gc, dyn Trait>` on stable Rust, and downcasting.
//!
//! Stable Rust has no user-implementable unsizing coercion (`CoerceUnsized` is unstable), so
//! [`Gc::unsize`] takes the coercion as a closure from `&T` to `&U` and checks what it got back:
//! the same address, the same size and the same [`ObjectLayout`](crate::object::ObjectLayout) as
//! the object. Anything else (a field, another object) panics, so a `Gc<U>` always points at the
//! payload of a gcheap object whose header and scanning the collector reads right.
//!
//! **Why the checks are enough.** The collector learns from a pointer only where the object's
//! base lies and whether to scan it (`ObjectType::object_layout`, answered by the trait object's
//! vtable, which the dyn-compatible supertrait `ObjectType` puts there); everything else (trace
//! and drop glue, the mark bit) comes from the object's header and span, which belong to the
//! allocated type. Equal address and layout make the base and the scan decision right; the
//! reference the closure returned is what `Deref` gives, valid for `'gc` because it came from the
//! object's own `&'gc T`; equal size rules out a zero-sized value that merely sits at the
//! object's address.
//!
//! **Downcasting** needs `Any`, so it is for `'static` types (those holding no `Gc`): a
//! `Gc<dyn GcAny>` downcasts with [`downcast`](Gc::downcast), and a user trait with `GcAny` as a
//! supertrait upcasts to it with `Gc::unsize::<dyn GcAny>(gc, |t| t)`.

use std::any::Any;
use std::mem::size_of_val;
use std::ptr::NonNull;

use crate::gc::Gc;
use crate::object::ObjectType;

impl<'gc, T: ?Sized + ObjectType + 'gc> Gc<'gc, T> {
    /// Converts the pointer to a pointer to an unsized view of the same object, usually a trait
    /// object: `coerce` receives the object and returns it as the new type: `|t| t` with the target
    /// named, `Gc::unsize::<dyn Trait>(gc, |t| t)`, or `Gc::unsize(gc, |t| t as &dyn Trait)`.
    ///
    /// The trait must have [`ObjectType`] as a supertrait, so that the collector can trace the
    /// trait object; tracing and dropping keep using the concrete type's glue.
    ///
    /// ```
    /// use std::fmt::Debug;
    /// use gcheap_core::{Gc, Heap, ObjectType, Rootable};
    ///
    /// trait Value<'gc>: ObjectType + Debug {
    ///     fn describe(&self) -> String;
    /// }
    /// impl<'gc> Value<'gc> for (Gc<'gc, i64>, Gc<'gc, i64>) {
    ///     fn describe(&self) -> String {
    ///         format!("({}, {})", self.0, self.1)
    ///     }
    /// }
    /// impl Value<'_> for String {
    ///     fn describe(&self) -> String {
    ///         format!("{self:?}")
    ///     }
    /// }
    ///
    /// let heap = Heap::default();
    /// let mut m = heap.mutator::<Rootable![()]>(|_| ());
    /// m.mutate(|mc, _| {
    ///     let pair = Gc::new(mc, (Gc::new(mc, 1), Gc::new(mc, 2)));
    ///     let name = Gc::new(mc, String::from("two"));
    ///     let values = [Gc::unsize::<dyn Value>(pair, |p| p), Gc::unsize::<dyn Value>(name, |n| n)];
    ///     let described: Vec<String> = values.iter().map(|v| v.describe()).collect();
    ///     assert_eq!(described, ["(1, 2)", "\"two\""]);
    /// });
    /// ```
    ///
    /// # Panics
    /// If `coerce` returns anything but the object itself: a part of it (a field), another
    /// object, or a value of another layout.
    pub fn unsize<U: ?Sized + ObjectType + 'gc>(
        this: Gc<'gc, T>,
        coerce: impl FnOnce(&'gc T) -> &'gc U,
    ) -> Gc<'gc, U> {
        let object = Gc::as_ref(this);
        let view = coerce(object);
        assert!(
            std::ptr::addr_eq(object, view)
                && size_of_val(object) == size_of_val(view)
                && object.object_layout() == view.object_layout(),
            "gcheap: Gc::unsize's closure must return the object itself, as a {}; it returned \
             something else (a field of the {}, or another object)",
            std::any::type_name::<U>(),
            std::any::type_name::<T>(),
        );
        // SAFETY: `view` is the object itself under another type: the same address, size and
        // layout (so the collector finds its header and scans it as it did through `this`, see
        // the module docs), and a reference valid for 'gc. Its provenance covers the payload
        // only, which is all a Gc reads through its pointer: the collector reads headers through
        // the allocator's slot pointer (`Marker::mark_object`, checkmark's `visit`).
        unsafe { Gc::from_ptr(NonNull::from(view)) }
    }
}

/// Heap objects that can be downcast: every `'static` [`ObjectType`] (types holding no `Gc`).
///
/// `Gc<'gc, dyn GcAny>` is what `Gc<dyn Any>` is to `Box<dyn Any>`: [`downcast`](Gc::downcast) gets the
/// concrete type back. A trait of the program's own with `GcAny` as a supertrait upcasts to it.
///
/// ```
/// use std::collections::VecDeque;
/// use gcheap_core::{Gc, GcAny, Heap, Rootable};
///
/// trait Native: GcAny {
///     fn name(&self) -> String;
/// }
/// impl Native for String {
///     fn name(&self) -> String {
///         format!("file {self}")
///     }
/// }
/// impl Native for VecDeque<u8> {
///     fn name(&self) -> String {
///         format!("a queue of {}", self.len())
///     }
/// }
///
/// let heap = Heap::default();
/// let mut m = heap.mutator::<Rootable![()]>(|_| ());
/// m.mutate(|mc, _| {
///     let native = Gc::unsize::<dyn Native>(Gc::new(mc, String::from("a.txt")), |f| f);
///     assert_eq!(native.name(), "file a.txt");
///     let any = Gc::unsize::<dyn GcAny>(native, |n| n);
///     assert!(any.downcast::<VecDeque<u8>>().is_none());
///     let file: Gc<String> = any.downcast().unwrap();
///     assert_eq!(*file, "a.txt");
/// });
/// ```
pub trait GcAny: ObjectType + Any {}

impl<T: ObjectType + Any> GcAny for T {}

macro_rules! downcast_impl {
    ($($bounds:tt)*) => {
        impl<'gc> Gc<'gc, dyn GcAny $($bounds)*> {
            /// The object as its concrete type `T`, if it is a `T`. A method, as `Box<dyn Any>`'s is
            /// (`dyn GcAny` has no method of that name for it to shadow).
            pub fn downcast<T: GcAny>(self) -> Option<Gc<'gc, T>> {
                let object = Gc::as_ref(self);
                let any: &'gc dyn Any = object;
                any.downcast_ref::<T>().map(|object| {
                    // SAFETY: the object is a `T` (its vtable says so), at this Gc's address, so
                    // the thin pointer is a Gc<T> to the same live object (its payload-only
                    // provenance suffices, as for `unsize`).
                    unsafe { Gc::from_ptr(NonNull::from(object)) }
                })
            }

            /// Whether the object is a `T`.
            pub fn is<T: GcAny>(self) -> bool {
                let object = Gc::as_ref(self);
                let any: &'gc dyn Any = object;
                any.is::<T>()
            }
        }
    };
}

downcast_impl!();
downcast_impl!(+ Send);
downcast_impl!(+ Send + Sync);
