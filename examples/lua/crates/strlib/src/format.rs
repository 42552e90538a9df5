//! `string.format`, as lstrlib.c's `str_format` in Lua 5.4.
//!
//! The format string is copied to the output except for conversion items,
//! which start with `%`.  `%%` is a literal percent sign.  For every other
//! item Lua first checks that an argument exists ("bad argument #N to
//! 'format' (no value)"), then collects the specification exactly as the
//! C code does: the longest run of bytes from `-+#0 123456789.` followed by
//! one conversion byte (more than 20 bytes gives "invalid format (too
//! long)").  The conversion byte selects the handling:
//!
//! | conv | argument | accepted flags | precision |
//! |------|----------|----------------|-----------|
//! | `d i` | integer | `-+ 0` | yes (minimum digits) |
//! | `u` | integer, printed unsigned | `-0` | yes |
//! | `o x X` | integer, printed unsigned | `-#0` | yes |
//! | `c` | integer, printed as one byte | `-` | no |
//! | `a A e E f g G` | float | `-+ #0` | yes |
//! | `s` | `tostring` of any value | `-` | yes (truncates) |
//! | `p` | pointer identity | `-` | no |
//! | `q` | a literal: no flags at all | | |
//!
//! Anything else (including `%F`, `%n`, `%l`, `%h`, which Lua 5.4.4
//! rejects) is "invalid conversion '%...' to 'format'".  The specification
//! is validated by Lua's `checkformat`: flags (repeatable, any order) from
//! the accepted set, a width of at most two digits that does not start
//! with `0`, and, where allowed, a `.` with at most two digits; otherwise
//! "invalid conversion specification: '%...'".  The order of the checks
//! matters for which error wins, and is kept: integer and float conversions
//! fetch their argument before checking the specification, `%c` and `%a`
//! check first.
//!
//! Integer conversions accept floats with an exact integer value (3.0 -> 3),
//! otherwise "number has no integer representation".  `%s` without
//! modifiers copies the whole string (zeros included); with modifiers the
//! string may not contain zeros, and one of 100 bytes or more without a
//! precision is copied whole.  `%q` writes a value back as Lua source:
//! strings quoted with `"`, `\\`, `\"`, `\` + newline, and other control
//! bytes as decimal escapes (`\0`, `\13`; three digits when a digit
//! follows); integers in decimal except `math.mininteger`, written
//! `0x8000000000000000`; floats as hex floats (`0x1p+0`), `1e9999`,
//! `-1e9999` and `(0/0)`; nil and booleans as themselves.
//!
//! The crate does not know the interpreter's values: arguments are pulled
//! lazily through the [`FormatArgs`] trait, whose error type lets the
//! interpreter propagate its own errors (e.g. from `__tostring`).

use crate::number::{Number, fmt_float, fmt_int};
use crate::printf::{Spec, format_float, format_int, pad_text};
use std::fmt;

/// Errors raised by `string.format` itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `luaL_argerror`: "bad argument #`arg` to 'format' (`msg`)".
    /// `arg` is the Lua argument index (the format string is #1).  An
    /// interpreter that adjusts the index for method calls, or names the
    /// function differently, can rebuild the text from the fields.
    BadArgument {
        /// The argument's index, counting the format string as 1.
        arg: usize,
        /// What is wrong with it.
        msg: Vec<u8>,
    },
    /// `luaL_error` with this message (no position prefix).
    Error(Vec<u8>),
}

impl FormatError {
    /// The complete error message as Lua 5.4 prints it (without the
    /// "file:line:" prefix that `luaL_error` adds).
    pub fn message(&self) -> Vec<u8> {
        match self {
            FormatError::BadArgument { arg, msg } => {
                let mut m = format!("bad argument #{arg} to 'format' (").into_bytes();
                m.extend_from_slice(msg);
                m.push(b')');
                m
            }
            FormatError::Error(m) => m.clone(),
        }
    }

    fn bad(arg: usize, msg: &str) -> FormatError {
        FormatError::BadArgument {
            arg,
            msg: msg.as_bytes().to_vec(),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message()))
    }
}

impl std::error::Error for FormatError {}

