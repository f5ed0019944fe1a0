//! Whether output gets ANSI colours: the one place that decides, for ktera's reports and for
//! clap's help and usage errors. `--color always|never` wins; `auto` (the default) follows the
//! conventions terminals and CI systems set, in this order:
//!
//! 1. `NO_COLOR` non-empty: no colour (<https://no-color.org>);
//! 2. `CLICOLOR_FORCE` non-empty and not `0`, or `FORCE_COLOR` non-empty: colour, even into a
//!    pipe (<https://bixense.com/clicolors/>, <https://force-color.org>);
//! 3. `CLICOLOR=0` or `TERM=dumb`: no colour;
//! 4. otherwise colour when standard output is a terminal.
//!
//! Hand-written because anstyle-query (clap's) reads neither `FORCE_COLOR` nor anything but
//! the process environment; [`decide`] takes the environment as a function so it is tested
//! without changing the test process's own.

use std::ffi::OsString;
use std::io::IsTerminal;

use crate::cli::{ColorChoice, OutputFormat};

/// Colour for a report in `format` written to standard output (JSON is never coloured).
pub fn enabled(choice: ColorChoice, format: OutputFormat) -> bool {
    format == OutputFormat::Text
        && decide(choice, std::io::stdout().is_terminal(), |name| {
            std::env::var_os(name)
        })
}

/// What clap should do with its help and errors: `auto` leaves the terminal test to clap (help
/// goes to standard output, errors to standard error), the environment's verdict stands.
pub fn for_clap(choice: ColorChoice) -> clap::ColorChoice {
    let env = |name: &str| std::env::var_os(name);
    match choice {
        ColorChoice::Always => clap::ColorChoice::Always,
        ColorChoice::Never => clap::ColorChoice::Never,
        ColorChoice::Auto if !decide(choice, true, env) => clap::ColorChoice::Never,
        ColorChoice::Auto if decide(choice, false, env) => clap::ColorChoice::Always,
        ColorChoice::Auto => clap::ColorChoice::Auto,
    }
}

/// The rules of the module header; `on_terminal` says whether the output is a terminal.
pub fn decide(
    choice: ColorChoice,
    on_terminal: bool,
    env: impl Fn(&str) -> Option<OsString>,
) -> bool {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if set("NO_COLOR").is_some() {
                false
            } else if set("CLICOLOR_FORCE").is_some_and(|v| v != "0")
                || set("FORCE_COLOR").is_some()
            {
                true
            } else if set("CLICOLOR").is_some_and(|v| v == "0")
                || set("TERM").is_some_and(|v| v == "dumb")
            {
                false
            } else {
                on_terminal
            }
        }
    }
}

/// The value of `--color` in `args` (the last one wins, as clap's), read before clap parses
/// the command line, so clap's own help and errors follow it; `auto` when absent or invalid
/// (clap then reports an invalid one).
pub fn choice_in_args(args: &[OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut words = args.iter().map(|arg| arg.to_str().unwrap_or(""));
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--color") {
            Some("") => words.next().unwrap_or(""),
            Some(rest) => match rest.strip_prefix('=') {
                Some(value) => value,
                None => continue,
            },
            None => continue,
        };
        choice = match value {
            "always" => ColorChoice::Always,
            "never" => ColorChoice::Never,
            _ => ColorChoice::Auto,
        };
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn flags_win_over_the_environment() {
        assert!(decide(
            ColorChoice::Always,
            false,
            env(&[("NO_COLOR", "1")])
        ));
        assert!(!decide(
            ColorChoice::Never,
            true,
            env(&[("FORCE_COLOR", "1")])
        ));
    }

    #[test]
    fn auto_follows_the_conventions_in_order() {
        let auto = |terminal, pairs| decide(ColorChoice::Auto, terminal, env(pairs));
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        // An empty value is not set.
        assert!(auto(true, &[("NO_COLOR", "")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(auto(false, &[("FORCE_COLOR", "1")]));
        assert!(!auto(false, &[("FORCE_COLOR", "")]));
        // NO_COLOR is the user's own wish; a forcing variable is often set by a CI system.
        assert!(!auto(false, &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]));
        assert!(!auto(true, &[("TERM", "dumb")]));
        assert!(!auto(true, &[("CLICOLOR", "0")]));
        assert!(auto(true, &[("CLICOLOR", "1"), ("TERM", "xterm-256color")]));
        assert!(auto(false, &[("TERM", "dumb"), ("FORCE_COLOR", "1")]));
    }

    #[test]
    fn the_flag_is_found_before_clap_parses() {
        let args = |words: &[&str]| -> Vec<OsString> { words.iter().map(OsString::from).collect() };
        assert_eq!(
            choice_in_args(&args(&["ktera", "--help"])),
            ColorChoice::Auto
        );
        assert_eq!(
            choice_in_args(&args(&["ktera", "--color", "never", "--help"])),
            ColorChoice::Never
        );
        assert_eq!(
            choice_in_args(&args(&["ktera", "diff", "--color=always", "a"])),
            ColorChoice::Always
        );
        assert_eq!(
            choice_in_args(&args(&["ktera", "--color=never", "--color=always"])),
            ColorChoice::Always
        );
        assert_eq!(
            choice_in_args(&args(&["ktera", "set", "--", "--color=never"])),
            ColorChoice::Auto
        );
        assert_eq!(
            choice_in_args(&args(&["ktera", "--colorful"])),
            ColorChoice::Auto
        );
    }
}
