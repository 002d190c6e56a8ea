//! The Price List part of `pricing refresh` through the real AWS SDK, against a loopback GetProducts server
//! answering with recorded aws_v1 responses (tests/fixtures/price-list, prices from pricing-cache/).
#![cfg(feature = "refresh")]

mod common;
#[path = "common/price_list_server.rs"]
mod price_list_server;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_pricing::config::Credentials;
use price_list_server::{fixture, Reply, Request, Server};
use rocklift::error::Error;
use rocklift::pricing::refresh::pricing_api::{self, no_progress};
use rocklift::pricing::refresh::records::{Ec2Price, Ec2Term, PriceListOs, ServicePrice};
use rocklift::pricing::refresh::ApiConfig;
use rust_decimal::Decimal;

const REGION: &str = "us-east-1";

/// Small timeouts and backoff so the fault tests stay fast; 3 attempts per call.
fn config(server: &Server) -> ApiConfig {
    ApiConfig {
        pricing_endpoint: Some(server.url()),
        attempt_timeout: Duration::from_secs(5),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        ..ApiConfig::default()
    }
}

/// The client as `pricing refresh` builds it (SDK config from `ApiConfig`), with fake credentials.
async fn client(cfg: &ApiConfig) -> aws_sdk_pricing::Client {
    let sdk = cfg.sdk_config(&cfg.pricing_region).await;
    pricing_api::client_from(&sdk, cfg, Some(Credentials::new("AKIDTEST", "secretTEST", None, None, "test")))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("'{s}' is not a decimal: {e}"))
}

/// `pricing-cache/prices/us-east-1.csv.gz`: instance type → column → value.
fn snapshot_prices() -> BTreeMap<String, BTreeMap<String, String>> {
    common::snapshot_prices("us-east-1")
}

fn column(p: &Ec2Price) -> String {
    let term = match p.term {
        Ec2Term::OnDemand => "od",
        Ec2Term::Reserved1y => "ri1",
        Ec2Term::Reserved3y => "ri3",
    };
    format!("{}_{term}", p.os.column_prefix())
}

/// Half a unit of the 6th significant digit of `d` (at least 1): 0.000005 for 1 ≤ d < 10.
fn half_unit_of_sixth_digit(d: Decimal) -> Decimal {
    let integer_digits = d.trunc().to_string().len() as u32;
    Decimal::new(5, 6u32.saturating_sub(integer_digits) + 1)
}

/// Every price equals the snapshot's value for that type and column (on demand exactly as published,
/// reserved the snapshot's 6-decimal amortised rate). At $1/h and above the snapshot's source keeps 6
/// significant digits only (pricing-cache README: 2.70947 where the refresh has 2.709475): there the
/// snapshot value is the refreshed rate rounded to 6 significant digits, so they differ by at most half a
/// unit of that digit plus the refresh's own rounding at 6 decimals (0.0000005).
fn assert_equal_to_snapshot(prices: &[Ec2Price]) {
    let snapshot = snapshot_prices();
    for p in prices {
        let want = &snapshot[&p.instance_type][&column(p)];
        if dec(want) >= Decimal::ONE && p.term != Ec2Term::OnDemand {
            let bound = half_unit_of_sixth_digit(dec(want)) + Decimal::new(5, 7);
            let diff = (p.usd_per_hour - dec(want)).abs();
            assert!(
                diff <= bound,
                "{} {}: refreshed {} vs snapshot {want}",
                p.instance_type,
                column(p),
                p.usd_per_hour
            );
            continue;
        }
        assert_eq!(
            p.usd_per_hour,
            dec(want),
            "{} {}: refreshed {} vs snapshot {want}",
            p.instance_type,
            column(p),
            p.usd_per_hour
        );
        assert_eq!(p.region, REGION);
    }
}

fn sent_filters(r: &Request) -> BTreeMap<String, String> {
    r.filters()
        .into_iter()
        .map(|(t, f, v)| {
            assert_eq!(t, "TERM_MATCH", "filter {f}");
            (f, v)
        })
        .collect()
}

const VIRTUAL: &str = "Compute Instance";
const METAL: &str = "Compute Instance (bare metal)";

