//! The burst policy the replay simulated (send a job to the cloud when its predicted wait on-prem exceeds
//! `--max-wait`, or every job of the `--partitions` given) and the cloud node types in, the Slurm-side mechanism
//! that applies it out: `route.sh`, run every minute on the controller by a systemd timer
//! (`rocklift-burst-route.service` / `.timer`). For each pending job of the on-prem partitions it reads the
//! scheduler's expected start (`squeue --start`, the backfill scheduler's prediction); when that is more than
//! max-wait after the job's submission, it picks the cheapest cloud type that fits the job's CPUs, memory and
//! GPUs per node — the same rule and the same RealMemory the replay priced with — and moves the job there:
//! `scontrol update jobid=N partition=cloud features=<type>`. Naming the type makes Slurm start exactly the type
//! that was priced (node weights alone do not make slurmctld 22.05 take the lowest-weight powered-down type in
//! every configuration: the slurmctld test saw it take a dearer one).
//!
//! What it does not reproduce exactly (said in slurm/README.md): the replay decides when a job arrives; the
//! router looks once a minute at Slurm's own prediction, which changes as jobs end early, so a job moves up to a
//! minute after its prediction crosses max-wait; a job that asks for one feature the cloud nodes carry
//! (`cloud`, or an instance type such as `m5.large`) goes to that type only, one that asks for a feature
//! expression or licences stays on-prem; a job that names no memory gets a whole node, so memory does not
//! narrow its type.

use super::slurm_conf::CloudNodeType;

/// The route script; `types` cheapest first (as `cloud.conf` weights them), `partitions` the on-prem
/// partitions whose jobs may burst, `always` those whose every job bursts (`--partitions`), `cloud` the cloud
/// partition.
pub fn route_script(
    max_wait_s: i64,
    types: &[CloudNodeType],
    partitions: &[String],
    always: &[String],
    cloud: &str,
    generated_by: &str,
) -> String {
    let mut types: Vec<&CloudNodeType> = types.iter().collect();
    types.sort_by_key(|t| t.weight);
    let mut s = String::from("#!/usr/bin/env bash\n");
    s.push_str(&format!(
        "# Move to the cloud the pending jobs whose predicted wait exceeds MAX_WAIT seconds, each onto the\n\
         # cheapest cloud type that fits it: the burst rule rocklift simulated and priced. Written by {generated_by}.\n\
         # Run every minute on the controller as root or SlurmUser (rocklift-burst-route.timer); install as\n\
         # /etc/slurm/rocklift/route.sh (0755).\n"
    ));
    s.push_str("set -uo pipefail\n");
    s.push_str(&format!("MAX_WAIT=\"${{ROCKLIFT_MAX_WAIT:-{}}}\"\n", max_wait_s.max(0)));
    s.push_str(&format!("CLOUD=\"${{ROCKLIFT_CLOUD_PARTITION:-{cloud}}}\"\n"));
    s.push_str(&format!("ONPREM=\"${{ROCKLIFT_BURST_PARTITIONS:-{}}}\"\n", partitions.join(",")));
    s.push_str(&format!("ALWAYS=\"${{ROCKLIFT_ALWAYS_PARTITIONS:-{}}}\"\n", always.join(",")));
    s.push_str("LOG=\"${ROCKLIFT_ROUTE_LOG:-/var/log/slurm/rocklift-route.log}\"\n");
    s.push_str("# Cloud types, cheapest first: instance type, CPUs, RealMemory (MiB), GPUs, GPU type (- for none).\n");
    s.push_str("TYPES=(\n");
    for t in &types {
        let model = t
            .gpu_model
            .as_deref()
            .map(|m| m.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase());
        s.push_str(&format!(
            "  \"{} {} {} {} {}\"\n",
            t.instance_type,
            t.vcpus,
            t.real_memory_mib,
            t.gpus,
            model.filter(|m| !m.is_empty() && t.gpus > 0).unwrap_or_else(|| "-".to_owned())
        ));
    }
    s.push_str(")\n");
    s.push_str(
        r#"log() { echo "$(date -Is) $*" >> "$LOG"; }
# MiB of a Slurm memory figure (100M, 4G, 4096, 1T); 0 for none.
mib() {
  local v=${1%[KMGTkmgt]} u=${1: -1}
  case "$v" in ''|*[!0-9]*) echo 0; return ;; esac
  case "$u" in K|k) echo $(( (v + 1023) / 1024 )) ;; G|g) echo $((v * 1024)) ;; T|t) echo $((v * 1048576)) ;; *) echo "$v" ;; esac
}
# The cheapest type with at least $1 CPUs, $2 MiB and $3 GPUs (of type $4 when given), named $5 when given.
pick() {
  local t name cpus mem gpus model
  for t in "${TYPES[@]}"; do
    read -r name cpus mem gpus model <<< "$t"
    [ "$cpus" -ge "$1" ] && [ "$mem" -ge "$2" ] && [ "$gpus" -ge "$3" ] || continue
    [ -z "$4" ] || [ "$4" = "$model" ] || continue
    [ -z "${5:-}" ] || [ "$5" = "$name" ] || continue
    echo "$name"; return 0
  done
  return 1
}
# Job id, partitions, submit time, expected start, CPUs, nodes, memory per node, GRES, features, licences.
squeue -h --start -t PENDING -p "$ONPREM" -o '%i|%P|%V|%S|%C|%D|%m|%b|%f|%W' |
while IFS='|' read -r id parts submit start cpus nodes mem gres features licences; do
  case ",$parts," in *",$CLOUD,"*) continue ;; esac
  why=""
  for p in ${ALWAYS//,/ }; do
    case ",$parts," in *",$p,"*) why="every job of partition $p bursts" ;; esac
  done
  if [ -z "$why" ]; then
    case "$start" in N/A|Unknown|"") continue ;; esac
    s=$(date -d "$submit" +%s 2>/dev/null) || continue
    t=$(date -d "$start" +%s 2>/dev/null) || continue
    wait=$((t - s))
    [ "$wait" -gt "$MAX_WAIT" ] || continue
    why="predicted wait ${wait}s > ${MAX_WAIT}s"
  fi
  # The cloud nodes carry the features `cloud` and their instance type: one such feature is honoured.
  want=""
  case "$features" in
    ""|"(null)"|cloud) ;;
    *[\&\|,\[\]\*\(\)!:\ ]*) log "job $id: $why, but it asks for features ($features) the cloud nodes lack: stays"; continue ;;
    *) want="$features" ;;
  esac
  case "$licences" in ""|"(null)"|N/A) ;; *) log "job $id: $why, but it needs licences ($licences): stays"; continue ;; esac
  n=$(( nodes > 0 ? nodes : 1 ))
  per_cpu=$(( (cpus + n - 1) / n ))
  per_mem=$(mib "$mem")
  g=0; gt=""
  case "$gres" in *gpu*)
    g=${gres##*:}; case "$g" in ''|*[!0-9]*) g=1 ;; esac
    rest=${gres#*gpu}; rest=${rest#:}; [ "$rest" = "$g" ] || gt=${rest%%:*} ;;
  esac
  if ! type=$(pick "$per_cpu" "$per_mem" "$g" "$gt" "$want"); then
    log "job $id: $why, but no cloud type${want:+ $want} has $per_cpu CPUs, $per_mem MiB and $g GPU(s) per node: stays"
    continue
  fi
  if scontrol update jobid="$id" partition="$CLOUD" features="$type"; then
    log "job $id: $why: moved to $CLOUD on $type"
  else
    log "job $id: $why, but scontrol update failed"
  fi
done
"#,
    );
    s
}

