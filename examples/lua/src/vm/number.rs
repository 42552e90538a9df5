//! Numbers: the numeric `for`, arithmetic without metamethods, comparisons across subtypes.

use super::*;

impl<'a, 'gc> Vm<'a, 'gc> {
    /// Numeric `for` setup over `R[s..s+3]`; whether the loop runs.
    pub(super) fn for_prep(&mut self, s: usize) -> Result<bool, LuaError<'gc>> {
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
    pub(super) fn for_loop(&mut self, s: usize) -> bool {
        // By reference, for the reason `arith_fast` gives.
        let r = &mut self.state.stack[s..s + 4];
        match (&r[0], &r[1], &r[2]) {
            (&Value::Int(i), &Value::Int(count), &Value::Int(st)) => {
                if count == 0 {
                    return false;
                }
                let next = i.wrapping_add(st);
                r[0] = Value::Int(next);
                r[1] = Value::Int(((count as u64) - 1) as i64);
                r[3] = Value::Int(next);
                true
            }
            (&Value::Num(i), &Value::Num(l), &Value::Num(st)) => {
                let next = i + st;
                if (st > 0.0 && next <= l) || (st < 0.0 && next >= l) {
                    r[0] = Value::Num(next);
                    r[3] = Value::Num(next);
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
///
/// The operands are taken by reference: matching on them reads their tag and payload
/// separately, as the instruction that wrote them stored them, where copying a whole value out
/// first would be one wide load that the processor cannot forward from those two stores.
#[inline]
pub(super) fn arith_fast<'gc>(op: ArithOp, x: &Value<'gc>, y: &Value<'gc>) -> Option<Value<'gc>> {
    match (*x, *y) {
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
pub(super) fn to_number(v: Value<'_>) -> Option<strlib::Number> {
    match v {
        Value::Int(i) => Some(strlib::Number::Int(i)),
        Value::Num(f) => Some(strlib::Number::Float(f)),
        Value::Str(s) => strlib::str_to_number(&s),
        _ => None,
    }
}

pub(super) fn num_of(v: Value<'_>) -> Option<strlib::Number> {
    match v {
        Value::Int(i) => Some(strlib::Number::Int(i)),
        Value::Num(f) => Some(strlib::Number::Float(f)),
        _ => None,
    }
}

pub(super) fn as_float(n: strlib::Number) -> f64 {
    n.to_float()
}

/// An integer operand of a bitwise operation: integers, and floats with an integral value.
pub(super) fn to_integer(v: Value<'_>) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Num(f) => float_to_int(f),
        _ => None,
    }
}

pub(super) fn bitwise(op: ArithOp, a: i64, b: i64) -> i64 {
    match op {
        ArithOp::BAnd => a & b,
        ArithOp::BOr => a | b,
        ArithOp::BXor => a ^ b,
        ArithOp::Shl => shift_left(a, b),
        ArithOp::Shr => shift_left(a, b.wrapping_neg()),
        _ => unreachable!("not bitwise"),
    }
}

pub(super) fn shift_left(a: i64, b: i64) -> i64 {
    if b <= -64 || b >= 64 {
        0
    } else if b >= 0 {
        ((a as u64) << b) as i64
    } else {
        ((a as u64) >> (-b)) as i64
    }
}

pub(super) fn arith_numbers<'gc>(
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

pub(super) fn num_less(a: strlib::Number, b: strlib::Number, or_equal: bool) -> bool {
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
pub(super) fn int_float_less(i: i64, f: f64, or_equal: bool) -> bool {
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
