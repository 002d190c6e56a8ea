//! `rocklift pricing refresh` end to end, as a user runs it: the binary, the SDK's own endpoint settings
//! (`AWS_ENDPOINT_URL_PRICING`) pointed at a loopback Price List server, credentials from the environment,
//! the snapshot written into `ROCKLIFT_CACHE` and then used by `pricing status` and `plan`. Failures and
//! a killed refresh leave the snapshot in use as it was. Only 127.0.0.1 is contacted.
#![cfg(feature = "refresh")]

mod common;
#[path = "common/moto.rs"]
mod moto;
#[path = "common/price_list_server.rs"]
mod price_list_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use price_list_server::{bad_request, Reply, Request, Server};
use rocklift::pricing::cache;

const SECRET: &str = "rocklift-test-secret-must-never-be-printed";

/// The recorded us-east-1 responses, picked by what each request asks (the refresh sends them concurrently).
fn recorded(r: &Request) -> Reply {
    let body = r.json();
    let code = body["ServiceCode"].as_str().unwrap_or_default().to_owned();
    let f = |field: &str| r.filter(field).unwrap_or_default();
    if f("regionCode") != "us-east-1" && f("fromRegionCode") != "us-east-1" {
        return Reply::fixture("empty.json");
    }
    let token = r.next_token();
    let name = match (code.as_str(), f("productFamily").as_str(), f("operatingSystem").as_str()) {
        ("AmazonEC2", "Compute Instance", "Linux") => {
            if token.is_some() {
                "ec2-linux-page2.json"
            } else {
                "ec2-linux-page1.json"
            }
        }
        ("AmazonEC2", "Compute Instance (bare metal)", "Linux") => "ec2-linux-metal.json",
        ("AmazonEC2", "Compute Instance", "RHEL") => "ec2-rhel.json",
        ("AmazonEC2", "Compute Instance (bare metal)", "RHEL") => "ec2-rhel-metal.json",
        ("AmazonEC2", "Compute Instance", "Windows") => "ec2-windows.json",
        ("AmazonEC2", "Storage", _) => {
            if token.is_some() {
                "ebs-storage-page2.json"
            } else {
                "ebs-storage-page1.json"
            }
        }
        ("AmazonEC2", "System Operation", _) => "ebs-iops.json",
        ("AmazonEC2", "Provisioned Throughput", _) => "ebs-throughput.json",
        ("AmazonEC2", "Storage Snapshot", _) => "ebs-snapshots.json",
        ("AmazonEC2", "NAT Gateway", _) => "nat-gateway.json",
        ("AmazonVPC", _, _) => "public-ipv4.json",
        ("AWSDataTransfer", _, _) => match f("transferType").as_str() {
            "AWS Outbound" => "internet-egress.json",
            "IntraRegion" => "inter-az.json",
            other => return bad_request(&format!("no recording for transferType {other}")),
        },
        ("AmazonEC2", _, _) => "empty.json",
        (other, _, _) => return bad_request(&format!("no recording for service {other}")),
    };
    Reply::fixture(name)
}

/// `rocklift ARGS` with the cache at `cache`, the Price List at `pricing`, fake credentials, and no
/// profile, config file or instance metadata to find.
fn rocklift(cache: &Path, pricing: &str, args: &[&str]) -> Command {
    let home = cache.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut c = Command::new(common::bin());
    c.args(args)
        .current_dir(common::repo())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("ROCKLIFT_CACHE", cache)
        .env("AWS_ACCESS_KEY_ID", "AKIDROCKLIFTTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_PRICING", pricing)
        // Small retry and timeout figures keep the failure tests short.
        .env("AWS_MAX_ATTEMPTS", "2");
    c
}

fn output(mut c: Command) -> Output {
    c.output().expect("run rocklift")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn snapshots(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache.join(cache::SNAPSHOTS))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read file")));
            }
        }
    }
    out.sort();
    out
}

const SERVICES: &[&str] = &["pricing", "refresh", "--regions", "us-east-1", "--services", "ebs,transfer,nat"];

