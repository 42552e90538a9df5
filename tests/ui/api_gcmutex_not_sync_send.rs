// A thread-safe cell makes an object Sync only if what it holds may be sent: a GcMutex holding a
// Gc to a !Sync object (a GcCell) is not Sync, so a Root to it cannot move to another thread.
use gcheap::prelude::*;

type Shared = Rootable![GcMutex<'_, Option<Gc<'_, GcCell<'_, u32>>>>];

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let root: Root<Shared> = m.mutate(|mc, _| Root::new(mc, Gc::new(mc, GcMutex::new(None))));
    std::thread::spawn(move || drop(root));
}
