//! Scope bookkeeping for the parser: locals, upvalues, blocks and gotos.
//!
//! The parser keeps one [`FuncState`] per function being parsed (a stack,
//! innermost last). A `FuncState` mirrors the parts of Lua's `FuncState`
//! and `Dyndata` that concern names:
//!
//! * the list of *active* locals, whose positions are the frame slots
//!   (so a local's slot is the number of locals active when it comes into
//!   scope, exactly Lua's register allocation for variables);
//! * the upvalue descriptors, created on demand by [`resolve`] when a name
//!   is found as a local or upvalue of an enclosing function, which is
//!   marked as captured;
//! * a block stack, with the visible labels and the pending (forward)
//!   gotos, implementing Lua 5.4's goto rules: a goto may jump to any
//!   visible label, a forward jump may not enter the scope of a local
//!   (except to a label at the very end of its block), and gotos without a
//!   visible label, or `break`s outside a loop, are reported when the
//!   function ends.

use crate::ast::{
    Attrib, Block, LabelId, LocalDecl, LocalId, LocalInfo, Name, Stat, UpvalueDesc, UpvalueSource,
};

/// Lua's limit on active locals per function (`MAXVARS`).
pub(crate) const MAX_VARS: usize = 200;
/// Lua's limit on upvalues per function (`MAXUPVAL`).
pub(crate) const MAX_UPVALUES: usize = 255;

/// A block being parsed.
#[derive(Debug)]
struct BlockScope {
    nactive: usize,
    first_label: usize,
    first_goto: usize,
    is_loop: bool,
}

/// A visible label.
#[derive(Debug)]
struct LabelEntry {
    name: Name,
    line: u32,
    id: LabelId,
}

/// A goto (or `break`, named "break") waiting for its label.
#[derive(Debug)]
struct PendingGoto {
    name: Name,
    line: u32,
    nactive: usize,
    /// Index into `goto_targets`, `None` for `break`.
    slot: Option<usize>,
}

/// Concatenates message parts (messages are bytes, as they quote names).
pub(crate) fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A scope error, turned into a message by the parser.
#[derive(Debug)]
pub(crate) enum ScopeError {
    /// A semantic error without a "near" part.
    Semantic(Vec<u8>),
    /// A limit was exceeded: `what`, the limit, and the line where the
    /// offending function was defined (0 for the main function).
    Limit(&'static str, usize, u32),
}

/// How a name resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Local(LocalId, u16),
    Upvalue(u16),
    Global,
}

/// The state of one function being parsed.
#[derive(Debug)]
pub(crate) struct FuncState {
    pub line: u32,
    pub is_vararg: bool,
    pub locals: Vec<LocalInfo>,
    pub upvalues: Vec<UpvalueDesc>,
    active: Vec<LocalId>,
    pending_decls: usize,
    num_slots: usize,
    blocks: Vec<BlockScope>,
    labels: Vec<LabelEntry>,
    gotos: Vec<PendingGoto>,
    goto_targets: Vec<Option<LabelId>>,
    pub num_labels: u32,
}

impl FuncState {
    /// A new function defined at `line`, with its outermost block open.
    pub fn new(line: u32) -> Self {
        let mut fs = FuncState {
            line,
            is_vararg: false,
            locals: Vec::new(),
            upvalues: Vec::new(),
            active: Vec::new(),
            pending_decls: 0,
            num_slots: 0,
            blocks: Vec::new(),
            labels: Vec::new(),
            gotos: Vec::new(),
            goto_targets: Vec::new(),
            num_labels: 0,
        };
        fs.enter_block(false);
        fs
    }

    /// Declares a local that is not yet in scope (Lua's `new_localvar`).
    pub fn declare(&mut self, name: Name, line: u32) -> Result<LocalId, ScopeError> {
        if self.active.len() + self.pending_decls + 1 > MAX_VARS {
            return Err(ScopeError::Limit("local variables", MAX_VARS, self.line));
        }
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(LocalInfo {
            name,
            slot: (self.active.len() + self.pending_decls) as u16,
            attrib: Attrib::Regular,
            captured: false,
            line,
        });
        self.pending_decls += 1;
        Ok(id)
    }

