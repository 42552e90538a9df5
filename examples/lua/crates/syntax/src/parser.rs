//! The recursive-descent parser: tokens to a resolved [`Chunk`].
//!
//! The parser follows `lparser.c` of Lua 5.4 closely, function by
//! function, so that it accepts the same language and reports the same
//! errors at the same tokens and lines. It pulls tokens from the lexer one
//! at a time (with a single token of lookahead, used only in table
//! constructors, as in Lua), and resolves names while parsing through the
//! [`crate::scope`] bookkeeping, so the tree it builds needs no further
//! pass. Expressions live in `parser/expr.rs`, statements in
//! `parser/stat.rs`; this file holds the token plumbing, the error helpers
//! and function bodies.
//!
//! Nesting is limited like Lua's C stack (`LUAI_MAXCCALLS`): 199 nested
//! statements or sub-expressions give `C stack overflow` (the count Lua
//! reaches for a top-level `lua -e` chunk), which also bounds the native
//! recursion: at the limit an unoptimised build uses about 1 MiB of stack,
//! so the parser runs on Rust's default 2 MiB threads. Errors are boxed
//! inside the parser to keep its stack frames small.

mod expr;
mod stat;

use crate::ast::{Block, Chunk, Function, LocalDecl, UpvalueDesc, UpvalueSource};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::lexer::{Lexeme, Lexer, Token, near_text};
use crate::scope::{FuncState, ScopeError};

/// Lua's `LUAI_MAXCCALLS`.
const MAX_DEPTH: u32 = 200;

/// Errors are boxed inside the parser to keep `Result`s (and so the
/// recursive functions' stack frames) small.
pub(crate) type PResult<T> = Result<T, Box<SyntaxError>>;

/// The parser state.
pub(crate) struct Parser<'s> {
    lex: Lexer<'s>,
    tok: Lexeme,
    ahead: Option<Lexeme>,
    chunk_name: &'s str,
    funcs: Vec<FuncState>,
    depth: u32,
}

/// Parses a whole chunk (Lua's `mainfunc`).
pub(crate) fn parse_chunk(source: &[u8], chunk_name: &str) -> PResult<Chunk> {
    let mut lex = Lexer::new(source);
    let first = lex
        .next_token()
        .map_err(|e| SyntaxError::from_lex(chunk_name, e))?;
    let mut p = Parser {
        lex,
        tok: first,
        ahead: None,
        chunk_name,
        funcs: Vec::new(),
        depth: 0,
    };
    let mut fs = FuncState::new(0);
    fs.is_vararg = true;
    fs.upvalues.push(UpvalueDesc {
        name: b"_ENV".as_slice().into(),
        source: UpvalueSource::Env,
        attrib: Default::default(),
    });
    p.funcs.push(fs);
    let body = p.statlist()?;
    if p.tok.token != Token::Eof {
        return Err(p.error_expected(&Token::Eof));
    }
    let end_line = p.line();
    let main = p.close_function(Vec::new(), false, body, end_line)?;
    Ok(Chunk {
        name: chunk_name.to_string(),
        main,
    })
}

impl<'s> Parser<'s> {
    /// Lua's `ls->linenumber`: the line of the last token read.
    fn line(&self) -> u32 {
        self.lex.line()
    }

    fn fs(&mut self) -> &mut FuncState {
        self.funcs.last_mut().expect("no function open")
    }

    fn fs_ref(&self) -> &FuncState {
        self.funcs.last().expect("no function open")
    }

    /// Advances to the next token (Lua's `luaX_next`).
    fn next(&mut self) -> PResult<()> {
        self.tok = match self.ahead.take() {
            Some(t) => t,
            None => self.read_token()?,
        };
        Ok(())
    }

    fn read_token(&mut self) -> PResult<Lexeme> {
        self.lex
            .next_token()
            .map_err(|e| Box::new(SyntaxError::from_lex(self.chunk_name, e)))
    }

    /// Peeks at the token after the current one (Lua's `luaX_lookahead`).
    fn lookahead(&mut self) -> PResult<&Token> {
        if self.ahead.is_none() {
            self.ahead = Some(self.read_token()?);
        }
        Ok(&self.ahead.as_ref().expect("lookahead present").token)
    }

    fn is(&self, t: &Token) -> bool {
        self.tok.token == *t
    }

