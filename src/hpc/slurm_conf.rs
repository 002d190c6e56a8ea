//! The cloud node types a burst plan uses (with how many of each at most) in; the `slurm.conf` fragment for Slurm's
//! power saving ("cloud scheduling": nodes in State=CLOUD resumed and suspended by scripts) and the resume / suspend
//! script skeletons that start and stop them with the AWS CLI and the launch templates out.
//!
//! Parameter meanings follow Slurm's `slurm.conf(5)` and its Power Saving Guide: `SuspendProgram` /
//! `ResumeProgram` run on the controller with a hostlist; `SuspendTime` is the idle seconds before a node is
//! suspended; `ResumeTimeout` the seconds a resumed node has to register; `SuspendTimeout` the seconds a
//! suspend may take; `ResumeRate` / `SuspendRate` nodes per minute; `SlurmctldParameters=idle_on_node_suspend`
//! marks suspended nodes idle; `CommunicationParameters=NoAddrCache` because cloud nodes change addresses;
//! `TreeWidth` is raised so the controller talks to cloud nodes directly (their names do not resolve before they
//! boot).

use serde::{Deserialize, Serialize};

/// Share of an instance's memory given to Slurm as `RealMemory`: the rest is left for the OS and kernel (a
/// rocklift assumption; a node whose RealMemory exceeds what it has is set DRAIN by Slurm).
pub const REAL_MEMORY_PCT: u64 = 95;
/// Idle seconds before a cloud node is stopped (a rocklift default; Slurm's own default is -1, never).
pub const SUSPEND_TIME_S: u32 = 300;
/// Seconds a resumed node has to boot and register (EC2 boot plus Rocky Linux and slurmd start).
pub const RESUME_TIMEOUT_S: u32 = 600;
pub const SUSPEND_TIMEOUT_S: u32 = 120;
/// Nodes started or stopped per minute (0 = no limit); EC2 run-instances calls are throttled per account.
pub const RESUME_RATE: u32 = 100;
/// Slurm's largest TreeWidth: the controller contacts cloud nodes directly.
pub const TREE_WIDTH: u32 = 65533;

/// One cloud node type of the fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudNodeType {
    pub instance_type: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub gpus: u32,
    pub gpu_model: Option<String>,
    /// Most nodes of this type ever running at once in the replay.
    pub max_nodes: u64,
    pub efa: bool,
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

/// The `slurm.conf` fragment: global power-saving parameters, one `NodeName` line per type, one cloud partition.
pub fn fragment(types: &[CloudNodeType], partition: &str, generated_by: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!("# Cloud burst nodes for Slurm power saving, written by {generated_by}.\n"));
    s.push_str("# Append to slurm.conf on the controller (or Include it) and run `scontrol reconfigure`.\n\n");
    s.push_str("# Scripts run by slurmctld with a hostlist of nodes to start / stop (see resume.sh, suspend.sh).\n");
    s.push_str("ResumeProgram=/etc/slurm/rocklift/resume.sh\n");
    s.push_str("SuspendProgram=/etc/slurm/rocklift/suspend.sh\n");
    s.push_str("# Idle seconds before a cloud node is stopped (billing stops with it).\n");
    s.push_str(&format!("SuspendTime={SUSPEND_TIME_S}\n"));
    s.push_str("# Seconds a started node has to boot and register before Slurm marks it DOWN.\n");
    s.push_str(&format!("ResumeTimeout={RESUME_TIMEOUT_S}\n"));
    s.push_str("# Seconds a stop may take before the node can be started again.\n");
    s.push_str(&format!("SuspendTimeout={SUSPEND_TIMEOUT_S}\n"));
    s.push_str("# Nodes started / stopped per minute, below EC2's API throttling.\n");
    s.push_str(&format!("ResumeRate={RESUME_RATE}\n"));
    s.push_str(&format!("SuspendRate={RESUME_RATE}\n"));
    s.push_str("# Suspended nodes count as idle, so jobs can be scheduled onto them (and resume them).\n");
    s.push_str("SlurmctldParameters=idle_on_node_suspend\n");
    s.push_str("# Cloud nodes get new addresses each time they start: do not cache them.\n");
    s.push_str("CommunicationParameters=NoAddrCache\n");
    s.push_str("# Contact cloud nodes directly (their names do not resolve before they boot).\n");
    s.push_str(&format!("TreeWidth={TREE_WIDTH}\n\n"));
    let mut names = Vec::new();
    for t in types {
        let real = t.memory_mib * REAL_MEMORY_PCT / 100;
        s.push_str(&format!(
            "# {}: {} vCPU, {} MiB ({}% as RealMemory){}; at most {} at once in the replay\n",
            t.instance_type,
            t.vcpus,
            t.memory_mib,
            REAL_MEMORY_PCT,
            if t.efa { ", EFA" } else { "" },
            t.max_nodes
        ));
        let mut features = vec!["cloud".to_owned(), t.instance_type.clone()];
        if t.efa {
            features.push("efa".to_owned());
        }
        let gres = match (t.gpus, &t.gpu_model) {
            (0, _) => String::new(),
            (n, Some(m)) => format!(" Gres=gpu:{}:{n}", m.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            (n, None) => format!(" Gres=gpu:{n}"),
        };
        let list = hostlist(t);
        s.push_str(&format!(
            "NodeName={list} State=CLOUD CPUs={} RealMemory={real} Feature={}{gres}\n",
            t.vcpus,
            features.join(",")
        ));
        names.push(list);
    }
    s.push_str("\n# Jobs sent to the cloud go to this partition (or ask for the feature `cloud`).\n");
    s.push_str(&format!(
        "PartitionName={partition} Nodes={} State=UP Default=NO MaxTime=INFINITE\n",
        if names.is_empty() { "\"\"".to_owned() } else { names.join(",") }
    ));
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

    fn t(name: &str, gpus: u32, max: u64, efa: bool) -> CloudNodeType {
        CloudNodeType {
            instance_type: name.into(),
            vcpus: 8,
            memory_mib: 16384,
            gpus,
            gpu_model: (gpus > 0).then(|| "a10g".to_owned()),
            max_nodes: max,
            efa,
        }
    }

    #[test]
    fn node_lines_and_partition() {
        let f = fragment(&[t("c7a.2xlarge", 0, 8, false), t("g5.2xlarge", 1, 1, true)], "cloud", "rocklift test");
        assert!(f.contains(
            "NodeName=cloud-c7a-2xlarge-[1-8] State=CLOUD CPUs=8 RealMemory=15564 Feature=cloud,c7a.2xlarge\n"
        ));
        assert!(f.contains(
            "NodeName=cloud-g5-2xlarge-1 State=CLOUD CPUs=8 RealMemory=15564 Feature=cloud,g5.2xlarge,efa Gres=gpu:a10g:1\n"
        ));
        assert!(f.contains(
            "PartitionName=cloud Nodes=cloud-c7a-2xlarge-[1-8],cloud-g5-2xlarge-1 State=UP Default=NO MaxTime=INFINITE\n"
        ));
    }
}
