//! `#[derive(Trace)]`: `NEEDS_TRACE` for many type shapes, and proof that the derive compiles for
//! lifetimes, where clauses, const generics, every enum variant shape and recursive types.
//!
//! A [`Tracer`] is only made by the collector, so these tests check the compile-time side of the
//! derive; the heap tests exercise `trace` itself.

#![allow(dead_code)] // many types exist only to show that the derive compiles for them

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::Arc;

use gcheap::{Gc, GcCell, Trace, Tracer};

thread_local! {
    /// How many times a [`Probe`] has been traced on this thread.
    static PROBES_TRACED: Cell<usize> = const { Cell::new(0) };
}

/// Stands in for a Gc pointer: `NEEDS_TRACE` is true, and tracing it counts a visit.
struct Probe;

// SAFETY: holds no Gc pointers (claiming it might is always sound).
unsafe impl Trace for Probe {
    const NEEDS_TRACE: bool = true;
    fn trace(&self, _tracer: &mut Tracer<'_>) {
        PROBES_TRACED.with(|n| n.set(n.get() + 1));
    }
}

/// Compiles only if `T: Trace`.
fn needs_trace<T: Trace + ?Sized>() -> bool {
    T::NEEDS_TRACE
}

#[derive(Trace)]
struct Plain {
    a: u8,
    b: String,
    c: Vec<u64>,
    d: Option<(i32, char)>,
}

#[derive(Trace)]
struct WithStatic {
    #[trace(static)]
    name: String,
    #[trace(static)]
    shared: Arc<str>, // not `Trace`, but `Send + 'static`: skipping it is fine
    #[trace(static)]
    probe: Probe, // skipped, so it does not count
    n: u32,
}

#[derive(Trace)]
struct HasProbe {
    n: u32,
    probe: Probe,
}

#[derive(Trace)]
struct Wrap<T>(T);

#[derive(Trace)]
struct Unit;

#[derive(Trace)]
struct EmptyNamed {}

#[derive(Trace)]
struct EmptyTuple();

#[derive(Trace)]
struct Tuple(u8, #[trace(static)] String, Probe);

#[derive(Trace)]
struct Nested {
    inner: Wrap<Plain>,
    list: Vec<Wrap<u8>>,
}

#[derive(Trace)]
struct NestedProbe {
    inner: Option<Box<Wrap<HasProbe>>>,
}

#[derive(Trace)]
enum Shapes {
    Unit,
    Tuple(u8, String),
    Named {
        a: u64,
        b: Vec<char>,
    },
    StaticFields(#[trace(static)] Arc<u8>, u8),
    StaticNamed {
        #[trace(static)]
        shared: Arc<u8>,
        n: u8,
    },
}

#[derive(Trace)]
enum ShapesProbe {
    Unit,
    Tuple(u8, #[trace(static)] Probe),
    Named {
        #[trace(static)]
        skipped: Probe,
        traced: Probe,
    },
}

#[derive(Trace)]
enum Either<L, R> {
    Left(L),
    Right(R),
}

#[derive(Trace)]
enum Never {}

/// Lifetime and type parameters, as a type holding `Gc<'gc, _>` would have.
#[derive(Trace)]
struct WithLifetime<'gc, T> {
    value: T,
    marker: PhantomData<&'gc ()>,
}

#[derive(Trace)]
struct WhereClause<T>
where
    T: Clone + Default,
{
    values: Vec<T>,
}

#[derive(Trace)]
struct Bounded<'a, T: Clone + 'a, U: ?Sized>
where
    U: Trace,
{
    t: Option<T>,
    u: Box<U>,
    marker: PhantomData<&'a T>,
}

#[derive(Trace)]
struct ConstGeneric<T, const N: usize> {
    items: [T; N],
}

#[derive(Trace)]
struct DefaultParam<T = u8> {
    value: T,
}

#[derive(Trace)]
struct RawIdent {
    r#type: u8,
    r#match: Probe,
}

/// A static field of a type parameter: the parameter must be `Send + 'static`.
#[derive(Trace)]
struct StaticParam<T: Send + 'static> {
    #[trace(static)]
    value: T,
}

/// Recursive through `Box`: `NEEDS_TRACE` is conservatively true instead of a const cycle.
#[derive(Trace)]
struct List {
    value: u8,
    next: Option<Box<List>>,
}

#[derive(Trace)]
enum Tree {
    Leaf(u8),
    Node(Box<Self>, Box<Self>),
}

#[derive(Trace)]
struct GenericList<'gc, T> {
    value: T,
    next: Option<Box<GenericList<'gc, T>>>,
    marker: PhantomData<&'gc ()>,
}

