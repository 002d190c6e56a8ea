//! Requirements, the catalog and one region's prices in, a `Placement` per requirement out: the cheapest
//! current-generation type offered in the region that meets vCPU, memory, GPU (count and model) and arch,
//! with the reason and the runner-up.
//!
//! Left out of automatic placement: types AWS lists as previous generation (unless asked for), bare metal, Mac, types with GPUs for servers
//! without GPUs, and t-family types unless the requirement's burstable rule admits them. Ties on price go
//! to fewer vCPUs, then less memory, then the type name, so the result never depends on input order.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::inventory::ArchChoice;
use crate::pricing::burst_baseline;
use crate::pricing::catalog::Arch;
use crate::pricing::{Catalog, InstanceSpec, PriceOs, RegionPrices, Term};
use crate::sizing::{BurstableRule, Requirement};

/// The smallest memory of a burstable type the `auto` rule admits (`small` and up).
const BURSTABLE_MIN_MEMORY_GIB: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerUp {
    pub instance_type: String,
    pub hourly_usd: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub instance_type: String,
    pub vcpus: u32,
    pub memory_gib: Decimal,
    pub gpus: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gpu_model: String,
    pub arch: Arch,
    pub burstable: bool,
    /// On-demand $/h for the requirement's OS.
    pub hourly_usd: Decimal,
    /// Manifest source id of that price.
    pub price_source: String,
    /// The next cheapest type that fits, if any.
    pub runner_up: Option<RunnerUp>,
    /// Whether the type accepts `ebs_optimized = true` (EC2 refuses it for t2).
    #[serde(default = "yes")]
    pub ebs_optimizable: bool,
}

fn yes() -> bool {
    true
}

/// Shared between every server with the same requirement (a large inventory has few distinct ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MatchOutcome {
    Placed(Arc<Placement>),
    Unplaced { reason: Arc<str> },
}

struct Candidate<'a> {
    spec: &'a InstanceSpec,
    memory_gib: Decimal,
    hourly: Decimal,
    source: &'a str,
    gpu_key: String,
}

/// Candidates for one OS, cheapest first, burstable types apart (their fit depends on the load).
#[derive(Default)]
struct Lists<'a> {
    regular: Vec<Candidate<'a>>,
    burstable: Vec<Candidate<'a>>,
}

/// The cheapest and next cheapest fitting candidates of one list.
#[derive(Clone, Copy, Default)]
struct Top2<'c, 'a> {
    best: Option<&'c Candidate<'a>>,
    second: Option<&'c Candidate<'a>>,
}

impl<'c, 'a> Top2<'c, 'a> {
    fn scan(list: &'c [Candidate<'a>], mut pred: impl FnMut(&Candidate<'a>) -> bool) -> Self {
        let mut it = list.iter().filter(|c| pred(c));
        let best = it.next();
        let second = if best.is_some() { it.next() } else { None };
        Top2 { best, second }
    }

    /// The two cheapest of both, in candidate order.
    fn merge(self, other: Top2<'c, 'a>) -> Self {
        let mut all: Vec<&Candidate<'a>> =
            [self.best, self.second, other.best, other.second].into_iter().flatten().collect();
        all.sort_by(|a, b| order(a, b));
        Top2 { best: all.first().copied(), second: all.get(1).copied() }
    }
}

fn order(a: &Candidate<'_>, b: &Candidate<'_>) -> std::cmp::Ordering {
    a.hourly
        .cmp(&b.hourly)
        .then(a.spec.vcpus.cmp(&b.spec.vcpus))
        .then(a.spec.memory_mib.cmp(&b.spec.memory_mib))
        .then(a.spec.instance_type.cmp(&b.spec.instance_type))
}

/// Everything a placement depends on: equal keys give equal placements.
#[derive(Hash, PartialEq, Eq, Clone, Debug)]
pub struct RequirementKey {
    vcpus: u32,
    memory_gib: Decimal,
    gpus: u32,
    gpu_model: Option<String>,
    arch: &'static str,
    os: PriceOs,
    burstable: (u8, Decimal),
}

