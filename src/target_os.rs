//! A classified OS (`OsInfo`) in, the OS each server runs on AWS out: the name every output shows, whether and why the
//! version changes, and (with the placed architecture) the image Terraform launches — key, SSM public parameter or
//! Rocky owner/name filter. Decided once here; the plan stores it (`os.target`, `os.note`, `os.image`) and every
//! output, Terraform included, reads it from the plan.
//!
//! Rules:
//! - Enterprise Linux: Rocky Linux 8 or 9, as `inventory::os` decides (official image, owner [`ROCKY_OWNER`]).
//! - Windows Server 2016, 2019, 2022, 2025: the same version, from AWS's licence-included public alias
//!   `/aws/service/ami-windows-latest/Windows_Server-YYYY-English-Full-Base` (the AWS Windows AMI reference lists
//!   these aliases; AWS's "AWS Windows AMIs" page: "Microsoft no longer supports Windows Server versions prior to
//!   Windows Server 2016. We recommend that you launch new EC2 instances using a supported version").
//! - Older Windows Server (2012 R2 and before, out of Microsoft support; 2012 R2 ended 10 October 2023): rebuilt on
//!   [`WINDOWS_REBUILD_YEAR`]. No year in the name: Windows Server [`WINDOWS_REBUILD_YEAR`], to check.
//! - Windows desktops (7, 8, 10, 11): EC2 has no licence-included desktop image; planned and priced as Windows Server
//!   [`WINDOWS_REBUILD_YEAR`], saying the other way (bring your own licence).
//! - Ubuntu LTS (16.04 and later), Debian 12 and later, Amazon Linux 2 and 2023: the same version from the vendor's
//!   public alias.
//! - Anything else (SUSE, Fedora, a Linux without a distribution, other Ubuntu or Debian versions): no public alias
//!   is known; it stays as it is and Terraform asks for its AMI id (`other_os_ami_ids`).

use serde::{Deserialize, Serialize};

use crate::inventory::{OsFamily, OsInfo};
use crate::pricing::catalog::Arch;

/// The Rocky Enterprise Software Foundation's AWS account, owner of the official Rocky images.
pub const ROCKY_OWNER: &str = "792107900819";

/// Windows Server versions with a licence-included public AMI alias (`/aws/service/ami-windows-latest/...`).
pub const WINDOWS_ALIAS_YEARS: [u32; 4] = [2016, 2019, 2022, 2025];

/// The Windows Server a server is rebuilt on when its own version has no image (the one Terraform launched by
/// default before the plan decided it).
pub const WINDOWS_REBUILD_YEAR: u32 = 2022;

/// What the move does to the OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsAction {
    /// The same OS and version.
    Same,
    /// The same major version of another Enterprise Linux (CentOS, RHEL, Alma, Oracle → Rocky).
    Switch,
    /// A newer major version: in-place upgrade or rebuild.
    Upgrade,
    /// The version has no image on AWS: the server is rebuilt on the target.
    Rebuild,
    /// An older major version than the source (no image of the source's version).
    Downgrade,
    /// The OS name gives no single version: the target is assumed, to check.
    Assumed,
    /// No public image is known: it stays as it is, from an AMI the user gives.
    BringAmi,
}

impl OsAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OsAction::Same => "same",
            OsAction::Switch => "switch",
            OsAction::Upgrade => "upgrade",
            OsAction::Rebuild => "rebuild",
            OsAction::Downgrade => "downgrade",
            OsAction::Assumed => "assumed",
            OsAction::BringAmi => "bring_ami",
        }
    }
}

/// How Terraform finds the image at apply time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImageLookup {
    /// `data "aws_ami"`: newest image of `owner` named like `name_filter` (official Rocky; Terraform's
    /// `image_source = "marketplace"` takes the Marketplace listing of the same name instead).
    Rocky { owner: String, name_filter: String, major: u32, arch: String, name_arch: String },
    /// `data "aws_ssm_parameter"`: a public parameter holding the latest AMI id.
    Ssm { parameter: String },
    /// No public image known: the user gives the AMI id (`other_os_ami_ids`).
    Custom,
}