/// Recursive through `Gc`, the case a bound on field types would overflow on.
#[derive(Trace)]
struct GcNode<'gc> {
    value: i64,
    next: Option<Gc<'gc, GcNode<'gc>>>,
    children: GcCell<'gc, Vec<Gc<'gc, GcNode<'gc>>>>,
}

/// Holds Gc pointers to other types only.
#[derive(Trace)]
enum GcValue<'gc, T> {
    Int(i64),
    Boxed(Gc<'gc, u64>),
    Text(Gc<'gc, str>),
    Other(Option<Gc<'gc, T>>),
}

/// A generic type may implement `Drop` once it opts out of the check.
#[derive(Trace)]
#[trace(unsafe_drop)]
struct DropsGeneric<'gc, T> {
    value: T,
    marker: PhantomData<&'gc ()>,
}

impl<T> Drop for DropsGeneric<'_, T> {
    fn drop(&mut self) {}
}

/// A type without lifetime or type parameters cannot hold a Gc pointer and may implement `Drop`.
#[derive(Trace)]
struct DropsPlain {
    value: u64,
    probe: Probe,
}

impl Drop for DropsPlain {
    fn drop(&mut self) {}
}

/// Const parameters alone cannot hold a Gc pointer either.
#[derive(Trace)]
struct DropsConst<const N: usize> {
    values: [u8; N],
}

impl<const N: usize> Drop for DropsConst<N> {
    fn drop(&mut self) {}
}

/// A `'static` type: nothing is traced, fields need not be `Trace`, `Drop` is allowed.
#[derive(Trace)]
#[trace(static)]
struct StaticType {
    shared: Arc<u8>,
    probe: Probe,
}

impl Drop for StaticType {
    fn drop(&mut self) {}
}

/// A generic `'static` type: parameters get no `Trace` bound, only `Send + 'static`.
#[derive(Trace)]
#[trace(static)]
struct StaticGeneric<T: Send + 'static>(T);

impl<T: Send + 'static> Drop for StaticGeneric<T> {
    fn drop(&mut self) {}
}

#[derive(Trace)]
#[trace(static, unsafe_drop)]
enum StaticAndUnsafeDrop {
    A(Arc<u8>),
}

#[derive(Trace)]
#[trace(static)]
#[trace(unsafe_drop)]
struct SeparateAttributes<T: Send + 'static>(T);

#[derive(Trace)]
#[trace(unsafe_drop)]
struct UnsafeDropNonGeneric(u8);

// The constants are usable in const context.
const _: () = assert!(!Plain::NEEDS_TRACE);
const _: () = assert!(HasProbe::NEEDS_TRACE);

#[test]
fn primitive_fields_need_no_trace() {
    assert!(!needs_trace::<Plain>());
    assert!(!needs_trace::<Unit>());
    assert!(!needs_trace::<EmptyNamed>());
    assert!(!needs_trace::<EmptyTuple>());
    assert!(!needs_trace::<Nested>());
    assert!(!needs_trace::<Shapes>());
    assert!(!needs_trace::<Never>());
}

#[test]
fn static_fields_are_skipped() {
    assert!(!needs_trace::<WithStatic>());
    assert!(!needs_trace::<StaticParam<Probe>>());
}

