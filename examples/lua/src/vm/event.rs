//! Metamethod names, interned once per state: a metamethod lookup is a table lookup by a string
//! the runtime already holds, not a new string each time.

use crate::opcode::ArithOp;

/// A metamethod (an "event" in the Lua manual).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Event {
    Index,
    NewIndex,
    Call,
    Len,
    Concat,
    Eq,
    Lt,
    Le,
    Unm,
    BNot,
    ToString,
    Pairs,
    Close,
    Gc,
    Mode,
    Name,
    Metatable,
    Arith(ArithOp),
}

impl Event {
    /// Every event, in the order the runtime interns them.
    pub const ALL: [Event; 29] = [
        Event::Index,
        Event::NewIndex,
        Event::Call,
        Event::Len,
        Event::Concat,
        Event::Eq,
        Event::Lt,
        Event::Le,
        Event::Unm,
        Event::BNot,
        Event::ToString,
        Event::Pairs,
        Event::Close,
        Event::Gc,
        Event::Mode,
        Event::Name,
        Event::Metatable,
        Event::Arith(ArithOp::Add),
        Event::Arith(ArithOp::Sub),
        Event::Arith(ArithOp::Mul),
        Event::Arith(ArithOp::Div),
        Event::Arith(ArithOp::IDiv),
        Event::Arith(ArithOp::Mod),
        Event::Arith(ArithOp::Pow),
        Event::Arith(ArithOp::BAnd),
        Event::Arith(ArithOp::BOr),
        Event::Arith(ArithOp::BXor),
        Event::Arith(ArithOp::Shl),
        Event::Arith(ArithOp::Shr),
    ];

    /// The event's position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        match self {
            Event::Index => 0,
            Event::NewIndex => 1,
            Event::Call => 2,
            Event::Len => 3,
            Event::Concat => 4,
            Event::Eq => 5,
            Event::Lt => 6,
            Event::Le => 7,
            Event::Unm => 8,
            Event::BNot => 9,
            Event::ToString => 10,
            Event::Pairs => 11,
            Event::Close => 12,
            Event::Gc => 13,
            Event::Mode => 14,
            Event::Name => 15,
            Event::Metatable => 16,
            Event::Arith(op) => 17 + op as usize,
        }
    }

    /// The metatable field's name.
    pub fn name(self) -> &'static str {
        match self {
            Event::Index => "__index",
            Event::NewIndex => "__newindex",
            Event::Call => "__call",
            Event::Len => "__len",
            Event::Concat => "__concat",
            Event::Eq => "__eq",
            Event::Lt => "__lt",
            Event::Le => "__le",
            Event::Unm => "__unm",
            Event::BNot => "__bnot",
            Event::ToString => "__tostring",
            Event::Pairs => "__pairs",
            Event::Close => "__close",
            Event::Gc => "__gc",
            Event::Mode => "__mode",
            Event::Name => "__name",
            Event::Metatable => "__metatable",
            Event::Arith(op) => op.event(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn indexes_follow_the_interning_order() {
        for (i, e) in Event::ALL.iter().enumerate() {
            assert_eq!(e.index(), i, "{e:?}");
        }
    }
}
