//! The printf engine and `tostring` of floats against a grid of values x
//! conversions recorded from lua5.4 (see tests/gen/printf.lua).

#[rustfmt::skip]
#[path = "cases/printf_grid.rs"]
mod printf_grid;

use gcheap_lua_strlib::{Arg, fmt_float, format};

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn float_conversions_match_glibc() {
    let mut failures = Vec::new();
    for &(fmt, bits, want) in printf_grid::FLOAT_CASES {
        let x = f64::from_bits(bits);
        let got = format(fmt, [Arg::Float(x)].as_mut_slice()).unwrap();
        if got != want {
            failures.push(format!(
                "{} of {x:e} ({bits:#x}): got {:?} want {:?}",
                show(fmt),
                show(&got),
                show(want)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        printf_grid::FLOAT_CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn tostring_of_floats() {
    let mut failures = Vec::new();
    for &(bits, want) in printf_grid::TOSTRING_CASES {
        let got = fmt_float(f64::from_bits(bits));
        if got != want {
            failures.push(format!(
                "{bits:#x}: got {:?} want {:?}",
                show(&got),
                show(want)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn integer_conversions_match_glibc() {
    let mut failures = Vec::new();
    for &(fmt, n, want) in printf_grid::INT_CASES {
        let got = format(fmt, [Arg::Int(n)].as_mut_slice()).unwrap();
        if got != want {
            failures.push(format!(
                "{} of {n}: got {:?} want {:?}",
                show(fmt),
                show(&got),
                show(want)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        printf_grid::INT_CASES.len(),
        failures.join("\n")
    );
}
