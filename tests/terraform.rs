//! The Terraform rocklift writes: it parses (hcl-rs), keeps every user string literally, has unique
//! keys, is byte-identical across runs, matches the golden snapshots, is refused over user changes,
//! and re-renders identically from a saved plan.json.

mod common;
#[path = "common/hcl_read.rs"]
mod hcl_read;
#[path = "common/tf_schema.rs"]
mod tf_schema;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{run, stderr};
use hcl::Body;
use hcl_read::{literal, local_object, object_field};

/// `rocklift plan INVENTORY --out DIR`; returns DIR's terraform/ files (name → text).
fn plan_tf(inventory: &Path, out: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let mut args = vec!["plan", inventory.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    read_dir(&out.join("terraform"))
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for e in fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_file() {
            files.insert(
                p.file_name().expect("name").to_string_lossy().into_owned(),
                fs::read_to_string(&p).expect("read"),
            );
        }
    }
    files
}

fn parse_all(files: &BTreeMap<String, String>) -> BTreeMap<String, Body> {
    files
        .iter()
        .filter(|(n, _)| n.ends_with(".tf") || n.ends_with(".tfvars.example"))
        .map(|(n, t)| (n.clone(), hcl::parse(t).unwrap_or_else(|e| panic!("{n} does not parse: {e}\n{t}"))))
        .collect()
}

fn example(name: &str) -> PathBuf {
    common::repo().join("examples").join(name)
}

#[test]
fn examples_golden_parse_and_are_byte_identical() {
    for ex in ["smb-office", "hpc-cluster"] {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        // The HPC example runs with its settings (spot for compute, a scheduled login node).
        let extra: &[&str] = if ex == "hpc-cluster" { &["--config", "examples/hpc-cluster.toml"] } else { &[] };
        let first = plan_tf(&example(&format!("{ex}.csv")), a.path(), extra);
        let second = plan_tf(&example(&format!("{ex}.csv")), b.path(), extra);
        assert_eq!(first, second, "{ex}: two runs differ");
        let bodies = parse_all(&first);
        assert!(bodies.contains_key("main.tf") && bodies.contains_key("versions.tf"));
        for (name, text) in &first {
            insta::assert_snapshot!(format!("{ex}__{name}"), text);
        }
    }
}

#[test]
fn instances_match_the_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = plan_tf(&example("hpc-cluster.csv"), dir.path(), &[]);
    let bodies = parse_all(&files);
    let servers = local_object(&bodies["main.tf"], "servers");
    let names: Vec<&str> = servers.iter().map(|(k, _)| k.as_str()).collect();
    // 16 compute nodes via count, 2 GPU nodes, head, login, storage.
    assert_eq!(names.len(), 21);
    assert!(names.contains(&"cn-01") && names.contains(&"cn-16") && names.contains(&"gpu-02"));
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("plan.json")).expect("plan.json")).expect("json");
    let type_of = |row: &str| -> String {
        plan["servers"].as_array().expect("servers").iter().find(|s| s["name"] == row).expect("row")["placement"]
            ["instance_type"]
            .as_str()
            .expect("type")
            .to_owned()
    };
    for (key, value) in &servers {
        let row = if key.starts_with("cn-") {
            "cn"
        } else if key.starts_with("gpu-") {
            "gpu"
        } else {
            key.as_str()
        };
        assert_eq!(literal(&object_field(value, "instance_type")), type_of(row), "{key}");
    }
    // IMDSv2 and encryption are in the resource, not left to defaults.
    let main = &files["main.tf"];
    assert!(main.contains("http_tokens   = \"required\""));
    assert!(main.contains("encrypted   = true"));
    // Images are resolved by owner and name; the snapshot's AMI ids only appear in comments.
    let images = &files["images.tf"];
    assert!(images.contains("\"792107900819\""));
    for line in images.lines().filter(|l| l.contains("ami-")) {
        assert!(line.trim_start().starts_with('#'), "an AMI id outside a comment: {line}");
    }
    // The login node is public on port 22: the only 0.0.0.0/0 ingress.
    let rules = local_object(&bodies["security.tf"], "public_rules");
    assert_eq!(rules.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec!["login|22"]);
}

