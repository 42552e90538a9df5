//! Expression parsing: operator precedence, primary and suffixed
//! expressions, table constructors, and variable resolution.
//!
//! Binary operators use Lua 5.4's priority table (`lparser.c`), from
//! loosest to tightest: `or`; `and`; comparisons; `|`; `~`; `&`; shifts;
//! `..` (right associative); `+ -`; `* / // %`; unary operators; `^`
//! (right associative, and binding tighter than a unary operator on its
//! left, so `-2^2` is `-(2^2)` while `2^-3` is `2^(-3)`). No folding is
//! done: the tree keeps every operation.

use super::{PResult, Parser};
use crate::ast::{
    BinOp, Binary, Call, Env, Expr, GlobalVar, Index, LocalRef, MethodCall, Name, Table, TableItem,
    UnOp, Unary, UpvalueRef,
};
use crate::lexer::Token;
use crate::scope::{Resolved, resolve};

/// Priority of unary operators.
const UNARY_PRIORITY: u8 = 12;

/// Left and right priorities of a binary operator.
fn priority(op: BinOp) -> (u8, u8) {
    use BinOp::*;
    match op {
        Add | Sub => (10, 10),
        Mul | Mod | Div | IDiv => (11, 11),
        Pow => (14, 13),
        BAnd => (6, 6),
        BOr => (4, 4),
        BXor => (5, 5),
        Shl | Shr => (7, 7),
        Concat => (9, 8),
        Eq | Lt | Le | Ne | Gt | Ge => (3, 3),
        And => (2, 2),
        Or => (1, 1),
    }
}

fn binary_op(t: &Token) -> Option<BinOp> {
    use BinOp::*;
    Some(match t {
        Token::Plus => Add,
        Token::Minus => Sub,
        Token::Star => Mul,
        Token::Percent => Mod,
        Token::Caret => Pow,
        Token::Slash => Div,
        Token::DoubleSlash => IDiv,
        Token::Amp => BAnd,
        Token::Pipe => BOr,
        Token::Tilde => BXor,
        Token::Shl => Shl,
        Token::Shr => Shr,
        Token::Concat => Concat,
        Token::Ne => Ne,
        Token::Eq => Eq,
        Token::Lt => Lt,
        Token::Le => Le,
        Token::Gt => Gt,
        Token::Ge => Ge,
        Token::And => And,
        Token::Or => Or,
        _ => return None,
    })
}

fn unary_op(t: &Token) -> Option<UnOp> {
    Some(match t {
        Token::Not => UnOp::Not,
        Token::Minus => UnOp::Neg,
        Token::Tilde => UnOp::BNot,
        Token::Hash => UnOp::Len,
        _ => return None,
    })
}

