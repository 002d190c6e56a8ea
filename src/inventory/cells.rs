//! Cell text in, typed values out: the number, percentage and CSV helpers every inventory reader shares
//! (non-negative decimals with messages naming what was expected, whole numbers in a range, delimiter
//! detection, physical line numbers of CSV records).

use std::str::FromStr;

use rust_decimal::Decimal;

/// Physical line numbers of records, counted from byte offsets (the csv crate's own line is the
/// position where a read started, which is off by one after CRLF line ends and blank lines).
pub(crate) struct LineCounter<'a> {
    pub(crate) body: &'a [u8],
    pub(crate) upto: usize,
    pub(crate) line: u64,
}

impl<'a> LineCounter<'a> {
    /// Lines of `body`, the bytes the csv reader reads (after any BOM).
    pub(crate) fn new(body: &'a [u8]) -> Self {
        LineCounter { body, upto: 0, line: 1 }
    }

    pub(crate) fn line_of(&mut self, rec: &csv::ByteRecord) -> u64 {
        let mut start = rec.position().map_or(self.upto, |p| p.byte() as usize).min(self.body.len());
        while start < self.body.len() && matches!(self.body[start], b'\n' | b'\r') {
            start += 1;
        }
        if start > self.upto {
            for i in self.upto..start {
                match self.body[i] {
                    b'\n' => self.line += 1,
                    b'\r' if self.body.get(i + 1) != Some(&b'\n') => self.line += 1,
                    _ => {}
                }
            }
            self.upto = start;
        }
        self.line
    }
}

/// `,`, `;` or tab: whichever appears most often, outside quotes, on the first line (`,` on a tie).
pub(crate) fn detect_delimiter(body: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    let first = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    let start = body[..first].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    for &b in &body[start..] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for c in counts.iter_mut() {
                    if c.0 == b {
                        c.1 += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut best = counts[0];
    for c in counts.iter().skip(1) {
        if c.1 > best.1 {
            best = *c;
        }
    }
    best.0
}

pub(crate) fn strip_pct(s: &str) -> &str {
    s.strip_suffix('%').map(str::trim).unwrap_or(s)
}

/// A non-negative decimal number, with a message that says what was expected.
pub(crate) fn number(s: &str, expected: &str) -> Result<Decimal, String> {
    number_as(s, s, expected)
}

/// Parse `s`, naming the value as `shown` (what the user wrote) in messages.
pub(crate) fn number_as(s: &str, shown: &str, expected: &str) -> Result<Decimal, String> {
    let not_a_number = || format!("'{shown}' is not a number; expected {expected}");
    if s.is_empty() {
        return Err(not_a_number());
    }
    if s.starts_with('-') {
        return Err(format!("'{shown}' is negative; expected {expected}"));
    }
    if s.contains(',') && !s.contains('.') {
        return Err(format!("'{shown}' uses a decimal comma; write numbers with '.', expected {expected}"));
    }
    if let Some((mantissa, exponent)) = s.split_once(['e', 'E']) {
        let well_formed = Decimal::from_str(mantissa).is_ok() && exponent.parse::<i32>().is_ok();
        return match Decimal::from_scientific(s) {
            Ok(d) if well_formed => Ok(d.normalize()),
            _ if well_formed => Err(format!("'{shown}' is out of range; expected {expected}")),
            _ => Err(not_a_number()),
        };
    }
    match Decimal::from_str(s) {
        Ok(d) => Ok(d.normalize()),
        Err(_) if s.chars().all(|c| c.is_ascii_digit() || c == '.') && s.len() > 20 => {
            Err(format!("'{shown}' is too large; expected {expected}"))
        }
        Err(_) => Err(not_a_number()),
    }
}

/// A whole number in `min..=max` (`4.0` is accepted as 4).
pub(crate) fn whole(s: &str, min: u32, max: u32, expected: &str) -> Result<u32, String> {
    let d = number(s, expected)?;
    if !d.fract().is_zero() {
        return Err(format!("'{s}' is not a whole number; expected {expected}"));
    }
    if d < Decimal::from(min) {
        return Err(format!("'{s}' is below {min}; expected {expected}"));
    }
    if d > Decimal::from(max) {
        return Err(format!("'{s}' is implausibly large; expected at most {max}"));
    }
    u32::try_from(d.mantissa() / 10i128.pow(d.scale()))
        .map_err(|_| format!("'{s}' is out of range; expected {expected}"))
}