/// The image a server is launched from, as the plan records it (`os.image` in plan.json).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetImage {
    /// Stable key, ASCII `[a-z0-9_]`: `windows_2022`, `rocky9_x86_64`, `ubuntu_22_04_amd64`, `custom_..._x86_64`.
    pub key: String,
    /// The OS on AWS (the plan's `os.target`): "Windows Server 2022", "Rocky Linux 9", "Ubuntu 22.04".
    pub name: String,
    /// The image in words: "Windows Server 2022 English Full Base (latest, from the public AMI alias)".
    pub description: String,
    pub action: OsAction,
    /// Why the OS or version changes, or what to check; `None` when it stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    pub lookup: ImageLookup,
}

/// The architecture-free part of the decision: what runs on AWS and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsTarget {
    pub name: String,
    pub action: OsAction,
    pub why: Option<String>,
    spec: Spec,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Spec {
    Rocky(u32),
    Windows(u32),
    Ubuntu(String),
    Debian(u32),
    AmazonLinux2,
    AmazonLinux2023,
    Custom,
}

/// Decide the OS on AWS for a classified OS.
pub fn decide(os: &OsInfo) -> OsTarget {
    if os.family.is_el() {
        return el(os);
    }
    if os.family == OsFamily::Windows {
        return windows(&os.text);
    }
    other_linux(os)
}

fn el(os: &OsInfo) -> OsTarget {
    let major: u32 =
        os.rocky.as_deref().and_then(|r| r.strip_prefix("rocky")).and_then(|m| m.parse().ok()).unwrap_or(9);
    let action = match os.major {
        None => OsAction::Assumed,
        Some(m) if m < major => OsAction::Upgrade,
        Some(m) if m > major => OsAction::Downgrade,
        Some(_) if os.family == OsFamily::Rocky => OsAction::Same,
        Some(_) => OsAction::Switch,
    };
    OsTarget { name: format!("Rocky Linux {major}"), action, why: os.note.clone(), spec: Spec::Rocky(major) }
}

fn windows(text: &str) -> OsTarget {
    let lower = text.to_ascii_lowercase();
    let rebuild = format!("Windows Server {WINDOWS_REBUILD_YEAR}");
    if !lower.contains("server") {
        let which =
            desktop_version(&lower).map_or_else(|| "a Windows desktop OS".to_owned(), |v| format!("Windows {v}"));
        return OsTarget {
            name: rebuild.clone(),
            action: OsAction::Rebuild,
            why: Some(format!(
                "{which} has no licence-included EC2 image: bring your own licence (WorkSpaces, or BYOL on Dedicated \
                 Hosts) or rebuild on {rebuild}; planned and priced as {rebuild}"
            )),
            spec: Spec::Windows(WINDOWS_REBUILD_YEAR),
        };
    }
    let Some(year) = four_digit_year(&lower) else {
        return OsTarget {
            name: rebuild.clone(),
            action: OsAction::Assumed,
            why: Some(format!(
                "no Windows Server version in the OS name: planned on {rebuild}; check the real version"
            )),
            spec: Spec::Windows(WINDOWS_REBUILD_YEAR),
        };
    };
    if WINDOWS_ALIAS_YEARS.contains(&year) {
        let ranged = lower.contains("or later");
        return OsTarget {
            name: format!("Windows Server {year}"),
            action: if ranged { OsAction::Assumed } else { OsAction::Same },
            why: ranged.then(|| {
                format!(
                    "'{text}' names a range of versions (a VMware guest label): planned on Windows Server {year}, the \
                     oldest; check the real version"
                )
            }),
            spec: Spec::Windows(year),
        };
    }
    if year > WINDOWS_ALIAS_YEARS[WINDOWS_ALIAS_YEARS.len() - 1] {
        return OsTarget {
            name: rebuild.clone(),
            action: OsAction::Assumed,
            why: Some(format!(
                "Windows Server {year} is newer than the public AMI aliases rocklift knows: planned on {rebuild}"
            )),
            spec: Spec::Windows(WINDOWS_REBUILD_YEAR),
        };
    }
    let r2 = if lower.contains("r2") { " R2" } else { "" };
    OsTarget {
        name: rebuild.clone(),
        action: OsAction::Rebuild,
        why: Some(format!(
            "Windows Server {year}{r2} is out of support and has no AWS image (public aliases exist for 2016 and \
             later): rebuild on {rebuild}"
        )),
        spec: Spec::Windows(WINDOWS_REBUILD_YEAR),
    }
}

