//! The basic functions (Lua 5.4 manual §6.1): `print`, `type`, `tostring`, `tonumber`,
//! `pairs`, `ipairs`, `next`, `select`, `error`, `pcall`, `assert`, the metatable and raw
//! functions.

use gcheap::Gc;
use gcheap_lua_strlib as strlib;

use crate::function::{Function, Special};
use crate::table::Table;
use crate::value::Value;
use crate::vm::{Event, LuaError, Vm};
use crate::weak_table::Mode;

use super::{arg, check_int, check_table, native, register, register_special};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers the basic functions in `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    register(vm, globals, "print", print);
    register(vm, globals, "type", type_);
    register(vm, globals, "tostring", tostring);
    register(vm, globals, "tonumber", tonumber);
    register(vm, globals, "pairs", pairs);
    register(vm, globals, "ipairs", ipairs);
    register(vm, globals, "next", next);
    register(vm, globals, "select", select);
    register(vm, globals, "error", error);
    register_special(vm, globals, "pcall", pcall, Special::PCall);
    register(vm, globals, "collectgarbage", collectgarbage);
    register_special(vm, globals, "xpcall", xpcall, Special::XPCall);
    register(vm, globals, "assert", assert);
    register(vm, globals, "setmetatable", setmetatable);
    register(vm, globals, "getmetatable", getmetatable);
    register(vm, globals, "rawget", rawget);
    register(vm, globals, "rawset", rawset);
    register(vm, globals, "rawequal", rawequal);
    register(vm, globals, "rawlen", rawlen);
    let g = vm.str(b"_G");
    globals
        .set(vm.mc, g, Value::Table(globals))
        .expect("a string key");
}

/// `tostring(v)` as Lua prints it, with `__tostring` and `__name`.
pub fn tostring_value<'gc>(vm: &mut Vm<'_, 'gc>, v: Value<'gc>) -> Result<Vec<u8>, LuaError<'gc>> {
    if let Some(h) = vm.metamethod(v, Event::ToString) {
        let r = vm.call(h, vec![v])?;
        return match r.first() {
            Some(Value::Str(s)) => Ok(s.to_vec()),
            Some(n @ (Value::Int(_) | Value::Num(_))) => {
                Ok(crate::vm::to_concat_bytes(*n).expect("a number"))
            }
            _ => Err(vm.plain_error("'__tostring' must return a string")),
        };
    }
    Ok(match v {
        Value::Nil => b"nil".to_vec(),
        Value::Bool(b) => {
            if b {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            }
        }
        Value::Int(i) => strlib::fmt_int(i),
        Value::Num(f) => strlib::fmt_float(f),
        Value::Str(s) => s.to_vec(),
        Value::Table(t) => {
            let name = t
                .metatable()
                .map(|m| m.get(vm.mc, Value::Str(vm.event_name(Event::Name))))
                .and_then(|n| match n {
                    Value::Str(s) => Some(String::from_utf8_lossy(&s).into_owned()),
                    _ => None,
                });
            format!(
                "{}: {:p}",
                name.as_deref().unwrap_or("table"),
                Gc::as_ptr(t)
            )
            .into_bytes()
        }
        Value::Function(f) => match &*f {
            Function::Native(_) | Function::Host(_) => {
                format!("function: builtin: {:p}", Gc::as_ptr(f)).into_bytes()
            }
            Function::Lua(_) | Function::Wrap(_) => {
                format!("function: {:p}", Gc::as_ptr(f)).into_bytes()
            }
        },
        Value::Thread(t) => format!("thread: {:p}", Gc::as_ptr(t)).into_bytes(),
    })
}

fn print<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let mut line = Vec::new();
    for (i, v) in args.iter().enumerate() {
        if i > 0 {
            line.push(b'\t');
        }
        line.extend(tostring_value(vm, *v)?);
    }
    line.push(b'\n');
    vm.out
        .write_all(&line)
        .map_err(|e| vm.plain_error(format!("print: {e}")))?;
    Ok(Vec::new())
}

fn type_<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let Some(v) = args.first() else {
        return Err(vm.plain_error("bad argument #1 to 'type' (value expected)"));
    };
    Ok(vec![vm.str(v.type_name().as_bytes())])
}

fn tostring<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'tostring' (value expected)"));
    }
    let s = tostring_value(vm, args[0])?;
    Ok(vec![vm.str(&s)])
}

fn tonumber<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let v = arg(&args, 0);
    if args.len() >= 2 && !args[1].is_nil() {
        // Lua's order: the base is an integer, then #1 a string, then the base in range.
        let base = check_int(vm, &args, 1, "tonumber")?;
        let Value::Str(s) = v else {
            return Err(vm.plain_error(format!(
                "bad argument #1 to 'tonumber' (string expected, got {})",
                v.type_name()
            )));
        };
        if !(2..=36).contains(&base) {
            return Err(vm.plain_error("bad argument #2 to 'tonumber' (base out of range)"));
        }
        return Ok(vec![
            strlib::str_to_int_base(&s, base as u32).map_or(Value::Nil, Value::Int),
        ]);
    }
    Ok(vec![match v {
        Value::Int(_) | Value::Num(_) => v,
        Value::Str(s) => match strlib::str_to_number(&s) {
            Some(strlib::Number::Int(i)) => Value::Int(i),
            Some(strlib::Number::Float(f)) => Value::Num(f),
            None => Value::Nil,
        },
        _ => {
            if args.is_empty() {
                return Err(vm.plain_error("bad argument #1 to 'tonumber' (value expected)"));
            }
            Value::Nil
        }
    }])
}

fn next<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = check_table(vm, &args, 0, "next")?;
    match t.next(vm.mc, arg(&args, 1)) {
        Ok(Some((k, v))) => Ok(vec![k, v]),
        Ok(None) => Ok(vec![Value::Nil]),
        Err(e) => Err(vm.plain_error(e.to_string())),
    }
}

fn pairs<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let v = arg(&args, 0);
    if let Some(h) = vm.metamethod(v, Event::Pairs) {
        let mut r = vm.call(h, vec![v])?;
        r.resize(3, Value::Nil);
        return Ok(r);
    }
    check_table(vm, &args, 0, "pairs")?;
    let next = native(vm, "next", next);
    Ok(vec![next, v, Value::Nil])
}

fn ipairs_step<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let i = match arg(&args, 1) {
        Value::Int(i) => i.wrapping_add(1),
        _ => 1,
    };
    let v = vm.index(arg(&args, 0), Value::Int(i))?;
    if v.is_nil() {
        Ok(vec![Value::Nil])
    } else {
        Ok(vec![Value::Int(i), v])
    }
}

fn ipairs<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'ipairs' (value expected)"));
    }
    let step = native(vm, "ipairs_step", ipairs_step);
    Ok(vec![step, args[0], Value::Int(0)])
}

fn select<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let n = args.len() as i64 - 1;
    if let Value::Str(s) = arg(&args, 0)
        && &s[..] == b"#"
    {
        return Ok(vec![Value::Int(n)]);
    }
    let i = check_int(vm, &args, 0, "select")?;
    if i < 0 {
        if -i > n {
            return Err(vm.plain_error("bad argument #1 to 'select' (index out of range)"));
        }
        return Ok(args[(n + i + 1) as usize..].to_vec());
    }
    if i == 0 {
        return Err(vm.plain_error("bad argument #1 to 'select' (index out of range)"));
    }
    Ok(args
        .get(i as usize..)
        .map(|s| s.to_vec())
        .unwrap_or_default())
}

fn error<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let v = arg(&args, 0);
    let level = match arg(&args, 1) {
        Value::Int(l) => l,
        _ => 1,
    };
    if let Value::Str(s) = v
        && level > 0
    {
        return Err(vm.error_at_level(level as usize, &String::from_utf8_lossy(&s)));
    }
    Err(LuaError::new(v))
}

fn pcall<'gc>(vm: &mut Vm<'_, 'gc>, mut args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'pcall' (value expected)"));
    }
    let f = args.remove(0);
    match vm.call(f, args) {
        Ok(mut r) => {
            r.insert(0, Value::Bool(true));
            Ok(r)
        }
        Err(e) => Ok(vec![Value::Bool(false), vm.error_value(&e)]),
    }
}

fn xpcall<'gc>(vm: &mut Vm<'_, 'gc>, mut args: Vec<Value<'gc>>) -> R<'gc> {
    if args.len() < 2 {
        return Err(vm.plain_error("bad argument #2 to 'xpcall' (value expected)"));
    }
    let f = args.remove(0);
    let handler = args.remove(0);
    match vm.call(f, args) {
        Ok(mut r) => {
            r.insert(0, Value::Bool(true));
            Ok(r)
        }
        Err(e) => {
            let err = vm.error_value(&e);
            let mut r = match vm.call(handler, vec![err]) {
                Ok(r) => r,
                Err(e2) => vec![vm.error_value(&e2)],
            };
            r.truncate(1);
            r.resize(1, Value::Nil);
            r.insert(0, Value::Bool(false));
            Ok(r)
        }
    }
}

fn assert<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'assert' (value expected)"));
    }
    if args[0].truthy() {
        return Ok(args);
    }
    match args.get(1) {
        None => Err(vm.error_at_level(1, "assertion failed!")),
        Some(Value::Str(s)) => Err(vm.error_at_level(1, &String::from_utf8_lossy(s))),
        Some(v) => Err(LuaError::new(*v)),
    }
}

fn setmetatable<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = check_table(vm, &args, 0, "setmetatable")?;
    let mt = match arg(&args, 1) {
        Value::Nil => None,
        Value::Table(m) => Some(m),
        other => {
            return Err(vm.plain_error(format!(
                "bad argument #2 to 'setmetatable' (nil or table expected, got {})",
                if args.len() < 2 {
                    "no value"
                } else {
                    other.type_name()
                }
            )));
        }
    };
    if let Some(old) = t.metatable()
        && !old
            .get(vm.mc, Value::Str(vm.event_name(Event::Metatable)))
            .is_nil()
    {
        return Err(vm.plain_error("cannot change a protected metatable"));
    }
    t.data.borrow_mut(vm.mc).metatable = mt;
    let mode = mt
        .and_then(|m| vm.meta_field(m, Event::Mode))
        .unwrap_or(Value::Nil);
    t.set_mode(vm.mc, Mode::of(mode));
    if let Some(m) = mt {
        vm.mark_for_finalization(t, m);
    }
    Ok(vec![args[0]])
}

fn getmetatable<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let mt = match arg(&args, 0) {
        Value::Table(t) => t.metatable(),
        Value::Str(_) => vm.rt.string_meta,
        _ => None,
    };
    Ok(vec![match mt {
        None => Value::Nil,
        Some(m) => {
            let protected = m.get(vm.mc, Value::Str(vm.event_name(Event::Metatable)));
            if protected.is_nil() {
                Value::Table(m)
            } else {
                protected
            }
        }
    }])
}

fn rawget<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = check_table(vm, &args, 0, "rawget")?;
    Ok(vec![t.get(vm.mc, arg(&args, 1))])
}

fn rawset<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = check_table(vm, &args, 0, "rawset")?;
    t.set(vm.mc, arg(&args, 1), arg(&args, 2))
        .map_err(|e| vm.plain_error(e.message()))?;
    Ok(vec![args[0]])
}

fn rawequal<'gc>(_vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Bool(arg(&args, 0).raw_eq(&arg(&args, 1)))])
}

fn rawlen<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    match arg(&args, 0) {
        Value::Table(t) => Ok(vec![Value::Int(t.data.borrow().length())]),
        Value::Str(s) => Ok(vec![Value::Int(s.len() as i64)]),
        other => Err(vm.plain_error(format!(
            "bad argument #1 to 'rawlen' (table or string expected, got {})",
            if args.is_empty() {
                "no value"
            } else {
                other.type_name()
            }
        ))),
    }
}

fn collectgarbage<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let option = match arg(&args, 0) {
        Value::Nil => b"collect".to_vec(),
        Value::Str(s) => s.to_vec(),
        other => {
            return Err(vm.plain_error(format!(
                "bad argument #1 to 'collectgarbage' (string expected, got {})",
                other.type_name()
            )));
        }
    };
    Ok(vec![match &option[..] {
        b"collect" | b"step" => {
            // The driver runs the cycle once this call returns (see `vm::finalize`).
            vm.rt.gc.collect_requested = true;
            if option == b"step" {
                Value::Bool(true)
            } else {
                Value::Int(0)
            }
        }
        b"count" => Value::Num(vm.mc.heap().heap_live() as f64 / 1024.0),
        b"stop" => {
            vm.stop_collector();
            Value::Int(0)
        }
        b"restart" => {
            vm.restart_collector();
            Value::Int(0)
        }
        b"isrunning" => Value::Bool(vm.collector_running()),
        b"incremental" | b"generational" => {
            let was = std::mem::replace(&mut vm.rt.gc.generational, option == b"generational");
            vm.str(if was { b"generational" } else { b"incremental" })
        }
        b"setpause" | b"setstepmul" => Value::Int(0),
        _ => {
            return Err(vm.plain_error(format!(
                "bad argument #1 to 'collectgarbage' (invalid option '{}')",
                String::from_utf8_lossy(&option)
            )));
        }
    }])
}
