//! The generated Terraform for both examples and for hostile names passes the offline checks a
//! reviewer runs: every type, attribute and block exists in the AWS provider 6.66.0 schema with
//! its required arguments set, `terraform fmt -check` is clean, and checkov reports no failed
//! check (deliberate exceptions are `#checkov:skip` comments with a reason in the templates).

mod common;
#[path = "common/tf_schema.rs"]
mod tf_schema;

use std::path::{Path, PathBuf};

use common::{run, stderr};

fn generate(inventory: &Path, out: &Path) -> PathBuf {
    let o = run(&["plan", inventory.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out.join("terraform")
}

fn outputs() -> Vec<(String, tempfile::TempDir, PathBuf)> {
    let mut v = Vec::new();
    for ex in ["smb-office", "hpc-cluster"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let tf = generate(&common::repo().join("examples").join(format!("{ex}.csv")), &dir.path().join("out"));
        v.push((ex.to_owned(), dir, tf));
    }
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let inv = common::repo().join("examples/hpc-cluster.csv");
        let out = dir.path().join("out");
        let o = run(&[
            "plan",
            inv.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
            "--config",
            "examples/hpc-cluster.toml",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ex = "hpc-cluster-settings";
        let tf = out.join("terraform");
        v.push((ex.to_owned(), dir, tf));
    }
    // Hostile text, an arm64 server, a Debian and an unknown-alias Linux (custom image variable), public ports.
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("mixed.csv");
    std::fs::write(
        &inv,
        "name,cpus,memory_gib,disk_gib,os,role,arch,public,ports,tags\n\
         \"x${file(\"\"/etc/passwd\"\")}\",2,4,500,Rocky Linux 9,\"r\"\"ole\",arm64,yes,\"80,443,8000-8080\",\"a=%{ if true }\"\n\
         deb,2,4,40,Debian 12,web,,yes,443,\n\
         suse,2,4,40,SUSE Linux Enterprise Server 15,app,,no,,\n\
         win,4,16,200,Windows Server 2022 Datacenter,dc,,no,,\n",
    )
    .expect("write");
    let tf = generate(&inv, &dir.path().join("out"));
    v.push(("mixed".to_owned(), dir, tf));
    v
}

#[test]
fn generated_terraform_matches_the_provider_schema() {
    for (name, _keep, tf) in outputs() {
        let problems = tf_schema::check_dir(&tf);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn generated_terraform_is_fmt_clean() {
    for (name, _keep, tf) in outputs() {
        if let Err(diff) = tf_schema::tools::terraform_fmt_check(&tf) {
            panic!("{name}: terraform fmt -check failed ({}):\n{diff}", tf_schema::tools::terraform_version());
        }
    }
}

#[test]
fn generated_terraform_passes_checkov() {
    for (name, _keep, tf) in outputs() {
        let report = tf_schema::tools::checkov_dir(&tf, &[]);
        assert!(
            report.failed.is_empty(),
            "{name}: {}",
            report.failed.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n")
        );
        assert!(report.passed > 50, "{name}: checkov checked too little ({} passed)", report.passed);
        for (id, resource, reason) in &report.skipped {
            assert!(reason.len() > 20, "{name}: skip of {id} on {resource} has no real reason: {reason:?}");
        }
    }
}
