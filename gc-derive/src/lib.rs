//! # gcheap-derive
//!
//! `#[derive(Trace)]` for gcheap: writes the `unsafe impl Trace` that tells the collector where a
//! type keeps its Gc pointers.
//!
//! A hand-written `Trace` impl is a soundness hazard: forget one field and the collector frees an
//! object that is still reachable. The derive removes that hazard by construction. It traces every
//! field, and it computes `NEEDS_TRACE` as the OR of the fields' `NEEDS_TRACE`, so a type built
//! only from plain data is known at compile time to hold no Gc pointer and is allocated in a
//! span the collector never scans.
//!
//! Three design points shape the generated code:
//!
//! * **Only type parameters are bounded.** The impl gets `T: Trace` for each type parameter `T`,
//!   never `FieldType: Trace` for each field ("perfect derive"): a bound on a field type of a
//!   recursive type such as `struct Node<'gc> { next: Option<Gc<'gc, Node<'gc>>> }` asks the
//!   compiler to prove `Node: Trace` in order to prove `Node: Trace`, and it overflows. A field
//!   whose type is not `Trace` still fails to compile, with the error at that field, because the
//!   per-field code carries the field type's span.
//! * **`#[trace(static)]` skips a field, checked.** A field that is `Send + 'static` cannot hold a
//!   `Gc<'gc, _>`, so it need not be traced; the derive emits an assertion of exactly that, so
//!   skipping never hides a Gc pointer and never lets a `!Send` value (an `Rc`) be dropped on a
//!   sweeping thread.
//! * **Traced types may not implement `Drop`.** A sweep frees dead objects in no particular order,
//!   so a `Drop` that follows a Gc pointer could read a neighbour freed a moment earlier. Only a
//!   type with generic parameters can hold a `Gc<'gc, _>` (the pointer carries the `'gc` lifetime
//!   of its mutator, which is never `'static`), so for those the derive makes a `Drop` impl a
//!   compile error, using two overlapping impls of a local marker trait. Types without generic
//!   parameters hold no Gc pointer and may implement `Drop` freely, but they must be `Send`
//!   (checked): their drop runs on whichever thread sweeps them. `#[trace(unsafe_drop)]` lifts
//!   the `Drop` check for a type whose `Drop` the author has checked by hand.
//!
//! One more detail: `NEEDS_TRACE` of a recursive type such as `struct List { next:
//! Option<Box<List>> }` would be defined in terms of itself, which the compiler rejects as a cycle
//! in constant evaluation. A field whose type names the deriving type (or `Self`) therefore
//! contributes `true` instead: always sound, since tracing a value with no Gc pointers only costs
//! time. Mutually recursive types (`A` holds `Box<B>`, `B` holds `Box<A>`) are not detected and
//! still hit the cycle error; give one of them a hand-written `NEEDS_TRACE = true`.
//!
//! All generated paths go through the facade crate, `::gcheap::Trace`, `::gcheap::Tracer` and
//! `::gcheap::__private`; gcheap-core declares `extern crate self as gcheap;` so the derive works
//! inside it too.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Field, Fields, GenericParam, Generics, Ident, Index, Type,
    WhereClause, parse_macro_input, parse_quote,
};

