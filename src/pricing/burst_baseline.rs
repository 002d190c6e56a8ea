//! A burstable (T-family) instance type name in, the CPU it sustains without spending credits out, in
//! vCPUs: AWS's published CPU credits earned per hour, / 60 (one credit is one vCPU at 100 % for one
//! minute). A type not in the table has no known baseline.
//!
//! Source: Amazon EC2 User Guide, "Key concepts for burstable performance instances", the credit
//! table ("Earn CPU credits"), as in github.com/awsdocs/amazon-ec2-user-guide
//! `doc_source/burstable-credits-baseline-concepts.md`, commit 0147f878 (read 2026-12-03). The
//! baseline per vCPU it prints is credits / vCPUs / 60: t2.2xlarge earns 81.6 credits an hour on
//! 8 vCPUs, 17 % each, 1.36 vCPUs in all.

use std::str::FromStr;

use rust_decimal::Decimal;

/// Sizes and the CPU credits each earns an hour, per family.
const T2: [(&str, &str); 7] = [
    ("nano", "3"),
    ("micro", "6"),
    ("small", "12"),
    ("medium", "24"),
    ("large", "36"),
    ("xlarge", "54"),
    ("2xlarge", "81.6"),
];
/// T3, T3a and T4g earn the same per size.
const T3: [(&str, &str); 7] = [
    ("nano", "6"),
    ("micro", "12"),
    ("small", "24"),
    ("medium", "24"),
    ("large", "36"),
    ("xlarge", "96"),
    ("2xlarge", "192"),
];

/// CPU credits the type earns an hour, if AWS publishes them.
pub fn credits_per_hour(instance_type: &str) -> Option<Decimal> {
    let (family, size) = instance_type.split_once('.')?;
    let table: &[(&str, &str)] = match family {
        "t2" => &T2,
        "t3" | "t3a" | "t4g" => &T3,
        _ => return None,
    };
    table.iter().find(|(s, _)| *s == size).and_then(|(_, c)| Decimal::from_str(c).ok())
}

/// The load the type sustains at its baseline, in vCPUs (credits an hour / 60).
pub fn baseline_vcpus(instance_type: &str) -> Option<Decimal> {
    credits_per_hour(instance_type).map(|c| c / Decimal::from(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn baselines_as_published_per_vcpu() {
        // The table's "baseline utilization per vCPU" column, times the vCPUs.
        assert_eq!(baseline_vcpus("t2.2xlarge"), Some(d("0.17") * d("8")));
        assert_eq!(baseline_vcpus("t2.xlarge"), Some(d("0.225") * d("4")));
        assert_eq!(baseline_vcpus("t3.large"), Some(d("0.30") * d("2")));
        assert_eq!(baseline_vcpus("t3a.2xlarge"), Some(d("0.40") * d("8")));
        assert_eq!(baseline_vcpus("t4g.nano"), Some(d("0.05") * d("2")));
        assert_eq!(baseline_vcpus("t2.nano"), Some(d("0.05")));
    }

    #[test]
    fn unknown_types_have_no_baseline() {
        assert_eq!(baseline_vcpus("t3.4xlarge"), None);
        assert_eq!(baseline_vcpus("m7i.large"), None);
        assert_eq!(baseline_vcpus("t1.micro"), None);
        assert_eq!(baseline_vcpus("é"), None);
    }
}
