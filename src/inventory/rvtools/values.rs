//! RVTools cell text in, typed values out: MiB sizes, whole counts, True/False flags, power states,
//! and the text of an xlsx cell (numbers, booleans, dates and numbers stored as text alike).

use std::borrow::Cow;

use calamine::Data;
use rust_decimal::Decimal;

use crate::inventory::cells::{number_as, whole};

/// Largest vCPU count accepted (vSphere 8 allows 768 per VM; anything far above is a typo).
pub(super) const MAX_CPUS: u32 = 100_000;
/// Largest size in MiB accepted for one cell: 1 EiB. Keeps every sum far from `Decimal` overflow.
const MAX_MIB: u64 = 1 << 40;

const MIB_PER_GIB: u32 = 1024;

/// A size in MiB (`Memory`, `Provisioned MiB`, `Capacity MB`, ...), `4,096`-style grouping accepted.
pub(super) fn mib(s: &str, expected: &str) -> Result<Decimal, String> {
    let v = number_as(&ungroup(s), s, expected)?;
    if v > Decimal::from(MAX_MIB) {
        return Err(format!("'{s}' MiB is implausibly large; expected {expected}"));
    }
    Ok(v)
}

/// MiB to GiB, exactly (1024 divides into a finite decimal).
pub(super) fn gib(mib: Decimal) -> Decimal {
    (mib / Decimal::from(MIB_PER_GIB)).normalize()
}

/// A whole number in `min..=max` (`4`, `4.0`, `1,024`).
pub(super) fn count(s: &str, min: u32, max: u32, expected: &str) -> Result<u32, String> {
    let used = ungroup(s);
    whole(&used, min, max, expected).map_err(|m| {
        if used == s {
            m
        } else {
            m.replace(&format!("'{used}'"), &format!("'{s}'"))
        }
    })
}

/// `True`/`False` as RVTools writes them (any case), also `yes`/`no` and `1`/`0`.
pub(super) fn flag(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A VM's power state (vSphere `VirtualMachinePowerState`: poweredOn, poweredOff, suspended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Power {
    On,
    Off,
    Suspended,
}

pub(super) fn power(s: &str) -> Option<Power> {
    match s.trim().to_ascii_lowercase().replace([' ', '-', '_'], "").as_str() {
        "poweredon" | "on" => Some(Power::On),
        "poweredoff" | "off" => Some(Power::Off),
        "suspended" => Some(Power::Suspended),
        _ => None,
    }
}

/// `34,321` → `34321` when the commas group thousands (RVTools' `#,##0` number format, as a CSV
/// export or a copy-paste writes it); anything else unchanged (a decimal comma stays an error).
fn ungroup(s: &str) -> Cow<'_, str> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if !int.contains(',') {
        return Cow::Borrowed(s);
    }
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(',');
    let first_ok = groups.next().is_some_and(|g| digits(g) && g.len() <= 3);
    let rest_ok = groups.all(|g| digits(g) && g.len() == 3);
    let frac_ok = frac.is_none_or(digits);
    if first_ok && rest_ok && frac_ok {
        Cow::Owned(s.replace(',', ""))
    } else {
        Cow::Borrowed(s)
    }
}

/// The text of an xlsx cell, trimmed; `None` when empty. Numbers are written the shortest way that
/// reads back the same (`4`, `0.34375`), booleans as `True`/`False`, dates as their Excel serial
/// number, Excel errors as `#N/A`-style text.
pub(super) fn xlsx_text(cell: &Data) -> Option<Cow<'_, str>> {
    let text: Cow<'_, str> = match cell {
        Data::Empty => return None,
        Data::String(s) => Cow::Borrowed(s.trim()),
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Float(f) => Cow::Owned(format!("{f}")),
        Data::Bool(true) => Cow::Borrowed("True"),
        Data::Bool(false) => Cow::Borrowed("False"),
        Data::DateTime(d) => Cow::Owned(format!("{}", d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s.trim()),
        Data::Error(e) => Cow::Owned(e.to_string()),
    };
    if text.is_empty() {
        None
    } else {
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_thousands_grouping() {
        assert_eq!(mib("34,321", "MiB"), Ok(Decimal::from(34321)));
        assert_eq!(mib("1,234,567.5", "MiB"), Ok(Decimal::new(12345675, 1)));
        assert_eq!(mib("4096", "MiB"), Ok(Decimal::from(4096)));
        assert!(mib("3,5", "MiB").is_err_and(|m| m.contains("decimal comma")));
        assert!(mib("12,34", "MiB").is_err());
        assert_eq!(mib("-1", "MiB").expect_err("negative"), "'-1' is negative; expected MiB");
        assert!(mib("abc", "MiB").is_err_and(|m| m.starts_with("'abc' is not a number")));
    }

    #[test]
    fn counts_and_messages_name_what_was_written() {
        assert_eq!(count("4.0", 0, 10, "vCPUs"), Ok(4));
        assert_eq!(count("1,024", 0, 2000, "vCPUs"), Ok(1024));
        assert_eq!(count("four", 0, 10, "vCPUs").expect_err("text"), "'four' is not a number; expected vCPUs");
    }

    #[test]
    fn gib_is_exact() {
        assert_eq!(gib(Decimal::from(3526)).to_string(), "3.443359375");
        assert_eq!(gib(Decimal::from(2048)).to_string(), "2");
    }

    #[test]
    fn flags_and_power_states() {
        assert_eq!(flag("TRUE"), Some(true));
        assert_eq!(flag("False"), Some(false));
        assert_eq!(flag("maybe"), None);
        assert_eq!(power("poweredOn"), Some(Power::On));
        assert_eq!(power("PoweredOff"), Some(Power::Off));
        assert_eq!(power("suspended"), Some(Power::Suspended));
        assert_eq!(power("unknown"), None);
    }

    #[test]
    fn xlsx_cells_as_text() {
        assert_eq!(xlsx_text(&Data::Float(4.0)).as_deref(), Some("4"));
        assert_eq!(xlsx_text(&Data::Float(0.34375)).as_deref(), Some("0.34375"));
        assert_eq!(xlsx_text(&Data::Int(13)).as_deref(), Some("13"));
        assert_eq!(xlsx_text(&Data::Bool(true)).as_deref(), Some("True"));
        assert_eq!(xlsx_text(&Data::String("  ".into())), None);
        assert_eq!(xlsx_text(&Data::Error(calamine::CellErrorType::NA)).as_deref(), Some("#N/A"));
    }
}
