//! Functions on the heap: prototypes (compiled code), Lua closures and native functions.
//!
//! A [`Proto`] is what the compiler makes of one function of the source: its bytecode, a line
//! per instruction, its constants (numbers and strings, already on the heap), the prototypes of
//! the functions it contains, and how its closures capture their upvalues. A closure pairs a
//! prototype with its upvalue cells ([`UpCell`]): each captured variable is one cell that every
//! closure capturing it shares, so assignments through any of them are seen by all.

use gcheap::{Gc, GcCell, ObjectType, Trace};

use crate::opcode::Op;
use crate::value::Value;
use crate::vm::Thread;

/// A captured variable: one heap cell shared by the frame that declared it and every closure
/// that captured it.
pub type UpCell<'gc> = GcCell<'gc, Value<'gc>>;

/// Where a closure finds an upvalue when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The chunk's `_ENV` (the globals), given by whoever loads the chunk.
    Env,
    /// The cell of the enclosing function's local in this slot.
    Local(u16),
    /// The enclosing closure's upvalue with this index.
    Upvalue(u16),
}

/// A compiled function.
#[derive(Trace)]
pub struct Proto<'gc> {
    /// The instructions.
    #[trace(static)]
    pub code: Vec<Op>,
    /// The source line of each instruction.
    #[trace(static)]
    pub lines: Vec<u32>,
    /// Numbers and strings the code loads.
    pub constants: Vec<Value<'gc>>,
    /// The functions defined inside this one, by `Op::Closure` index.
    pub protos: Vec<Gc<'gc, Proto<'gc>>>,
    /// How each upvalue is captured when a closure is made.
    #[trace(static)]
    pub captures: Vec<Capture>,
    /// Fixed parameters.
    pub num_params: u16,
    /// Whether the function takes `...`.
    pub is_vararg: bool,
    /// Registers the frame needs.
    pub max_stack: u16,
    /// The chunk's name as error messages show it (`script.lua`, `stdin`).
    #[trace(static)]
    pub chunk: std::sync::Arc<str>,
    /// The line where the function was defined (0 for a main chunk).
    pub line: u32,
    /// What each operand of an instruction is in the source, for error messages: (pc, operand,
    /// `local 't'`), sorted by pc.
    #[trace(static)]
    pub names: Vec<(u32, u8, Box<str>)>,
}

impl Proto<'_> {
    /// The source description of operand `operand` of the instruction at `pc`.
    pub fn name_of(&self, pc: usize, operand: u8) -> Option<&str> {
        let from = self.names.partition_point(|(p, _, _)| (*p as usize) < pc);
        self.names[from..]
            .iter()
            .take_while(|(p, _, _)| *p as usize == pc)
            .find(|(_, o, _)| *o == operand)
            .map(|(_, _, n)| &**n)
    }
}

/// A Lua function value.
#[derive(Trace)]
pub enum Function<'gc> {
    /// A closure of compiled Lua code.
    Lua(LuaClosure<'gc>),
    /// A function of the standard library.
    Native(#[trace(static)] Native),
    /// What `coroutine.wrap` returns: calling it resumes the coroutine.
    Wrap(Gc<'gc, Thread<'gc>>),
    /// A native function with state of its own (a C closure with upvalues, in PUC Lua's
    /// terms): any heap object implementing [`HostFunction`], held as a trait object.
    Host(Gc<'gc, dyn HostFunction<'gc>>),
}

/// A native function that carries state: implement it for a heap type and store it as
/// `Function::Host(Gc::unsize::<dyn HostFunction>(gc, |f| f))`. The collector traces and drops
/// the object as its concrete type.
pub trait HostFunction<'gc>: ObjectType {
    /// The name error messages use (`random`, or qualified: `math.random`).
    fn name(&self) -> &'static str;
    /// Calls the function with `args`, returning its results.
    fn call(
        &self,
        vm: &mut crate::vm::Vm<'_, 'gc>,
        args: Vec<Value<'gc>>,
    ) -> Result<Vec<Value<'gc>>, crate::vm::LuaError<'gc>>;
}

/// A closure of compiled Lua code.
#[derive(Trace)]
pub struct LuaClosure<'gc> {
    /// Its code.
    pub proto: Gc<'gc, Proto<'gc>>,
    /// Its captured variables, as the prototype's `captures` list them.
    pub upvalues: Box<[Gc<'gc, UpCell<'gc>>]>,
}

/// A native function: its name (for error messages) and its code.
#[derive(Clone, Copy)]
pub struct Native {
    /// The name error messages use (`print`, `insert`).
    pub name: &'static str,
    /// The code.
    pub call: crate::vm::NativeFn,
    /// Whether a call from Lua code runs in the interpreter loop instead of `call`.
    pub special: Special,
}

/// Natives that a call from Lua code runs as a change of the loop's frames or threads, so that
/// a coroutine may yield across them (their `call` serves calls from other natives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// An ordinary native.
    No,
    /// `pcall`: the callee's frame is marked protected.
    PCall,
    /// `xpcall`: protected, with a message handler.
    XPCall,
    /// `coroutine.resume`: the loop switches to the coroutine.
    Resume,
    /// `coroutine.yield`: the loop switches back to the resumer.
    Yield,
}

impl std::fmt::Debug for Proto<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proto")
            .field("chunk", &self.chunk)
            .field("line", &self.line)
            .field("instructions", &self.code.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Function<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Function::Lua(c) => f.debug_tuple("Lua").field(c).finish(),
            Function::Native(n) => f.debug_tuple("Native").field(n).finish(),
            Function::Wrap(t) => f.debug_tuple("Wrap").field(&Gc::as_ptr(*t)).finish(),
            Function::Host(h) => f.debug_tuple("Host").field(&h.name()).finish(),
        }
    }
}

impl std::fmt::Debug for LuaClosure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LuaClosure")
            .field("proto", &*self.proto)
            .field("upvalues", &self.upvalues.len())
            .finish()
    }
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native")
            .field("name", &self.name)
            .field("special", &self.special)
            .finish_non_exhaustive()
    }
}
