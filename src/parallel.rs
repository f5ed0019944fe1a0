//! Work split into contiguous groups, one scoped thread each, results kept in order: how the
//! rendered documents and `ktera diff`'s inputs are parsed on all cores.

/// Runs `work` on every group, each on a thread of its own (on this thread when none can be
/// started), and concatenates the results in group order; the first error in that order wins.
/// A panic in a group is resumed here.
pub fn map_groups<J, T, E, W>(groups: &[&[J]], work: &W) -> Result<Vec<T>, E>
where
    J: Sync,
    T: Send,
    E: Send,
    W: Fn(&[J]) -> Result<Vec<T>, E> + Sync,
{
    std::thread::scope(|scope| {
        let workers: Vec<_> = groups
            .iter()
            .map(|&group| {
                let spawned = std::thread::Builder::new().spawn_scoped(scope, move || work(group));
                (group, spawned)
            })
            .collect();
        let mut out = Vec::with_capacity(groups.iter().map(|g| g.len()).sum());
        for (group, spawned) in workers {
            let done = match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: work here.
                Err(_) => work(group),
            };
            out.extend(done?);
        }
        Ok(out)
    })
}
