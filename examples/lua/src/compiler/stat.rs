//! Statements: blocks, assignments, control flow, loops, returns.

use super::*;

impl<'a, 'gc> FnCompiler<'a, 'gc> {
    pub(super) fn block(&mut self, b: &Block) {
        let tbc = self.tbc.len();
        for s in &b.stats {
            self.stat(s);
        }
        self.close_to(tbc);
    }

    /// Ends the to-be-closed variables declared since there were `active` of them.
    pub(super) fn close_to(&mut self, active: usize) {
        if self.tbc.len() > active {
            let from = self.tbc[active];
            self.tbc.truncate(active);
            self.emit(Op::Close { from });
        }
    }

    /// Closes (without forgetting them: the code after a `break` or `return` is still in
    /// their scope) the to-be-closed variables declared since there were `active`.
    pub(super) fn close_on_exit(&mut self, active: usize) {
        if self.tbc.len() > active {
            let from = self.tbc[active];
            self.emit(Op::Close { from });
        }
    }

    pub(super) fn enter_loop(&mut self) {
        self.loops.push(Vec::new());
        self.loop_tbc.push(self.tbc.len());
    }

    pub(super) fn leave_loop(&mut self) -> Vec<usize> {
        self.loop_tbc.pop();
        self.loops.pop().expect("in a loop")
    }

    pub(super) fn stat(&mut self, s: &Stat) {
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

    pub(super) fn local(&mut self, vars: &[ast::LocalDecl], values: &[Expr]) {
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

    pub(super) fn assign(&mut self, targets: &[Place], values: &[Expr]) {
        if let ([Place::Local(l)], [value]) = (targets, values)
            && !self.captured(l.id)
            && computes_at_the_end(value)
        {
            // `a = a + 1`: straight into the local's register, no temporary and no move.
            self.expr_to(value, l.slot);
            return;
        }
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
    pub(super) fn store(&mut self, target: &Place, v: Rk) {
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

    pub(super) fn rk_to_reg(&mut self, v: Rk) -> u16 {
        match v {
            Rk::R(r) => r,
            Rk::K(k) => {
                let r = self.alloc(1);
                self.emit(Op::LoadK { dst: r, k });
                r
            }
        }
    }

    pub(super) fn ret(&mut self, values: &[Expr]) {
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

    pub(super) fn numeric_for(&mut self, f: &ast::NumericFor) {
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

    pub(super) fn generic_for(&mut self, f: &ast::GenericFor) {
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

    pub(super) fn closure(&mut self, func: &AstFunction, dst: u16) {
        let proto = compile_function(self.mc, self.strings, func, &self.chunk);
        self.protos.push(proto);
        let index = (self.protos.len() - 1) as u16;
        self.emit(Op::Closure { dst, proto: index });
    }
}

/// Whether compiling `e` into a register writes that register only in its last instruction,
/// after reading every operand (so `a = <e>` may target `a` itself): arithmetic, concatenation
/// and unary operators, whose operands go to temporaries. (Not `and`/`or`, comparisons or
/// table constructors, which write their target early.)
fn computes_at_the_end(e: &Expr) -> bool {
    match e {
        Expr::Binary(b) => !matches!(
            b.op,
            BinOp::And
                | BinOp::Or
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
        ),
        Expr::Unary(_) => true,
        _ => false,
    }
}
