//! The bytecode: a register machine in the style of PUC Lua's.
//!
//! A function's frame is a window of the thread's value stack: registers `0..num_slots` are
//! its locals (the slots the parser assigned), temporaries follow. Operands are register
//! indices relative to the frame's base, constant indices (`K`) into the prototype's constants,
//! or small immediates. Locals captured by inner closures live in heap cells (`UpCell`) instead of
//! their register: the compiler emits `NewCell` where such a local is declared (each execution
//! makes a fresh variable, so closures made in a loop capture different ones) and
//! `GetCell`/`SetCell` for its uses.
//!
//! "Multiple results" (a call or `...` in last position) leave their values from a register up to
//! the thread's `top`; an operand count of `MULTI` means "up to `top`".

/// An operand count meaning "every value up to the stack top".
pub const MULTI: u16 = u16::MAX;

/// Binary arithmetic and bitwise operators (metamethods by the same names with `__`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    IDiv,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `&`
    BAnd,
    /// `|`
    BOr,
    /// binary `~`
    BXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

impl ArithOp {
    /// The metamethod's name.
    pub fn event(self) -> &'static str {
        match self {
            ArithOp::Add => "__add",
            ArithOp::Sub => "__sub",
            ArithOp::Mul => "__mul",
            ArithOp::Div => "__div",
            ArithOp::IDiv => "__idiv",
            ArithOp::Mod => "__mod",
            ArithOp::Pow => "__pow",
            ArithOp::BAnd => "__band",
            ArithOp::BOr => "__bor",
            ArithOp::BXor => "__bxor",
            ArithOp::Shl => "__shl",
            ArithOp::Shr => "__shr",
        }
    }

    /// Whether the operator is bitwise (integers only, no string coercion).
    pub fn is_bitwise(self) -> bool {
        matches!(
            self,
            ArithOp::BAnd | ArithOp::BOr | ArithOp::BXor | ArithOp::Shl | ArithOp::Shr
        )
    }
}

/// Comparison operators (`>` and `>=` are compiled as `<` and `<=` with swapped operands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `not`
    Not,
    /// `#`
    Len,
    /// unary `~`
    BNot,
}

/// An operand that is a register or a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rk {
    /// A register of the frame.
    R(u16),
    /// A constant of the prototype.
    K(u16),
}

/// One instruction. Each variant's doc says what its fields are.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Op {
    /// `R[dst] = R[src]`.
    Move { dst: u16, src: u16 },
    /// `R[dst] = K[k]`.
    LoadK { dst: u16, k: u16 },
    /// `R[dst..dst+count] = nil`.
    LoadNil { dst: u16, count: u16 },
    /// `R[dst] = value`.
    LoadBool { dst: u16, value: bool },
    /// `R[dst] = value` (an integer).
    LoadInt { dst: u16, value: i32 },
    /// A fresh cell for the captured local in slot `slot`, holding nil.
    NewCell { slot: u16 },
    /// `R[dst] = cell(slot)`.
    GetCell { dst: u16, slot: u16 },
    /// `cell(slot) = R[src]`.
    SetCell { slot: u16, src: u16 },
    /// `R[dst] = upvalue[up]`.
    GetUp { dst: u16, up: u16 },
    /// `upvalue[up] = R[src]`.
    SetUp { up: u16, src: u16 },
    /// `R[dst] = R[table][key]` (with `__index`).
    GetIndex { dst: u16, table: u16, key: Rk },
    /// `R[table][key] = value` (with `__newindex`).
    SetIndex { table: u16, key: Rk, value: Rk },
    /// `R[dst] = upvalue[up][K[key]]`: a global read through `_ENV`.
    GetUpField { dst: u16, up: u16, key: u16 },
    /// `upvalue[up][K[key]] = value`: a global write.
    SetUpField { up: u16, key: u16, value: Rk },
    /// `R[dst] = {}`, sized for `narray` positional and `nhash` keyed items.
    NewTable { dst: u16, narray: u16, nhash: u16 },
    /// `R[table][first + i] = R[table + 1 + i]` for `i < count` (`MULTI`: up to top).
    SetList { table: u16, count: u16, first: u32 },
    /// `R[dst] = R[obj][K[method]]; R[dst + 1] = R[obj]`.
    SelfOp { dst: u16, obj: u16, method: Rk },
    /// `R[dst] = a op b`.
    Arith { op: ArithOp, dst: u16, a: Rk, b: Rk },
    /// `R[dst] = op R[src]`.
    Unary { op: UnaryOp, dst: u16, src: u16 },
    /// `R[dst] = R[first] .. ... .. R[first + count - 1]`.
    Concat { dst: u16, first: u16, count: u16 },
    /// Jump by `offset` if `(a op b) != expect`.
    Compare {
        op: CmpOp,
        a: Rk,
        b: Rk,
        expect: bool,
        offset: i32,
    },
    /// `pc += offset`.
    Jump { offset: i32 },
    /// Jump by `offset` if `R[src]`'s truth is not `expect`.
    Test { src: u16, expect: bool, offset: i32 },
    /// Calls `R[func]` with `nargs` arguments from `R[func + 1]` (`MULTI`: up to top); its
    /// results go to `R[func..]`, `nresults` of them (`MULTI`: all, up to a new top).
    Call {
        func: u16,
        nargs: u16,
        nresults: u16,
    },
    /// Returns `count` values from `R[first]` (`MULTI`: up to top).
    Return { first: u16, count: u16 },
    /// `R[dst..dst + count] = ...` (`MULTI`: all of them, up to a new top).
    VarArg { dst: u16, count: u16 },
    /// `R[dst] = closure(protos[proto])`.
    Closure { dst: u16, proto: u16 },
    /// Numeric `for` setup over `R[base..base+3]` (start, limit, step): checks and converts
    /// them, sets the loop variable `R[base + 3]`, and jumps past the loop by `offset` if it
    /// runs zero times.
    ForPrep { base: u16, offset: i32 },
    /// Numeric `for` step: advances and jumps back by `offset` while the loop runs.
    ForLoop { base: u16, offset: i32 },
    /// Generic `for` step: if `R[base + 4]` is not nil, `R[base + 2] = R[base + 4]` and jump
    /// back by `offset`.
    TForLoop { base: u16, offset: i32 },
    /// `R[slot]` is a to-be-closed variable (`<close>`) named `constants[name]`: its value must
    /// have a `__close` metamethod (or be nil or false), called when the variable goes out of
    /// scope.
    Tbc { slot: u16, name: u16 },
    /// Calls `__close(v, nil)` of the to-be-closed variables in `R[from..]`, the latest first
    /// (a block, a loop or the function ends).
    Close { from: u16 },
}
