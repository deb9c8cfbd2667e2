//! Threads for long background work — matching a list or the registry, an
//! import's rows — apart from rayon's global pool, which serves the
//! requests' parallel work (the statistics scan of a pivot or of the public
//! page). Both once shared the global pool: a rayon call from a request
//! queued behind a minutes-long matching job, and the public page waited
//! 10–35 s while an import was matched (found by Schemathesis in CI).

use std::sync::OnceLock;

/// The background pool (one thread a core), or `None` when the system
/// refused its threads (work then runs on the caller's thread).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(2, usize::from))
            .thread_name(|i| format!("kb-background-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` with its rayon work (`par_iter`, `rayon::join`) on the
/// background pool.
pub fn install<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// `tokio::task::spawn_blocking` for background work: a blocking thread
/// whose rayon work runs on the background pool.
pub fn spawn<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(move || install(f))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use rayon::prelude::*;

    #[test]
    fn a_busy_background_pool_leaves_the_global_pool_free() {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        let (release, wait) = mpsc::channel::<()>();
        let wait = std::sync::Mutex::new(wait);
        let (started, running) = mpsc::channel::<()>();
        // Every background thread held by a job, as by a long matching.
        let holder = std::thread::spawn(move || {
            super::install(|| {
                (0..threads).into_par_iter().for_each_with(started, |s, _| {
                    let _ = s.send(());
                    let _ = wait.lock().map(|w| w.recv_timeout(Duration::from_secs(20)));
                });
            });
        });
        running
            .recv_timeout(Duration::from_secs(10))
            .expect("background job started");
        // A request's parallel work still runs at once on the global pool.
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let sum: u64 = (0..10_000u64).into_par_iter().sum();
            let _ = done.send(sum);
        });
        let sum = finished.recv_timeout(Duration::from_secs(5));
        for _ in 0..threads {
            let _ = release.send(());
        }
        holder.join().expect("holder thread");
        assert_eq!(
            sum,
            Ok(49_995_000),
            "the global pool answered while the background pool was busy"
        );
    }
}