#[test]
fn services_refresh_writes_a_snapshot_that_plan_then_uses() {
    let server = Server::route(recorded);
    let cache = tempfile::tempdir().expect("tempdir");
    let o = output(rocklift(cache.path(), &server.url(), SERVICES));
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains(SECRET), "the secret key was printed");
    let written = snapshots(cache.path());
    assert_eq!(written.len(), 1, "{written:?}");
    for (path, bytes) in tree(&written[0]) {
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "secret written into {}", path.display());
    }
    // Every request carried the SDK's signature with the access key id, and asked for us-east-1.
    let requests = server.requests();
    assert_eq!(requests.len(), 9, "8 queries, EBS volumes over two pages");
    for r in &requests {
        let auth = r.header("authorization").unwrap_or_default();
        assert!(auth.contains("Credential=AKIDROCKLIFTTEST/"), "{auth}");
        assert!(!auth.contains(SECRET));
    }

    // services.csv: the fetched rows name us-east-1; the free 100 GB is put back in front of the tiers.
    let services = String::from_utf8(std::fs::read(written[0].join("services.csv")).expect("services")).expect("utf8");
    assert!(services.lines().any(|l| l == "ebs,gp3 storage,GB-month,0.08,,,,us-east-1"), "{services}");
    assert!(services.lines().any(|l| l.starts_with("transfer,internet out,GB,0,0,100,") && l.ends_with(",us-east-1")));
    assert!(services
        .lines()
        .any(|l| l.starts_with("transfer,internet out,GB,0.09,100,10240,") && l.ends_with(",us-east-1")));
    // EC2 prices were not asked for: the region files are the embedded ones, byte for byte.
    let embedded = common::repo().join("pricing-cache/prices/us-east-1.csv.gz");
    assert_eq!(std::fs::read(written[0].join("prices/us-east-1.csv.gz")).ok(), std::fs::read(embedded).ok());

    // status names it as the one used; plan names it on its Prices line.
    let o = output(rocklift(cache.path(), &server.url(), &["pricing", "status"]));
    assert!(o.status.success(), "{}", text(&o));
    let name = written[0].file_name().and_then(|n| n.to_str()).expect("name").to_owned();
    assert!(String::from_utf8_lossy(&o.stdout).contains(&name), "{}", text(&o));
    let o = output(rocklift(cache.path(), &server.url(), &["plan", "examples/smb-office.csv"]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&name), "{}", text(&o));
}

#[test]
fn a_failing_api_names_itself_and_leaves_the_snapshot_in_use() {
    let good = Server::route(recorded);
    let cache = tempfile::tempdir().expect("tempdir");
    let o = output(rocklift(cache.path(), &good.url(), SERVICES));
    assert!(o.status.success(), "{}", text(&o));
    let before = tree(cache.path());

    // HTTP 500 on everything.
    let failing = Server::route(|_| Reply::internal_error());
    let o = output(rocklift(cache.path(), &failing.url(), SERVICES));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("GetProducts") && err.contains("us-east-1") && err.contains("HTTP 500"), "{err}");
    assert!(!text(&o).contains(SECRET));
    assert_eq!(tree(cache.path()), before, "nothing in the cache changed");

    // A price that is not a number, in the middle of the answers.
    let malformed = Server::route(|r| {
        if r.filter("productFamily").as_deref() == Some("NAT Gateway") {
            let doc = price_list_server::fixture("nat-gateway.json").replacen(
                "\\\"USD\\\":\\\"0.045",
                "\\\"USD\\\":\\\"0.0x5",
                1,
            );
            Reply::Json { status: 200, body: doc }
        } else {
            recorded(r)
        }
    });
    let o = output(rocklift(cache.path(), &malformed.url(), SERVICES));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("GetProducts") && err.contains("0.0x5"), "{err}");
    assert_eq!(tree(cache.path()), before, "nothing in the cache changed");
}

