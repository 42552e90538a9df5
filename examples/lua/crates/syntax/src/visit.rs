//! Traversal helper: the functions nested in a function, in prototype
//! order.
//!
//! Lua numbers a function's nested prototypes in the order their
//! `function` keywords appear in the source (`luac -l` lists them that way,
//! depth first). [`Function::children`] returns the *direct* children of
//! a function in that order, which is what a compiler assigning prototype
//! indices, or a tool printing every function, needs. Assignment targets
//! are visited before values and table keys before values, matching the
//! parser's order.

use crate::ast::*;

impl Function {
    /// The function literals and function statements directly inside this
    /// function (not inside nested ones), in source order.
    pub fn children(&self) -> Vec<&Function> {
        let mut out = Vec::new();
        block(&self.body, &mut out);
        out
    }
}

fn expr<'a>(e: &'a Expr, out: &mut Vec<&'a Function>) {
    match e {
        Expr::Function(f) => out.push(f),
        Expr::Table(t) => {
            for item in &t.items {
                match item {
                    TableItem::Positional(v) | TableItem::Named { value: v, .. } => expr(v, out),
                    TableItem::Keyed { key, value, .. } => {
                        expr(key, out);
                        expr(value, out);
                    }
                }
            }
        }
        Expr::Binary(b) => {
            expr(&b.lhs, out);
            expr(&b.rhs, out);
        }
        Expr::Unary(u) => expr(&u.operand, out),
        Expr::Index(i) => {
            expr(&i.object, out);
            expr(&i.key, out);
        }
        Expr::Call(c) => {
            expr(&c.func, out);
            c.args.iter().for_each(|a| expr(a, out));
        }
        Expr::MethodCall(m) => {
            expr(&m.object, out);
            m.args.iter().for_each(|a| expr(a, out));
        }
        Expr::Paren(p) => expr(p, out),
        _ => {}
    }
}

fn block<'a>(b: &'a Block, out: &mut Vec<&'a Function>) {
    for s in &b.stats {
        match s {
            Stat::Local { values, .. } | Stat::Return { values, .. } => {
                values.iter().for_each(|v| expr(v, out))
            }
            Stat::Assign {
                targets, values, ..
            } => {
                for t in targets {
                    if let Place::Index(i) = t {
                        expr(&i.object, out);
                        expr(&i.key, out);
                    }
                }
                values.iter().for_each(|v| expr(v, out));
            }
            Stat::Call { call, .. } => expr(call, out),
            Stat::Do { body, .. } => block(body, out),
            Stat::While { cond, body, .. } => {
                expr(cond, out);
                block(body, out);
            }
            Stat::Repeat { body, cond, .. } => {
                block(body, out);
                expr(cond, out);
            }
            Stat::If {
                clauses, else_body, ..
            } => {
                for c in clauses {
                    expr(&c.cond, out);
                    block(&c.body, out);
                }
                if let Some(b) = else_body {
                    block(b, out);
                }
            }
            Stat::NumericFor(f) => {
                expr(&f.start, out);
                expr(&f.limit, out);
                if let Some(s) = &f.step {
                    expr(s, out);
                }
                block(&f.body, out);
            }
            Stat::GenericFor(f) => {
                f.exprs.iter().for_each(|e| expr(e, out));
                block(&f.body, out);
            }
            Stat::Function { func, .. } | Stat::LocalFunction { func, .. } => out.push(func),
            _ => {}
        }
    }
}
