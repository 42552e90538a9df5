//! The compiler: a resolved AST (`gcheap-lua-syntax`) to [`Proto`]s on the heap.
//!
//! One pass over each function. Locals sit in the registers the parser assigned them; the
//! temporaries of an expression are allocated above every local of the function
//! (`num_slots`), as a stack: a call's function and arguments, a table constructor's pending
//! items and a concatenation's operands need consecutive registers, and get them there.
//! Captured locals live in cells ([`crate::opcode`]). Jumps are emitted with a placeholder
//! offset and patched once their target is known; `break` and `goto` keep lists of such jumps
//! per loop and per label.

use std::sync::Arc;

use gcheap::{Gc, Mutation};
use gcheap_lua_syntax::ast::{
    self, BinOp, Block, Expr, Function as AstFunction, Place, Stat, TableItem, UnOp, UpvalueSource,
};

use crate::function::{Capture, Proto};
use crate::intern::Interner;
use crate::opcode::{ArithOp, CmpOp, MULTI, Op, Rk, UnaryOp};
use crate::value::Value;

/// Compiles a parsed chunk's main function.
pub fn compile<'gc>(
    mc: &Mutation<'gc>,
    strings: &mut Interner<'gc>,
    chunk: &ast::Chunk,
    chunk_name: &str,
) -> Gc<'gc, Proto<'gc>> {
    let name: Arc<str> = Arc::from(chunk_name);
    compile_function(mc, strings, &chunk.main, &name)
}

fn compile_function<'gc>(
    mc: &Mutation<'gc>,
    strings: &mut Interner<'gc>,
    f: &AstFunction,
    chunk: &Arc<str>,
) -> Gc<'gc, Proto<'gc>> {
    let mut c = FnCompiler {
        mc,
        strings,
        f,
        chunk: chunk.clone(),
        code: Vec::new(),
        lines: Vec::new(),
        constants: Vec::new(),
        protos: Vec::new(),
        free: f.num_slots,
        max_stack: f.num_slots,
        line: f.line,
        loops: Vec::new(),
        loop_tbc: Vec::new(),
        tbc: Vec::new(),
        labels: vec![None; f.num_labels as usize],
        gotos: Vec::new(),
        names: Vec::new(),
    };
    for p in &f.params {
        if p.captured {
            c.emit(Op::NewCell { slot: p.slot });
            c.emit(Op::SetCell {
                slot: p.slot,
                src: p.slot,
            });
        }
    }
    c.block(&f.body);
    c.emit(Op::Return { first: 0, count: 0 });
    for (at, label) in std::mem::take(&mut c.gotos) {
        let target = c.labels[label as usize].expect("the parser checked every goto's label");
        c.patch(at, target);
    }
    let captures = f
        .upvalues
        .iter()
        .map(|u| match u.source {
            UpvalueSource::Env => Capture::Env,
            UpvalueSource::ParentLocal { slot, .. } => Capture::Local(slot),
            UpvalueSource::ParentUpvalue(j) => Capture::Upvalue(j),
        })
        .collect();
    Gc::new(
        mc,
        Proto {
            code: c.code,
            lines: c.lines,
            constants: c.constants,
            protos: c.protos,
            captures,
            num_params: f.num_params,
            is_vararg: f.is_vararg,
            max_stack: c.max_stack + 2,
            chunk: chunk.clone(),
            line: f.line,
            names: c.names,
        },
    )
}

/// What an expression is in the source, as Lua's error messages name it.
fn describe(e: &Expr) -> Option<String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match e {
        Expr::Local(l) => Some(format!("local '{}'", text(&l.name))),
        Expr::Upvalue(u) => Some(format!("upvalue '{}'", text(&u.name))),
        Expr::Global(g) => Some(format!("global '{}'", text(&g.name))),
        Expr::Index(ix) => match &ix.key {
            Expr::String(k) => Some(format!("field '{}'", text(k))),
            _ => None,
        },
        Expr::String(s) => Some(format!("constant '{}'", text(s))),
        _ => None,
    }
}

