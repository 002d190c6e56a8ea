//! The OS on AWS is decided once, in the plan: the table, plan.csv, plan.json, report.md and the Terraform all say the
//! same image for each server, Terraform reads it from plan.json (not from the OS text), and old Windows versions and
//! Windows desktops are rebuilt on Windows Server 2022 with the reason given.

mod common;
#[path = "common/hcl_read.rs"]
mod hcl_read;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{run, stderr, stdout};
use hcl::{Body, Expression};
use hcl_read::{literal, object_field};
use serde_json::Value;

const INVENTORY: &str = "name,cpus,memory_gib,os\n\
    legacy,2,8,Windows Server 2008 R2 Enterprise\n\
    desk,2,8,Windows 10\n\
    dc,2,8,Windows Server 2019 Standard\n\
    c7,2,4,CentOS Linux 7 (Core)\n\
    rk9,2,4,Rocky Linux 9.3\n\
    dev,2,4,Ubuntu 22.04\n";

/// The Windows Server the plan rebuilds on (`target_os::WINDOWS_REBUILD_YEAR`).
const REBUILD: u32 = 2022;

fn windows_parameter(year: u32) -> String {
    format!("/aws/service/ami-windows-latest/Windows_Server-{year}-English-Full-Base")
}

/// `locals { NAME = { ... } }` as key → value.
fn local_object(body: &Body, name: &str) -> BTreeMap<String, Expression> {
    hcl_read::local_object(body, name).into_iter().collect()
}

fn field(e: &Expression, name: &str) -> String {
    literal(&object_field(e, name))
}

