//! The EC2 fetchers through the real AWS SDK against a scripted EC2 endpoint on 127.0.0.1 (moto does
//! not paginate): every fetcher follows NextToken to the last page, and a bad price or an API error
//! is an `Error::Refresh` naming the API, the region and (for prices) the type.
#![cfg(feature = "refresh")]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use rocklift::error::Error;
use rocklift::pricing::refresh::{ec2_api, ApiConfig};
use rust_decimal::Decimal;

/// One scripted answer: HTTP status and XML body.
type Answer = (u16, String);

/// A tiny EC2 query-protocol endpoint: answers `(Action, NextToken)` from a script and records the
/// requests (their form parameters) it got.
struct FakeEc2 {
    port: u16,
    requests: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

impl FakeEc2 {
    fn start(script: BTreeMap<(&'static str, &'static str), Answer>) -> FakeEc2 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (script, seen) = (Arc::new(script), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, seen) = (script.clone(), seen.clone());
                std::thread::spawn(move || serve(stream, &script, &seen));
            }
        });
        FakeEc2 { port, requests }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The NextToken of each request for `action`, in order ("" for the first page).
    fn tokens(&self, action: &str) -> Vec<String> {
        let seen = self.requests.lock().unwrap();
        seen.iter().filter(|r| r["Action"] == action).map(|r| r.get("NextToken").cloned().unwrap_or_default()).collect()
    }

    fn requests(&self, action: &str) -> Vec<BTreeMap<String, String>> {
        self.requests.lock().unwrap().iter().filter(|r| r["Action"] == action).cloned().collect()
    }
}

fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn serve(stream: TcpStream, script: &BTreeMap<(&str, &str), Answer>, seen: &Mutex<Vec<BTreeMap<String, String>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut content_length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return; // closed
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    content_length = v.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0u8; content_length];
        reader.read_exact(&mut body).unwrap();
        let form: BTreeMap<String, String> = String::from_utf8(body)
            .unwrap()
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (url_decode(k), url_decode(v)))
            .collect();
        let action = form.get("Action").cloned().unwrap_or_default();
        let token = form.get("NextToken").cloned().unwrap_or_default();
        seen.lock().unwrap().push(form);
        let (status, xml) = script
            .iter()
            .find(|((a, t), _)| *a == action && *t == token)
            .map(|(_, answer)| answer.clone())
            .unwrap_or((400, error_xml("InvalidAction", &format!("no script for {action} token {token:?}"))));
        let reason = if status == 200 { "OK" } else { "Bad Request" };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            xml.len()
        );
        if out.write_all(head.as_bytes()).and_then(|_| out.write_all(xml.as_bytes())).is_err() {
            return;
        }
    }
}

fn response(action: &str, inner: &str, next_token: Option<&str>) -> String {
    let next = next_token.map(|t| format!("<nextToken>{t}</nextToken>")).unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>00000000-0000-0000-0000-000000000000</requestId>{inner}{next}</{action}Response>"
    )
}

fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>\
         </Error></Errors><RequestID>00000000-0000-0000-0000-000000000001</RequestID></Response>"
    )
}

fn offering(t: &str, region: &str) -> String {
    format!(
        "<item><instanceType>{t}</instanceType><locationType>region</locationType><location>{region}</location></item>"
    )
}

fn spot(t: &str, zone: &str, price: &str) -> String {
    format!(
        "<item><availabilityZone>{zone}</availabilityZone><instanceType>{t}</instanceType>\
         <productDescription>Linux/UNIX</productDescription><spotPrice>{price}</spotPrice>\
         <timestamp>2026-07-01T10:00:00.000Z</timestamp></item>"
    )
}

fn itype(t: &str, vcpus: u32, mib: u64) -> String {
    format!(
        "<item><instanceType>{t}</instanceType><currentGeneration>true</currentGeneration>\
         <vCpuInfo><defaultVCpus>{vcpus}</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>{mib}</sizeInMiB></memoryInfo></item>"
    )
}

