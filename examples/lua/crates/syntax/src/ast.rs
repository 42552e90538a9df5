//! The abstract syntax tree produced by the parser.
//!
//! The tree is plain owned data (no references into the source, no shared
//! pointers, no garbage-collected values), so a compiler can walk it and
//! then drop it. Names and string constants are bytes ([`Name`]), because
//! Lua strings are arbitrary bytes.
//!
//! Scopes are already resolved: every variable use is a [`LocalRef`]
//! (a slot of the current function's frame), an [`UpvalueRef`] (an index
//! into the current closure's captured variables) or a [`GlobalVar`]
//! (`_ENV.name`, with the way `_ENV` itself is reached). Each [`Function`]
//! records its parameters, whether it is vararg, how many local slots it
//! needs, which of its locals are captured by inner closures, and how its
//! upvalues are captured from the enclosing function.
//!
//! Slots follow Lua's register discipline: a local's slot is the number
//! of locals active when it is declared, so slots are reused by sibling
//! blocks, and `num_slots` is the high-water mark. Every execution of a
//! declaration (including each iteration's binding of loop variables)
//! creates a fresh variable; a VM only needs to box the locals whose
//! `captured` flag is set.
//!
//! Nodes whose evaluation can raise a runtime error carry the source line
//! Lua would report: indexing, calls, arithmetic, concatenation,
//! comparisons, global accesses, table constructors with keys, and every
//! statement.
//!
//! This file holds functions and variables; expressions are in
//! `ast/expr.rs` and statements in `ast/stat.rs` (all re-exported here).

/// A name or string constant: arbitrary bytes.
pub type Name = Box<[u8]>;

/// A 1-based source line number.
pub type Line = u32;

/// Identifies a local variable within its [`Function`]: an index into
/// [`Function::locals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// Identifies a label within its [`Function`]; labels are numbered in
/// order of appearance from 0 up to [`Function::num_labels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LabelId(pub u32);

/// A parsed chunk: the main function plus the chunk name it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The chunk name passed to [`crate::parse`] (e.g. `=stdin`,
    /// `@file.lua`, or the source text itself).
    pub name: String,
    /// The main function: vararg, no parameters, one upvalue (`_ENV`,
    /// [`UpvalueSource::Env`]).
    pub main: Function,
}

/// A function prototype (the main chunk or a `function` literal/statement).
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Line where the function was defined (0 for the main chunk).
    pub line: Line,
    /// Line of the closing `end` (for the main chunk, the last line).
    pub end_line: Line,
    /// Number of fixed parameters, including the implicit `self` of
    /// methods.
    pub num_params: u16,
    /// Whether the parameter list ends with `...` (always true for main).
    pub is_vararg: bool,
    /// Whether this was declared with `function a:b()`, which adds a first
    /// parameter named `self`.
    pub is_method: bool,
    /// The parameters in order (`self` first for methods); they occupy
    /// slots `0..num_params`.
    pub params: Vec<LocalDecl>,
    /// Number of local slots the function needs (maximum number of locals
    /// simultaneously active, including hidden loop-control slots).
    pub num_slots: u16,
    /// Every local declared in this function, indexed by [`LocalId`].
    pub locals: Vec<LocalInfo>,
    /// The upvalues of this function's closures, in index order.
    pub upvalues: Vec<UpvalueDesc>,
    /// Number of labels (`::name::`) in the function.
    pub num_labels: u32,
    /// The statements.
    pub body: Block,
}

impl Function {
    /// The information about a local of this function.
    pub fn local(&self, id: LocalId) -> &LocalInfo {
        &self.locals[id.0 as usize]
    }
}

/// Information about one local variable declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalInfo {
    /// The name (`(for state)` for hidden loop-control variables).
    pub name: Name,
    /// The frame slot.
    pub slot: u16,
    /// `<const>`, `<close>` or none.
    pub attrib: Attrib,
    /// Whether some inner function captures this variable as an upvalue.
    pub captured: bool,
    /// Line of the declaration.
    pub line: Line,
}

/// A local variable attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Attrib {
    /// An ordinary variable.
    #[default]
    Regular,
    /// `<const>`: cannot be assigned after initialisation.
    Const,
    /// `<close>`: constant, and its value's `__close` metamethod is called
    /// when it goes out of scope.
    Close,
}

/// How a function obtains one of its upvalues when its closure is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpvalueDesc {
    /// The variable's name.
    pub name: Name,
    /// Where the enclosing function finds it.
    pub source: UpvalueSource,
    /// The attribute of the captured variable (assignments to `<const>`
    /// and `<close>` variables are rejected by the parser).
    pub attrib: Attrib,
}

/// Where an upvalue comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpvalueSource {
    /// The main chunk's `_ENV`, supplied by whoever loads the chunk.
    Env,
    /// A local of the immediately enclosing function.
    ParentLocal {
        /// The local's slot in the enclosing function's frame.
        slot: u16,
        /// The local's id in the enclosing function.
        local: LocalId,
    },
    /// An upvalue of the immediately enclosing function, by index.
    ParentUpvalue(u16),
}

/// The declaration of a local (in `local`, `local function`, `for`, or a
/// parameter list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDecl {
    /// The name.
    pub name: Name,
    /// The id in the function's [`Function::locals`].
    pub id: LocalId,
    /// The frame slot.
    pub slot: u16,
    /// `<const>`, `<close>` or none.
    pub attrib: Attrib,
    /// Whether an inner function captures it (the VM must box it).
    pub captured: bool,
}

/// A use of a local variable of the current function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRef {
    /// The name.
    pub name: Name,
    /// The id in the function's [`Function::locals`].
    pub id: LocalId,
    /// The frame slot.
    pub slot: u16,
}

/// A use of an upvalue of the current function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpvalueRef {
    /// The name.
    pub name: Name,
    /// Index into [`Function::upvalues`].
    pub index: u16,
}

/// How the `_ENV` used by a global access is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Env {
    /// A local named `_ENV` in the current function.
    Local {
        /// Its id.
        id: LocalId,
        /// Its slot.
        slot: u16,
    },
    /// An upvalue named `_ENV` (normally the chunk's own environment).
    Upvalue(u16),
}

/// A global variable `name`, meaning `_ENV.name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalVar {
    /// The name.
    pub name: Name,
    /// Where `_ENV` comes from.
    pub env: Env,
    /// The line of the access.
    pub line: Line,
}

mod expr;
mod stat;

pub use expr::*;
pub use stat::*;
