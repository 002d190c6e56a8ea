//! A `Plan` in, the data every Terraform template renders from out: images, instances (with
//! `count` rows expanded), their volumes, roles and their security rules, and room for the
//! scaling groups and schedules of later versions. Pure; all user text stays raw here and is
//! escaped by the templates' `hcl` filter. Images are the plan's (`os.image`), never decided here.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::hcl::{short_hash, slug, stable_slot};
use crate::error::{Error, Result};
use crate::inventory::OsFamily;
use crate::matching::MatchOutcome;
use crate::money::display_usd_grouped;
use crate::plan::{Plan, VolumeRole};
use crate::target_os::{ImageLookup, TargetImage};

pub use crate::target_os::ROCKY_OWNER;

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub plan_id: String,
    pub region: String,
    pub data_date: String,
    pub generated_by: String,
    pub monthly_usd: String,
    pub rocky_owner: &'static str,
    pub images: Vec<Image>,
    pub instances: Vec<Instance>,
    pub roles: Vec<Role>,
    /// Servers the plan could not place: named in the README, not deployed.
    pub unplaced: Vec<String>,
    /// True when some server needs an AMI id the user must give (`var.other_os_ami_ids`).
    pub needs_custom_images: bool,
    /// Launch template + autoscaling group per `[groups.NAME]`.
    pub scaling_groups: Vec<ScalingGroup>,
    pub scaling_actions: Vec<ScalingActionCtx>,
    /// EventBridge Scheduler start/stop pairs, one entry per server and pair.
    pub schedules: Vec<ScheduleCtx>,
}

/// How an image is found at apply time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    /// `data "aws_ami"` by owner and name (official Rocky, or the Marketplace listing).
    Rocky,
    /// `data "aws_ssm_parameter"` of a public AMI alias (Windows, Ubuntu, Debian, Amazon Linux).
    Ssm,
    /// No public alias known: the user gives the AMI id in `var.other_os_ami_ids`.
    Custom,
}

