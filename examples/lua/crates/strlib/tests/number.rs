//! Number parsing and conversions against lua5.4 (see tests/gen/number.lua),
//! plus hand-written checks of the `tostring` rules.

#[rustfmt::skip]
#[path = "cases/number_cases.rs"]
mod number_cases;

use gcheap_lua_strlib::number::{F2I, float_to_int_mode};
use gcheap_lua_strlib::{
    Number, float_ceil_to_int, float_floor_to_int, float_to_int, fmt_float, fmt_int, for_limit,
    math_ceil, math_floor, str_to_int_base, str_to_number,
};

/// Compare numbers bit-exactly (so -0.0 != 0.0 and NaN == NaN).
fn same(a: Option<Number>, b: Option<Number>) -> bool {
    match (a, b) {
        (Some(Number::Float(x)), Some(Number::Float(y))) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

#[test]
fn tonumber_matches_lua() {
    let mut failures = Vec::new();
    for &(s, want) in number_cases::TONUMBER {
        let got = str_to_number(s);
        if !same(got, want) {
            failures.push(format!(
                "{:?}: got {got:?} want {want:?}",
                String::from_utf8_lossy(s)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tonumber_with_base_matches_lua() {
    for &(s, base, want) in number_cases::TONUMBER_BASE {
        assert_eq!(
            str_to_int_base(s, base),
            want,
            "{:?} base {base}",
            String::from_utf8_lossy(s)
        );
    }
    assert_eq!(str_to_int_base(b"10", 1), None);
    assert_eq!(str_to_int_base(b"10", 37), None);
}

#[test]
fn float_to_int_matches_lua() {
    for &(bits, exact, floor, ceil, mfloor, mceil) in number_cases::FLOAT_TO_INT {
        let f = f64::from_bits(bits);
        assert_eq!(float_to_int(f), exact, "tointeger({f})");
        assert_eq!(float_to_int_mode(f, F2I::Eq), exact);
        assert_eq!(float_floor_to_int(f), floor, "floor({f})");
        assert_eq!(float_ceil_to_int(f), ceil, "ceil({f})");
        assert!(
            same(Some(math_floor(f)), mfloor),
            "math.floor({f}) = {:?}",
            math_floor(f)
        );
        assert!(
            same(Some(math_ceil(f)), mceil),
            "math.ceil({f}) = {:?}",
            math_ceil(f)
        );
    }
}

/// Run `for i = init, limit, step` the way Lua 5.4 does once `forlimit`
/// has produced an integer limit, counting at most 5 iterations.
fn iterations(init: i64, limit: f64, step: i64) -> usize {
    let Some(lim) = for_limit(init, Number::Float(limit), step) else {
        return 0;
    };
    let (mut i, mut n) = (init as i128, 0);
    while n < 5
        && if step > 0 {
            i <= lim as i128
        } else {
            i >= lim as i128
        }
    {
        n += 1;
        i += step as i128;
    }
    n
}

#[test]
fn for_loop_limits_match_lua() {
    for &(init, bits, step, want) in number_cases::FOR_LOOPS {
        let limit = f64::from_bits(bits);
        assert_eq!(
            iterations(init, limit, step),
            want,
            "for i = {init}, {limit}, {step}"
        );
    }
    assert_eq!(for_limit(1, Number::Int(3), 1), Some(3));
    assert_eq!(for_limit(4, Number::Int(3), 1), None);
    assert_eq!(for_limit(3, Number::Int(4), -1), None);
}

fn tostr(f: f64) -> String {
    String::from_utf8(fmt_float(f)).unwrap()
}

#[test]
fn tostring_examples_from_lua() {
    // All printed by lua5.4 -e 'print(...)'.
    assert_eq!(tostr(1.0), "1.0");
    assert_eq!(tostr(1e15), "1e+15");
    assert_eq!(tostr(1e100), "1e+100");
    assert_eq!(tostr(0.1), "0.1");
    assert_eq!(tostr(1.0 / 3.0), "0.33333333333333");
    assert_eq!(tostr(-0.0), "-0.0");
    assert_eq!(tostr(2f64.powi(53)), "9.007199254741e+15");
    assert_eq!(tostr(f64::INFINITY), "inf");
    assert_eq!(tostr(f64::NEG_INFINITY), "-inf");
    // x86-64's 0/0 has the sign bit set: Lua prints "-nan", and "nan" for -(0/0).
    assert_eq!(tostr(f64::from_bits(0xfff8000000000000)), "-nan");
    assert_eq!(tostr(f64::from_bits(0x7ff8000000000000)), "nan");
    assert_eq!(tostr(100.0), "100.0");
    assert_eq!(tostr(123456789012345.0), "1.2345678901234e+14");
    assert_eq!(tostr(1e14), "1e+14");
    assert_eq!(tostr(12345678901234.5), "12345678901234.0");
    assert_eq!(tostr(2f64.powi(63)), "9.2233720368548e+18");
    assert_eq!(tostr(5e-324), "4.9406564584125e-324");
    assert_eq!(tostr(1.7976931348623157e308), "1.7976931348623e+308");
    assert_eq!(tostr(1e-5), "1e-05");
    assert_eq!(tostr(std::f64::consts::PI), "3.1415926535898"); // print(math.pi)
    assert_eq!(fmt_int(i64::MIN), b"-9223372036854775808");
    assert_eq!(fmt_int(0), b"0");
}

#[test]
fn number_subtype_helpers() {
    assert_eq!(Number::Float(3.0).to_int(), Some(3));
    assert_eq!(Number::Float(3.5).to_int(), None);
    assert_eq!(Number::Int(7).to_float(), 7.0);
    assert_eq!(str_to_number(b"0x"), None);
    assert_eq!(str_to_number(b"1e"), None);
    assert_eq!(str_to_number(b"inf"), None);
    assert_eq!(str_to_number(b"nan"), None);
    assert_eq!(str_to_number(b".5"), Some(Number::Float(0.5)));
    assert_eq!(str_to_number(b"5."), Some(Number::Float(5.0)));
    assert_eq!(str_to_number(b"1\0"), None);
    assert_eq!(str_to_number(b"0x1.8p3"), Some(Number::Float(12.0)));
}
