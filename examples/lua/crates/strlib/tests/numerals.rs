//! Numerals as the lexer reads them (the text of a numeral, no sign or spaces), through the same
//! `str_to_number` that `tonumber` uses: Lua's `luaO_str2num` serves both.

use gcheap_lua_strlib::{Number, str_to_number};

fn num(s: &str) -> Option<Number> {
    str_to_number(s.as_bytes())
}

#[test]
fn integers_and_overflow() {
    assert_eq!(num("0"), Some(Number::Int(0)));
    assert_eq!(num("9223372036854775807"), Some(Number::Int(i64::MAX)));
    assert_eq!(
        num("9223372036854775808"),
        Some(Number::Float(9223372036854775808.0))
    );
    assert_eq!(num("0xff"), Some(Number::Int(255)));
    assert_eq!(num("0xffffffffffffffffff"), Some(Number::Int(-1)));
    assert_eq!(num("0x7fffffffffffffff1"), Some(Number::Int(-15)));
}

#[test]
fn hex_floats() {
    assert_eq!(num("0x1p4"), Some(Number::Float(16.0)));
    assert_eq!(num("0x.8"), Some(Number::Float(0.5)));
    assert_eq!(num("0xA.8p0"), Some(Number::Float(10.5)));
    assert_eq!(num("0x1P-2"), Some(Number::Float(0.25)));
    assert_eq!(num("0x.1"), Some(Number::Float(0.0625)));
    assert_eq!(num("0x1p-1074"), Some(Number::Float(f64::from_bits(1))));
    assert_eq!(num("0x1p-1075"), Some(Number::Float(0.0)));
    assert_eq!(num("0x1p1024"), Some(Number::Float(f64::INFINITY)));
    assert_eq!(num("0x1.fffffffffffff8p0"), Some(Number::Float(2.0)));
    assert_eq!(
        num("0x1.fffffffffffff7ffffp0"),
        Some(Number::Float(f64::from_bits(0x3fff_ffff_ffff_ffff)))
    );
    assert_eq!(
        num("0x10000000000000000000"),
        Some(Number::Int(0)) // hex integers wrap
    );
    assert_eq!(
        num("0x10000000000000000000.0"),
        Some(Number::Float(2f64.powi(76)))
    );
}

#[test]
fn decimal_floats() {
    assert_eq!(num("1e10"), Some(Number::Float(1e10)));
    assert_eq!(num(".5"), Some(Number::Float(0.5)));
    assert_eq!(num("3."), Some(Number::Float(3.0)));
    assert_eq!(num("1E-2"), Some(Number::Float(0.01)));
    assert_eq!(num("1e400"), Some(Number::Float(f64::INFINITY)));
}

#[test]
fn malformed() {
    for s in [
        "3x", "0x", "1e", "0x1p", "1..2", "0x1.2.3", "1e+", "0xp1", "1f", "0x.", ".",
    ] {
        assert_eq!(num(s), None, "{s}");
    }
}
