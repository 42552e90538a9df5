//! Expressions: constants, operators, variables, indexing, calls, table
//! constructors, function literals, and assignable places.
//!
//! Operators are kept as written (no folding); `a.b` is an [`Index`] with
//! a string key; [`Expr::Paren`] records parentheses because they truncate
//! multiple results and make variables non-assignable.

use super::{Function, GlobalVar, Line, LocalRef, Name, UpvalueRef};

/// An indexing `object[key]`; `a.b` is `a["b"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// The indexed value.
    pub object: Expr,
    /// The key.
    pub key: Expr,
    /// The line of the `.`, `:` or `[`.
    pub line: Line,
}

/// A call `func(args)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The called value.
    pub func: Expr,
    /// The arguments; a trailing call or `...` expands to all its values.
    pub args: Vec<Expr>,
    /// The line Lua attributes the call to (where the called expression
    /// starts).
    pub line: Line,
}

/// A method call `object:method(args)`: `object` is evaluated once and
/// passed as the first argument.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The receiver.
    pub object: Expr,
    /// The method name.
    pub method: Name,
    /// The arguments after the receiver.
    pub args: Vec<Expr>,
    /// The line Lua attributes the call to.
    pub line: Line,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
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
    /// `..`
    Concat,
    /// `==`
    Eq,
    /// `~=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
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

impl BinOp {
    /// The operator as written in Lua.
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            IDiv => "//",
            Mod => "%",
            Pow => "^",
            Concat => "..",
            Eq => "==",
            Ne => "~=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "and",
            Or => "or",
            BAnd => "&",
            BOr => "|",
            BXor => "~",
            Shl => "<<",
            Shr => ">>",
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `not`
    Not,
    /// `#`
    Len,
    /// unary `~`
    BNot,
}

impl UnOp {
    /// The operator as written in Lua.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Not => "not",
            UnOp::Len => "#",
            UnOp::BNot => "~",
        }
    }
}

/// A binary operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    /// The operator.
    pub op: BinOp,
    /// Left operand.
    pub lhs: Expr,
    /// Right operand.
    pub rhs: Expr,
    /// Line of the operator.
    pub line: Line,
}

/// A unary operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Unary {
    /// The operator.
    pub op: UnOp,
    /// The operand.
    pub operand: Expr,
    /// Line of the operator.
    pub line: Line,
}

/// A table constructor `{ ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The fields in source order.
    pub items: Vec<TableItem>,
    /// Line of the `{`.
    pub line: Line,
}

/// One field of a table constructor.
#[derive(Debug, Clone, PartialEq)]
pub enum TableItem {
    /// `value`: stored at the next array index; a last positional call or
    /// `...` expands to all its values.
    Positional(Expr),
    /// `name = value`.
    Named {
        /// The field name.
        name: Name,
        /// The value.
        value: Expr,
        /// Line of the name.
        line: Line,
    },
    /// `[key] = value`.
    Keyed {
        /// The key.
        key: Expr,
        /// The value.
        value: Expr,
        /// Line of the `[`.
        line: Line,
    },
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `nil`
    Nil,
    /// `true`
    True,
    /// `false`
    False,
    /// `...`
    Vararg,
    /// An integer constant.
    Int(i64),
    /// A float constant.
    Float(f64),
    /// A string constant (bytes).
    String(Name),
    /// A function literal.
    Function(Box<Function>),
    /// A table constructor.
    Table(Box<Table>),
    /// A binary operation (including `and`/`or`).
    Binary(Box<Binary>),
    /// A unary operation.
    Unary(Box<Unary>),
    /// A local variable of the current function.
    Local(LocalRef),
    /// An upvalue of the current function.
    Upvalue(UpvalueRef),
    /// A global variable (`_ENV.name`).
    Global(GlobalVar),
    /// `object[key]` or `object.name`.
    Index(Box<Index>),
    /// `f(args)`.
    Call(Box<Call>),
    /// `o:m(args)`.
    MethodCall(Box<MethodCall>),
    /// `(e)`: truncates a multi-valued expression to one value and makes a
    /// variable a non-assignable value.
    Paren(Box<Expr>),
}

impl Expr {
    /// Whether the expression can produce several values (a call or `...`)
    /// when it is last in a list.
    pub fn is_multi(&self) -> bool {
        matches!(self, Expr::Call(_) | Expr::MethodCall(_) | Expr::Vararg)
    }
}

/// An assignable location.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// A local of the current function.
    Local(LocalRef),
    /// An upvalue of the current function.
    Upvalue(UpvalueRef),
    /// A global (`_ENV.name`).
    Global(GlobalVar),
    /// A table field.
    Index(Box<Index>),
}

impl Place {
    /// The place read as an expression.
    pub fn to_expr(&self) -> Expr {
        match self {
            Place::Local(l) => Expr::Local(l.clone()),
            Place::Upvalue(u) => Expr::Upvalue(u.clone()),
            Place::Global(g) => Expr::Global(g.clone()),
            Place::Index(i) => Expr::Index(i.clone()),
        }
    }
}
