//! Typed errors of the library; `exit_code` decides the process exit code in one place (1 bad data, 2 bad usage).

use std::path::PathBuf;

/// One problem found in an input file, located by file, line and (when known) column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The sheet (xlsx) or member file (zip) inside `file`, when there is one.
    pub sheet: Option<String>,
    /// 1-based line (CSV) or row (xlsx); 0 when the problem is about the whole file.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    /// A problem at `line` of a plain file.
    pub fn at(file: &str, line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Problem { file: file.to_owned(), sheet: None, line, column: column.map(str::to_owned), message: message.into() }
    }

    /// A problem at `row` of a sheet (xlsx) or member (zip) of `file`.
    pub fn in_sheet(file: &str, sheet: &str, row: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            sheet: Some(sheet.to_owned()),
            line: row,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Line 0: the problem is about the whole file (or sheet), not one line of it.
        match (&self.sheet, self.line) {
            (None, 0) => write!(f, "{}: ", self.file)?,
            (None, line) => write!(f, "{}:{}: ", self.file, line)?,
            (Some(sheet), 0) => write!(f, "{}: sheet '{}': ", self.file, sheet)?,
            (Some(sheet), row) => write!(f, "{}: sheet '{}' row {}: ", self.file, sheet, row)?,
        }
        match &self.column {
            Some(c) => write!(f, "column '{}': {}", c, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Every problem of an input file, reported together.
    #[error("{}", render_problems(.0))]
    Invalid(Vec<Problem>),
    #[error("pricing snapshot {location}: {message}")]
    Snapshot { location: String, message: String },
    /// Bad usage: an option value that cannot be used (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A lookup that found nothing, with a hint on what exists.
    #[error("{0}")]
    NotFound(String),
    /// A template that does not render (names the template, line and problem).
    #[error("{0}")]
    Template(String),
    /// An output file the user changed since rocklift wrote it.
    #[error("{0}")]
    Refused(String),
    /// A live pricing refresh call that failed: the AWS API, what it was asked for (region, product) and why.
    #[error("pricing refresh: {api} ({scope}): {message}")]
    Refresh { api: String, scope: String, message: String },
}

fn render_problems(problems: &[Problem]) -> String {
    let mut s = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&p.to_string());
    }
    if problems.len() > 1 {
        s.push_str(&format!("\n{} problems found; nothing was written", problems.len()));
    } else {
        s.push_str("\nnothing was written");
    }
    s
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