#[derive(Debug, Clone, Serialize)]
pub struct Image {
    /// Map key, ASCII `[a-z0-9_]` only.
    pub key: String,
    pub kind: ImageKind,
    pub description: String,
    /// Rocky: major version and the architecture as Rocky names it in image names.
    pub major: u32,
    pub arch: String,
    pub name_arch: String,
    /// Ssm: the public parameter holding the AMI id.
    pub ssm_parameter: String,
    /// The snapshot's last known AMI id in the plan's region (a comment only).
    pub ami_hint: Option<String>,
    pub ami_hint_listed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    pub device: String,
    pub size_gib: Decimal,
    /// gp3 IOPS and MiB/s above the included baseline; `None` leaves AWS's baseline.
    pub iops: Option<u32>,
    pub throughput_mbps: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    /// The server name (a `count` row expands to name-01..NN): the `for_each` key, kept literally.
    pub key: String,
    pub row_name: String,
    pub role: String,
    pub instance_type: String,
    pub ebs_optimized: bool,
    pub image_key: String,
    pub image_kind: ImageKind,
    pub os: String,
    pub windows: bool,
    pub root_gib: Decimal,
    pub root_iops: Option<u32>,
    pub root_throughput_mbps: Option<u32>,
    pub data_volumes: Vec<Volume>,
    pub public: bool,
    pub subnet_slot: u32,
    pub tags: BTreeMap<String, String>,
    pub monthly_usd: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScalingGroup {
    /// The group name from rocklift.toml (the `for_each` key).
    pub key: String,
    pub slug: String,
    pub server: String,
    pub role: String,
    pub instance_type: String,
    pub ebs_optimized: bool,
    pub image_key: String,
    pub root_gib: Decimal,
    pub root_iops: Option<u32>,
    pub root_throughput_mbps: Option<u32>,
    pub data_volumes: Vec<Volume>,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScalingActionCtx {
    pub key: String,
    pub group: String,
    pub recurrence: String,
    pub desired: u32,
    pub min: u32,
    pub max: u32,
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleCtx {
    /// `server|n`: unique, stable.
    pub key: String,
    pub server: String,
    pub start: String,
    pub stop: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortRule {
    pub key: String,
    pub from: u16,
    pub to: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    /// The role as the inventory writes it (the `for_each` key).
    pub key: String,
    /// For the security group name.
    pub slug: String,
    /// 22 for Linux servers, 3389 for Windows servers of the role.
    pub admin_ports: Vec<u16>,
    /// Ports open to the internet: only for roles with servers marked public that name them.
    pub public_ports: Vec<PortRule>,
}

impl ImageKind {
    fn of(image: &TargetImage) -> Self {
        match image.lookup {
            ImageLookup::Rocky { .. } => ImageKind::Rocky,
            ImageLookup::Ssm { .. } => ImageKind::Ssm,
            ImageLookup::Custom => ImageKind::Custom,
        }
    }
}

impl Image {
    /// The plan's image as the templates take it (the AMI hint is a comment only).
    fn of(image: &TargetImage, hint: Option<&crate::plan::AmiHint>) -> Self {
        let (major, arch, name_arch, ssm_parameter) = match &image.lookup {
            ImageLookup::Rocky { major, arch, name_arch, .. } => {
                (*major, arch.clone(), name_arch.clone(), String::new())
            }
            ImageLookup::Ssm { parameter } => (0, String::new(), String::new(), parameter.clone()),
            ImageLookup::Custom => (0, String::new(), String::new(), String::new()),
        };
        Image {
            key: image.key.clone(),
            kind: ImageKind::of(image),
            description: image.description.clone(),
            major,
            arch,
            name_arch,
            ssm_parameter,
            ami_hint: hint.map(|h| h.ami_id.clone()),
            ami_hint_listed: hint.map(|h| h.listed.clone()),
        }
    }
}

/// Per role: admin ports, and (from, to) port ranges opened to the internet.
type RolePorts = (BTreeSet<u16>, BTreeSet<(u16, u16)>);

/// Build the template context. Errors when expanded names collide or nothing can be deployed.
pub fn build(plan: &Plan) -> Result<Context> {
    let mut images: BTreeMap<String, Image> = BTreeMap::new();
    let mut instances: Vec<Instance> = Vec::new();
    let mut roles: BTreeMap<String, RolePorts> = BTreeMap::new();
    let mut unplaced = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut schedules: Vec<ScheduleCtx> = Vec::new();
    let mut scaling_groups: Vec<ScalingGroup> = Vec::new();
    let mut scaling_actions: Vec<ScalingActionCtx> = Vec::new();
    for s in &plan.servers {
        let MatchOutcome::Placed(p) = &s.placement else {
            unplaced.push(s.name.clone());
            continue;
        };
        let Some(image) = &s.os.image else {
            return Err(Error::Invalid(vec![crate::error::Problem {
                file: plan.inventory.file.clone(),
                sheet: None,
                line: s.line,
                column: Some("os".into()),
                message: format!(
                    "server '{}' has no os.image in the plan (a plan.json from an older rocklift): run `rocklift plan` again",
                    s.name
                ),
            }]));
        };
        let image_key = image.key.clone();
        let kind = ImageKind::of(image);
        images.entry(image_key.clone()).or_insert_with(|| Image::of(image, s.os.ami_hint.as_ref()));
        let windows = s.os.family == OsFamily::Windows;
        let entry = roles.entry(s.role.clone()).or_default();
        entry.0.insert(if windows { 3389 } else { 22 });
        if s.public {
            for pr in &s.ports {
                entry.1.insert((pr.from, pr.to));
            }
        }
        let root = s.volumes.iter().find(|v| v.role == VolumeRole::Root);
        let root_gib = root.map_or(Decimal::from(20), |v| v.size_gib);
        let (root_iops, root_throughput_mbps) = root.map_or((None, None), |v| (v.iops, v.throughput_mbps));
        let letters = "fghijklmnop";
        let data_volumes: Vec<Volume> = s
            .volumes
            .iter()
            .filter(|v| v.role == VolumeRole::Data)
            .zip(letters.chars())
            .map(|(v, l)| Volume {
                device: if windows { format!("xvd{l}") } else { format!("/dev/sd{l}") },
                size_gib: v.size_gib,
                iops: v.iops,
                throughput_mbps: v.throughput_mbps,
            })
            .collect();
        if let Some(g) = &s.group {
            for a in &g.actions {
                scaling_actions.push(ScalingActionCtx {
                    key: format!("{}|{}", g.name, a.name),
                    group: g.name.clone(),
                    recurrence: a.recurrence.clone(),
                    desired: a.desired,
                    min: g.min,
                    max: g.max,
                    time_zone: g.time_zone.clone(),
                });
            }
            scaling_groups.push(ScalingGroup {
                key: g.name.clone(),
                slug: slug(&g.name, 20),
                server: s.name.clone(),
                role: s.role.clone(),
                instance_type: p.instance_type.clone(),
                ebs_optimized: p.ebs_optimizable,
                image_key: image_key.clone(),
                root_gib,
                root_iops,
                root_throughput_mbps,
                data_volumes: data_volumes.clone(),
                min: g.min,
                max: g.max,
                desired: g.desired,
                tags: s.tags.clone(),
            });
            continue;
        }
        let per_server = s.monthly_usd / Decimal::from(s.count.max(1));
        let names: Vec<String> = if s.count == 1 {
            vec![s.name.clone()]
        } else {
            let width = s.count.to_string().len().max(2);
            (1..=s.count).map(|i| format!("{}-{:0width$}", s.name, i)).collect()
        };
        for name in names {
            if let Some(other) = seen.insert(name.clone(), s.name.clone()) {
                return Err(Error::Invalid(vec![crate::error::Problem {
                    file: plan.inventory.file.clone(),
                    sheet: None,
                    line: s.line,
                    column: Some("name".into()),
                    message: format!(
                        "server '{name}' (from row '{}') has the same name as a server of row '{other}'; rename one of them",
                        s.name
                    ),
                }]));
            }
            if let Some(sch) = s.schedule.as_ref().filter(|sch| !sch.is_always()) {
                for (i, pair) in sch.eventbridge_pairs().into_iter().enumerate() {
                    schedules.push(ScheduleCtx {
                        key: format!("{name}|{i}"),
                        server: name.clone(),
                        start: pair.start,
                        stop: pair.stop,
                        time_zone: sch.tz().to_owned(),
                    });
                }
            }
            instances.push(Instance {
                subnet_slot: stable_slot(&name),
                key: name,
                row_name: s.name.clone(),
                role: s.role.clone(),
                instance_type: p.instance_type.clone(),
                ebs_optimized: p.ebs_optimizable,
                image_key: image_key.clone(),
                image_kind: kind.clone(),
                os: s.os.target.clone(),
                windows,
                root_gib,
                root_iops,
                root_throughput_mbps,
                data_volumes: data_volumes.clone(),
                public: s.public,
                tags: s.tags.clone(),
                monthly_usd: display_usd_grouped(per_server),
            });
        }
    }
    instances.sort_by(|a, b| a.key.cmp(&b.key));
    let roles: Vec<Role> = roles
        .into_iter()
        .map(|(key, (admin, public))| Role {
            slug: slug(&key, 40),
            admin_ports: admin.into_iter().collect(),
            public_ports: public
                .into_iter()
                .map(|(from, to)| PortRule {
                    key: if from == to { from.to_string() } else { format!("{from}-{to}") },
                    from,
                    to,
                })
                .collect(),
            key,
        })
        .collect();
    let id_source: String = instances.iter().map(|i| format!("{}\u{0}{}\u{0}", i.key, i.instance_type)).collect();
    let needs_custom_images = images.values().any(|i| i.kind == ImageKind::Custom);
    Ok(Context {
        plan_id: short_hash(&format!("{}\u{0}{id_source}", plan.settings.region)),
        region: plan.settings.region.clone(),
        data_date: plan.pricing.data_date_note.clone(),
        generated_by: format!("rocklift {}", plan.rocklift_version),
        monthly_usd: display_usd_grouped(plan.totals.monthly_usd),
        rocky_owner: ROCKY_OWNER,
        images: images.into_values().collect(),
        instances,
        roles,
        unplaced,
        needs_custom_images,
        scaling_groups,
        scaling_actions,
        schedules: {
            schedules.sort_by(|a, b| a.key.cmp(&b.key));
            schedules
        },
    })
}
