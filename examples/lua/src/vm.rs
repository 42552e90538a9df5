//! The interpreter loop.
//!
//! **Frames live in data, not on the Rust stack.** A [`State`] holds the value stack, the cells
//! of captured locals (parallel to it) and the call frames; a Lua-to-Lua call pushes a frame and
//! the loop goes on with the callee, a return pops it. So the depth of Lua recursion costs no
//! Rust stack. Native functions that call back into Lua (`pcall`, a sort comparator, a
//! `__index` function met by a native) run a nested loop on the same state until the frame they
//! pushed returns.
//!
//! **Errors** are values ([`LuaError`]); a runtime error carries Lua's `chunk:line:` prefix.
//! An error unwinds the frames pushed since the nearest protected call (`pcall`), which
//! restores the stack as it was.

use gcheap::{Gc, GcCell, Mutation, Trace};
use gcheap_lua_strlib as strlib;

use crate::function::{Capture, Function, LuaClosure, Proto, UpCell};
use crate::opcode::{ArithOp, CmpOp, MULTI, Op, Rk, UnaryOp};
use crate::table::Table;
use crate::value::{Value, float_to_int};

/// A native function: gets its arguments, returns its results.
pub type NativeFn =
    for<'gc> fn(&mut Vm<'_, 'gc>, Vec<Value<'gc>>) -> Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// An error in flight: the value `error` was called with, or a runtime error's message.
///
/// A runtime error raised by an operand check (indexing nil, calling a number) or by a native
/// function is first *pending*: its message still lacks the position (and, for an operand, the
/// variable it came from) that the instruction it surfaces at supplies, as Lua's `varinfo` and
/// `luaL_where` do. [`Vm::error_value`] gives the final value.
#[derive(Clone)]
pub struct LuaError<'gc> {
    value: Value<'gc>,
    pending: Option<Pending>,
}

#[derive(Clone)]
enum Pending {
    /// A type error on operand `operand` of the running instruction.
    Operand { msg: String, operand: u8 },
    /// A native function's error: positioned at the Lua code that called it.
    Caller(String),
}

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
    varargs: Vec<Value<'gc>>,
}

/// A thread of execution: its stack, the cells of its captured locals, its frames.
#[derive(Trace, Default)]
pub struct State<'gc> {
    stack: Vec<Value<'gc>>,
    cells: Vec<Option<Gc<'gc, UpCell<'gc>>>>,
    frames: Vec<Frame<'gc>>,
    /// Every active call, Lua or native, innermost last: `Some(i)` is Lua frame `i`, `None` a
    /// native function (what `error`'s levels count).
    calls: Vec<Option<usize>>,
    /// The end of the last multiple results.
    top: usize,
}

/// The interpreter: a state, the globals and the heap context of one `mutate` call.
pub struct Vm<'a, 'gc> {
    /// The heap context.
    pub mc: &'a Mutation<'gc>,
    /// The global table.
    pub globals: Gc<'gc, Table<'gc>>,
    /// The metatable of strings (`{__index = string}`).
    pub string_meta: Option<Gc<'gc, Table<'gc>>>,
    /// The running state.
    pub state: &'a mut State<'gc>,
    /// Output of `print`.
    pub out: &'a mut dyn std::io::Write,
    /// Whether the running native function was called by a Lua instruction (rather than by
    /// another native, such as `pcall`).
    pub called_from_lua: bool,
    /// Whether the outermost loop may suspend when the heap asks (`Mutation::should_yield`): only
    /// the driver's [`resume`](Vm::resume), never a nested call, whose caller holds Rust state.
    pub can_suspend: bool,
}

impl<'gc> LuaError<'gc> {
    /// An error whose value is `value`, as `error(value)` raises it.
    pub fn new(value: Value<'gc>) -> LuaError<'gc> {
        LuaError {
            value,
            pending: None,
        }
    }
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// A string value.
    pub fn str(&self, s: &[u8]) -> Value<'gc> {
        Value::Str(Gc::from_slice(self.mc, s))
    }