    /// Brings the `n` oldest pending declarations into scope.
    pub fn activate(&mut self, n: usize) {
        let first = self.locals.len() - self.pending_decls;
        for k in 0..n {
            self.active.push(LocalId((first + k) as u32));
        }
        self.pending_decls -= n;
        self.num_slots = self.num_slots.max(self.active.len());
    }

    /// The declaration node for a local.
    pub fn decl(&self, id: LocalId) -> LocalDecl {
        let info = &self.locals[id.0 as usize];
        LocalDecl {
            name: info.name.clone(),
            id,
            slot: info.slot,
            attrib: info.attrib,
            captured: false,
        }
    }

    /// Number of slots needed so far.
    pub fn num_slots(&self) -> u16 {
        self.num_slots as u16
    }

    fn find_local(&self, name: &[u8]) -> Option<LocalId> {
        self.active
            .iter()
            .rev()
            .copied()
            .find(|id| &*self.locals[id.0 as usize].name == name)
    }

    fn find_upvalue(&self, name: &[u8]) -> Option<u16> {
        self.upvalues
            .iter()
            .position(|u| &*u.name == name)
            .map(|i| i as u16)
    }

    /// Opens a block.
    pub fn enter_block(&mut self, is_loop: bool) {
        self.blocks.push(BlockScope {
            nactive: self.active.len(),
            first_label: self.labels.len(),
            first_goto: self.gotos.len(),
            is_loop,
        });
    }