/// The systemd service that runs the route script once.
pub const ROUTE_SERVICE: &str = "[Unit]\n\
Description=rocklift: send Slurm jobs whose predicted wait exceeds max-wait to the cloud partition\n\
After=slurmctld.service\n\
\n\
[Service]\n\
Type=oneshot\n\
ExecStart=/etc/slurm/rocklift/route.sh\n";

/// The systemd timer that runs it every minute.
pub const ROUTE_TIMER: &str = "[Unit]\n\
Description=rocklift: route Slurm jobs to the cloud partition every minute\n\
\n\
[Timer]\n\
OnBootSec=2min\n\
OnUnitActiveSec=1min\n\
AccuracySec=5s\n\
\n\
[Install]\n\
WantedBy=timers.target\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, vcpus: u32, mib: u64, gpus: u32, weight: u32) -> CloudNodeType {
        CloudNodeType {
            instance_type: name.into(),
            vcpus,
            memory_mib: mib,
            real_memory_mib: crate::hpc::slurm_conf::real_memory_mib(mib),
            gpus,
            gpu_model: (gpus > 0).then(|| "A10G".to_owned()),
            max_nodes: 2,
            efa: false,
            weight,
        }
    }

    /// The script's `pick` and `mib`, run by bash on the generated text: the cheapest type that fits.
    #[test]
    fn the_script_picks_the_cheapest_type_that_fits() {
        let types = [
            t("r7a.medium", 1, 8192, 0, 10_003),
            t("c7a.medium", 1, 2048, 0, 10_001),
            t("g5.xlarge", 4, 16384, 1, 10_009),
        ];
        let s = route_script(
            3600,
            &types,
            &["batch".to_owned(), "gpu".to_owned()],
            &["gpu".to_owned()],
            "cloud",
            "rocklift test",
        );
        assert!(s.contains("MAX_WAIT=\"${ROCKLIFT_MAX_WAIT:-3600}\"\n"));
        assert!(s.contains("ALWAYS=\"${ROCKLIFT_ALWAYS_PARTITIONS:-gpu}\"\n"));
        assert!(s.contains(
            "TYPES=(\n  \"c7a.medium 1 1945 0 -\"\n  \"r7a.medium 1 7782 0 -\"\n  \"g5.xlarge 4 15564 1 a10g\"\n)\n"
        ));
        // Everything before the squeue loop defines the functions; call them on a few jobs.
        let defs = &s[..s.find("squeue -h").expect("the loop")];
        let run = |call: &str| {
            let o = std::process::Command::new("bash").arg("-c").arg(format!("{defs}\n{call}")).output().expect("bash");
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
        };
        assert_eq!(run("pick 1 $(mib 100M) 0 ''"), "c7a.medium");
        assert_eq!(run("pick 1 $(mib 4G) 0 ''"), "r7a.medium");
        assert_eq!(run("pick 1 $(mib 1945) 0 ''"), "c7a.medium");
        assert_eq!(run("pick 1 $(mib 1946M) 0 ''"), "r7a.medium");
        assert_eq!(run("pick 2 0 0 ''"), "g5.xlarge");
        assert_eq!(run("pick 1 0 1 a10g"), "g5.xlarge");
        assert_eq!(run("pick 1 0 1 a100 || echo none"), "none");
        assert_eq!(run("pick 8 0 0 '' || echo none"), "none");
        // A job that names a type by its feature gets that type, or none.
        assert_eq!(run("pick 1 0 0 '' r7a.medium"), "r7a.medium");
        assert_eq!(run("pick 1 $(mib 4G) 0 '' c7a.medium || echo none"), "none");
        let ok = std::process::Command::new("bash").arg("-n").arg("-c").arg(&s).status().expect("bash");
        assert!(ok.success());
    }
}
