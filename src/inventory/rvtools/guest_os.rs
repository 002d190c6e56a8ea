//! A VM's two vInfo OS texts in (what VMware Tools reports, what the configuration file says), the
//! classified OS the plan uses out, with notes; or, when neither is an OS rocklift can plan, why.
//!
//! The VMware Tools OS is what the guest really runs (the configuration-file OS is what someone picked
//! when creating the VM, often long before an upgrade), so it wins when rocklift knows it. When Tools
//! reports nothing (VM off, no Tools) or something rocklift does not know, the configuration-file OS
//! is used, with a note when Tools said something else. An OS neither column names in a way
//! [`os::classify`] knows (VMware Photon OS appliances, FreeBSD, "Other (64-bit)", both columns
//! empty) is not guessed: the VM is left out of the plan with that reason (see `super::build`).
//!
//! VMware's generic guest types ("Other 3.x or later Linux (64-bit)", ...) and "Red Hat Fedora" are
//! handled by `os::classify` itself (an unnamed Linux distribution, and Fedora, both priced as Linux).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::inventory::os::{self, OsInfo};

/// OS texts already classified (`None`: not recognised), so each distinct text is classified once
/// and servers with the same OS text share one `Arc`.
#[derive(Default)]
pub(super) struct OsCache(FxHashMap<String, Option<Arc<OsInfo>>>);

impl OsCache {
    fn classify(&mut self, text: &str) -> Option<Arc<OsInfo>> {
        if let Some(hit) = self.0.get(text) {
            return hit.clone();
        }
        let info = os::classify(text).map(Arc::new);
        self.0.insert(text.to_owned(), info.clone());
        info
    }
}

/// The OS to plan with, and what to note about the choice.
pub(super) struct Chosen {
    pub(super) os: Arc<OsInfo>,
    pub(super) notes: Vec<String>,
}

/// Choose the OS from the VMware Tools text (`tools`) and the configuration-file text (`config`);
/// `Err` is why the VM cannot be planned.
pub(super) fn choose(
    tools: Option<&str>,
    config: Option<&str>,
    tools_label: &str,
    config_label: &str,
    cache: &mut OsCache,
) -> Result<Chosen, String> {
    let from_tools = tools.and_then(|t| cache.classify(t));
    let from_config = config.and_then(|c| cache.classify(c));
    let mut notes = Vec::new();
    let os = match (from_tools, from_config) {
        (Some(os), _) => os,
        (None, Some(os)) => {
            if let Some(t) = tools {
                notes.push(format!(
                    "'{tools_label}' says '{t}', an OS rocklift does not know; planned from '{config_label}': '{}'",
                    os.text
                ));
            }
            os
        }
        (None, None) => {
            return Err(match (tools, config) {
                (None, None) => {
                    format!("no OS: '{tools_label}' and '{config_label}' are both empty; rocklift plans only Linux and Windows Server VMs")
                }
                (Some(t), None) | (None, Some(t)) => {
                    format!("OS '{t}' is not one rocklift can plan (it plans Linux and Windows Server VMs)")
                }
                (Some(t), Some(c)) if t == c => {
                    format!("OS '{t}' is not one rocklift can plan (it plans Linux and Windows Server VMs)")
                }
                (Some(t), Some(c)) => format!(
                    "OS '{t}' (VMware Tools) / '{c}' (configuration file) is not one rocklift can plan (it plans Linux and Windows Server VMs)"
                ),
            });
        }
    };
    Ok(Chosen { os, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::OsFamily;
    use crate::pricing::PriceOs;

    fn pick(tools: Option<&str>, config: Option<&str>) -> Result<(String, OsFamily, Vec<String>), String> {
        let mut cache = OsCache::default();
        choose(tools, config, "OS according to the VMware Tools", "OS according to the configuration file", &mut cache)
            .map(|c| (c.os.target.clone(), c.os.family, c.notes))
    }

    #[test]
    fn tools_wins_when_known() {
        let (target, family, notes) =
            pick(Some("Red Hat Enterprise Linux 8 (64-bit)"), Some("Red Hat Enterprise Linux 9 (64-bit)"))
                .expect("known");
        assert_eq!((target.as_str(), family), ("Rocky Linux 8", OsFamily::Rhel));
        assert!(notes.is_empty());
    }

    #[test]
    fn config_when_tools_empty_or_unknown() {
        let (target, _, notes) = pick(None, Some("CentOS 7 (64-bit)")).expect("known");
        assert_eq!(target, "Rocky Linux 8");
        assert!(notes.is_empty());
        let (target, _, notes) = pick(Some("Plan 9"), Some("Microsoft Windows Server 2019 (64-bit)")).expect("known");
        assert_eq!(target, "Windows Server 2019");
        assert_eq!(notes, vec!["'OS according to the VMware Tools' says 'Plan 9', an OS rocklift does not know; planned from 'OS according to the configuration file': 'Microsoft Windows Server 2019 (64-bit)'".to_string()]);
    }

    #[test]
    fn generic_other_linux_is_linux_with_a_note() {
        let (target, family, notes) = pick(Some("Other 3.x or later Linux (64-bit)"), None).expect("linux");
        assert_eq!((target.as_str(), family), ("Linux (distribution not named)", OsFamily::OtherLinux));
        assert!(notes.is_empty(), "the OS note says it: {notes:?}");
    }

    #[test]
    fn vmware_red_hat_fedora_is_fedora() {
        let mut cache = OsCache::default();
        let os = cache.classify("Red Hat Fedora (64-bit)").expect("fedora");
        assert_eq!(os.family, OsFamily::OtherLinux);
        assert_eq!(os.text, "Red Hat Fedora (64-bit)");
        assert_eq!(os.target, "Red Hat Fedora (64-bit)");
        assert_eq!(os.price_os, PriceOs::Linux);
    }

    #[test]
    fn unknown_os_is_a_reason_not_a_guess() {
        assert_eq!(
            pick(Some("VMware Photon OS (64-bit)"), Some("Other (64-bit)")).err().as_deref(),
            Some("OS 'VMware Photon OS (64-bit)' (VMware Tools) / 'Other (64-bit)' (configuration file) is not one rocklift can plan (it plans Linux and Windows Server VMs)")
        );
        assert_eq!(
            pick(None, Some("FreeBSD 13 (64-bit)")).err().as_deref(),
            Some("OS 'FreeBSD 13 (64-bit)' is not one rocklift can plan (it plans Linux and Windows Server VMs)")
        );
        assert_eq!(
            pick(Some("VMware Photon OS (64-bit)"), Some("VMware Photon OS (64-bit)")).err().as_deref(),
            Some("OS 'VMware Photon OS (64-bit)' is not one rocklift can plan (it plans Linux and Windows Server VMs)")
        );
        assert!(pick(None, None).is_err_and(|m| m.starts_with("no OS:")));
    }

    #[test]
    fn same_text_shares_one_arc() {
        let mut cache = OsCache::default();
        let a = cache.classify("CentOS 7 (64-bit)").expect("known");
        let b = cache.classify("CentOS 7 (64-bit)").expect("known");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
