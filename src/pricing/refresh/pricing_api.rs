//! Price List API in (GetProducts through aws-sdk-pricing, filtered and paginated), price records out.
//!
//! One *query* is a service code plus TERM_MATCH filters; it is asked page by page (`MaxResults` 100,
//! `FormatVersion` aws_v1), each next page with the `NextToken` of the one before, until a page has no
//! token. Each page's `PriceList` entries are read by [`super::price_list`] as they arrive, so a bad price
//! stops the refresh at the page that has it. Throttling and server errors are retried by the SDK's
//! standard retry (attempts, backoff and per-attempt timeout from [`ApiConfig`]); what still fails becomes
//! [`Error::Refresh`] naming GetProducts, the service code, the region and the query, with the SDK error
//! in full ([`DisplayErrorContext`]).

use aws_sdk_pricing::config::Credentials;
use aws_sdk_pricing::error::{DisplayErrorContext, SdkError};
use aws_sdk_pricing::operation::get_products::GetProductsError;
use aws_sdk_pricing::types::{Filter, FilterType};
use aws_sdk_pricing::Client;

use super::price_list;
use super::records::{Ec2Price, PriceListOs, ServicePrice};
use super::ApiConfig;
use crate::error::{Error, Result};

const API: &str = "GetProducts";
/// Products per page (the API's maximum).
pub const MAX_RESULTS: i32 = 100;
/// The only format GetProducts has.
pub const FORMAT_VERSION: &str = "aws_v1";
/// A query that is still paging after this many pages is stopped with an error (a server looping on tokens).
pub const MAX_PAGES: usize = 10_000;

/// Called after each page with the number of pages read so far by this call (1, 2, ...), to drive a
/// progress bar. `&no_progress` when nothing is to be shown.
pub type Progress<'a> = &'a (dyn Fn(usize) + Send + Sync);

/// A [`Progress`] that shows nothing.
pub fn no_progress(_pages: usize) {}

/// The Price List client for `cfg`: the SDK configuration of `cfg.pricing_region` (standard credential
/// chain, retry and timeouts from `cfg`), with `cfg.pricing_endpoint` as the endpoint when set.
pub async fn client(cfg: &ApiConfig) -> Client {
    let sdk = cfg.sdk_config(&cfg.pricing_region).await;
    client_from(&sdk, cfg, None)
}

/// The Price List client from an SDK configuration already loaded (normally `cfg.sdk_config(..)`), with
/// `cfg.pricing_endpoint` as the endpoint when set, and `credentials` instead of the configuration's
/// provider when given (tests against a loopback server use fixed fake credentials, so the standard chain
/// never looks at the environment or the instance metadata service).
pub fn client_from(sdk: &aws_config::SdkConfig, cfg: &ApiConfig, credentials: Option<Credentials>) -> Client {
    let mut builder = aws_sdk_pricing::config::Builder::from(sdk);
    if let Some(endpoint) = &cfg.pricing_endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    if let Some(credentials) = credentials {
        builder = builder.credentials_provider(credentials);
    }
    Client::from_conf(builder.build())
}

/// One GetProducts query: what is asked for (a service code and TERM_MATCH filters) and how to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub service_code: &'static str,
    /// `(field, value)` pairs, each sent as a `TERM_MATCH` filter.
    pub filters: Vec<(&'static str, String)>,
    /// What the query is for, in messages (`Compute Instance Linux`, `EBS volumes`, `internet egress`, ...).
    pub what: String,
}

impl Query {
    fn new(service_code: &'static str, what: &str, region: &str, filters: &[(&'static str, &str)]) -> Query {
        let mut all = vec![("regionCode", region.to_owned())];
        all.extend(filters.iter().map(|(f, v)| (*f, (*v).to_owned())));
        Query { service_code, filters: all, what: what.to_owned() }
    }

    fn scope(&self, region: &str) -> String {
        let filters: Vec<String> = self.filters.iter().map(|(f, v)| format!("{f}={v}")).collect();
        format!("{} {region} {} [{}]", self.service_code, self.what, filters.join(", "))
    }
}

/// The queries for the EC2 compute prices of one OS in `region`, one per `productFamily` of
/// [`price_list::COMPUTE_FAMILIES`] (virtual and `.metal` sizes): `AmazonEC2`, `productFamily`,
/// `operatingSystem`, `tenancy=Shared`, `preInstalledSw=NA`, `capacitystatus=Used`, `licenseModel`
/// ([`price_list::license_model`]), `marketoption=OnDemand`, `locationType=AWS Region`, `regionCode`.
pub fn ec2_queries(region: &str, os: PriceListOs) -> Vec<Query> {
    price_list::COMPUTE_FAMILIES
        .into_iter()
        .map(|family| {
            Query::new(
                "AmazonEC2",
                &format!("{family} {}", os.api_value()),
                region,
                &[
                    ("productFamily", family),
                    ("operatingSystem", os.api_value()),
                    ("tenancy", "Shared"),
                    ("preInstalledSw", "NA"),
                    ("capacitystatus", "Used"),
                    ("licenseModel", price_list::license_model(os)),
                    ("marketoption", "OnDemand"),
                    ("locationType", "AWS Region"),
                ],
            )
        })
        .collect()
}

