//! User text in, safe HCL out: quoted string literals that keep every character literally
//! (`"`, `\`, `${`, `%{`, newlines, control characters), and slugs for names AWS restricts.

use sha2::{Digest, Sha256};

/// `text` as an HCL quoted string literal, including the quotes. Template sequences are
/// escaped (`$${`, `%%{`) so Terraform never interpolates user text.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name AWS accepts in resource names (letters, digits, `-`), at most `max` bytes, unique for
/// distinct inputs: lower-cased, other characters folded to `-`, and when anything was changed
/// or cut, an 8-hex-digit hash of the original appended.
pub fn slug(text: &str, max: usize) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').to_owned();
    let exact = s == text;
    let keep = max.saturating_sub(9).max(1);
    if exact && s.len() <= max {
        return s;
    }
    let mut base: String = s.chars().take(keep).collect();
    base = base.trim_end_matches('-').to_owned();
    let h = short_hash(text);
    if base.is_empty() {
        format!("x-{h}")
    } else {
        format!("{base}-{h}")
    }
}

/// First 8 hex digits of the sha256 of `text`.
pub fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// A stable number from `text` (for spreading servers over subnets without reshuffling them
/// when other servers are added or removed).
pub fn stable_slot(text: &str) -> u32 {
    let d = Sha256::digest(text.as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_keep_text_literal() {
        assert_eq!(quote(r#"a"b"#), r#""a\"b""#);
        assert_eq!(quote(r#"x${file("/etc/passwd")}"#), r#""x$${file(\"/etc/passwd\")}""#);
        assert_eq!(quote("%{ if true }"), r#""%%{ if true }""#);
        assert_eq!(quote("$5 and 100%"), r#""$5 and 100%""#);
        assert_eq!(quote("a\\b\nc\u{7}"), r#""a\\b\nc\u0007""#);
        assert_eq!(quote("🚀"), "\"🚀\"");
    }

    #[test]
    fn slugs_are_safe_and_distinct() {
        assert_eq!(slug("web", 40), "web");
        assert_ne!(slug("Web", 40), slug("web", 40));
        assert_ne!(slug("a.b", 40), slug("a-b", 40));
        assert!(slug(&"x".repeat(300), 40).len() <= 40);
        assert!(slug("🚀", 40).starts_with("x-"));
    }
}
