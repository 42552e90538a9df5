//! Conversions between Lua 5.4 numbers and strings, and between Lua's two
//! number subtypes.
//!
//! Lua 5.4 has 64-bit integers and IEEE doubles.  This module reproduces,
//! without libc, what the reference interpreter does when it
//!
//! * **prints a number** (`tostring`, `print`, `..`): integers with `%lld`;
//!   floats with `LUAI_NUMFFORMAT` = `"%.14g"`, and when that result "looks
//!   like an integer" (only `-` and digits, so not `1e+15`, `inf` or `nan`)
//!   a `.0` is appended, so that `1.0` stays distinguishable from `1`.
//!   NaN prints as `nan` or `-nan` depending on its sign bit, as glibc does
//!   (on x86-64 the NaN produced by `0/0` has the sign bit set, so Lua prints
//!   `-nan` for it and `nan` for `-(0/0)`; an interpreter that wants to match
//!   must produce NaNs with the same bits as the C code would);
//! * **reads a numeral** (`lua_stringtonumber`, `tonumber(s)`, string
//!   coercion in arithmetic), see [`str_to_number`]: first as an integer
//!   (decimal, which must not overflow, or hexadecimal, which wraps modulo
//!   2^64), then as a float with C's `strtod` syntax (decimal or hexadecimal
//!   with a binary `p` exponent), rejecting `inf`/`nan` spellings;
//!   surrounding whitespace is allowed, anything else (including an embedded
//!   `\0`) is not;
//! * **reads a numeral in a base** (`tonumber(s, base)`), see
//!   [`str_to_int_base`];
//! * **converts floats to integers**: exactly (`3.0` -> 3, `3.5` fails,
//!   values outside [-2^63, 2^63) fail), or after a floor / ceiling, as
//!   `math.floor`, `math.ceil`, bitwise operators, table keys and numeric
//!   `for` loops need ([`float_to_int_mode`], [`for_limit`]).
//!
//! Decimal floats are parsed by validating the syntax here and handing the
//! digits to Rust's correctly rounded `f64` parser (glibc's `strtod` is also
//! correctly rounded); hexadecimal floats are assembled here with
//! round-half-to-even, including subnormals and overflow to infinity.

use crate::printf::{Spec, format_float};

/// A Lua number: either subtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Float(f64),
}

impl Number {
    /// The value as a float (`luaL_checknumber` of an integer).
    pub fn to_float(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The value as an integer if it has an exact integer representation
    /// (`lua_tointeger` / `luaL_checkinteger`).
    pub fn to_int(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) => float_to_int(f),
        }
    }
}

/// `tostring` of a Lua integer.
pub fn fmt_int(i: i64) -> Vec<u8> {
    i.to_string().into_bytes()
}

/// `tostring` of a Lua float: `"%.14g"`, plus `".0"` when the result looks
/// like an integer.
pub fn fmt_float(f: f64) -> Vec<u8> {
    let mut out = format_float(f, b'g', &Spec::with_precision(14));
    if out.iter().all(|&c| c == b'-' || c.is_ascii_digit()) {
        out.extend_from_slice(b".0");
    }
    out
}

/// `tostring` of any Lua number.
pub fn fmt_number(n: Number) -> Vec<u8> {
    match n {
        Number::Int(i) => fmt_int(i),
        Number::Float(f) => fmt_float(f),
    }
}

/// C's `isspace` in the "C" locale (Lua's `lisspace`).
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// Lua's `l_str2int`: a decimal or hexadecimal integer numeral.  Decimal
/// numerals that do not fit in an `i64` are rejected (they are then read as
/// floats); hexadecimal ones wrap around.
pub fn str_to_int(s: &[u8]) -> Option<i64> {
    let mut i = skip_spaces(s, 0);
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut a: u64 = 0;
    let mut empty = true;
    if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while let Some(d) = s.get(i).and_then(|&c| hex_value(c)) {
            a = a.wrapping_mul(16).wrapping_add(d as u64);
            empty = false;
            i += 1;
        }
    } else {
        const MAXBY10: u64 = (i64::MAX / 10) as u64;
        const MAXLASTD: u64 = (i64::MAX % 10) as u64;
        while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
            let d = (c - b'0') as u64;
            if a >= MAXBY10 && (a > MAXBY10 || d > MAXLASTD + neg as u64) {
                return None;
            }
            a = a * 10 + d;
            empty = false;
            i += 1;
        }
    }
    i = skip_spaces(s, i);
    if empty || i != s.len() {
        return None;
    }
    Some(if neg { 0u64.wrapping_sub(a) } else { a } as i64)
}

