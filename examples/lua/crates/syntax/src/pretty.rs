//! A pretty-printer for the AST, used for tests and debugging.
//!
//! `Display` on [`Chunk`], [`Function`], [`Block`], [`Stat`] and [`Expr`]
//! prints Lua source with one statement per line (two-space indentation)
//! and every binary and unary operation fully parenthesised, so that the
//! tree's shape is visible: `1 + 2 * 3 ^ -2 .. "x"` prints as
//! `((1 + (2 * (3 ^ (-2)))) .. "x")`. A parenthesised source expression
//! ([`Expr::Paren`]) prints as an extra pair of parentheses.
//!
//! The alternate form (`{:#}`) annotates the scope resolution: locals as
//! `name@L<slot>` (declarations of captured locals get a trailing `*`),
//! upvalues as `name@U<index>`, globals reached through a local `_ENV` as
//! `name@E<slot>` (other globals print plainly), and each function header
//! gets a comment with its slot count and upvalue descriptors, e.g.
//! `function(a@L0) -- slots=2 up=[x<-L1 _ENV<-U0]`.

use crate::ast::*;
use std::fmt::{self, Display, Write};

struct Printer {
    out: String,
    annotate: bool,
}

fn is_identifier(name: &[u8]) -> bool {
    const KEYWORDS: [&[u8]; 22] = [
        b"and",
        b"break",
        b"do",
        b"else",
        b"elseif",
        b"end",
        b"false",
        b"for",
        b"function",
        b"goto",
        b"if",
        b"in",
        b"local",
        b"nil",
        b"not",
        b"or",
        b"repeat",
        b"return",
        b"then",
        b"true",
        b"until",
        b"while",
    ];
    !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && !KEYWORDS.contains(&name)
}

/// Writes `s` as a Lua string literal.
fn quote(out: &mut String, s: &[u8]) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{c:03}");
            }
        }
    }
    out.push('"');
}

