//! Expressions: into a given register, into any register, as an operand, or as a jump.

use super::*;

impl<'a, 'gc> FnCompiler<'a, 'gc> {
    /// Evaluates `exprs` into `want` consecutive registers from `base` (`usize::MAX`: all of
    /// them, the last one's multiple results included); returns the count operand (`MULTI` if
    /// the last was multi and `want` is `usize::MAX`).
    pub(super) fn explist(&mut self, exprs: &[Expr], base: u16, want: usize) -> u16 {
        let entry_free = self.free;
        let count = self.explist_inner(exprs, base, want);
        // A list evaluated into local slots (a `for`'s control slots) leaves the temporaries
        // above every local as they were.
        self.free = self.free.max(entry_free);
        count
    }

    pub(super) fn explist_inner(&mut self, exprs: &[Expr], base: u16, want: usize) -> u16 {
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
    pub(super) fn multi(&mut self, e: &Expr, dst: u16, count: u16) {
        match e {
            Expr::Vararg => {
                self.emit(Op::VarArg { dst, count });
            }
            Expr::Call(_) | Expr::MethodCall(_) => self.call_expr(e, dst, count),
            _ => unreachable!("not a multi-valued expression"),
        }
    }

    /// A call with its function at `base`, `nresults` results left at `base`.
    pub(super) fn call_expr(&mut self, e: &Expr, base: u16, nresults: u16) {
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
    pub(super) fn local_to_reg(&mut self, id: ast::LocalId, slot: u16) -> u16 {
        if self.captured(id) {
            let r = self.alloc(1);
            self.emit(Op::GetCell { dst: r, slot });
            r
        } else {
            slot
        }
    }

    /// A register holding `e`'s value: a plain local's own, or a fresh temporary.
    pub(super) fn any_reg(&mut self, e: &Expr) -> u16 {
        let e = folded(e);
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
    pub(super) fn rk(&mut self, e: &Expr) -> Rk {
        let e = folded(e);
        match e {
            Expr::String(s) => Rk::K(self.string_constant(s)),
            Expr::Int(i) => Rk::K(self.constant(Value::Int(*i))),
            Expr::Float(f) => Rk::K(self.constant(Value::Num(*f))),
            _ => Rk::R(self.any_reg(e)),
        }
    }

    /// Evaluates `e` (truncated to one value) into `dst`.
    pub(super) fn expr_to(&mut self, e: &Expr, dst: u16) {
        let e = folded(e);
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

    pub(super) fn binary(&mut self, b: &ast::Binary, dst: u16) {
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
    pub(super) fn compare(&mut self, b: &ast::Binary, expect: bool) -> usize {
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
    pub(super) fn cond_jump(&mut self, e: &Expr, jump_when: bool) -> Vec<usize> {
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

    pub(super) fn table(&mut self, t: &ast::Table, dst: u16) {
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