/// Derives `gcheap::Trace`: traces every field, and sets `NEEDS_TRACE` to whether any field can
/// hold a Gc pointer.
///
/// Works on structs (named, tuple and unit) and enums (every variant shape); unions are rejected.
/// Each type parameter `T` gets a `T: Trace` bound on the impl; field types are not bounded, so
/// recursive types work.
///
/// ```ignore
/// use gcheap::{Gc, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc, T> {
///     value: T,
///     next: Option<Gc<'gc, Node<'gc, T>>>,
///     #[trace(static)]
///     name: String,
/// }
/// ```
///
/// # Attributes
///
/// * `#[trace(static)]` on a field: the field is not traced and does not count towards
///   `NEEDS_TRACE`. Its type must be `Send + 'static` (checked at compile time, with the error at
///   the field): such a value cannot hold a `Gc<'gc, _>`, and it may be dropped on whichever
///   thread sweeps it.
/// * `#[trace(static)]` on the type: nothing is traced, `NEEDS_TRACE` is `false`, and the type
///   itself must be `Send + 'static`. Type parameters get no `Trace` bound, and the `Drop` check
///   below does not apply (a `'static` value holds no Gc pointer for its `Drop` to follow).
/// * `#[trace(unsafe_drop)]` on the type: allows a `Drop` impl on a generic type (see below). The
///   author promises that the `Drop` never reads another heap object through a Gc pointer: in a
///   sweep, that object may already be freed.
///
/// Both may be given together (`#[trace(static, unsafe_drop)]`) or in separate attributes; any
/// other argument is a compile error.
///
/// # `Drop`
///
/// A type with a lifetime or type parameter can hold Gc pointers, and the collector drops dead
/// objects in no particular order, so a `Drop` impl on such a type is a compile error
/// ("conflicting implementations of trait
/// `TraceTypesMustNotImplementDrop_UseTraceUnsafeDropToOptOut`") unless the type carries
/// `#[trace(unsafe_drop)]`. A type without lifetime or type parameters cannot hold a
/// `Gc<'gc, _>` and may implement `Drop`.
#[proc_macro_derive(Trace, attributes(trace))]
pub fn derive_trace(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The `#[trace(...)]` arguments given on the type itself.
#[derive(Default)]
struct ContainerAttrs {
    /// `#[trace(static)]`: trace nothing, assert `Self: Send + 'static`.
    is_static: bool,
    /// `#[trace(unsafe_drop)]`: do not forbid `Drop`.
    unsafe_drop: bool,
}

/// One field, with what the derive needs to know about it.
struct FieldInfo<'a> {
    /// The field as written.
    field: &'a Field,
    /// `#[trace(static)]` on the field: skip it and assert its type is `Send + 'static`.
    is_static: bool,
}

/// The derive's output: the `Trace` impl and, where it applies, the `Drop` guard. Reports every
/// attribute error at once.
fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let (container, shape) = match (parse_container_attrs(&input.attrs), parse_shape(input)) {
        (Ok(container), Ok(shape)) => (container, shape),
        (Err(mut e), Err(more)) => {
            e.combine(more);
            return Err(e);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };

    let name = &input.ident;
    let impl_where = where_clause_with_bounds(&input.generics, &container);
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();

    let (needs_trace, has_cells, body) = if container.is_static {
        (quote!(false), quote!(false), static_container_body(name))
    } else {
        (
            needs_trace_expr(name, &shape),
            has_cells_expr(&shape),
            trace_body(&shape),
        )
    };
    let drop_guard = drop_guard(input, &container);

    Ok(quote! {
        #[automatically_derived]
        unsafe impl #impl_generics ::gcheap::Trace for #name #ty_generics #impl_where {
            const NEEDS_TRACE: bool = #needs_trace;
            const HAS_CELLS: bool = #has_cells;

            #[inline]
            #body
        }

        #drop_guard
    })
}

/// The fields of a struct, or of each variant of an enum.
enum Shape<'a> {
    Struct(Vec<FieldInfo<'a>>),
    Enum(Vec<(&'a syn::Variant, Vec<FieldInfo<'a>>)>),
}

impl Shape<'_> {
    /// Every field of the type, across all variants.
    fn all_fields(&self) -> Box<dyn Iterator<Item = &FieldInfo<'_>> + '_> {
        match self {
            Shape::Struct(fields) => Box::new(fields.iter()),
            Shape::Enum(variants) => Box::new(variants.iter().flat_map(|(_, f)| f.iter())),
        }
    }
}

