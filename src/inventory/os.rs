//! Free-text OS names as people write them in, a classified OS and its target on AWS out.
//!
//! Rule: CentOS, RHEL, Rocky, AlmaLinux and Oracle Linux move to Rocky Linux: major version 9 → Rocky 9;
//! 8 or older → Rocky 8 (7 and older are a major upgrade, and say so); 10 or later → Rocky 9 (no Rocky 10
//! image in the snapshot, said in a note); no version → Rocky 9. Other Linux stays as it is, priced as
//! `linux`. Windows stays Windows, priced as `windows`. Anything else is unknown and flagged, never guessed.
//! The version on AWS of Windows and other Linux (and the image of every OS) is `crate::target_os`'s decision.

use serde::{Deserialize, Serialize};

use crate::pricing::PriceOs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OsFamily {
    #[serde(rename = "centos")]
    CentOs,
    Rhel,
    Rocky,
    AlmaLinux,
    OracleLinux,
    OtherLinux,
    Windows,
}

impl OsFamily {
    pub fn is_el(self) -> bool {
        matches!(
            self,
            OsFamily::CentOs | OsFamily::Rhel | OsFamily::Rocky | OsFamily::AlmaLinux | OsFamily::OracleLinux
        )
    }
}

/// A classified OS: what the server runs, and what it runs on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// The text from the inventory.
    pub text: String,
    pub family: OsFamily,
    pub major: Option<u32>,
    /// The OS on AWS: "Rocky Linux 9", "Windows Server 2019", "Ubuntu 22.04".
    pub target: String,
    /// `rocky8` / `rocky9` for EL sources (image hint key), else `None`.
    pub rocky: Option<String>,
    pub price_os: PriceOs,
    /// What the move means for the OS, when it is more than a like-for-like move.
    pub note: Option<String>,
}

/// Classify `text`; `None` when the OS is not recognised (callers flag it). `target` and `note` are what
/// [`crate::target_os::decide`] makes of it: the one decision every output shows.
pub fn classify(text: &str) -> Option<OsInfo> {
    let mut o = classify_source(text)?;
    let aws = crate::target_os::decide(&o);
    o.target = aws.name;
    o.note = match (o.note, aws.why) {
        (Some(n), Some(w)) if n != w => Some(format!("{n}; {w}")),
        (n, w) => w.or(n),
    };
    Some(o)
}

