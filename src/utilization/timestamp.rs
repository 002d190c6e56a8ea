//! Timestamp cell text in, Unix seconds (UTC) out: ISO 8601 / RFC 3339 with or without an offset, `YYYY-MM-DD
//! HH:MM:SS`, `YYYY/MM/DD, HH:MM:SS`, Unix epoch seconds or milliseconds, and Excel serial dates.
//!
//! Rules (hand-written, no allocation, so 10 million rows parse quickly):
//! - `2024-12-01T10:00:00Z`, `2024-12-01T10:00:00+02:00` (also `+0200`, `+02`), `2024-12-01 10:00:00`,
//!   `2024-12-01T10:00`, `2024-12-01` (midnight). Without an offset the time is taken as **UTC**.
//!   Fractions of a second are dropped (rounded down).
//! - `2024/12/01, 10:00:00` and `2024/12/01 10:00:00`: the format Google's StratoZone AWS collector writes into
//!   perfInfo.csv (`strftime('%Y/%m/%d, %H:%M:%S')`, GoogleCloudPlatform/aws-discovery-export,
//!   stratozone-aws-export.py). Year first, so never ambiguous.
//! - A plain number: below 1,000,000 it is an **Excel serial date** (days since 1899-12-30, the fraction is the
//!   time of day, rounded to the nearest second; 45627.5 = 2024-12-01 12:00:00), accepted from 25569
//!   (1970-01-01) to 2958465 (9999-12-31); from 100,000,000 to below 100,000,000,000 it is **Unix seconds**; from
//!   100,000,000,000 to below 100,000,000,000,000 it is **Unix milliseconds**. Anything between is refused as
//!   ambiguous.
//! - Day-first or month-first dates (`01/12/2024`) are refused: they cannot be told apart.

/// Seconds from 1899-12-30T00:00:00Z (Excel's day 0) to the Unix epoch.
const EXCEL_EPOCH_UNIX: i64 = -2_209_161_600;
const EXCEL_MIN_SERIAL: u64 = 25_569;
const EXCEL_MAX_SERIAL: u64 = 2_958_465;
const DAY: i64 = 86_400;

/// What a timestamp cell may hold, for messages.
pub(crate) const EXPECTED: &str = "ISO 8601 such as 2024-12-01T10:00:00Z, 'YYYY-MM-DD HH:MM:SS' (UTC), \
     Unix seconds or an Excel serial date such as 45627.5";

/// Unix seconds of a timestamp cell (already trimmed, not empty).
pub(crate) fn parse(s: &str) -> Result<i64, String> {
    let b = s.as_bytes();
    let parsed = if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        number(s)
    } else if b.len() >= 10 && matches!(b[4], b'-' | b'/') {
        date_time(b)
    } else {
        None
    };
    parsed.ok_or_else(|| not_a_timestamp(s))
}

fn not_a_timestamp(s: &str) -> String {
    let b = s.as_bytes();
    let slashed = b.len() >= 8 && b.iter().take(6).any(|c| *c == b'/') && b.get(4) != Some(&b'/');
    if slashed {
        format!("'{s}' is a day-first or month-first date, which cannot be told apart; expected {EXPECTED}")
    } else if s.bytes().all(|c| c.is_ascii_digit() || c == b'.') && !s.is_empty() {
        format!(
            "'{s}' is neither an Excel serial date (25569 to 2958465) nor Unix seconds (from 100000000); expected {EXPECTED}"
        )
    } else {
        format!("'{s}' is not a timestamp; expected {EXPECTED}")
    }
}