/// Reads the struct or enum's fields and their attributes; rejects unions and `#[trace]` on enum
/// variants. Collects every attribute error rather than stopping at the first.
fn parse_shape(input: &DeriveInput) -> syn::Result<Shape<'_>> {
    let mut errors = Vec::new();
    let shape = match &input.data {
        Data::Struct(data) => Shape::Struct(field_infos(&data.fields, &mut errors)),
        Data::Enum(data) => Shape::Enum(
            data.variants
                .iter()
                .map(|variant| {
                    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("trace")) {
                        errors.push(syn::Error::new_spanned(
                            attr,
                            "`#[trace(...)]` is not supported on enum variants; \
                             put `#[trace(static)]` on the variant's fields instead",
                        ));
                    }
                    (variant, field_infos(&variant.fields, &mut errors))
                })
                .collect(),
        ),
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span,
                "`#[derive(Trace)]` does not support unions: the collector cannot know which \
                 field is active. Implement `Trace` by hand, or use an enum.",
            ));
        }
    };
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(e) => Err(e),
        None => Ok(shape),
    }
}

/// Parses each field's attributes; pushes errors to `errors` and treats a bad field as traced.
fn field_infos<'a>(fields: &'a Fields, errors: &mut Vec<syn::Error>) -> Vec<FieldInfo<'a>> {
    fields
        .iter()
        .map(|field| {
            let is_static = parse_field_attrs(&field.attrs).unwrap_or_else(|e| {
                errors.push(e);
                false
            });
            FieldInfo { field, is_static }
        })
        .collect()
}

