//! Price List `aws_v1` documents in (JSON strings from GetProducts), EC2 and service price records out.
