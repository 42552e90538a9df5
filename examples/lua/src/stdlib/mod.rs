//! The standard library: what a script finds in its globals.

pub mod base;
pub mod coroutine;
pub mod math;
pub mod os;
pub mod string;
pub mod table;

use gcheap::Gc;

use crate::function::{Function, Native, Special};
use crate::table::Table;
use crate::value::Value;
use crate::vm::{LuaError, NativeFn, Vm};

/// Argument `i` (0-based), nil if absent.
pub fn arg<'gc>(args: &[Value<'gc>], i: usize) -> Value<'gc> {
    args.get(i).copied().unwrap_or(Value::Nil)
}

/// A native function value.
pub fn native<'gc>(vm: &Vm<'_, 'gc>, name: &'static str, call: NativeFn) -> Value<'gc> {
    special_native(vm, name, call, Special::No)
}

/// A native function value that the interpreter loop runs itself when Lua code calls it.
pub fn special_native<'gc>(
    vm: &Vm<'_, 'gc>,
    name: &'static str,
    call: NativeFn,
    special: Special,
) -> Value<'gc> {
    Value::Function(Gc::new(
        vm.mc,
        Function::Native(Native {
            name,
            call,
            special,
        }),
    ))
}

/// Sets `table[key]` to a native function, where `name` is `key` or `lib.key`: the name error
/// messages use when the function is not called from Lua code by its field (`'string.sub'`).
pub fn register<'gc>(
    vm: &mut Vm<'_, 'gc>,
    table: Gc<'gc, Table<'gc>>,
    name: &'static str,
    call: NativeFn,
) {
    register_special(vm, table, name, call, Special::No);
}

/// [`register`] for a native the interpreter loop runs itself when Lua code calls it.
pub fn register_special<'gc>(
    vm: &mut Vm<'_, 'gc>,
    table: Gc<'gc, Table<'gc>>,
    name: &'static str,
    call: NativeFn,
    special: Special,
) {
    let f = special_native(vm, name, call, special);
    let key = name.rsplit('.').next().expect("a name");
    let k = Value::Str(vm.rt.strings.intern(vm.mc, key.as_bytes()));
    table.set(vm.mc, k, f).expect("a string key");
}

/// Lua's name for a missing or mistyped argument.
pub(crate) fn got(args: &[Value<'_>], i: usize) -> &'static str {
    args.get(i).map_or("no value", |v| v.type_name())
}

/// Argument `i` as a table.
pub fn check_table<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    fname: &str,
) -> Result<Gc<'gc, Table<'gc>>, LuaError<'gc>> {
    match arg(args, i) {
        Value::Table(t) => Ok(t),
        _ => Err(vm.plain_error(format!(
            "bad argument #{} to '{fname}' (table expected, got {})",
            i + 1,
            got(args, i)
        ))),
    }
}

/// Argument `i` as an integer (floats with an integral value and numeric strings accepted).
pub fn check_int<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    fname: &str,
) -> Result<i64, LuaError<'gc>> {
    match arg(args, i) {
        Value::Int(n) => Ok(n),
        Value::Num(f) => crate::value::float_to_int(f).ok_or_else(|| {
            vm.plain_error(format!(
                "bad argument #{} to '{fname}' (number has no integer representation)",
                i + 1
            ))
        }),
        Value::Str(s) => match gcheap_lua_strlib::str_to_number(&s) {
            Some(gcheap_lua_strlib::Number::Int(n)) => Ok(n),
            Some(gcheap_lua_strlib::Number::Float(f)) => {
                crate::value::float_to_int(f).ok_or_else(|| {
                    vm.plain_error(format!(
                        "bad argument #{} to '{fname}' (number has no integer representation)",
                        i + 1
                    ))
                })
            }
            None => Err(vm.plain_error(format!(
                "bad argument #{} to '{fname}' (number expected, got string)",
                i + 1
            ))),
        },
        _ => Err(vm.plain_error(format!(
            "bad argument #{} to '{fname}' (number expected, got {})",
            i + 1,
            got(args, i)
        ))),
    }
}
