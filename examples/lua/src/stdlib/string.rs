//! The string library (Lua 5.4 manual §6.4) over `gcheap-lua-strlib`'s byte-level core, and the
//! string metatable that makes `s:upper()` work.

use gcheap::Gc;
use gcheap_lua_strlib as strlib;

use crate::table::Table;
use crate::value::Value;
use crate::vm::{LuaError, Vm};

use super::{arg, base::tostring_value, check_int, register};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers `string` in `globals` and returns the string metatable (`{__index = string}`).
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) -> Gc<'gc, Table<'gc>> {
    let lib = Table::new(vm.mc, 0, 16);
    register(vm, lib, "string.len", len);
    register(vm, lib, "string.sub", sub);
    register(vm, lib, "string.upper", upper);
    register(vm, lib, "string.lower", lower);
    register(vm, lib, "string.rep", rep);
    register(vm, lib, "string.reverse", reverse);
    register(vm, lib, "string.byte", byte);
    register(vm, lib, "string.char", char);
    register(vm, lib, "string.format", format);
    register(vm, lib, "string.find", find);
    register(vm, lib, "string.match", match_);
    register(vm, lib, "string.gsub", gsub);
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"string"));
    globals
        .set(vm.mc, k, Value::Table(lib))
        .expect("a string key");
    let meta = Table::new(vm.mc, 0, 1);
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"__index"));
    meta.set(vm.mc, k, Value::Table(lib)).expect("a string key");
    meta
}

/// Argument `i` as a string (numbers converted, as Lua does).
fn check_str<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<Vec<u8>, LuaError<'gc>> {
    match arg(args, i) {
        Value::Str(s) => Ok(s.to_vec()),
        v @ (Value::Int(_) | Value::Num(_)) => Ok(crate::vm::to_concat_bytes(v).expect("a number")),
        _ => Err(vm.plain_error(format!(
            "bad argument #{} to '{f}' (string expected, got {})",
            i + 1,
            super::got(args, i)
        ))),
    }
}

fn opt_int<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
    default: i64,
) -> Result<i64, LuaError<'gc>> {
    if arg(args, i).is_nil() {
        Ok(default)
    } else {
        check_int(vm, args, i, f)
    }
}

fn len<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Int(
        check_str(vm, &args, 0, "len")?.len() as i64
    )])
}

fn sub<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "sub")?;
    let i = check_int(vm, &args, 1, "sub")?;
    let j = opt_int(vm, &args, 2, "sub", -1)?;
    Ok(vec![vm.str(strlib::sub(&s, i, j))])
}

fn upper<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "upper")?;
    Ok(vec![vm.str(&strlib::upper(&s))])
}

fn lower<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "lower")?;
    Ok(vec![vm.str(&strlib::lower(&s))])
}

fn reverse<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "reverse")?;
    Ok(vec![vm.str(&strlib::reverse(&s))])
}

fn rep<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "rep")?;
    let n = check_int(vm, &args, 1, "rep")?;
    let sep = if arg(&args, 2).is_nil() {
        Vec::new()
    } else {
        check_str(vm, &args, 2, "rep")?
    };
    match strlib::rep(&s, n, &sep) {
        Ok(r) => Ok(vec![vm.str(&r)]),
        Err(_) => Err(vm.plain_error("resulting string too large")),
    }
}

fn byte<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "byte")?;
    let i = opt_int(vm, &args, 1, "byte", 1)?;
    let j = opt_int(vm, &args, 2, "byte", i)?;
    Ok(strlib::byte(&s, i, j)
        .iter()
        .map(|&b| Value::Int(b as i64))
        .collect())
}

fn char<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let mut codes = Vec::new();
    for i in 0..args.len() {
        codes.push(check_int(vm, &args, i, "char")?);
    }
    match strlib::char(&codes) {
        Ok(s) => Ok(vec![vm.str(&s)]),
        Err(i) => Err(vm.plain_error(format!(
            "bad argument #{} to 'char' (value out of range)",
            i + 1
        ))),
    }
}

/// `string.format`'s arguments, converted on demand (`arg` is Lua's index: the format string is
/// 1).
struct FormatArgs<'v, 'a, 'gc> {
    vm: &'v mut Vm<'a, 'gc>,
    args: &'v [Value<'gc>],
}

impl<'gc> FormatArgs<'_, '_, 'gc> {
    fn get(&self, arg: usize) -> Value<'gc> {
        self.args.get(arg - 2).copied().unwrap_or(Value::Nil)
    }
}

impl<'gc> strlib::FormatArgs for FormatArgs<'_, '_, 'gc> {
    type Error = Failure<'gc>;

    fn count(&self) -> usize {
        self.args.len()
    }

    fn number(&mut self, arg: usize) -> Result<Option<strlib::Number>, Self::Error> {
        Ok(match self.get(arg) {
            Value::Int(i) => Some(strlib::Number::Int(i)),
            Value::Num(f) => Some(strlib::Number::Float(f)),
            Value::Str(s) => strlib::str_to_number(&s),
            _ => None,
        })
    }

    fn type_name(&mut self, arg: usize) -> Vec<u8> {
        self.get(arg).type_name().as_bytes().to_vec()
    }

    fn tostring(&mut self, arg: usize) -> Result<Vec<u8>, Self::Error> {
        let v = self.get(arg);
        tostring_value(self.vm, v).map_err(Failure::Lua)
    }

