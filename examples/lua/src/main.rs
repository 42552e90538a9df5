//! `gcheap-lua script.lua [args...]`: runs a Lua script on a gcheap heap. With
//! `GCHEAP_LUA_STATS=1` it prints the collector's figures to stderr at exit.

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
    let heap = gcheap::Heap::default();
    let mut lua = Lua::on_heap(&heap);
    lua.set_args(path, &args[2..]);
    let result = lua.run(&source, path, &mut out);
    if let Err(msg) = &result {
        let _ = out.flush();
        eprintln!("gcheap-lua: {msg}");
    }
    // As `lua` does at exit: objects still marked for finalization are finalized.
    lua.close(&mut out);
    let _ = out.flush();
    if std::env::var_os("GCHEAP_LUA_STATS").is_some() {
        // The collector's figures, for benchmarks.
        let s = heap.mem_stats();
        eprintln!(
            "gcheap-lua: {} cycles, worst pause {:.3} ms, worst stop {:.3} ms, heap {} KiB at exit",
            s.num_gc,
            s.max_pause_ns as f64 / 1e6,
            s.max_stopping_ns as f64 / 1e6,
            s.heap_alloc / 1024
        );
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}
