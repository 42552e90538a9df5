//! Conversion of Lua numerals to numbers.
//!
//! The lexer collects the characters of a numeral greedily, exactly as
//! Lua's `read_numeral` does, and hands the text to [`str_to_number`],
//! which mirrors `luaO_str2num` from the reference implementation:
//!
//! * the text is first tried as an integer: decimal integers must fit in
//!   an `i64` (otherwise the numeral is read as a float instead), while
//!   hexadecimal integers wrap around modulo 2^64;
//! * failing that, it is read as a float: decimal floats follow C's
//!   `strtod` (which Rust's correctly rounded `f64` parser matches), and
//!   hexadecimal floats (`0x1.8p3`, `0x.8`) are converted here with
//!   round-to-nearest-even, including subnormal results and overflow to
//!   infinity;
//! * texts containing `n`/`N` are rejected, so `inf` and `nan` are never
//!   numerals.

/// The value of a numeral: Lua 5.4 distinguishes integers from floats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer numeral (subtype `integer`).
    Int(i64),
    /// A float numeral (subtype `float`).
    Float(f64),
}

/// Converts a complete numeral text (no sign, no surrounding spaces) to a
/// number, or returns `None` if the text is malformed.
pub fn str_to_number(text: &[u8]) -> Option<Number> {
    if let Some(i) = str_to_int(text) {
        return Some(Number::Int(i));
    }
    str_to_float(text).map(Number::Float)
}

fn is_hex_prefix(text: &[u8]) -> bool {
    text.len() >= 2 && text[0] == b'0' && (text[1] == b'x' || text[1] == b'X')
}

fn hex_value(c: u8) -> Option<u64> {
    (c as char).to_digit(16).map(u64::from)
}

/// Integer conversion (`l_str2int`): decimal without overflow, or hex with
/// wrap-around.
fn str_to_int(text: &[u8]) -> Option<i64> {
    if is_hex_prefix(text) {
        let digits = &text[2..];
        if digits.is_empty() {
            return None;
        }
        let mut acc: u64 = 0;
        for &c in digits {
            acc = acc.wrapping_mul(16).wrapping_add(hex_value(c)?);
        }
        Some(acc as i64)
    } else {
        if text.is_empty() {
            return None;
        }
        let mut acc: i64 = 0;
        for &c in text {
            if !c.is_ascii_digit() {
                return None;
            }
            acc = acc.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
        }
        Some(acc)
    }
}

/// Float conversion (`l_str2d`).
fn str_to_float(text: &[u8]) -> Option<f64> {
    if text.iter().any(|&c| c == b'n' || c == b'N') {
        return None;
    }
    if is_hex_prefix(text) {
        return hex_to_float(&text[2..]);
    }
    let valid = text
        .iter()
        .all(|&c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !valid
        || !text
            .first()
            .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
    {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse::<f64>().ok()
}

/// Converts the part of a hexadecimal float after `0x`:
/// `hexdigits [ '.' hexdigits ] [ ('p'|'P') [sign] decdigits ]` with at
/// least one hex digit in total.
fn hex_to_float(text: &[u8]) -> Option<f64> {
    let mut mantissa: u64 = 0;
    let mut exp2: i64 = 0; // value = mantissa * 2^exp2 (before sticky bits)
    let mut sticky = false;
    let mut any_digit = false;
    let mut seen_dot = false;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c == b'.' {
            if seen_dot {
                return None;
            }
            seen_dot = true;
        } else if let Some(d) = hex_value(c) {
            any_digit = true;
            if mantissa >> 60 == 0 {
                mantissa = mantissa * 16 + d;
                if seen_dot {
                    exp2 -= 4;
                }
            } else {
                // Too many significant digits: remember that something
                // non-zero was dropped, and scale when before the dot.
                sticky |= d != 0;
                if !seen_dot {
                    exp2 += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if i < text.len() {
        if text[i] != b'p' && text[i] != b'P' {
            return None;
        }
        i += 1;
        let mut negative = false;
        if i < text.len() && (text[i] == b'+' || text[i] == b'-') {
            negative = text[i] == b'-';
            i += 1;
        }
        if i >= text.len() {
            return None;
        }
        let mut e: i64 = 0;
        for &c in &text[i..] {
            if !c.is_ascii_digit() {
                return None;
            }
            e = (e * 10 + i64::from(c - b'0')).min(1 << 40);
        }
        exp2 += if negative { -e } else { e };
    }
    Some(make_float(mantissa, exp2, sticky))
}

/// Rounds `mantissa * 2^exp2` (plus a tiny positive amount when `sticky`)
/// to the nearest `f64`, ties to even.
fn make_float(mantissa: u64, exp2: i64, sticky: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let lz = i64::from(mantissa.leading_zeros());
    let m = mantissa << lz;
    let exp2 = exp2 - lz;
    // value = m * 2^exp2 with m in [2^63, 2^64): binary exponent e.
    let e = exp2 + 63;
    if e > 1023 {
        return f64::INFINITY;
    }
    // Number of low bits of `m` to drop: 11 for normal numbers, more for
    // subnormal ones.
    let shift = if e >= -1022 { 11 } else { 11 + (-1022 - e) };
    if shift > 65 {
        return 0.0;
    }
    let wide = u128::from(m);
    let kept = wide >> shift;
    let rest = wide & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let round_up = rest > half || (rest == half && (sticky || kept & 1 == 1));
    let mut kept = kept + u128::from(round_up);
    let mut e = e;
    if e >= -1022 {
        if kept == 1u128 << 53 {
            kept >>= 1;
            e += 1;
            if e > 1023 {
                return f64::INFINITY;
            }
        }
        let biased = (e + 1023) as u64;
        f64::from_bits((biased << 52) | (kept as u64 & ((1u64 << 52) - 1)))
    } else {
        // Subnormal (or rounded up to the smallest normal): the bits are
        // the kept mantissa itself.
        f64::from_bits(kept as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
