//! The string formats Kubernetes checks when it decodes an object: `quantity` (resource
//! amounts), `byte` (base64, as in Secret data) and `date-time` (RFC 3339). Other formats in the
//! schemas are documentation only and not checked here.

use base64::Engine;

use crate::error::Error;

/// Why `text` is not a Kubernetes quantity (`500m`, `1Gi`, `1.5`, `2e3`), if it is not.
/// The grammar of k8s.io/apimachinery's resource.Quantity: a signed decimal number, then one
/// binary-SI suffix (Ki..Ei), one decimal-SI suffix (n, u, m, k, M..E) or an exponent.
pub fn check_quantity(text: &str) -> Result<(), Error> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits == 0 || number.matches('.').count() > 1 {
        return Err(Error::input(
            "a quantity starts with a number (e.g. 500m, 1Gi, 0.5)",
        ));
    }
    let valid_suffix = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || is_exponent(suffix);
    if valid_suffix {
        Ok(())
    } else {
        Err(Error::input(format!(
            "unknown suffix {suffix:?}; use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent (e3)"
        )))
    }
}

fn is_exponent(suffix: &str) -> bool {
    let Some(rest) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())
}

/// Base64 as Go's encoding/json decodes `[]byte`: standard alphabet, padded; line breaks allowed.
pub fn check_base64(text: &str) -> Result<(), Error> {
    let compact: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map(|_| ())
        .map_err(|e| Error::input(format!("not valid base64 ({e})")))
}

/// RFC 3339 as Kubernetes writes times: `2024-01-31T12:00:00Z`, fractions and offsets allowed.
pub fn check_date_time(text: &str) -> Result<(), Error> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        rest = if n > 0 { &fraction[n..] } else { b"!" };
    }
    let zone = matches!(rest, b"Z" | b"z")
        || (rest.len() == 6
            && matches!(rest[0], b'+' | b'-')
            && rest[1..3].iter().all(u8::is_ascii_digit)
            && rest[3] == b':'
            && rest[4..6].iter().all(u8::is_ascii_digit));
    if shape && zone {
        Ok(())
    } else {
        Err(Error::input(
            "expected an RFC 3339 time such as 2024-01-31T12:00:00Z",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "500m", "1Gi", "0.5", "1", "+1.5", "-2", "2e3", "1E-3", ".5", "5.", "100Mi",
        ] {
            assert!(check_quantity(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Gi", "1GB", "1 Gi", "1.2.3", "one", "1mi", "1e", "1KiB"] {
            assert!(check_quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64() {
        assert!(check_base64("aGVsbG8=").is_ok());
        assert!(check_base64("aGVs\nbG8=").is_ok());
        assert!(check_base64("").is_ok());
        assert!(check_base64("hello world").is_err());
        assert!(check_base64("aGVsbG8").is_err());
    }

    #[test]
    fn date_times() {
        for ok in [
            "2024-01-31T12:00:00Z",
            "2024-01-31T12:00:00.123+09:00",
            "2024-01-31t12:00:00z",
        ] {
            assert!(check_date_time(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2024-01-31",
            "2024-01-31 12:00:00Z",
            "2024-01-31T12:00:00",
            "2024-01-31T12:00:00.Z",
        ] {
            assert!(check_date_time(bad).is_err(), "{bad}");
        }
    }
}
