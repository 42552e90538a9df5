//! Operations with metamethods: indexing, arithmetic, length, concatenation, comparison.

use super::*;

impl<'a, 'gc> Vm<'a, 'gc> {
    /// The metamethod `event` of `v`, if any.
    pub fn metamethod(&self, v: Value<'gc>, event: Event) -> Option<Value<'gc>> {
        let mt = match v {
            Value::Table(t) => t.metatable()?,
            Value::Str(_) => self.rt.string_meta?,
            _ => return None,
        };
        self.meta_field(mt, event)
    }

    /// The field `event` of the metatable `mt`, if set (through `mt`'s absent-field cache).
    #[inline]
    pub fn meta_field(&self, mt: Gc<'gc, Table<'gc>>, event: Event) -> Option<Value<'gc>> {
        const { assert!(Event::ALL.len() <= 32, "one bit per event") };
        let bit = 1u32 << event.index();
        if mt.lacks(bit) {
            return None;
        }
        let h = mt.get(self.mc, Value::Str(self.event_name(event)));
        if h.is_nil() {
            mt.note_lacks(bit);
            return None;
        }
        Some(h)
    }

    /// The interned name of `event`.
    #[inline]
    pub fn event_name(&self, event: Event) -> Gc<'gc, LuaStr<'gc>> {
        self.rt.events[event.index()]
    }

    /// `t[k]` with `__index`.
    pub fn index(&mut self, t: Value<'gc>, k: Value<'gc>) -> Result<Value<'gc>, LuaError<'gc>> {
        let mut t = t;
        for _ in 0..2000 {
            if let Value::Table(tt) = t {
                let v = tt.get(self.mc, k);
                if !v.is_nil() {
                    return Ok(v);
                }
                match self.metamethod(t, Event::Index) {
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
                match self.metamethod(t, Event::Index) {
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
                let existing = tt.get(self.mc, k);
                let handler = if existing.is_nil() {
                    self.metamethod(t, Event::NewIndex)
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
                match self.metamethod(t, Event::NewIndex) {
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

    pub(super) fn arith(
        &mut self,
        op: ArithOp,
        x: Value<'gc>,
        y: Value<'gc>,
    ) -> Result<Value<'gc>, LuaError<'gc>> {
        let string_operand = matches!(x, Value::Str(_)) || matches!(y, Value::Str(_));
        if op.is_bitwise() {
            if let (Some(a), Some(b)) = (to_integer(x), to_integer(y)) {
                return Ok(Value::Int(bitwise(op, a, b)));
            }
        } else if let (Some(a), Some(b)) = (to_number(x), to_number(y)) {
            // With a string operand the operation is the string library's metamethod, a native:
            // its errors carry no position.
            return arith_numbers(op, a, b).map_err(|m| {
                if string_operand {
                    LuaError::new(self.str(m.as_bytes()))
                } else {
                    self.error(m)
                }
            });
        }
        let h = self
            .metamethod(x, Event::Arith(op))
            .or_else(|| self.metamethod(y, Event::Arith(op)));
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
            None if op.is_bitwise() => {
                // As `luaT_trybinTM`: two numbers, one not integral; else the first non-number.
                let both_numbers = num_of(x).is_some() && num_of(y).is_some();
                Err(if both_numbers {
                    let operand = if to_integer(x).is_none() { 1 } else { 2 };
                    self.operand_error("number has no integer representation", operand)
                } else {
                    let (bad, operand) = if num_of(x).is_none() { (x, 1) } else { (y, 2) };
                    self.operand_error(
                        format!(
                            "attempt to perform bitwise operation on a {} value",
                            bad.type_name()
                        ),
                        operand,
                    )
                })
            }
            None => {
                let (bad, operand) = if to_number(x).is_none() {
                    (x, 1)
                } else {
                    (y, 2)
                };
                Err(self.operand_error(
                    format!(
                        "attempt to perform arithmetic on a {} value",
                        bad.type_name()
                    ),
                    operand,
                ))
            }
        }
    }

    pub(super) fn unary(
        &mut self,
        op: UnaryOp,
        x: Value<'gc>,
    ) -> Result<Value<'gc>, LuaError<'gc>> {
        match op {
            UnaryOp::Not => Ok(Value::Bool(!x.truthy())),
            UnaryOp::Neg => match x {
                Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
                Value::Num(f) => Ok(Value::Num(-f)),
                _ => {
                    if let Some(h) = self.metamethod(x, Event::Unm) {
                        return Ok(self
                            .call(h, vec![x, x])?
                            .first()
                            .copied()
                            .unwrap_or(Value::Nil));
                    }
                    match x {
                        // The string library's `__unm`: the string as a number, negated.
                        Value::Str(s) => match strlib::str_to_number(&s) {
                            Some(strlib::Number::Int(i)) => Ok(Value::Int(i.wrapping_neg())),
                            Some(strlib::Number::Float(f)) => Ok(Value::Num(-f)),
                            None => {
                                Err(self.plain_error("attempt to unm a 'string' with a 'string'"))
                            }
                        },
                        _ => Err(self.operand_error(
                            format!("attempt to perform arithmetic on a {} value", x.type_name()),
                            1,
                        )),
                    }
                }
            },
            UnaryOp::BNot => match to_integer(x) {
                Some(i) => Ok(Value::Int(!i)),
                None => match self.metamethod(x, Event::BNot) {
                    Some(h) => Ok(self
                        .call(h, vec![x, x])?
                        .first()
                        .copied()
                        .unwrap_or(Value::Nil)),
                    None if matches!(x, Value::Num(_)) => {
                        Err(self.operand_error("number has no integer representation", 1))
                    }
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
                    if let Some(h) = self.metamethod(x, Event::Len) {
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
    pub(super) fn concat(&mut self, vals: &[Value<'gc>]) -> Result<Value<'gc>, LuaError<'gc>> {
        // Strings and numbers only (the common case): one buffer, one new string, as Lua's
        // `luaV_concat` copies a run of them at once.
        if vals
            .iter()
            .all(|v| matches!(v, Value::Str(_) | Value::Int(_) | Value::Num(_)))
        {
            let len = vals
                .iter()
                .map(|v| match v {
                    Value::Str(s) => s.len(),
                    _ => 24,
                })
                .sum();
            let mut buf = Vec::with_capacity(len);
            for v in vals {
                match v {
                    Value::Str(s) => buf.extend_from_slice(s),
                    Value::Int(i) => buf.extend_from_slice(&strlib::fmt_int(*i)),
                    Value::Num(f) => buf.extend_from_slice(&strlib::fmt_float(*f)),
                    _ => unreachable!("checked above"),
                }
            }
            return Ok(Value::Str(LuaStr::new(self.mc, &buf)));
        }
        let mut acc = *vals.last().expect("concat of at least two values");
        let n = vals.len();
        for (i, &v) in vals[..n - 1].iter().enumerate().rev() {
            acc = match (to_concat_bytes(v), to_concat_bytes(acc)) {
                (Some(a), Some(b)) => {
                    let mut s = a;
                    s.extend_from_slice(&b);
                    Value::Str(LuaStr::new(self.mc, &s))
                }
                _ => {
                    let h = self
                        .metamethod(v, Event::Concat)
                        .or_else(|| self.metamethod(acc, Event::Concat));
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
                .metamethod(x, Event::Eq)
                .or_else(|| self.metamethod(y, Event::Eq));
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
                let event = if or_equal { Event::Le } else { Event::Lt };
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
}