/// `2^e` for `e` in the double range (`-1074..=1023`), infinity above it.
fn pow2(e: i64) -> f64 {
    if e > 1023 {
        f64::INFINITY
    } else if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        debug_assert!(e >= -1074);
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// The double nearest to `(mant + tiny) * 2^exp2` where `tiny`, present
/// when `sticky`, is strictly between 0 and 1 (round half to even).
fn assemble_float(mant: u64, exp2: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let top = 63 - mant.leading_zeros() as i64; // value in [2^(exp2+top), 2^(exp2+top+1))
    let e = exp2.saturating_add(top);
    if e > 1023 {
        return f64::INFINITY;
    }
    let q = (e - 52).max(-1074); // exponent of the last kept bit
    let shift = q - exp2;
    if shift <= 0 {
        return mant as f64 * pow2(exp2); // exact
    }
    if shift > 64 {
        return 0.0; // below half of the smallest subnormal
    }
    let (kept, rem, half) = if shift == 64 {
        (0u64, mant, 1u64 << 63)
    } else {
        (
            mant >> shift,
            mant & ((1u64 << shift) - 1),
            1u64 << (shift - 1),
        )
    };
    let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
    (kept + up as u64) as f64 * pow2(q)
}

/// Parse the body of a hexadecimal float (after `0x`) starting at `i`.
/// Returns the value and the index after the numeral, or `None` when there
/// is no hex digit at all.
fn parse_hex_float(s: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let mut mant: u64 = 0;
    let mut exp2: i64 = 0;
    let mut sticky = false;
    let mut any_digit = false;
    let mut seen_point = false;
    loop {
        match s.get(i) {
            Some(b'.') if !seen_point => seen_point = true,
            Some(&c) if c.is_ascii_hexdigit() => {
                any_digit = true;
                let d = hex_value(c).unwrap() as u64;
                if mant >> 60 == 0 {
                    mant = mant * 16 + d;
                    if seen_point {
                        exp2 -= 4;
                    }
                } else {
                    // Digit does not fit: remember whether it is non-zero.
                    sticky |= d != 0;
                    if !seen_point {
                        exp2 += 4;
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut j = i + 1;
        let eneg = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        if s.get(j).is_some_and(u8::is_ascii_digit) {
            let mut e: i64 = 0;
            while let Some(&c) = s.get(j).filter(|c| c.is_ascii_digit()) {
                e = (e * 10 + (c - b'0') as i64).min(1 << 40);
                j += 1;
            }
            exp2 += if eneg { -e } else { e };
            i = j;
        }
    }
    Some((assemble_float(mant, exp2, sticky), i))
}

/// Parse a decimal float starting at `i` (after the sign).  Returns the
/// absolute value and the index after the numeral.
fn parse_dec_float(s: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let start = i;
    let mut digits = 0;
    while s.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if s.get(j).is_some_and(u8::is_ascii_digit) {
            while s.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            i = j;
        }
    }
    // The slice is pure ASCII digits, '.', 'e', sign: valid UTF-8 and
    // accepted by Rust's (correctly rounded) parser.
    let text = std::str::from_utf8(&s[start..i]).ok()?;
    Some((text.parse::<f64>().ok()?, i))
}

/// C's `strtod` restricted to what Lua accepts (`l_str2d`): the whole
/// string must be a decimal or hexadecimal float numeral with optional
/// surrounding whitespace; `inf` and `nan` are rejected.
pub fn str_to_float(s: &[u8]) -> Option<f64> {
    let mut i = skip_spaces(s, 0);
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (v, end) = if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        parse_hex_float(s, i + 2)?
    } else {
        parse_dec_float(s, i)?
    };
    if skip_spaces(s, end) != s.len() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// `lua_stringtonumber` / `tonumber(s)`: an integer numeral if possible,
/// else a float numeral, else `None`.
pub fn str_to_number(s: &[u8]) -> Option<Number> {
    if let Some(i) = str_to_int(s) {
        Some(Number::Int(i))
    } else {
        str_to_float(s).map(Number::Float)
    }
}

/// `tonumber(s, base)` (lbaselib's `b_str2int`): optional whitespace, an
/// optional `-` or `+`, one or more alphanumeric digits all smaller than
/// `base` (letters case-insensitive, `a` = 10), optional whitespace.
/// Overflow wraps modulo 2^64.  `base` must be in `2..=36`; the caller
/// raises "base out of range" otherwise (this function returns `None`).
pub fn str_to_int_base(s: &[u8], base: u32) -> Option<i64> {
    if !(2..=36).contains(&base) {
        return None;
    }
    let mut i = skip_spaces(s, 0);
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    if !s.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut n: u64 = 0;
    while let Some(&c) = s.get(i).filter(|c| c.is_ascii_alphanumeric()) {
        let d = (c as char).to_digit(36).unwrap();
        if d >= base {
            return None;
        }
        n = n.wrapping_mul(base as u64).wrapping_add(d as u64);
        i += 1;
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    Some(if neg { 0u64.wrapping_sub(n) } else { n } as i64)
}

/// How a float with a fractional part is turned into an integer
/// (lvm.c's `F2Imod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F2I {
    /// Only exact integral values convert.
    Eq,
    /// Take the floor first.
    Floor,
    /// Take the ceiling first.
    Ceil,
}

/// `luaV_flttointns`: convert a float to an integer with the given rounding
/// mode; `None` when the (rounded) value is outside `[-2^63, 2^63)` or NaN,
/// or, in mode [`F2I::Eq`], not integral.
pub fn float_to_int_mode(f: f64, mode: F2I) -> Option<i64> {
    let mut fl = f.floor();
    if f != fl {
        match mode {
            F2I::Eq => return None,
            F2I::Ceil => fl += 1.0,
            F2I::Floor => {}
        }
    }
    // -(LUA_MININTEGER as float) is 2^63 exactly.
    if (-9223372036854775808.0..9223372036854775808.0).contains(&fl) {
        Some(fl as i64)
    } else {
        None
    }
}

/// Exact float -> integer conversion (3.0 -> 3, 3.5 -> None, 2^63 -> None).
pub fn float_to_int(f: f64) -> Option<i64> {
    float_to_int_mode(f, F2I::Eq)
}

/// Floor of a float as an integer, if it fits.
pub fn float_floor_to_int(f: f64) -> Option<i64> {
    float_to_int_mode(f, F2I::Floor)
}

/// Ceiling of a float as an integer, if it fits.
pub fn float_ceil_to_int(f: f64) -> Option<i64> {
    float_to_int_mode(f, F2I::Ceil)
}

/// `math.floor` of a float: an integer when the floor fits, else the
/// floored float (e.g. `math.floor(2^70)` stays a float, NaN stays NaN).
pub fn math_floor(f: f64) -> Number {
    let fl = f.floor();
    match float_to_int(fl) {
        Some(i) => Number::Int(i),
        None => Number::Float(fl),
    }
}

/// `math.ceil` of a float, like [`math_floor`].
pub fn math_ceil(f: f64) -> Number {
    let c = f.ceil();
    match float_to_int(c) {
        Some(i) => Number::Int(i),
        None => Number::Float(c),
    }
}

/// lvm.c's `forlimit` for an integer loop `for i = init, limit, step`
/// (`step != 0`, already checked by the caller): the integer limit to
/// use, or `None` when the loop must not run at all.  A float limit is
/// floored (positive step) or ceiled (negative step); one outside the
/// integer range is clipped.  Lua's quirk is kept: a NaN limit counts as
/// "below every integer", so `for i = 1, 0/0, -1` does run.
pub fn for_limit(init: i64, limit: Number, step: i64) -> Option<i64> {
    let lim = match limit {
        Number::Int(i) => i,
        Number::Float(f) => {
            let mode = if step < 0 { F2I::Ceil } else { F2I::Floor };
            match float_to_int_mode(f, mode) {
                Some(i) => i,
                None if 0.0 < f => {
                    if step < 0 {
                        return None;
                    }
                    i64::MAX
                }
                None => {
                    if step > 0 {
                        return None;
                    }
                    i64::MIN
                }
            }
        }
    };
    let skip = if step > 0 { init > lim } else { init < lim };
    if skip { None } else { Some(lim) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assemble_rounding() {
        assert_eq!(assemble_float(1, -1074, false), 5e-324);
        assert_eq!(assemble_float(1, -1075, false), 0.0); // tie -> even (0)
        assert_eq!(assemble_float(1, -1075, true), 5e-324);
        assert_eq!(assemble_float(3, -1076, false), 5e-324); // 0.75 ulp
        assert_eq!(assemble_float(1, 1024, false), f64::INFINITY);
        assert_eq!(assemble_float(u64::MAX, 0, false), 18446744073709551616.0);
    }
}
