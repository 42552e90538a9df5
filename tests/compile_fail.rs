//! Misuses of `#[derive(Trace)]` that must not compile, with the errors users see.

#[test]
#[cfg_attr(miri, ignore)] // runs the compiler
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
