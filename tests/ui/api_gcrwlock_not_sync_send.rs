// A GcRwLock shares its contents between readers, so it is Sync only if they are Send + Sync: one
// holding a Gc to a !Sync object (a GcCell) is not, so a Root to it cannot move to another thread.
use gcheap::prelude::*;

type Shared = Rootable![GcRwLock<'_, Option<Gc<'_, GcCell<'_, u32>>>>];

fn main() {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    let root: Root<Shared> = m.mutate(|mc, _| Root::new(mc, Gc::new(mc, GcRwLock::new(None))));
    std::thread::spawn(move || drop(root));
}
