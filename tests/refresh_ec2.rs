//! The EC2 fetchers through the real AWS SDK against a local moto server (127.0.0.1 only):
//! instance types give the cache's `instance-types.csv`, offerings the cache's `offered` column,
//! images the newest official Rocky image per version and arch, spot averages the mean of the raw
//! records; an unreachable endpoint is a located `Error::Refresh`.
#![cfg(feature = "refresh")]
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/moto.rs"]
mod moto;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use moto::MotoServer;
use rocklift::error::Error;
use rocklift::pricing::refresh::{ec2_api, ApiConfig};
use rust_decimal::{Decimal, RoundingStrategy};

fn api_config(endpoint: String, max_attempts: u32, attempt_timeout: Duration) -> ApiConfig {
    ApiConfig {
        ec2_endpoint: Some(endpoint),
        attempt_timeout,
        max_attempts,
        initial_backoff: Duration::from_millis(50),
        ..ApiConfig::default()
    }
}

/// A client for `region` through `ApiConfig::sdk_config` and `ec2_api::client_from_sdk_config`, with
/// fake static credentials set on the config (no process environment is changed).
async fn client_for(cfg: &ApiConfig, region: &str) -> aws_sdk_ec2::Client {
    let creds = Credentials::new("testing", "testing", None, None, "rocklift-tests");
    let sdk =
        cfg.sdk_config(region).await.into_builder().credentials_provider(SharedCredentialsProvider::new(creds)).build();
    ec2_api::client_from_sdk_config(cfg, &sdk)
}

async fn moto_client(server: &MotoServer, region: &str) -> aws_sdk_ec2::Client {
    client_for(&api_config(server.endpoint(), 2, Duration::from_secs(60)), region).await
}