/// A plain number: Excel serial date, Unix seconds or Unix milliseconds.
fn number(s: &str) -> Option<i64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || int.len() > 15 || frac.contains('.') {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    if whole < 1_000_000 {
        if !(EXCEL_MIN_SERIAL..=EXCEL_MAX_SERIAL).contains(&whole) {
            return None;
        }
        // Time of day: round(fraction × 86400) using integers (at most 30 fraction digits are read).
        let digits = &frac.as_bytes()[..frac.len().min(30)];
        let mut num: u128 = 0;
        let mut den: u128 = 1;
        for d in digits {
            num = num * 10 + u128::from(d - b'0');
            den *= 10;
        }
        let secs = (num * 86_400 + den / 2) / den;
        let days = i64::try_from(whole).ok()?;
        Some(EXCEL_EPOCH_UNIX + days * DAY + i64::try_from(secs).ok()?)
    } else if whole < 100_000_000 {
        None
    } else if whole < 100_000_000_000 {
        i64::try_from(whole).ok()
    } else if whole < 100_000_000_000_000 {
        i64::try_from(whole / 1000).ok()
    } else {
        None
    }
}

/// Digits at `b[at..at+n]` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    let mut v = 0i64;
    for c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD[(T| |, |,)HH:MM[:SS[.fff]]][Z| UTC|±HH[:MM]]` (also `/` between the date parts).
fn date_time(b: &[u8]) -> Option<i64> {
    let sep = b[4];
    if b.get(7) != Some(&sep) {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = days_from_civil(year, month, day) * DAY;
    let mut rest = &b[10..];
    if rest.is_empty() {
        return Some(date);
    }
    rest = match rest {
        [b'T' | b't' | b' ', tail @ ..] => tail,
        [b',', b' ', tail @ ..] => tail,
        [b',', tail @ ..] => tail,
        _ => return None,
    };
    let hour = digits(rest, 0, 2)?;
    if rest.get(2) != Some(&b':') {
        return None;
    }
    let minute = digits(rest, 3, 2)?;
    rest = &rest[5..];
    let mut second = 0;
    if let [b':', tail @ ..] = rest {
        second = digits(tail, 0, 2)?;
        rest = &tail[2..];
        if let [b'.' | b',', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            rest = &tail[n..];
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let local = date + hour * 3600 + minute * 60 + second;
    Some(local - offset(rest)?)
}

/// Offset east of UTC in seconds, from what follows the time (`""` is UTC).
fn offset(rest: &[u8]) -> Option<i64> {
    match rest {
        [] | [b'Z' | b'z'] | b" UTC" | b" Z" | b"UTC" => Some(0),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let hours = digits(tail, 0, 2)?;
            let minutes = match &tail[2..] {
                [] => 0,
                [b':', m @ ..] if m.len() == 2 => digits(m, 0, 2)?,
                m if m.len() == 2 => digits(m, 0, 2)?,
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        // 2024-12-01T00:00:00Z = 1733011200 (date -u -d 2024-12-01 +%s).
        assert_eq!(parse("2024-12-01"), Ok(1_733_011_200));
        assert_eq!(parse("2024-12-01T10:00:00Z"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T10:00:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01 10:00:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T10:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T10:00:00.999Z"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T12:00:00+02:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T12:00:00+0200"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-12-01T05:00:00-05"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024/12/01, 10:00:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024/12/01 10:00:00"), Ok(1_733_011_200 + 36_000));
        assert_eq!(parse("2024-02-29T00:00:00Z"), Ok(1_709_164_800));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse("45627.5"), Ok(1_733_011_200 + 43_200));
        assert_eq!(parse("45627"), Ok(1_733_011_200));
        assert_eq!(parse("1733011200"), Ok(1_733_011_200));
        assert_eq!(parse("1733011200123"), Ok(1_733_011_200));
        assert_eq!(parse("25569"), Ok(0));
    }

    #[test]
    fn refusals() {
        assert!(parse("2023-02-29").is_err());
        assert!(parse("2024-13-01").is_err());
        assert!(parse("2024-12-01T24:00:00").is_err());
        assert!(parse("12345678").is_err());
        assert!(parse("100").is_err());
        let e = parse("01/12/2024 10:00").expect_err("must be refused");
        assert!(e.contains("day-first or month-first"), "{e}");
        assert!(parse("yesterday").is_err());
        assert!(parse("2024-12-01T10:00:00+25:00").is_err());
    }
}