    /// A runtime error with the position of the running Lua function.
    pub fn error(&self, msg: impl AsRef<str>) -> LuaError<'gc> {
        let msg = msg.as_ref();
        let full = match self.state.frames.last() {
            Some(f) => {
                let Function::Lua(c) = &*f.closure else {
                    unreachable!("frames hold Lua closures")
                };
                let line = c
                    .proto
                    .lines
                    .get(f.pc.saturating_sub(1))
                    .copied()
                    .unwrap_or(0);
                format!("{}:{}: {}", c.proto.chunk, line, msg)
            }
            None => msg.to_string(),
        };
        LuaError::new(self.str(full.as_bytes()))
    }

    /// A type error on operand `operand` of the running instruction (see [`LuaError`]).
    pub fn operand_error(&self, msg: impl Into<String>, operand: u8) -> LuaError<'gc> {
        LuaError {
            value: Value::Nil,
            pending: Some(Pending::Operand {
                msg: msg.into(),
                operand,
            }),
        }
    }

    /// The final value of an error (a pending one without position).
    pub fn error_value(&self, e: &LuaError<'gc>) -> Value<'gc> {
        match &e.pending {
            Some(Pending::Operand { msg, .. } | Pending::Caller(msg)) => self.str(msg.as_bytes()),
            None => e.value,
        }
    }

    /// Gives a pending error the position (and variable name) of the running Lua instruction.
    fn finish_error(&self, e: LuaError<'gc>) -> LuaError<'gc> {
        let Some(pending) = &e.pending else { return e };
        let Some(f) = self.state.frames.last() else {
            return LuaError::new(self.error_value(&e));
        };
        let Function::Lua(c) = &*f.closure else {
            unreachable!("frames hold Lua closures")
        };
        let pc = f.pc.saturating_sub(1);
        let line = c.proto.lines.get(pc).copied().unwrap_or(0);
        let msg = match pending {
            Pending::Operand { msg, operand } => match c.proto.name_of(pc, *operand) {
                Some(name) if msg == "number has no integer representation" => {
                    format!("number ({name}) has no integer representation")
                }
                Some(name) => format!("{msg} ({name})"),
                None => msg.clone(),
            },
            Pending::Caller(msg) => msg.clone(),
        };
        LuaError::new(self.str(format!("{}:{}: {}", c.proto.chunk, line, msg).as_bytes()))
    }

    /// A pending error leaving a native function: an operand error inside it has no position
    /// (natives have no lines), a native's own error keeps waiting for its Lua caller.
    fn native_boundary(&self, e: LuaError<'gc>) -> LuaError<'gc> {
        match &e.pending {
            Some(Pending::Operand { msg, .. }) => LuaError::new(self.str(msg.as_bytes())),
            _ => e,
        }
    }

    /// An error with the position of the Lua function `level` frames up (1: the running one),
    /// as `error(msg, level)` makes it.
    pub fn error_at_level(&self, level: usize, msg: &str) -> LuaError<'gc> {
        // The innermost call is the native raising the error; level 1 is its caller.
        let calls = &self.state.calls;
        let at = calls.len().checked_sub(1 + level);
        let Some(Some(fi)) = (level > 0).then_some(at).flatten().map(|i| calls[i]) else {
            return LuaError::new(self.str(msg.as_bytes()));
        };
        let f = &self.state.frames[fi];
        let Function::Lua(c) = &*f.closure else {
            unreachable!("frames hold Lua closures")
        };
        let line = c
            .proto
            .lines
            .get(f.pc.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        LuaError::new(self.str(format!("{}:{}: {}", c.proto.chunk, line, msg).as_bytes()))
    }

    /// A runtime error without position (as native functions raise them).
    pub fn plain_error(&self, msg: impl AsRef<str>) -> LuaError<'gc> {
        LuaError {
            value: Value::Nil,
            pending: Some(Pending::Caller(msg.as_ref().to_string())),
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
                Function::Lua(_) => {
                    let at = self.state.stack.len();
                    self.state.stack.push(f);
                    self.state.stack.extend(args.iter().copied());
                    let depth = self.state.frames.len();
                    let calls = self.state.calls.len();
                    let nargs = args.len();
                    self.push_frame(func, at, nargs, MULTI);
                    let outer = std::mem::replace(&mut self.can_suspend, false);
                    let r = self.execute(depth);
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
                            self.state.stack.truncate(at);
                            self.state.cells.truncate(at);
                            Err(e)
                        }
                    }
                }
            },
            other => match self.metamethod(other, "__call") {
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
        let base = at + 1;
        let nparams = p.num_params as usize;
        let mut varargs = Vec::new();
        if nargs > nparams && p.is_vararg {
            varargs.extend_from_slice(&self.state.stack[base + nparams..base + nargs]);
        }
        let size = base + p.max_stack as usize;
        if self.state.stack.len() < size {
            self.state.stack.resize(size, Value::Nil);
        }
        for v in &mut self.state.stack[base + nargs.min(nparams)..size] {
            *v = Value::Nil;
        }
        if self.state.cells.len() < size {
            self.state.cells.resize(size, None);
        }
        self.state.calls.push(Some(self.state.frames.len()));
        self.state.frames.push(Frame {
            closure: func,
            pc: 0,
            base,
            ret: at,
            nresults,
            varargs,
        });
    }

    /// Runs frames until the frame count drops back to `depth`; an error leaves with the
    /// position of the instruction that raised it (its frame is still on top).
    fn execute(&mut self, depth: usize) -> Result<bool, LuaError<'gc>> {
        self.execute_frames(depth).map_err(|e| self.finish_error(e))
    }

    /// Pushes the frame of `main` (a Lua closure) with `args`, to be run by [`resume`](Self::resume).
    pub fn start(&mut self, main: Gc<'gc, Function<'gc>>, args: Vec<Value<'gc>>) {
        let at = self.state.stack.len();
        self.state.stack.push(Value::Function(main));
        let nargs = args.len();
        self.state.stack.extend(args);
        self.push_frame(main, at, nargs, 0);
    }

    /// Runs the started frames until they return (`Ok(true)`) or the heap asks this mutator to
    /// return from `mutate` (`Ok(false)`: call again in the next `mutate`; every frame is in the
    /// state, so nothing is lost). An error unwinds every frame.
    pub fn resume(&mut self) -> Result<bool, LuaError<'gc>> {
        let outer = std::mem::replace(&mut self.can_suspend, true);
        let r = self.execute(0);
        self.can_suspend = outer;
        match r {
            Ok(done) => {
                if done {
                    self.reset();
                }
                Ok(done)
            }
            Err(e) => {
                self.reset();
                Err(e)
            }
        }
    }

    fn reset(&mut self) {
        self.state.frames.clear();
        self.state.calls.clear();
        self.state.stack.clear();
        self.state.cells.clear();
        self.state.top = 0;
    }

    /// At a loop's back edge or a call: whether to suspend now (see `resume`).
    #[inline]
    fn should_suspend(&self, depth: usize) -> bool {
        depth == 0 && self.can_suspend && self.mc.should_yield()
    }

    fn execute_frames(&mut self, depth: usize) -> Result<bool, LuaError<'gc>> {
        'frames: loop {
            let fi = self.state.frames.len() - 1;
            let (closure, base) = {
                let f = &self.state.frames[fi];
                (f.closure, f.base)
            };
            let Function::Lua(lc) = Gc::as_ref(closure) else {
                unreachable!("frames hold Lua closures")
            };
            let proto: &'gc Proto<'gc> = Gc::as_ref(lc.proto);
            let mut pc = self.state.frames[fi].pc;
            loop {
                let op = proto.code[pc];
                pc += 1;
                self.state.frames[fi].pc = pc;
                match op {
                    Op::Move { dst, src } => {
                        self.state.stack[base + dst as usize] =
                            self.state.stack[base + src as usize];
                    }
                    Op::LoadK { dst, k } => {
                        self.state.stack[base + dst as usize] = proto.constants[k as usize];
                    }
                    Op::LoadNil { dst, count } => {
                        for i in 0..count as usize {
                            self.state.stack[base + dst as usize + i] = Value::Nil;
                        }
                    }
                    Op::LoadBool { dst, value } => {
                        self.state.stack[base + dst as usize] = Value::Bool(value);
                    }
                    Op::LoadInt { dst, value } => {
                        self.state.stack[base + dst as usize] = Value::Int(value as i64);
                    }
                    Op::NewCell { slot } => {
                        self.state.cells[base + slot as usize] =
                            Some(Gc::new(self.mc, GcCell::new(Value::Nil)));
                    }
                    Op::GetCell { dst, slot } => {
                        let cell = self.state.cells[base + slot as usize].expect("a declared cell");
                        self.state.stack[base + dst as usize] = cell.get();
                    }
                    Op::SetCell { slot, src } => {
                        let cell = self.state.cells[base + slot as usize].expect("a declared cell");
                        cell.set(self.mc, self.state.stack[base + src as usize]);
                    }
                    Op::GetUp { dst, up } => {
                        self.state.stack[base + dst as usize] = lc.upvalues[up as usize].get();
                    }
                    Op::SetUp { up, src } => {
                        lc.upvalues[up as usize]
                            .set(self.mc, self.state.stack[base + src as usize]);
                    }
                    Op::GetIndex { dst, table, key } => {
                        let t = self.state.stack[base + table as usize];
                        let k = self.rk(proto, base, key);
                        let v = self.index(t, k)?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::SetIndex { table, key, value } => {
                        let t = self.state.stack[base + table as usize];
                        let k = self.rk(proto, base, key);
                        let v = self.rk(proto, base, value);
                        self.set_index(t, k, v)?;
                    }
                    Op::GetUpField { dst, up, key } => {
                        let t = lc.upvalues[up as usize].get();
                        let v = self.index(t, proto.constants[key as usize])?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::SetUpField { up, key, value } => {
                        let t = lc.upvalues[up as usize].get();
                        let v = self.rk(proto, base, value);
                        self.set_index(t, proto.constants[key as usize], v)?;
                    }
                    Op::NewTable { dst, narray, nhash } => {
                        let t = Table::new(self.mc, narray as usize, nhash as usize);
                        self.state.stack[base + dst as usize] = Value::Table(t);
                    }
                    Op::SetList {
                        table,
                        count,
                        first,
                    } => {
                        let Value::Table(t) = self.state.stack[base + table as usize] else {
                            unreachable!("SetList on a table")
                        };
                        let from = base + table as usize + 1;
                        let to = if count == MULTI {
                            self.state.top
                        } else {
                            from + count as usize
                        };
                        let mut d = t.data.borrow_mut(self.mc);
                        for (i, v) in self.state.stack[from..to].iter().enumerate() {
                            d.set_int(first as i64 + i as i64, *v);
                        }
                    }
                    Op::SelfOp { dst, obj, method } => {
                        let o = self.state.stack[base + obj as usize];
                        let k = self.rk(proto, base, method);
                        let f = self.index(o, k)?;
                        self.state.stack[base + dst as usize + 1] = o;
                        self.state.stack[base + dst as usize] = f;
                    }
                    Op::Arith { op, dst, a, b } => {
                        let x = self.rk(proto, base, a);
                        let y = self.rk(proto, base, b);
                        let v = match arith_fast(op, x, y) {
                            Some(v) => v,
                            None => self.arith(op, x, y)?,
                        };
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::Unary { op, dst, src } => {
                        let x = self.state.stack[base + src as usize];
                        let v = self.unary(op, x)?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::Concat { dst, first, count } => {
                        let from = base + first as usize;
                        let vals: Vec<Value<'gc>> =
                            self.state.stack[from..from + count as usize].to_vec();
                        let v = self.concat(&vals)?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::Compare {
                        op,
                        a,
                        b,
                        expect,
                        offset,
                    } => {
                        let x = self.rk(proto, base, a);
                        let y = self.rk(proto, base, b);
                        let r = match op {
                            CmpOp::Eq => self.equals(x, y)?,
                            CmpOp::Lt => self.less(x, y, false)?,
                            CmpOp::Le => self.less(x, y, true)?,
                        };
                        if r != expect {
                            pc = (pc as i64 + offset as i64) as usize;
                        }
                    }
                    Op::Jump { offset } => {
                        pc = (pc as i64 + offset as i64) as usize;
                        if offset < 0 && self.should_suspend(depth) {
                            self.state.frames[fi].pc = pc;
                            return Ok(false);
                        }
                    }
                    Op::Test {
                        src,
                        expect,
                        offset,
                    } => {
                        if self.state.stack[base + src as usize].truthy() != expect {
                            pc = (pc as i64 + offset as i64) as usize;
                        }
                    }
                    Op::Call {
                        func,
                        nargs,
                        nresults,
                    } => {
                        self.state.frames[fi].pc = pc;
                        let at = base + func as usize;
                        let nargs = if nargs == MULTI {
                            self.state.top - at - 1
                        } else {
                            nargs as usize
                        };
                        let f = self.state.stack[at];
                        if let Value::Function(g) = f
                            && let Function::Lua(_) = &*g
                        {
                            self.push_frame(g, at, nargs, nresults);
                            if self.should_suspend(depth) {
                                return Ok(false);
                            }
                            continue 'frames;
                        }
                        let args = self.state.stack[at + 1..at + 1 + nargs].to_vec();
                        let results = if let Value::Function(_) = f {
                            self.call_native(f, args)?
                        } else {
                            // `__call`, or an operand error named after the callee.
                            self.call(f, args)?
                        };
                        self.place_results(at, &results, nresults);
                    }
                    Op::Return { first, count } => {
                        let from = base + first as usize;
                        let to = if count == MULTI {
                            self.state.top
                        } else {
                            from + count as usize
                        };
                        let frame = self.state.frames.pop().expect("a frame returns");
                        self.state.calls.pop();
                        let results: Vec<Value<'gc>> = self.state.stack[from..to].to_vec();
                        self.place_results(frame.ret, &results, frame.nresults);
                        if self.state.frames.len() == depth {
                            return Ok(true);
                        }
                        continue 'frames;
                    }
                    Op::VarArg { dst, count } => {
                        let va = &self.state.frames[fi].varargs;
                        let at = base + dst as usize;
                        if count == MULTI {
                            let n = va.len();
                            let vals = va.clone();
                            if self.state.stack.len() < at + n {
                                self.state.stack.resize(at + n, Value::Nil);
                                self.state.cells.resize(at + n, None);
                            }
                            self.state.stack[at..at + n].copy_from_slice(&vals);
                            self.state.top = at + n;
                        } else {
                            for i in 0..count as usize {
                                let v = va.get(i).copied().unwrap_or(Value::Nil);
                                self.state.stack[at + i] = v;
                            }
                        }
                    }
                    Op::Closure { dst, proto: index } => {
                        let p = proto.protos[index as usize];
                        let upvalues = p
                            .captures
                            .iter()
                            .map(|c| match *c {
                                Capture::Env => {
                                    Gc::new(self.mc, GcCell::new(Value::Table(self.globals)))
                                }
                                Capture::Local(slot) => self.state.cells[base + slot as usize]
                                    .expect("a captured local's cell"),
                                Capture::Upvalue(j) => lc.upvalues[j as usize],
                            })
                            .collect();
                        let f = Gc::new(self.mc, Function::Lua(LuaClosure { proto: p, upvalues }));
                        self.state.stack[base + dst as usize] = Value::Function(f);
                    }
                    Op::ForPrep { base: s, offset } => {
                        if !self.for_prep(base + s as usize)? {
                            pc = (pc as i64 + offset as i64) as usize;
                        }
                    }
                    Op::ForLoop { base: s, offset } => {
                        if self.for_loop(base + s as usize) {
                            pc = (pc as i64 + offset as i64) as usize;
                            if self.should_suspend(depth) {
                                self.state.frames[fi].pc = pc;
                                return Ok(false);
                            }
                        }
                    }
                    Op::TForLoop { base: s, offset } => {
                        let s = base + s as usize;
                        let v = self.state.stack[s + 4];
                        if !v.is_nil() {
                            self.state.stack[s + 2] = v;
                            pc = (pc as i64 + offset as i64) as usize;
                            if self.should_suspend(depth) {
                                self.state.frames[fi].pc = pc;
                                return Ok(false);
                            }
                        }
                    }
                }
            }
        }
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

    #[inline]
    fn rk(&self, proto: &Proto<'gc>, base: usize, x: Rk) -> Value<'gc> {
        match x {
            Rk::R(r) => self.state.stack[base + r as usize],
            Rk::K(k) => proto.constants[k as usize],
        }
    }

    /// A native's argument error when it was not called from Lua code by its field: Lua names
    /// the function by its qualified name then (`'string.sub'`, not `'sub'`).
    fn qualify(&self, e: LuaError<'gc>, qualified: &str) -> LuaError<'gc> {
        let Some((_, short)) = qualified.rsplit_once('.') else {
            return e;
        };
        let fix = |msg: &str| {
            let from = format!(" to '{short}' (");
            msg.starts_with("bad argument #")
                .then(|| msg.replacen(&from, &format!(" to '{qualified}' ("), 1))
        };
        match &e.pending {
            Some(Pending::Caller(msg)) => match fix(msg) {
                Some(m) => LuaError {
                    value: Value::Nil,
                    pending: Some(Pending::Caller(m)),
                },
                None => e,
            },
            _ => e,
        }
    }

    /// Calls a native function with `args`, settling its pending errors at the boundary.
    fn call_native(
        &mut self,
        f: Value<'gc>,
        args: Vec<Value<'gc>>,
    ) -> Result<Vec<Value<'gc>>, LuaError<'gc>> {
        let Value::Function(func) = f else {
            unreachable!("call_native of a function")
        };
        let Function::Native(n) = &*func else {
            unreachable!("call_native of a native")
        };
        let outer = std::mem::replace(&mut self.called_from_lua, true);
        self.state.calls.push(None);
        let r = (n.call)(self, args).map_err(|e| self.native_boundary(e));
        self.state.calls.pop();
        self.called_from_lua = outer;
        r
    }

    /// The metamethod `event` of `v`, if any.
    pub fn metamethod(&self, v: Value<'gc>, event: &str) -> Option<Value<'gc>> {
        let mt = match v {
            Value::Table(t) => t.metatable()?,
            Value::Str(_) => self.string_meta?,
            _ => return None,
        };
        let h = mt
            .data
            .borrow()
            .get_str(Gc::from_slice(self.mc, event.as_bytes()));
        (!h.is_nil()).then_some(h)
    }

    /// `t[k]` with `__index`.
    pub fn index(&mut self, t: Value<'gc>, k: Value<'gc>) -> Result<Value<'gc>, LuaError<'gc>> {
        let mut t = t;
        for _ in 0..2000 {
            if let Value::Table(tt) = t {
                let v = tt.get(k);
                if !v.is_nil() {
                    return Ok(v);
                }
                match self.metamethod(t, "__index") {
                    None => return Ok(Value::Nil),
                    Some(h @ Value::Function(_)) => {
                        return Ok(self
                            .call(h, vec![t, k])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil));
                    }
                    Some(h) => t = h,
                }
            } else {
                match self.metamethod(t, "__index") {
                    None => {
                        return Err(self.operand_error(
                            format!("attempt to index a {} value", t.type_name()),
                            0,
                        ));
                    }
                    Some(h @ Value::Function(_)) => {
                        return Ok(self
                            .call(h, vec![t, k])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil));
                    }
                    Some(h) => t = h,
                }
            }
        }
        Err(self.error("'__index' chain too long; possible loop"))
    }

    /// `t[k] = v` with `__newindex`.
    pub fn set_index(
        &mut self,
        t: Value<'gc>,
        k: Value<'gc>,
        v: Value<'gc>,
    ) -> Result<(), LuaError<'gc>> {
        let mut t = t;
        for _ in 0..2000 {
            if let Value::Table(tt) = t {
                let existing = tt.get(k);
                let handler = if existing.is_nil() {
                    self.metamethod(t, "__newindex")
                } else {
                    None
                };
                match handler {
                    None => {
                        return tt.set(self.mc, k, v).map_err(|e| self.error(e.message()));
                    }
                    Some(h @ Value::Function(_)) => {
                        self.call(h, vec![t, k, v])?;
                        return Ok(());
                    }
                    Some(h) => t = h,
                }
            } else {
                match self.metamethod(t, "__newindex") {
                    None => {
                        return Err(self.operand_error(
                            format!("attempt to index a {} value", t.type_name()),
                            0,
                        ));
                    }
                    Some(h @ Value::Function(_)) => {
                        self.call(h, vec![t, k, v])?;
                        return Ok(());
                    }
                    Some(h) => t = h,
                }
            }
        }
        Err(self.error("'__newindex' chain too long; possible loop"))
    }

    fn arith(
        &mut self,
        op: ArithOp,
        x: Value<'gc>,
        y: Value<'gc>,
    ) -> Result<Value<'gc>, LuaError<'gc>> {
        if op.is_bitwise() {
            if let (Some(a), Some(b)) = (to_integer(x), to_integer(y)) {
                return Ok(Value::Int(bitwise(op, a, b)));
            }
        } else if let (Some(a), Some(b)) = (to_number(x), to_number(y)) {
            return arith_numbers(op, a, b).map_err(|m| self.error(m));
        }
        let h = self
            .metamethod(x, op.event())
            .or_else(|| self.metamethod(y, op.event()));
        let string_operand = matches!(x, Value::Str(_)) || matches!(y, Value::Str(_));
        match h {
            // Strings' arithmetic metamethods (the string library's) report as Lua's do.
            None if string_operand && !op.is_bitwise() => Err(self.plain_error(format!(
                "attempt to {} a '{}' with a '{}'",
                &op.event()[2..],
                x.type_name(),
                y.type_name()
            ))),
            Some(h) => Ok(self
                .call(h, vec![x, y])?
                .first()
                .copied()
                .unwrap_or(Value::Nil)),
            None => {
                let (bad, operand) = if op.is_bitwise() {
                    if to_integer(x).is_none() {
                        (x, 1)
                    } else {
                        (y, 2)
                    }
                } else if to_number(x).is_none() {
                    (x, 1)
                } else {
                    (y, 2)
                };
                Err(self.operand_error(
                    if op.is_bitwise() {
                        match bad {
                            Value::Num(_) => "number has no integer representation".to_string(),
                            _ => format!(
                                "attempt to perform bitwise operation on a {} value",
                                bad.type_name()
                            ),
                        }
                    } else {
                        format!(
                            "attempt to perform arithmetic on a {} value",
                            bad.type_name()
                        )
                    },
                    operand,
                ))
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, x: Value<'gc>) -> Result<Value<'gc>, LuaError<'gc>> {
        match op {
            UnaryOp::Not => Ok(Value::Bool(!x.truthy())),
            UnaryOp::Neg => match x {
                Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
                Value::Num(f) => Ok(Value::Num(-f)),
                _ => self.arith(ArithOp::Sub, Value::Int(0), x).or_else(|e| {
                    match self.metamethod(x, "__unm") {
                        Some(h) => Ok(self
                            .call(h, vec![x, x])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil)),
                        // The bad operand is this instruction's only one.
                        None => Err(match e.pending {
                            Some(Pending::Operand { msg, .. }) => self.operand_error(msg, 1),
                            _ => e,
                        }),
                    }
                }),
            },
            UnaryOp::BNot => match to_integer(x) {
                Some(i) => Ok(Value::Int(!i)),
                None => match self.metamethod(x, "__bnot") {
                    Some(h) => Ok(self
                        .call(h, vec![x, x])?
                        .first()
                        .copied()
                        .unwrap_or(Value::Nil)),
                    None => Err(self.operand_error(
                        format!(
                            "attempt to perform bitwise operation on a {} value",
                            x.type_name()
                        ),
                        1,
                    )),
                },
            },
            UnaryOp::Len => match x {
                Value::Str(s) => Ok(Value::Int(s.len() as i64)),
                _ => {
                    if let Some(h) = self.metamethod(x, "__len") {
                        return Ok(self
                            .call(h, vec![x])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil));
                    }
                    match x {
                        Value::Table(t) => Ok(Value::Int(t.data.borrow().length())),
                        _ => Err(self.operand_error(
                            format!("attempt to get length of a {} value", x.type_name()),
                            1,
                        )),
                    }
                }
            },
        }
    }

    /// `#v` with `__len`.
    pub fn unary_len(&mut self, v: Value<'gc>) -> Result<Value<'gc>, LuaError<'gc>> {
        self.unary(UnaryOp::Len, v)
    }

    /// `..` over `vals`, right to left as Lua does (metamethods pairwise).
    fn concat(&mut self, vals: &[Value<'gc>]) -> Result<Value<'gc>, LuaError<'gc>> {
        let mut acc = *vals.last().expect("concat of at least two values");
        let n = vals.len();
        for (i, &v) in vals[..n - 1].iter().enumerate().rev() {
            acc = match (to_concat_bytes(v), to_concat_bytes(acc)) {
                (Some(a), Some(b)) => {
                    let mut s = a;
                    s.extend_from_slice(&b);
                    Value::Str(Gc::from_slice(self.mc, &s))
                }
                _ => {
                    let h = self
                        .metamethod(v, "__concat")
                        .or_else(|| self.metamethod(acc, "__concat"));
                    match h {
                        Some(h) => self
                            .call(h, vec![v, acc])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil),
                        None => {
                            let (bad, operand) = if to_concat_bytes(v).is_none() {
                                (v, i + 1)
                            } else {
                                (acc, if i + 2 == n { n } else { 0 })
                            };
                            return Err(self.operand_error(
                                format!("attempt to concatenate a {} value", bad.type_name()),
                                operand as u8,
                            ));
                        }
                    }
                }
            };
        }
        Ok(acc)
    }

    /// `x == y` with `__eq`.
    pub fn equals(&mut self, x: Value<'gc>, y: Value<'gc>) -> Result<bool, LuaError<'gc>> {
        if x.raw_eq(&y) {
            return Ok(true);
        }
        if let (Value::Table(_), Value::Table(_)) = (x, y) {
            let h = self
                .metamethod(x, "__eq")
                .or_else(|| self.metamethod(y, "__eq"));
            if let Some(h) = h {
                let r = self.call(h, vec![x, y])?;
                return Ok(r.first().is_some_and(|v| v.truthy()));
            }
        }
        Ok(false)
    }

    /// `x < y` (or `x <= y` with `or_equal`), with `__lt`/`__le`.
    pub fn less(
        &mut self,
        x: Value<'gc>,
        y: Value<'gc>,
        or_equal: bool,
    ) -> Result<bool, LuaError<'gc>> {
        match (x, y) {
            (Value::Int(a), Value::Int(b)) => Ok(if or_equal { a <= b } else { a < b }),
            (Value::Str(a), Value::Str(b)) => Ok(if or_equal {
                a[..] <= b[..]
            } else {
                a[..] < b[..]
            }),
            _ => {
                if let (Some(a), Some(b)) = (num_of(x), num_of(y)) {
                    return Ok(num_less(a, b, or_equal));
                }
                let event = if or_equal { "__le" } else { "__lt" };
                let h = self
                    .metamethod(x, event)
                    .or_else(|| self.metamethod(y, event));
                match h {
                    Some(h) => {
                        let r = self.call(h, vec![x, y])?;
                        Ok(r.first().is_some_and(|v| v.truthy()))
                    }
                    None => {
                        let (a, b) = (x.type_name(), y.type_name());
                        Err(self.error(if a == b {
                            format!("attempt to compare two {a} values")
                        } else {
                            format!("attempt to compare {a} with {b}")
                        }))
                    }
                }
            }
        }
    }

    /// Numeric `for` setup over `R[s..s+3]`; whether the loop runs.
    fn for_prep(&mut self, s: usize) -> Result<bool, LuaError<'gc>> {
        let (init, limit, step) = (
            self.state.stack[s],
            self.state.stack[s + 1],
            self.state.stack[s + 2],
        );
        if let (Value::Int(i), Value::Int(st)) = (init, step) {
            if st == 0 {
                return Err(self.error("'for' step is zero"));
            }
            let lim = match limit {
                Value::Int(l) => Some(l),
                Value::Num(f) => strlib::for_limit(i, strlib::Number::Float(f), st),
                other => {
                    return Err(self.error(format!(
                        "bad 'for' limit (number expected, got {})",
                        other.type_name()
                    )));
                }
            };
            let Some(lim) = lim else { return Ok(false) };
            if (st > 0 && i > lim) || (st < 0 && i < lim) {
                return Ok(false);
            }
            // The iteration count, as Lua 5.4 keeps it (no overflow at the limit).
            let count = if st > 0 {
                (lim as u64).wrapping_sub(i as u64) / st as u64
            } else {
                (i as u64).wrapping_sub(lim as u64) / (st.unsigned_abs())
            };
            self.state.stack[s + 1] = Value::Int(count as i64);
            self.state.stack[s + 3] = Value::Int(i);
            return Ok(true);
        }
        let name = |v: Value<'gc>| v.type_name();
        let Some(i) = num_of(init).map(as_float) else {
            return Err(self.error(format!(
                "bad 'for' initial value (number expected, got {})",
                name(init)
            )));
        };
        let Some(l) = num_of(limit).map(as_float) else {
            return Err(self.error(format!(
                "bad 'for' limit (number expected, got {})",
                name(limit)
            )));
        };
        let Some(st) = num_of(step).map(as_float) else {
            return Err(self.error(format!(
                "bad 'for' step (number expected, got {})",
                name(step)
            )));
        };
        if st == 0.0 {
            return Err(self.error("'for' step is zero"));
        }
        if (st > 0.0 && i > l) || (st < 0.0 && i < l) {
            return Ok(false);
        }
        self.state.stack[s] = Value::Num(i);
        self.state.stack[s + 1] = Value::Num(l);
        self.state.stack[s + 2] = Value::Num(st);
        self.state.stack[s + 3] = Value::Num(i);
        Ok(true)
    }

    /// Numeric `for` step; whether to run the body again.
    fn for_loop(&mut self, s: usize) -> bool {
        match (
            self.state.stack[s],
            self.state.stack[s + 1],
            self.state.stack[s + 2],
        ) {
            (Value::Int(i), Value::Int(count), Value::Int(st)) => {
                if count == 0 {
                    return false;
                }
                let next = i.wrapping_add(st);
                self.state.stack[s] = Value::Int(next);
                self.state.stack[s + 1] = Value::Int(((count as u64) - 1) as i64);
                self.state.stack[s + 3] = Value::Int(next);
                true
            }
            (Value::Num(i), Value::Num(l), Value::Num(st)) => {
                let next = i + st;
                if (st > 0.0 && next <= l) || (st < 0.0 && next >= l) {
                    self.state.stack[s] = Value::Num(next);
                    self.state.stack[s + 3] = Value::Num(next);
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }
}

/// Integer and float arithmetic without metamethods or coercion, for the common cases.
#[inline]
fn arith_fast<'gc>(op: ArithOp, x: Value<'gc>, y: Value<'gc>) -> Option<Value<'gc>> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => match op {
            ArithOp::Add => Some(Value::Int(a.wrapping_add(b))),
            ArithOp::Sub => Some(Value::Int(a.wrapping_sub(b))),
            ArithOp::Mul => Some(Value::Int(a.wrapping_mul(b))),
            _ => None,
        },
        (Value::Num(a), Value::Num(b)) => match op {
            ArithOp::Add => Some(Value::Num(a + b)),
            ArithOp::Sub => Some(Value::Num(a - b)),
            ArithOp::Mul => Some(Value::Num(a * b)),
            ArithOp::Div => Some(Value::Num(a / b)),
            _ => None,
        },
        _ => None,
    }
}

/// A number, or a string that reads as one (arithmetic's coercion).
fn to_number(v: Value<'_>) -> Option<strlib::Number> {
    match v {
        Value::Int(i) => Some(strlib::Number::Int(i)),
        Value::Num(f) => Some(strlib::Number::Float(f)),
        Value::Str(s) => strlib::str_to_number(&s),
        _ => None,
    }
}

fn num_of(v: Value<'_>) -> Option<strlib::Number> {
    match v {
        Value::Int(i) => Some(strlib::Number::Int(i)),
        Value::Num(f) => Some(strlib::Number::Float(f)),
        _ => None,
    }
}

fn as_float(n: strlib::Number) -> f64 {
    n.to_float()
}

/// An integer operand of a bitwise operation: integers, and floats with an integral value.
fn to_integer(v: Value<'_>) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Num(f) => float_to_int(f),
        _ => None,
    }
}

