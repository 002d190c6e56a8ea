//! The Terraform test tooling itself: the offline schema checker (tests/common/tf_schema.rs) on
//! hand-written fixtures in tests/fixtures/tf/, and `terraform fmt` + checkov on the good fixture.
//! The tool tests need scripts/setup-test-tools.sh to have run; without the tools they fail.

mod common;
#[path = "common/tf_schema.rs"]
mod tf_schema;

use std::path::PathBuf;

use tf_schema::{check_dir, check_str, tools, Schema};

fn fixtures() -> PathBuf {
    common::repo().join("tests").join("fixtures").join("tf")
}

fn good() -> PathBuf {
    fixtures().join("good")
}

/// Problems of one file of tests/fixtures/tf/bad, checked on its own (its own declarations only).
fn bad(name: &str) -> Vec<String> {
    let path = fixtures().join("bad").join(name);
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = hcl::parse(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    tf_schema::check_body(name, &body)
}

// --- the schema itself -------------------------------------------------------------------------

#[test]
fn schema_loads_with_the_documented_shape() {
    let s = Schema::load();
    // The trimmed schema (tests/fixtures/tf-schema): the types named in templates/, src/ and tests/.
    assert_eq!(s.resources.len(), 22);
    assert_eq!(s.data_sources.len(), 17);
    assert_eq!(s.ephemeral.len(), 1);
    let instance = s.resource("aws_instance").expect("aws_instance");
    assert!(instance.attributes.contains_key("instance_type"));
    assert!(instance.computed.contains_key("arn"), "computed-only attributes are kept apart");
    assert_eq!(instance.blocks["metadata_options"].max_items, Some(1));
    assert!(s.resource("aws_security_group").expect("sg").blocks["ingress"].attribute_mode);
    assert!(s.data_source("aws_ami").expect("data aws_ami").blocks.contains_key("filter"));
    assert!(s.provider.blocks.contains_key("default_tags"));
    assert!(std::ptr::eq(s, Schema::load()), "loaded once");
}

/// Every `resource "aws_x"` and `data "aws_x"` block of the embedded templates has its schema in the
/// trimmed file, so a template's new type is checked, not reported unknown; a new type means
/// rerunning scripts/trim-provider-schema.py.
#[test]
fn trimmed_schema_has_every_type_the_templates_write() {
    let s = Schema::load();
    let mut found = 0;
    for dir in ["terraform", "burst"] {
        let dir = common::repo().join("templates").join(dir);
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for line in text.lines().map(str::trim_start) {
                for (kind, known) in [("resource \"", &s.resources), ("data \"", &s.data_sources)] {
                    if let Some(rest) = line.strip_prefix(kind) {
                        let ty = rest.split('"').next().unwrap_or_default();
                        assert!(
                            known.contains_key(ty),
                            "{}: {kind}{ty}\" is not in the trimmed schema: rerun scripts/trim-provider-schema.py",
                            path.display()
                        );
                        found += 1;
                    }
                }
            }
        }
    }
    assert!(found >= 20, "only {found} resource and data blocks found in the templates");
}

// --- the checker on the fixtures -----------------------------------------------------------------

#[test]
fn good_fixture_has_no_schema_problems() {
    tf_schema::assert_valid_dir(&good());
}

#[test]
fn bad_unknown_resource_type() {
    assert_eq!(
        bad("unknown_resource_type.tf"),
        [
            r#"unknown_resource_type.tf: aws_instanse.app01: unknown resource type "aws_instanse" (did you mean "aws_instance"?)"#
        ]
    );
}

#[test]
fn bad_misspelled_attribute() {
    assert_eq!(
        bad("misspelled_attribute.tf"),
        [
            r#"misspelled_attribute.tf: aws_instance.app01: unknown attribute "instace_type" (did you mean "instance_type"?)"#
        ]
    );
}

#[test]
fn bad_unknown_nested_block() {
    assert_eq!(
        bad("unknown_nested_block.tf"),
        [
            r#"unknown_nested_block.tf: aws_instance.app01: unknown block "metadata_option" (did you mean "metadata_options"?)"#
        ]
    );
}

