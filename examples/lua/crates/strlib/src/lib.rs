//! The value-independent core of Lua 5.4's string library and number
//! conversions, in safe Rust with no dependencies.
//!
//! Everything here works on byte strings (`&[u8]`: Lua strings are
//! arbitrary bytes, not UTF-8) and on small types defined by the crate, so
//! that an interpreter with its own (garbage-collected) value type can call
//! in without this crate knowing about it.  Where Lua needs a value back
//! from the interpreter (arguments of `string.format`, the result of a
//! `gsub` replacement function) the crate takes a trait object or a
//! closure and lets the interpreter's own error type flow through.
//!
//! Modules:
//!
//! * [`number`]: `tostring` of numbers (`%.14g` plus `.0`), numerals to
//!   numbers (`lua_stringtonumber`, `tonumber(s, base)`), float <-> integer
//!   conversions with Lua's rules (`math.floor`, `for` loop limits).
//! * [`printf`]: the exact glibc `printf` conversions Lua relies on
//!   (`%d %u %o %x %e %f %g %a`, flags, width, precision).
//! * [`format`](mod@format): `string.format` with Lua 5.4.4's validation and messages.
//! * [`pattern`]: Lua patterns and `find`/`match`/`gmatch`/`gsub`.
//!
//! This file also holds the small helpers behind `string.sub`, `byte`,
//! `char`, `rep`, `reverse`, `upper` and `lower`.  All behaviour was
//! checked against the `lua5.4` (5.4.4) binary on Linux/glibc.
//!
//! ```
//! use gcheap_lua_strlib::{Arg, Number, fmt_float, format, gsub_str, str_to_number};
//!
//! assert_eq!(fmt_float(1e15), b"1e+15");
//! assert_eq!(str_to_number(b" 0x10 "), Some(Number::Int(16)));
//! let out = format(b"%5.2f|%q", [Arg::Float(3.14159), Arg::str("a\n")].as_mut_slice());
//! assert_eq!(out.unwrap(), b" 3.14|\"a\\\n\"");
//! let (s, n) = gsub_str(b"hello world", b"(%w+)", b"<%1>", None).unwrap();
//! assert_eq!((s.as_slice(), n), (&b"<hello> <world>"[..], 2));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod format;
mod matcher;
pub mod number;
pub mod pattern;
pub mod printf;

pub use format::{
    Arg, FormatArgs, FormatError, Literal, format, quote_float, quote_int, quote_string,
};
pub use number::{
    F2I, Number, float_ceil_to_int, float_floor_to_int, float_to_int, float_to_int_mode, fmt_float,
    fmt_int, fmt_number, for_limit, math_ceil, math_floor, str_to_float, str_to_int,
    str_to_int_base, str_to_number,
};
pub use pattern::{
    Capture, Captures, GMatch, Match, PatternError, find, gsub, gsub_str, match_, posrelat_start,
};

use std::fmt;

/// lstrlib.c's `getendpos`: a 1-based end position from a Lua integer
/// (negative counts from the end; clipped to `0..=len`).
pub fn posrelat_end(pos: i64, len: usize) -> usize {
    if pos > len as i64 {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos < -(len as i64) {
        0
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// `string.sub(s, i, j)` as a 0-based half-open byte range of a string of
/// length `len` (`start == end` for an empty result).  Lua's default for
/// `j` is -1.
pub fn sub_range(len: usize, i: i64, j: i64) -> (usize, usize) {
    let start = posrelat_start(i, len);
    let end = posrelat_end(j, len);
    if start <= end {
        (start - 1, end)
    } else {
        (0, 0)
    }
}

/// `string.sub(s, i, j)`.
pub fn sub(s: &[u8], i: i64, j: i64) -> &[u8] {
    let (a, b) = sub_range(s.len(), i, j);
    &s[a..b]
}

/// `string.byte(s, i, j)` (Lua's defaults: `i = 1`, `j = i`): the byte
/// codes in the range, possibly none.  Lua's "string slice too long" limit
/// (more than `INT_MAX` results) is left to the caller's stack checks.
pub fn byte(s: &[u8], i: i64, j: i64) -> &[u8] {
    let start = posrelat_start(i, s.len());
    let end = posrelat_end(j, s.len());
    if start > end { &[] } else { &s[start - 1..end] }
}

/// `string.char(...)`: `Err(k)` names the 0-based position of the first
/// code outside `0..=255` (Lua: "bad argument #k+1 to 'char' (value out of
/// range)").
pub fn char(codes: &[i64]) -> Result<Vec<u8>, usize> {
    codes
        .iter()
        .enumerate()
        .map(|(k, &c)| u8::try_from(c).map_err(|_| k))
        .collect()
}

/// `string.reverse`.
pub fn reverse(s: &[u8]) -> Vec<u8> {
    s.iter().rev().copied().collect()
}

/// `string.upper` (C locale: only ASCII letters change).
pub fn upper(s: &[u8]) -> Vec<u8> {
    s.to_ascii_uppercase()
}

/// `string.lower` (C locale).
pub fn lower(s: &[u8]) -> Vec<u8> {
    s.to_ascii_lowercase()
}

/// Why `string.rep` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepError {
    /// "resulting string too large": Lua's own size check failed.
    TooLarge,
    /// "not enough memory": the allocation itself failed.
    NotEnoughMemory,
}

impl fmt::Display for RepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RepError::TooLarge => "resulting string too large",
            RepError::NotEnoughMemory => "not enough memory",
        })
    }
}

impl std::error::Error for RepError {}

/// lstrlib.c's `MAXSIZE` on 64-bit machines: `INT_MAX`.
pub const MAX_STRING_RESULT: u64 = i32::MAX as u64;

/// `string.rep(s, n, sep)`: `n` copies of `s` separated by `sep`; empty
/// for `n <= 0`.  Lua's check is kept: "resulting string too large" when
/// `#s + #sep > INT_MAX // n` (so results stay below 2 GiB).  Unlike Lua, an
/// empty result with a huge `n` (`(""):rep(2^62)`) returns at once instead
/// of looping `n` times.
pub fn rep(s: &[u8], n: i64, sep: &[u8]) -> Result<Vec<u8>, RepError> {
    if n <= 0 {
        return Ok(Vec::new());
    }
    let unit = s.len() as u64 + sep.len() as u64;
    if unit > MAX_STRING_RESULT / n as u64 {
        return Err(RepError::TooLarge);
    }
    let total = (unit * n as u64 - sep.len() as u64) as usize;
    let mut out = Vec::new();
    out.try_reserve_exact(total)
        .map_err(|_| RepError::NotEnoughMemory)?;
    if total == 0 {
        return Ok(out);
    }
    for k in 0..n {
        if k > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(s);
    }
    Ok(out)
}
