//! A small, exact re-implementation of the parts of C's `printf` that Lua
//! relies on, producing byte-for-byte the output of glibc.
//!
//! Lua 5.4 never formats numbers itself: `tostring(1.5)` is
//! `snprintf("%.14g")`, and `string.format` hands every `%d`, `%x`, `%e`,
//! `%f`, `%g`, `%a` item straight to the C library.  To reproduce Lua without
//! libc we need those conversions with glibc's exact behaviour:
//!
//! * **Correct rounding.**  glibc prints the exact decimal expansion of the
//!   binary double, rounded to the requested number of digits with
//!   round-half-to-even on exact ties (`%.0f` of 0.5, 1.5, 2.5 gives "0",
//!   "2", "2"; `%.2f` of 0.125 gives "0.12").  Rust's `{:.*e}` and `{:.*}`
//!   formatters are also exact and round ties to even, so `%e` and `%f` are
//!   derived from them and only the layout (exponent with a sign and at
//!   least two digits, flags, padding) is done here.
//! * **`%g`** follows C99 7.21.6.1: with precision P (0 means 1) and X the
//!   decimal exponent of the value *after* rounding to P significant digits,
//!   use `%f` with precision P-1-X when P > X >= -4, otherwise `%e` with
//!   precision P-1; then, unless `#` is given, trailing zeros of the
//!   fraction and a trailing decimal point are removed.
//! * **`%a`** follows glibc's `printf_fphex`: normal numbers print a leading
//!   `1`, subnormals a leading `0` with exponent -1022, zero is `0x0p+0`; the
//!   13 hex digits of the mantissa lose their trailing zeros when no
//!   precision is given, and with a precision they are rounded half-to-even
//!   (a carry can turn the leading digit into `2`, as glibc does).
//! * **inf and NaN** print as `inf`/`nan` (`INF`/`NAN` for upper-case
//!   conversions), with a `-` when the sign bit is set (glibc prints the NaN
//!   produced by `0/0` on x86 as `-nan`) and never zero-padded.
//! * **Integers** (`%d %i %u %o %x %X`) with precision (minimum digits,
//!   `%.0d` of 0 prints nothing), `#` (`0x` prefix for non-zero hex, leading
//!   `0` for octal) and `0` padding (ignored when a precision is present).
//!
//! Flags are the usual `-` (left-justify, overrides `0`), `+` (overrides
//! space), space, `#` and `0`.  No validation is done here: `format.rs`
//! checks the specification the way Lua does before calling in.

/// A parsed printf conversion specification (everything except the
/// conversion letter).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    /// `-`: left-justify within the field width.
    pub minus: bool,
    /// `+`: always print a sign for signed conversions.
    pub plus: bool,
    /// ` `: print a space where a `+` sign would go.
    pub space: bool,
    /// `#`: alternate form.
    pub alt: bool,
    /// `0`: pad with zeros (after any sign or `0x` prefix).
    pub zero: bool,
    /// Minimum field width.
    pub width: usize,
    /// Precision, if one was given (`%.f` means `Some(0)`).
    pub precision: Option<usize>,
}

impl Spec {
    /// A specification with no flags, no width and the given precision.
    pub fn with_precision(precision: usize) -> Spec {
        Spec {
            precision: Some(precision),
            ..Spec::default()
        }
    }
}