impl RequirementKey {
    pub fn of(req: &Requirement) -> Self {
        RequirementKey {
            vcpus: req.vcpus,
            memory_gib: req.memory_gib.normalize(),
            gpus: req.gpus,
            gpu_model: req.gpu_model.clone(),
            arch: req.arch.as_str(),
            os: req.price_os,
            burstable: match req.burstable {
                BurstableRule::Never => (0, Decimal::ZERO),
                BurstableRule::Allow => (1, Decimal::ZERO),
                BurstableRule::IfBaselineCovers { load_vcpus } => (2, load_vcpus.normalize()),
            },
        }
    }
}

/// Candidates per OS, sorted cheapest first; placements memoised per distinct requirement.
pub struct Matcher<'a> {
    region: String,
    lists: HashMap<PriceOs, Lists<'a>>,
    memo: FxHashMap<RequirementKey, MatchOutcome>,
}

/// Upper-case letters and digits only, vendor words removed: "NVIDIA Tesla V100-SXM2" → ["V100", "SXM2"].
fn gpu_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_uppercase)
        .filter(|t| !matches!(t.as_str(), "NVIDIA" | "TESLA" | "AMD" | "RADEON" | "GPU" | "XILINX" | "INTEL"))
        .collect()
}

impl<'a> Matcher<'a> {
    /// `previous_generation`: also place types AWS lists as previous generation.
    pub fn new(catalog: &'a Catalog, prices: &'a RegionPrices, previous_generation: bool) -> Self {
        let mut lists = HashMap::new();
        for os in PriceOs::ALL {
            let mut l = Lists::default();
            for spec in catalog.iter().filter(|s| {
                (s.current_generation || previous_generation) && !s.bare_metal && !s.is_mac() && s.arch().is_some()
            }) {
                let Some(tp) = prices.get(&spec.instance_type) else { continue };
                if !tp.is_offered() {
                    continue;
                }
                let Some(hourly) = tp.get(os, Term::OnDemand) else { continue };
                let c = Candidate {
                    spec,
                    memory_gib: spec.memory_gib(),
                    hourly,
                    source: tp.source(os, Term::OnDemand),
                    gpu_key: gpu_tokens(&spec.gpu_model).join(" "),
                };
                if spec.burstable {
                    l.burstable.push(c);
                } else {
                    l.regular.push(c);
                }
            }
            l.regular.sort_by(|a, b| order(a, b));
            l.burstable.sort_by(|a, b| order(a, b));
            lists.insert(os, l);
        }
        Matcher { region: prices.region.clone(), lists, memo: FxHashMap::default() }
    }

    /// Number of types that can be placed for `os` in this region.
    pub fn candidate_count(&self, os: PriceOs) -> usize {
        self.lists.get(&os).map_or(0, |l| l.regular.len() + l.burstable.len())
    }

    /// The placement for `req` (memoised: equal requirements share one `Placement`).
    pub fn place(&mut self, req: &Requirement) -> MatchOutcome {
        let key = RequirementKey::of(req);
        if let Some(hit) = self.memo.get(&key) {
            return hit.clone();
        }
        let outcome = self.search(req);
        self.memo.insert(key, outcome.clone());
        outcome
    }

    fn search(&self, req: &Requirement) -> MatchOutcome {
        let Some(lists) = self.lists.get(&req.price_os) else {
            return MatchOutcome::Unplaced {
                reason: format!("no prices for {} in {}", req.price_os, self.region).into(),
            };
        };
        let want_gpu: Vec<String> = req.gpu_model.as_deref().map(gpu_tokens).unwrap_or_default();
        let top = Top2::scan(&lists.regular, |c| fits(c, req, &want_gpu))
            .merge(Top2::scan(&lists.burstable, |c| fits(c, req, &want_gpu)));
        let Some(best) = top.best else {
            let all: Vec<&Candidate<'_>> = lists.regular.iter().chain(&lists.burstable).collect();
            return MatchOutcome::Unplaced { reason: self.why_nothing_fits(req, &all, &want_gpu).into() };
        };
        let arch = [Arch::X86_64, Arch::Arm64]
            .into_iter()
            .find(|a| best.spec.supports(*a) && req.arch.allows(*a))
            .unwrap_or(Arch::X86_64);
        MatchOutcome::Placed(Arc::new(Placement {
            instance_type: best.spec.instance_type.clone(),
            vcpus: best.spec.vcpus,
            memory_gib: best.memory_gib.normalize(),
            gpus: best.spec.gpus,
            gpu_model: best.spec.gpu_model.clone(),
            arch,
            burstable: best.spec.burstable,
            hourly_usd: best.hourly,
            price_source: best.source.to_owned(),
            runner_up: top
                .second
                .map(|r| RunnerUp { instance_type: r.spec.instance_type.clone(), hourly_usd: r.hourly }),
            ebs_optimizable: best.spec.ebs_optimizable(),
        }))
    }

