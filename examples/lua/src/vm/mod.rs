//! The interpreter: the runtime a state keeps on the heap, threads' states and frames, calls.
//!
//! **Frames live in data, not on the Rust stack.** A [`State`] holds the value stack, the cells
//! of captured locals (parallel to it) and the call frames; a Lua-to-Lua call pushes a frame and
//! the loop (`exec.rs`) goes on with the callee, a return pops it. So the depth of Lua recursion
//! costs no Rust stack, and `pcall` called from Lua code is a mark on its callee's frame
//! (`Frame::protect`). A metamethod, and a Lua function called by a native (a sort comparator),
//! run in a nested loop on the same state until the frame pushed for them returns.
//!
//! **Threads** (`coroutine.rs`): each coroutine has its own state; resuming and yielding from
//! Lua code switch the state the loop runs on.
//!
//! **Errors** are values ([`LuaError`]); a runtime error carries Lua's `chunk:line:` prefix.
//! An error unwinds the frames pushed since the nearest protected call, closing their
//! to-be-closed variables, and the call returns `false` and the error (`error.rs`).
//!
//! **Registers** are not cleared when a frame is pushed or popped: the compiler writes every
//! register before it reads it, and a stale value only keeps garbage a little longer; the slots
//! above the live frames are cleared where it matters (a suspension, `collectgarbage`, a yield).

use gcheap::{Gc, GcCell, GcRefMut, Mutation, Trace};
use gcheap_lua_strlib as strlib;

use crate::function::{Capture, Function, LuaClosure, Proto, Special, UpCell};
use crate::intern::Interner;
use crate::opcode::{ArithOp, CmpOp, MULTI, Op, Rk, UnaryOp};
use crate::table::Table;
use crate::value::{LuaStr, Value, float_to_int};

mod coroutine;
mod error;
mod event;
mod exec;
mod finalize;
mod meta;
mod number;

use coroutine::Transfer;
pub use coroutine::{Thread, ThreadStatus};
pub use error::LuaError;
pub use event::Event;
pub use finalize::GcState;
pub use number::to_concat_bytes;
use number::*;

/// A native function: gets its arguments, returns its results.
pub type NativeFn =
    for<'gc> fn(&mut Vm<'_, 'gc>, Vec<Value<'gc>>) -> Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// One activation of a Lua function.
#[derive(Trace, Clone)]
struct Frame<'gc> {
    closure: Gc<'gc, Function<'gc>>,
    pc: usize,
    /// Stack index of register 0.
    base: usize,
    /// Where the results go (the called function's slot).
    ret: usize,
    nresults: u16,
    /// How many arguments a vararg function got past its fixed parameters: they stay on the
    /// stack just below `base` (the fixed ones are copied above them), as Lua 5.4 keeps them.
    #[trace(static)]
    nvarargs: u32,
    /// Set on the frame of a function called by `pcall`/`xpcall` from Lua code: an error that
    /// reaches it ends it and the call returns `false, error`.
    protect: Option<Box<Protect<'gc>>>,
}

/// A protected call's landing place (see [`Frame::protect`]).
#[derive(Trace, Clone)]
struct Protect<'gc> {
    /// The slot of the `pcall` call: its results go there.
    #[trace(static)]
    ret: usize,
    #[trace(static)]
    nresults: u16,
    /// The length of the state's `calls` before the `pcall` (its own entry included after).
    #[trace(static)]
    calls: usize,
    /// `xpcall`'s message handler (nil for `pcall`).
    handler: Value<'gc>,
}