#[cfg(unix)]
#[test]
fn a_killed_refresh_leaves_the_snapshot_in_use() {
    let good = Server::route(recorded);
    let cache = tempfile::tempdir().expect("tempdir");
    let o = output(rocklift(cache.path(), &good.url(), SERVICES));
    assert!(o.status.success(), "{}", text(&o));
    let before = tree(cache.path());

    // The egress answer hangs: the process is killed (SIGKILL) while it waits.
    let hanging = Server::route(|r| {
        if r.filter("transferType").is_some() {
            Reply::delayed(Duration::from_secs(60), recorded(r))
        } else {
            recorded(r)
        }
    });
    let mut child = rocklift(cache.path(), &hanging.url(), SERVICES)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while !hanging.requests().iter().any(|r| r.filter("transferType").is_some()) {
        assert!(start.elapsed() < Duration::from_secs(60), "the refresh never asked for egress prices");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert_eq!(tree(cache.path()), before, "nothing in the cache changed");
    let o = output(rocklift(cache.path(), &good.url(), &["pricing", "status"]));
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn bad_options_are_usage_errors() {
    let cache = tempfile::tempdir().expect("tempdir");
    for (args, want) in [
        (vec!["pricing", "refresh", "--services", "ec2,lambda"], "unknown service 'lambda'"),
        (vec!["pricing", "refresh", "--regions", "useast1"], "'useast1' is not a region code"),
        (vec!["pricing", "refresh", "--concurrency", "0"], "--concurrency"),
    ] {
        let o = output(rocklift(cache.path(), "http://127.0.0.1:9", &args));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains(want), "{args:?}: {}", text(&o));
    }
    assert!(snapshots(cache.path()).is_empty());
}

/// EC2 prices from the Price List, types, offerings, images and spot from moto's EC2 API: all round-trip into
/// the snapshot `plan` then reads.
#[test]
fn ec2_refresh_through_price_list_and_moto() {
    let Some(ec2) = moto::MotoServer::start(&moto::fixture("rocky-amis.json")) else { return };
    let pricing = Server::route(recorded);
    let cache = tempfile::tempdir().expect("tempdir");
    let mut c = rocklift(
        cache.path(),
        &pricing.url(),
        &["pricing", "refresh", "--regions", "us-east-1", "--services", "ec2,images,spot", "--concurrency", "3"],
    );
    c.env("AWS_ENDPOINT_URL_EC2", ec2.endpoint());
    let o = output(c);
    assert!(o.status.success(), "{}\n{}", text(&o), ec2.log());
    assert!(!text(&o).contains(SECRET));
    let written = snapshots(cache.path());
    assert_eq!(written.len(), 1);
    let snap =
        rocklift::pricing::Snapshot::open(rocklift::pricing::SnapshotOrigin::Cache(written[0].clone())).expect("opens");
    snap.verify().expect("verifies");

    // moto serves the same DescribeInstanceTypes records the bundled catalog was built from: same bytes.
    let embedded = std::fs::read(common::repo().join("pricing-cache/instance-types.csv")).expect("embedded");
    assert_eq!(snap.read("instance-types.csv").expect("types"), embedded);

    // us-east-1: the recorded Price List prices, exactly, offered per moto, spot from moto's history.
    let p = rocklift::pricing::RegionPrices::load(&snap, "us-east-1").expect("prices");
    use rocklift::pricing::{PriceOs, Term};
    let m5 = p.get("m5.large").expect("m5.large");
    let d = |s: &str| rust_decimal::Decimal::from_str_exact(s).expect("decimal");
    assert_eq!(m5.get(PriceOs::Linux, Term::OnDemand), Some(d("0.096")));
    assert_eq!(m5.get(PriceOs::Linux, Term::Reserved1y), Some(d("0.056393")));
    assert_eq!(m5.get(PriceOs::Linux, Term::Reserved3y), Some(d("0.036111")));
    assert_eq!(m5.get(PriceOs::Rhel, Term::OnDemand), Some(d("0.125")));
    assert_eq!(m5.get(PriceOs::Windows, Term::OnDemand), Some(d("0.188")));
    assert_eq!(m5.source(PriceOs::Linux, Term::OnDemand), "price-list-api");
    assert!(m5.is_offered());
    assert_eq!(m5.source(PriceOs::Linux, Term::Spot), "ec2-spot-history");
    assert!(m5.get(PriceOs::Linux, Term::Spot).is_some());
    // Other regions were not asked for: their files are the embedded ones.
    let eu = std::fs::read(common::repo().join("pricing-cache/prices/eu-west-1.csv.gz")).expect("eu");
    assert_eq!(snap.read_verified("prices/eu-west-1.csv.gz").expect("eu"), eu);

    // images.csv: the newest official Rocky 9 x86_64 image of the fixture (moto adds its own images too,
    // but only owner 792107900819's EC2 Base images count).
    let images = String::from_utf8(snap.read("images.csv").expect("images")).expect("utf8");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(moto::fixture("rocky-amis.json")).expect("fixture"))
            .expect("json");
    let newest9 = fixture
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| {
            let name = i["name"].as_str().unwrap_or_default();
            i["owner_id"] == "792107900819"
                && i["state"].as_str().unwrap_or("available") == "available"
                && name.starts_with("Rocky-9-EC2-Base-9.")
                && name.ends_with(".x86_64")
        })
        .max_by_key(|i| {
            (
                i["creation_date"].as_str().unwrap_or_default().to_owned(),
                i["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .and_then(|i| i["ami_id"].as_str())
        .expect("a Rocky 9 x86_64 image in the fixture")
        .to_owned();
    assert!(
        images.lines().any(|l| l.starts_with(&format!("us-east-1,x86_64,rocky9,{newest9},"))),
        "{newest9}\n{images}"
    );
    assert_eq!(snap.manifest.data_date.len(), 10);
}