/// Lay out `sign`, `prefix` and `body` in a field of `spec.width`, padding
/// with spaces (left or right) or, when `zeros` is true, with zeros between
/// the prefix and the body.
fn pad(sign: &[u8], prefix: &[u8], body: &[u8], spec: &Spec, zeros: bool) -> Vec<u8> {
    let len = sign.len() + prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    let mut out = Vec::with_capacity(len + fill);
    if spec.minus {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if zeros {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(fill, b' ');
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
    out
}

/// Pad an already formatted piece of text (`%s`, `%c`) to the field width;
/// only the `-` flag and the width are used.
pub fn pad_text(body: &[u8], spec: &Spec) -> Vec<u8> {
    pad(b"", b"", body, spec, false)
}

/// Format an integer with conversion `conv` (one of `d i u o x X`) as glibc
/// formats a `long long` with that specification.  For `u o x X` the value
/// is reinterpreted as unsigned (two's complement), as C does.
pub fn format_int(n: i64, conv: u8, spec: &Spec) -> Vec<u8> {
    let (neg, mag) = match conv {
        b'd' | b'i' => (n < 0, n.unsigned_abs()),
        _ => (false, n as u64),
    };
    let mut digits = match conv {
        b'o' => format!("{mag:o}").into_bytes(),
        b'x' => format!("{mag:x}").into_bytes(),
        b'X' => format!("{mag:X}").into_bytes(),
        _ => format!("{mag}").into_bytes(),
    };
    if let Some(p) = spec.precision {
        if p == 0 && mag == 0 {
            digits.clear();
        } else if digits.len() < p {
            let mut v = vec![b'0'; p - digits.len()];
            v.extend_from_slice(&digits);
            digits = v;
        }
    }
    let mut prefix: &[u8] = b"";
    if spec.alt {
        match conv {
            b'o' if digits.first() != Some(&b'0') => digits.insert(0, b'0'),
            b'x' if mag != 0 => prefix = b"0x",
            b'X' if mag != 0 => prefix = b"0X",
            _ => {}
        }
    }
    let sign: &[u8] = match conv {
        b'd' | b'i' if neg => b"-",
        b'd' | b'i' if spec.plus => b"+",
        b'd' | b'i' if spec.space => b" ",
        _ => b"",
    };
    let zeros = spec.zero && spec.precision.is_none();
    pad(sign, prefix, &digits, spec, zeros)
}

/// Split Rust's `{:e}` output ("1.25e-7") into mantissa and exponent.
fn rust_exp(ax: f64, prec: usize) -> (Vec<u8>, i32) {
    let s = format!("{ax:.prec$e}");
    let (m, e) = s.split_once('e').expect("exponent in {:e} output");
    (m.as_bytes().to_vec(), e.parse().expect("integer exponent"))
}

/// Append a C-style exponent: `e`, a sign, and at least two digits.
fn push_exp(out: &mut Vec<u8>, e: i32, upper: bool) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if e < 0 { b'-' } else { b'+' });
    let digits = e.unsigned_abs().to_string();
    if digits.len() < 2 {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

/// `%e` body of a non-negative finite number.
fn body_e(ax: f64, prec: usize, alt: bool, upper: bool) -> Vec<u8> {
    let (mut m, e) = rust_exp(ax, prec);
    if alt && prec == 0 {
        m.push(b'.');
    }
    push_exp(&mut m, e, upper);
    m
}

/// `%f` body of a non-negative finite number.
fn body_f(ax: f64, prec: usize, alt: bool) -> Vec<u8> {
    let mut m = format!("{ax:.prec$}").into_bytes();
    if alt && prec == 0 {
        m.push(b'.');
    }
    m
}

/// Remove trailing zeros of the fraction, and the point if nothing is left.
fn strip_fraction_zeros(m: &mut Vec<u8>) {
    if m.contains(&b'.') {
        while m.last() == Some(&b'0') {
            m.pop();
        }
        if m.last() == Some(&b'.') {
            m.pop();
        }
    }
}

/// `%g` body of a non-negative finite number.
fn body_g(ax: f64, prec: usize, alt: bool, upper: bool) -> Vec<u8> {
    let p = if prec == 0 { 1 } else { prec };
    let (_, x) = rust_exp(ax, p - 1);
    if (p as i64) > x as i64 && x >= -4 {
        let mut m = format!("{ax:.*}", (p as i64 - 1 - x as i64) as usize).into_bytes();
        if alt {
            if !m.contains(&b'.') {
                m.push(b'.');
            }
        } else {
            strip_fraction_zeros(&mut m);
        }
        m
    } else if alt && x as i64 == p as i64 && format!("{:.0}", ax.trunc()).len() == p {
        // glibc quirk: the value chose `%f` style (P integer digits) but
        // rounding carried into a new digit; glibc then prints "1." and
        // the exponent, without the fraction zeros C99 asks for
        // (`%#.3g` of 999.5 is "1.e+03", not "1.00e+03").
        let mut m = b"1.".to_vec();
        push_exp(&mut m, x, upper);
        m
    } else {
        let (mut m, e) = rust_exp(ax, p - 1);
        if alt {
            if !m.contains(&b'.') {
                m.push(b'.');
            }
        } else {
            strip_fraction_zeros(&mut m);
        }
        push_exp(&mut m, e, upper);
        m
    }
}

/// `%a` body (without the `0x` prefix) of a non-negative finite number.
fn body_a(ax: f64, precision: Option<usize>, alt: bool, upper: bool) -> Vec<u8> {
    let bits = ax.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mant = bits & ((1u64 << 52) - 1);
    let (mut leading, exp) = if biased == 0 {
        (0u8, if mant == 0 { 0 } else { -1022 })
    } else {
        (1u8, biased - 1023)
    };
    // The 13 hex digits of the mantissa, without trailing zeros.
    let mut digits: Vec<u8> = (0..13)
        .map(|i| ((mant >> (48 - 4 * i)) & 0xf) as u8)
        .collect();
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let prec = match precision {
        None => digits.len(),
        Some(p) => {
            if p < digits.len() {
                let last = if p > 0 { digits[p - 1] } else { leading };
                let next = digits[p];
                let more = (next & 7) != 0 || p + 1 < digits.len();
                let round_up = next >= 8 && (more || last & 1 == 1);
                digits.truncate(p);
                if round_up {
                    let mut i = p;
                    loop {
                        if i == 0 {
                            leading += 1;
                            break;
                        }
                        i -= 1;
                        if digits[i] == 15 {
                            digits[i] = 0;
                        } else {
                            digits[i] += 1;
                            break;
                        }
                    }
                }
            }
            p
        }
    };
    digits.resize(prec, 0);
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = vec![hex[leading as usize]];
    if prec > 0 || alt {
        out.push(b'.');
    }
    out.extend(digits.iter().map(|&d| hex[d as usize]));
    out.push(if upper { b'P' } else { b'p' });
    out.extend_from_slice(format!("{exp:+}").as_bytes());
    out
}

/// Format a float with conversion `conv` (one of `e E f F g G a A`) exactly
/// as glibc's `printf` does with the given specification.
pub fn format_float(x: f64, conv: u8, spec: &Spec) -> Vec<u8> {
    let upper = conv.is_ascii_uppercase();
    let sign: &[u8] = if x.is_sign_negative() {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    };
    if !x.is_finite() {
        let body: &[u8] = match (x.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        return pad(sign, b"", body, spec, false);
    }
    let ax = x.abs();
    let prec = spec.precision.unwrap_or(6);
    let (prefix, body): (&[u8], Vec<u8>) = match conv.to_ascii_lowercase() {
        b'e' => (b"", body_e(ax, prec, spec.alt, upper)),
        b'f' => (b"", body_f(ax, prec, spec.alt)),
        b'g' => (b"", body_g(ax, prec, spec.alt, upper)),
        b'a' => (
            if upper { b"0X" } else { b"0x" },
            body_a(ax, spec.precision, spec.alt, upper),
        ),
        _ => panic!("format_float: unsupported conversion {:?}", conv as char),
    };
    pad(sign, prefix, &body, spec, spec.zero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64, conv: u8, prec: usize) -> String {
        String::from_utf8(format_float(x, conv, &Spec::with_precision(prec))).unwrap()
    }

    #[test]
    fn halfway_cases_round_to_even() {
        // printf '%.0f' 0.5 1.5 2.5 3.5 -> 0 2 2 4 (glibc)
        assert_eq!(f(0.5, b'f', 0), "0");
        assert_eq!(f(1.5, b'f', 0), "2");
        assert_eq!(f(2.5, b'f', 0), "2");
        assert_eq!(f(3.5, b'f', 0), "4");
        assert_eq!(f(0.125, b'f', 2), "0.12");
        assert_eq!(f(0.375, b'f', 2), "0.38");
        assert_eq!(f(2.5, b'e', 0), "2e+00");
        assert_eq!(f(0.125, b'e', 1), "1.2e-01");
    }

    #[test]
    fn g_switches_between_styles() {
        assert_eq!(f(1e-4, b'g', 6), "0.0001");
        assert_eq!(f(1e-5, b'g', 6), "1e-05");
        assert_eq!(f(123456.0, b'g', 6), "123456");
        assert_eq!(f(1234567.0, b'g', 6), "1.23457e+06");
        assert_eq!(f(999999.5, b'g', 6), "1e+06");
        assert_eq!(f(0.0, b'g', 6), "0");
        assert_eq!(f(100.0, b'g', 0), "1e+02");
    }

    #[test]
    fn hex_float_rounding() {
        assert_eq!(f(1.9, b'a', 0), "0x2p+0");
        assert_eq!(f(1.5, b'a', 0), "0x2p+0");
        assert_eq!(f(1.15625, b'a', 1), "0x1.2p+0");
        assert_eq!(f(1.09375, b'a', 1), "0x1.2p+0");
        assert_eq!(f(5e-324, b'a', 1), "0x0.0p-1022");
    }

    #[test]
    fn integers() {
        let s = |n, c, spec: Spec| String::from_utf8(format_int(n, c, &spec)).unwrap();
        let alt = Spec {
            alt: true,
            ..Spec::default()
        };
        assert_eq!(s(0, b'o', alt), "0");
        assert_eq!(s(8, b'o', alt), "010");
        assert_eq!(s(0, b'x', alt), "0");
        assert_eq!(s(-1, b'u', Spec::default()), "18446744073709551615");
        assert_eq!(s(i64::MIN, b'd', Spec::default()), "-9223372036854775808");
        assert_eq!(s(0, b'd', Spec::with_precision(0)), "");
    }
}