/// A thread of execution: its stack, the cells of its captured locals, its frames.
#[derive(Trace, Default)]
pub struct State<'gc> {
    stack: Vec<Value<'gc>>,
    cells: Vec<Option<Gc<'gc, UpCell<'gc>>>>,
    frames: Vec<Frame<'gc>>,
    /// Every active call, Lua or native, innermost last: `Some(i)` is Lua frame `i`, `None` a
    /// native function (what `error`'s levels count).
    #[trace(static)]
    calls: Vec<Option<usize>>,
    /// The end of the last multiple results.
    #[trace(static)]
    top: usize,
    /// Where the values this thread receives when it runs again go: the results of the
    /// `coroutine.yield` it is suspended in, or of the `coroutine.resume` (or wrapped call) it
    /// made from Lua code.
    #[trace(static)]
    waiting: Option<Transfer>,
    /// The stack slots of the active to-be-closed variables, in declaration order.
    #[trace(static)]
    tbc: Vec<usize>,
}

/// How an interpreter loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The frames it ran returned.
    Returned,
    /// The heap asked the mutator to return from `mutate`; every frame is in the states.
    Suspended,
    /// The coroutine the loop was started for yielded (values in `Vm::transfer`).
    Yielded,
}

/// What a Lua state keeps on the heap besides its values: the root object of its mutator.
#[derive(Trace)]
pub struct Runtime<'gc> {
    /// The global table.
    pub globals: Gc<'gc, Table<'gc>>,
    /// The metatable of strings (`{__index = string}`).
    pub string_meta: Option<Gc<'gc, Table<'gc>>>,
    /// The chain of resumed threads: the main thread first, the running one last. The frames
    /// of all of them wait here when the interpreter returns from `mutate` mid-script.
    pub threads: Vec<Gc<'gc, Thread<'gc>>>,
    /// Finalizers and `collectgarbage`'s settings.
    pub gc: GcState<'gc>,
    /// Constants' and library names' strings (see `crate::intern`).
    pub strings: Interner<'gc>,
    /// The metamethod names, interned (see [`Event`]).
    events: Vec<Gc<'gc, LuaStr<'gc>>>,
}

impl<'gc> Runtime<'gc> {
    /// A runtime with empty globals and the main thread.
    pub fn new(mc: &Mutation<'gc>) -> Runtime<'gc> {
        let mut strings = Interner::default();
        let events = Event::ALL
            .iter()
            .map(|e| strings.intern(mc, e.name().as_bytes()))
            .collect();
        Runtime {
            globals: Table::new(mc, 0, 64),
            string_meta: None,
            threads: vec![Thread::main(mc)],
            gc: GcState::new(mc),
            strings,
            events,
        }
    }
}

/// The interpreter: the running thread's state, the runtime and the heap context of one
/// `mutate` call.
pub struct Vm<'a, 'gc> {
    /// The heap context.
    pub mc: &'a Mutation<'gc>,
    /// The state's runtime.
    pub rt: &'a mut Runtime<'gc>,
    /// The running thread's state, borrowed from it.
    pub state: GcRefMut<'gc, State<'gc>>,
    /// Output of `print`.
    pub out: &'a mut dyn std::io::Write,
    /// Whether the running native function was called by a Lua instruction (rather than by
    /// another native, such as `pcall`).
    pub called_from_lua: bool,
    /// Whether the outermost loop may suspend when the heap asks (`Mutation::should_yield`): only
    /// the driver's [`resume`](Vm::resume), never a nested call, whose caller holds Rust state.
    pub can_suspend: bool,
    /// The innermost running loop's entry: its depth in the entry thread and the length of the
    /// thread chain when it began (see `execute`).
    loop_entry: (usize, usize),
    /// Values a yield hands to the native `coroutine.resume` that runs the coroutine.
    transfer: Vec<Value<'gc>>,
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// A string value.
    pub fn str(&self, s: &[u8]) -> Value<'gc> {
        Value::Str(LuaStr::new(self.mc, s))
    }

    /// An interpreter for the running thread of `rt` (the last of its chain).
    pub fn new(
        mc: &'a Mutation<'gc>,
        rt: &'a mut Runtime<'gc>,
        out: &'a mut dyn std::io::Write,
    ) -> Vm<'a, 'gc> {
        let running = *rt.threads.last().expect("the main thread");
        let state = Gc::as_ref(running).state.borrow_mut(mc);
        Vm {
            mc,
            rt,
            state,
            out,
            called_from_lua: false,
            can_suspend: false,
            loop_entry: (0, 1),
            transfer: Vec::new(),
        }
    }

