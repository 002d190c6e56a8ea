//! The cloud node types a burst plan uses (with how many of each at most) in; the Slurm configuration a site
//! applies out: `cloud.conf`, an `Include`-able fragment that only adds the cloud nodes (State=CLOUD, features,
//! a Weight above every on-prem node) and the cloud partition with its own power saving, and
//! `required-global.conf`, the global keys the cloud nodes need, each with why and how to merge it with the
//! site's own value. The resume / suspend script skeletons that start and stop the nodes with the AWS CLI and
//! the launch templates are below.
//!
//! Parameter meanings follow Slurm 22.05's `slurm.conf(5)` and its Power Saving and Cloud Scheduling guides:
//! `SuspendTime`, `SuspendTimeout` and `ResumeTimeout` may be set per partition (a node in no partition with
//! them uses the global value, whose default INFINITE never suspends); `SuspendProgram` / `ResumeProgram` /
//! `ResumeFailProgram` run on the controller with a hostlist; `SuspendExcParts` keeps a partition's nodes out of
//! power saving; `SlurmctldParameters=idle_on_node_suspend` marks suspended nodes idle, `cloud_reg_addrs` sets a
//! cloud node's address when it registers; `PrivateData=cloud` shows powered-down cloud nodes in sinfo and
//! scontrol; `CommunicationParameters=NoAddrCache` because cloud nodes change addresses; `TreeWidth` at least
//! the node count so the controller talks to cloud nodes directly; `Weight`: Slurm allocates the lowest-weight
//! nodes that satisfy a job first.

use serde::{Deserialize, Serialize};

/// Share of an instance's memory given to Slurm as `RealMemory`, the figure jobs are matched and priced
/// against: AWS ParallelCluster's default for memory-based scheduling ("RealMemory is set to 95% of the
/// memory listed in Amazon EC2 Instance Types"). The rest is the kernel's and the OS's; Slurm 22.05 lets a
/// State=CLOUD node register with 90 % of RealMemory (`node_reg_mem_percent`), so a node that reports a
/// little less still joins.
pub const REAL_MEMORY_PCT: u64 = 95;
/// Idle seconds before a cloud node is stopped (a rocklift default; Slurm's own default is INFINITE, never).
pub const SUSPEND_TIME_S: u32 = 300;
/// Seconds a resumed node has to boot and register (EC2 boot plus Rocky Linux, cloud-init and slurmd start).
pub const RESUME_TIMEOUT_S: u32 = 600;
pub const SUSPEND_TIMEOUT_S: u32 = 120;
/// Nodes started or stopped per minute (0 = no limit); EC2 run-instances calls are throttled per account.
pub const RESUME_RATE: u32 = 100;
/// Cloud node weights start here: above any on-prem node's (Slurm's default Weight is 1), so on-prem nodes
/// fill first; each cloud type adds its price rank, so the cheapest type that fits a job is the one Slurm picks.
pub const CLOUD_WEIGHT_BASE: u32 = 10_000;
/// Where the scripts are installed on the controller.
pub const SCRIPT_DIR: &str = "/etc/slurm/rocklift";

/// `slurm/README.md`: what to apply, in which order, and what the burst plan does not model.
pub const README: &str = include_str!("slurm_readme.md");

/// `RealMemory` of a cloud node of an instance type with `instance_mib` of memory.
pub fn real_memory_mib(instance_mib: u64) -> u64 {
    instance_mib * REAL_MEMORY_PCT / 100
}

/// One cloud node type of the fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudNodeType {
    pub instance_type: String,
    pub vcpus: u32,
    /// The instance's memory, as EC2 lists it.
    pub memory_mib: u64,
    /// What the node offers Slurm ([`real_memory_mib`]): jobs are matched and priced against this.
    #[serde(default)]
    pub real_memory_mib: u64,
    pub gpus: u32,
    pub gpu_model: Option<String>,
    /// Most nodes of this type ever running at once in the replay.
    pub max_nodes: u64,
    pub efa: bool,
    /// Slurm `Weight`: [`CLOUD_WEIGHT_BASE`] + the type's rank by price (cheapest 1).
    #[serde(default)]
    pub weight: u32,
}