fn ec2_filters(family: &str, os: &str, license: &str) -> BTreeMap<String, String> {
    [
        ("ServiceCode", "AmazonEC2"),
        ("regionCode", REGION),
        ("productFamily", family),
        ("operatingSystem", os),
        ("tenancy", "Shared"),
        ("preInstalledSw", "NA"),
        ("capacitystatus", "Used"),
        ("licenseModel", license),
        ("marketoption", "OnDemand"),
        ("locationType", "AWS Region"),
    ]
    .into_iter()
    .map(|(f, v)| (f.to_owned(), v.to_owned()))
    .collect()
}

fn next_token_of(fixture_name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&fixture(fixture_name)).expect("fixture JSON");
    v["NextToken"].as_str().expect("the fixture has a NextToken").to_owned()
}

fn refresh_error(e: Error) -> (String, String, String) {
    match e {
        Error::Refresh { api, scope, message } => (api, scope, message),
        other => panic!("expected Error::Refresh, got {other:?}"),
    }
}

#[tokio::test]
async fn linux_prices_follow_next_token_and_equal_the_snapshot() {
    let server = Server::start(vec![
        Reply::fixture("ec2-linux-page1.json"),
        Reply::fixture("ec2-linux-page2.json"),
        Reply::fixture("ec2-linux-metal.json"),
    ]);
    let cfg = config(&server);
    let pages = Mutex::new(Vec::new());
    let on_page = |n: usize| pages.lock().expect("pages").push(n);
    let prices =
        pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Linux, &on_page).await.expect("prices");

    let got: Vec<(String, Ec2Term, String)> =
        prices.iter().map(|p| (p.instance_type.clone(), p.term, p.usd_per_hour.to_string())).collect();
    let want = [
        ("a1.2xlarge", Ec2Term::OnDemand, "0.204"),
        ("a1.2xlarge", Ec2Term::Reserved1y, "0.119977"),
        ("a1.2xlarge", Ec2Term::Reserved3y, "0.076712"),
        ("a1.metal", Ec2Term::OnDemand, "0.408"),
        ("a1.metal", Ec2Term::Reserved1y, "0.239954"),
        ("a1.metal", Ec2Term::Reserved3y, "0.153425"),
        ("c6a.xlarge", Ec2Term::OnDemand, "0.153"),
        ("c6a.xlarge", Ec2Term::Reserved1y, "0.094406"),
        ("c6a.xlarge", Ec2Term::Reserved3y, "0.058638"),
        ("m5.large", Ec2Term::OnDemand, "0.096"),
        ("m5.large", Ec2Term::Reserved1y, "0.056393"),
        ("m5.large", Ec2Term::Reserved3y, "0.036111"),
        ("m5.metal", Ec2Term::OnDemand, "4.608"),
        // $23735 / 8760 = 2.70947488…: 6 decimals here, 2.70947 (6 significant digits) in the snapshot.
        ("m5.metal", Ec2Term::Reserved1y, "2.709475"),
        ("m5.metal", Ec2Term::Reserved3y, "1.73261"),
    ];
    assert_eq!(got, want.map(|(t, term, usd)| (t.to_owned(), term, usd.to_owned())));
    assert_equal_to_snapshot(&prices);
    assert!(prices.iter().all(|p| p.os == PriceListOs::Linux && p.sku.len() == 16), "{prices:?}");
    assert_eq!(*pages.lock().expect("pages"), vec![1, 2, 3]);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("x-amz-target"), Some("AWSPriceListService.GetProducts"));
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        // SigV4 for the pricing service in the endpoint's region, with the credentials given.
        let auth = r.header("authorization").unwrap_or_default();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
                && auth.contains("/us-east-1/pricing/aws4_request"),
            "{auth}"
        );
        let body = r.json();
        assert_eq!(body["ServiceCode"], "AmazonEC2");
        assert_eq!(body["FormatVersion"], "aws_v1");
        assert_eq!(body["MaxResults"], 100);
    }
    // Virtual sizes over two pages (the NextToken of the first sent back), then the .metal sizes.
    assert_eq!(sent_filters(&requests[0]), ec2_filters(VIRTUAL, "Linux", "No License required"));
    assert_eq!(sent_filters(&requests[1]), ec2_filters(VIRTUAL, "Linux", "No License required"));
    assert_eq!(sent_filters(&requests[2]), ec2_filters(METAL, "Linux", "No License required"));
    assert_eq!(requests[0].next_token(), None);
    assert_eq!(requests[1].next_token(), Some(next_token_of("ec2-linux-page1.json")));
    assert_eq!(requests[2].next_token(), None);
}

