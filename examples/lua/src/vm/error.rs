//! Errors in flight and the positions Lua gives their messages.

use super::*;

/// An error in flight: the value `error` was called with, or a runtime error's message.
///
/// A runtime error raised by an operand check (indexing nil, calling a number) or by a native
/// function is first *pending*: its message still lacks the position (and, for an operand, the
/// variable it came from) that the instruction it surfaces at supplies, as Lua's `varinfo` and
/// `luaL_where` do. [`Vm::error_value`] gives the final value.
///
/// It is one pointer wide (its parts are boxed), so that the interpreter's `Result`s stay small
/// on the paths where nothing fails.
#[derive(Clone, Debug)]
pub struct LuaError<'gc>(pub(super) Box<ErrorParts<'gc>>);

#[derive(Clone, Debug)]
pub(super) struct ErrorParts<'gc> {
    pub(super) value: Value<'gc>,
    pub(super) pending: Option<Pending>,
}

#[derive(Clone, Debug)]
pub(super) enum Pending {
    /// A type error on operand `operand` of the running instruction.
    Operand { msg: String, operand: u8 },
    /// A native function's error: positioned at the Lua code that called it.
    Caller(String),
}

impl<'gc> LuaError<'gc> {
    /// An error whose value is `value`, as `error(value)` raises it.
    pub fn new(value: Value<'gc>) -> LuaError<'gc> {
        LuaError(Box::new(ErrorParts {
            value,
            pending: None,
        }))
    }
}

impl<'a, 'gc> Vm<'a, 'gc> {
    /// A runtime error with the position of the running Lua function. As Lua's
    /// `luaG_runerror`, only when the running function is Lua code: an operation a native
    /// performs (`math.max` comparing) raises the bare message.
    pub fn error(&self, msg: impl AsRef<str>) -> LuaError<'gc> {
        let msg = msg.as_ref();
        let in_native = matches!(self.state.calls.last(), Some(None));
        let full = match self.state.frames.last().filter(|_| !in_native) {
            Some(f) => {
                let Function::Lua(c) = &*f.closure else {
                    unreachable!("frames hold Lua closures")
                };
                let line = c
                    .proto
                    .lines
                    .get(f.pc.saturating_sub(1))
                    .copied()
                    .unwrap_or(0);
                format!("{}:{}: {}", c.proto.chunk, line, msg)
            }
            None => msg.to_string(),
        };
        LuaError::new(self.str(full.as_bytes()))
    }