impl Printer {
    fn name(&mut self, n: &[u8]) {
        self.out.push_str(&String::from_utf8_lossy(n));
    }

    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        for _ in 0..indent {
            self.out.push_str("  ");
        }
    }

    fn decl(&mut self, d: &LocalDecl) {
        self.name(&d.name);
        if self.annotate {
            let _ = write!(self.out, "@L{}", d.slot);
            if d.captured {
                self.out.push('*');
            }
        }
        match d.attrib {
            Attrib::Regular => {}
            Attrib::Const => self.out.push_str(" <const>"),
            Attrib::Close => self.out.push_str(" <close>"),
        }
    }

    fn list(&mut self, es: &[Expr], indent: usize) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e, indent);
        }
    }

    /// Prints `e` where a prefix expression is required.
    fn prefix(&mut self, e: &Expr, indent: usize) {
        let is_prefix = matches!(
            e,
            Expr::Local(_)
                | Expr::Upvalue(_)
                | Expr::Global(_)
                | Expr::Index(_)
                | Expr::Call(_)
                | Expr::MethodCall(_)
                | Expr::Paren(_)
                | Expr::Binary(_)
                | Expr::Unary(_)
        );
        if is_prefix {
            self.expr(e, indent);
        } else {
            self.out.push('(');
            self.expr(e, indent);
            self.out.push(')');
        }
    }

    fn args(&mut self, args: &[Expr], indent: usize) {
        self.out.push('(');
        self.list(args, indent);
        self.out.push(')');
    }

    fn expr(&mut self, e: &Expr, indent: usize) {
        match e {
            Expr::Nil => self.out.push_str("nil"),
            Expr::True => self.out.push_str("true"),
            Expr::False => self.out.push_str("false"),
            Expr::Vararg => self.out.push_str("..."),
            Expr::Int(i) if *i >= 0 => {
                let _ = write!(self.out, "{i}");
            }
            Expr::Int(i) => {
                let _ = write!(self.out, "0x{:x}", *i as u64);
            }
            Expr::Float(f) if f.is_nan() => self.out.push_str("(0/0)"),
            Expr::Float(f) if f.is_infinite() => {
                self.out
                    .push_str(if *f > 0.0 { "1e9999" } else { "(-1e9999)" })
            }
            Expr::Float(f) => {
                let _ = write!(self.out, "{f:?}");
            }
            Expr::String(s) => quote(&mut self.out, s),
            Expr::Function(f) => {
                self.out.push_str("function");
                self.func_body(f, indent);
            }
            Expr::Table(t) => self.table(t, indent),
            Expr::Binary(b) => {
                self.out.push('(');
                self.expr(&b.lhs, indent);
                let _ = write!(self.out, " {} ", b.op.symbol());
                self.expr(&b.rhs, indent);
                self.out.push(')');
            }
            Expr::Unary(u) => {
                self.out.push('(');
                self.out.push_str(u.op.symbol());
                if u.op == UnOp::Not {
                    self.out.push(' ');
                }
                self.expr(&u.operand, indent);
                self.out.push(')');
            }
            Expr::Local(l) => {
                self.name(&l.name);
                if self.annotate {
                    let _ = write!(self.out, "@L{}", l.slot);
                }
            }
            Expr::Upvalue(u) => {
                self.name(&u.name);
                if self.annotate {
                    let _ = write!(self.out, "@U{}", u.index);
                }
            }
            Expr::Global(g) => {
                self.name(&g.name);
                if let (true, Env::Local { slot, .. }) = (self.annotate, &g.env) {
                    let _ = write!(self.out, "@E{slot}");
                }
            }
            Expr::Index(i) => self.index(i, indent),
            Expr::Call(c) => {
                self.prefix(&c.func, indent);
                self.args(&c.args, indent);
            }
            Expr::MethodCall(m) => {
                self.prefix(&m.object, indent);
                self.out.push(':');
                self.name(&m.method);
                self.args(&m.args, indent);
            }
            Expr::Paren(inner) => {
                self.out.push('(');
                self.expr(inner, indent);
                self.out.push(')');
            }
        }
    }

    fn index(&mut self, i: &Index, indent: usize) {
        self.prefix(&i.object, indent);
        match &i.key {
            Expr::String(s) if is_identifier(s) => {
                self.out.push('.');
                self.name(s);
            }
            key => {
                self.out.push('[');
                self.expr(key, indent);
                self.out.push(']');
            }
        }
    }

    fn table(&mut self, t: &Table, indent: usize) {
        self.out.push('{');
        for (i, item) in t.items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match item {
                TableItem::Positional(e) => self.expr(e, indent),
                TableItem::Named { name, value, .. } => {
                    self.name(name);
                    self.out.push_str(" = ");
                    self.expr(value, indent);
                }
                TableItem::Keyed { key, value, .. } => {
                    self.out.push('[');
                    self.expr(key, indent);
                    self.out.push_str("] = ");
                    self.expr(value, indent);
                }
            }
        }
        self.out.push('}');
    }

    /// Prints `(params) body end` for a function at `indent`.
    fn func_body(&mut self, f: &Function, indent: usize) {
        self.out.push('(');
        let skip = usize::from(f.is_method);
        for (i, p) in f.params.iter().skip(skip).enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.decl(p);
        }
        if f.is_vararg {
            if f.params.len() > skip {
                self.out.push_str(", ");
            }
            self.out.push_str("...");
        }
        self.out.push(')');
        if self.annotate {
            self.out.push_str(" -- ");
            self.func_info(f);
        }
        self.block(&f.body, indent + 1);
        self.newline(indent);
        self.out.push_str("end");
    }

    fn func_info(&mut self, f: &Function) {
        let _ = write!(self.out, "slots={} up=[", f.num_slots);
        for (i, u) in f.upvalues.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.name(&u.name);
            let _ = match u.source {
                UpvalueSource::Env => write!(self.out, "<-env"),
                UpvalueSource::ParentLocal { slot, .. } => write!(self.out, "<-L{slot}"),
                UpvalueSource::ParentUpvalue(j) => write!(self.out, "<-U{j}"),
            };
        }
        self.out.push(']');
    }

    fn block(&mut self, b: &Block, indent: usize) {
        for s in &b.stats {
            self.newline(indent);
            self.stat(s, indent);
        }
    }

    fn end_block(&mut self, b: &Block, indent: usize) {
        self.block(b, indent + 1);
        self.newline(indent);
        self.out.push_str("end");
    }

    fn stat(&mut self, s: &Stat, indent: usize) {
        match s {
            Stat::Local { vars, values, .. } => {
                self.out.push_str("local ");
                for (i, v) in vars.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.decl(v);
                }
                if !values.is_empty() {
                    self.out.push_str(" = ");
                    self.list(values, indent);
                }
            }
            Stat::Assign {
                targets, values, ..
            } => {
                for (i, t) in targets.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(&t.to_expr(), indent);
                }
                self.out.push_str(" = ");
                self.list(values, indent);
            }
            Stat::Call { call, .. } => self.expr(call, indent),
            Stat::Do { body, .. } => {
                self.out.push_str("do");
                self.end_block(body, indent);
            }
            Stat::While { cond, body, .. } => {
                self.out.push_str("while ");
                self.expr(cond, indent);
                self.out.push_str(" do");
                self.end_block(body, indent);
            }
            Stat::Repeat { body, cond, .. } => {
                self.out.push_str("repeat");
                self.block(body, indent + 1);
                self.newline(indent);
                self.out.push_str("until ");
                self.expr(cond, indent);
            }
            Stat::If {
                clauses, else_body, ..
            } => {
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        self.newline(indent);
                        self.out.push_str("else");
                    }
                    self.out.push_str("if ");
                    self.expr(&c.cond, indent);
                    self.out.push_str(" then");
                    self.block(&c.body, indent + 1);
                }
                if let Some(b) = else_body {
                    self.newline(indent);
                    self.out.push_str("else");
                    self.block(b, indent + 1);
                }
                self.newline(indent);
                self.out.push_str("end");
            }
            Stat::NumericFor(f) => {
                self.out.push_str("for ");
                self.decl(&f.var);
                self.out.push_str(" = ");
                self.expr(&f.start, indent);
                self.out.push_str(", ");
                self.expr(&f.limit, indent);
                if let Some(step) = &f.step {
                    self.out.push_str(", ");
                    self.expr(step, indent);
                }
                self.out.push_str(" do");
                self.end_block(&f.body, indent);
            }
            Stat::GenericFor(f) => {
                self.out.push_str("for ");
                for (i, v) in f.vars.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.decl(v);
                }
                self.out.push_str(" in ");
                self.list(&f.exprs, indent);
                self.out.push_str(" do");
                self.end_block(&f.body, indent);
            }
            Stat::Function { target, func, .. } => self.function_stat(target, func, indent),
            Stat::LocalFunction { var, func, .. } => {
                self.out.push_str("local function ");
                self.decl(var);
                self.func_body(func, indent);
            }
            Stat::Return { values, .. } => {
                self.out.push_str("return");
                if !values.is_empty() {
                    self.out.push(' ');
                    self.list(values, indent);
                }
            }
            Stat::Break { .. } => self.out.push_str("break"),
            Stat::Goto { name, .. } => {
                self.out.push_str("goto ");
                self.name(name);
            }
            Stat::Label { name, .. } => {
                self.out.push_str("::");
                self.name(name);
                self.out.push_str("::");
            }
        }
    }

    /// `function a.b.c:m(...)`: the target is a variable followed by
    /// string-keyed indexes.
    fn function_stat(&mut self, target: &Place, func: &Function, indent: usize) {
        let mut keys = Vec::new();
        let target = target.to_expr();
        let mut root = &target;
        while let Expr::Index(i) = root
            && let Expr::String(k) = &i.key
            && is_identifier(k)
        {
            keys.push(k.clone());
            root = &i.object;
        }
        self.out.push_str("function ");
        self.expr(root, indent);
        for (n, k) in keys.iter().rev().enumerate() {
            let method = func.is_method && n + 1 == keys.len();
            self.out.push(if method { ':' } else { '.' });
            self.name(k);
        }
        self.func_body(func, indent);
    }
}

fn render(f: &mut fmt::Formatter<'_>, go: impl FnOnce(&mut Printer)) -> fmt::Result {
    let mut p = Printer {
        out: String::new(),
        annotate: f.alternate(),
    };
    go(&mut p);
    f.write_str(&p.out)
}

impl Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(f, |p| p.expr(self, 0))
    }
}

impl Display for Stat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(f, |p| p.stat(self, 0))
    }
}

impl Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(f, |p| {
            p.block(self, 0);
            if p.out.starts_with('\n') {
                p.out.remove(0);
            }
        })
    }
}

impl Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(f, |p| {
            p.out.push_str("function");
            p.func_body(self, 0);
        })
    }
}

impl Display for Chunk {
    /// Prints the main function's statements; the alternate form starts
    /// with a `-- main slots=N up=[_ENV<-env]` line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(f, |p| {
            if p.annotate {
                p.out.push_str("-- main ");
                p.func_info(&self.main);
            }
            p.block(&self.main.body, 0);
            if p.out.starts_with('\n') {
                p.out.remove(0);
            }
        })
    }
}