impl Parser<'_> {
    /// `expr`.
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        Ok(self.subexpr(0)?.0)
    }

    /// `explist -> expr { ',' expr }`.
    pub(super) fn explist(&mut self) -> PResult<Vec<Expr>> {
        let mut list = vec![self.expr()?];
        while self.test_next(&Token::Comma)? {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    /// `subexpr -> (simpleexp | unop subexpr) { binop subexpr }` where the
    /// loop only takes operators whose left priority exceeds `limit`.
    /// Returns the first operator not consumed.
    fn subexpr(&mut self, limit: u8) -> PResult<(Expr, Option<BinOp>)> {
        self.enter_level()?;
        let mut e = if let Some(op) = unary_op(&self.tok.token) {
            let line = self.line();
            self.next()?;
            let (operand, _) = self.subexpr(UNARY_PRIORITY)?;
            Expr::Unary(Box::new(Unary { op, operand, line }))
        } else {
            self.simpleexp()?
        };
        let mut op = binary_op(&self.tok.token);
        while let Some(o) = op {
            let (left, right) = priority(o);
            if left <= limit {
                break;
            }
            let line = self.line();
            self.next()?;
            let (rhs, next_op) = self.subexpr(right)?;
            e = Expr::Binary(Box::new(Binary {
                op: o,
                lhs: e,
                rhs,
                line,
            }));
            op = next_op;
        }
        self.leave_level();
        Ok((e, op))
    }

    /// `simpleexp -> FLT | INT | STRING | nil | true | false | ... |
    /// constructor | FUNCTION body | suffixedexp`.
    fn simpleexp(&mut self) -> PResult<Expr> {
        let e = match &self.tok.token {
            Token::Float(f) => Expr::Float(*f),
            Token::Int(i) => Expr::Int(*i),
            Token::String(s) => Expr::String(s.clone()),
            Token::Nil => Expr::Nil,
            Token::True => Expr::True,
            Token::False => Expr::False,
            Token::Dots => {
                if !self.fs_ref().is_vararg {
                    return Err(self.error_near("cannot use '...' outside a vararg function"));
                }
                Expr::Vararg
            }
            Token::LBrace => return self.constructor(),
            Token::Function => {
                self.next()?;
                let line = self.line();
                return Ok(Expr::Function(Box::new(self.body(false, line)?)));
            }
            _ => return self.suffixedexp(),
        };
        self.next()?;
        Ok(e)
    }

    /// `primaryexp -> NAME | '(' expr ')'`.
    fn primaryexp(&mut self) -> PResult<Expr> {
        match &self.tok.token {
            Token::LParen => {
                let line = self.line();
                self.next()?;
                let e = self.expr()?;
                self.check_match(&Token::RParen, &Token::LParen, line)?;
                Ok(Expr::Paren(Box::new(e)))
            }
            Token::Name(_) => self.singlevar(),
            _ => Err(self.error_near("unexpected symbol")),
        }
    }

    /// `suffixedexp -> primaryexp { '.' NAME | '[' exp ']' | ':' NAME
    /// funcargs | funcargs }`.
    pub(super) fn suffixedexp(&mut self) -> PResult<Expr> {
        let line = self.line();
        let mut e = self.primaryexp()?;
        loop {
            match &self.tok.token {
                Token::Dot => e = self.fieldsel(e)?,
                Token::LBracket => {
                    let at = self.line();
                    self.next()?;
                    let key = self.expr()?;
                    self.check_next(&Token::RBracket)?;
                    e = Expr::Index(Box::new(Index {
                        object: e,
                        key,
                        line: at,
                    }));
                }
                Token::Colon => {
                    self.next()?;
                    let method = self.check_name()?;
                    let args = self.funcargs(line)?;
                    e = Expr::MethodCall(Box::new(MethodCall {
                        object: e,
                        method,
                        args,
                        line,
                    }));
                }
                Token::LParen | Token::String(_) | Token::LBrace => {
                    let args = self.funcargs(line)?;
                    e = Expr::Call(Box::new(Call {
                        func: e,
                        args,
                        line,
                    }));
                }
                _ => return Ok(e),
            }
        }
    }

    /// `fieldsel -> ['.' | ':'] NAME`, giving `e["NAME"]`.
    pub(super) fn fieldsel(&mut self, e: Expr) -> PResult<Expr> {
        let line = self.line();
        self.next()?;
        let name = self.check_name()?;
        Ok(Expr::Index(Box::new(Index {
            object: e,
            key: Expr::String(name),
            line,
        })))
    }

    /// `funcargs -> '(' [ explist ] ')' | constructor | STRING`; `line` is
    /// where the called expression starts.
    fn funcargs(&mut self, line: u32) -> PResult<Vec<Expr>> {
        match &self.tok.token {
            Token::LParen => {
                self.next()?;
                let args = if self.is(&Token::RParen) {
                    Vec::new()
                } else {
                    self.explist()?
                };
                self.check_match(&Token::RParen, &Token::LParen, line)?;
                Ok(args)
            }
            Token::LBrace => Ok(vec![self.constructor()?]),
            Token::String(s) => {
                let s = s.clone();
                self.next()?;
                Ok(vec![Expr::String(s)])
            }
            _ => Err(self.error_near("function arguments expected")),
        }
    }

    /// `constructor -> '{' [ field { sep field } [sep] ] '}'`.
    fn constructor(&mut self) -> PResult<Expr> {
        let line = self.line();
        self.check_next(&Token::LBrace)?;
        let mut items = Vec::new();
        loop {
            if self.is(&Token::RBrace) {
                break;
            }
            items.push(self.field()?);
            if !(self.test_next(&Token::Comma)? || self.test_next(&Token::Semicolon)?) {
                break;
            }
        }
        self.check_match(&Token::RBrace, &Token::LBrace, line)?;
        Ok(Expr::Table(Box::new(Table { items, line })))
    }

    /// `field -> NAME '=' exp | '[' exp ']' '=' exp | exp`.
    fn field(&mut self) -> PResult<TableItem> {
        let named = matches!(self.tok.token, Token::Name(_)) && *self.lookahead()? == Token::Assign;
        match &self.tok.token {
            Token::Name(_) if named => {
                let line = self.line();
                let name = self.check_name()?;
                self.check_next(&Token::Assign)?;
                let value = self.expr()?;
                Ok(TableItem::Named { name, value, line })
            }
            Token::LBracket => {
                let line = self.line();
                self.next()?;
                let key = self.expr()?;
                self.check_next(&Token::RBracket)?;
                self.check_next(&Token::Assign)?;
                let value = self.expr()?;
                Ok(TableItem::Keyed { key, value, line })
            }
            _ => Ok(TableItem::Positional(self.expr()?)),
        }
    }

    /// Resolves a name to a local, upvalue or global (Lua's `singlevar`).
    pub(super) fn singlevar(&mut self) -> PResult<Expr> {
        let line = self.line();
        let name = self.check_name()?;
        self.resolve_name(name, line)
    }

    /// Resolves an already-read name.
    pub(super) fn resolve_name(&mut self, name: Name, line: u32) -> PResult<Expr> {
        match resolve(&mut self.funcs, &name, true).map_err(|e| self.scope_error(e))? {
            Resolved::Local(id, slot) => Ok(Expr::Local(LocalRef { name, id, slot })),
            Resolved::Upvalue(index) => Ok(Expr::Upvalue(UpvalueRef { name, index })),
            Resolved::Global => {
                let env = match resolve(&mut self.funcs, b"_ENV", true)
                    .map_err(|e| self.scope_error(e))?
                {
                    Resolved::Local(id, slot) => Env::Local { id, slot },
                    Resolved::Upvalue(i) => Env::Upvalue(i),
                    Resolved::Global => unreachable!("_ENV is always an upvalue of main"),
                };
                Ok(Expr::Global(GlobalVar { name, env, line }))
            }
        }
    }
}