#[test]
fn bad_missing_required_attribute() {
    assert_eq!(
        bad("missing_required_attribute.tf"),
        [r#"missing_required_attribute.tf: aws_volume_attachment.data: missing required attribute "device_name""#]
    );
}

#[test]
fn bad_data_source_used_as_resource() {
    assert_eq!(
        bad("data_source_as_resource.tf"),
        [
            r#"data_source_as_resource.tf: aws_availability_zones.available: "aws_availability_zones" is a data source, not a resource: write data "aws_availability_zones" "available""#
        ]
    );
}

#[test]
fn bad_missing_required_nested_attribute() {
    assert_eq!(
        bad("missing_required_nested_attribute.tf"),
        [r#"missing_required_nested_attribute.tf: data.aws_ami.rocky9.filter: missing required attribute "values""#]
    );
}

#[test]
fn bad_undeclared_reference() {
    assert_eq!(
        bad("undeclared_reference.tf"),
        [r#"undeclared_reference.tf: aws_volume_attachment.data: reference to undeclared aws_ebs_volume.data"#]
    );
}

#[test]
fn every_bad_fixture_is_tested_and_fails() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("bad"))
        .expect("bad fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let tested = [
        "data_source_as_resource.tf",
        "missing_required_attribute.tf",
        "missing_required_nested_attribute.tf",
        "misspelled_attribute.tf",
        "undeclared_reference.tf",
        "unknown_nested_block.tf",
        "unknown_resource_type.tf",
    ];
    assert_eq!(names, tested, "a new bad fixture needs its own test above");
    for n in &names {
        assert_eq!(bad(n).len(), 1, "{n}: {:?}", bad(n));
    }
    // As a directory, they are all reported (plus nothing else: each file declares what it uses,
    // except that two of them declare aws_instance.app01 and two aws_volume_attachment.data).
    let all = check_dir(&fixtures().join("bad"));
    let dups = all.iter().filter(|p| p.contains("duplicate declaration")).count();
    assert_eq!(all.len() - dups, names.len(), "{all:#?}");
}

// --- the checker's rules, on inline HCL ----------------------------------------------------------

fn problems(src: &str) -> Vec<String> {
    check_str("t.tf", src)
}

#[test]
fn meta_arguments_and_schema_free_blocks_are_accepted() {
    let src = r#"
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}
locals {
  tags = { Project = "x" }
}
resource "aws_eip" "ip" {
  count    = length(var.names)
  domain   = "vpc"
  provider = aws.west
  tags     = local.tags

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}
resource "aws_instance" "web" {
  for_each      = toset(var.names)
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  depends_on    = [aws_eip.ip]

  provisioner "remote-exec" {
    inline = ["echo ${self.private_ip}"]

    connection {
      host = self.private_ip
    }
  }
}
output "ips" {
  value = [for ip in aws_eip.ip : ip.public_ip]
}
output "first" {
  value = "${aws_eip.ip[0].public_ip} ${aws_instance.web["a"].id} ${join(",", aws_eip.ip[*].id)}"
}
moved {
  from = aws_eip.old
  to   = aws_eip.ip
}
"#;
    assert_eq!(problems(src), Vec::<String>::new());
}

#[test]
fn dynamic_blocks_are_checked_through_their_content() {
    let ok = r#"
variable "filters" {
  type = map(list(string))
}
data "aws_ami" "x" {
  owners = ["self"]
  dynamic "filter" {
    for_each = var.filters
    content {
      name   = filter.key
      values = filter.value
    }
  }
}
"#;
    assert_eq!(problems(ok), Vec::<String>::new());
    let bad = r#"
data "aws_ami" "x" {
  owners = ["self"]
  dynamic "filter" {
    for_each = {}
    content {
      name  = filter.key
      valus = filter.value
    }
  }
  dynamic "filters" {
    for_each = {}
    content {}
  }
}
"#;
    assert_eq!(
        problems(bad),
        [
            r#"t.tf: data.aws_ami.x.filter: unknown attribute "valus" (did you mean "values"?)"#,
            r#"t.tf: data.aws_ami.x.filter: missing required attribute "values""#,
            r#"t.tf: data.aws_ami.x: unknown block "filters" (did you mean "filter"?)"#,
        ]
    );
}

#[test]
fn attribute_mode_blocks_take_either_syntax_and_opaque_blocks_take_anything() {
    let src = r#"
resource "aws_security_group" "legacy" {
  description = "inline rules"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  egress = []
}
resource "aws_wafv2_web_acl" "acl" {
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "acl"
    sampled_requests_enabled   = true
  }
  rule {
    name     = "r"
    priority = 1
    action {
      count {}
    }
    statement {
      anything_goes {
        here = 1
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "r"
      sampled_requests_enabled   = true
    }
  }
}
"#;
    assert_eq!(problems(src), Vec::<String>::new());
}

