//! Statement parsing.
//!
//! One function per statement form of Lua 5.4, as in `lparser.c`:
//! `local` (with `<const>`/`<close>` attributes), assignments and call
//! statements, `do`, `while`, `repeat`, `if`, both `for` forms, `function`
//! and `local function`, `return`, `break`, `goto` and labels. Each
//! declaration goes through the scope bookkeeping at the point where Lua
//! brings the variable into scope (after the initialisers for `local`,
//! before the body for `local function`, per iteration block for `for`).

use super::{PResult, Parser};
use crate::ast::{Attrib, Block, Expr, GenericFor, IfClause, NumericFor, Place, Stat};
use crate::lexer::Token;
use crate::scope::concat;

impl Parser<'_> {
    /// Whether the current token ends a block (Lua's `block_follow`).
    fn block_follow(&self, with_until: bool) -> bool {
        match self.tok.token {
            Token::Else | Token::Elseif | Token::End | Token::Eof => true,
            Token::Until => with_until,
            _ => false,
        }
    }

    /// `statlist -> { stat [';'] }`, with `return` only last.
    pub(super) fn statlist(&mut self) -> PResult<Block> {
        let mut stats = Vec::new();
        while !self.block_follow(true) {
            if self.is(&Token::Return) {
                self.statement(&mut stats)?;
                break;
            }
            self.statement(&mut stats)?;
        }
        Ok(Block { stats })
    }

    /// Parses one statement, appending it to `out` (`;` appends nothing;
    /// a label may append the no-op statements that follow it).
    fn statement(&mut self, out: &mut Vec<Stat>) -> PResult<()> {
        let line = self.line();
        self.enter_level()?;
        let stat = match &self.tok.token {
            Token::Semicolon => {
                self.next()?;
                None
            }
            Token::If => Some(self.ifstat(line)?),
            Token::While => Some(self.whilestat(line)?),
            Token::Do => {
                self.next()?;
                let body = self.block()?;
                self.check_match(&Token::End, &Token::Do, line)?;
                Some(Stat::Do { body, line })
            }
            Token::For => Some(self.forstat(line)?),
            Token::Repeat => Some(self.repeatstat(line)?),
            Token::Function => Some(self.funcstat(line)?),
            Token::Local => {
                self.next()?;
                if self.test_next(&Token::Function)? {
                    Some(self.localfunc(line)?)
                } else {
                    Some(self.localstat(line)?)
                }
            }
            Token::DoubleColon => {
                self.next()?;
                let name = self.check_name()?;
                self.labelstat(name, line, out)?;
                None
            }
            Token::Return => {
                self.next()?;
                Some(self.retstat(line)?)
            }
            Token::Break => {
                self.next()?;
                self.fs().add_break(line);
                Some(Stat::Break { line })
            }
            Token::Goto => {
                self.next()?;
                let line = self.line();
                let name = self.check_name()?;
                self.fs().add_goto(name.clone(), line);
                Some(Stat::Goto {
                    name,
                    label: crate::ast::LabelId(u32::MAX),
                    line,
                })
            }
            _ => Some(self.exprstat(line)?),
        };
        if let Some(s) = stat {
            out.push(s);
        }
        self.leave_level();
        Ok(())
    }

    /// `label -> '::' NAME '::'`; following `;` and labels are parsed
    /// first so that a label at the end of its block is recognised.
    fn labelstat(&mut self, name: crate::ast::Name, line: u32, out: &mut Vec<Stat>) -> PResult<()> {
        self.check_next(&Token::DoubleColon)?;
        let id = self.fs().new_label_id();
        out.push(Stat::Label {
            name: name.clone(),
            id,
            line,
        });
        while self.is(&Token::Semicolon) || self.is(&Token::DoubleColon) {
            self.statement(out)?;
        }
        let last = self.block_follow(false);
        self.fs()
            .define_label(name, id, line, last)
            .map_err(|e| self.scope_error(e))
    }

    /// `ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block]
    /// END`.
    fn ifstat(&mut self, line: u32) -> PResult<Stat> {
        let mut clauses = Vec::new();
        loop {
            let clause_line = self.line();
            self.next()?; // skip IF or ELSEIF
            let cond = self.expr()?;
            self.check_next(&Token::Then)?;
            let body = self.block()?;
            clauses.push(IfClause {
                cond,
                body,
                line: clause_line,
            });
            if !self.is(&Token::Elseif) {
                break;
            }
        }
        let else_body = if self.test_next(&Token::Else)? {
            Some(self.block()?)
        } else {
            None
        };
        self.check_match(&Token::End, &Token::If, line)?;
        Ok(Stat::If {
            clauses,
            else_body,
            line,
        })
    }

    /// `whilestat -> WHILE cond DO block END`.
    fn whilestat(&mut self, line: u32) -> PResult<Stat> {
        self.next()?;
        let cond = self.expr()?;
        self.fs().enter_block(true);
        self.check_next(&Token::Do)?;
        let body = self.block()?;
        self.check_match(&Token::End, &Token::While, line)?;
        self.leave_block()?;
        Ok(Stat::While { cond, body, line })
    }

    /// `repeatstat -> REPEAT block UNTIL cond`; the condition is inside the
    /// block's scope.
    fn repeatstat(&mut self, line: u32) -> PResult<Stat> {
        self.fs().enter_block(true);
        self.fs().enter_block(false);
        self.next()?;
        let body = self.statlist()?;
        self.check_match(&Token::Until, &Token::Repeat, line)?;
        let cond = self.expr()?;
        self.leave_block()?;
        self.leave_block()?;
        Ok(Stat::Repeat { body, cond, line })
    }

    /// `forstat -> FOR (fornum | forlist) END`.
    fn forstat(&mut self, line: u32) -> PResult<Stat> {
        self.fs().enter_block(true);
        self.next()?;
        let name = self.check_name()?;
        let stat = match self.tok.token {
            Token::Assign => self.fornum(name, line)?,
            Token::Comma | Token::In => self.forlist(name, line)?,
            _ => return Err(self.error_near("'=' or 'in' expected")),
        };
        self.check_match(&Token::End, &Token::For, line)?;
        self.leave_block()?;
        Ok(stat)
    }

    fn declare_hidden(&mut self, n: usize) -> PResult<u16> {
        let mut first = 0;
        for k in 0..n {
            let id = self.declare_local(b"(for state)".as_slice().into())?;
            if k == 0 {
                first = self.fs_ref().locals[id.0 as usize].slot;
            }
        }
        Ok(first)
    }

    /// `fornum -> NAME = exp, exp [, exp] forbody`.
    fn fornum(&mut self, name: crate::ast::Name, line: u32) -> PResult<Stat> {
        let state_slot = self.declare_hidden(3)?;
        let var = self.declare_local(name)?;
        self.check_next(&Token::Assign)?;
        let start = self.expr()?;
        self.check_next(&Token::Comma)?;
        let limit = self.expr()?;
        let step = if self.test_next(&Token::Comma)? {
            Some(self.expr()?)
        } else {
            None
        };
        self.fs().activate(3);
        let body = self.forbody(1)?;
        Ok(Stat::NumericFor(Box::new(NumericFor {
            var: self.fs_ref().decl(var),
            state_slot,
            start,
            limit,
            step,
            body,
            line,
        })))
    }

    /// `forlist -> NAME {, NAME} IN explist forbody`.
    fn forlist(&mut self, name: crate::ast::Name, line: u32) -> PResult<Stat> {
        let state_slot = self.declare_hidden(4)?;
        let mut vars = vec![self.declare_local(name)?];
        while self.test_next(&Token::Comma)? {
            let n = self.check_name()?;
            vars.push(self.declare_local(n)?);
        }
        self.check_next(&Token::In)?;
        let call_line = self.line();
        let exprs = self.explist()?;
        self.fs().activate(4);
        let body = self.forbody(vars.len())?;
        let vars = vars.into_iter().map(|id| self.fs_ref().decl(id)).collect();
        Ok(Stat::GenericFor(Box::new(GenericFor {
            vars,
            state_slot,
            exprs,
            body,
            line,
            call_line,
        })))
    }

    /// `forbody -> DO block`, with the `nvars` loop variables in scope.
    fn forbody(&mut self, nvars: usize) -> PResult<Block> {
        self.check_next(&Token::Do)?;
        self.fs().enter_block(false);
        self.fs().activate(nvars);
        let body = self.block()?;
        self.leave_block()?;
        Ok(body)
    }

    /// `funcstat -> FUNCTION funcname body` where `funcname -> NAME
    /// {'.' NAME} [':' NAME]`.
    fn funcstat(&mut self, line: u32) -> PResult<Stat> {
        self.next()?;
        let mut target = self.singlevar()?;
        while self.is(&Token::Dot) {
            target = self.fieldsel(target)?;
        }
        let is_method = self.is(&Token::Colon);
        if is_method {
            target = self.fieldsel(target)?;
        }
        let func = self.body(is_method, line)?;
        let target = into_place(target).expect("function names are assignable");
        self.check_readonly(&target)?;
        Ok(Stat::Function {
            target,
            func: Box::new(func),
            line,
        })
    }

    /// `localfunc -> LOCAL FUNCTION NAME body`.
    fn localfunc(&mut self, line: u32) -> PResult<Stat> {
        let name = self.check_name()?;
        let id = self.declare_local(name)?;
        self.fs().activate(1);
        let body_line = self.line();
        let func = self.body(false, body_line)?;
        Ok(Stat::LocalFunction {
            var: self.fs_ref().decl(id),
            func: Box::new(func),
            line,
        })
    }

    /// `localstat -> LOCAL NAME attrib {',' NAME attrib} ['=' explist]`.
    fn localstat(&mut self, line: u32) -> PResult<Stat> {
        let mut ids = Vec::new();
        let mut has_close = false;
        loop {
            let name = self.check_name()?;
            let id = self.declare_local(name)?;
            let attrib = self.attribute()?;
            self.fs().locals[id.0 as usize].attrib = attrib;
            if attrib == Attrib::Close {
                if has_close {
                    return Err(self.error_semantic(
                        b"multiple to-be-closed variables in local list".to_vec(),
                    ));
                }
                has_close = true;
            }
            ids.push(id);
            if !self.test_next(&Token::Comma)? {
                break;
            }
        }
        let values = if self.test_next(&Token::Assign)? {
            self.explist()?
        } else {
            Vec::new()
        };
        self.fs().activate(ids.len());
        let vars = ids.into_iter().map(|id| self.fs_ref().decl(id)).collect();
        Ok(Stat::Local { vars, values, line })
    }

    /// `attrib -> ['<' NAME '>']`.
    fn attribute(&mut self) -> PResult<Attrib> {
        if !self.test_next(&Token::Lt)? {
            return Ok(Attrib::Regular);
        }
        let name = self.check_name()?;
        self.check_next(&Token::Gt)?;
        match &*name {
            b"const" => Ok(Attrib::Const),
            b"close" => Ok(Attrib::Close),
            _ => Err(self.error_semantic(concat(&[b"unknown attribute '", &name, b"'"]))),
        }
    }

    /// `retstat -> RETURN [explist] [';']`.
    fn retstat(&mut self, line: u32) -> PResult<Stat> {
        let values = if self.block_follow(true) || self.is(&Token::Semicolon) {
            Vec::new()
        } else {
            self.explist()?
        };
        self.test_next(&Token::Semicolon)?;
        Ok(Stat::Return { values, line })
    }

    /// `exprstat -> func | assignment`.
    fn exprstat(&mut self, line: u32) -> PResult<Stat> {
        let e = self.suffixedexp()?;
        if self.is(&Token::Assign) || self.is(&Token::Comma) {
            return self.assignment(e, line);
        }
        if matches!(e, Expr::Call(_) | Expr::MethodCall(_)) {
            Ok(Stat::Call { call: e, line })
        } else {
            Err(self.error_near("syntax error"))
        }
    }

    /// `restassign -> ',' suffixedexp restassign | '=' explist`, done
    /// iteratively (each extra target still counts as a nesting level).
    fn assignment(&mut self, first: Expr, line: u32) -> PResult<Stat> {
        let mut targets = Vec::new();
        let mut current = first;
        let mut levels = 0;
        loop {
            let Some(place) = into_place(current) else {
                return Err(self.error_near("syntax error"));
            };
            self.check_readonly(&place)?;
            targets.push(place);
            if !self.test_next(&Token::Comma)? {
                break;
            }
            current = self.suffixedexp()?;
            self.enter_level()?;
            levels += 1;
        }
        self.check_next(&Token::Assign)?;
        let values = self.explist()?;
        self.depth -= levels;
        Ok(Stat::Assign {
            targets,
            values,
            line,
        })
    }

    /// Rejects assignments to `<const>`/`<close>` variables.
    fn check_readonly(&self, place: &Place) -> PResult<()> {
        let fs = self.fs_ref();
        let name = match place {
            Place::Local(l) if fs.locals[l.id.0 as usize].attrib != Attrib::Regular => &l.name,
            Place::Upvalue(u) if fs.upvalues[u.index as usize].attrib != Attrib::Regular => &u.name,
            _ => return Ok(()),
        };
        Err(self.error_semantic(concat(&[
            b"attempt to assign to const variable '",
            name,
            b"'",
        ])))
    }
}

/// Converts a variable expression to an assignable place.
fn into_place(e: Expr) -> Option<Place> {
    match e {
        Expr::Local(l) => Some(Place::Local(l)),
        Expr::Upvalue(u) => Some(Place::Upvalue(u)),
        Expr::Global(g) => Some(Place::Global(g)),
        Expr::Index(i) => Some(Place::Index(i)),
        _ => None,
    }
}
