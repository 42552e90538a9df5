//! Running a chunk: a heap, a mutator whose root holds the globals and the main state, and the
//! compile-and-call of one script.

use std::io::Write;

use gcheap::{Gc, GcCell, Heap, Mutator, Rootable};

use crate::function::{Function, LuaClosure};
use crate::stdlib;
use crate::table::Table;
use crate::value::{LuaStr, Value};
use crate::vm::{Runtime, Vm};

type Root = Rootable![Runtime<'_>];

/// The parts of the standard library written in Lua.
const PRELUDE: &[u8] = include_bytes!("stdlib/prelude.lua");

/// A Lua state on its own heap.
pub struct Lua {
    mutator: Mutator<Root>,
    /// The script's arguments: its `...`.
    args: Vec<String>,
}

impl std::fmt::Debug for Lua {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lua").finish_non_exhaustive()
    }
}

impl Lua {
    /// A fresh state with the standard library, on a new heap.
    pub fn new() -> Lua {
        Lua::on_heap(&Heap::default())
    }

    /// A fresh state with the standard library, as a mutator of `heap`.
    pub fn on_heap(heap: &Heap) -> Lua {
        // A closure: `Runtime::new` names one brand, and the mutator's constructor must take any.
        #[allow(clippy::redundant_closure)]
        let mut mutator = heap.mutator::<Root>(|mc| Runtime::new(mc));
        mutator.mutate_root(|mc, root| {
            let meta = Self::open_libs(mc, root);
            root.string_meta = Some(meta);
        });
        let mut lua = Lua {
            mutator,
            args: Vec::new(),
        };
        lua.run(PRELUDE, "prelude", &mut std::io::sink())
            .expect("the prelude runs");
        lua
    }

    fn open_libs<'gc>(mc: &gcheap::Mutation<'gc>, root: &mut Runtime<'gc>) -> Gc<'gc, Table<'gc>> {
        {
            let mut sink = std::io::sink();
            let globals = root.globals;
            let mut vm = Vm::new(mc, root, &mut sink);
            stdlib::base::open(&mut vm, globals);
            stdlib::coroutine::open(&mut vm, globals);
            stdlib::math::open(&mut vm, globals);
            stdlib::os::open(&mut vm, globals);
            stdlib::table::open(&mut vm, globals);
            stdlib::string::open(&mut vm, globals)
        }
    }

    /// Sets the global `arg` as `lua` does for a script: `arg[0]` the script, `arg[1..]` its
    /// arguments.
    pub fn set_args(&mut self, script: &str, args: &[String]) {
        self.args = args.to_vec();
        self.mutator.mutate(|mc, root| {
            let t = Table::new(mc, args.len(), 1);
            let s = Value::Str(LuaStr::new(mc, script.as_bytes()));
            t.set(mc, Value::Int(0), s).expect("an integer key");
            let exe = Value::Str(LuaStr::new(mc, b"gcheap-lua"));
            t.set(mc, Value::Int(-1), exe).expect("an integer key");
            for (i, a) in args.iter().enumerate() {
                let v = Value::Str(LuaStr::new(mc, a.as_bytes()));
                t.set(mc, Value::Int(i as i64 + 1), v)
                    .expect("an integer key");
            }
            let k = Value::Str(LuaStr::new(mc, b"arg"));
            root.globals
                .set(mc, k, Value::Table(t))
                .expect("a string key");
        });
    }

    /// Runs `source` (named `chunk_name` in messages) to completion, printing to `out`. Returns
    /// the error message if it fails, as `lua` prints it. (`GCHEAP_LUA_DUMP=1` prints the main
    /// function's bytecode to stderr first.)
    pub fn run(
        &mut self,
        source: &[u8],
        chunk_name: &str,
        out: &mut dyn Write,
    ) -> Result<(), String> {
        let chunk = gcheap_lua_syntax::parse(source, &format!("@{chunk_name}"))
            .map_err(|e| e.to_string())?;
        let args = self.args.clone();
        let mut started = false;
        // Long scripts return from `mutate` whenever a cycle waits for this mutator (see
        // `Vm::resume`), so the collector can run: the frames wait in the root's threads.
        loop {
            let (done, collect) = self.with_vm(out, |vm| {
                if !started {
                    let mc = vm.mc;
                    let proto =
                        crate::compiler::compile(mc, &mut vm.rt.strings, &chunk, chunk_name);
                    if std::env::var_os("GCHEAP_LUA_DUMP").is_some() {
                        for (i, op) in proto.code.iter().enumerate() {
                            eprintln!("{i:3} {op:?}");
                        }
                    }
                    let env = Gc::new(mc, GcCell::new(Value::Table(vm.rt.globals)));
                    let main = Gc::new(
                        mc,
                        Function::Lua(LuaClosure {
                            proto,
                            upvalues: Box::new([env]),
                        }),
                    );
                    let varargs = args
                        .iter()
                        .map(|a| Value::Str(LuaStr::new(mc, a.as_bytes())))
                        .collect();
                    vm.start(main, varargs);
                }
                // Objects a cycle found dead since the last return are finalized first.
                vm.run_finalizers();
                let r = vm
                    .resume()
                    .map_err(|e| LuaErrorMessage(vm.error_value(&e)).to_string());
                let collect = std::mem::take(&mut vm.rt.gc.collect_requested);
                r.map(|done| (done, collect))
            })?;
            started = true;
            if collect {
                // `collectgarbage("collect")`: a full cycle, then its finalizers.
                self.mutator.collect();
                if done {
                    self.with_vm(out, |vm| vm.run_finalizers());
                }
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Closes the state as `lua_close` does: calls the finalizer of every object still marked
    /// for finalization, newest first, printing to `out`.
    pub fn close(&mut self, out: &mut dyn Write) {
        self.with_vm(out, |vm| vm.finalize_all());
    }

    /// Runs `f` with an interpreter over the state, in one `mutate` call.
    fn with_vm<T>(
        &mut self,
        out: &mut dyn Write,
        f: impl for<'a, 'gc> FnOnce(&mut Vm<'a, 'gc>) -> T,
    ) -> T {
        self.mutator.mutate_root(|mc, root| {
            let mut vm = Vm::new(mc, root, out);
            f(&mut vm)
        })
    }
}

/// An error value as `lua` reports an uncaught one.
struct LuaErrorMessage<'gc>(Value<'gc>);

impl std::fmt::Display for LuaErrorMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Value::Str(s) => f.write_str(&String::from_utf8_lossy(&s)),
            v => write!(f, "(error object is a {} value)", v.type_name()),
        }
    }
}

impl Default for Lua {
    fn default() -> Self {
        Lua::new()
    }
}
