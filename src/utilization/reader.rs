//! One utilization stream in (any `BufRead`: UTF-8 with or without BOM, CRLF or LF, `,` `;` or tab), its header
//! mapped to columns and its rows handed out one at a time as byte records (only the current record is in
//! memory). Problems are kept by byte offset and turned into physical line numbers at the end, by reading the
//! stream once more, so the hot path counts no lines.

use std::io::{self, BufRead};

use super::columns::{self, Col, Columns};
use crate::inventory::cells::detect_delimiter;

/// Problems collected before reading stops: a 10-million-row file with a systematic error gives the first 50
/// and a note that more follow, not 10 million messages.
pub(crate) const MAX_PROBLEMS: usize = 50;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// A problem located by input index and byte offset of its record (after any BOM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawProblem {
    pub file: usize,
    pub byte: u64,
    pub column: Option<String>,
    pub message: String,
}

/// Problems found so far, at most `MAX_PROBLEMS`; `more_at` is where the first one left out was found.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub list: Vec<RawProblem>,
    pub more_at: Option<(usize, u64)>,
}

impl Problems {
    pub(crate) fn push(&mut self, file: usize, byte: u64, column: Option<&str>, message: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(RawProblem { file, byte, column: column.map(str::to_owned), message });
        } else if self.more_at.is_none() {
            self.more_at = Some((file, byte));
        }
    }

    /// Reading stops once a problem past the limit was found.
    pub(crate) fn stopped(&self) -> bool {
        self.more_at.is_some()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more_at.is_none()
    }
}

/// An open utilization table: the csv reader, the current record and the columns.
pub(crate) struct Table<R> {
    rdr: csv::Reader<R>,
    pub rec: csv::ByteRecord,
    pub cols: Columns,
    /// Byte offset of the header record.
    pub header_byte: u64,
    pub delimiter: u8,
}

/// Open a stream and read its header; `None` (with the problems recorded) when the header cannot be used.
pub(crate) fn open<R: BufRead>(mut r: R, file: usize, problems: &mut Problems) -> io::Result<Option<Table<R>>> {
    let head = r.fill_buf()?;
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        problems.push(
            file,
            0,
            None,
            "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again".into(),
        );
        return Ok(None);
    }
    if head.starts_with(UTF8_BOM) {
        r.consume(UTF8_BOM.len());
    }
    let delimiter = detect_delimiter(r.fill_buf()?);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(r);
    let mut rec = csv::ByteRecord::new();
    let found = match rdr.read_byte_record(&mut rec) {
        Ok(found) => found,
        Err(e) => {
            let byte = error_byte(&e);
            into_io(e)?;
            problems.push(file, byte, None, "cannot read the header line".into());
            return Ok(None);
        }
    };
    if !found || rec.as_slice().iter().all(u8::is_ascii_whitespace) {
        problems.push(
            file,
            0,
            None,
            "the file is empty; expected a header line naming timestamp, server and at least one of cpu_pct, \
             mem_pct, disk_iops, net_out_mbps"
                .into(),
        );
        return Ok(None);
    }
    let header_byte = rec.position().map_or(0, |p| p.byte());
    let mut cells = Vec::with_capacity(rec.len());
    let mut unreadable = false;
    for (i, cell) in rec.iter().enumerate() {
        match std::str::from_utf8(cell) {
            Ok(t) => cells.push(t.trim().trim_start_matches('\u{feff}').to_owned()),
            Err(_) => {
                problems.push(
                    file,
                    header_byte,
                    None,
                    format!("header cell {} is not valid UTF-8; save the file as UTF-8", i + 1),
                );
                unreadable = true;
                cells.push(String::new());
            }
        }
    }
    match columns::map(&cells) {
        Ok(cols) if !unreadable => Ok(Some(Table { rdr, rec, cols, header_byte, delimiter })),
        Ok(_) => Ok(None),
        Err(found) => {
            for (column, message) in found {
                problems.push(file, header_byte, column.as_deref(), message);
            }
            if delimiter == b',' && cells.len() == 1 && cells.iter().any(|c| c.contains('|')) {
                problems.push(
                    file,
                    header_byte,
                    None,
                    "the header looks '|'-separated; rocklift reads ',', ';' or tab".into(),
                );
            }
            Ok(None)
        }
    }
}

