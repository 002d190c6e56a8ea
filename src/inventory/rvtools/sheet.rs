//! One RVTools sheet (an xlsx worksheet or an exported CSV file) in, its header and its non-empty rows
//! out, each row with its 1-based number (xlsx row, or the physical CSV line where the record starts).
//!
//! Rows with no value at all are skipped wherever they are: xlsx sheets carry hundreds of styled but
//! empty rows after the data, CSV files may end in blank lines.
//!
//! CSV files (on disk or in a zip) are streamed, never read whole: a vInfo of 100k VMs is ~70 MB.
//! Line numbers are physical lines, counted as `cells::LineCounter` counts them (a record starts on
//! the line of its first byte; CRLF, LF and lone CR each end a line), from the line breaks seen as
//! the bytes stream past.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::PathBuf;

use calamine::{Data, Range};

use super::values::xlsx_text;
use crate::error::Problem;
use crate::inventory::cells::detect_delimiter;

/// Bytes read ahead to find the BOM and the delimiter (an RVTools vInfo header is ~1.5 kB).
const HEAD_BYTES: u64 = 64 * 1024;
/// Bytes read from the file at a time.
const READ_BUFFER: usize = 256 * 1024;

/// Where a sheet lives, for messages: a file, and the sheet (xlsx) or member (zip) inside it.
#[derive(Debug, Clone)]
pub(super) struct Origin {
    pub(super) file: String,
    pub(super) sheet: Option<String>,
}

impl Origin {
    pub(super) fn problem(&self, line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
        match &self.sheet {
            Some(sheet) => Problem::in_sheet(&self.file, sheet, line, column, message),
            None => Problem::at(&self.file, line, column, message),
        }
    }

    /// `file:line` or `file: sheet 'S' row N`, as `LeftOut::location` and problems write it.
    pub(super) fn location(&self, line: u64) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}: sheet '{sheet}' row {line}", self.file),
            None => format!("{}:{line}", self.file),
        }
    }

    /// How messages name this sheet: `sheet 'vDisk'` or the file.
    pub(super) fn name(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("sheet '{sheet}'"),
            None => self.file.clone(),
        }
    }
}

enum Body<'a> {
    /// A CSV file on disk.
    CsvFile(PathBuf),
    /// A CSV member of a zip.
    CsvInZip(zip::ZipArchive<Cursor<&'a [u8]>>, String),
    Xlsx(Range<Data>),
}

/// A sheet's cells, ready to scan.
pub(super) struct Sheet<'a> {
    pub(super) origin: Origin,
    body: Body<'a>,
}

/// The cells of one row; `get` gives the trimmed text of column `i`, `None` when empty.
pub(super) trait Row {
    /// `Err` says why the cell cannot be read (e.g. it is not UTF-8).
    fn get(&self, i: usize) -> Result<Option<Cow<'_, str>>, String>;
}

struct CsvRow<'r>(&'r csv::ByteRecord);

impl Row for CsvRow<'_> {
    fn get(&self, i: usize) -> Result<Option<Cow<'_, str>>, String> {
        let Some(raw) = self.0.get(i) else { return Ok(None) };
        match std::str::from_utf8(raw) {
            Ok(s) => {
                let t = s.trim();
                Ok(if t.is_empty() { None } else { Some(Cow::Borrowed(t)) })
            }
            Err(e) => Err(format!(
                "byte {} of the value is not valid UTF-8 (0x{:02x}); save the file as UTF-8",
                e.valid_up_to() + 1,
                raw.get(e.valid_up_to()).copied().unwrap_or_default()
            )),
        }
    }
}

struct XlsxRow<'r>(&'r [Data]);

impl Row for XlsxRow<'_> {
    fn get(&self, i: usize) -> Result<Option<Cow<'_, str>>, String> {
        Ok(self.0.get(i).and_then(xlsx_text))
    }
}

impl<'a> Sheet<'a> {
    pub(super) fn csv_file(origin: Origin, path: PathBuf) -> Self {
        Sheet { origin, body: Body::CsvFile(path) }
    }

    pub(super) fn csv_in_zip(origin: Origin, archive: zip::ZipArchive<Cursor<&'a [u8]>>, member: String) -> Self {
        Sheet { origin, body: Body::CsvInZip(archive, member) }
    }

    pub(super) fn xlsx(origin: Origin, range: Range<Data>) -> Self {
        Sheet { origin, body: Body::Xlsx(range) }
    }