fn image(id: &str, name: &str, arch: &str, created: &str) -> String {
    format!(
        "<item><imageId>{id}</imageId><imageOwnerId>792107900819</imageOwnerId><imageState>available</imageState>\
         <name>{name}</name><architecture>{arch}</architecture><creationDate>{created}</creationDate></item>"
    )
}

async fn client(endpoint: String, region: &str) -> aws_sdk_ec2::Client {
    let cfg = ApiConfig {
        ec2_endpoint: Some(endpoint),
        attempt_timeout: Duration::from_secs(10),
        max_attempts: 1,
        initial_backoff: Duration::from_millis(10),
        ..ApiConfig::default()
    };
    let creds = Credentials::new("testing", "testing", None, None, "rocklift-tests");
    let sdk =
        cfg.sdk_config(region).await.into_builder().credentials_provider(SharedCredentialsProvider::new(creds)).build();
    ec2_api::client_from_sdk_config(&cfg, &sdk)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_fetcher_reads_all_pages() {
    let r = "eu-west-3";
    let mut script = BTreeMap::new();
    let a = "DescribeInstanceTypeOfferings";
    let set = |items: Vec<String>| format!("<instanceTypeOfferingSet>{}</instanceTypeOfferingSet>", items.concat());
    script
        .insert((a, ""), (200, response(a, &set(vec![offering("m5.large", r), offering("c5.large", r)]), Some("p2"))));
    script.insert(
        (a, "p2"),
        (200, response(a, &set(vec![offering("r5.large", r), offering("m5.large", r)]), Some("p3"))),
    );
    script.insert((a, "p3"), (200, response(a, &set(vec![offering("t3.micro", r)]), None)));

    let a = "DescribeInstanceTypes";
    let set = |items: Vec<String>| format!("<instanceTypeSet>{}</instanceTypeSet>", items.concat());
    script.insert((a, ""), (200, response(a, &set(vec![itype("m5.large", 2, 8192)]), Some("t2"))));
    script.insert((a, "t2"), (200, response(a, &set(vec![itype("c5.large", 2, 4096)]), None)));

    let a = "DescribeSpotPriceHistory";
    let set = |items: Vec<String>| format!("<spotPriceHistorySet>{}</spotPriceHistorySet>", items.concat());
    script.insert((a, ""), (200, response(a, &set(vec![spot("m5.large", "eu-west-3a", "0.035500")]), Some("s2"))));
    script.insert(
        (a, "s2"),
        (
            200,
            response(
                a,
                &set(vec![spot("m5.large", "eu-west-3b", "0.036100"), spot("c5.large", "eu-west-3a", "0.020000")]),
                Some(""),
            ),
        ),
    );

    let a = "DescribeImages";
    let set = |items: Vec<String>| format!("<imagesSet>{}</imagesSet>", items.concat());
    script.insert(
        (a, ""),
        (
            200,
            response(
                a,
                &set(vec![image(
                    "ami-1",
                    "Rocky-9-EC2-Base-9.5-20241118.0.x86_64",
                    "x86_64",
                    "2024-11-18T20:12:44.000Z",
                )]),
                Some("i2"),
            ),
        ),
    );
    script.insert(
        (a, "i2"),
        (
            200,
            response(
                a,
                &set(vec![image(
                    "ami-2",
                    "Rocky-9-EC2-Base-9.6-20250531.0.x86_64",
                    "x86_64",
                    "2025-06-02T14:31:09.000Z",
                )]),
                None,
            ),
        ),
    );

    let server = FakeEc2::start(script);
    let client = client(server.endpoint(), r).await;

    let offerings = ec2_api::offerings(&client, r).await.unwrap();
    let types: Vec<&str> = offerings.iter().map(|o| o.instance_type.as_str()).collect();
    assert_eq!(types, ["c5.large", "m5.large", "r5.large", "t3.micro"]);
    assert_eq!(server.tokens("DescribeInstanceTypeOfferings"), ["", "p2", "p3"]);
    let first = &server.requests("DescribeInstanceTypeOfferings")[0];
    assert_eq!((first["LocationType"].as_str(), first["MaxResults"].as_str()), ("region", "1000"));

    let records = ec2_api::instance_types(&client).await.unwrap();
    let got: Vec<(&str, u32, u64)> =
        records.iter().map(|t| (t.instance_type.as_str(), t.vcpus, t.memory_mib)).collect();
    assert_eq!(got, [("c5.large", 2, 4096), ("m5.large", 2, 8192)]);
    assert_eq!(server.tokens("DescribeInstanceTypes"), ["", "t2"]);

    let end = SystemTime::now();
    let averages = ec2_api::spot_averages(&client, r, end - Duration::from_secs(86_400), end).await.unwrap();
    let got: Vec<(&str, Decimal, u32)> =
        averages.iter().map(|a| (a.instance_type.as_str(), a.usd_per_hour, a.samples)).collect();
    assert_eq!(got, [("c5.large", d("0.02"), 1), ("m5.large", d("0.0358"), 2)]);
    // An empty NextToken ends the pages too.
    assert_eq!(server.tokens("DescribeSpotPriceHistory"), ["", "s2"]);
    let first = &server.requests("DescribeSpotPriceHistory")[0];
    assert_eq!(first["ProductDescription.1"], "Linux/UNIX");
    assert!(first.contains_key("StartTime") && first.contains_key("EndTime"), "{first:?}");

    let images = ec2_api::rocky_images(&client, r).await.unwrap();
    assert_eq!(images.iter().map(|i| i.ami_id.as_str()).collect::<Vec<_>>(), ["ami-2"]);
    assert_eq!(server.tokens("DescribeImages"), ["", "i2"]);
    let first = &server.requests("DescribeImages")[0];
    assert_eq!(first["Owner.1"], ec2_api::ROCKY_OWNER);
    let filters: Vec<(&str, &str)> = first
        .iter()
        .filter(|(k, _)| k.starts_with("Filter.") && k.contains(".Value."))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        filters,
        [
            ("Filter.1.Value.1", "Rocky-8-EC2-Base-8.*"),
            ("Filter.1.Value.2", "Rocky-9-EC2-Base-9.*"),
            ("Filter.1.Value.3", "Rocky-10-EC2-Base-10.*"),
            ("Filter.2.Value.1", "available"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_on_a_later_page_that_is_not_a_number_is_located() {
    let r = "sa-east-1";
    let a = "DescribeSpotPriceHistory";
    let set = |items: Vec<String>| format!("<spotPriceHistorySet>{}</spotPriceHistorySet>", items.concat());
    let mut script = BTreeMap::new();
    script.insert((a, ""), (200, response(a, &set(vec![spot("m5.large", "sa-east-1a", "0.0512")]), Some("n2"))));
    script.insert((a, "n2"), (200, response(a, &set(vec![spot("c6g.xlarge", "sa-east-1c", "N/A")]), None)));
    let server = FakeEc2::start(script);
    let client = client(server.endpoint(), r).await;
    let end = SystemTime::now();
    match ec2_api::spot_averages(&client, r, end - Duration::from_secs(3600), end).await {
        Err(Error::Refresh { api, scope, message }) => {
            assert_eq!(api, "DescribeSpotPriceHistory");
            assert_eq!(scope, "sa-east-1 c6g.xlarge sa-east-1c");
            assert!(message.contains("\"N/A\" is not a number"), "{message}");
        }
        other => panic!("expected a refresh error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_keeps_the_service_code_and_message() {
    let r = "ca-central-1";
    let mut script = BTreeMap::new();
    script.insert(
        ("DescribeInstanceTypeOfferings", ""),
        (400, error_xml("UnauthorizedOperation", "You are not authorized to perform this operation.")),
    );
    let server = FakeEc2::start(script);
    let client = client(server.endpoint(), r).await;
    match ec2_api::offerings(&client, r).await {
        Err(e @ Error::Refresh { .. }) => {
            let shown = e.to_string();
            assert!(shown.starts_with("pricing refresh: DescribeInstanceTypeOfferings (ca-central-1 "), "{shown}");
            assert!(shown.contains("UnauthorizedOperation"), "{shown}");
            assert!(shown.contains("You are not authorized to perform this operation."), "{shown}");
        }
        other => panic!("expected a refresh error, got {other:?}"),
    }
}