/// The queries for the service prices of `region`, in the order they are asked: EBS volumes, IOPS,
/// throughput and snapshots and the NAT gateway (`AmazonEC2` by `productFamily`), public IPv4 (`AmazonVPC`
/// by `group`), internet egress and inter-AZ transfer (`AWSDataTransfer` by `transferType` and
/// `fromRegionCode`).
pub fn service_queries(region: &str) -> Vec<Query> {
    let ec2 = |what: &str, family: &str| {
        Query::new("AmazonEC2", what, region, &[("productFamily", family), ("locationType", "AWS Region")])
    };
    let transfer = |what: &str, transfer_type: &str| {
        // Data transfer products carry fromRegionCode/toRegionCode rather than regionCode.
        Query {
            service_code: "AWSDataTransfer",
            filters: vec![("transferType", transfer_type.to_owned()), ("fromRegionCode", region.to_owned())],
            what: what.to_owned(),
        }
    };
    vec![
        ec2("EBS volumes", "Storage"),
        ec2("EBS IOPS", "System Operation"),
        ec2("EBS throughput", "Provisioned Throughput"),
        ec2("EBS snapshots", "Storage Snapshot"),
        ec2("NAT gateway", "NAT Gateway"),
        Query::new("AmazonVPC", "public IPv4", region, &[("group", "VPCPublicIPv4Address")]),
        transfer("internet egress", "AWS Outbound"),
        transfer("inter-AZ transfer", "IntraRegion"),
    ]
}