    /// A type error on operand `operand` of the running instruction (see [`LuaError`]).
    pub fn operand_error(&self, msg: impl Into<String>, operand: u8) -> LuaError<'gc> {
        LuaError(Box::new(ErrorParts {
            value: Value::Nil,
            pending: Some(Pending::Operand {
                msg: msg.into(),
                operand,
            }),
        }))
    }

    /// The final value of an error (a pending one without position).
    pub fn error_value(&self, e: &LuaError<'gc>) -> Value<'gc> {
        match &e.0.pending {
            Some(Pending::Operand { msg, .. } | Pending::Caller(msg)) => self.str(msg.as_bytes()),
            None => e.0.value,
        }
    }

    /// Gives a pending error the position (and variable name) of the running Lua instruction.
    pub(super) fn finish_error(&self, e: LuaError<'gc>) -> LuaError<'gc> {
        let Some(pending) = &e.0.pending else {
            return e;
        };
        let Some(f) = self.state.frames.last() else {
            return LuaError::new(self.error_value(&e));
        };
        let Function::Lua(c) = &*f.closure else {
            unreachable!("frames hold Lua closures")
        };
        let pc = f.pc.saturating_sub(1);
        let line = c.proto.lines.get(pc).copied().unwrap_or(0);
        let msg = match pending {
            Pending::Operand { msg, operand } => match c.proto.name_of(pc, *operand) {
                Some(name) if msg == "number has no integer representation" => {
                    format!("number ({name}) has no integer representation")
                }
                Some(name) => format!("{msg} ({name})"),
                None => msg.clone(),
            },
            Pending::Caller(msg) => msg.clone(),
        };
        LuaError::new(self.str(format!("{}:{}: {}", c.proto.chunk, line, msg).as_bytes()))
    }

    /// A pending error leaving a native function: an operand error inside it has no position
    /// (natives have no lines), a native's own error keeps waiting for its Lua caller.
    pub(super) fn native_boundary(&self, e: LuaError<'gc>) -> LuaError<'gc> {
        match &e.0.pending {
            Some(Pending::Operand { msg, .. }) => LuaError::new(self.str(msg.as_bytes())),
            _ => e,
        }
    }

    /// An error with the position of the Lua function `level` frames up (1: the running one),
    /// as `error(msg, level)` makes it.
    pub fn error_at_level(&self, level: usize, msg: &str) -> LuaError<'gc> {
        // The innermost call is the native raising the error; level 1 is its caller.
        let calls = &self.state.calls;
        let at = calls.len().checked_sub(1 + level);
        let Some(Some(fi)) = (level > 0).then_some(at).flatten().map(|i| calls[i]) else {
            return LuaError::new(self.str(msg.as_bytes()));
        };
        let f = &self.state.frames[fi];
        let Function::Lua(c) = &*f.closure else {
            unreachable!("frames hold Lua closures")
        };
        let line = c
            .proto
            .lines
            .get(f.pc.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        LuaError::new(self.str(format!("{}:{}: {}", c.proto.chunk, line, msg).as_bytes()))
    }

    /// A runtime error without position (as native functions raise them).
    pub fn plain_error(&self, msg: impl AsRef<str>) -> LuaError<'gc> {
        LuaError(Box::new(ErrorParts {
            value: Value::Nil,
            pending: Some(Pending::Caller(msg.as_ref().to_string())),
        }))
    }

    /// the function by its qualified name then (`'string.sub'`, not `'sub'`).
    pub(super) fn qualify(&self, e: LuaError<'gc>, qualified: &str) -> LuaError<'gc> {
        let Some((_, short)) = qualified.rsplit_once('.') else {
            return e;
        };
        let fix = |msg: &str| {
            let from = format!(" to '{short}' (");
            msg.starts_with("bad argument #")
                .then(|| msg.replacen(&from, &format!(" to '{qualified}' ("), 1))
        };
        match &e.0.pending {
            Some(Pending::Caller(msg)) => match fix(msg) {
                Some(m) => LuaError(Box::new(ErrorParts {
                    value: Value::Nil,
                    pending: Some(Pending::Caller(m)),
                })),
                None => e,
            },
            _ => e,
        }
    }

    /// Lands error `e`, raised in the running thread, on the innermost protected call of the
    /// loop that began at (`depth`, `entry`): its frames above the call are dropped and the
    /// call returns `false` and the error (through `xpcall`'s handler, called before the
    /// frames go). An error no call in the coroutine catches ends the coroutine: its resumer
    /// receives it (or, for a wrapped coroutine, raises it, and the search goes on there).
    /// `Err` when nothing in the loop catches it.
    pub(super) fn land_error(
        &mut self,
        mut e: LuaError<'gc>,
        depth: usize,
        entry: usize,
    ) -> Result<(), LuaError<'gc>> {
        loop {
            let e_final = self.finish_error(e);
            let floor = if self.rt.threads.len() == entry {
                depth
            } else {
                0
            };
            let frames = &self.state.frames;
            let protected = (floor..frames.len())
                .rev()
                .find(|&i| frames[i].protect.is_some());
            if let Some(pi) = protected {
                let p = frames[pi].protect.clone().expect("a protected frame");
                let mut err = self.error_value(&e_final);
                if !p.handler.is_nil() {
                    err = match self.call(p.handler, vec![err]) {
                        Ok(r) => r.first().copied().unwrap_or(Value::Nil),
                        Err(_) => self.str(b"error in error handling"),
                    };
                }
                // The unwound frames' to-be-closed variables are closed with the error.
                let from = self.state.frames[pi].base;
                if let Err(e) = self.close_tbc_from(from, err) {
                    err = self.error_value(&e);
                }
                self.state.frames.truncate(pi);
                self.state.calls.truncate(p.calls);
                self.place_results(p.ret, &[Value::Bool(false), err], p.nresults);
                return Ok(());
            }
            if self.rt.threads.len() == entry {
                return Err(e_final);
            }
            let err = self.error_value(&e_final);
            match self.end_coroutine(Err(err)) {
                None => return Ok(()),
                Some(raised) => e = raised,
            }
        }
    }

    /// A native's argument error when Lua code called it as a method (`s:rep()`): Lua counts
    /// the arguments without the receiver (`luaL_argerror`), and an error on the receiver
    /// itself reads "calling 'f' on bad self".
    pub(super) fn as_method_error(&self, e: LuaError<'gc>) -> LuaError<'gc> {
        let Some(Pending::Caller(msg)) = &e.0.pending else {
            return e;
        };
        let Some(f) = self.state.frames.last() else {
            return e;
        };
        let Function::Lua(c) = Gc::as_ref(f.closure) else {
            unreachable!("frames hold Lua closures")
        };
        let Some(callee) = c
            .proto
            .name_of(f.pc.saturating_sub(1), 0)
            .and_then(|n| n.strip_prefix("method '"))
            .and_then(|n| n.strip_suffix('\''))
        else {
            return e;
        };
        let Some(rest) = msg.strip_prefix("bad argument #") else {
            return e;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (Ok(n), tail) = (rest[..digits].parse::<u32>(), &rest[digits..]) else {
            return e;
        };
        let Some(detail) = tail.strip_prefix(&format!(" to '{callee}' ")) else {
            return e;
        };
        let msg = if n > 1 {
            format!("bad argument #{} to '{callee}' {detail}", n - 1)
        } else {
            format!("calling '{callee}' on bad self {detail}")
        };
        LuaError(Box::new(ErrorParts {
            value: Value::Nil,
            pending: Some(Pending::Caller(msg)),
        }))
    }
}
