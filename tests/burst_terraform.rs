//! The burst Terraform (launch templates, placement group, security group, optional VPN) passes the same offline
//! checks as the plan's: the AWS provider schema, `terraform fmt -check`, and checkov with no failed check.

mod common;
#[path = "common/tf_schema.rs"]
mod tf_schema;

use common::{run, stderr};

#[test]
fn burst_terraform_passes_schema_fmt_and_checkov() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = run(&[
        "burst",
        "--cluster",
        "tests/fixtures/hpc/burst/cluster.toml",
        "--jobs",
        "tests/fixtures/hpc/burst/jobs.txt",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tf = out.join("terraform");
    let main = std::fs::read_to_string(tf.join("main.tf")).expect("main.tf");
    assert!(
        main.contains("\"c6a-xlarge\" = {\n      instance_type = \"c6a.xlarge\"\n      efa           = false\n"),
        "{main}"
    );
    let problems = tf_schema::check_dir(&tf);
    assert!(problems.is_empty(), "schema problems:\n{}", problems.join("\n"));
    tf_schema::tools::terraform_fmt_check(&tf).unwrap_or_else(|e| panic!("terraform fmt: {e}"));
    let report = tf_schema::tools::checkov_dir(&tf, &[]);
    let failed: Vec<String> = report.failed.iter().map(ToString::to_string).collect();
    assert!(failed.is_empty(), "checkov failed:\n  {}", failed.join("\n  "));
    assert!(report.passed >= 10, "checkov ran only {} checks", report.passed);
}
