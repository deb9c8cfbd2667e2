//! Reads that concurrent requests share.
//!
//! Some reads only need to be fresh as of the moment a request arrived: the
//! access-change counter, the rows changed since the in-memory indexes last
//! looked. Under load many requests ask at once; one read that *started*
//! after a request arrived has seen everything committed before it, so that
//! request can use its result instead of reading again. Requests wait for
//! the read in flight, then reuse it or start the next one.

use std::time::Instant;

/// The last completed read and when it started.
#[derive(Debug, Default)]
pub struct Coalesced<T> {
    last: tokio::sync::Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Coalesced<T> {
    /// A value at least as fresh as this call: the result of a read that
    /// started after the call arrived, or of a new one.
    pub async fn get<F, Fut, E>(&self, read: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((started, v)) = last.as_ref()
            && *started > arrived
        {
            return Ok(v.clone());
        }
        let started = Instant::now();
        let v = read().await?;
        *last = Some((started, v.clone()));
        Ok(v)
    }
}

/// Start time of the last completed pass of a process that brings an
/// in-memory copy up to date (see [`Coalesced`]; the pass itself is
/// serialised by its owner).
#[derive(Debug, Default)]
pub struct LastPass(std::sync::Mutex<Option<Instant>>);

impl LastPass {
    /// True when a pass that started after `arrived` has completed.
    pub fn covers(&self, arrived: Instant) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|g| *g)
            .is_some_and(|started| started > arrived)
    }

    /// Records a completed pass that started at `started`.
    pub fn done(&self, started: Instant) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(started);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_reads_and_never_get_an_older_one() {
        let c = Arc::new(Coalesced::<usize>::default());
        let reads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (c, reads) = (c.clone(), reads.clone());
            tasks.push(tokio::spawn(async move {
                // The value a read returns is the number of reads begun
                // before it: a caller must see one begun after it arrived.
                let before = reads.load(Ordering::SeqCst);
                let v = c
                    .get(|| async {
                        let n = reads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                        Ok::<_, ()>(n)
                    })
                    .await
                    .unwrap();
                assert!(v >= before, "value {v} older than the call ({before})");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let n = reads.load(Ordering::SeqCst);
        assert!(n < 64, "{n} reads for 64 callers");
        assert!(n >= 1);
    }
}