struct FnCompiler<'a, 'gc> {
    mc: &'a Mutation<'gc>,
    /// The state's interned strings: constants are interned (see `crate::intern`).
    strings: &'a mut Interner<'gc>,
    f: &'a AstFunction,
    chunk: Arc<str>,
    code: Vec<Op>,
    lines: Vec<u32>,
    constants: Vec<Value<'gc>>,
    protos: Vec<Gc<'gc, Proto<'gc>>>,
    /// The first free temporary register.
    free: u16,
    max_stack: u16,
    /// The line of what is being compiled.
    line: u32,
    /// Per enclosing loop: the `break` jumps to patch to its end.
    loops: Vec<Vec<usize>>,
    /// The number of active to-be-closed variables when each enclosing loop began.
    loop_tbc: Vec<usize>,
    /// The slots of the active to-be-closed variables (`<close>`), outermost first.
    tbc: Vec<u16>,
    /// Where each label is, once compiled.
    labels: Vec<Option<usize>>,
    /// `goto` jumps and their labels.
    gotos: Vec<(usize, u32)>,
    /// Operand descriptions for error messages (see `Proto::names`).
    names: Vec<(u32, u8, Box<str>)>,
}

impl<'a, 'gc> FnCompiler<'a, 'gc> {
    fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.lines.push(self.line);
        self.code.len() - 1
    }

    /// Records what operand `operand` of the instruction at `pc` is.
    fn name(&mut self, pc: usize, operand: u8, e: &Expr) {
        if let Some(d) = describe(e) {
            self.names.push((pc as u32, operand, d.into_boxed_str()));
        }
    }

    fn here(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i32 - at as i32 - 1;
        match &mut self.code[at] {
            Op::Jump { offset: o }
            | Op::Test { offset: o, .. }
            | Op::Compare { offset: o, .. }
            | Op::ForPrep { offset: o, .. }
            | Op::ForLoop { offset: o, .. }
            | Op::TForLoop { offset: o, .. } => *o = offset,
            other => unreachable!("patching a non-jump {other:?}"),
        }
    }

    fn alloc(&mut self, n: u16) -> u16 {
        let r = self.free;
        self.free += n;
        self.max_stack = self.max_stack.max(self.free);
        r
    }

    fn constant(&mut self, v: Value<'gc>) -> u16 {
        if let Some(i) = self.constants.iter().position(|c| same_constant(c, &v)) {
            return i as u16;
        }
        self.constants.push(v);
        (self.constants.len() - 1) as u16
    }

    fn string_constant(&mut self, s: &[u8]) -> u16 {
        let v = Value::Str(self.strings.intern(self.mc, s));
        self.constant(v)
    }

    fn captured(&self, id: ast::LocalId) -> bool {
        self.f.local(id).captured
    }

    // -----------------------------------------------------------------------------------------
    // Statements.

    fn block(&mut self, b: &Block) {
        let tbc = self.tbc.len();
        for s in &b.stats {
            self.stat(s);
        }
        self.close_to(tbc);
    }

    /// Ends the to-be-closed variables declared since there were `active` of them.
    fn close_to(&mut self, active: usize) {
        if self.tbc.len() > active {
            let from = self.tbc[active];
            self.tbc.truncate(active);
            self.emit(Op::Close { from });
        }
    }

    /// Closes (without forgetting them: the code after a `break` or `return` is still in
    /// their scope) the to-be-closed variables declared since there were `active`.
    fn close_on_exit(&mut self, active: usize) {
        if self.tbc.len() > active {
            let from = self.tbc[active];
            self.emit(Op::Close { from });
        }
    }

    fn enter_loop(&mut self) {
        self.loops.push(Vec::new());
        self.loop_tbc.push(self.tbc.len());
    }

    fn leave_loop(&mut self) -> Vec<usize> {
        self.loop_tbc.pop();
        self.loops.pop().expect("in a loop")
    }

    fn stat(&mut self, s: &Stat) {
        self.line = s.line();
        let free = self.free;
        match s {
            Stat::Local { vars, values, .. } => self.local(vars, values),
            Stat::Assign {
                targets, values, ..
            } => self.assign(targets, values),
            Stat::Call { call, .. } => {
                let base = self.alloc(0);
                self.call_expr(call, base, 0);
            }
            Stat::Do { body, .. } => self.block(body),
            Stat::While { cond, body, .. } => {
                let start = self.here();
                let exit = self.cond_jump(cond, false);
                self.enter_loop();
                self.block(body);
                let back = self.emit(Op::Jump { offset: 0 });
                self.patch(back, start);
                let end = self.here();
                for j in exit {
                    self.patch(j, end);
                }
                for j in self.leave_loop() {
                    self.patch(j, end);
                }
            }
            Stat::Repeat { body, cond, .. } => {
                let start = self.here();
                self.enter_loop();
                self.block(body);
                self.line = s.line();
                let again = self.cond_jump(cond, false);
                for j in again {
                    self.patch(j, start);
                }
                let end = self.here();
                for j in self.leave_loop() {
                    self.patch(j, end);
                }
            }
            Stat::If {
                clauses, else_body, ..
            } => {
                let mut to_end = Vec::new();
                for clause in clauses {
                    self.line = clause.line;
                    let next = self.cond_jump(&clause.cond, false);
                    self.block(&clause.body);
                    if else_body.is_some() || !std::ptr::eq(clause, clauses.last().unwrap()) {
                        to_end.push(self.emit(Op::Jump { offset: 0 }));
                    }
                    let here = self.here();
                    for j in next {
                        self.patch(j, here);
                    }
                }
                if let Some(b) = else_body {
                    self.block(b);
                }
                let end = self.here();
                for j in to_end {
                    self.patch(j, end);
                }
            }
            Stat::NumericFor(f) => self.numeric_for(f),
            Stat::GenericFor(f) => self.generic_for(f),
            Stat::Function { target, func, .. } => {
                let r = self.alloc(1);
                self.closure(func, r);
                self.store(target, Rk::R(r));
            }
            Stat::LocalFunction { var, func, .. } => {
                if var.captured {
                    // The cell exists before the closure so that it can capture itself.
                    self.emit(Op::NewCell { slot: var.slot });
                    let r = self.alloc(1);
                    self.closure(func, r);
                    self.emit(Op::SetCell {
                        slot: var.slot,
                        src: r,
                    });
                } else {
                    self.closure(func, var.slot);
                }
            }
            Stat::Return { values, .. } => self.ret(values),
            Stat::Break { .. } => {
                let active = *self.loop_tbc.last().expect("break is in a loop");
                self.close_on_exit(active);
                let j = self.emit(Op::Jump { offset: 0 });
                self.loops
                    .last_mut()
                    .expect("the parser checked that break is in a loop")
                    .push(j);
            }
            Stat::Goto { label, .. } => {
                let j = self.emit(Op::Jump { offset: 0 });
                self.gotos.push((j, label.0));
            }
            Stat::Label { id, .. } => {
                self.labels[id.0 as usize] = Some(self.here());
            }
        }
        self.free = free;
    }

    fn local(&mut self, vars: &[ast::LocalDecl], values: &[Expr]) {
        // Values go to temporaries first: `local a, b = b, a` reads the old locals.
        let base = self.free;
        self.explist(values, base, vars.len());
        for (i, v) in vars.iter().enumerate() {
            let src = base + i as u16;
            if v.captured {
                self.emit(Op::NewCell { slot: v.slot });
                self.emit(Op::SetCell { slot: v.slot, src });
                if v.attrib == ast::Attrib::Close {
                    // A `<close>` variable is constant: its register keeps a copy to close.
                    self.emit(Op::Move { dst: v.slot, src });
                }
            } else {
                self.emit(Op::Move { dst: v.slot, src });
            }
            if v.attrib == ast::Attrib::Close {
                let name = self.string_constant(&v.name);
                self.emit(Op::Tbc { slot: v.slot, name });
                self.tbc.push(v.slot);
            }
        }
    }

    fn assign(&mut self, targets: &[Place], values: &[Expr]) {
        if let ([target], [value]) = (targets, values)
            && !value.is_multi()
        {
            let v = self.rk(value);
            self.store(target, v);
            return;
        }
        // Evaluate the targets' tables and keys, then every value, then store.
        let mut prepared = Vec::new();
        for t in targets {
            prepared.push(match t {
                Place::Index(ix) => {
                    let table = self.any_reg(&ix.object);
                    let key = self.rk(&ix.key);
                    PreparedPlace::Index(table, key, ix.line, &ix.object)
                }
                other => PreparedPlace::Simple(other),
            });
        }
        let base = self.free;
        self.explist(values, base, targets.len());
        for (i, p) in prepared.iter().enumerate().rev() {
            let v = Rk::R(base + i as u16);
            match p {
                PreparedPlace::Index(table, key, line, object) => {
                    self.line = *line;
                    let pc = self.emit(Op::SetIndex {
                        table: *table,
                        key: *key,
                        value: v,
                    });
                    self.name(pc, 0, object);
                }
                PreparedPlace::Simple(place) => self.store(place, v),
            }
        }
    }

    /// Stores `v` into a place.
    fn store(&mut self, target: &Place, v: Rk) {
        match target {
            Place::Local(l) => {
                let src = self.rk_to_reg(v);
                if self.captured(l.id) {
                    self.emit(Op::SetCell { slot: l.slot, src });
                } else if src != l.slot {
                    self.emit(Op::Move { dst: l.slot, src });
                }
            }
            Place::Upvalue(u) => {
                let src = self.rk_to_reg(v);
                self.emit(Op::SetUp { up: u.index, src });
            }
            Place::Global(g) => {
                self.line = g.line;
                let key = self.string_constant(&g.name);
                match g.env {
                    ast::Env::Upvalue(up) => {
                        self.emit(Op::SetUpField { up, key, value: v });
                    }
                    ast::Env::Local { id, slot } => {
                        let table = self.local_to_reg(id, slot);
                        self.emit(Op::SetIndex {
                            table,
                            key: Rk::K(key),
                            value: v,
                        });
                    }
                }
            }
            Place::Index(ix) => {
                let table = self.any_reg(&ix.object);
                let key = self.rk(&ix.key);
                self.line = ix.line;
                let pc = self.emit(Op::SetIndex {
                    table,
                    key,
                    value: v,
                });
                self.name(pc, 0, &ix.object);
            }
        }
    }

    fn rk_to_reg(&mut self, v: Rk) -> u16 {
        match v {
            Rk::R(r) => r,
            Rk::K(k) => {
                let r = self.alloc(1);
                self.emit(Op::LoadK { dst: r, k });
                r
            }
        }
    }

    fn ret(&mut self, values: &[Expr]) {
        let (first, count) = match values {
            [] => (0, 0),
            [e] if !e.is_multi() => (self.any_reg(e), 1),
            _ => {
                let base = self.free;
                (base, self.explist(values, base, usize::MAX))
            }
        };
        // The values are computed before the function's to-be-closed variables are closed.
        self.close_on_exit(0);
        self.emit(Op::Return { first, count });
    }

    fn numeric_for(&mut self, f: &ast::NumericFor) {
        let s = f.state_slot;
        self.expr_to(&f.start, s);
        self.expr_to(&f.limit, s + 1);
        match &f.step {
            Some(step) => self.expr_to(step, s + 2),
            None => {
                self.emit(Op::LoadInt {
                    dst: s + 2,
                    value: 1,
                });
            }
        }
        self.line = f.line;
        let prep = self.emit(Op::ForPrep { base: s, offset: 0 });
        let body = self.here();
        self.enter_loop();
        if f.var.captured {
            self.emit(Op::NewCell { slot: f.var.slot });
            self.emit(Op::SetCell {
                slot: f.var.slot,
                src: f.var.slot,
            });
        }
        self.block(&f.body);
        self.line = f.line;
        let step = self.emit(Op::ForLoop { base: s, offset: 0 });
        self.patch(step, body);
        let end = self.here();
        self.patch(prep, end);
        for j in self.leave_loop() {
            self.patch(j, end);
        }
    }

    fn generic_for(&mut self, f: &ast::GenericFor) {
        let s = f.state_slot;
        // The fourth value is the loop's closing value, a to-be-closed variable.
        self.explist(&f.exprs, s, 4);
        let name = self.string_constant(b"(for state)");
        self.emit(Op::Tbc { slot: s + 3, name });
        let active = self.tbc.len();
        self.tbc.push(s + 3);
        let to_call = self.emit(Op::Jump { offset: 0 });
        let body = self.here();
        self.enter_loop();
        for v in &f.vars {
            if v.captured {
                self.emit(Op::NewCell { slot: v.slot });
                self.emit(Op::SetCell {
                    slot: v.slot,
                    src: v.slot,
                });
            }
        }
        self.block(&f.body);
        let call = self.here();
        self.patch(to_call, call);
        self.line = f.call_line;
        // The iterator call, as Lua makes it: copies of the function, state and control above
        // the control slots, whose results land on the loop variables.
        for i in 0..3 {
            self.emit(Op::Move {
                dst: s + 4 + i,
                src: s + i,
            });
        }
        self.max_stack = self.max_stack.max(s + 7);
        self.emit(Op::Call {
            func: s + 4,
            nargs: 2,
            nresults: f.vars.len() as u16,
        });
        let back = self.emit(Op::TForLoop { base: s, offset: 0 });
        self.patch(back, body);
        // `break` jumps here too (it closes what the body declared; this closes the rest).
        let end = self.here();
        for j in self.leave_loop() {
            self.patch(j, end);
        }
        self.close_to(active);
    }

    fn closure(&mut self, func: &AstFunction, dst: u16) {
        let proto = compile_function(self.mc, self.strings, func, &self.chunk);
        self.protos.push(proto);
        let index = (self.protos.len() - 1) as u16;
        self.emit(Op::Closure { dst, proto: index });
    }

    // -----------------------------------------------------------------------------------------
    // Expressions.

    /// Evaluates `exprs` into `want` consecutive registers from `base` (`usize::MAX`: all of
    /// them, the last one's multiple results included); returns the count operand (`MULTI` if
    /// the last was multi and `want` is `usize::MAX`).
    fn explist(&mut self, exprs: &[Expr], base: u16, want: usize) -> u16 {
        let entry_free = self.free;
        let count = self.explist_inner(exprs, base, want);
        // A list evaluated into local slots (a `for`'s control slots) leaves the temporaries
        // above every local as they were.
        self.free = self.free.max(entry_free);
        count
    }

    fn explist_inner(&mut self, exprs: &[Expr], base: u16, want: usize) -> u16 {
        let n = exprs.len();
        if self.free < base + n as u16 {
            let need = base + n as u16 - self.free;
            self.alloc(need);
        }
        for (i, e) in exprs.iter().enumerate() {
            let dst = base + i as u16;
            let last = i + 1 == n;
            if last && e.is_multi() {
                let wanted = if want == usize::MAX {
                    MULTI
                } else if want > i {
                    (want - i) as u16
                } else {
                    0
                };
                self.free = dst;
                self.multi(e, dst, wanted);
                if wanted != MULTI {
                    self.free = self.free.max(dst + wanted);
                    self.max_stack = self.max_stack.max(self.free);
                }
                return if wanted == MULTI { MULTI } else { want as u16 };
            }
            self.free = dst + 1;
            self.max_stack = self.max_stack.max(self.free);
            self.expr_to(e, dst);
        }
        if want != usize::MAX && want > n {
            let missing = (want - n) as u16;
            self.emit(Op::LoadNil {
                dst: base + n as u16,
                count: missing,
            });
            self.free = self.free.max(base + want as u16);
            self.max_stack = self.max_stack.max(self.free);
        }
        if want == usize::MAX {
            n as u16
        } else {
            want as u16
        }
    }

    /// A multi-valued expression (call or `...`) at `dst`, `count` results (`MULTI`: all).
    fn multi(&mut self, e: &Expr, dst: u16, count: u16) {
        match e {
            Expr::Vararg => {
                self.emit(Op::VarArg { dst, count });
            }
            Expr::Call(_) | Expr::MethodCall(_) => self.call_expr(e, dst, count),
            _ => unreachable!("not a multi-valued expression"),
        }
    }

    /// A call with its function at `base`, `nresults` results left at `base`.
    fn call_expr(&mut self, e: &Expr, base: u16, nresults: u16) {
        self.free = base;
        let (args, line, callee) = match e {
            Expr::Call(c) => {
                let r = self.alloc(1);
                self.expr_to(&c.func, r);
                (&c.args, c.line, describe(&c.func))
            }
            Expr::MethodCall(m) => {
                let obj = self.any_reg(&m.object);
                self.free = base;
                self.alloc(2);
                let k = self.string_constant(&m.method);
                self.line = m.line;
                let pc = self.emit(Op::SelfOp {
                    dst: base,
                    obj,
                    method: Rk::K(k),
                });
                self.name(pc, 0, &m.object);
                let method = format!("method '{}'", String::from_utf8_lossy(&m.method));
                (&m.args, m.line, Some(method))
            }
            _ => unreachable!("not a call"),
        };
        let first_arg = self.free;
        let n = self.explist(args, first_arg, usize::MAX);
        let nargs = if n == MULTI {
            MULTI
        } else {
            first_arg - base - 1 + n
        };
        self.line = line;
        let pc = self.emit(Op::Call {
            func: base,
            nargs,
            nresults,
        });
        if let Some(d) = callee {
            self.names.push((pc as u32, 0, d.into_boxed_str()));
        }
        self.free = base + if nresults == MULTI { 0 } else { nresults };
        self.max_stack = self.max_stack.max(self.free);
    }

    /// The register of a local, reading its cell into a temporary if it is captured.
    fn local_to_reg(&mut self, id: ast::LocalId, slot: u16) -> u16 {
        if self.captured(id) {
            let r = self.alloc(1);
            self.emit(Op::GetCell { dst: r, slot });
            r
        } else {
            slot
        }
    }

    /// A register holding `e`'s value: a plain local's own, or a fresh temporary.
    fn any_reg(&mut self, e: &Expr) -> u16 {
        match e {
            Expr::Local(l) if !self.captured(l.id) => l.slot,
            _ => {
                let r = self.alloc(1);
                self.expr_to(e, r);
                r
            }
        }
    }

    /// A register or constant operand for `e`.
    fn rk(&mut self, e: &Expr) -> Rk {
        match e {
            Expr::String(s) => Rk::K(self.string_constant(s)),
            Expr::Int(i) => Rk::K(self.constant(Value::Int(*i))),
            Expr::Float(f) => Rk::K(self.constant(Value::Num(*f))),
            _ => Rk::R(self.any_reg(e)),
        }
    }

    /// Evaluates `e` (truncated to one value) into `dst`.
    fn expr_to(&mut self, e: &Expr, dst: u16) {
        let free = self.free;
        match e {
            Expr::Nil => {
                self.emit(Op::LoadNil { dst, count: 1 });
            }
            Expr::True => {
                self.emit(Op::LoadBool { dst, value: true });
            }
            Expr::False => {
                self.emit(Op::LoadBool { dst, value: false });
            }
            Expr::Int(i) => {
                if let Ok(value) = i32::try_from(*i) {
                    self.emit(Op::LoadInt { dst, value });
                } else {
                    let k = self.constant(Value::Int(*i));
                    self.emit(Op::LoadK { dst, k });
                }
            }
            Expr::Float(f) => {
                let k = self.constant(Value::Num(*f));
                self.emit(Op::LoadK { dst, k });
            }
            Expr::String(s) => {
                let k = self.string_constant(s);
                self.emit(Op::LoadK { dst, k });
            }
            Expr::Vararg => {
                self.emit(Op::VarArg { dst, count: 1 });
            }
            Expr::Function(f) => self.closure(f, dst),
            Expr::Local(l) => {
                if self.captured(l.id) {
                    self.emit(Op::GetCell { dst, slot: l.slot });
                } else if l.slot != dst {
                    self.emit(Op::Move { dst, src: l.slot });
                }
            }
            Expr::Upvalue(u) => {
                self.emit(Op::GetUp { dst, up: u.index });
            }
            Expr::Global(g) => {
                self.line = g.line;
                let key = self.string_constant(&g.name);
                match g.env {
                    ast::Env::Upvalue(up) => {
                        self.emit(Op::GetUpField { dst, up, key });
                    }
                    ast::Env::Local { id, slot } => {
                        let table = self.local_to_reg(id, slot);
                        self.emit(Op::GetIndex {
                            dst,
                            table,
                            key: Rk::K(key),
                        });
                    }
                }
            }
            Expr::Index(ix) => {
                let table = self.any_reg(&ix.object);
                let key = self.rk(&ix.key);
                self.line = ix.line;
                let pc = self.emit(Op::GetIndex { dst, table, key });
                self.name(pc, 0, &ix.object);
            }
            Expr::Call(_) | Expr::MethodCall(_) => {
                let base = self.alloc(0);
                self.call_expr(e, base, 1);
                if base != dst {
                    self.emit(Op::Move { dst, src: base });
                }
            }
            Expr::Paren(inner) => self.expr_to(inner, dst),
            Expr::Table(t) => self.table(t, dst),
            Expr::Unary(u) => {
                let src = self.any_reg(&u.operand);
                self.line = u.line;
                let op = match u.op {
                    UnOp::Neg => UnaryOp::Neg,
                    UnOp::Not => UnaryOp::Not,
                    UnOp::Len => UnaryOp::Len,
                    UnOp::BNot => UnaryOp::BNot,
                };
                let pc = self.emit(Op::Unary { op, dst, src });
                self.name(pc, 1, &u.operand);
            }
            Expr::Binary(b) => self.binary(b, dst),
        }
        self.free = free;
    }

    fn binary(&mut self, b: &ast::Binary, dst: u16) {
        let arith = match b.op {
            BinOp::Add => Some(ArithOp::Add),
            BinOp::Sub => Some(ArithOp::Sub),
            BinOp::Mul => Some(ArithOp::Mul),
            BinOp::Div => Some(ArithOp::Div),
            BinOp::IDiv => Some(ArithOp::IDiv),
            BinOp::Mod => Some(ArithOp::Mod),
            BinOp::Pow => Some(ArithOp::Pow),
            BinOp::BAnd => Some(ArithOp::BAnd),
            BinOp::BOr => Some(ArithOp::BOr),
            BinOp::BXor => Some(ArithOp::BXor),
            BinOp::Shl => Some(ArithOp::Shl),
            BinOp::Shr => Some(ArithOp::Shr),
            _ => None,
        };
        if let Some(op) = arith {
            let a = self.rk(&b.lhs);
            let bb = self.rk(&b.rhs);
            self.line = b.line;
            let pc = self.emit(Op::Arith { op, dst, a, b: bb });
            self.name(pc, 1, &b.lhs);
            self.name(pc, 2, &b.rhs);
            return;
        }
        match b.op {
            BinOp::Concat => {
                let mut operands = Vec::new();
                collect_concat(&b.lhs, &mut operands);
                collect_concat(&b.rhs, &mut operands);
                let first = self.alloc(operands.len() as u16);
                for (i, e) in operands.iter().enumerate() {
                    let free = self.free;
                    self.expr_to(e, first + i as u16);
                    self.free = free;
                }
                self.line = b.line;
                let pc = self.emit(Op::Concat {
                    dst,
                    first,
                    count: operands.len() as u16,
                });
                for (i, e) in operands.iter().enumerate() {
                    self.name(pc, i as u8 + 1, e);
                }
            }
            BinOp::And | BinOp::Or => {
                self.expr_to(&b.lhs, dst);
                let j = self.emit(Op::Test {
                    src: dst,
                    expect: b.op == BinOp::And,
                    offset: 0,
                });
                self.expr_to(&b.rhs, dst);
                let end = self.here();
                self.patch(j, end);
            }
            _ => {
                // A comparison as a value.
                let j = self.compare(b, true);
                self.emit(Op::LoadBool { dst, value: true });
                let skip = self.emit(Op::Jump { offset: 0 });
                let f = self.here();
                self.patch(j, f);
                self.emit(Op::LoadBool { dst, value: false });
                let end = self.here();
                self.patch(skip, end);
            }
        }
    }

    /// Emits a comparison that jumps when its result is not `expect`; returns the jump.
    fn compare(&mut self, b: &ast::Binary, expect: bool) -> usize {
        let a = self.rk(&b.lhs);
        let c = self.rk(&b.rhs);
        self.line = b.line;
        let (op, a, c, expect) = match b.op {
            BinOp::Eq => (CmpOp::Eq, a, c, expect),
            BinOp::Ne => (CmpOp::Eq, a, c, !expect),
            BinOp::Lt => (CmpOp::Lt, a, c, expect),
            BinOp::Le => (CmpOp::Le, a, c, expect),
            BinOp::Gt => (CmpOp::Lt, c, a, expect),
            BinOp::Ge => (CmpOp::Le, c, a, expect),
            _ => unreachable!("not a comparison"),
        };
        self.emit(Op::Compare {
            op,
            a,
            b: c,
            expect,
            offset: 0,
        })
    }

    /// Emits code that falls through when `e`'s truth is `!jump_when` ... returns the jumps
    /// taken when its truth equals `jump_when`.
    fn cond_jump(&mut self, e: &Expr, jump_when: bool) -> Vec<usize> {
        let free = self.free;
        let jumps = match e {
            Expr::Binary(b)
                if matches!(
                    b.op,
                    BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
                ) =>
            {
                // `Compare` jumps when the result differs from `expect`.
                vec![self.compare(b, !jump_when)]
            }
            Expr::Unary(u) if u.op == UnOp::Not => self.cond_jump(&u.operand, !jump_when),
            Expr::True | Expr::Int(_) | Expr::Float(_) | Expr::String(_) if !jump_when => {
                Vec::new()
            }
            Expr::Nil | Expr::False if jump_when => Vec::new(),
            _ => {
                let r = self.any_reg(e);
                vec![self.emit(Op::Test {
                    src: r,
                    expect: !jump_when,
                    offset: 0,
                })]
            }
        };
        self.free = free;
        jumps
    }

    fn table(&mut self, t: &ast::Table, dst: u16) {
        let narray = t
            .items
            .iter()
            .filter(|i| matches!(i, TableItem::Positional(_)))
            .count();
        let nhash = t.items.len() - narray;
        self.line = t.line;
        let table = self.alloc(1);
        self.emit(Op::NewTable {
            dst: table,
            narray: narray.min(u16::MAX as usize) as u16,
            nhash: nhash.min(u16::MAX as usize) as u16,
        });
        // The table is built in a temporary so that its items can follow it.
        self.free = self.free.max(table + 1);
        let mut pending = 0u16;
        let mut stored = 0u32;
        // Only the constructor's last field expands to all its results.
        let last_positional = match t.items.last() {
            Some(TableItem::Positional(e)) => Some(e),
            _ => None,
        };
        for item in &t.items {
            match item {
                TableItem::Positional(e) => {
                    let r = table + 1 + pending;
                    if self.free <= r {
                        self.alloc(r + 1 - self.free);
                    }
                    let is_last = last_positional.is_some_and(|l| std::ptr::eq(l, e));
                    if is_last && e.is_multi() {
                        self.free = r;
                        self.multi(e, r, MULTI);
                        self.emit(Op::SetList {
                            table,
                            count: MULTI,
                            first: stored + 1,
                        });
                        self.free = table + 1;
                        pending = 0;
                        continue;
                    }
                    self.free = r + 1;
                    self.expr_to(e, r);
                    pending += 1;
                    if pending == 50 {
                        self.emit(Op::SetList {
                            table,
                            count: pending,
                            first: stored + 1,
                        });
                        stored += pending as u32;
                        pending = 0;
                        self.free = table + 1;
                    }
                }
                TableItem::Named { name, value, line } => {
                    let free = self.free;
                    let k = self.string_constant(name);
                    let v = self.rk(value);
                    self.line = *line;
                    self.emit(Op::SetIndex {
                        table,
                        key: Rk::K(k),
                        value: v,
                    });
                    self.free = free;
                }
                TableItem::Keyed { key, value, line } => {
                    let free = self.free;
                    let k = self.rk(key);
                    let v = self.rk(value);
                    self.line = *line;
                    self.emit(Op::SetIndex {
                        table,
                        key: k,
                        value: v,
                    });
                    self.free = free;
                }
            }
        }
        if pending > 0 {
            self.emit(Op::SetList {
                table,
                count: pending,
                first: stored + 1,
            });
        }
        if table != dst {
            self.emit(Op::Move { dst, src: table });
        }
    }
}

enum PreparedPlace<'p> {
    Index(u16, Rk, u32, &'p Expr),
    Simple(&'p Place),
}

/// The operands of a chain of `..` (right-associative), in order.
fn collect_concat<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary(b) if b.op == BinOp::Concat => {
            collect_concat(&b.lhs, out);
            collect_concat(&b.rhs, out);
        }
        _ => out.push(e),
    }
}

/// Constants are shared by kind and value: 1 and 1.0 stay distinct, equal strings are one.
fn same_constant(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => x[..] == y[..],
        _ => false,
    }
}
