//! `string.format` against outputs recorded from lua5.4 (see tests/gen/format.lua),
//! plus hand-written checks of the argument protocol.

#[rustfmt::skip]
#[path = "cases/format_cases.rs"]
mod format_cases;

use gcheap_lua_strlib::{Arg, FormatError, format, quote_float, quote_int, quote_string};

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn recorded_cases() {
    let mut failures = Vec::new();
    for (fmt, args, expected) in format_cases::CASES {
        let mut args = args();
        let got = format(fmt, args.as_mut_slice()).map_err(|e| e.message());
        let want = expected.map(<[u8]>::to_vec).map_err(<[u8]>::to_vec);
        if got != want {
            failures.push(format!(
                "format({:?}, {:?})\n   got {:?}\n  want {:?}",
                show(fmt),
                args,
                got.as_ref().map(|v| show(v)).map_err(|v| show(v)),
                want.as_ref().map(|v| show(v)).map_err(|v| show(v)),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        format_cases::CASES.len(),
        failures.join("\n")
    );
}

fn fmt(f: &str, args: &mut [Arg]) -> Result<String, String> {
    format(f.as_bytes(), args)
        .map(|v| show(&v))
        .map_err(|e| e.to_string())
}

#[test]
fn quoting_examples() {
    // lua5.4 -e 'print(string.format("%q", "a\rb\0c\0001\n\"\\\1272"))'
    assert_eq!(
        show(&quote_string(b"a\rb\0c\x001\n\"\\\x7f2")),
        "\"a\\13b\\0c\\0001\\\n\\\"\\\\\\1272\""
    );
    assert_eq!(quote_string(b"\xff\xfe"), b"\"\xff\xfe\"");
    assert_eq!(quote_int(i64::MIN), b"0x8000000000000000");
    assert_eq!(quote_int(-5), b"-5");
    assert_eq!(quote_float(1.0), b"0x1p+0");
    assert_eq!(quote_float(0.1), b"0x1.999999999999ap-4");
    assert_eq!(quote_float(f64::INFINITY), b"1e9999");
    assert_eq!(quote_float(f64::NEG_INFINITY), b"-1e9999");
    assert_eq!(quote_float(f64::NAN), b"(0/0)");
}

#[test]
fn examples_from_lua() {
    assert_eq!(
        fmt(
            "%5.1f|%d|%s",
            &mut [Arg::Float(12.345), Arg::Float(3.0), Arg::str("x")]
        ),
        Ok(" 12.3|3|x".into())
    );
    assert_eq!(
        fmt(
            "%.0f %.0f %.0f",
            &mut [Arg::Float(0.5), Arg::Float(1.5), Arg::Float(2.5)]
        ),
        Ok("0 2 2".into())
    );
    assert_eq!(
        fmt("%x", &mut [Arg::Int(-1)]),
        Ok("ffffffffffffffff".into())
    );
    assert_eq!(
        fmt("%q", &mut [Arg::Int(i64::MIN)]),
        Ok("0x8000000000000000".into())
    );
    assert_eq!(
        fmt(
            "%5s|%-5s|%.1s",
            &mut [Arg::str("ab"), Arg::str("ab"), Arg::str("ab")]
        ),
        Ok("   ab|ab   |a".into())
    );
    assert_eq!(
        fmt("%d", &mut [Arg::Float(3.5)]),
        Err("bad argument #2 to 'format' (number has no integer representation)".into())
    );
    assert_eq!(
        fmt("%d", &mut [Arg::str("x")]),
        Err("bad argument #2 to 'format' (number expected, got string)".into())
    );
    assert_eq!(
        fmt("%y", &mut [Arg::Int(1)]),
        Err("invalid conversion '%y' to 'format'".into())
    );
    assert_eq!(
        fmt("%y", &mut []),
        Err("bad argument #2 to 'format' (no value)".into())
    );
    assert_eq!(
        fmt("%123d", &mut [Arg::Int(1)]),
        Err("invalid conversion specification: '%123d'".into())
    );
    assert_eq!(
        fmt("%10q", &mut [Arg::Int(1)]),
        Err("specifier '%q' cannot have modifiers".into())
    );
    assert_eq!(
        fmt("%F", &mut [Arg::Float(1.0)]),
        Err("invalid conversion '%F' to 'format'".into())
    );
    assert_eq!(
        fmt("%q", &mut [Arg::Other("table")]),
        Err("bad argument #2 to 'format' (value has no literal form)".into())
    );
    let e = format(b"%010.3x", &mut [Arg::Other("function")][..]).unwrap_err();
    assert_eq!(
        e,
        FormatError::BadArgument {
            arg: 2,
            msg: b"number expected, got function".to_vec()
        }
    );
}