    fn literal(&mut self, arg: usize) -> Result<strlib::Literal, Self::Error> {
        Ok(match self.get(arg) {
            Value::Str(s) => strlib::Literal::Str(s.to_vec()),
            Value::Int(i) => strlib::Literal::Int(i),
            Value::Num(f) => strlib::Literal::Float(f),
            Value::Nil => strlib::Literal::Raw(b"nil".to_vec()),
            Value::Bool(b) => strlib::Literal::Raw(if b {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            }),
            _ => strlib::Literal::NoLiteral,
        })
    }
}

/// A failure of the strlib (format or pattern), or an error a metamethod or callback raised.
enum Failure<'gc> {
    Format(strlib::FormatError),
    Pattern(strlib::PatternError),
    Lua(LuaError<'gc>),
}

impl From<strlib::FormatError> for Failure<'_> {
    fn from(e: strlib::FormatError) -> Self {
        Failure::Format(e)
    }
}

impl From<strlib::PatternError> for Failure<'_> {
    fn from(e: strlib::PatternError) -> Self {
        Failure::Pattern(e)
    }
}

impl<'gc> Failure<'gc> {
    fn into_error(self, vm: &Vm<'_, 'gc>) -> LuaError<'gc> {
        match self {
            Failure::Format(e) => vm.plain_error(String::from_utf8_lossy(&e.message())),
            Failure::Pattern(e) => vm.plain_error(e.to_string()),
            Failure::Lua(e) => e,
        }
    }
}

fn format<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let fmt = check_str(vm, &args, 0, "format")?;
    let rest = &args[1..];
    let mut fa = FormatArgs { vm, args: rest };
    match strlib::format(&fmt, &mut fa) {
        Ok(s) => Ok(vec![vm.str(&s)]),
        Err(e) => Err(e.into_error(vm)),
    }
}

fn capture_value<'gc>(vm: &Vm<'_, 'gc>, s: &[u8], c: strlib::Capture) -> Value<'gc> {
    match c {
        strlib::Capture::Str(a, b) => vm.str(&s[a..b]),
        strlib::Capture::Position(p) => Value::Int(p as i64),
    }
}

fn captures_to_values<'gc>(
    vm: &Vm<'_, 'gc>,
    s: &[u8],
    caps: &[strlib::Capture],
    whole: (usize, usize),
) -> Vec<Value<'gc>> {
    if caps.is_empty() {
        return vec![vm.str(&s[whole.0..whole.1])];
    }
    caps.iter().map(|c| capture_value(vm, s, *c)).collect()
}

fn find_impl<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>, find: bool) -> R<'gc> {
    let name = if find { "find" } else { "match" };
    let s = check_str(vm, &args, 0, name)?;
    let p = check_str(vm, &args, 1, name)?;
    let init = opt_int(vm, &args, 2, name, 1)?;
    let plain = find && arg(&args, 3).truthy();
    match strlib::find(&s, &p, init, plain) {
        Err(e) => Err(vm.plain_error(e.to_string())),
        Ok(None) => Ok(vec![Value::Nil]),
        Ok(Some(m)) => {
            if find {
                let mut r = vec![Value::Int(m.start as i64 + 1), Value::Int(m.end as i64)];
                if !m.captures.is_empty() {
                    r.extend(captures_to_values(vm, &s, &m.captures, (m.start, m.end)));
                }
                Ok(r)
            } else {
                Ok(captures_to_values(vm, &s, &m.captures, (m.start, m.end)))
            }
        }
    }
}

fn find<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    find_impl(vm, args, true)
}

fn match_<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    find_impl(vm, args, false)
}

fn gsub<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let s = check_str(vm, &args, 0, "gsub")?;
    let p = check_str(vm, &args, 1, "gsub")?;
    let max = if arg(&args, 3).is_nil() {
        None
    } else {
        Some(check_int(vm, &args, 3, "gsub")?.max(0) as usize)
    };
    let repl = arg(&args, 2);
    let result = match repl {
        Value::Str(_) | Value::Int(_) | Value::Num(_) => {
            let r = check_str(vm, &args, 2, "gsub")?;
            strlib::gsub_str(&s, &p, &r, max).map_err(|e| vm.plain_error(e.to_string()))?
        }
        Value::Table(_) | Value::Function(_) => {
            let r = strlib::gsub(&s, &p, max, &mut |caps: &strlib::Captures<'_>| {
                let v = match repl {
                    Value::Table(_) => {
                        let first = capture_value(vm, caps.subject(), caps.get(0)?);
                        vm.index(repl, first)
                    }
                    _ => {
                        let all: Vec<Value<'gc>> = caps
                            .all()?
                            .into_iter()
                            .map(|c| capture_value(vm, caps.subject(), c))
                            .collect();
                        vm.call(repl, all)
                            .map(|r| r.first().copied().unwrap_or(Value::Nil))
                    }
                };
                match v.map_err(Failure::Lua)? {
                    Value::Nil | Value::Bool(false) => Ok(None),
                    Value::Str(s) => Ok(Some(s.to_vec())),
                    n @ (Value::Int(_) | Value::Num(_)) => {
                        Ok(Some(crate::vm::to_concat_bytes(n).expect("a number")))
                    }
                    other => Err(Failure::Lua(vm.plain_error(format!(
                        "invalid replacement value (a {})",
                        other.type_name()
                    )))),
                }
            });
            r.map_err(|e| e.into_error(vm))?
        }
        _ => {
            return Err(vm.plain_error(format!(
                "bad argument #3 to 'gsub' (string/function/table expected, got {})",
                repl.type_name()
            )));
        }
    };
    Ok(vec![vm.str(&result.0), Value::Int(result.1 as i64)])
}
