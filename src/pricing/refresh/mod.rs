//! Live pricing refresh through the AWS SDK: asks the Price List and EC2 APIs, and writes a snapshot into the user cache.
//!
//! Compiled only with the `refresh` feature (on by default); `cargo build --no-default-features` has no
//! network code at all. The fetchers return plain [`records`]; the snapshot files are written in the
//! same format as `pricing-cache/` and handed to [`crate::pricing::cache::write_snapshot`], which
//! writes them atomically, so an interrupted refresh leaves the previous snapshot in use and intact.

pub mod assemble;
pub mod ec2_api;
pub mod price_list;
pub mod pricing_api;
pub mod records;
pub mod run;

use std::time::Duration;

/// How the SDK clients are built: where they connect, how long they wait and how often they retry.
///
/// The credentials always come from the SDK's standard chain (environment, profile, SSO, IMDS); the
/// endpoints from the SDK's own settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_EC2`,
/// `AWS_ENDPOINT_URL_PRICING`) unless set here (tests point them at 127.0.0.1).
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Overrides the EC2 endpoint for every region (a moto server in tests).
    pub ec2_endpoint: Option<String>,
    /// Overrides the Price List endpoint (a loopback server in tests).
    pub pricing_endpoint: Option<String>,
    /// Region of the Price List API endpoint (the API lives in us-east-1, eu-central-1, ap-south-1).
    pub pricing_region: String,
    /// Time allowed for one attempt of one call.
    pub attempt_timeout: Duration,
    /// Attempts per call, retries on throttling and server errors included (SDK standard retry, with backoff).
    pub max_attempts: u32,
    /// First retry backoff (the SDK's exponential backoff with jitter grows from it).
    pub initial_backoff: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            ec2_endpoint: None,
            pricing_endpoint: None,
            pricing_region: "us-east-1".to_owned(),
            attempt_timeout: Duration::from_secs(30),
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

impl ApiConfig {
    /// The SDK configuration for `region`: standard credential chain, standard retry with
    /// `max_attempts` and `initial_backoff`, `attempt_timeout` per attempt.
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        let retry = aws_config::retry::RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff);
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .operation_attempt_timeout(self.attempt_timeout)
            .connect_timeout(self.attempt_timeout)
            .build();
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()))
            .retry_config(retry)
            .timeout_config(timeouts)
            .load()
            .await
    }
}