/// What `%q` should write for an argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string: written quoted and escaped.
    Str(Vec<u8>),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Written as is: the interpreter passes `tostring` of nil and
    /// booleans here (Lua uses `luaL_tolstring` for them).
    Raw(Vec<u8>),
    /// Any other type: "value has no literal form".
    NoLiteral,
}

/// Lazy access to the arguments of `string.format`.
///
/// `arg` is always the Lua argument index: the format string is argument 1,
/// so the first value is 2 and the last is `count() + 1`.  The crate only
/// asks for arguments that exist (it checks `count()` first).
pub trait FormatArgs {
    /// The interpreter's error type; format errors are converted into it.
    type Error: From<FormatError>;

    /// Number of arguments after the format string.
    fn count(&self) -> usize;

    /// The argument as a number, with the interpreter's string coercion
    /// applied (`"10"` -> 10, `"0x10"` -> 16, see
    /// [`str_to_number`](crate::str_to_number)); `Ok(None)` if it is not
    /// a number.
    fn number(&mut self, arg: usize) -> Result<Option<Number>, Self::Error>;

    /// The type name used in "number expected, got `<name>`" (Lua uses the
    /// `__name` metafield when it is a string, else the basic type name).
    fn type_name(&mut self, arg: usize) -> Vec<u8>;

    /// `luaL_tolstring` of the argument (applying `__tostring`/`__name`).
    fn tostring(&mut self, arg: usize) -> Result<Vec<u8>, Self::Error>;

    /// The argument for `%q`.
    fn literal(&mut self, arg: usize) -> Result<Literal, Self::Error>;

    /// `lua_topointer` of the argument for `%p`: the address of a
    /// collectable value (string, table, function, thread, full userdata),
    /// a light userdata's pointer, or `None` for nil, booleans, numbers and
    /// NULL, printed as "(null)".  Addresses print as glibc's `%p`
    /// (`0x55aa10`).  The default treats every value as `None`.
    fn pointer(&mut self, arg: usize) -> Result<Option<usize>, Self::Error> {
        let _ = arg;
        Ok(None)
    }
}

/// Flags accepted by each family of conversions (lstrlib.c's L_FMTFLAGS*).
const FLAGS_F: &[u8] = b"-+#0 ";
const FLAGS_X: &[u8] = b"-#0";
const FLAGS_I: &[u8] = b"-+0 ";
const FLAGS_U: &[u8] = b"-0";
const FLAGS_C: &[u8] = b"-";
/// `MAX_FORMAT` in lstrlib.c.
const MAX_FORMAT: usize = 32;

/// `s[i]`, or 0 past the end (C strings are NUL-terminated).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// The specification as C sees it: up to the first NUL.
fn c_str(form: &[u8]) -> &[u8] {
    match form.iter().position(|&c| c == 0) {
        Some(n) => &form[..n],
        None => form,
    }
}

fn quoted_form(prefix: &str, form: &[u8], suffix: &str) -> FormatError {
    let mut m = prefix.as_bytes().to_vec();
    m.extend_from_slice(c_str(form));
    m.extend_from_slice(suffix.as_bytes());
    FormatError::Error(m)
}