    /// Closes the innermost block (Lua's `leaveblock`): its locals go out
    /// of scope, a loop resolves its pending `break`s, and pending gotos
    /// move to the enclosing block, or are reported when this was the
    /// function's outermost block.
    pub fn leave_block(&mut self) -> Result<(), ScopeError> {
        let bl = self.blocks.pop().expect("block stack underflow");
        self.active.truncate(bl.nactive);
        if bl.is_loop {
            let mut i = bl.first_goto;
            while i < self.gotos.len() {
                if &*self.gotos[i].name == b"break" {
                    self.gotos.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        self.labels.truncate(bl.first_label);
        if self.blocks.is_empty() {
            if let Some(gt) = self.gotos.get(bl.first_goto) {
                let line = gt.line.to_string();
                return Err(ScopeError::Semantic(if &*gt.name == b"break" {
                    concat(&[b"break outside loop at line ", line.as_bytes()])
                } else {
                    concat(&[
                        b"no visible label '",
                        &gt.name,
                        b"' for <goto> at line ",
                        line.as_bytes(),
                    ])
                }));
            }
        } else {
            for gt in &mut self.gotos[bl.first_goto..] {
                gt.nactive = gt.nactive.min(bl.nactive);
            }
        }
        Ok(())
    }

    /// Allocates the id of a label about to be defined.
    pub fn new_label_id(&mut self) -> LabelId {
        self.num_labels += 1;
        LabelId(self.num_labels - 1)
    }

    /// Defines a label (after `checkrepeated`): `last` says whether it is
    /// the last statement of its block (so the block's locals are already
    /// out of scope for jumps to it). Resolves pending gotos of the block.
    pub fn define_label(
        &mut self,
        name: Name,
        id: LabelId,
        line: u32,
        last: bool,
    ) -> Result<(), ScopeError> {
        if let Some(lb) = self.labels.iter().find(|l| l.name == name) {
            return Err(ScopeError::Semantic(concat(&[
                b"label '",
                &name,
                b"' already defined on line ",
                lb.line.to_string().as_bytes(),
            ])));
        }
        let block = self.blocks.last().expect("no open block");
        let nactive = if last {
            block.nactive
        } else {
            self.active.len()
        };
        let mut i = block.first_goto;
        while i < self.gotos.len() {
            if self.gotos[i].name != name {
                i += 1;
                continue;
            }
            let gt = self.gotos.remove(i);
            if gt.nactive < nactive {
                let var = &self.locals[self.active[gt.nactive].0 as usize].name;
                return Err(ScopeError::Semantic(concat(&[
                    b"<goto ",
                    &gt.name,
                    b"> at line ",
                    gt.line.to_string().as_bytes(),
                    b" jumps into the scope of local '",
                    var,
                    b"'",
                ])));
            }
            if let Some(slot) = gt.slot {
                self.goto_targets[slot] = Some(id);
            }
        }
        self.labels.push(LabelEntry { name, line, id });
        Ok(())
    }

    /// Records `goto name`: resolved at once if the label is visible
    /// (backward jump), pending otherwise.
    pub fn add_goto(&mut self, name: Name, line: u32) {
        let slot = self.goto_targets.len();
        let target = self.labels.iter().find(|l| l.name == name).map(|l| l.id);
        self.goto_targets.push(target);
        if target.is_none() {
            self.gotos.push(PendingGoto {
                name,
                line,
                nactive: self.active.len(),
                slot: Some(slot),
            });
        }
    }

    /// Records a `break` (a pending goto to the enclosing loop's end).
    pub fn add_break(&mut self, line: u32) {
        self.gotos.push(PendingGoto {
            name: b"break".as_slice().into(),
            line,
            nactive: self.active.len(),
            slot: None,
        });
    }

    /// Fills in what is only known at the end of the function: goto
    /// targets and the `captured` flags of declarations.
    pub fn patch(&self, params: &mut [LocalDecl], body: &mut Block) {
        for p in params.iter_mut() {
            p.captured = self.locals[p.id.0 as usize].captured;
        }
        let mut targets = self
            .goto_targets
            .iter()
            .map(|t| t.unwrap_or(LabelId(u32::MAX)));
        patch_block(self, body, &mut targets);
    }
}

fn patch_decls(fs: &FuncState, decls: &mut [LocalDecl]) {
    for d in decls {
        d.captured = fs.locals[d.id.0 as usize].captured;
    }
}

fn patch_block(fs: &FuncState, block: &mut Block, targets: &mut dyn Iterator<Item = LabelId>) {
    for stat in &mut block.stats {
        match stat {
            Stat::Local { vars, .. } => patch_decls(fs, vars),
            Stat::LocalFunction { var, .. } => patch_decls(fs, std::slice::from_mut(var)),
            Stat::NumericFor(f) => {
                patch_decls(fs, std::slice::from_mut(&mut f.var));
                patch_block(fs, &mut f.body, targets);
            }
            Stat::GenericFor(f) => {
                patch_decls(fs, &mut f.vars);
                patch_block(fs, &mut f.body, targets);
            }
            Stat::Do { body, .. } | Stat::While { body, .. } | Stat::Repeat { body, .. } => {
                patch_block(fs, body, targets)
            }
            Stat::If {
                clauses, else_body, ..
            } => {
                for c in clauses {
                    patch_block(fs, &mut c.body, targets);
                }
                if let Some(b) = else_body {
                    patch_block(fs, b, targets);
                }
            }
            Stat::Goto { label, .. } => {
                if let Some(t) = targets.next() {
                    *label = t;
                }
            }
            _ => {}
        }
    }
}

/// Resolves `name` as seen from the innermost function of `funcs`
/// (Lua's `singlevaraux`), creating upvalues along the way. `base` is true
/// for the innermost call (a local found there is not captured).
pub(crate) fn resolve(
    funcs: &mut [FuncState],
    name: &[u8],
    base: bool,
) -> Result<Resolved, ScopeError> {
    let Some((fs, outer)) = funcs.split_last_mut() else {
        return Ok(Resolved::Global);
    };
    if let Some(id) = fs.find_local(name) {
        let info = &mut fs.locals[id.0 as usize];
        if !base {
            info.captured = true;
        }
        return Ok(Resolved::Local(id, info.slot));
    }
    if let Some(idx) = fs.find_upvalue(name) {
        return Ok(Resolved::Upvalue(idx));
    }
    let (source, attrib) = match resolve(outer, name, false)? {
        Resolved::Global => return Ok(Resolved::Global),
        Resolved::Local(id, slot) => {
            let parent = outer.last().expect("local found in a parent");
            (
                UpvalueSource::ParentLocal { slot, local: id },
                parent.locals[id.0 as usize].attrib,
            )
        }
        Resolved::Upvalue(j) => {
            let parent = outer.last().expect("upvalue found in a parent");
            (
                UpvalueSource::ParentUpvalue(j),
                parent.upvalues[j as usize].attrib,
            )
        }
    };
    if fs.upvalues.len() + 1 > MAX_UPVALUES {
        return Err(ScopeError::Limit("upvalues", MAX_UPVALUES, fs.line));
    }
    fs.upvalues.push(UpvalueDesc {
        name: name.into(),
        source,
        attrib,
    });
    Ok(Resolved::Upvalue((fs.upvalues.len() - 1) as u16))
}