#[tokio::test]
async fn rhel_and_windows_ask_for_their_os_and_licence() {
    let server = Server::start(vec![
        Reply::fixture("ec2-rhel.json"),
        Reply::fixture("ec2-rhel-metal.json"),
        Reply::fixture("ec2-windows.json"),
        Reply::fixture("empty.json"),
    ]);
    let cfg = config(&server);
    let client = client(&cfg).await;
    let rhel = pricing_api::ec2_prices(&client, REGION, PriceListOs::Rhel, &no_progress).await.expect("rhel");
    let windows = pricing_api::ec2_prices(&client, REGION, PriceListOs::Windows, &no_progress).await.expect("windows");
    assert_eq!(rhel.len(), 12);
    assert_eq!(windows.len(), 6);
    assert!(rhel.iter().all(|p| p.os == PriceListOs::Rhel) && windows.iter().all(|p| p.os == PriceListOs::Windows));
    assert_equal_to_snapshot(&rhel);
    assert_equal_to_snapshot(&windows);
    let m5_windows_od = windows.iter().find(|p| p.instance_type == "m5.large" && p.term == Ec2Term::OnDemand);
    assert_eq!(m5_windows_od.map(|p| p.usd_per_hour), Some(dec("0.188")));

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(sent_filters(&requests[0]), ec2_filters(VIRTUAL, "RHEL", "No License required"));
    assert_eq!(sent_filters(&requests[1]), ec2_filters(METAL, "RHEL", "No License required"));
    assert_eq!(sent_filters(&requests[2]), ec2_filters(VIRTUAL, "Windows", "License Included"));
    assert_eq!(sent_filters(&requests[3]), ec2_filters(METAL, "Windows", "License Included"));
}

/// `pricing-cache/services.csv` rows: (service, item, tier_from) → (usd, tier_to).
fn services_csv() -> BTreeMap<(String, String, String), (String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-cache/services.csv");
    let mut rows = csv::Reader::from_path(path).expect("services.csv");
    rows.records()
        .map(|r| {
            let r = r.expect("a services.csv row");
            ((r[0].to_owned(), r[1].to_owned(), r[4].to_owned()), (r[3].to_owned(), r[5].to_owned()))
        })
        .collect()
}