/// Lua's `checkformat`, then parse the (now known to be valid)
/// specification.  `form` is `%`, flags/width/precision, conversion.
fn check_spec(form: &[u8], flags: &[u8], precision: bool) -> Result<Spec, FormatError> {
    let mut i = 1;
    while flags.contains(&at(form, i)) && at(form, i) != 0 {
        i += 1;
    }
    let flags_end = i;
    let two_digits = |mut i: usize| {
        for _ in 0..2 {
            if at(form, i).is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        i
    };
    let mut width_end = i;
    let mut prec_range = None;
    if at(form, i) != b'0' {
        i = two_digits(i);
        width_end = i;
        if at(form, i) == b'.' && precision {
            let start = i + 1;
            i = two_digits(start);
            prec_range = Some((start, i));
        }
    }
    if !at(form, i).is_ascii_alphabetic() {
        return Err(quoted_form(
            "invalid conversion specification: '",
            form,
            "'",
        ));
    }
    let number = |a: usize, b: usize| {
        form[a..b]
            .iter()
            .fold(0usize, |n, &d| n * 10 + (d - b'0') as usize)
    };
    let fl = &form[1..flags_end];
    Ok(Spec {
        minus: fl.contains(&b'-'),
        plus: fl.contains(&b'+'),
        space: fl.contains(&b' '),
        alt: fl.contains(&b'#'),
        zero: fl.contains(&b'0'),
        width: number(flags_end, width_end),
        precision: prec_range.map(|(a, b)| number(a, b)),
    })
}

/// `%q` of a string: Lua's `addquoted`.
pub fn quote_string(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        if c == b'"' || c == b'\\' || c == b'\n' {
            out.push(b'\\');
            out.push(c);
        } else if c < 0x20 || c == 0x7f {
            if s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                out.extend_from_slice(format!("\\{c:03}").as_bytes());
            } else {
                out.extend_from_slice(format!("\\{c}").as_bytes());
            }
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
    out
}

/// `%q` of an integer: decimal, except `math.mininteger` (which has no
/// decimal literal) as `0x8000000000000000`.
pub fn quote_int(i: i64) -> Vec<u8> {
    if i == i64::MIN {
        b"0x8000000000000000".to_vec()
    } else {
        fmt_int(i)
    }
}

/// `%q` of a float: `1e9999`, `-1e9999`, `(0/0)`, else `%a`.
pub fn quote_float(f: f64) -> Vec<u8> {
    if f == f64::INFINITY {
        b"1e9999".to_vec()
    } else if f == f64::NEG_INFINITY {
        b"-1e9999".to_vec()
    } else if f.is_nan() {
        b"(0/0)".to_vec()
    } else {
        format_float(f, b'a', &Spec::default())
    }
}

/// Fetch an integer argument (`luaL_checkinteger`).
fn get_int<A: FormatArgs + ?Sized>(args: &mut A, arg: usize) -> Result<i64, A::Error> {
    match args.number(arg)? {
        Some(n) => n
            .to_int()
            .ok_or_else(|| FormatError::bad(arg, "number has no integer representation").into()),
        None => Err(type_error(args, arg)),
    }
}

/// Fetch a float argument (`luaL_checknumber`).
fn get_float<A: FormatArgs + ?Sized>(args: &mut A, arg: usize) -> Result<f64, A::Error> {
    match args.number(arg)? {
        Some(n) => Ok(n.to_float()),
        None => Err(type_error(args, arg)),
    }
}

fn type_error<A: FormatArgs + ?Sized>(args: &mut A, arg: usize) -> A::Error {
    let mut msg = b"number expected, got ".to_vec();
    msg.extend_from_slice(&args.type_name(arg));
    FormatError::BadArgument { arg, msg }.into()
}

/// `string.format(fmt, ...)`.
pub fn format<A: FormatArgs + ?Sized>(fmt: &[u8], args: &mut A) -> Result<Vec<u8>, A::Error> {
    let mut out = Vec::with_capacity(fmt.len());
    let top = args.count() + 1;
    let mut arg = 1;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if at(fmt, i) == b'%' {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(FormatError::bad(arg, "no value").into());
        }
        // getformat: span flags, digits and '.', then the conversion byte.
        let span = fmt[i..]
            .iter()
            .take_while(|c| b"-+#0 123456789.".contains(c))
            .count();
        let len = span + 1;
        if len >= MAX_FORMAT - 10 {
            return Err(FormatError::Error(b"invalid format (too long)".to_vec()).into());
        }
        let mut form = vec![b'%'];
        form.extend_from_slice(&fmt[i..(i + len).min(fmt.len())]);
        let conv = at(fmt, i + span);
        i += len;
        match conv {
            b'c' => {
                let spec = check_spec(&form, FLAGS_C, false)?;
                let n = get_int(args, arg)?;
                out.extend(pad_text(&[n as u8], &spec));
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let n = get_int(args, arg)?;
                let flags = match conv {
                    b'd' | b'i' => FLAGS_I,
                    b'u' => FLAGS_U,
                    _ => FLAGS_X,
                };
                let spec = check_spec(&form, flags, true)?;
                out.extend(format_int(n, conv, &spec));
            }
            b'a' | b'A' => {
                let spec = check_spec(&form, FLAGS_F, true)?;
                let x = get_float(args, arg)?;
                out.extend(format_float(x, conv, &spec));
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let x = get_float(args, arg)?;
                let spec = check_spec(&form, FLAGS_F, true)?;
                out.extend(format_float(x, conv, &spec));
            }
            b'p' => {
                let p = args.pointer(arg)?;
                let spec = check_spec(&form, FLAGS_C, false)?;
                let text = match p {
                    None => b"(null)".to_vec(),
                    Some(p) => format!("{p:#x}").into_bytes(),
                };
                out.extend(pad_text(&text, &spec));
            }
            b'q' => {
                if form.len() > 2 {
                    return Err(FormatError::Error(
                        b"specifier '%q' cannot have modifiers".to_vec(),
                    )
                    .into());
                }
                match args.literal(arg)? {
                    Literal::Str(s) => out.extend(quote_string(&s)),
                    Literal::Int(n) => out.extend(quote_int(n)),
                    Literal::Float(f) => out.extend(quote_float(f)),
                    Literal::Raw(s) => out.extend(s),
                    Literal::NoLiteral => {
                        return Err(FormatError::bad(arg, "value has no literal form").into());
                    }
                }
            }
            b's' => {
                let s = args.tostring(arg)?;
                if form.len() == 2 {
                    out.extend(s);
                } else {
                    if s.contains(&0) {
                        return Err(FormatError::bad(arg, "string contains zeros").into());
                    }
                    let mut spec = check_spec(&form, FLAGS_C, true)?;
                    if spec.precision.is_none() && s.len() >= 100 {
                        out.extend(s);
                    } else {
                        let keep = spec.precision.map_or(s.len(), |p| p.min(s.len()));
                        spec.precision = None;
                        out.extend(pad_text(&s[..keep], &spec));
                    }
                }
            }
            _ => {
                return Err(quoted_form("invalid conversion '", &form, "' to 'format'").into());
            }
        }
    }
    Ok(out)
}

