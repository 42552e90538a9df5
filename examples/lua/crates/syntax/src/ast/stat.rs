//! Statements and blocks.
//!
//! Every statement records the line of its first token. Loop statements
//! keep their loop variables as [`LocalDecl`]s with slots; a numeric `for`
//! also reserves 3 hidden control slots and a generic `for` 4, as Lua
//! does.

use super::{Expr, Function, LabelId, Line, LocalDecl, Name, Place};

/// A sequence of statements (a scope).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// The statements in order; a `return`, if any, is last.
    pub stats: Vec<Stat>,
}

/// One `if`/`elseif` condition with its block.
#[derive(Debug, Clone, PartialEq)]
pub struct IfClause {
    /// The condition.
    pub cond: Expr,
    /// The block run when the condition holds.
    pub body: Block,
    /// Line of the `if`/`elseif`.
    pub line: Line,
}

/// `for var = start, limit [, step] do body end`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericFor {
    /// The loop variable (a fresh variable per iteration).
    pub var: LocalDecl,
    /// First of the 3 hidden control slots (`var` is at `state_slot + 3`).
    pub state_slot: u16,
    /// Initial value.
    pub start: Expr,
    /// Limit.
    pub limit: Expr,
    /// Step (1 when absent).
    pub step: Option<Expr>,
    /// The loop body.
    pub body: Block,
    /// Line of the `for`.
    pub line: Line,
}

/// `for v1, v2, ... in exprs do body end`.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericFor {
    /// The loop variables (fresh per iteration).
    pub vars: Vec<LocalDecl>,
    /// First of the 4 hidden control slots (iterator, state, control,
    /// closing value); the variables start at `state_slot + 4`.
    pub state_slot: u16,
    /// The explist, adjusted to 4 values.
    pub exprs: Vec<Expr>,
    /// The loop body.
    pub body: Block,
    /// Line of the `for`.
    pub line: Line,
    /// Line of the explist after `in` (where Lua reports iterator calls).
    pub call_line: Line,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Stat {
    /// `local a <attr>, b = exprs`; the variables come into scope after
    /// the expressions.
    Local {
        /// The declared variables.
        vars: Vec<LocalDecl>,
        /// The initial values (possibly empty).
        values: Vec<Expr>,
        /// Line of `local`.
        line: Line,
    },
    /// `targets = values`.
    Assign {
        /// The assigned places, left to right.
        targets: Vec<Place>,
        /// The values.
        values: Vec<Expr>,
        /// Line of the statement.
        line: Line,
    },
    /// A function call used as a statement (always [`Expr::Call`] or
    /// [`Expr::MethodCall`]).
    Call {
        /// The call.
        call: Expr,
        /// Line of the statement.
        line: Line,
    },
    /// `do body end`.
    Do {
        /// The block.
        body: Block,
        /// Line of `do`.
        line: Line,
    },
    /// `while cond do body end`.
    While {
        /// The condition.
        cond: Expr,
        /// The body.
        body: Block,
        /// Line of `while`.
        line: Line,
    },
    /// `repeat body until cond` (`cond` sees the body's locals).
    Repeat {
        /// The body.
        body: Block,
        /// The condition.
        cond: Expr,
        /// Line of `repeat`.
        line: Line,
    },
    /// `if c1 then b1 elseif c2 then b2 ... else b end`.
    If {
        /// The `if` and `elseif` clauses, in order (at least one).
        clauses: Vec<IfClause>,
        /// The `else` block.
        else_body: Option<Block>,
        /// Line of `if`.
        line: Line,
    },
    /// A numeric `for`.
    NumericFor(Box<NumericFor>),
    /// A generic `for`.
    GenericFor(Box<GenericFor>),
    /// `function a.b.c:m() ... end`: assigns the function to `target`
    /// (`a.b.c.m` here, with [`Function::is_method`] set).
    Function {
        /// Where the function is stored.
        target: Place,
        /// The function.
        func: Box<Function>,
        /// Line of `function`.
        line: Line,
    },
    /// `local function name() ... end` (`name` is in scope in the body).
    LocalFunction {
        /// The declared local.
        var: LocalDecl,
        /// The function.
        func: Box<Function>,
        /// Line of `local`.
        line: Line,
    },
    /// `return values`.
    Return {
        /// The returned values.
        values: Vec<Expr>,
        /// Line of `return`.
        line: Line,
    },
    /// `break`: leaves the innermost enclosing loop.
    Break {
        /// Line of `break`.
        line: Line,
    },
    /// `goto name`.
    Goto {
        /// The label name.
        name: Name,
        /// The resolved target label.
        label: LabelId,
        /// Line of the goto.
        line: Line,
    },
    /// `::name::`.
    Label {
        /// The label name.
        name: Name,
        /// The label's id, referenced by [`Stat::Goto`].
        id: LabelId,
        /// Line of the label.
        line: Line,
    },
}

impl Stat {
    /// The line of the statement.
    pub fn line(&self) -> Line {
        match self {
            Stat::Local { line, .. }
            | Stat::Assign { line, .. }
            | Stat::Call { line, .. }
            | Stat::Do { line, .. }
            | Stat::While { line, .. }
            | Stat::Repeat { line, .. }
            | Stat::If { line, .. }
            | Stat::Function { line, .. }
            | Stat::LocalFunction { line, .. }
            | Stat::Return { line, .. }
            | Stat::Break { line }
            | Stat::Goto { line, .. }
            | Stat::Label { line, .. } => *line,
            Stat::NumericFor(f) => f.line,
            Stat::GenericFor(f) => f.line,
        }
    }
}