    /// Every type that fits `req`, cheapest first, as (spec, on-demand $/h, price source).
    pub fn all_fitting(&self, req: &Requirement) -> Vec<(&'a InstanceSpec, Decimal, &'a str)> {
        let want_gpu: Vec<String> = req.gpu_model.as_deref().map(gpu_tokens).unwrap_or_default();
        let Some(l) = self.lists.get(&req.price_os) else { return Vec::new() };
        let mut all: Vec<&Candidate<'a>> =
            l.regular.iter().chain(&l.burstable).filter(|c| fits(c, req, &want_gpu)).collect();
        all.sort_by(|a, b| order(a, b));
        all.into_iter().map(|c| (c.spec, c.hourly, c.source)).collect()
    }

    fn why_nothing_fits(&self, req: &Requirement, list: &[&Candidate<'_>], want_gpu: &[String]) -> String {
        let arch_ok: Vec<&Candidate<'_>> = list.iter().copied().filter(|c| arch_allows(c.spec, req.arch)).collect();
        let mut need = format!("{} vCPU, {} GiB", req.vcpus, req.memory_gib.normalize());
        if req.gpus > 0 {
            need.push_str(&format!(", {} GPU", req.gpus));
            if let Some(m) = &req.gpu_model {
                need.push_str(&format!(" ({m})"));
            }
        }
        let mut reason =
            format!("no type priced for {} in {} has {need} on {}", req.price_os, self.region, req.arch.as_str());
        if req.gpus > 0 && !want_gpu.is_empty() {
            let mut models: Vec<&str> =
                arch_ok.iter().map(|c| c.spec.gpu_model.as_str()).filter(|m| !m.is_empty()).collect();
            models.sort_unstable();
            models.dedup();
            reason.push_str(&format!(
                "; GPU models offered: {}",
                if models.is_empty() { "none".into() } else { models.join(", ") }
            ));
        } else if let Some(big) =
            arch_ok.iter().filter(|c| c.spec.gpus >= req.gpus).max_by_key(|c| (c.spec.vcpus, c.spec.memory_mib))
        {
            reason.push_str(&format!(
                "; the largest is {} ({} vCPU, {} GiB)",
                big.spec.instance_type,
                big.spec.vcpus,
                big.memory_gib.normalize()
            ));
        }
        reason
    }
}

fn arch_allows(spec: &InstanceSpec, choice: ArchChoice) -> bool {
    [Arch::X86_64, Arch::Arm64].into_iter().any(|a| spec.supports(a) && choice.allows(a))
}

fn fits(c: &Candidate<'_>, req: &Requirement, want_gpu: &[String]) -> bool {
    if c.spec.vcpus < req.vcpus || c.memory_gib < req.memory_gib || !arch_allows(c.spec, req.arch) {
        return false;
    }
    if req.gpus == 0 {
        if c.spec.gpus > 0 {
            return false;
        }
    } else if c.spec.gpus < req.gpus
        || (!want_gpu.is_empty() && !want_gpu.iter().any(|t| c.gpu_key.split(' ').any(|k| k == t)))
    {
        return false;
    }
    if c.spec.burstable {
        match req.burstable {
            BurstableRule::Never => return false,
            BurstableRule::Allow => {}
            BurstableRule::IfBaselineCovers { load_vcpus } => {
                // AWS's published baseline of this very type; a type without one is not admitted.
                let Some(baseline) = burst_baseline::baseline_vcpus(&c.spec.instance_type) else { return false };
                if baseline < load_vcpus || c.memory_gib < Decimal::from(BURSTABLE_MIN_MEMORY_GIB) {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::gpu_tokens;

    #[test]
    fn gpu_names() {
        assert_eq!(gpu_tokens("NVIDIA Tesla V100-SXM2-32GB"), vec!["V100", "SXM2", "32GB"]);
        assert_eq!(gpu_tokens("a100"), vec!["A100"]);
    }
}