#[test]
fn no_world_ingress_without_public_ports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("inv.csv");
    fs::write(&inv, "name,cpus,memory_gib,os,public,ports\na,2,4,Rocky 9,no,\"80,443\"\nb,2,4,Rocky 9,yes,\n")
        .expect("write");
    let files = plan_tf(&inv, &dir.path().join("out"), &[]);
    let bodies = parse_all(&files);
    assert!(local_object(&bodies["security.tf"], "public_rules").is_empty());
    let variables = &files["variables.tf"];
    assert!(variables.contains("variable \"allowed_ssh_cidrs\"") && variables.contains("default     = []"));
}

const HOSTILE_NAMES: &[&str] = &[
    r#"a"b"#,
    r#"x${file("/etc/passwd")}"#,
    "%{ if true }yes%{ endif }",
    r"back\slash",
    r"trailing\",
    "two\\\\backslashes",
    "$${already-escaped}",
    "%%{also}",
    "dollar$",
    "percent%",
    "emoji-🚀-server",
    "ünïcødé-名前",
    "web.01",
    "web-01",
    "web_01",
    "WEB 01",
    "web 01",
    "Web 01",
    "web/01",
    "'single'",
    "semi;colon",
    "#not-a-comment",
    "// not a comment either",
    "<<EOT",
    "= + - @ spreadsheet",
];

#[test]
fn hostile_names_and_tags_stay_literal_and_unique() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("hostile.csv");
    let mut wtr = csv::Writer::from_path(&inv).expect("csv");
    wtr.write_record(["name", "cpus", "memory_gib", "os", "role", "tags"]).expect("header");
    let long = "n".repeat(250) + "-long-name-300-chars-" + &"z".repeat(29);
    assert_eq!(long.chars().count(), 300);
    let mut names: Vec<String> = HOSTILE_NAMES.iter().map(|s| s.to_string()).collect();
    names.push(long.clone());
    for (i, name) in names.iter().enumerate() {
        let role = if i % 3 == 0 {
            r#"ro"le${x}"#
        } else if i % 3 == 1 {
            "%{role}"
        } else {
            "plain"
        };
        let tag = format!("owner=${{var.x}} \"q\" \\ {i};cost-centre=%{{ if 1 }}");
        wtr.write_record([name.as_str(), "2", "4", "Rocky Linux 9", role, tag.as_str()]).expect("row");
    }
    wtr.flush().expect("flush");
    drop(wtr);
    let files = plan_tf(&inv, &dir.path().join("out"), &[]);
    let bodies = parse_all(&files);
    let servers = local_object(&bodies["main.tf"], "servers");
    let keys: Vec<String> = servers.iter().map(|(k, _)| k.clone()).collect();
    let mut sorted_expected = names.clone();
    sorted_expected.sort();
    assert_eq!(keys, sorted_expected, "every name is a key, exactly, in sorted order");
    let mut unique = keys.clone();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "keys are unique");
    for (key, value) in &servers {
        let i = names.iter().position(|n| n == key).expect("known");
        let tags = object_field(value, "tags");
        assert_eq!(literal(&object_field(&tags, "owner")), format!("${{var.x}} \"q\" \\ {i}"));
        assert_eq!(literal(&object_field(&tags, "cost-centre")), "%{ if 1 }");
        let role = literal(&object_field(value, "role"));
        assert!([r#"ro"le${x}"#, "%{role}", "plain"].contains(&role.as_str()));
    }
    // Roles become security groups with safe, distinct slugs, the literal role kept as the key.
    let roles = local_object(&bodies["security.tf"], "roles");
    let slugs: Vec<String> = roles.iter().map(|(_, v)| literal(&object_field(v, "slug"))).collect();
    assert_eq!(roles.len(), 3);
    assert!(slugs.iter().all(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && s.len() <= 40));
    let mut distinct = slugs.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), slugs.len());
    // The provider schema check and terraform fmt hold for hostile text too.
    let tf = dir.path().join("out/terraform");
    tf_schema::assert_valid_dir(&tf);
    if let Err(diff) = tf_schema::tools::terraform_fmt_check(&tf) {
        panic!("terraform fmt -check on hostile names:\n{diff}");
    }
    // No user text ever reaches Terraform unescaped: no interpolation of var.x anywhere.
    for (name, text) in &files {
        for line in text.lines().filter(|l| l.contains("var.x")) {
            assert!(line.contains("$${var.x}"), "{name}: unescaped interpolation: {line}");
        }
    }
}