fn other_linux(os: &OsInfo) -> OsTarget {
    let lower = os.text.to_ascii_lowercase();
    let same = |name: String, spec: Spec| OsTarget { name, action: OsAction::Same, why: None, spec };
    if let Some(v) = version_after(&lower, "ubuntu") {
        let mut parts = v.split('.');
        let major = parts.next().unwrap_or_default();
        let minor = parts.next().filter(|m| !m.is_empty()).unwrap_or("04");
        let rel = format!("{major}.{minor}");
        // Canonical's SSM aliases as rocklift knows them: LTS releases (YY.04, even YY) from 16.04.
        let lts = minor == "04" && major.parse::<u32>().is_ok_and(|m| m >= 16 && m % 2 == 0);
        if lts {
            return same(format!("Ubuntu {rel}"), Spec::Ubuntu(rel));
        }
        return bring_ami(
            os,
            format!(
                "Ubuntu {rel} is not an LTS release: rocklift knows Canonical's public aliases for LTS releases only"
            ),
        );
    }
    if let Some(major) = version_after(&lower, "debian").and_then(|v| v.split('.').next()?.parse::<u32>().ok()) {
        // Debian's SSM aliases (`/aws/service/debian/release/N/...`) as rocklift knows them: 12 (bookworm) and later.
        if major >= 12 {
            return same(format!("Debian {major}"), Spec::Debian(major));
        }
        return bring_ami(os, format!("rocklift knows Debian's public aliases for Debian 12 and later, not {major}"));
    }
    let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if squashed.contains("amazonlinux2023") || squashed.contains("al2023") {
        return same("Amazon Linux 2023".to_owned(), Spec::AmazonLinux2023);
    }
    if squashed.contains("amazonlinux2") && !squashed.contains("amazonlinux20") || squashed.contains("amzn2") {
        return same("Amazon Linux 2".to_owned(), Spec::AmazonLinux2);
    }
    OsTarget {
        name: os.target.clone(),
        action: OsAction::BringAmi,
        why: Some(BRING_AMI.to_owned()),
        spec: Spec::Custom,
    }
}

const BRING_AMI: &str = "no public AMI alias is known for it: it stays as it is, and Terraform asks for its AMI id \
                         (other_os_ami_ids)";

/// The OS stays as the inventory names it, from an AMI the user gives; `reason` says why there is no public one.
fn bring_ami(os: &OsInfo, reason: String) -> OsTarget {
    OsTarget {
        name: os.text.clone(),
        action: OsAction::BringAmi,
        why: Some(format!("{reason}; it stays as it is, and Terraform asks for its AMI id (other_os_ami_ids)")),
        spec: Spec::Custom,
    }
}

impl OsTarget {
    /// The image for a server of this OS placed on `arch` (`source_text` names custom images).
    pub fn image(&self, source_text: &str, arch: Arch) -> TargetImage {
        let a = arch.as_str();
        let (deb_arch, name_arch) = match arch {
            Arch::X86_64 => ("amd64", "x86_64"),
            Arch::Arm64 => ("arm64", "aarch64"),
        };
        let (key, description, lookup) = match &self.spec {
            Spec::Rocky(major) => (
                format!("rocky{major}_{a}"),
                format!("Rocky Linux {major} {a} (official EC2 Base image)"),
                ImageLookup::Rocky {
                    owner: ROCKY_OWNER.to_owned(),
                    name_filter: format!("Rocky-{major}-EC2-Base-{major}.*{name_arch}*"),
                    major: *major,
                    arch: a.to_owned(),
                    name_arch: name_arch.to_owned(),
                },
            ),
            // Windows AMIs are x86_64 only; the key has no architecture.
            Spec::Windows(year) => (
                format!("windows_{year}"),
                format!("Windows Server {year} English Full Base (latest, from the public AMI alias)"),
                ImageLookup::Ssm {
                    parameter: format!("/aws/service/ami-windows-latest/Windows_Server-{year}-English-Full-Base"),
                },
            ),
            Spec::Ubuntu(rel) => {
                // Canonical publishes 24.04 and later on gp3 only (image names `hvm-ssd-gp3/...`).
                let newer = rel.split('.').next().and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m >= 24);
                let volume = if newer { "ebs-gp3" } else { "ebs-gp2" };
                (
                    format!("ubuntu_{}_{deb_arch}", rel.replace('.', "_")),
                    format!("Ubuntu {rel} {deb_arch} (latest, Canonical's public AMI alias)"),
                    ImageLookup::Ssm {
                        parameter: format!(
                            "/aws/service/canonical/ubuntu/server/{rel}/stable/current/{deb_arch}/hvm/{volume}/ami-id"
                        ),
                    },
                )
            }
            Spec::Debian(major) => (
                format!("debian_{major}_{deb_arch}"),
                format!("Debian {major} {deb_arch} (latest, Debian's public AMI alias)"),
                ImageLookup::Ssm { parameter: format!("/aws/service/debian/release/{major}/latest/{deb_arch}") },
            ),
            Spec::AmazonLinux2023 => (
                format!("al2023_{a}"),
                format!("Amazon Linux 2023 {a} (latest, public AMI alias)"),
                ImageLookup::Ssm {
                    parameter: format!("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{a}"),
                },
            ),
            Spec::AmazonLinux2 => (
                format!("al2_{a}"),
                format!("Amazon Linux 2 {a} (latest, public AMI alias)"),
                ImageLookup::Ssm { parameter: format!("/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-{a}-gp2") },
            ),
            Spec::Custom => (
                format!("custom_{}_{a}", crate::terraform::hcl::slug(source_text, 40).replace('-', "_")),
                format!("{source_text} {a} (no public alias known: give its AMI id)"),
                ImageLookup::Custom,
            ),
        };
        TargetImage { key, name: self.name.clone(), description, action: self.action, why: self.why.clone(), lookup }
    }
}

