//! The compiler: a resolved AST (`gcheap-lua-syntax`) to [`Proto`]s on the heap.
//!
//! One pass over each function. Locals sit in the registers the parser assigned them; the
//! temporaries of an expression are allocated above every local of the function
//! (`num_slots`), as a stack: a call's function and arguments, a table constructor's pending
//! items and a concatenation's operands need consecutive registers, and get them there.
//! Captured locals live in cells ([`crate::opcode`]). Jumps are emitted with a placeholder
//! offset and patched once their target is known; `break` and `goto` keep lists of such jumps
//! per loop and per label.

use std::sync::Arc;

use gcheap::{Gc, Mutation};
use gcheap_lua_syntax::ast::{
    self, BinOp, Block, Expr, Function as AstFunction, Place, Stat, TableItem, UnOp, UpvalueSource,
};

use crate::function::{Capture, Proto};
use crate::intern::Interner;
use crate::opcode::{ArithOp, CmpOp, MULTI, Op, Rk, UnaryOp};
use crate::value::Value;

mod expr;
mod stat;

/// Compiles a parsed chunk's main function.
pub fn compile<'gc>(
    mc: &Mutation<'gc>,
    strings: &mut Interner<'gc>,
    chunk: &ast::Chunk,
    chunk_name: &str,
) -> Gc<'gc, Proto<'gc>> {
    let name: Arc<str> = Arc::from(chunk_name);
    compile_function(mc, strings, &chunk.main, &name)
}

fn compile_function<'gc>(
    mc: &Mutation<'gc>,
    strings: &mut Interner<'gc>,
    f: &AstFunction,
    chunk: &Arc<str>,
) -> Gc<'gc, Proto<'gc>> {
    let mut c = FnCompiler {
        mc,
        strings,
        f,
        chunk: chunk.clone(),
        code: Vec::new(),
        lines: Vec::new(),
        constants: Vec::new(),
        protos: Vec::new(),
        free: f.num_slots,
        max_stack: f.num_slots,
        line: f.line,
        loops: Vec::new(),
        loop_tbc: Vec::new(),
        tbc: Vec::new(),
        labels: vec![None; f.num_labels as usize],
        gotos: Vec::new(),
        names: Vec::new(),
    };
    for p in &f.params {
        if p.captured {
            c.emit(Op::NewCell { slot: p.slot });
            c.emit(Op::SetCell {
                slot: p.slot,
                src: p.slot,
            });
        }
    }
    c.block(&f.body);
    c.emit(Op::Return { first: 0, count: 0 });
    for (at, label) in std::mem::take(&mut c.gotos) {
        let target = c.labels[label as usize].expect("the parser checked every goto's label");
        c.patch(at, target);
    }
    let captures = f
        .upvalues
        .iter()
        .map(|u| match u.source {
            UpvalueSource::Env => Capture::Env,
            UpvalueSource::ParentLocal { slot, .. } => Capture::Local(slot),
            UpvalueSource::ParentUpvalue(j) => Capture::Upvalue(j),
        })
        .collect();
    Gc::new(
        mc,
        Proto {
            code: c.code,
            lines: c.lines,
            constants: c.constants,
            protos: c.protos,
            captures,
            num_params: f.num_params,
            is_vararg: f.is_vararg,
            max_stack: c.max_stack + 2,
            chunk: chunk.clone(),
            line: f.line,
            names: c.names,
        },
    )
}

/// What an expression is in the source, as Lua's error messages name it.
fn describe(e: &Expr) -> Option<String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match folded(e) {
        Expr::Local(l) => Some(format!("local '{}'", text(&l.name))),
        Expr::Upvalue(u) => Some(format!("upvalue '{}'", text(&u.name))),
        Expr::Global(g) => Some(format!("global '{}'", text(&g.name))),
        Expr::Index(ix) => match &ix.key {
            Expr::String(k) => Some(format!("field '{}'", text(k))),
            _ => None,
        },
        Expr::String(s) => Some(format!("constant '{}'", text(s))),
        _ => None,
    }
}

