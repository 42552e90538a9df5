//! The mark worker threads (Go's `gcBgMarkWorker`): `gc_workers - 1` threads per heap, started
//! with its first cycle that needs them and asleep between cycles. The collector thread is worker
//! 0 and runs the job itself; each pool thread runs [`MarkJob::run`] with its own index, and the
//! collector waits until all of them have returned (every worker idle at once, see
//! [`crate::mark`]).

use std::sync::Arc;
use std::thread::JoinHandle;

use gcheap_allocator::Allocator;
use parking_lot::{Condvar, Mutex};

use crate::mark::MarkJob;

/// The mark worker threads of one heap, asleep between cycles.
pub(crate) struct WorkerPool {
    state: Mutex<PoolState>,
    wake: Condvar,
    done: Condvar,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct PoolState {
    job: Option<Arc<MarkJob>>,
    generation: u64,
    running: usize,
    shutdown: bool,
}

impl WorkerPool {
    pub(crate) fn new() -> Arc<WorkerPool> {
        Arc::new(WorkerPool {
            state: Mutex::new(PoolState::default()),
            wake: Condvar::new(),
            done: Condvar::new(),
            threads: Mutex::new(Vec::new()),
        })
    }

    /// Marks with `job.n` workers until all are idle at once: this thread is worker 0, pool
    /// threads take the rest.
    pub(crate) fn mark(self: &Arc<Self>, job: &Arc<MarkJob>, allocator: &Allocator) {
        let helpers = job.n - 1;
        if helpers > 0 {
            self.spawn_up_to(helpers, allocator);
            let mut st = self.state.lock();
            st.job = Some(job.clone());
            st.generation += 1;
            st.running = helpers;
            self.wake.notify_all();
        }
        job.run(0, allocator);
        if helpers > 0 {
            let mut st = self.state.lock();
            while st.running > 0 {
                self.done.wait(&mut st);
            }
            st.job = None;
        }
    }

    fn spawn_up_to(self: &Arc<Self>, helpers: usize, allocator: &Allocator) {
        let mut threads = self.threads.lock();
        while threads.len() < helpers {
            let index = threads.len() + 1;
            let pool = self.clone();
            let allocator = allocator.clone();
            let generation = self.state.lock().generation;
            let handle = std::thread::Builder::new()
                .name(format!("gcheap-mark-{index}"))
                .spawn(move || pool.worker_loop(index, generation, allocator))
                .expect("failed to spawn a gcheap mark worker thread");
            threads.push(handle);
        }
    }

    fn worker_loop(&self, index: usize, mut seen: u64, allocator: Allocator) {
        loop {
            let job = {
                let mut st = self.state.lock();
                loop {
                    if st.shutdown {
                        return;
                    }
                    if st.generation != seen {
                        seen = st.generation;
                        if let Some(job) = st.job.clone().filter(|j| index < j.n) {
                            break job;
                        }
                    }
                    self.wake.wait(&mut st);
                }
            };
            job.run(index, &allocator);
            drop(job);
            let mut st = self.state.lock();
            st.running -= 1;
            if st.running == 0 {
                self.done.notify_all();
            }
        }
    }

    /// Stops and joins the pool's threads.
    pub(crate) fn shutdown(&self) {
        self.state.lock().shutdown = true;
        self.wake.notify_all();
        for t in self.threads.lock().drain(..) {
            let _ = t.join();
        }
    }
}