    /// Skips the current token if it is `t`.
    fn test_next(&mut self, t: &Token) -> PResult<bool> {
        if self.is(t) {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Requires `t` and skips it.
    fn check_next(&mut self, t: &Token) -> PResult<()> {
        if self.test_next(t)? {
            Ok(())
        } else {
            Err(self.error_expected(t))
        }
    }

    /// Requires `what` closing `who` opened at line `line`.
    fn check_match(&mut self, what: &Token, who: &Token, line: u32) -> PResult<()> {
        if self.test_next(what)? {
            return Ok(());
        }
        if line == self.line() {
            Err(self.error_expected(what))
        } else {
            Err(self.error_near(format!(
                "{} expected (to close {} at line {})",
                what.describe(),
                who.describe(),
                line
            )))
        }
    }

    /// Reads a name (Lua's `str_checkname`).
    fn check_name(&mut self) -> PResult<crate::ast::Name> {
        if let Token::Name(n) = &self.tok.token {
            let n = n.clone();
            self.next()?;
            Ok(n)
        } else {
            Err(self.error_expected(&Token::Name(Box::default())))
        }
    }

    /// `msg near 'current token'` (Lua's `luaX_syntaxerror`).
    /// A NUL byte is Lua's "no token" marker, so it gets no "near" part.
    fn error_near(&self, msg: impl Into<Vec<u8>>) -> Box<SyntaxError> {
        let mut message = msg.into();
        if self.tok.token != Token::Other(0) {
            message.extend_from_slice(b" near ");
            message.extend(near_text(self.lex.source(), &self.tok));
        }
        Box::new(SyntaxError {
            chunk_name: self.chunk_name.to_string(),
            line: self.line(),
            message,
            kind: SyntaxErrorKind::Syntax,
        })
    }

    fn error_expected(&self, t: &Token) -> Box<SyntaxError> {
        self.error_near(format!("{} expected", t.describe()))
    }

    /// An error without "near" (Lua's `luaK_semerror`).
    fn error_semantic(&self, msg: Vec<u8>) -> Box<SyntaxError> {
        Box::new(SyntaxError {
            chunk_name: self.chunk_name.to_string(),
            line: self.line(),
            message: msg,
            kind: SyntaxErrorKind::Semantic,
        })
    }

    fn scope_error(&self, e: ScopeError) -> Box<SyntaxError> {
        match e {
            ScopeError::Semantic(msg) => self.error_semantic(msg),
            ScopeError::Limit(what, limit, line) => {
                let place = if line == 0 {
                    "main function".to_string()
                } else {
                    format!("function at line {line}")
                };
                let mut err =
                    self.error_near(format!("too many {what} (limit is {limit}) in {place}"));
                err.kind = SyntaxErrorKind::Limit;
                err
            }
        }
    }

    /// Enters a nesting level (Lua's `enterlevel`).
    fn enter_level(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth + 1 >= MAX_DEPTH {
            return Err(Box::new(SyntaxError {
                chunk_name: self.chunk_name.to_string(),
                line: self.line(),
                message: b"C stack overflow".to_vec(),
                kind: SyntaxErrorKind::TooDeep,
            }));
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.depth -= 1;
    }

    /// Declares a local in the current function.
    fn declare_local(&mut self, name: crate::ast::Name) -> PResult<crate::ast::LocalId> {
        let line = self.line();
        self.fs()
            .declare(name, line)
            .map_err(|e| self.scope_error(e))
    }

    fn leave_block(&mut self) -> PResult<()> {
        self.fs().leave_block().map_err(|e| self.scope_error(e))
    }

    /// Parses a block in its own scope (Lua's `block`).
    fn block(&mut self) -> PResult<Block> {
        self.fs().enter_block(false);
        let b = self.statlist()?;
        self.leave_block()?;
        Ok(b)
    }

    /// Parses a function body after `function` and its name (Lua's
    /// `body`): `(params) block end`.
    fn body(&mut self, is_method: bool, line: u32) -> PResult<Function> {
        self.funcs.push(FuncState::new(line));
        let mut params = Vec::new();
        if is_method {
            let id = self.declare_local(b"self".as_slice().into())?;
            self.fs().activate(1);
            params.push(id);
        }
        self.check_next(&Token::LParen)?;
        if !self.is(&Token::RParen) {
            loop {
                match &self.tok.token {
                    Token::Name(_) => {
                        let name = self.check_name()?;
                        params.push(self.declare_local(name)?);
                    }
                    Token::Dots => {
                        self.next()?;
                        self.fs().is_vararg = true;
                    }
                    _ => return Err(self.error_near("<name> or '...' expected")),
                }
                if self.fs_ref().is_vararg || !self.test_next(&Token::Comma)? {
                    break;
                }
            }
        }
        let n = params.len() - usize::from(is_method);
        self.fs().activate(n);
        self.check_next(&Token::RParen)?;
        let body = self.statlist()?;
        let end_line = self.line();
        self.check_match(&Token::End, &Token::Function, line)?;
        let decls = params
            .into_iter()
            .map(|id| self.fs_ref().decl(id))
            .collect();
        self.close_function(decls, is_method, body, end_line)
    }

    /// Finishes the innermost function (Lua's `close_func`).
    fn close_function(
        &mut self,
        mut params: Vec<LocalDecl>,
        is_method: bool,
        mut body: Block,
        end_line: u32,
    ) -> PResult<Function> {
        self.leave_block()?;
        let fs = self.funcs.pop().expect("function stack underflow");
        fs.patch(&mut params, &mut body);
        Ok(Function {
            line: fs.line,
            end_line,
            num_params: params.len() as u16,
            is_vararg: fs.is_vararg,
            is_method,
            params,
            num_slots: fs.num_slots(),
            locals: fs.locals,
            upvalues: fs.upvalues,
            num_labels: fs.num_labels,
            body,
        })
    }
}