fn bitwise(op: ArithOp, a: i64, b: i64) -> i64 {
    match op {
        ArithOp::BAnd => a & b,
        ArithOp::BOr => a | b,
        ArithOp::BXor => a ^ b,
        ArithOp::Shl => shift_left(a, b),
        ArithOp::Shr => shift_left(a, b.wrapping_neg()),
        _ => unreachable!("not bitwise"),
    }
}

fn shift_left(a: i64, b: i64) -> i64 {
    if b <= -64 || b >= 64 {
        0
    } else if b >= 0 {
        ((a as u64) << b) as i64
    } else {
        ((a as u64) >> (-b)) as i64
    }
}

fn arith_numbers<'gc>(
    op: ArithOp,
    a: strlib::Number,
    b: strlib::Number,
) -> Result<Value<'gc>, String> {
    use strlib::Number::Int;
    Ok(match (op, a, b) {
        (ArithOp::Add, Int(x), Int(y)) => Value::Int(x.wrapping_add(y)),
        (ArithOp::Sub, Int(x), Int(y)) => Value::Int(x.wrapping_sub(y)),
        (ArithOp::Mul, Int(x), Int(y)) => Value::Int(x.wrapping_mul(y)),
        (ArithOp::IDiv, Int(x), Int(y)) => {
            if y == 0 {
                return Err("attempt to divide by zero".to_string());
            }
            let q = x.wrapping_div(y);
            Value::Int(if (x.wrapping_rem(y) != 0) && ((x ^ y) < 0) {
                q - 1
            } else {
                q
            })
        }
        (ArithOp::Mod, Int(x), Int(y)) => {
            if y == 0 {
                return Err("attempt to perform 'n%0'".to_string());
            }
            let m = x.wrapping_rem(y);
            Value::Int(if m != 0 && (m ^ y) < 0 { m + y } else { m })
        }
        (op, a, b) => {
            let (x, y) = (a.to_float(), b.to_float());
            Value::Num(match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Pow => x.powf(y),
                ArithOp::IDiv => (x / y).floor(),
                ArithOp::Mod => {
                    let m = x % y;
                    if m != 0.0 && (m < 0.0) != (y < 0.0) {
                        m + y
                    } else {
                        m
                    }
                }
                _ => unreachable!("bitwise handled apart"),
            })
        }
    })
}

