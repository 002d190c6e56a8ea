//! Slurm time text in, integer seconds out: naive timestamps (`2022-02-18T17:32:41`), durations
//! (`[DD-][HH:]MM:SS[.mmm]`), and a timestamp back to its calendar month (`YYYY-MM`) or ISO text.
//!
//! sacct prints Submit/Start/End in the local wall-clock time of the machine that ran it, without a
//! zone (sacct(1): "The output is of the format YYYY-MM-DDTHH:MM:SS, unless changed through the
//! SLURM_TIME_FORMAT environment variable"). rocklift treats these as *naive* times: seconds are
//! counted on a proleptic Gregorian calendar as if the wall clock were UTC. Differences (waits,
//! runtimes) are exact except across a daylight-saving change, where a wait computed from two
//! timestamps is off by the shift (an hour); Elapsed, which Slurm measures itself, is unaffected.

/// Seconds since 1970-01-01T00:00:00 (naive) of `YYYY-MM-DDTHH:MM:SS` (a space instead of `T` is
/// accepted, as is a trailing fraction `.123`, which is dropped). `None` when the text is not such a
/// timestamp or names an impossible date.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b.len() > 19 && (b[19] != b'.' || !b[20..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(from..from + len)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// `true` for the words sacct prints for a time that did not happen (yet): `Unknown`, `None`, and
/// an empty field.
pub fn is_unset_time(s: &str) -> bool {
    s.is_empty() || s.eq_ignore_ascii_case("unknown") || s.eq_ignore_ascii_case("none")
}

/// Whole seconds of a Slurm duration `[DD-][HH:]MM:SS[.fraction]` (the fraction, printed only for
/// CPU-time fields, is dropped). `None` when malformed.
pub fn parse_duration(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (days, rest) = match b.iter().position(|&c| c == b'-') {
        Some(dash) => (digits(b.get(..dash)?)?, b.get(dash + 1..)?),
        None => (0, b),
    };
    // Up to three numbers separated by ':', then an optional '.fraction'.
    let mut parts = [0i64; 3];
    let mut n = 0usize;
    let mut value = 0i64;
    let mut len = 0usize;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                len += 1;
                if len > 12 {
                    return None;
                }
                value = value * 10 + i64::from(c - b'0');
            }
            b':' if len > 0 && n < 2 => {
                parts[n] = value;
                n += 1;
                value = 0;
                len = 0;
            }
            b'.' => {
                let frac = rest.get(i + 1..)?;
                if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                break;
            }
            _ => return None,
        }
    }
    if len == 0 {
        return None;
    }
    parts[n] = value;
    let (h, m, sec) = match n {
        1 => (0, parts[0], parts[1]),
        2 => (parts[0], parts[1], parts[2]),
        _ => return None,
    };
    if sec >= 60 || (b.len() != rest.len() && (m >= 60 || h >= 24)) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// `YYYY-MM` of a naive timestamp.
pub fn month_key(t: i64) -> String {
    let (y, m, _) = civil_from_days(t.div_euclid(86_400));
    format!("{y:04}-{m:02}")
}

/// `YYYY-MM-DDTHH:MM:SS` of a naive timestamp (the inverse of [`parse_timestamp`]).
pub fn format_timestamp(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    s.iter().try_fold(0i64, |v, &c| c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0')))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
/// Date Algorithms", `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_reject_impossible_dates() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00"), Some(0));
        assert_eq!(parse_timestamp("2022-02-18T17:32:41"), Some(1_645_205_561));
        assert_eq!(parse_timestamp("2022-02-18 17:32:41"), Some(1_645_205_561));
        assert_eq!(parse_timestamp("2024-02-29T00:00:00.250"), Some(1_709_164_800));
        assert_eq!(format_timestamp(1_645_205_561), "2022-02-18T17:32:41");
        assert_eq!(month_key(1_645_205_561), "2022-02");
        for bad in ["2023-02-29T00:00:00", "2022-13-01T00:00:00", "2022-02-18T24:00:00", "2022-02-18", "Unknown"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_in_every_sacct_form() {
        assert_eq!(parse_duration("00:05:16"), Some(316));
        assert_eq!(parse_duration("1-02:03:04"), Some(93_784));
        assert_eq!(parse_duration("03:44.623"), Some(224));
        assert_eq!(parse_duration("05:01"), Some(301));
        assert_eq!(parse_duration("07:27:44"), Some(26_864));
        assert_eq!(parse_duration("100:00:00"), Some(360_000));
        for bad in ["", "5", "00:61", "1-25:00:00", "a:b:c", "00:05:16.", "1:2:3:4"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