fn start_moto() -> Option<MotoServer> {
    MotoServer::start(&moto::fixture("rocky-amis.json"))
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_types_from_moto_give_the_cache_csv() {
    let Some(server) = start_moto() else { return };
    let client = moto_client(&server, "us-east-1").await;
    let records = ec2_api::instance_types(&client).await.unwrap();

    let cache = std::fs::read_to_string(moto::repo().join("pricing-cache/instance-types.csv")).unwrap();
    let ours = ec2_api::instance_types_csv(&records);
    let rows = |text: &str| -> BTreeMap<String, String> {
        text.lines().skip(1).map(|l| (l.split(',').next().unwrap().to_owned(), l.to_owned())).collect()
    };
    let (cache_rows, our_rows) = (rows(&cache), rows(&ours));
    assert_eq!(cache.lines().next(), ours.lines().next(), "header");

    let both: Vec<&String> = cache_rows.keys().filter(|t| our_rows.contains_key(*t)).collect();
    let differing: Vec<String> = both
        .iter()
        .filter(|t| cache_rows[**t] != our_rows[**t])
        .map(|t| format!("cache: {}\nmoto:  {}", cache_rows[*t], our_rows[*t]))
        .collect();
    let only_cache: Vec<&String> = cache_rows.keys().filter(|t| !our_rows.contains_key(*t)).collect();
    let only_moto: Vec<&String> = our_rows.keys().filter(|t| !cache_rows.contains_key(*t)).collect();
    eprintln!(
        "instance types: {} in the cache, {} from moto, {} in both, {} rows identical",
        cache_rows.len(),
        our_rows.len(),
        both.len(),
        both.len() - differing.len()
    );
    assert!(differing.is_empty(), "{} rows differ:\n{}", differing.len(), differing.join("\n"));
    assert!(
        only_cache.is_empty() && only_moto.is_empty(),
        "only in the cache: {only_cache:?}; only from moto: {only_moto:?}"
    );
    // Same types, same rows, same order: the whole file is byte-identical.
    assert_eq!(ours, cache);

    // The typed records against the catalogue they render to (the catalogue itself is checked
    // against the raw DescribeInstanceTypes data by tests/source_crosscheck.rs).
    let cache_by_type: BTreeMap<&str, Vec<&str>> =
        cache.lines().skip(1).map(|l| (l.split(',').next().unwrap(), l.split(',').collect())).collect();
    for r in &records {
        let row = &cache_by_type[r.instance_type.as_str()];
        assert_eq!(row[2], r.vcpus.to_string(), "{} vcpus", r.instance_type);
        assert_eq!(row[3], r.memory_mib.to_string(), "{} memory", r.instance_type);
        assert_eq!(row[16] == "y", r.bare_metal, "{} bare metal", r.instance_type);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offerings_from_moto_give_the_cache_offered_column() {
    let Some(server) = start_moto() else { return };
    let snap = rocklift::pricing::Snapshot::embedded().unwrap();
    let mut compared = 0;
    for region in &snap.manifest.regions {
        if snap.manifest.regions_without_offerings.contains(region) {
            continue;
        }
        let client = moto_client(&server, region).await;
        let offerings = ec2_api::offerings(&client, region).await.unwrap();
        assert!(offerings.iter().all(|o| o.region == *region));
        let fetched: Vec<&str> = offerings.iter().map(|o| o.instance_type.as_str()).collect();
        let sorted: BTreeSet<&str> = fetched.iter().copied().collect();
        assert_eq!(fetched, sorted.into_iter().collect::<Vec<_>>(), "{region}: offerings sorted by type, once each");

        let prices = common::read_gz(&moto::repo().join(format!("pricing-cache/prices/{region}.csv.gz")));
        let mut rdr = csv::Reader::from_reader(prices.as_bytes());
        let headers = rdr.headers().unwrap().clone();
        let (t, o) = (
            headers.iter().position(|h| h == "instance_type").unwrap(),
            headers.iter().position(|h| h == "offered").unwrap(),
        );
        let offered: BTreeSet<String> =
            rdr.records().map(|r| r.unwrap()).filter(|r| &r[o] == "y").map(|r| r[t].to_owned()).collect();
        assert_eq!(
            fetched,
            offered.iter().map(String::as_str).collect::<Vec<_>>(),
            "{region}: offerings vs the cache's offered column"
        );
        compared += 1;
    }
    eprintln!("offerings from moto identical to the cache's offered column in {compared} regions");
    assert_eq!(compared, 30);
}

#[tokio::test(flavor = "multi_thread")]
async fn rocky_images_are_the_newest_official_base_image_per_version_and_arch() {
    let Some(server) = start_moto() else { return };
    let fixture: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(moto::fixture("rocky-amis.json")).unwrap()).unwrap();
    let by_name =
        |name: &str| fixture.iter().find(|a| a["name"] == name).unwrap_or_else(|| panic!("{name} not in the fixture"));

    for region in ["us-east-1", "eu-central-1"] {
        let client = moto_client(&server, region).await;
        let images = ec2_api::rocky_images(&client, region).await.unwrap();
        let expected = [
            ("arm64", "rocky10", "Rocky-10-EC2-Base-10.0-20250609.1.aarch64"), // 10.1 aarch64 is still pending
            ("arm64", "rocky8", "Rocky-8-EC2-Base-8.10-20240528.0.aarch64"),
            ("arm64", "rocky9", "Rocky-9-EC2-Base-9.6-20250531.1.aarch64"), // same date as .0: the name decides
            ("x86_64", "rocky10", "Rocky-10-EC2-Base-10.1-20251116.0.x86_64"),
            ("x86_64", "rocky8", "Rocky-8-EC2-Base-8.10-20240528.0.x86_64"),
            ("x86_64", "rocky9", "Rocky-9-EC2-Base-9.6-20250531.0.x86_64"),
        ];
        assert_eq!(images.len(), expected.len(), "{region}: {images:#?}");
        for (img, (arch, os, name)) in images.iter().zip(expected) {
            let fx = by_name(name);
            assert_eq!((img.region.as_str(), img.arch.as_str(), img.os.as_str()), (region, arch, os));
            assert_eq!(img.name, name);
            assert_eq!(img.ami_id, fx["ami_id"].as_str().unwrap());
            assert_eq!(img.creation_date, fx["creation_date"].as_str().unwrap());
        }
        // The fixture holds newer images that must lose: LVM variants, a pre-2023 name, a Marketplace
        // re-publish, an official-looking name of another owner, a pending image.
        let mut newer_losers = Vec::new();
        for img in &images {
            let major = img.os.trim_start_matches("rocky");
            let name_arch = if img.arch == "arm64" { "aarch64" } else { "x86_64" };
            for a in &fixture {
                let name = a["name"].as_str().unwrap();
                if name.starts_with(&format!("Rocky-{major}-"))
                    && name.contains(&format!(".{name_arch}"))
                    && a["creation_date"].as_str().unwrap() > img.creation_date.as_str()
                {
                    newer_losers.push(name);
                }
            }
        }
        assert_eq!(newer_losers.len(), 7, "{newer_losers:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn spot_averages_are_the_mean_of_the_raw_records() {
    let Some(server) = start_moto() else { return };
    let region = "eu-west-1";
    let client = moto_client(&server, region).await;
    let end = SystemTime::now();
    let start = end - Duration::from_secs(7 * 24 * 3600);
    let averages = ec2_api::spot_averages(&client, region, start, end).await.unwrap();

    // The raw records, asked for directly through the SDK, averaged here independently.
    let raw = client
        .describe_spot_price_history()
        .product_descriptions("Linux/UNIX")
        .start_time(start.into())
        .end_time(end.into())
        .send()
        .await
        .unwrap();
    let mut sums: BTreeMap<String, (Decimal, u32)> = BTreeMap::new();
    for r in raw.spot_price_history() {
        let e = sums.entry(r.instance_type().unwrap().as_str().to_owned()).or_default();
        e.0 += Decimal::from_str(r.spot_price().unwrap()).unwrap();
        e.1 += 1;
    }
    assert!(!sums.is_empty(), "moto returned no spot prices for {region}");
    let expected: Vec<(String, Decimal, u32)> = sums
        .into_iter()
        .map(|(t, (sum, n))| {
            (t, (sum / Decimal::from(n)).round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero), n)
        })
        .collect();
    let got: Vec<(String, Decimal, u32)> =
        averages.iter().map(|a| (a.instance_type.clone(), a.usd_per_hour, a.samples)).collect();
    assert_eq!(got, expected);
    assert!(averages.iter().all(|a| a.region == region));
    // moto has one record per zone that offers the type: more than one zone for a common type.
    let m5 = averages.iter().find(|a| a.instance_type == "m5.large").unwrap();
    assert!(m5.samples > 1, "{m5:?}");
    eprintln!("spot averages for {} types from {} records", averages.len(), raw.spot_price_history().len());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_a_refresh_error_naming_the_api_and_region() {
    let endpoint = format!("http://127.0.0.1:{}", moto::closed_port());
    let cfg = api_config(endpoint, 2, Duration::from_secs(2));
    let region = "ap-southeast-2";
    let client = client_for(&cfg, region).await;
    let now = SystemTime::now();
    let results: Vec<(&str, Result<usize, Error>)> = vec![
        ("DescribeInstanceTypes", ec2_api::instance_types(&client).await.map(|v| v.len())),
        ("DescribeInstanceTypeOfferings", ec2_api::offerings(&client, region).await.map(|v| v.len())),
        ("DescribeImages", ec2_api::rocky_images(&client, region).await.map(|v| v.len())),
        (
            "DescribeSpotPriceHistory",
            ec2_api::spot_averages(&client, region, now - Duration::from_secs(3600), now).await.map(|v| v.len()),
        ),
    ];
    for (want_api, result) in results {
        match result {
            Err(Error::Refresh { api, scope, message }) => {
                assert_eq!(api, want_api);
                assert!(scope.starts_with(&format!("{region} ")), "{scope}");
                assert!(message.contains("dispatch failure"), "{message}");
                let shown = Error::Refresh { api, scope, message }.to_string();
                assert!(shown.starts_with(&format!("pricing refresh: {want_api} ({region} ")), "{shown}");
            }
            other => panic!("{want_api}: expected a refresh error, got {other:?}"),
        }
    }
}