fn num_less(a: strlib::Number, b: strlib::Number, or_equal: bool) -> bool {
    use strlib::Number::{Float, Int};
    match (a, b) {
        (Int(x), Int(y)) => {
            if or_equal {
                x <= y
            } else {
                x < y
            }
        }
        (Float(x), Float(y)) => {
            if or_equal {
                x <= y
            } else {
                x < y
            }
        }
        (Int(i), Float(f)) => int_float_less(i, f, or_equal),
        (Float(f), Int(i)) => {
            // f < i  <=>  !(i <= f); f <= i <=> !(i < f) (NaN: false both ways).
            if f.is_nan() {
                false
            } else {
                !int_float_less(i, f, !or_equal)
            }
        }
    }
}

/// `i < f` (or `<=`), exactly.
fn int_float_less(i: i64, f: f64, or_equal: bool) -> bool {
    if f.is_nan() {
        return false;
    }
    // Compare i with floor/ceil of f in the integers when f is in range.
    if f >= 9_223_372_036_854_775_808.0 {
        return true;
    }
    if f < -9_223_372_036_854_775_808.0 {
        return false;
    }
    if or_equal {
        // i <= f  <=>  i <= floor(f)
        i <= f.floor() as i64
    } else {
        // i < f  <=>  i < ceil(f)
        i < f.ceil() as i64
    }
}

/// The bytes `..` uses for a string or number operand.
pub fn to_concat_bytes(v: Value<'_>) -> Option<Vec<u8>> {
    match v {
        Value::Str(s) => Some(s.to_vec()),
        Value::Int(i) => Some(strlib::fmt_int(i)),
        Value::Num(f) => Some(strlib::fmt_float(f)),
        _ => None,
    }
}