#[test]
fn traced_fields_count() {
    assert!(needs_trace::<HasProbe>());
    assert!(needs_trace::<Tuple>());
    assert!(needs_trace::<NestedProbe>());
    assert!(needs_trace::<ShapesProbe>());
    assert!(needs_trace::<RawIdent>());
    assert!(needs_trace::<DropsPlain>());
}

#[test]
fn generic_types_follow_their_parameters() {
    assert!(!needs_trace::<Wrap<u8>>());
    assert!(needs_trace::<Wrap<Probe>>());
    assert!(!needs_trace::<Either<u8, String>>());
    assert!(needs_trace::<Either<u8, Probe>>());
    assert!(needs_trace::<Either<Probe, u8>>());
    assert!(!needs_trace::<WithLifetime<'static, u32>>());
    assert!(needs_trace::<WithLifetime<'static, Probe>>());
    assert!(!needs_trace::<WhereClause<u8>>());
    assert!(!needs_trace::<Bounded<'static, u8, str>>());
    assert!(needs_trace::<Bounded<'static, u8, [Probe]>>());
    assert!(!needs_trace::<ConstGeneric<u8, 4>>());
    assert!(needs_trace::<ConstGeneric<Probe, 0>>());
    assert!(!needs_trace::<DefaultParam<u8>>());
    assert!(needs_trace::<DefaultParam<Probe>>());
    assert!(!needs_trace::<DropsGeneric<'static, u8>>());
    assert!(needs_trace::<DropsGeneric<'static, Probe>>());
    assert!(!needs_trace::<DropsConst<3>>());
}

#[test]
fn recursive_types_are_conservatively_traced() {
    assert!(needs_trace::<List>());
    assert!(needs_trace::<Tree>());
    assert!(needs_trace::<GenericList<'static, u8>>());
    assert!(needs_trace::<GcNode<'static>>());
}

#[test]
fn gc_pointers_need_trace() {
    assert!(needs_trace::<Gc<'static, u64>>());
    assert!(needs_trace::<GcValue<'static, u8>>());
    assert!(needs_trace::<GcValue<'static, Plain>>());
}

#[test]
fn static_types_need_no_trace() {
    assert!(!needs_trace::<StaticType>());
    assert!(!needs_trace::<StaticGeneric<Probe>>());
    assert!(!needs_trace::<StaticGeneric<Arc<u8>>>());
    assert!(!needs_trace::<StaticAndUnsafeDrop>());
    assert!(!needs_trace::<SeparateAttributes<Probe>>());
    assert!(!needs_trace::<UnsafeDropNonGeneric>());
}

#[test]
fn derived_types_implement_trace() {
    // Each call compiles only if the type is `Trace` with these arguments.
    let _ = (
        needs_trace::<Wrap<Wrap<Plain>>>(),
        needs_trace::<Vec<Either<List, Tree>>>(),
        needs_trace::<Option<Box<Shapes>>>(),
        needs_trace::<[ShapesProbe]>(),
        needs_trace::<(StaticType, DropsPlain)>(),
    );
    // Derived values are ordinary values; building a few keeps every field in use.
    let list = List {
        value: 1,
        next: Some(Box::new(List {
            value: 2,
            next: None,
        })),
    };
    assert_eq!(list.next.as_ref().map(|n| n.value), Some(2));
    let _ = (
        Plain {
            a: 0,
            b: String::new(),
            c: vec![],
            d: None,
        },
        WithStatic {
            name: String::new(),
            shared: Arc::from(""),
            probe: Probe,
            n: 0,
        },
        Tuple(0, String::new(), Probe),
        Tree::Node(Box::new(Tree::Leaf(0)), Box::new(Tree::Leaf(1))),
        RawIdent {
            r#type: 0,
            r#match: Probe,
        },
        DropsPlain {
            value: 0,
            probe: Probe,
        },
        StaticType {
            shared: Arc::new(0),
            probe: Probe,
        },
    );
}