struct FnCompiler<'a, 'gc> {
    mc: &'a Mutation<'gc>,
    /// The state's interned strings: constants are interned (see `crate::intern`).
    strings: &'a mut Interner<'gc>,
    f: &'a AstFunction,
    chunk: Arc<str>,
    code: Vec<Op>,
    lines: Vec<u32>,
    constants: Vec<Value<'gc>>,
    protos: Vec<Gc<'gc, Proto<'gc>>>,
    /// The first free temporary register.
    free: u16,
    max_stack: u16,
    /// The line of what is being compiled.
    line: u32,
    /// Per enclosing loop: the `break` jumps to patch to its end.
    loops: Vec<Vec<usize>>,
    /// The number of active to-be-closed variables when each enclosing loop began.
    loop_tbc: Vec<usize>,
    /// The slots of the active to-be-closed variables (`<close>`), outermost first.
    tbc: Vec<u16>,
    /// Where each label is, once compiled.
    labels: Vec<Option<usize>>,
    /// `goto` jumps and their labels.
    gotos: Vec<(usize, u32)>,
    /// Operand descriptions for error messages (see `Proto::names`).
    names: Vec<(u32, u8, Box<str>)>,
}

impl<'a, 'gc> FnCompiler<'a, 'gc> {
    fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.lines.push(self.line);
        self.code.len() - 1
    }

    /// Records what operand `operand` of the instruction at `pc` is.
    fn name(&mut self, pc: usize, operand: u8, e: &Expr) {
        if let Some(d) = describe(e) {
            self.names.push((pc as u32, operand, d.into_boxed_str()));
        }
    }

    fn here(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i32 - at as i32 - 1;
        match &mut self.code[at] {
            Op::Jump { offset: o }
            | Op::Test { offset: o, .. }
            | Op::Compare { offset: o, .. }
            | Op::ForPrep { offset: o, .. }
            | Op::ForLoop { offset: o, .. }
            | Op::TForLoop { offset: o, .. } => *o = offset,
            other => unreachable!("patching a non-jump {other:?}"),
        }
    }

    fn alloc(&mut self, n: u16) -> u16 {
        let r = self.free;
        self.free += n;
        self.max_stack = self.max_stack.max(self.free);
        r
    }

    fn constant(&mut self, v: Value<'gc>) -> u16 {
        if let Some(i) = self.constants.iter().position(|c| same_constant(c, &v)) {
            return i as u16;
        }
        self.constants.push(v);
        (self.constants.len() - 1) as u16
    }

    fn string_constant(&mut self, s: &[u8]) -> u16 {
        let v = Value::Str(self.strings.intern(self.mc, s));
        self.constant(v)
    }

    fn captured(&self, id: ast::LocalId) -> bool {
        self.f.local(id).captured
    }
}

/// `e` without parentheses around a single value and with the `and`/`or` that Lua's code
/// generator resolves at compile time replaced by their result: `k and x` with a true constant
/// `k` is `x`, `nil or x` and `false or x` are `x` (so `0 and "x"` is the constant `"x"`, and
/// its errors name it). Lua does not resolve the other cases (`k or x` keeps `k` in a register).
fn folded(e: &Expr) -> &Expr {
    if let Expr::Paren(inner) = e
        && !inner.is_multi()
    {
        // Parentheses only truncate multiple results.
        return folded(inner);
    }
    let Expr::Binary(b) = e else { return e };
    let lhs = folded(&b.lhs);
    let resolved = match b.op {
        BinOp::And => is_true_constant(lhs),
        BinOp::Or => matches!(lhs, Expr::Nil | Expr::False),
        _ => false,
    };
    if resolved { folded(&b.rhs) } else { e }
}

/// Whether `e` is a constant Lua's code generator knows true: a string, a number (a negated
/// number literal and the complement of an integer literal included, which it folds, unless
/// the result is a float zero) or `true`.
fn is_true_constant(e: &Expr) -> bool {
    match e {
        Expr::True | Expr::Int(_) | Expr::Float(_) | Expr::String(_) => true,
        Expr::Unary(u) if u.op == UnOp::Neg => match folded(&u.operand) {
            Expr::Int(_) => true,
            Expr::Float(f) => *f != 0.0 && !f.is_nan(),
            _ => false,
        },
        Expr::Unary(u) if u.op == UnOp::BNot => matches!(folded(&u.operand), Expr::Int(_)),
        _ => false,
    }
}

enum PreparedPlace<'p> {
    Index(u16, Rk, u32, &'p Expr),
    Simple(&'p Place),
}

/// The operands of a chain of `..` (right-associative), in order.
fn collect_concat<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary(b) if b.op == BinOp::Concat => {
            collect_concat(&b.lhs, out);
            collect_concat(&b.rhs, out);
        }
        _ => out.push(e),
    }
}

/// Constants are shared by kind and value: 1 and 1.0 stay distinct, equal strings are one.
fn same_constant(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => x[..] == y[..],
        _ => false,
    }
}