    /// Calls `f` with `args`, running Lua code to completion; returns all its results.
    pub fn call(
        &mut self,
        f: Value<'gc>,
        args: Vec<Value<'gc>>,
    ) -> Result<Vec<Value<'gc>>, LuaError<'gc>> {
        match f {
            Value::Function(func) => match &*func {
                Function::Native(n) => {
                    let outer = std::mem::replace(&mut self.called_from_lua, false);
                    self.state.calls.push(None);
                    let r = (n.call)(self, args).map_err(|e| self.qualify(e, n.name));
                    self.state.calls.pop();
                    self.called_from_lua = outer;
                    r
                }
                Function::Host(h) => {
                    let outer = std::mem::replace(&mut self.called_from_lua, false);
                    self.state.calls.push(None);
                    let r = h.call(self, args).map_err(|e| self.qualify(e, h.name()));
                    self.state.calls.pop();
                    self.called_from_lua = outer;
                    r
                }
                Function::Wrap(co) => self.resume_nested(*co, args, true),
                Function::Lua(_) => {
                    let at = self.state.stack.len();
                    self.state.stack.push(f);
                    self.state.stack.extend(args.iter().copied());
                    let depth = self.state.frames.len();
                    let calls = self.state.calls.len();
                    let nargs = args.len();
                    self.push_frame(func, at, nargs, MULTI);
                    let outer = std::mem::replace(&mut self.can_suspend, false);
                    let r = self.execute(depth, self.rt.threads.len());
                    self.can_suspend = outer;
                    match r {
                        Ok(_) => {
                            let results = self.state.stack[at..self.state.top].to_vec();
                            self.state.stack.truncate(at);
                            self.state.cells.truncate(at);
                            Ok(results)
                        }
                        Err(e) => {
                            self.state.frames.truncate(depth);
                            self.state.calls.truncate(calls);
                            self.forget_tbc_from(at);
                            self.state.stack.truncate(at);
                            self.state.cells.truncate(at);
                            Err(e)
                        }
                    }
                }
            },
            other => match self.metamethod(other, Event::Call) {
                Some(h) => {
                    let mut a = vec![other];
                    a.extend(args);
                    self.call(h, a)
                }
                None => {
                    Err(self
                        .operand_error(format!("attempt to call a {} value", other.type_name()), 0))
                }
            },
        }
    }

    /// Pushes a frame for the Lua closure `func` at stack index `at`, with `nargs` arguments
    /// after it.
    fn push_frame(&mut self, func: Gc<'gc, Function<'gc>>, at: usize, nargs: usize, nresults: u16) {
        let Function::Lua(c) = &*func else {
            unreachable!("push_frame of a native")
        };
        let p = c.proto;
        let nparams = p.num_params as usize;
        // A vararg function's extra arguments stay where they are; its frame starts above
        // them, with a copy of the fixed parameters.
        let nvarargs = if p.is_vararg {
            nargs.saturating_sub(nparams)
        } else {
            0
        };
        let base = if nvarargs > 0 { at + 1 + nargs } else { at + 1 };
        let size = base + p.max_stack as usize;
        if self.state.stack.len() < size {
            self.state.stack.resize(size, Value::Nil);
        }
        if nvarargs > 0 {
            self.state.stack.copy_within(at + 1..at + 1 + nparams, base);
        }
        // Missing parameters are nil. The other registers keep what they held: the compiler
        // writes every register before reading it, and stale values only delay garbage (the
        // collector traces them as the live values they were; `clear_dead_slots` clears them
        // where a collection is asked for).
        if nargs < nparams {
            self.state.stack[base + nargs..base + nparams].fill(Value::Nil);
        }
        if self.state.cells.len() < size {
            self.state.cells.resize(size, None);
        }
        let index = self.state.frames.len();
        self.state.calls.push(Some(index));
        self.state.frames.push(Frame {
            closure: func,
            pc: 0,
            base,
            ret: at,
            nresults,
            nvarargs: nvarargs as u32,
            protect: None,
        });
    }