/// The image of a classified OS on `arch`: [`decide`] then [`OsTarget::image`].
pub fn image_for(os: &OsInfo, arch: Arch) -> TargetImage {
    decide(os).image(&os.text, arch)
}

/// A Windows Server year in the name: a run of exactly four digits from 2000 to 2099.
fn four_digit_year(lower: &str) -> Option<u32> {
    digit_runs(lower).find(|(run, _)| run.len() == 4 && run.starts_with("20")).and_then(|(run, _)| run.parse().ok())
}

/// "windows 10" → "10", "windows xp" → "XP".
fn desktop_version(lower: &str) -> Option<String> {
    let rest = lower[lower.find("windows")? + "windows".len()..].trim_start();
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    match word.as_str() {
        "" => None,
        "xp" | "vista" => Some(if word == "xp" { "XP".to_owned() } else { "Vista".to_owned() }),
        w if w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 2 => Some(w.to_owned()),
        _ => None,
    }
}

/// The first version number (digits and dots) after `key`, skipping "64-bit" and the like.
fn version_after(lower: &str, key: &str) -> Option<String> {
    let at = lower.find(key)? + key.len();
    digit_runs(&lower[at..])
        .find(|(_, rest)| !rest.starts_with("-bit") && !rest.starts_with(" bit"))
        .map(|(run, _)| run.trim_end_matches('.').to_owned())
}

