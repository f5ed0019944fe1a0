//! The wall-clock cap on one template's render (its `tpl` strings included): nested loops whose
//! bodies build nothing (`{% for a in l %}{% for b in l %}{% for c in l %}{% if a %}...`) do
//! billions of steps without allocating, out of reach of the work budget (`memory.rs`), and
//! Tera has no hook between steps. A watchdog thread stops such a render with an error naming
//! the template, as the memory cap does.

use std::io::Write;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Seconds one template may render unless `KTERA_MAX_RENDER_SECONDS` says otherwise: real
/// templates render in milliseconds (docs/performance.md), a runaway loop is stopped in seconds.
pub const DEFAULT_MAX_RENDER_SECONDS: u64 = 10;

/// The environment variable that sets another cap, in whole seconds (`0`: no cap).
pub const MAX_RENDER_SECONDS_VAR: &str = "KTERA_MAX_RENDER_SECONDS";

static LIMIT_SECONDS: AtomicU64 = AtomicU64::new(0);
static EXIT_CODE: AtomicI32 = AtomicI32::new(1);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
static WATCHED: Mutex<Vec<(u64, Instant, String)>> = Mutex::new(Vec::new());
static WATCHDOG: Once = Once::new();

/// Turns the cap on, from `KTERA_MAX_RENDER_SECONDS` or [`DEFAULT_MAX_RENDER_SECONDS`];
/// `exit_code` is the command's code for an input error.
pub fn enable(exit_code: i32) -> Result<(), Error> {
    let seconds = match std::env::var(MAX_RENDER_SECONDS_VAR) {
        Ok(text) => text.trim().parse::<u64>().map_err(|_| {
            Error::usage(format!(
                "{MAX_RENDER_SECONDS_VAR}={text:?} is not a number of seconds; write one, as in 60 (0 turns the cap off)"
            ))
        })?,
        Err(_) => DEFAULT_MAX_RENDER_SECONDS,
    };
    EXIT_CODE.store(exit_code, Ordering::Relaxed);
    LIMIT_SECONDS.store(seconds, Ordering::Relaxed);
    Ok(())
}

/// Watches the render of `path` until the guard is dropped.
pub struct Watch(Option<u64>);

pub fn watch(path: &str) -> Watch {
    if LIMIT_SECONDS.load(Ordering::Relaxed) == 0 {
        return Watch(None);
    }
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut watched) = WATCHED.lock() {
        watched.push((id, Instant::now(), path.to_string()));
    }
    WATCHDOG.call_once(|| {
        // Without a watchdog (no thread can start) renders run uncapped, as before.
        let _ = std::thread::Builder::new()
            .name("ktera-deadline".into())
            .spawn(watchdog);
    });
    Watch(Some(id))
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let (Some(id), Ok(mut watched)) = (self.0, WATCHED.lock()) {
            watched.retain(|(other, _, _)| *other != id);
        }
    }
}

fn watchdog() {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let limit = Duration::from_secs(LIMIT_SECONDS.load(Ordering::Relaxed));
        let late = WATCHED.lock().ok().and_then(|watched| {
            watched
                .iter()
                .find(|(_, started, _)| started.elapsed() > limit)
                .map(|(_, _, path)| path.clone())
        });
        if let Some(path) = late {
            let _ = write!(
                std::io::stderr(),
                "error: {path}: rendering this template takes more than {} s; a loop probably runs away (loops nested over values, a `range` in a loop)\n  hint: check its loops; if the render is really this long, raise the cap, as in {MAX_RENDER_SECONDS_VAR}=120\n",
                limit.as_secs()
            );
            std::process::exit(EXIT_CODE.load(Ordering::Relaxed));
        }
    }
}