fn filters(query: &Query) -> std::result::Result<Vec<Filter>, aws_sdk_pricing::error::BuildError> {
    let mut out =
        vec![Filter::builder().r#type(FilterType::TermMatch).field("ServiceCode").value(query.service_code).build()?];
    for (field, value) in &query.filters {
        out.push(Filter::builder().r#type(FilterType::TermMatch).field(*field).value(value).build()?);
    }
    Ok(out)
}

/// Longest SDK error text kept in a message (a response that does not parse would otherwise bring the
/// whole page along).
pub const MAX_ERROR_CHARS: usize = 1000;

/// The SDK error in full ([`DisplayErrorContext`]: the error and its sources), except the raw HTTP response
/// of a service error, which is replaced by its status; cut at [`MAX_ERROR_CHARS`].
fn render_sdk_error(e: &SdkError<GetProductsError>) -> String {
    let text = match e {
        SdkError::ServiceError(ctx) => {
            format!("HTTP {}: {}", ctx.raw().status().as_u16(), DisplayErrorContext(ctx.err()))
        }
        other => DisplayErrorContext(other).to_string(),
    };
    let total = text.chars().count();
    if total <= MAX_ERROR_CHARS {
        return text;
    }
    let kept: String = text.chars().take(MAX_ERROR_CHARS).collect();
    format!("{kept}… ({} more characters)", total - MAX_ERROR_CHARS)
}

/// Asks `query` page by page to the end and hands each page's PriceList entries to `read`.
/// `pages` counts the pages read (across calls, for [`Progress`]).
async fn each_page(
    client: &Client,
    region: &str,
    query: &Query,
    on_page: Progress<'_>,
    pages: &mut usize,
    mut read: impl FnMut(&[String]) -> Result<()>,
) -> Result<()> {
    let refresh_error = |message: String| Error::Refresh { api: API.into(), scope: query.scope(region), message };
    let filters = filters(query).map_err(|e| refresh_error(format!("bad filter: {e}")))?;
    let mut token: Option<String> = None;
    let mut query_pages = 0usize;
    loop {
        let out = client
            .get_products()
            .service_code(query.service_code)
            .set_filters(Some(filters.clone()))
            .format_version(FORMAT_VERSION)
            .max_results(MAX_RESULTS)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| refresh_error(format!("page {}: {}", query_pages + 1, render_sdk_error(&e))))?;
        query_pages += 1;
        *pages += 1;
        if let Some(v) = out.format_version() {
            if v != FORMAT_VERSION {
                return Err(refresh_error(format!("page {query_pages}: format {v}, expected {FORMAT_VERSION}")));
            }
        }
        read(out.price_list())?;
        on_page(*pages);
        match out.next_token() {
            Some(next) if !next.is_empty() => {
                if token.as_deref() == Some(next) {
                    return Err(refresh_error(format!("page {query_pages}: the same NextToken as the page before")));
                }
                if query_pages >= MAX_PAGES {
                    return Err(refresh_error(format!("still more pages after {MAX_PAGES}")));
                }
                token = Some(next.to_owned());
            }
            _ => return Ok(()),
        }
    }
}

/// The EC2 compute prices of `os` in `region` (on demand, Standard all-upfront RI 1 and 3 years), asked by
/// [`ec2_queries`] one after the other, one price per instance type and term, sorted by instance type and term ([`price_list::merge_ec2`]).
pub async fn ec2_prices(
    client: &Client,
    region: &str,
    os: PriceListOs,
    on_page: Progress<'_>,
) -> Result<Vec<Ec2Price>> {
    let mut prices = Vec::new();
    let mut pages = 0;
    for query in ec2_queries(region, os) {
        each_page(client, region, &query, on_page, &mut pages, |docs| {
            for doc in docs {
                prices.extend(price_list::ec2_prices(doc, region)?);
            }
            Ok(())
        })
        .await?;
    }
    price_list::merge_ec2(prices)
}

/// The service prices of `region` ([`service_queries`], read by [`price_list::service_prices`]), one per
/// service, item and tier, sorted ([`price_list::merge_services`]). Items the region has no product for are
/// simply absent; [`missing_items`] names them.
pub async fn service_prices(client: &Client, region: &str, on_page: Progress<'_>) -> Result<Vec<ServicePrice>> {
    let mut prices = Vec::new();
    let mut pages = 0;
    for query in service_queries(region) {
        each_page(client, region, &query, on_page, &mut pages, |docs| {
            for doc in docs {
                prices.extend(price_list::service_prices(doc, query.service_code, region)?);
            }
            Ok(())
        })
        .await?;
    }
    price_list::merge_services(prices)
}

/// The `(service, item)` pairs a refresh of the service prices looks for (the `services.csv` names).
pub const SERVICE_ITEMS: [(&str, &str); 17] = [
    ("ebs", "gp3 storage"),
    ("ebs", "gp3 iops above 3000 baseline"),
    ("ebs", "gp3 throughput above 125 MBps baseline"),
    ("ebs", "gp2 storage"),
    ("ebs", "io2 storage"),
    ("ebs", "io2 iops"),
    ("ebs", "io1 storage"),
    ("ebs", "io1 iops"),
    ("ebs", "st1 storage"),
    ("ebs", "sc1 storage"),
    ("ebs", "snapshot standard"),
    ("ebs", "snapshot archive"),
    ("transfer", "internet out"),
    ("transfer", "inter-az"),
    ("vpc", "nat gateway"),
    ("vpc", "nat gateway data processed"),
    ("vpc", "public ipv4 address"),
];

/// The [`SERVICE_ITEMS`] that `prices` has no row for (the API had no product for them in that region),
/// for a warning: a missing price is reported, never filled in.
pub fn missing_items(prices: &[ServicePrice]) -> Vec<(&'static str, &'static str)> {
    SERVICE_ITEMS.into_iter().filter(|(s, i)| !prices.iter().any(|p| p.service == *s && p.item == *i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_query_filters_as_the_api_expects() {
        let qs = ec2_queries("eu-west-1", PriceListOs::Windows);
        let families: Vec<&str> = qs
            .iter()
            .map(|q| q.filters.iter().find(|(k, _)| *k == "productFamily").map_or("", |(_, v)| v.as_str()))
            .collect();
        assert_eq!(families, ["Compute Instance", "Compute Instance (bare metal)"]);
        let q = &qs[0];
        assert_eq!(q.service_code, "AmazonEC2");
        let get = |f: &str| q.filters.iter().find(|(k, _)| *k == f).map(|(_, v)| v.as_str());
        assert_eq!(get("regionCode"), Some("eu-west-1"));
        assert_eq!(get("operatingSystem"), Some("Windows"));
        assert_eq!(get("licenseModel"), Some("License Included"));
        let rhel = &ec2_queries("eu-west-1", PriceListOs::Rhel)[1];
        assert!(rhel.filters.contains(&("licenseModel", "No License required".to_owned())));
        assert!(rhel.filters.contains(&("operatingSystem", "RHEL".to_owned())));
    }

    #[test]
    fn scope_names_service_region_and_filters() {
        let q = &service_queries("us-east-1")[6];
        assert_eq!(
            q.scope("us-east-1"),
            "AWSDataTransfer us-east-1 internet egress [transferType=AWS Outbound, fromRegionCode=us-east-1]"
        );
    }

    #[test]
    fn every_service_item_has_a_query() {
        // Every family a service item comes from is asked for.
        let qs = service_queries("us-east-1");
        for family in ["Storage", "System Operation", "Provisioned Throughput", "Storage Snapshot", "NAT Gateway"] {
            assert!(qs.iter().any(|q| q.filters.contains(&("productFamily", family.to_owned()))), "{family}");
        }
        assert_eq!(missing_items(&[]).len(), SERVICE_ITEMS.len());
    }
}