#[test]
fn structural_mistakes_are_reported() {
    let src = r#"
resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  arn           = "arn:aws:ec2:::instance/i-1"
  tags          = {}
  root_block_device = { encrypted = true }
  metadata_options {
    http_tokens = "required"
  }
  metadata_options {
    http_tokens = "optional"
  }
  tags_all {
  }
}
data "aws_ami" "x" {
  owners = ["self"]
  filter {
    name   = "name"
    values = ["x"]
  }
}
"#;
    assert_eq!(
        problems(src),
        [
            r#"t.tf: aws_instance.web: "arn" is computed (read-only) and cannot be set"#,
            r#"t.tf: aws_instance.web: "root_block_device" is a block, not an attribute: write root_block_device { ... }"#,
            r#"t.tf: aws_instance.web: "tags_all" is an attribute, not a block: write tags_all = ..."#,
            r#"t.tf: aws_instance.web: block "metadata_options" may appear at most 1 time(s), found 2"#,
        ]
    );
}

#[test]
fn missing_required_blocks_and_unknown_top_level_things_are_reported() {
    let src = r#"
resource "aws_wafv2_web_acl" "acl" {
  scope = "REGIONAL"
}
region = "us-east-1"
resources "aws_instance" "x" {}
data "aws_instance" "y" "z" {}
ephemeral "aws_ssm_parameter" "p" {
  arn = "arn:aws:ssm:us-east-1:123456789012:parameter/x"
}
resource "aws_ssm_parameter" "p" {
  name  = "/x"
  type  = "String"
  value = ephemeral.aws_ssm_parameter.p.value
}
resource "random_id" "r" {}
provider "azurerm" {}
"#;
    assert_eq!(
        problems(src),
        [
            r#"t.tf: region: attributes are not allowed at the top level of a file"#,
            r#"t.tf: aws_wafv2_web_acl.acl: missing required block "default_action""#,
            r#"t.tf: aws_wafv2_web_acl.acl: missing required block "visibility_config""#,
            r#"t.tf: resources: unknown top-level block type "resources""#,
            r#"t.tf: data "aws_instance" "y" "z": a data block takes 2 labels (type and name)"#,
            r#"t.tf: random_id.r: "random_id" is not an AWS resource; only the aws provider's schema is known here"#,
            r#"t.tf: provider.azurerm: no schema for provider "azurerm" (only aws is checked)"#,
        ]
    );
}

#[test]
fn references_are_resolved() {
    let src = r#"
variable "n" {
  type = number
}
resource "aws_ebs_volume" "v" {
  count             = var.n
  availability_zone = aws_instance.web.availability_zone
  size              = local.size
}
resource "aws_instance" "web" {
  ami           = data.aws_ami.rocky.id
  instance_type = var.type
  tags = {
    Volume = aws_ebs_volume.v.id
    Other  = aws_instance.web[0].id
    Typo   = "${aws_instance.web.private_ipp}"
    Fine   = aws_ebs_volume.v[0].arn
  }
}
"#;
    assert_eq!(
        problems(src),
        [
            r#"t.tf: aws_ebs_volume.v: reference to undeclared local value local.size"#,
            r#"t.tf: aws_instance.web: reference to undeclared data.aws_ami.rocky"#,
            r#"t.tf: aws_instance.web: reference to undeclared variable var.type"#,
            r#"t.tf: aws_instance.web: aws_ebs_volume.v has count/for_each: index it (aws_ebs_volume.v[...].id)"#,
            r#"t.tf: aws_instance.web: aws_instance.web has no count/for_each and cannot be indexed"#,
            r#"t.tf: aws_instance.web: aws_instance.web: aws_instance has no attribute "private_ipp" (did you mean "private_ip"?)"#,
        ]
    );
}

#[test]
fn data_source_arguments_on_a_resource_of_the_same_name_get_a_hint() {
    let src = r#"
resource "aws_ami" "rocky9" {
  name        = "rocky9"
  most_recent = true
}
"#;
    assert_eq!(
        problems(src),
        [
            r#"t.tf: aws_ami.rocky9: unknown attribute "most_recent" (data "aws_ami" has it: is this meant to be a data source?)"#
        ]
    );
}

