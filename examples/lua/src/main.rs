//! `gcheap-lua`: runs Lua on a gcheap heap.
//!
//! - `gcheap-lua script.lua [args...]` runs a script (its arguments in `arg` and `...`);
//! - `gcheap-lua` with no script reads statements from standard input, as `lua`'s REPL does
//!   (an expression's values are printed; an incomplete statement continues on the next line);
//! - `gcheap-lua --threads N script.lua [args...]` runs N copies of the script at once, each a
//!   Lua state on its own OS thread and all of them mutators of one heap, so one concurrent
//!   collector serves them all; each copy's output is printed after all finish, in order.
//!
//! With `GCHEAP_LUA_STATS=1` it prints the collector's figures to stderr at exit.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use gcheap::Heap;
use gcheap_lua::Lua;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let heap = Heap::default();
    let code = match args.first().map(String::as_str) {
        None => repl(&heap),
        Some("--threads") => {
            let n = args.get(1).and_then(|n| n.parse::<usize>().ok());
            match (n, args.get(2)) {
                (Some(n), Some(path)) if n > 0 => run_threads(&heap, n, path, &args[3..]),
                _ => {
                    eprintln!("usage: gcheap-lua --threads N script.lua [args...] (N >= 1)");
                    ExitCode::from(2)
                }
            }
        }
        Some(path) => run_script(&heap, path, &args[1..]),
    };
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
    code
}

fn read_script(path: &str) -> Result<Vec<u8>, ExitCode> {
    match std::fs::read(path) {
        Ok(s) => Ok(gcheap_lua_syntax::strip_file_prefix(&s).into_owned()),
        Err(e) => {
            eprintln!("gcheap-lua: cannot open {path}: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// Runs one script on `heap`, printing to `out` (an uncaught error to stderr, as `lua` does);
/// whether it ran without error.
fn run_on(heap: &Heap, source: &[u8], path: &str, args: &[String], out: &mut dyn Write) -> bool {
    let mut lua = Lua::on_heap(heap);
    lua.set_args(path, args);
    let result = lua.run(source, path, out);
    if let Err(msg) = &result {
        let _ = out.flush();
        eprintln!("gcheap-lua: {msg}");
    }
    // As `lua` does at exit: objects still marked for finalization are finalized.
    lua.close(out);
    let _ = out.flush();
    result.is_ok()
}

fn run_script(heap: &Heap, path: &str, args: &[String]) -> ExitCode {
    let source = match read_script(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if run_on(heap, &source, path, args, &mut out) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_threads(heap: &Heap, n: usize, path: &str, args: &[String]) -> ExitCode {
    let source = match read_script(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let outcomes: Vec<(bool, Vec<u8>)> = std::thread::scope(|s| {
        let copies: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    let ok = run_on(heap, &source, path, args, &mut out);
                    (ok, out)
                })
            })
            .collect();
        copies
            .into_iter()
            .map(|c| c.join().expect("a script thread panicked"))
            .collect()
    });
    let mut stdout = std::io::stdout().lock();
    for (i, (_, out)) in outcomes.iter().enumerate() {
        let _ = writeln!(stdout, "-- copy {} of {n}", i + 1);
        let _ = stdout.write_all(out);
    }
    if outcomes.iter().all(|(ok, _)| *ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Lua's interactive loop: each line (or lines, while a statement is incomplete) runs as a
/// chunk named `stdin`; a line that is an expression list prints its values.
fn repl(heap: &Heap) -> ExitCode {
    let mut lua = Lua::on_heap(heap);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut stdout = std::io::stdout();
    let mut pending = String::new();
    loop {
        let _ = write!(stdout, "{}", if pending.is_empty() { "> " } else { ">> " });
        let _ = stdout.flush();
        let Some(Ok(line)) = lines.next() else {
            let _ = writeln!(stdout);
            break;
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        // As `lua` does: first as the values of an expression list, then as statements.
        let as_values =
            format!("(function(...) if select('#', ...) > 0 then print(...) end end)({pending})");
        let source =
            if gcheap_lua_syntax::parse(format!("return {pending}").as_bytes(), "=stdin").is_ok() {
                as_values
            } else {
                match gcheap_lua_syntax::parse(pending.as_bytes(), "=stdin") {
                    Err(e) if e.to_string().ends_with("<eof>") => continue,
                    _ => pending.clone(),
                }
            };
        pending.clear();
        let mut out = std::io::stdout();
        if let Err(msg) = lua.run(source.as_bytes(), "stdin", &mut out) {
            eprintln!("{msg}");
        }
    }
    lua.close(&mut std::io::stdout());
    ExitCode::SUCCESS
}
