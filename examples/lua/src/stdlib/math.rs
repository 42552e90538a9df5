//! The math library (Lua 5.4 manual §6.7), the subset the interpreter offers.

use gcheap::Gc;
use gcheap_lua_strlib as strlib;

use crate::table::Table;
use crate::value::{Value, float_to_int};
use crate::vm::{LuaError, Vm};

use super::{arg, register};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers `math` in `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    let lib = Table::new(vm.mc, 0, 32);
    register(vm, lib, "math.floor", floor);
    register(vm, lib, "math.ceil", ceil);
    register(vm, lib, "math.abs", abs);
    register(vm, lib, "math.max", max);
    register(vm, lib, "math.min", min);
    register(vm, lib, "math.sqrt", sqrt);
    register(vm, lib, "math.exp", exp);
    register(vm, lib, "math.log", log);
    register(vm, lib, "math.sin", sin);
    register(vm, lib, "math.cos", cos);
    register(vm, lib, "math.tan", tan);
    register(vm, lib, "math.asin", asin);
    register(vm, lib, "math.acos", acos);
    register(vm, lib, "math.atan", atan);
    register(vm, lib, "math.ult", ult);
    register(vm, lib, "math.fmod", fmod);
    register(vm, lib, "math.modf", modf);
    register(vm, lib, "math.tointeger", tointeger);
    register(vm, lib, "math.type", type_);
    let consts = [
        ("huge", Value::Num(f64::INFINITY)),
        ("pi", Value::Num(std::f64::consts::PI)),
        ("maxinteger", Value::Int(i64::MAX)),
        ("mininteger", Value::Int(i64::MIN)),
    ];
    for (name, v) in consts {
        let k = vm.str(name.as_bytes());
        lib.set(vm.mc, k, v).expect("a string key");
    }
    let k = vm.str(b"math");
    globals
        .set(vm.mc, k, Value::Table(lib))
        .expect("a string key");
}

fn number<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<strlib::Number, LuaError<'gc>> {
    match arg(args, i) {
        Value::Int(n) => Ok(strlib::Number::Int(n)),
        Value::Num(x) => Ok(strlib::Number::Float(x)),
        Value::Str(s) => strlib::str_to_number(&s).ok_or_else(|| {
            vm.plain_error(format!(
                "bad argument #{} to '{f}' (number expected, got string)",
                i + 1
            ))
        }),
        _ => Err(vm.plain_error(format!(
            "bad argument #{} to '{f}' (number expected, got {})",
            i + 1,
            args.get(i).map_or("no value", |v| v.type_name())
        ))),
    }
}

fn float<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<f64, LuaError<'gc>> {
    number(vm, args, i, f).map(|n| n.to_float())
}

fn num_value<'gc>(n: strlib::Number) -> Value<'gc> {
    match n {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => Value::Num(f),
    }
}

fn floor<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number(vm, &args, 0, "floor")? {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => num_value(strlib::math_floor(f)),
    }])
}

fn ceil<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number(vm, &args, 0, "ceil")? {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => num_value(strlib::math_ceil(f)),
    }])
}

fn abs<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number(vm, &args, 0, "abs")? {
        strlib::Number::Int(i) => Value::Int(i.wrapping_abs()),
        strlib::Number::Float(f) => Value::Num(f.abs()),
    }])
}

fn extreme<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>, name: &str, want_max: bool) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error(format!("bad argument #1 to '{name}' (value expected)")));
    }
    let mut best = args[0];
    for &v in &args[1..] {
        let better = if want_max {
            vm.less(best, v, false)?
        } else {
            vm.less(v, best, false)?
        };
        if better {
            best = v;
        }
    }
    Ok(vec![best])
}

fn max<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    extreme(vm, args, "max", true)
}

fn min<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    extreme(vm, args, "min", false)
}

fn sqrt<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "sqrt")?.sqrt())])
}

fn exp<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "exp")?.exp())])
}

fn log<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let x = float(vm, &args, 0, "log")?;
    let r = if arg(&args, 1).is_nil() {
        x.ln()
    } else {
        let b = float(vm, &args, 1, "log")?;
        if b == 2.0 {
            x.log2()
        } else if b == 10.0 {
            x.log10()
        } else {
            x.ln() / b.ln()
        }
    };
    Ok(vec![Value::Num(r)])
}

fn sin<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "sin")?.sin())])
}

fn cos<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "cos")?.cos())])
}

fn tan<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "tan")?.tan())])
}

fn asin<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "asin")?.asin())])
}

fn acos<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "acos")?.acos())])
}

fn atan<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let y = float(vm, &args, 0, "atan")?;
    let x = if arg(&args, 1).is_nil() {
        1.0
    } else {
        float(vm, &args, 1, "atan")?
    };
    Ok(vec![Value::Num(y.atan2(x))])
}

fn ult<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let a = super::check_int(vm, &args, 0, "ult")?;
    let b = super::check_int(vm, &args, 1, "ult")?;
    Ok(vec![Value::Bool((a as u64) < (b as u64))])
}

fn fmod<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    match (number(vm, &args, 0, "fmod")?, number(vm, &args, 1, "fmod")?) {
        (strlib::Number::Int(a), strlib::Number::Int(b)) => {
            if b == 0 {
                return Err(vm.plain_error("bad argument #2 to 'fmod' (zero)"));
            }
            Ok(vec![Value::Int(if b == -1 { 0 } else { a % b })])
        }
        (a, b) => Ok(vec![Value::Num(a.to_float() % b.to_float())]),
    }
}

fn modf<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let x = float(vm, &args, 0, "modf")?;
    let int = if x.is_infinite() { x } else { x.trunc() };
    let frac = if x.is_infinite() { 0.0 } else { x - int };
    // Lua 5.4 returns the integral part as an integer when it fits (`l_mathop(floor)` then
    // `lua_Number` to integer in `math_modf`'s "float" result: printed as "3").
    let int_v = match float_to_int(int) {
        Some(i) if !x.is_infinite() => Value::Int(i),
        _ => Value::Num(int),
    };
    Ok(vec![int_v, Value::Num(frac)])
}

fn tointeger<'gc>(_vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match arg(&args, 0) {
        Value::Int(i) => Value::Int(i),
        Value::Num(f) => float_to_int(f).map_or(Value::Nil, Value::Int),
        _ => Value::Nil,
    }])
}

fn type_<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'type' (value expected)"));
    }
    Ok(vec![match args[0] {
        Value::Int(_) => vm.str(b"integer"),
        Value::Num(_) => vm.str(b"float"),
        _ => Value::Nil,
    }])
}