fn parse(dir: &Path, file: &str) -> Body {
    let text = fs::read_to_string(dir.join("terraform").join(file)).expect(file);
    hcl::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn plan_in(dir: &Path) -> (String, Value) {
    let inv = dir.join("servers.csv");
    fs::write(&inv, INVENTORY).expect("write");
    let out = dir.join("out");
    let o = run(&["plan", inv.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan = serde_json::from_str(&fs::read_to_string(out.join("plan.json")).expect("plan.json")).expect("json");
    (stdout(&o), plan)
}

fn server<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["servers"].as_array().expect("servers").iter().find(|s| s["name"] == name).expect(name)
}

/// Every placed server: Terraform's image key, and the SSM parameter or Rocky major it resolves, equal plan.json's.
fn assert_terraform_follows_the_plan(out: &Path, plan: &Value) {
    let main = parse(out, "main.tf");
    let images = parse(out, "images.tf");
    let servers = local_object(&main, "servers");
    let ssm = local_object(&images, "ssm_images");
    let rocky = local_object(&images, "rocky_images");
    assert_eq!(servers.len(), 6);
    for s in plan["servers"].as_array().expect("servers") {
        let name = s["name"].as_str().expect("name");
        let image = &s["os"]["image"];
        let key = image["key"].as_str().expect("key");
        assert_eq!(field(&servers[name], "image"), key, "{name}");
        match image["lookup"]["kind"].as_str().expect("kind") {
            "ssm" => {
                assert_eq!(literal(&ssm[key]), image["lookup"]["parameter"].as_str().expect("parameter"), "{name}")
            }
            "rocky" => {
                assert_eq!(field(&rocky[key], "major"), image["lookup"]["major"].to_string(), "{name}");
                assert_eq!(field(&rocky[key], "name_arch"), image["lookup"]["name_arch"].as_str().expect("arch"));
            }
            other => panic!("{name}: unexpected image kind {other}"),
        }
        assert_eq!(s["os"]["target"], image["name"], "{name}: os.target is the image's name");
    }
}

#[test]
fn every_output_and_terraform_say_the_same_os() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (table, plan) = plan_in(dir.path());
    let out = dir.path().join("out");
    let rebuild = format!("Windows Server {REBUILD}");

    // Windows Server 2008 R2: out of support, no image: rebuilt on 2022, and the plan says why.
    let legacy = &server(&plan, "legacy")["os"];
    assert_eq!(legacy["target"], rebuild.as_str());
    assert_eq!(legacy["image"]["key"], format!("windows_{REBUILD}"));
    assert_eq!(legacy["image"]["action"], "rebuild");
    assert_eq!(legacy["image"]["lookup"]["parameter"], windows_parameter(REBUILD));
    let legacy_why = format!(
        "Windows Server 2008 R2 is out of support and has no AWS image (public aliases exist for 2016 and later): \
         rebuild on {rebuild}"
    );
    assert_eq!(legacy["image"]["why"], legacy_why.as_str());
    assert_eq!(legacy["note"], legacy_why.as_str());

    // Windows 10: no licence-included image, said; planned on Windows Server 2022 like its Terraform.
    let desk = &server(&plan, "desk")["os"];
    let desk_why = format!(
        "Windows 10 has no licence-included EC2 image: bring your own licence (WorkSpaces, or BYOL on Dedicated \
         Hosts) or rebuild on {rebuild}; planned and priced as {rebuild}"
    );
    assert_eq!(desk["target"], rebuild.as_str());
    assert_eq!(desk["image"]["key"], format!("windows_{REBUILD}"));
    assert_eq!(desk["image"]["why"], desk_why.as_str());
    assert_eq!(desk["price_os"], "windows");

    // Windows Server 2019 stays 2019.
    let dc = &server(&plan, "dc")["os"];
    assert_eq!(dc["target"], "Windows Server 2019");
    assert_eq!((&dc["image"]["key"], &dc["image"]["action"]), (&Value::from("windows_2019"), &Value::from("same")));
    assert_eq!(dc["image"]["lookup"]["parameter"], windows_parameter(2019));
    assert!(dc["image"].get("why").is_none());

    // CentOS 7: Rocky Linux 8, an upgrade, the official image of its architecture.
    let c7 = &server(&plan, "c7");
    let arch = c7["placement"]["arch"].as_str().expect("arch");
    assert_eq!(c7["os"]["target"], "Rocky Linux 8");
    assert_eq!(c7["os"]["image"]["key"], format!("rocky8_{arch}"));
    assert_eq!(c7["os"]["image"]["action"], "upgrade");
    assert_eq!(c7["os"]["image"]["lookup"]["owner"], "792107900819");
    let rk9 = &server(&plan, "rk9")["os"];
    assert_eq!((&rk9["target"], &rk9["image"]["action"]), (&Value::from("Rocky Linux 9"), &Value::from("same")));

    // Ubuntu 22.04: Canonical's 22.04 alias for the placed architecture.
    let dev = &server(&plan, "dev");
    let deb_arch = if dev["placement"]["arch"] == "arm64" { "arm64" } else { "amd64" };
    assert_eq!(dev["os"]["target"], "Ubuntu 22.04");
    assert_eq!(dev["os"]["image"]["key"], format!("ubuntu_22_04_{deb_arch}"));
    assert_eq!(
        dev["os"]["image"]["lookup"]["parameter"],
        format!("/aws/service/canonical/ubuntu/server/22.04/stable/current/{deb_arch}/hvm/ebs-gp2/ami-id")
    );

    assert_terraform_follows_the_plan(&out, &plan);

    // The table's "on AWS" column and its notes.
    let row = |name: &str| table.lines().find(|l| l.starts_with(&format!("│ {name} "))).expect(name).to_owned();
    for (name, on_aws) in [("legacy", rebuild.as_str()), ("desk", rebuild.as_str()), ("dc", "Windows Server 2019")] {
        let line = row(name);
        let cells: Vec<&str> = line.split('│').map(str::trim).collect();
        assert_eq!(cells[5], on_aws, "{name}");
    }
    assert!(table.contains(&format!("legacy: {legacy_why}")), "{table}");
    assert!(table.contains(&format!("desk: {desk_why}")), "{table}");

    // plan.csv: target_os, target_image, os_action.
    let mut csv = csv::Reader::from_path(out.join("plan.csv")).expect("plan.csv");
    let headers = csv.headers().expect("headers").clone();
    let col = |n: &str| headers.iter().position(|h| h == n).expect(n);
    for rec in csv.records() {
        let rec = rec.expect("row");
        let os = &server(&plan, &rec[col("name")])["os"];
        assert_eq!(&rec[col("target_os")], os["target"].as_str().expect("target"));
        assert_eq!(&rec[col("target_image")], os["image"]["key"].as_str().expect("key"));
        assert_eq!(&rec[col("os_action")], os["image"]["action"].as_str().expect("action"));
    }

    // report.md: the "on AWS" column and the reasons.
    let report = fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(report.contains(&format!("| Windows Server 2008 R2 Enterprise | {rebuild} |")), "{report}");
    assert!(report.contains("| Windows 10 | Windows Server 2022 |"));
    assert!(report.contains("## OS on AWS"));
    assert!(report.contains(&format!("- legacy: {legacy_why}")), "{report}");
    let html = fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("<h2>OS on AWS</h2>"));
}

#[test]
fn terraform_reads_the_image_from_plan_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut plan) = plan_in(dir.path());
    // Another image for dc in plan.json: the re-rendered Terraform launches it, whatever the OS text says.
    let servers = plan["servers"].as_array_mut().expect("servers");
    let dc = servers.iter_mut().find(|s| s["name"] == "dc").expect("dc");
    dc["os"]["image"]["key"] = "windows_2025".into();
    dc["os"]["image"]["lookup"]["parameter"] = windows_parameter(2025).into();
    let edited = dir.path().join("edited.json");
    fs::write(&edited, serde_json::to_string_pretty(&plan).expect("json")).expect("write");
    let again = dir.path().join("again");
    let o = run(&["terraform", edited.to_str().expect("utf8"), "--out", again.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_terraform_follows_the_plan(&again, &plan);
    let main = parse(&again, "main.tf");
    assert_eq!(field(&local_object(&main, "servers")["dc"], "image"), "windows_2025");

    // A plan.json without os.image (an older rocklift) is refused, not guessed from the OS text.
    let servers = plan["servers"].as_array_mut().expect("servers");
    for s in servers.iter_mut() {
        s["os"].as_object_mut().expect("os").remove("image");
    }
    fs::write(&edited, serde_json::to_string_pretty(&plan).expect("json")).expect("write");
    let o =
        run(&["terraform", edited.to_str().expect("utf8"), "--out", dir.path().join("old").to_str().expect("utf8")]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("has no os.image in the plan"), "{}", stderr(&o));
}
