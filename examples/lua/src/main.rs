//! `gcheap-lua script.lua [args...]`: runs a Lua script on a gcheap heap.

use std::io::Write;
use std::process::ExitCode;

use gcheap_lua::Lua;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: gcheap-lua script.lua [args...]");
        return ExitCode::from(2);
    };
    let source = match std::fs::read(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gcheap-lua: cannot open {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let source = gcheap_lua_syntax::strip_file_prefix(&source);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut lua = Lua::new();
    lua.set_args(path, &args[2..]);
    let result = lua.run(&source, path, &mut out);
    if let Err(msg) = &result {
        let _ = out.flush();
        eprintln!("gcheap-lua: {msg}");
    }
    // As `lua` does at exit: objects still marked for finalization are finalized.
    lua.close(&mut out);
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}
