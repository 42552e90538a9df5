//! The `coroutine` library. Resuming and yielding from Lua code are switches of the
//! interpreter loop (see `vm::coroutine`); the natives here serve calls from other natives and
//! everything else.

use gcheap::Gc;

use crate::function::{Function, Special};
use crate::table::Table;
use crate::value::Value;
use crate::vm::{LuaError, Thread, Vm};

use super::{arg, register, register_special};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Adds the `coroutine` table to `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    let t = Table::new(vm.mc, 0, 8);
    register(vm, t, "coroutine.create", create);
    register_special(vm, t, "coroutine.resume", resume, Special::Resume);
    register_special(vm, t, "coroutine.yield", yield_, Special::Yield);
    register(vm, t, "coroutine.status", status);
    register(vm, t, "coroutine.wrap", wrap);
    register(vm, t, "coroutine.isyieldable", isyieldable);
    register(vm, t, "coroutine.running", running);
    register(vm, t, "coroutine.close", close);
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"coroutine"));
    globals
        .set(vm.mc, k, Value::Table(t))
        .expect("a string key");
}

fn check_thread<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    fname: &str,
) -> Result<Gc<'gc, Thread<'gc>>, LuaError<'gc>> {
    match arg(args, 0) {
        Value::Thread(t) => Ok(t),
        _ => Err(vm.plain_error(format!(
            "bad argument #1 to '{fname}' (thread expected, got {})",
            super::got(args, 0)
        ))),
    }
}

fn check_function<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    fname: &str,
) -> Result<Value<'gc>, LuaError<'gc>> {
    match arg(args, 0) {
        f @ Value::Function(_) => Ok(f),
        _ => Err(vm.plain_error(format!(
            "bad argument #1 to '{fname}' (function expected, got {})",
            super::got(args, 0)
        ))),
    }
}

fn create<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let f = check_function(vm, &args, "create")?;
    Ok(vec![Value::Thread(Thread::new(vm.mc, f))])
}

fn resume<'gc>(vm: &mut Vm<'_, 'gc>, mut args: Vec<Value<'gc>>) -> R<'gc> {
    let co = check_thread(vm, &args, "resume")?;
    args.remove(0);
    vm.resume_nested(co, args, false)
}

fn yield_<'gc>(vm: &mut Vm<'_, 'gc>, _args: Vec<Value<'gc>>) -> R<'gc> {
    // A yield from Lua code is the loop's; one from a native must suspend a Rust frame.
    Err(vm.plain_error(if vm.is_main() {
        "attempt to yield from outside a coroutine"
    } else {
        "attempt to yield across a C-call boundary"
    }))
}

fn status<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let co = check_thread(vm, &args, "status")?;
    Ok(vec![vm.str(co.status().name().as_bytes())])
}

fn wrap<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let f = check_function(vm, &args, "wrap")?;
    let co = Thread::new(vm.mc, f);
    Ok(vec![Value::Function(Gc::new(vm.mc, Function::Wrap(co)))])
}

fn isyieldable<'gc>(vm: &mut Vm<'_, 'gc>, _args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Bool(vm.yieldable())])
}

fn running<'gc>(vm: &mut Vm<'_, 'gc>, _args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Thread(vm.running()), Value::Bool(vm.is_main())])
}

fn close<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let co = check_thread(vm, &args, "close")?;
    Ok(match vm.close_coroutine(co)? {
        None => vec![Value::Bool(true)],
        Some(e) => vec![Value::Bool(false), e],
    })
}