    /// Runs frames until the loop's entry thread is back at frame count `depth` (the thread
    /// chain back at length `entry`). Coroutines that Lua code resumes run in the same loop, so
    /// a yield between them needs no Rust stack; an error is landed on the innermost protected
    /// call of the thread it is raised in (see `land_error`), and leaves the loop only if none in
    /// the loop catches it, with the position of the instruction that raised it.
    fn execute(&mut self, depth: usize, entry: usize) -> Result<Exit, LuaError<'gc>> {
        let outer = std::mem::replace(&mut self.loop_entry, (depth, entry));
        let r = loop {
            match self.execute_frames(depth, entry) {
                Ok(exit) => break Ok(exit),
                Err(e) => {
                    if let Err(e) = self.land_error(e, depth, entry) {
                        break Err(e);
                    }
                }
            }
        };
        self.loop_entry = outer;
        r
    }

    /// Pushes the frame of `main` (a Lua closure) with `args`, to be run by [`resume`](Self::resume).
    pub fn start(&mut self, main: Gc<'gc, Function<'gc>>, args: Vec<Value<'gc>>) {
        self.start_frame(main, args, 0);
    }

    fn start_frame(&mut self, main: Gc<'gc, Function<'gc>>, args: Vec<Value<'gc>>, nresults: u16) {
        let at = self.state.stack.len();
        self.state.stack.push(Value::Function(main));
        let nargs = args.len();
        self.state.stack.extend(args);
        self.push_frame(main, at, nargs, nresults);
    }

    /// Runs the started frames until they return (`Ok(true)`) or the heap asks this mutator to
    /// return from `mutate` (`Ok(false)`: call again in the next `mutate`; every frame, of
    /// every thread, is in the states, so nothing is lost). An error unwinds every frame.
    pub fn resume(&mut self) -> Result<bool, LuaError<'gc>> {
        let outer = std::mem::replace(&mut self.can_suspend, true);
        let r = self.execute(0, 1);
        self.can_suspend = outer;
        match r {
            Ok(Exit::Suspended) => {
                self.clear_dead_slots();
                Ok(false)
            }
            Ok(_) => {
                self.reset();
                Ok(true)
            }
            Err(e) => {
                self.reset();
                Err(e)
            }
        }
    }

    /// Clears the running thread's stack slots above its innermost frame (and its last multiple
    /// results): calls that returned leave their registers there, and the collector, which
    /// traces the whole stack, would keep what they held alive.
    fn clear_dead_slots(&mut self) {
        let s = &mut *self.state;
        let frame_end = s.frames.last().map_or(0, |f| {
            let Function::Lua(c) = Gc::as_ref(f.closure) else {
                unreachable!("frames hold Lua closures")
            };
            f.base + c.proto.max_stack as usize
        });
        let end = frame_end.max(s.top);
        self.clear_slots_from(end);
    }

    /// Clears the running thread's stack slots from `end` on: at a call at `end`, every
    /// register from the call's own slot up is a temporary of the call.
    fn clear_slots_from(&mut self, end: usize) {
        let s = &mut *self.state;
        let end = end.min(s.stack.len());
        s.stack[end..].fill(Value::Nil);
        let end = end.min(s.cells.len());
        s.cells[end..].fill(None);
    }

    /// Empties the running thread's state.
    fn reset(&mut self) {
        let s = &mut *self.state;
        s.frames.clear();
        s.calls.clear();
        s.stack.clear();
        s.cells.clear();
        s.top = 0;
        s.waiting = None;
        s.tbc.clear();
    }

    /// Forgets the to-be-closed variables at stack slot `from` and above (their frames are gone).
    fn forget_tbc_from(&mut self, from: usize) {
        let tbc = &mut self.state.tbc;
        let keep = tbc.partition_point(|&i| i < from);
        tbc.truncate(keep);
    }

    /// Closes the to-be-closed variables at stack slot `from` and above, the latest first:
    /// calls each one's `__close(value, error)`. An error in one replaces `error` for the
    /// next ones and is returned at the end, as Lua does.
    fn close_tbc_from(&mut self, from: usize, error: Value<'gc>) -> Result<(), LuaError<'gc>> {
        let top = self.state.top;
        let mut error = error;
        let mut failed = None;
        while let Some(&slot) = self.state.tbc.last()
            && slot >= from
        {
            self.state.tbc.pop();
            let v = self.state.stack[slot];
            if let Some(h) = self.metamethod(v, Event::Close)
                && let Err(e) = self.call(h, vec![v, error])
            {
                error = self.error_value(&e);
                failed = Some(e);
            }
        }
        self.state.top = top;
        match failed {
            Some(_) => Err(LuaError::new(error)),
            None => Ok(()),
        }
    }

    /// At a loop's back edge or a call: whether to suspend now (see `resume`).
    #[inline]
    fn should_suspend(&self) -> bool {
        self.can_suspend && self.mc.should_yield()
    }

    /// Writes call results at `at`: `nresults` of them (nil-padded), or all up to a new top.
    fn place_results(&mut self, at: usize, results: &[Value<'gc>], nresults: u16) {
        if nresults == MULTI {
            let end = at + results.len();
            if self.state.stack.len() < end {
                self.state.stack.resize(end, Value::Nil);
                self.state.cells.resize(end, None);
            }
            self.state.stack[at..end].copy_from_slice(results);
            self.state.top = end;
        } else {
            for i in 0..nresults as usize {
                self.state.stack[at + i] = results.get(i).copied().unwrap_or(Value::Nil);
            }
        }
    }

    /// [`place_results`](Self::place_results) for results already on the stack, in
    /// `from..to` above `at` (a return): moved down without a copy elsewhere.
    #[inline]
    fn move_results(&mut self, from: usize, to: usize, at: usize, nresults: u16) {
        let stack = &mut self.state.stack;
        if nresults == 1 {
            // The common case, without a memmove call.
            stack[at] = if from < to { stack[from] } else { Value::Nil };
        } else if nresults == MULTI {
            stack.copy_within(from..to, at);
            self.state.top = at + (to - from);
        } else {
            let n = (nresults as usize).min(to - from);
            stack.copy_within(from..from + n, at);
            stack[at + n..at + nresults as usize].fill(Value::Nil);
        }
    }

    #[inline]
    fn rk(&self, proto: &Proto<'gc>, base: usize, x: Rk) -> Value<'gc> {
        match x {
            Rk::R(r) => self.state.stack[base + r as usize],
            Rk::K(k) => proto.constants[k as usize],
        }
    }

    /// A native's argument error when it was not called from Lua code by its field: Lua names
    /// Calls a native function with `args`, settling its pending errors at the boundary.
    fn call_native(
        &mut self,
        f: Value<'gc>,
        args: Vec<Value<'gc>>,
    ) -> Result<Vec<Value<'gc>>, LuaError<'gc>> {
        let Value::Function(func) = f else {
            unreachable!("call_native of a function")
        };
        let outer = std::mem::replace(&mut self.called_from_lua, true);
        self.state.calls.push(None);
        let r = match &*func {
            Function::Native(n) => (n.call)(self, args),
            Function::Host(h) => h.call(self, args),
            _ => unreachable!("call_native of a native"),
        };
        let r = r.map_err(|e| self.native_boundary(e));
        self.state.calls.pop();
        self.called_from_lua = outer;
        r.map_err(|e| self.as_method_error(e))
    }
}

impl std::fmt::Debug for State<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("frames", &self.frames.len())
            .field("stack", &self.stack.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Runtime<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("threads", &self.threads.len())
            .field("gc", &self.gc)
            .field("strings", &self.strings)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Vm<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("state", &*self.state)
            .field("threads", &self.rt.threads.len())
            .field("can_suspend", &self.can_suspend)
            .finish_non_exhaustive()
    }
}