/// Slurm node names for a type: `cloud-c7a-2xlarge-[1-8]` (letters, digits and `-` only).
pub fn node_prefix(instance_type: &str) -> String {
    let mut s = String::from("cloud-");
    for c in instance_type.chars() {
        s.push(if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' });
    }
    s
}

fn hostlist(t: &CloudNodeType) -> String {
    let n = t.max_nodes.max(1);
    if n == 1 {
        format!("{}-1", node_prefix(&t.instance_type))
    } else {
        format!("{}-[1-{n}]", node_prefix(&t.instance_type))
    }
}

/// A GPU model as a GRES type name (letters and digits, lower case).
fn gres_type(model: &str) -> String {
    model.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

/// `cloud.conf`: one `NodeName` line per type and the cloud partition, nothing global.
pub fn cloud_conf(types: &[CloudNodeType], partition: &str, generated_by: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!("# Cloud burst nodes for Slurm, written by {generated_by}.\n"));
    s.push_str("# Adds only the cloud nodes and their partition; it sets nothing global. Include it from slurm.conf\n");
    s.push_str(&format!("# on the controller (Include {SCRIPT_DIR}/cloud.conf), merge required-global.conf into\n"));
    s.push_str("# slurm.conf, then restart slurmctld: adding nodes and turning power saving on need a restart\n");
    s.push_str("# (`scontrol reconfigure` is not enough). See README.md beside this file.\n\n");
    let mut names = Vec::new();
    for t in types {
        s.push_str(&format!(
            "# {}: {} vCPU, {} MiB, {} MiB as RealMemory ({REAL_MEMORY_PCT}%){}; at most {} at once in the replay\n",
            t.instance_type,
            t.vcpus,
            t.memory_mib,
            t.real_memory_mib,
            if t.efa { ", EFA" } else { "" },
            t.max_nodes
        ));
        let mut features = vec!["cloud".to_owned(), t.instance_type.clone()];
        if t.efa {
            features.push("efa".to_owned());
        }
        let gres = match (t.gpus, &t.gpu_model) {
            (0, _) => String::new(),
            (n, Some(m)) => format!(" Gres=gpu:{}:{n}", gres_type(m)),
            (n, None) => format!(" Gres=gpu:{n}"),
        };
        let list = hostlist(t);
        s.push_str(&format!(
            "NodeName={list} State=CLOUD CPUs={} RealMemory={} Weight={} Feature={}{gres}\n",
            t.vcpus,
            t.real_memory_mib,
            t.weight,
            features.join(",")
        ));
        names.push(list);
    }
    s.push_str("\n# The cloud partition: burst jobs run here (see README.md for how they are routed). Power saving\n");
    s.push_str("# applies to its nodes only: idle for SuspendTime seconds, a node is stopped and its billing ends.\n");
    s.push_str(&format!(
        "PartitionName={partition} Nodes={} State=UP Default=NO MaxTime=INFINITE SuspendTime={SUSPEND_TIME_S} \
         SuspendTimeout={SUSPEND_TIMEOUT_S} ResumeTimeout={RESUME_TIMEOUT_S}\n",
        if names.is_empty() { "\"\"".to_owned() } else { names.join(",") }
    ));
    s
}

/// `required-global.conf`: the global keys the cloud nodes need, each with why and how to merge it.
/// `onprem_partitions` are kept out of power saving; `nodes` is the number of cloud nodes.
pub fn required_global(types: &[CloudNodeType], onprem_partitions: &[String], generated_by: &str) -> String {
    let nodes: u64 = types.iter().map(|t| t.max_nodes.max(1)).sum();
    let gpus = types.iter().any(|t| t.gpus > 0);
    let mut s = String::new();
    s.push_str(&format!("# Global slurm.conf keys the cloud nodes of cloud.conf need, written by {generated_by}.\n"));
    s.push_str("# Do not Include this file: merge each key into slurm.conf by hand. A key slurm.conf already has\n");
    s.push_str("# must not be written twice (slurmctld keeps the last one and your value is lost): for a list key\n");
    s.push_str("# (marked MERGE: APPEND) add these items to your comma list; for the others keep one line.\n");
    s.push_str("# Then restart slurmctld.\n\n");
    let key = |s: &mut String, why: &str, line: String| {
        s.push_str(&format!("# {why}\n{line}\n"));
    };
    key(
        &mut s,
        "Run by slurmctld (as SlurmUser) with a hostlist: start cloud nodes, stop them, give up on ones that did not \
         register within ResumeTimeout.",
        format!("ResumeProgram={SCRIPT_DIR}/resume.sh\nSuspendProgram={SCRIPT_DIR}/suspend.sh\nResumeFailProgram={SCRIPT_DIR}/resume_fail.sh"),
    );
    key(
        &mut s,
        "Nodes started / stopped per minute, below EC2's API throttling (Slurm's defaults: 300 and 60).",
        format!("ResumeRate={RESUME_RATE}\nSuspendRate={RESUME_RATE}"),
    );
    key(
        &mut s,
        "MERGE: APPEND. idle_on_node_suspend: a stopped cloud node becomes idle again, so a job can start it; \
         cloud_reg_addrs: a cloud node's address is taken from its registration (its IP changes at each start).",
        "SlurmctldParameters=idle_on_node_suspend,cloud_reg_addrs".to_owned(),
    );
    key(
        &mut s,
        "MERGE: APPEND. Without it powered-down cloud nodes are hidden from sinfo and scontrol, even for root.",
        "PrivateData=cloud".to_owned(),
    );
    key(
        &mut s,
        "MERGE: APPEND. Cloud nodes get a new address at each start: do not cache node addresses.",
        "CommunicationParameters=NoAddrCache".to_owned(),
    );
    if gpus {
        key(
            &mut s,
            "MERGE: APPEND. The GPU nodes' Gres lines are ignored without it (scontrol shows Gres=(null)).",
            "GresTypes=gpu".to_owned(),
        );
    }
    key(
        &mut s,
        &format!(
            "At least the number of nodes ({nodes} cloud nodes here; keep your value if it is larger): cloud nodes \
             cannot relay messages for each other, so the controller contacts each directly."
        ),
        format!("TreeWidth={}", nodes.clamp(50, 65_533)),
    );
    if !onprem_partitions.is_empty() {
        key(
            &mut s,
            "MERGE: APPEND. The on-prem partitions are never put in power saving by the cloud settings, even if a \
             global SuspendTime is set later. Leave this out only if you power-save on-prem nodes on purpose.",
            format!("SuspendExcParts={}", onprem_partitions.join(",")),
        );
    }
    s
}

/// `resume.sh`: start one instance per node name from the type's launch template, tagged with the node name.
pub fn resume_script(types: &[CloudNodeType], region: &str, template_prefix: &str) -> String {
    let mut s = String::from(
        "#!/usr/bin/env bash\n\
         # Slurm ResumeProgram: start an EC2 instance for each node in the hostlist ($1) from its launch template.\n\
         # Written by rocklift as a starting point: check it, then install as /etc/slurm/rocklift/resume.sh (0755).\n\
         set -euo pipefail\n",
    );
    s.push_str(&format!("REGION={region}\n"));
    s.push_str("for node in $(scontrol show hostnames \"$1\"); do\n  case \"$node\" in\n");
    for t in types {
        s.push_str(&format!(
            "    {}-*) template={template_prefix}{} ;;\n",
            node_prefix(&t.instance_type),
            node_prefix(&t.instance_type).trim_start_matches("cloud-")
        ));
    }
    s.push_str("    *) echo \"resume: no launch template for $node\" >&2; continue ;;\n  esac\n");
    s.push_str(
        "  id=$(aws ec2 run-instances --region \"$REGION\" --launch-template \"LaunchTemplateName=$template\" \\\n\
         \x20   --tag-specifications \"ResourceType=instance,Tags=[{Key=Name,Value=$node},{Key=slurm-node,Value=$node}]\" \\\n\
         \x20   --query 'Instances[0].InstanceId' --output text)\n\
         \x20 ip=$(aws ec2 describe-instances --region \"$REGION\" --instance-ids \"$id\" \\\n\
         \x20   --query 'Reservations[0].Instances[0].PrivateIpAddress' --output text)\n\
         \x20 scontrol update NodeName=\"$node\" NodeAddr=\"$ip\" NodeHostname=\"$node\"\n\
         done\n",
    );
    s
}

/// `suspend.sh`: terminate the instances tagged with the node names.
pub fn suspend_script(region: &str) -> String {
    format!(
        "#!/usr/bin/env bash\n\
         # Slurm SuspendProgram: terminate the EC2 instances of the nodes in the hostlist ($1).\n\
         # Written by rocklift as a starting point: check it, then install as /etc/slurm/rocklift/suspend.sh (0755).\n\
         set -euo pipefail\n\
         REGION={region}\n\
         for node in $(scontrol show hostnames \"$1\"); do\n\
         \x20 ids=$(aws ec2 describe-instances --region \"$REGION\" \\\n\
         \x20   --filters \"Name=tag:slurm-node,Values=$node\" \"Name=instance-state-name,Values=pending,running\" \\\n\
         \x20   --query 'Reservations[].Instances[].InstanceId' --output text)\n\
         \x20 if [ -n \"$ids\" ]; then aws ec2 terminate-instances --region \"$REGION\" --instance-ids $ids >/dev/null; fi\n\
         done\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, gpus: u32, max: u64, efa: bool, weight: u32) -> CloudNodeType {
        CloudNodeType {
            instance_type: name.into(),
            vcpus: 8,
            memory_mib: 16384,
            real_memory_mib: real_memory_mib(16384),
            gpus,
            gpu_model: (gpus > 0).then(|| "A10G".to_owned()),
            max_nodes: max,
            efa,
            weight,
        }
    }

    #[test]
    fn node_lines_and_partition() {
        let types = [t("c7a.2xlarge", 0, 8, false, 10_001), t("g5.2xlarge", 1, 1, true, 10_002)];
        let f = cloud_conf(&types, "cloud", "rocklift test");
        assert!(f.contains(
            "NodeName=cloud-c7a-2xlarge-[1-8] State=CLOUD CPUs=8 RealMemory=15564 Weight=10001 Feature=cloud,c7a.2xlarge\n"
        ));
        assert!(f.contains(
            "NodeName=cloud-g5-2xlarge-1 State=CLOUD CPUs=8 RealMemory=15564 Weight=10002 Feature=cloud,g5.2xlarge,efa Gres=gpu:a10g:1\n"
        ));
        assert!(f.contains(
            "PartitionName=cloud Nodes=cloud-c7a-2xlarge-[1-8],cloud-g5-2xlarge-1 State=UP Default=NO MaxTime=INFINITE SuspendTime=300 SuspendTimeout=120 ResumeTimeout=600\n"
        ));
        // Nothing global in the fragment.
        for key in ["SuspendProgram", "SlurmctldParameters", "CommunicationParameters", "TreeWidth", "PrivateData"] {
            assert!(!f.lines().any(|l| l.starts_with(key)), "{key}");
        }
        let g = required_global(&types, &["batch".to_owned()], "rocklift test");
        for line in [
            "SlurmctldParameters=idle_on_node_suspend,cloud_reg_addrs",
            "PrivateData=cloud",
            "GresTypes=gpu",
            "SuspendExcParts=batch",
            "ResumeFailProgram=/etc/slurm/rocklift/resume_fail.sh",
        ] {
            assert!(g.lines().any(|l| l == line), "{line}");
        }
        let no_gpu = required_global(&types[..1], &[], "rocklift test");
        assert!(!no_gpu.contains("GresTypes"));
    }
}
