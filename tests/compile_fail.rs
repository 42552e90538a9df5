//! Misuses of the API and of `#[derive(Trace)]` that must not compile, with the errors users see.
//!
//! The `pass` cases make trybuild build (not just check) every case, so errors raised when a
//! generic is instantiated (a barrier cell inside a `Vec` of a heap object) are caught too.

#[test]
#[cfg_attr(miri, ignore)] // runs the compiler
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