fn bound(b: Option<Decimal>) -> String {
    b.map(|d| d.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn service_prices_equal_services_csv() {
    let server = Server::start(
        [
            "ebs-storage-page1.json",
            "ebs-storage-page2.json",
            "ebs-iops.json",
            "ebs-throughput.json",
            "ebs-snapshots.json",
            "nat-gateway.json",
            "public-ipv4.json",
            "internet-egress.json",
            "inter-az.json",
        ]
        .into_iter()
        .map(Reply::fixture)
        .collect(),
    );
    let cfg = config(&server);
    let pages = Mutex::new(Vec::new());
    let on_page = |n: usize| pages.lock().expect("pages").push(n);
    let prices: Vec<ServicePrice> =
        pricing_api::service_prices(&client(&cfg).await, REGION, &on_page).await.expect("service prices");
    assert_eq!(server.unused(), 0);
    assert_eq!(*pages.lock().expect("pages"), (1..=9).collect::<Vec<_>>());
    assert_eq!(pricing_api::missing_items(&prices), Vec::<(&str, &str)>::new());

    let csv = services_csv();
    let mut compared = 0;
    for p in &prices {
        assert_eq!(p.region, REGION);
        if p.service == "transfer" && p.item == "internet out" && p.tier_from == Some(Decimal::ZERO) {
            // The Price List's first egress tier is 0–10 TB at $0.09; services.csv splits off the free 100 GB a
            // month (an account-wide allowance the Price List does not carry) as its own row, then 100 GB–10 TB.
            assert_eq!((p.usd.to_string(), bound(p.tier_to)), ("0.09".to_owned(), "10240".to_owned()));
            assert_eq!(
                csv[&("transfer".to_owned(), "internet out".to_owned(), "100".to_owned())],
                ("0.09".into(), "10240".into())
            );
            continue;
        }
        let key = (p.service.clone(), p.item.clone(), bound(p.tier_from));
        let Some((usd, tier_to)) = csv.get(&key) else { panic!("no services.csv row for {key:?}") };
        assert_eq!(p.usd, dec(usd), "{key:?}");
        assert_eq!(bound(p.tier_to), *tier_to, "{key:?}");
        let unit = csv_unit(&p.service, &p.item);
        assert_eq!(p.unit, unit, "{key:?}");
        compared += 1;
    }
    // 6 volume types, gp3 IOPS and throughput, io1 IOPS, 3 io2 IOPS tiers, 2 snapshot tiers, NAT hour and GB,
    // public IPv4, 3 egress tiers beyond the first, inter-AZ.
    assert_eq!(compared, 21);
    // Decoys in the recorded pages (magnetic volumes and I/O, regional NAT, idle IPv4) gave no row.
    assert_eq!(prices.len(), 22);

    let requests = server.requests();
    let asked: Vec<BTreeMap<String, String>> = requests.iter().map(sent_filters).collect();
    let ec2 = |family: &str| {
        [
            ("ServiceCode", "AmazonEC2"),
            ("regionCode", REGION),
            ("productFamily", family),
            ("locationType", "AWS Region"),
        ]
        .into_iter()
        .map(|(f, v)| (f.to_owned(), v.to_owned()))
        .collect::<BTreeMap<_, _>>()
    };
    let map = |pairs: &[(&str, &str)]| {
        pairs.iter().map(|(f, v)| ((*f).to_owned(), (*v).to_owned())).collect::<BTreeMap<_, _>>()
    };
    assert_eq!(
        asked,
        vec![
            ec2("Storage"),
            ec2("Storage"),
            ec2("System Operation"),
            ec2("Provisioned Throughput"),
            ec2("Storage Snapshot"),
            ec2("NAT Gateway"),
            map(&[("ServiceCode", "AmazonVPC"), ("regionCode", REGION), ("group", "VPCPublicIPv4Address")]),
            map(&[("ServiceCode", "AWSDataTransfer"), ("transferType", "AWS Outbound"), ("fromRegionCode", REGION)]),
            map(&[("ServiceCode", "AWSDataTransfer"), ("transferType", "IntraRegion"), ("fromRegionCode", REGION)]),
        ]
    );
    let services: Vec<String> =
        requests.iter().map(|r| r.json()["ServiceCode"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(services[6..], ["AmazonVPC", "AWSDataTransfer", "AWSDataTransfer"]);
    assert_eq!(requests[0].next_token(), None);
    assert_eq!(requests[1].next_token(), Some(next_token_of("ebs-storage-page1.json")));
    assert!(requests[2..].iter().all(|r| r.next_token().is_none()));
}

fn csv_unit(service: &str, item: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-cache/services.csv");
    let mut rows = csv::Reader::from_path(path).expect("services.csv");
    rows.records()
        .map(|r| r.expect("row"))
        .find(|r| &r[0] == service && &r[1] == item)
        .map(|r| r[2].to_owned())
        .unwrap_or_else(|| panic!("no services.csv row {service},{item}"))
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_then_succeeds() {
    let server = Server::start(vec![
        Reply::throttled(),
        Reply::throttled(),
        Reply::fixture("ec2-windows.json"),
        Reply::fixture("empty.json"),
    ]);
    let cfg = config(&server);
    let prices = pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Windows, &no_progress)
        .await
        .expect("the third attempt succeeds");
    assert_equal_to_snapshot(&prices);
    assert_eq!(prices.len(), 6);
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "two throttled attempts, one that succeeds, then the .metal query");
    assert!(requests[..3].iter().all(|r| r.json() == requests[0].json()), "each retry asks the same");
    assert_eq!(server.unused(), 0);
}

#[tokio::test]
async fn a_server_error_on_every_attempt_names_the_api_region_and_product() {
    let server = Server::start(vec![Reply::internal_error(), Reply::internal_error(), Reply::internal_error()]);
    let cfg = config(&server);
    let err = pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Rhel, &no_progress)
        .await
        .expect_err("the call fails");
    assert_eq!(server.requests().len(), 3, "max_attempts = 3");
    let text = err.to_string();
    let (api, scope, message) = refresh_error(err);
    assert_eq!(api, "GetProducts");
    assert!(scope.starts_with("AmazonEC2 us-east-1 Compute Instance RHEL [regionCode=us-east-1, "), "{scope}");
    assert!(scope.contains("operatingSystem=RHEL"), "{scope}");
    assert!(message.starts_with("page 1: HTTP 500: InternalErrorException: An internal error occurred"), "{message}");
    assert!(text.starts_with("pricing refresh: GetProducts (AmazonEC2 us-east-1 Compute Instance RHEL"), "{text}");
}

#[tokio::test]
async fn a_server_slower_than_the_attempt_timeout_gives_a_timeout_error() {
    let slow = || Reply::delayed(Duration::from_secs(3), Reply::fixture("ec2-windows.json"));
    let server = Server::start(vec![slow(), slow()]);
    let cfg = ApiConfig { attempt_timeout: Duration::from_millis(300), max_attempts: 2, ..config(&server) };
    let started = Instant::now();
    let err = pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Windows, &no_progress)
        .await
        .expect_err("the call fails");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "two 300 ms attempts, not the server's 3 s: {elapsed:?}");
    assert_eq!(server.requests().len(), 2, "the timed-out attempt is retried once");
    let (api, scope, message) = refresh_error(err);
    assert_eq!(api, "GetProducts");
    assert!(scope.starts_with("AmazonEC2 us-east-1 Compute Instance Windows"), "{scope}");
    assert!(message.starts_with("page 1: request has timed out: operation attempt timeout"), "{message}");
    assert!(message.contains("after 300ms"), "{message}");
}