/// Runs of digits and dots starting with a digit, each with the text after it.
fn digit_runs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        Some((&s[start..i], &s[i..]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::os::classify;

    fn img(text: &str) -> TargetImage {
        image_for(&classify(text).unwrap_or_else(|| panic!("unclassified: {text}")), Arch::X86_64)
    }

    fn ssm(i: &TargetImage) -> &str {
        match &i.lookup {
            ImageLookup::Ssm { parameter } => parameter,
            other => panic!("not an SSM image: {other:?}"),
        }
    }

    #[test]
    fn old_windows_server_is_rebuilt_on_2022() {
        for (text, src) in [
            ("Windows Server 2008 R2 Enterprise", "Windows Server 2008 R2"),
            ("Microsoft Windows Server 2012 (64-bit)", "Windows Server 2012"),
            ("Windows Server 2012 R2 Standard", "Windows Server 2012 R2"),
            ("Microsoft Windows Server 2003 Standard (32-bit)", "Windows Server 2003"),
        ] {
            let i = img(text);
            assert_eq!(
                (i.key.as_str(), i.name.as_str(), i.action),
                ("windows_2022", "Windows Server 2022", OsAction::Rebuild)
            );
            assert_eq!(ssm(&i), "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base");
            let why = i.why.unwrap_or_default();
            assert!(why.starts_with(&format!("{src} is out of support")), "{text}: {why}");
            assert!(why.ends_with("rebuild on Windows Server 2022"), "{why}");
        }
    }

    #[test]
    fn supported_windows_server_keeps_its_version() {
        for year in WINDOWS_ALIAS_YEARS {
            let i = img(&format!("Windows Server {year} Standard"));
            assert_eq!(
                (i.key, i.name, i.action, i.why.is_none()),
                (format!("windows_{year}"), format!("Windows Server {year}"), OsAction::Same, true)
            );
        }
        let i = img("Microsoft Windows Server 2016 or later (64-bit)");
        assert_eq!((i.key.as_str(), i.action), ("windows_2016", OsAction::Assumed));
        let i = img("Microsoft Windows Server (64-bit)");
        assert_eq!((i.key.as_str(), i.action), ("windows_2022", OsAction::Assumed));
    }

    #[test]
    fn windows_desktops_say_there_is_no_licence_included_image() {
        let i = img("Microsoft Windows 10 (64-bit)");
        assert_eq!(
            (i.key.as_str(), i.name.as_str(), i.action),
            ("windows_2022", "Windows Server 2022", OsAction::Rebuild)
        );
        assert_eq!(
            i.why.as_deref(),
            Some(
                "Windows 10 has no licence-included EC2 image: bring your own licence (WorkSpaces, or BYOL on \
                 Dedicated Hosts) or rebuild on Windows Server 2022; planned and priced as Windows Server 2022"
            )
        );
        assert!(img("Windows 11 Enterprise").why.is_some_and(|w| w.starts_with("Windows 11 has no")));
        assert!(img("Windows XP Professional").why.is_some_and(|w| w.starts_with("Windows XP has no")));
    }

    #[test]
    fn enterprise_linux_goes_to_the_official_rocky_image() {
        let i = img("CentOS Linux 7 (Core)");
        assert_eq!((i.key.as_str(), i.name.as_str(), i.action), ("rocky8_x86_64", "Rocky Linux 8", OsAction::Upgrade));
        assert_eq!(
            i.lookup,
            ImageLookup::Rocky {
                owner: ROCKY_OWNER.into(),
                name_filter: "Rocky-8-EC2-Base-8.*x86_64*".into(),
                major: 8,
                arch: "x86_64".into(),
                name_arch: "x86_64".into()
            }
        );
        assert_eq!(img("Red Hat Enterprise Linux 8.8").action, OsAction::Switch);
        assert_eq!(img("Rocky Linux 9.3").action, OsAction::Same);
        assert_eq!(img("Red Hat Enterprise Linux 10").action, OsAction::Downgrade);
        assert_eq!(img("centos").action, OsAction::Assumed);
        let arm = image_for(&classify("AlmaLinux 9.2").expect("el"), Arch::Arm64);
        assert_eq!(arm.key, "rocky9_arm64");
    }

    #[test]
    fn other_linux_from_vendor_aliases() {
        let i = img("Ubuntu 22.04");
        assert_eq!((i.key.as_str(), i.name.as_str(), i.action), ("ubuntu_22_04_amd64", "Ubuntu 22.04", OsAction::Same));
        assert_eq!(ssm(&i), "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id");
        assert_eq!(
            ssm(&img("Ubuntu 24.04.1 LTS")),
            "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
        );
        let d = img("Debian GNU/Linux 12 (64-bit)");
        assert_eq!((d.key.as_str(), ssm(&d)), ("debian_12_amd64", "/aws/service/debian/release/12/latest/amd64"));
        assert_eq!(img("Amazon Linux 2023").key, "al2023_x86_64");
        assert_eq!(img("Amazon Linux 2 (64-bit)").key, "al2_x86_64");
        let s = img("SUSE Linux Enterprise 15 (64-bit)");
        assert_eq!(
            (s.lookup, s.action, s.name.as_str()),
            (ImageLookup::Custom, OsAction::BringAmi, "SUSE Linux Enterprise 15 (64-bit)")
        );
        assert_eq!(img("Ubuntu Linux (64-bit)").lookup, ImageLookup::Custom);
        assert_eq!(
            (img("Ubuntu 23.10").action, img("Debian GNU/Linux 9 (64-bit)").action),
            (OsAction::BringAmi, OsAction::BringAmi)
        );
    }
}