/// Byte offset a csv error points at.
pub(crate) fn error_byte(e: &csv::Error) -> u64 {
    e.position().map_or(0, |p| p.byte())
}

/// `Err` for an IO error (reported as such, with the file), `Ok` for a format error (a located problem).
pub(crate) fn into_io(e: csv::Error) -> io::Result<()> {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Err(io),
        _ => Ok(()),
    }
}

impl<R: io::Read> Table<R> {
    /// Read the next row that is not blank into `self.rec`: `Ok(Some(byte offset))`, `Ok(None)` at the end.
    pub(crate) fn next_row(&mut self) -> Result<Option<u64>, csv::Error> {
        loop {
            if !self.rdr.read_byte_record(&mut self.rec)? {
                return Ok(None);
            }
            if self.rec.as_slice().iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(self.rec.position().map_or(0, |p| p.byte())));
        }
    }

    /// The text of a column in the current row: `Ok(None)` when empty, `Err(message)` when not UTF-8.
    pub(crate) fn text(&self, col: &Col) -> Result<Option<&str>, String> {
        let Some(raw) = self.rec.get(col.index) else { return Ok(None) };
        match std::str::from_utf8(raw) {
            Ok(s) => {
                let t = s.trim();
                Ok((!t.is_empty()).then_some(t))
            }
            Err(e) => Err(format!(
                "byte {} of the value is not valid UTF-8 (0x{:02x}); save the file as UTF-8",
                e.valid_up_to() + 1,
                raw.get(e.valid_up_to()).copied().unwrap_or(0)
            )),
        }
    }
}

/// Physical line numbers (1-based) of the records starting at `offsets` (ascending byte offsets after the BOM,
/// as the csv reader gives them). A record starts at the first byte at or after its offset that is not a line
/// end (the csv reader's offset may point at the end of the line before it, or at blank lines); `\r\n`, `\n` and
/// a lone `\r` each end one line.
pub(crate) fn lines_at<R: BufRead>(mut r: R, offsets: &[u64]) -> io::Result<Vec<u64>> {
    if r.fill_buf()?.starts_with(UTF8_BOM) {
        r.consume(UTF8_BOM.len());
    }
    let mut out = Vec::with_capacity(offsets.len());
    let mut targets = offsets.iter().copied().peekable();
    let (mut pos, mut line, mut after_cr) = (0u64, 1u64, false);
    while targets.peek().is_some() {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        for &b in buf {
            let terminator = b == b'\n' || b == b'\r';
            while !terminator && targets.next_if(|t| *t <= pos).is_some() {
                out.push(line);
            }
            match b {
                b'\n' if after_cr => after_cr = false,
                b'\n' => line += 1,
                b'\r' => {
                    line += 1;
                    after_cr = true;
                }
                _ => after_cr = false,
            }
            pos += 1;
        }
        r.consume(n);
    }
    out.extend(targets.map(|_| line));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets of every data record as the csv reader reports them, resolved to lines.
    fn record_lines(body: &[u8]) -> Vec<u64> {
        let mut problems = Problems::default();
        let mut t = open(body, 0, &mut problems).expect("must succeed").expect("must succeed");
        let mut offsets = vec![t.header_byte];
        while let Some(b) = t.next_row().expect("must succeed") {
            offsets.push(b);
        }
        lines_at(body, &offsets).expect("must succeed")
    }

    #[test]
    fn lines_with_crlf_blank_lines_bom_and_quotes() {
        assert_eq!(record_lines(b"time,host,cpu\n1,a,2\n3,b,4\n"), vec![1, 2, 3]);
        assert_eq!(record_lines(b"time,host,cpu\r\n1,a,2\r\n\r\n\r\n3,b,4\r\n"), vec![1, 2, 5]);
        assert_eq!(record_lines(b"\xef\xbb\xbftime,host,cpu\r\n1,a,2\r\n3,b,4"), vec![1, 2, 3]);
        assert_eq!(record_lines(b"\n\ntime,host,cpu\n1,\"a\nb\",2\n3,b,4\n"), vec![3, 4, 6]);
        assert_eq!(record_lines(b"time,host,cpu\r1,a,2\r3,b,4\r"), vec![1, 2, 3]);
    }
}