#[tokio::test]
async fn a_truncated_response_body_is_an_error() {
    let server = Server::start(vec![Reply::truncated("ec2-linux-page1.json")]);
    let cfg = config(&server);
    let err = pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Linux, &no_progress)
        .await
        .expect_err("the call fails");
    assert_eq!(server.requests().len(), 1, "a body that does not parse is not retried");
    let (api, scope, message) = refresh_error(err);
    assert_eq!(api, "GetProducts");
    assert!(scope.starts_with("AmazonEC2 us-east-1 Compute Instance Linux"), "{scope}");
    // The SDK's own words, with the status instead of the raw response (no page-long body in the message).
    assert!(message.starts_with("page 1: HTTP 200: ") && message.contains("unexpected end of stream"), "{message}");
    assert!(!message.contains("PriceList") && message.len() < 1000, "{message}");
}

#[tokio::test]
async fn a_price_that_is_not_a_number_names_the_sku() {
    let server = Server::start(vec![Reply::fixture("ec2-linux-price-not-a-number.json")]);
    let cfg = config(&server);
    let err = pricing_api::ec2_prices(&client(&cfg).await, REGION, PriceListOs::Linux, &no_progress)
        .await
        .expect_err("the call fails");
    let doc: serde_json::Value = serde_json::from_str(&fixture("ec2-linux-price-not-a-number.json")).expect("fixture");
    let entry: serde_json::Value =
        serde_json::from_str(doc["PriceList"][0].as_str().expect("entry")).expect("entry JSON");
    let sku = entry["product"]["sku"].as_str().expect("sku");
    let (api, scope, message) = refresh_error(err);
    assert_eq!(api, "GetProducts");
    assert_eq!(scope, format!("AmazonEC2 us-east-1 m5.large Linux SKU {sku}"));
    assert!(message.starts_with("USD price 'N/A' is not a number"), "{message}");
}