fn classify_source(text: &str) -> Option<OsInfo> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if lower.is_empty() {
        return None;
    }
    let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let el = [
        (OsFamily::CentOs, &["centos"][..]),
        (OsFamily::Rhel, &["redhat", "rhel"][..]),
        (OsFamily::Rocky, &["rocky"][..]),
        (OsFamily::AlmaLinux, &["almalinux", "alma"][..]),
        (OsFamily::OracleLinux, &["oraclelinux", "oracleenterpriselinux", "oel"][..]),
    ];
    // VMware's guest type "Red Hat Fedora" is Fedora, not RHEL.
    if lower.contains("fedora") {
        return Some(OsInfo {
            text: t.to_owned(),
            family: OsFamily::OtherLinux,
            major: None,
            target: t.to_owned(),
            rocky: None,
            price_os: PriceOs::Linux,
            note: Some("not an Enterprise Linux: stays as it is, priced as Linux".into()),
        });
    }
    // VMware guest OS labels name a range ("CentOS 4/5 or later (64-bit)", "CentOS 4/5/6/7 (64-bit)"): no version.
    let ranged = lower.contains("or later") || lower.contains('/');
    for (family, keys) in el {
        for key in keys {
            if let Some(pos) = find_word_start(&lower, key) {
                let major = first_number_after(&lower, pos + key.len().min(lower.len() - pos));
                return Some(el_or_range(t, family, major, ranged));
            }
            // "Red Hat" / "Oracle Linux" written with spaces.
            if key.len() > 4 && squashed.contains(key) {
                let anchor = lower.find(&key[..3]).unwrap_or(0);
                let major = first_number_after(&lower, anchor + 3);
                return Some(el_or_range(t, family, major, ranged));
            }
        }
    }
    // The Windows version on AWS (and why it changes) is `target_os`'s decision.
    if lower.contains("windows") {
        return Some(OsInfo {
            text: t.to_owned(),
            family: OsFamily::Windows,
            major: None,
            target: String::new(),
            rocky: None,
            price_os: PriceOs::Windows,
            note: None,
        });
    }
    let generic = ["other linux", "other 2.6.x linux", "other 3.x", "other 4.x", "other 5.x", "other 6.x"];
    if lower == "linux" || generic.iter().any(|g| lower.starts_with(g)) {
        return Some(OsInfo {
            text: t.to_owned(),
            family: OsFamily::OtherLinux,
            major: None,
            target: "Linux (distribution not named)".to_owned(),
            rocky: None,
            price_os: PriceOs::Linux,
            note: Some(
                "the inventory does not name the Linux distribution: priced as Linux; check what it runs (an \
                 Enterprise Linux would move to Rocky Linux)"
                    .into(),
            ),
        });
    }
    let other = ["ubuntu", "debian", "suse", "sles", "amazon linux", "fedora", "linux"];
    if other.iter().any(|k| lower.contains(k)) {
        return Some(OsInfo {
            text: t.to_owned(),
            family: OsFamily::OtherLinux,
            major: None,
            target: t.to_owned(),
            rocky: None,
            price_os: PriceOs::Linux,
            note: Some("not an Enterprise Linux: stays as it is, priced as Linux".into()),
        });
    }
    None
}

/// A VMware guest label names a range from an old release ("CentOS 4/5 or later"): no one version is known, the
/// guest is most likely EL7 or older, so it is planned like EL7 (Rocky Linux 8) with a note to check.
fn el_or_range(text: &str, family: OsFamily, major: Option<u32>, ranged: bool) -> OsInfo {
    match major {
        Some(m) if ranged && m < 8 => {
            let mut o = el_target(text, family, Some(7));
            o.major = None;
            o.note = Some(format!(
                "'{text}' names a range of versions (a VMware guest label), not one: planned like EL7 or older on \
                 Rocky Linux 8; check the real version (RVTools' 'OS according to the VMware Tools' column has it)"
            ));
            o
        }
        _ => el_target(text, family, major),
    }
}

fn el_target(text: &str, family: OsFamily, major: Option<u32>) -> OsInfo {
    let (rocky_major, note) = match major {
        Some(9) => (9, None),
        Some(8) => (8, None),
        Some(m) if m < 8 => (
            8,
            Some(format!("major upgrade from EL{m} to Rocky Linux 8 (EL{m} is past end of life; plan a rebuild or an ELevate upgrade)")),
        ),
        Some(m) => (9, Some(format!("EL{m} source planned on Rocky Linux 9: the snapshot has no Rocky {m} image"))),
        None => (9, Some("no single version in the OS name: planned on Rocky Linux 9, the current release".to_owned())),
    };
    let note = match (family, note) {
        (OsFamily::Rhel, None) => Some("RHEL licence no longer needed on Rocky Linux".to_owned()),
        (_, n) => n,
    };
    OsInfo {
        text: text.to_owned(),
        family,
        major,
        target: format!("Rocky Linux {rocky_major}"),
        rocky: Some(format!("rocky{rocky_major}")),
        price_os: PriceOs::Linux,
        note,
    }
}