    /// Read the header (`on_header` gets its row number and cells, and returns what the rows need,
    /// or `None` to stop), then call `on_row` for every non-empty row. Problems of the file itself
    /// (unreadable CSV, ragged rows) go to `problems`.
    pub(super) fn scan<C>(
        &self,
        problems: &mut Vec<Problem>,
        on_header: impl FnOnce(u64, &[String], &mut Vec<Problem>) -> Option<C>,
        on_row: impl FnMut(&C, u64, &dyn Row, &mut Vec<Problem>),
    ) {
        match &self.body {
            Body::CsvFile(path) => match File::open(path) {
                Ok(f) => self.scan_csv(f, problems, on_header, on_row),
                Err(e) => problems.push(self.origin.problem(0, None, format!("cannot open the file: {e}"))),
            },
            Body::CsvInZip(archive, member) => {
                let mut archive = archive.clone();
                let opened = archive.by_name(member);
                match opened {
                    Ok(f) => self.scan_csv(f, problems, on_header, on_row),
                    Err(e) => problems.push(self.origin.problem(0, None, format!("cannot read this member ({e})"))),
                };
            }
            Body::Xlsx(range) => self.scan_xlsx(range, problems, on_header, on_row),
        }
    }

    fn scan_xlsx<C>(
        &self,
        range: &Range<Data>,
        problems: &mut Vec<Problem>,
        on_header: impl FnOnce(u64, &[String], &mut Vec<Problem>) -> Option<C>,
        mut on_row: impl FnMut(&C, u64, &dyn Row, &mut Vec<Problem>),
    ) {
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows = range.rows().enumerate().map(|(i, cells)| (first_row + i as u64 + 1, cells));
        let Some((header_row, header)) = rows.find(|(_, cells)| cells.iter().any(|c| xlsx_text(c).is_some())) else {
            problems.push(self.origin.problem(
                1,
                None,
                format!("{} is empty; expected a header row", self.origin.name()),
            ));
            return;
        };
        let header: Vec<String> =
            header.iter().map(|c| xlsx_text(c).map(Cow::into_owned).unwrap_or_default()).collect();
        let Some(ctx) = on_header(header_row, &header, problems) else { return };
        for (row, cells) in rows {
            if cells.iter().all(|c| xlsx_text(c).is_none()) {
                continue; // a styled row with no values
            }
            on_row(&ctx, row, &XlsxRow(cells), problems);
        }
    }

    fn scan_csv<C>(
        &self,
        mut source: impl Read,
        problems: &mut Vec<Problem>,
        on_header: impl FnOnce(u64, &[String], &mut Vec<Problem>) -> Option<C>,
        mut on_row: impl FnMut(&C, u64, &dyn Row, &mut Vec<Problem>),
    ) {
        let at = |line: u64, msg: String| self.origin.problem(line, None, msg);
        let mut head = Vec::new();
        if let Err(e) = (&mut source).take(HEAD_BYTES).read_to_end(&mut head) {
            problems.push(at(1, format!("cannot read the data ({e}); the file, or the zip holding it, is damaged")));
            return;
        }
        if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
            problems.push(at(1, "the file is UTF-16; save it as CSV UTF-8 and try again".into()));
            return;
        }
        let bom = if head.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        let body = head.get(bom..).unwrap_or_default();
        if body.iter().all(u8::is_ascii_whitespace) && (head.len() as u64) < HEAD_BYTES {
            problems.push(at(1, "the file is empty; expected an RVTools header line".into()));
            return;
        }
        let delimiter = detect_delimiter(body);
        let stream = LineBreaks::new(Cursor::new(body).chain(source));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(READ_BUFFER)
            .from_reader(stream);
        let mut rec = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                problems.push(at(1, "the file has no header line".into()));
                return;
            }
            Err(e) => {
                problems.push(at(csv_line(&e), format!("cannot read the header: {e}")));
                return;
            }
        }
        let header_line = rdr.get_mut().line_of(&rec);
        let header: Vec<String> = rec.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect();
        let width = header.len();
        let Some(ctx) = on_header(header_line, &header, problems) else { return };
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = rdr.get_mut().line_at(e.position().map_or(u64::MAX, |p| p.byte()));
                    problems.push(at(line, format!("cannot read this line: {e}")));
                    break;
                }
            }
            let line = rdr.get_mut().line_of(&rec);
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let extra_empty = rec.iter().skip(width).all(|f| f.iter().all(u8::is_ascii_whitespace));
            if rec.len() < width || !extra_empty {
                problems.push(at(
                    line,
                    format!(
                        "has {} fields, the header has {width}; check the delimiter and quotes (a value with '{}' must be in double quotes)",
                        rec.len(),
                        delimiter as char
                    ),
                ));
                continue;
            }
            on_row(&ctx, line, &CsvRow(&rec), problems);
        }
    }
}

