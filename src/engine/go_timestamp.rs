//! Which strings go-yaml v2 (as Helm's `toYaml` uses it, through sigs.k8s.io/yaml) resolves
//! as timestamps, so that they are quoted: its `parseTimestamp` wants four digits and `-`
//! first, then Go's `time.Parse` must read the whole text with one of the layouts
//! `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2t15:4:5.999999999Z07:00`,
//! `2006-1-2 15:4:5.999999999` or `2006-1-2`.

/// Reads Go's `time.Parse` pieces from the front of the text.
struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.i += 1;
        }
        found
    }

    fn digit(&self, at: usize) -> Option<u32> {
        self.b
            .get(at)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    }

    /// Go's `getnum(value, false)`: one digit, or two when two follow.
    fn number(&mut self) -> Option<u32> {
        let first = self.digit(self.i)?;
        match self.digit(self.i + 1) {
            Some(second) => {
                self.i += 2;
                Some(first * 10 + second)
            }
            None => {
                self.i += 1;
                Some(first)
            }
        }
    }

    /// Go's `getnum(value, true)`: exactly two digits.
    fn two_digits(&mut self) -> Option<u32> {
        let n = self.digit(self.i)? * 10 + self.digit(self.i + 1)?;
        self.i += 2;
        Some(n)
    }

    /// `15:4:5.999999999`: hour below 24, minute and second below 60, then any number of
    /// fraction digits after `.` or `,` (a separator without a digit is left unread).
    fn clock(&mut self) -> bool {
        let in_range = |n: Option<u32>, limit: u32| n.is_some_and(|n| n < limit);
        if !in_range(self.number(), 24) || !self.eat(b':') {
            return false;
        }
        if !in_range(self.number(), 60) || !self.eat(b':') {
            return false;
        }
        if !in_range(self.number(), 60) {
            return false;
        }
        if matches!(self.peek(), Some(b'.' | b',')) && self.digit(self.i + 1).is_some() {
            self.i += 1;
            while self.digit(self.i).is_some() {
                self.i += 1;
            }
        }
        true
    }

    /// `Z07:00`: `Z`, or a sign, two digits of hours (at most 24), `:` and two digits of
    /// minutes (at most 60).
    fn zone(&mut self) -> bool {
        if self.eat(b'Z') {
            return true;
        }
        if !matches!(self.peek(), Some(b'+' | b'-')) || self.b.get(self.i + 3) != Some(&b':') {
            return false;
        }
        self.i += 1;
        let Some(hours) = self.two_digits() else {
            return false;
        };
        self.i += 1;
        let Some(minutes) = self.two_digits() else {
            return false;
        };
        hours <= 24 && minutes <= 60
    }

    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether go-yaml v2 reads the plain scalar `s` as a timestamp.
pub(super) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year = b[..4]
        .iter()
        .fold(0, |year, c| year * 10 + u32::from(c - b'0'));
    let mut r = Reader { b, i: 5 };
    let Some(month) = r.number().filter(|m| (1..=12).contains(m)) else {
        return false;
    };
    if !r.eat(b'-') {
        return false;
    }
    let Some(day) = r.number() else {
        return false;
    };
    let rest_fits = match r.peek() {
        None => true,
        Some(b'T' | b't') => {
            r.i += 1;
            r.clock() && r.zone() && r.at_end()
        }
        // Go's layout space matches one space or more.
        Some(b' ') => {
            while r.eat(b' ') {}
            r.clock() && r.at_end()
        }
        Some(_) => false,
    };
    // Go checks the day against the month once the whole text is read.
    rest_fits && (1..=days_in(month, year)).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::is_timestamp;

    #[test]
    fn layouts_of_go_yaml_v2() {
        for yes in [
            "2006-01-02",
            "2006-1-2",
            "2024-02-29",
            "2006-01-02T15:04:05Z",
            "2006-01-02t15:04:05Z",
            "2006-1-2T1:2:3Z",
            "2006-01-02T15:04:05+07:00",
            "2006-01-02T15:04:05-24:60",
            "2006-01-02T15:04:05.123456789123Z",
            "2006-01-02T15:04:05,5Z",
            "2006-01-02 15:04:05",
            "2006-01-02   15:04:05.5",
        ] {
            assert!(is_timestamp(yes), "{yes} is a timestamp");
        }
        for no in [
            "2006-01-02T15:04:05Z07:00",
            "2006-01-02T15:04:05",
            "2006-01-02T15:04:05-0700",
            "2006-01-02T15:04:05+7:00",
            "2006-01-02T15:04:05+25:00",
            "2006-01-02T15:04:05.Z",
            "2006-01-02 15:04:05Z",
            "2006-01-02 15:04:05 +07:00",
            "2006-01-02T24:00:00Z",
            "2006-02-30",
            "2023-02-29",
            "2006-13-01",
            "2006-01-00",
            "2006-01-02 ",
            "2006-001-02",
            "206-01-02",
            "2006-",
        ] {
            assert!(!is_timestamp(no), "{no} is not a timestamp");
        }
    }
}
