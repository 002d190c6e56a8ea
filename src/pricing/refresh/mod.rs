//! Live pricing refresh (phase 2 of issue 8; compiled only with the `refresh` feature, on by default).
//!
//! Nothing is here yet. Phase 2 adds, under the `refresh` feature only (with `aws-sdk-pricing`,
//! `aws-sdk-ec2`, `tokio` and `indicatif` as optional dependencies): fetchers that read EC2 prices from
//! the AWS Price List API (`GetProducts`), spot prices, `DescribeInstanceTypes` and
//! `DescribeInstanceTypeOfferings`, turn them into the files of a snapshot (`instance-types.csv`,
//! `prices/REGION.csv.gz`, `services.csv`, `images.csv`), and hand them to
//! [`crate::pricing::cache::write_snapshot`], which writes them atomically into the user cache; plus the
//! `rocklift pricing refresh` subcommand. A build with `--no-default-features` has no network code at all.