#[test]
fn duplicate_attributes_do_not_parse() {
    let p = problems("resource \"aws_eip\" \"ip\" {\n  domain = \"vpc\"\n  domain = \"vpc\"\n}\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("redefined attribute"), "{p:?}");
}

#[test]
fn provider_block_is_checked_against_provider_aws() {
    let src = r#"
provider "aws" {
  regin = "us-east-1"
  default_tags {
    tags = { A = "b" }
  }
  default_tag {}
}
"#;
    assert_eq!(
        problems(src),
        [
            r#"t.tf: provider.aws: unknown attribute "regin" (did you mean "region"?)"#,
            r#"t.tf: provider.aws: unknown block "default_tag" (did you mean "default_tags"?)"#,
        ]
    );
}

#[test]
fn parse_errors_and_empty_dirs_are_problems() {
    let p = problems("resource \"aws_instance\" \"x\" {\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("t.tf: does not parse: "), "{p:?}");
    let empty = tempfile::tempdir().expect("tempdir");
    assert_eq!(check_dir(empty.path()), [format!("{}: no .tf files", empty.path().display())]);
}

// --- external tools on the good fixture ----------------------------------------------------------

#[test]
fn good_fixture_is_terraform_fmt_clean() {
    // Fails (does not skip) when terraform is missing: run scripts/setup-test-tools.sh.
    eprintln!("using {} ({})", tools::terraform().display(), tools::terraform_version());
    if let Err(e) = tools::terraform_fmt_check(&good()) {
        panic!("{e}");
    }
}

#[test]
fn terraform_fmt_check_catches_unformatted_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), "resource \"aws_eip\" \"ip\" {\ndomain=\"vpc\"\n}\n").expect("write");
    let err = tools::terraform_fmt_check(dir.path()).expect_err("unformatted file accepted");
    assert!(err.contains("domain = \"vpc\""), "{err}");
}

#[test]
fn good_fixture_passes_checkov() {
    // Fails (does not skip) when checkov is missing: run scripts/setup-test-tools.sh.
    let report = tools::checkov_dir(&good(), &[]);
    let failed: Vec<String> = report.failed.iter().map(|f| f.to_string()).collect();
    assert!(failed.is_empty(), "checkov failed checks on {}:\n  {}", good().display(), failed.join("\n  "));
    assert!(report.passed >= 40, "checkov ran only {} checks", report.passed);
    // The one check skipped in the fixture, with the reason a reviewer reads.
    let skipped: Vec<(&str, &str)> = report.skipped.iter().map(|(id, res, _)| (id.as_str(), res.as_str())).collect();
    assert_eq!(skipped, [("CKV_AWS_189", "aws_ebs_volume.app01_data")]);
    assert!(report.skipped.iter().all(|(_, _, reason)| !reason.trim().is_empty()), "{:?}", report.skipped);
}

#[test]
fn checkov_reports_the_usual_findings_on_a_naive_server() {
    // What the generated templates must avoid: a plain aws_instance + aws_ebs_volume + inline SG.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
resource "aws_security_group" "app" {
  name = "app"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.app.id]
}
resource "aws_ebs_volume" "data" {
  availability_zone = aws_instance.app.availability_zone
  size              = 10
}
resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.app.id
}
"#,
    )
    .expect("write");
    let report = tools::checkov_dir(dir.path(), &[]);
    let mut ids: Vec<&str> = report.failed.iter().map(|f| f.check_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    for expected in [
        "CKV2_AWS_2",  // only encrypted EBS volumes attached
        "CKV2_AWS_41", // IAM role attached to the instance
        "CKV_AWS_126", // detailed monitoring
        "CKV_AWS_135", // EBS optimized
        "CKV_AWS_189", // EBS volume encrypted with a customer-managed KMS key
        "CKV_AWS_23",  // security group (rule) descriptions
        "CKV_AWS_24",  // SSH from 0.0.0.0/0
        "CKV_AWS_3",   // EBS volume encrypted
        "CKV_AWS_79",  // IMDSv1 disabled (http_tokens = "required")
        "CKV_AWS_8",   // instance EBS (root device) encrypted
    ] {
        assert!(ids.contains(&expected), "{expected} not reported; got {ids:?}");
    }
}
