//! `piccolo-runner script.lua [args...]`: runs a Lua script to completion on piccolo, for the
//! benchmark comparison in `examples/lua/bench/run.sh`.
//!
//! Like `lua script.lua args...`: the global `arg` is a table with the script's path at `arg[0]`
//! and the arguments as strings at `arg[1..]`, and the script's chunk gets them as `...` too. The
//! standard library is piccolo's whole one (`Lua::full`: base, coroutine, math, string, table
//! and `print`). Errors go to stderr, with exit status 1.

use std::process::ExitCode;

use piccolo::{Closure, Executor, Fuel, Lua, StaticError, Table, Variadic};

/// How much fuel the executor gets per step; between steps the arena is left, which is when
/// piccolo collects garbage (what `Lua::finish` does, with the same figure).
const FUEL_PER_STEP: i32 = 4096;

fn run(path: &str, source: Vec<u8>, args: &[String]) -> Result<(), StaticError> {
    // A leading `#!` line is skipped, as `lua` does.
    let source = if source.starts_with(b"#") {
        let end = source.iter().position(|&b| b == b'\n').unwrap_or(source.len());
        // Keep the newline so line numbers in messages stay right.
        source[end..].to_vec()
    } else {
        source
    };

    let mut lua = Lua::full();
    let executor = lua.try_enter(|ctx| {
        let arg = Table::new(&ctx);
        arg.set(ctx, 0, ctx.intern(path.as_bytes()))?;
        for (i, a) in args.iter().enumerate() {
            arg.set(ctx, i as i64 + 1, ctx.intern(a.as_bytes()))?;
        }
        ctx.set_global("arg", arg)?;
        let chunk = Closure::load(ctx, Some(path), &source[..])?;
        let chunk_args: Vec<_> = args.iter().map(|a| ctx.intern(a.as_bytes())).collect();
        Ok(ctx.stash(Executor::start(ctx, chunk.into(), Variadic(chunk_args))))
    })?;

    // Step the executor until the main thread finishes; each `enter` may do a slice of
    // incremental collection on the way out.
    loop {
        let mut fuel = Fuel::with(FUEL_PER_STEP);
        if lua.enter(|ctx| ctx.fetch(&executor).step(ctx, &mut fuel)) {
            break;
        }
    }
    lua.try_enter(|ctx| ctx.fetch(&executor).take_result::<()>(ctx)?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: piccolo-runner script.lua [args...]");
        return ExitCode::from(2);
    };
    let source = match std::fs::read(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("piccolo-runner: cannot open {path}: {e}");
            return ExitCode::from(1);
        }
    };
    match run(path, source, &args[2..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("piccolo-runner: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