/// A ready-made [`FormatArgs`] over plain values, for tests and for callers
/// that already have the arguments at hand.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// `nil`.
    Nil,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string's bytes.
    Str(Vec<u8>),
    /// A value of another type (table, function...), with its type name.
    Other(&'static str),
}

impl Arg {
    /// A string value.
    pub fn str(s: impl AsRef<[u8]>) -> Arg {
        Arg::Str(s.as_ref().to_vec())
    }
}

impl FormatArgs for [Arg] {
    type Error = FormatError;

    fn count(&self) -> usize {
        self.len()
    }

    fn number(&mut self, arg: usize) -> Result<Option<Number>, FormatError> {
        Ok(match &self[arg - 2] {
            Arg::Int(i) => Some(Number::Int(*i)),
            Arg::Float(f) => Some(Number::Float(*f)),
            Arg::Str(s) => crate::number::str_to_number(s),
            _ => None,
        })
    }

    fn type_name(&mut self, arg: usize) -> Vec<u8> {
        let name = match &self[arg - 2] {
            Arg::Nil => "nil",
            Arg::Bool(_) => "boolean",
            Arg::Int(_) | Arg::Float(_) => "number",
            Arg::Str(_) => "string",
            Arg::Other(t) => t,
        };
        name.as_bytes().to_vec()
    }

    fn tostring(&mut self, arg: usize) -> Result<Vec<u8>, FormatError> {
        Ok(match &self[arg - 2] {
            Arg::Nil => b"nil".to_vec(),
            Arg::Bool(b) => b.to_string().into_bytes(),
            Arg::Int(i) => fmt_int(*i),
            Arg::Float(f) => fmt_float(*f),
            Arg::Str(s) => s.clone(),
            Arg::Other(t) => format!("{t}: 0x0").into_bytes(),
        })
    }

    fn literal(&mut self, arg: usize) -> Result<Literal, FormatError> {
        Ok(match &self[arg - 2] {
            Arg::Nil => Literal::Raw(b"nil".to_vec()),
            Arg::Bool(b) => Literal::Raw(b.to_string().into_bytes()),
            Arg::Int(i) => Literal::Int(*i),
            Arg::Float(f) => Literal::Float(*f),
            Arg::Str(s) => Literal::Str(s.clone()),
            Arg::Other(_) => Literal::NoLiteral,
        })
    }
}
