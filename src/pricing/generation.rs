//! An instance family name in, whether AWS documents it as previous generation out.
//!
//! The list is `data/ec2-previous-generation.csv` (its sources and dates are in `data/README.md`):
//! the families AWS's "previous generation instances" pages name. Every other family is current.
//! The snapshot build (`scripts/build-pricing-cache.py`) and `pricing refresh` both set the
//! catalogue's `current_generation` flag from this one list, not from DescribeInstanceTypes'
//! `CurrentGeneration` field, which the bundled records get wrong for m5, c5, r5, m6i, g5 and others.

/// The CSV, embedded at build time.
const LIST: &str = include_str!("../../data/ec2-previous-generation.csv");

/// The manifest id of the list as a source of the snapshot.
pub const SOURCE_ID: &str = "aws-previous-generation";

/// Whether `family` (e.g. `m4`, `p3dn`) is on AWS's list of previous-generation families.
pub fn is_previous_generation(family: &str) -> bool {
    previous_generation_families().any(|f| f.eq_ignore_ascii_case(family))
}

/// The families on the list, in file order.
pub fn previous_generation_families() -> impl Iterator<Item = &'static str> {
    LIST.lines().skip(1).filter_map(|line| line.split(',').next()).map(str::trim).filter(|f| !f.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_parses_into_lowercase_family_names() {
        let families: Vec<&str> = previous_generation_families().collect();
        assert!(families.len() >= 16, "{families:?}");
        for f in &families {
            assert!(f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{f}");
        }
        assert!(is_previous_generation("M4"));
        assert!(!is_previous_generation("m5"));
        assert!(!is_previous_generation(""));
    }
}
