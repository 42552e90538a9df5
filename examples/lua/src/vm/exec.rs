//! The instruction loop: one `match` per instruction over the running frame's registers.
//!
//! Fast paths (integer arithmetic and comparisons, a table read that finds its key) read their
//! operands in place and write the pc back only when they leave the fast path; everything that
//! may fail, call out or suspend saves the pc first, since error positions and levels read it.
//! Calls from Lua code to [`Special`] natives (`pcall`, `xpcall`, `coroutine.resume`,
//! `coroutine.yield`) and to wrapped coroutines change the loop's frames or threads instead of
//! recursing.

use super::*;

impl<'a, 'gc> Vm<'a, 'gc> {
    pub(super) fn execute_frames(
        &mut self,
        depth: usize,
        entry: usize,
    ) -> Result<Exit, LuaError<'gc>> {
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
            // The running frame's pc is written back only before what may fail, call out or
            // suspend (errors and error levels read it), not at every instruction.
            macro_rules! save_pc {
                () => {
                    self.state.frames[fi].pc = pc
                };
            }
            loop {
                let op = proto.code[pc];
                pc += 1;
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
                        // A table holding the key: no metamethod, nothing can fail.
                        let st = &*self.state;
                        let found = match &st.stack[base + table as usize] {
                            Value::Table(t) => {
                                let k = match key {
                                    Rk::R(r) => &st.stack[base + r as usize],
                                    Rk::K(k) => &proto.constants[k as usize],
                                };
                                t.get_ref(self.mc, k)
                            }
                            _ => Value::Nil,
                        };
                        let v = if found.is_nil() {
                            save_pc!();
                            let t = self.state.stack[base + table as usize];
                            let k = self.rk(proto, base, key);
                            self.index(t, k)?
                        } else {
                            found
                        };
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::SetIndex { table, key, value } => {
                        save_pc!();
                        let t = self.state.stack[base + table as usize];
                        let k = self.rk(proto, base, key);
                        let v = self.rk(proto, base, value);
                        self.set_index(t, k, v)?;
                    }
                    Op::GetUpField { dst, up, key } => {
                        save_pc!();
                        let t = lc.upvalues[up as usize].get();
                        let v = self.index(t, proto.constants[key as usize])?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::SetUpField { up, key, value } => {
                        save_pc!();
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
                        save_pc!();
                        let o = self.state.stack[base + obj as usize];
                        let k = self.rk(proto, base, method);
                        let f = self.index(o, k)?;
                        self.state.stack[base + dst as usize + 1] = o;
                        self.state.stack[base + dst as usize] = f;
                    }
                    Op::Arith { op, dst, a, b } => {
                        let st = &mut *self.state;
                        let operand = |x: Rk| match x {
                            Rk::R(r) => &st.stack[base + r as usize],
                            Rk::K(k) => &proto.constants[k as usize],
                        };
                        let v = match arith_fast(op, operand(a), operand(b)) {
                            Some(v) => v,
                            None => {
                                save_pc!();
                                let (x, y) = (self.rk(proto, base, a), self.rk(proto, base, b));
                                self.arith(op, x, y)?
                            }
                        };
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::Unary { op, dst, src } => {
                        save_pc!();
                        let x = self.state.stack[base + src as usize];
                        let v = self.unary(op, x)?;
                        self.state.stack[base + dst as usize] = v;
                    }
                    Op::Concat { dst, first, count } => {
                        save_pc!();
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
                        let st = &*self.state;
                        let operand = |x: Rk| match x {
                            Rk::R(r) => &st.stack[base + r as usize],
                            Rk::K(k) => &proto.constants[k as usize],
                        };
                        let r = match (op, operand(a), operand(b)) {
                            (CmpOp::Lt, &Value::Int(i), &Value::Int(j)) => i < j,
                            (CmpOp::Le, &Value::Int(i), &Value::Int(j)) => i <= j,
                            (CmpOp::Eq, &Value::Int(i), &Value::Int(j)) => i == j,
                            _ => {
                                save_pc!();
                                let (x, y) = (self.rk(proto, base, a), self.rk(proto, base, b));
                                match op {
                                    CmpOp::Eq => self.equals(x, y)?,
                                    CmpOp::Lt => self.less(x, y, false)?,
                                    CmpOp::Le => self.less(x, y, true)?,
                                }
                            }
                        };
                        if r != expect {
                            pc = (pc as i64 + offset as i64) as usize;
                        }
                    }
                    Op::Jump { offset } => {
                        pc = (pc as i64 + offset as i64) as usize;
                        if offset < 0 && self.should_suspend() {
                            self.state.frames[fi].pc = pc;
                            return Ok(Exit::Suspended);
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
                        save_pc!();
                        let at = base + func as usize;
                        let nargs = if nargs == MULTI {
                            self.state.top - at - 1
                        } else {
                            nargs as usize
                        };
                        let f = self.state.stack[at];
                        if let Value::Function(g) = f {
                            let flow = match Gc::as_ref(g) {
                                Function::Lua(_) => {
                                    self.push_frame(g, at, nargs, nresults);
                                    if self.should_suspend() {
                                        return Ok(Exit::Suspended);
                                    }
                                    continue 'frames;
                                }
                                Function::Native(n) if n.special != Special::No => {
                                    self.special_call(n.special, at, nargs, nresults, entry)?
                                }
                                Function::Wrap(co) => {
                                    let args = self.state.stack[at + 1..at + 1 + nargs].to_vec();
                                    self.resume_from_lua(*co, args, at, nresults, true)?
                                }
                                Function::Native(_) | Function::Host(_) => {
                                    let args = self.state.stack[at + 1..at + 1 + nargs].to_vec();
                                    let results = self.call_native(f, args)?;
                                    self.place_results(at, &results, nresults);
                                    if self.rt.gc.collect_requested && self.can_suspend {
                                        // `collectgarbage("collect")`: the driver runs it.
                                        // What the registers above the results held is dead.
                                        self.clear_slots_from(if nresults == MULTI {
                                            self.state.top
                                        } else {
                                            at + nresults as usize
                                        });
                                        return Ok(Exit::Suspended);
                                    }
                                    Flow::Placed
                                }
                            };
                            match flow {
                                Flow::Placed => {}
                                Flow::Switched => continue 'frames,
                                Flow::Exit(exit) => return Ok(exit),
                            }
                        } else {
                            // `__call`, or an operand error named after the callee.
                            let args = self.state.stack[at + 1..at + 1 + nargs].to_vec();
                            let results = self.call(f, args)?;
                            self.place_results(at, &results, nresults);
                        }
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
                        match frame.protect {
                            None => self.move_results(from, to, frame.ret, frame.nresults),
                            Some(p) => {
                                let results = self.state.stack[from..to].to_vec();
                                // A protected call returns `true` and its results.
                                self.state.calls.truncate(p.calls);
                                let mut r = Vec::with_capacity(results.len() + 1);
                                r.push(Value::Bool(true));
                                r.extend(results);
                                self.place_results(p.ret, &r, p.nresults);
                            }
                        }
                        if self.state.frames.len() == depth && self.rt.threads.len() == entry {
                            return Ok(Exit::Returned);
                        }
                        if self.state.frames.is_empty() {
                            // A coroutine this loop switched to has returned.
                            let results = self.state.stack[..self.state.top].to_vec();
                            self.end_coroutine(Ok(results));
                        }
                        continue 'frames;
                    }
                    Op::VarArg { dst, count } => {
                        let st = &mut *self.state;
                        let n = st.frames[fi].nvarargs as usize;
                        let from = base - n;
                        let at = base + dst as usize;
                        if count == MULTI {
                            if st.stack.len() < at + n {
                                st.stack.resize(at + n, Value::Nil);
                                st.cells.resize(at + n, None);
                            }
                            st.stack.copy_within(from..base, at);
                            st.top = at + n;
                        } else {
                            for i in 0..count as usize {
                                st.stack[at + i] = if i < n {
                                    st.stack[from + i]
                                } else {
                                    Value::Nil
                                };
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
                                    Gc::new(self.mc, GcCell::new(Value::Table(self.rt.globals)))
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
                        save_pc!();
                        if !self.for_prep(base + s as usize)? {
                            pc = (pc as i64 + offset as i64) as usize;
                        }
                    }
                    Op::ForLoop { base: s, offset } => {
                        if self.for_loop(base + s as usize) {
                            pc = (pc as i64 + offset as i64) as usize;
                            if self.should_suspend() {
                                self.state.frames[fi].pc = pc;
                                return Ok(Exit::Suspended);
                            }
                        }
                    }
                    Op::Tbc { slot, name } => {
                        save_pc!();
                        let v = self.state.stack[base + slot as usize];
                        if v.truthy() {
                            if self.metamethod(v, Event::Close).is_none() {
                                let Value::Str(n) = proto.constants[name as usize] else {
                                    unreachable!("a variable's name")
                                };
                                return Err(self.error(format!(
                                    "variable '{}' got a non-closable value",
                                    String::from_utf8_lossy(&n)
                                )));
                            }
                            self.state.tbc.push(base + slot as usize);
                        }
                    }
                    Op::Close { from } => {
                        save_pc!();
                        if self
                            .state
                            .tbc
                            .last()
                            .is_some_and(|&i| i >= base + from as usize)
                        {
                            self.close_tbc_from(base + from as usize, Value::Nil)?;
                        }
                    }
                    Op::TForLoop { base: s, offset } => {
                        let s = base + s as usize;
                        let v = self.state.stack[s + 4];
                        if !v.is_nil() {
                            self.state.stack[s + 2] = v;
                            pc = (pc as i64 + offset as i64) as usize;
                            if self.should_suspend() {
                                self.state.frames[fi].pc = pc;
                                return Ok(Exit::Suspended);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a call run by the loop itself did.
pub(super) enum Flow {
    /// Its results are in place: go on with the frame.
    Placed,
    /// It pushed a frame or switched threads: reload the running frame.
    Switched,
    /// The loop must end.
    Exit(Exit),
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// A call from Lua code to a [`Special`] native, at stack index `at`.
    fn special_call(
        &mut self,
        special: Special,
        at: usize,
        nargs: usize,
        nresults: u16,
        entry: usize,
    ) -> Result<Flow, LuaError<'gc>> {
        let arg = |vm: &Self, i: usize| {
            if i < nargs {
                vm.state.stack[at + 1 + i]
            } else {
                Value::Nil
            }
        };
        match special {
            Special::PCall | Special::XPCall => {
                let skip = if special == Special::XPCall { 2 } else { 1 };
                if nargs >= skip
                    && let Value::Function(g) = arg(self, 0)
                    && let Function::Lua(_) = Gc::as_ref(g)
                {
                    let handler = if skip == 2 { arg(self, 1) } else { Value::Nil };
                    if skip == 2 {
                        // The callee's arguments follow it, past the handler.
                        self.state.stack.copy_within(at + 3..at + 1 + nargs, at + 2);
                    }
                    let calls = self.state.calls.len();
                    self.state.calls.push(None);
                    self.push_frame(g, at + 1, nargs - skip, MULTI);
                    self.state.frames.last_mut().expect("just pushed").protect =
                        Some(Box::new(Protect {
                            ret: at,
                            nresults,
                            calls,
                            handler,
                        }));
                    return Ok(Flow::Switched);
                }
            }
            Special::Resume => {
                if let Value::Thread(co) = arg(self, 0) {
                    let args = self.state.stack[at + 2..at + 1 + nargs].to_vec();
                    return self.resume_from_lua(co, args, at, nresults, false);
                }
            }
            Special::Yield => return self.yield_from_lua(at, nargs, nresults, entry),
            Special::No => {}
        }
        // Not a case the loop runs itself: the native does it (or raises its argument error).
        let f = self.state.stack[at];
        let args = self.state.stack[at + 1..at + 1 + nargs].to_vec();
        let results = self.call_native(f, args)?;
        self.place_results(at, &results, nresults);
        Ok(Flow::Placed)
    }
}