#[test]
fn count_rows_that_collide_with_names_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("inv.csv");
    fs::write(&inv, "name,cpus,memory_gib,os,count\ncn,2,4,Rocky 9,3\ncn-02,2,4,Rocky 9,1\n").expect("write");
    let out = dir.path().join("out");
    let o = run(&["plan", inv.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("inv.csv:3: column 'name': server 'cn-02'"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn changed_files_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    plan_tf(&example("smb-office.csv"), &out, &[]);
    let main = out.join("terraform/main.tf");
    let edited = fs::read_to_string(&main).expect("read") + "\n# my change\n";
    fs::write(&main, &edited).expect("write");
    // Files the user adds (tfvars, state) are not rocklift's and are left alone.
    fs::write(out.join("terraform/terraform.tfvars"), "vpc_id = \"vpc-1\"\n").expect("write");
    let o = run(&[
        "plan",
        example("smb-office.csv").to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--region",
        "us-west-2",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("main.tf changed since rocklift wrote it"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(fs::read_to_string(&main).expect("read"), edited, "untouched");
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).expect("json")).expect("json");
    assert_eq!(plan["settings"]["region"], "us-east-1", "nothing else written either");
    // With --force it is replaced; the user's own files stay.
    let o = run(&[
        "plan",
        example("smb-office.csv").to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--region",
        "us-west-2",
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!fs::read_to_string(&main).expect("read").contains("# my change"));
    assert!(fs::read_to_string(out.join("terraform/variables.tf")).expect("read").contains("\"us-west-2\""));
    assert_eq!(fs::read_to_string(out.join("terraform/terraform.tfvars")).expect("read"), "vpc_id = \"vpc-1\"\n");
    // Unchanged files are rewritten freely.
    let o = run(&["plan", example("smb-office.csv").to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn terraform_command_rerenders_from_a_saved_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let first = plan_tf(&example("hpc-cluster.csv"), &out, &[]);
    let again = dir.path().join("again");
    let o = run(&["terraform", out.join("plan.json").to_str().expect("utf8"), "--out", again.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read_dir(&again.join("terraform")), first);
    // A template folder replaces embedded templates by name; an undefined variable is an error.
    let tpl = dir.path().join("tpl");
    fs::create_dir_all(&tpl).expect("mkdir");
    fs::write(tpl.join("outputs.tf.j2"), "# {{ no_such_variable }}\n").expect("write");
    let o = run(&[
        "terraform",
        out.join("plan.json").to_str().expect("utf8"),
        "--out",
        dir.path().join("third").to_str().expect("utf8"),
        "--templates",
        tpl.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("template outputs.tf.j2:1: undefined value"), "{}", stderr(&o));
    // Not a plan: a located error.
    fs::write(dir.path().join("bad.json"), "{\"schema\": 3}").expect("write");
    let o = run(&[
        "terraform",
        dir.path().join("bad.json").to_str().expect("utf8"),
        "--out",
        dir.path().join("x").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.json:1: column"), "{}", stderr(&o));
}