/// Parses the type's `#[trace(...)]` attributes: `static` and `unsafe_drop`, in any combination
/// and spread over any number of attributes, each at most once.
fn parse_container_attrs(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("trace")) {
        attr.parse_nested_meta(|meta| {
            let flag = if meta.path.is_ident("static") {
                &mut out.is_static
            } else if meta.path.is_ident("unsafe_drop") {
                &mut out.unsafe_drop
            } else {
                return Err(meta.error(format!(
                    "unknown `trace` argument `{}`; expected `static` or `unsafe_drop`",
                    path_to_string(&meta.path),
                )));
            };
            if std::mem::replace(flag, true) {
                return Err(meta.error("duplicate `trace` argument"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// Parses a field's `#[trace(...)]` attributes: only `static` is allowed; returns whether it was
/// given.
fn parse_field_attrs(attrs: &[Attribute]) -> syn::Result<bool> {
    let mut is_static = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("trace")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("static") {
                if std::mem::replace(&mut is_static, true) {
                    return Err(meta.error("duplicate `trace` argument"));
                }
                Ok(())
            } else if meta.path.is_ident("unsafe_drop") {
                Err(meta.error(
                    "`unsafe_drop` applies to the whole type: put `#[trace(unsafe_drop)]` \
                     on the struct or enum, not on a field",
                ))
            } else {
                Err(meta.error(format!(
                    "unknown `trace` argument `{}` on a field; expected `static` \
                     (`unsafe_drop` goes on the type)",
                    path_to_string(&meta.path),
                )))
            }
        })?;
    }
    Ok(is_static)
}

/// `a::b` for an attribute argument's path (keywords such as `static` included).
fn path_to_string(path: &syn::Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

/// The impl's where clause: the type's own predicates plus `T: ::gcheap::Trace` for each type
/// parameter `T` (none for a `#[trace(static)]` type, which traces nothing). Field types are
/// deliberately not bounded; see the crate docs.
fn where_clause_with_bounds(
    generics: &Generics,
    container: &ContainerAttrs,
) -> Option<WhereClause> {
    let mut generics = generics.clone();
    if !container.is_static {
        let params: Vec<Ident> = generics.type_params().map(|p| p.ident.clone()).collect();
        let where_clause = generics.make_where_clause();
        for param in params {
            where_clause
                .predicates
                .push(parse_quote!(#param: ::gcheap::Trace));
        }
    }
    generics.where_clause
}

/// `NEEDS_TRACE`: `false || <F as Trace>::NEEDS_TRACE || ...` over the traced fields. A field
/// whose type mentions the type itself contributes `true` (see the crate docs on recursion).
fn needs_trace_expr(name: &Ident, shape: &Shape<'_>) -> TokenStream2 {
    let terms = shape.all_fields().filter(|f| !f.is_static).map(|f| {
        let ty = &f.field.ty;
        if mentions_self(ty, name) {
            quote_spanned!(ty.span()=> true)
        } else {
            quote_spanned!(ty.span()=> <#ty as ::gcheap::Trace>::NEEDS_TRACE)
        }
    });
    quote!(false #(|| #terms)*)
}

/// `HAS_CELLS`: `false || <F as Trace>::HAS_CELLS || ...` over the traced fields. Recursive
/// fields need no special case: recursion goes through a pointer (`Box`, `Vec`, `Gc`, ...), whose
/// `HAS_CELLS` is the constant `false`, so the definition never refers to itself.
fn has_cells_expr(shape: &Shape<'_>) -> TokenStream2 {
    let terms = shape.all_fields().filter(|f| !f.is_static).map(|f| {
        let ty = &f.field.ty;
        quote_spanned!(ty.span()=> <#ty as ::gcheap::Trace>::HAS_CELLS)
    });
    quote!(false #(|| #terms)*)
}

/// Whether `ty` names the deriving type (`name`) or `Self` anywhere, e.g. `Option<Box<Self>>`.
fn mentions_self(ty: &Type, name: &Ident) -> bool {
    fn walk(tokens: TokenStream2, name: &Ident) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(ident) => ident == *name || ident == "Self",
            TokenTree::Group(group) => walk(group.stream(), name),
            _ => false,
        })
    }
    walk(quote!(#ty), name)
}

/// The `trace` method of a type without `#[trace(static)]`: traces each traced field and asserts
/// `Send + 'static` for each `#[trace(static)]` field.
fn trace_body(shape: &Shape<'_>) -> TokenStream2 {
    let any_traced = shape.all_fields().any(|f| !f.is_static);
    let tracer = if any_traced {
        Ident::new("tracer", Span::call_site())
    } else {
        Ident::new("_tracer", Span::call_site())
    };
    let static_asserts = shape
        .all_fields()
        .filter(|f| f.is_static)
        .map(|f| assert_static_send(&f.field.ty));

    let visit = match shape {
        Shape::Struct(fields) => {
            let calls = fields
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.is_static)
                .map(|(i, f)| {
                    let member = match &f.field.ident {
                        Some(ident) => quote!(#ident),
                        None => {
                            let index = Index::from(i);
                            quote!(#index)
                        }
                    };
                    trace_call(&tracer, &f.field.ty, quote!(&self.#member))
                });
            quote!(#(#calls)*)
        }
        Shape::Enum(variants) if variants.is_empty() => quote!(match *self {}),
        Shape::Enum(variants) => {
            let arms = variants
                .iter()
                .map(|(variant, fields)| variant_arm(&tracer, variant, fields));
            quote!(match self { #(#arms)* })
        }
    };

    quote! {
        fn trace(&self, #tracer: &mut ::gcheap::Tracer<'_>) {
            #(#static_asserts)*
            #visit
        }
    }
}

/// One `match` arm for an enum variant: binds the traced fields and traces them.
fn variant_arm(tracer: &Ident, variant: &syn::Variant, fields: &[FieldInfo<'_>]) -> TokenStream2 {
    let ident = &variant.ident;
    let binding = |i: usize| format_ident!("__gcheap_field_{}", i);
    let calls = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.is_static)
        .map(|(i, f)| {
            let b = binding(i);
            trace_call(tracer, &f.field.ty, quote!(#b))
        });
    let pattern = match &variant.fields {
        Fields::Named(_) => {
            let pats = fields.iter().enumerate().map(|(i, f)| {
                let name = &f.field.ident;
                if f.is_static {
                    quote!(#name: _)
                } else {
                    let b = binding(i);
                    quote!(#name: #b)
                }
            });
            quote!(Self::#ident { #(#pats),* })
        }
        Fields::Unnamed(_) => {
            let pats = fields.iter().enumerate().map(|(i, f)| {
                if f.is_static {
                    quote!(_)
                } else {
                    let b = binding(i);
                    quote!(#b)
                }
            });
            quote!(Self::#ident( #(#pats),* ))
        }
        Fields::Unit => quote!(Self::#ident),
    };
    quote!(#pattern => { #(#calls)* })
}

/// `::gcheap::Tracer::trace::<F>(tracer, <place>)`, spanned at the field type `F` so that a type
/// that is not `Trace` is reported at the field.
fn trace_call(tracer: &Ident, ty: &Type, place: TokenStream2) -> TokenStream2 {
    quote_spanned! {ty.span()=>
        ::gcheap::Tracer::trace::<#ty>(#tracer, #place);
    }
}

/// `assert_static_send::<F>()`, spanned at the field's type so that a field type that is not
/// `Send + 'static` is reported at the field. It sits in `trace`'s body, so it is checked in the
/// impl's generic context.
fn assert_static_send(ty: &Type) -> TokenStream2 {
    quote_spanned! {ty.span()=>
        ::gcheap::__private::assert_static_send::<#ty>();
    }
}

/// The `trace` method of a `#[trace(static)]` type: does nothing, and asserts
/// `Self: Send + 'static` (an error is reported at the type's name).
fn static_container_body(name: &Ident) -> TokenStream2 {
    let assert = quote_spanned! {name.span()=>
        ::gcheap::__private::assert_static_send::<Self>();
    };
    quote! {
        fn trace(&self, _tracer: &mut ::gcheap::Tracer<'_>) {
            #assert
        }
    }
}

/// For a type with lifetime or type parameters (which can hold Gc pointers), makes a `Drop` impl
/// a compile error: a local marker trait is implemented both for every `Drop` type and for this
/// type, and the two impls conflict exactly when this type is `Drop`. Nothing is emitted for
/// `#[trace(static)]` or `#[trace(unsafe_drop)]` types. For a type without such parameters it
/// asserts instead that the type is `Send`: it may implement `Drop`, and its drop runs on the
/// sweeping thread.
fn drop_guard(input: &DeriveInput, container: &ContainerAttrs) -> TokenStream2 {
    let can_hold_gc = input
        .generics
        .params
        .iter()
        .any(|p| matches!(p, GenericParam::Lifetime(_) | GenericParam::Type(_)));
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    if !can_hold_gc && !container.is_static {
        // A type without parameters is `'static`: its drop glue (a `Drop` impl included) runs
        // on whichever thread sweeps it, so it must be `Send`. (`#[trace(static)]` types assert
        // `Send + 'static` in their `trace` already.)
        return quote_spanned! {name.span()=>
            const _: () = {
                #[allow(dead_code)]
                fn dropped_on_any_thread #impl_generics () #where_clause {
                    ::gcheap::__private::assert_drops_on_any_thread::<#name #ty_generics>();
                }
            };
        };
    }
    if !can_hold_gc || container.is_static || container.unsafe_drop {
        return TokenStream2::new();
    }
    let guard = Ident::new(
        "TraceTypesMustNotImplementDrop_UseTraceUnsafeDropToOptOut",
        name.span(),
    );
    quote_spanned! {name.span()=>
        const _: () = {
            /// `#[derive(Trace)]` forbids `Drop` on types that can hold Gc pointers: a sweep drops
            /// dead objects in no particular order, so a `Drop` could read a freed neighbour. If
            /// this type's `Drop` never reads another heap object, add `#[trace(unsafe_drop)]`.
            #[allow(non_camel_case_types, dead_code)]
            trait #guard {}
            #[allow(drop_bounds)]
            impl<T: ::core::ops::Drop + ?Sized> #guard for T {}
            impl #impl_generics #guard for #name #ty_generics #where_clause {}
        };
    }
}

#[cfg(test)]
mod tests;