/// Position of `key` in `s` where it starts a word (not inside another word).
fn find_word_start(s: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(key) {
        let at = from + i;
        let before_ok = at == 0 || !s.as_bytes()[at - 1].is_ascii_alphabetic();
        if before_ok {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// The first run of digits in `s` at or after `from`, as a major version (ignores "64-bit").
fn first_number_after(s: &str, from: usize) -> Option<u32> {
    let bytes = s.as_bytes();
    let mut i = from.min(bytes.len());
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let num = &s[start..i];
            // "(64-bit)" and "32-bit" are not versions.
            if s[i..].starts_with("-bit") || s[i..].starts_with(" bit") {
                continue;
            }
            return num.parse().ok().filter(|n| *n < 100);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> (OsFamily, String, PriceOs) {
        let o = classify(s).unwrap_or_else(|| panic!("unclassified: {s}"));
        (o.family, o.target, o.price_os)
    }

    #[test]
    fn enterprise_linux_goes_to_rocky() {
        assert_eq!(target("CentOS Linux 7 (Core)"), (OsFamily::CentOs, "Rocky Linux 8".into(), PriceOs::Linux));
        assert_eq!(target("CentOS 8 Stream"), (OsFamily::CentOs, "Rocky Linux 8".into(), PriceOs::Linux));
        assert_eq!(target("Red Hat Enterprise Linux 8.8"), (OsFamily::Rhel, "Rocky Linux 8".into(), PriceOs::Linux));
        assert_eq!(target("RHEL9"), (OsFamily::Rhel, "Rocky Linux 9".into(), PriceOs::Linux));
        assert_eq!(
            target("Red Hat Enterprise Linux 7 (64-bit)"),
            (OsFamily::Rhel, "Rocky Linux 8".into(), PriceOs::Linux)
        );
        assert_eq!(target("Rocky Linux 9.3 (Blue Onyx)"), (OsFamily::Rocky, "Rocky Linux 9".into(), PriceOs::Linux));
        assert_eq!(target("AlmaLinux 9.2"), (OsFamily::AlmaLinux, "Rocky Linux 9".into(), PriceOs::Linux));
        assert_eq!(target("Oracle Linux Server 7.9"), (OsFamily::OracleLinux, "Rocky Linux 8".into(), PriceOs::Linux));
        assert_eq!(target("CentOS 4/5 or later (64-bit)"), (OsFamily::CentOs, "Rocky Linux 8".into(), PriceOs::Linux));
        assert_eq!(target("Red Hat Enterprise Linux 10"), (OsFamily::Rhel, "Rocky Linux 9".into(), PriceOs::Linux));
        assert_eq!(target("centos"), (OsFamily::CentOs, "Rocky Linux 9".into(), PriceOs::Linux));
    }

    #[test]
    fn others_stay() {
        assert_eq!(target("Ubuntu 22.04").2, PriceOs::Linux);
        assert_eq!(target("Ubuntu 22.04").0, OsFamily::OtherLinux);
        assert_eq!(target("Red Hat Fedora (64-bit)").0, OsFamily::OtherLinux);
        assert_eq!(target("Microsoft Windows Server 2019 (64-bit)").2, PriceOs::Windows);
        assert_eq!(target("Windows Server 2019 Standard").1, "Windows Server 2019");
        assert_eq!(target("Windows Server 2008 R2 Enterprise").1, "Windows Server 2022");
        assert_eq!(target("Other 3.x or later Linux (64-bit)").0, OsFamily::OtherLinux);
        assert_eq!(target("Other 3.x or later Linux (64-bit)").1, "Linux (distribution not named)");
        assert_eq!(target("Microsoft Windows Server 2019 (64-bit)").1, "Windows Server 2019");
        let desktop = classify("Microsoft Windows 10 (64-bit)").expect("windows");
        assert!(desktop.note.is_some_and(|n| n.starts_with("Windows 10 has no licence-included EC2 image")));
    }

    #[test]
    fn unknown_is_not_guessed() {
        for s in ["", "  ", "FreeBSD 13", "Solaris 10", "AIX 7.2", "banana", "HP-UX"] {
            assert!(classify(s).is_none(), "{s}");
        }
    }
}
