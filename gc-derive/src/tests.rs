//! Unit tests of the derive's expansion: what it bounds, computes and refuses.

use super::*;

/// The derive's output (or error message) for `input`, as a string without spaces.
fn expand_str(input: DeriveInput) -> Result<String, String> {
    expand(&input)
        .map(|tokens| tokens.to_string().replace(' ', ""))
        .map_err(|e| e.to_string())
}

const GUARD: &str = "TraceTypesMustNotImplementDrop_UseTraceUnsafeDropToOptOut";

#[test]
fn bounds_only_type_parameters() {
    let out = expand_str(parse_quote! {
        struct Node<'gc, T: Clone, const N: usize> where T: Default {
            value: [T; N],
            next: Option<Box<Node<'gc, T, N>>>,
        }
    })
    .unwrap();
    assert!(out.contains("whereT:Default,T:::gcheap::Trace{"), "{out}");
    assert!(!out.contains("Option<Box<Node<'gc,T,N>>>:"), "{out}");
}

#[test]
fn needs_trace_ors_traced_fields() {
    let out = expand_str(parse_quote! {
        struct S { a: u8, #[trace(static)] b: String, c: Vec<u8> }
    })
    .unwrap();
    assert!(
        out.contains(
            "constNEEDS_TRACE:bool=false||<u8as::gcheap::Trace>::NEEDS_TRACE\
             ||<Vec<u8>as::gcheap::Trace>::NEEDS_TRACE;"
        ),
        "{out}"
    );
    assert!(out.contains("assert_static_send::<String>()"), "{out}");
    assert!(
        out.contains(
            "constHAS_CELLS:bool=false||<u8as::gcheap::Trace>::HAS_CELLS\
             ||<Vec<u8>as::gcheap::Trace>::HAS_CELLS;"
        ),
        "{out}"
    );
}

#[test]
fn self_referential_fields_count_as_traced() {
    let name: Ident = parse_quote!(List);
    assert!(mentions_self(&parse_quote!(Option<Box<List>>), &name));
    assert!(mentions_self(&parse_quote!(Vec<(u8, Box<Self>)>), &name));
    assert!(!mentions_self(&parse_quote!(Option<Box<Lists>>), &name));
    let out = expand_str(parse_quote! { struct List { next: Option<Box<List>> } }).unwrap();
    assert!(out.contains("NEEDS_TRACE:bool=false||true;"), "{out}");
}

#[test]
fn drop_guard_only_for_lifetime_or_type_parameters() {
    let guarded = |input: DeriveInput| expand_str(input).unwrap().contains(GUARD);
    assert!(guarded(parse_quote!(
        struct A<'gc>(&'gc u8);
    )));
    assert!(guarded(parse_quote!(
        enum B<T> {
            X(T),
        }
    )));
    assert!(!guarded(parse_quote!(
        struct C(u8);
    )));
    assert!(!guarded(parse_quote!(
        struct D<const N: usize>([u8; N]);
    )));
    assert!(!guarded(parse_quote!(
        #[trace(unsafe_drop)]
        struct E<T>(T);
    )));
    assert!(!guarded(parse_quote!(
        #[trace(static)]
        struct F<T>(T);
    )));
}

#[test]
fn static_container_traces_nothing() {
    let out = expand_str(parse_quote! {
        #[trace(static, unsafe_drop)]
        struct S<T: Send + 'static> { rc: T }
    })
    .unwrap();
    assert!(out.contains("NEEDS_TRACE:bool=false;"), "{out}");
    assert!(out.contains("assert_static_send::<Self>()"), "{out}");
    assert!(!out.contains("T:::gcheap::Trace"), "{out}");
}

#[test]
fn rejects_bad_input() {
    let err = |input: DeriveInput| expand_str(input).unwrap_err();
    assert!(err(parse_quote!(union U { a: u8 })).contains("does not support unions"));
    assert!(
        err(parse_quote!(
            #[trace(skip)]
            struct S;
        ))
        .contains("unknown `trace` argument `skip`; expected `static` or `unsafe_drop`")
    );
    assert!(
        err(parse_quote!(
            struct S {
                #[trace(unsafe_drop)]
                a: u8,
            }
        ))
        .contains("applies to the whole type")
    );
    assert!(
        err(parse_quote!(
            #[trace(static, static)]
            struct S;
        ))
        .contains("duplicate")
    );
    assert!(
        err(parse_quote!(
            enum E {
                #[trace(static)]
                A,
            }
        ))
        .contains("enum variants")
    );
}