/// A reader that notes where the line ends are in the bytes passing through, so the physical line
/// of a record can be told from its byte offset once the bytes are gone (what `cells::LineCounter`
/// does on a whole file in memory).
struct LineBreaks<R> {
    inner: R,
    /// Offset of the next byte read.
    offset: u64,
    /// Offsets of `\r` and `\n` bytes not yet passed, and whether each ends a line (a `\r` before a
    /// `\n` does not: CRLF is one line end).
    ends: VecDeque<(u64, bool)>,
    /// A `\r` was the last byte read: whether it ends a line depends on the next byte.
    pending_cr: Option<u64>,
    /// Line of the first byte not yet passed.
    line: u64,
    /// Offsets below this are passed.
    upto: u64,
}

impl<R: Read> LineBreaks<R> {
    fn new(inner: R) -> Self {
        LineBreaks { inner, offset: 0, ends: VecDeque::new(), pending_cr: None, line: 1, upto: 0 }
    }

    /// The line a record starts on: the line of its first byte that is not a line end.
    fn line_of(&mut self, rec: &csv::ByteRecord) -> u64 {
        let start = rec.position().map_or(self.upto, |p| p.byte());
        self.line_at(start)
    }

    fn line_at(&mut self, mut start: u64) -> u64 {
        if start < self.upto {
            return self.line;
        }
        while let Some(&(at, ends_line)) = self.ends.front() {
            if at <= start {
                self.ends.pop_front();
                if ends_line {
                    self.line += 1;
                }
                if at == start {
                    start += 1; // the record "starts" on a line end: skip it, as LineCounter does
                }
            } else {
                break;
            }
        }
        self.upto = start;
        self.line
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        if n == 0 {
            if let Some(at) = self.pending_cr.take() {
                self.ends.push_back((at, true));
            }
            return Ok(0);
        }
        for (i, b) in read.iter().enumerate() {
            let at = self.offset + i as u64;
            if let Some(cr) = self.pending_cr.take() {
                self.ends.push_back((cr, *b != b'\n'));
            }
            match b {
                b'\n' => self.ends.push_back((at, true)),
                b'\r' => self.pending_cr = Some(at),
                _ => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn csv_line(e: &csv::Error) -> u64 {
    e.position().map_or(1, |p| p.line())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::cells::LineCounter;

    /// A reader that hands out `chunk` bytes at a time, to cross every buffer boundary.
    struct Trickle<'a> {
        bytes: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.bytes.len());
            let (now, rest) = self.bytes.split_at(n);
            buf[..n].copy_from_slice(now);
            self.bytes = rest;
            Ok(n)
        }
    }

    fn streamed_lines(body: &[u8], chunk: usize) -> Vec<u64> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineBreaks::new(Trickle { bytes: body, chunk }));
        let mut rec = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while rdr.read_byte_record(&mut rec).expect("csv") {
            lines.push(rdr.get_mut().line_of(&rec));
        }
        lines
    }

    fn in_memory_lines(body: &[u8]) -> Vec<u64> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
        let mut counter = LineCounter::new(body);
        let mut rec = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while rdr.read_byte_record(&mut rec).expect("csv") {
            lines.push(counter.line_of(&rec));
        }
        lines
    }

    #[test]
    fn streamed_line_numbers_match_the_in_memory_counter() {
        let cases: [(&[u8], &[u64]); 6] = [
            (b"h\na\nb\n", &[1, 2, 3]),
            (b"h\r\na\r\n\r\n\r\nb\r\n", &[1, 2, 5]),
            (b"h\ra\r\rb\r", &[1, 2, 4]),
            (b"h,x\r\n\"two\r\nlines\",1\r\nnext,2\r\n", &[1, 2, 4]),
            (b"\n\nh\na", &[3, 4]),
            (b"h\n\"a\nb\nc\"\n\nd\n", &[1, 2, 6]),
        ];
        for (body, expected) in cases {
            assert_eq!(in_memory_lines(body), expected, "LineCounter on {:?}", String::from_utf8_lossy(body));
            for chunk in [1, 2, 3, 7, 8192] {
                assert_eq!(
                    streamed_lines(body, chunk),
                    expected,
                    "streamed in chunks of {chunk}: {:?}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }
}
