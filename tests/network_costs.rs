//! Network costs (egress tiers at every boundary, inter-AZ, NAT, public IPv4, VPN, missing prices, overrides) and the
//! move's duration, checked against figures worked out by hand from pricing-cache/services.csv.
//!
//! The rows used (us-east-1, also us-east-2 and us-west-2):
//!   transfer,internet out: 0.00 for 0–100 GB, 0.09 for 100–10240, 0.085 for 10240–51200, 0.07 for 51200–153600,
//!   0.05 above 153600; transfer,internet in 0.00; transfer,inter-az 0.01 (each direction);
//!   vpc,nat gateway 0.045/h; vpc,nat gateway data processed 0.045/GB; vpc,public ipv4 address 0.005/h;
//!   vpc,site-to-site vpn connection 0.05/h.

use std::str::FromStr;

use proptest::prelude::*;
use rocklift::network::{
    egress_tiered, internet_out_tiers, price_network, NetworkCost, NetworkInputs, PriceOverrides, Tier, SOURCE_MISSING,
    SOURCE_OVERRIDE, SOURCE_SNAPSHOT,
};
use rocklift::pricing::services::ServicePrices;
use rocklift::pricing::Snapshot;
use rocklift::transfer::{plan_move, MoveInputs};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("decimal '{s}': {e}"))
}

fn prices() -> ServicePrices {
    let snap = Snapshot::embedded().expect("embedded snapshot");
    ServicePrices::load(&snap).expect("services.csv")
}

fn none() -> PriceOverrides {
    PriceOverrides::new()
}

fn egress(gb: &str) -> NetworkCost {
    let inputs = NetworkInputs { egress_gib_month: d(gb), ..Default::default() };
    price_network(&inputs, &prices(), "us-east-1", &none()).expect("priced")
}

#[test]
fn tiers_come_from_the_rows() {
    let tiers = internet_out_tiers(&prices().rows).expect("tiers");
    let t = |from: &str, to: Option<&str>, usd: &str| Tier { from_gb: d(from), to_gb: to.map(d), usd_per_gb: d(usd) };
    assert_eq!(
        tiers,
        vec![
            t("0", Some("100"), "0.00"),
            t("100", Some("10240"), "0.09"),
            t("10240", Some("51200"), "0.085"),
            t("51200", Some("153600"), "0.07"),
            t("153600", None, "0.05"),
        ]
    );
}

#[test]
fn egress_at_every_tier_boundary() {
    // (GB a month, hand-computed $):
    let cases = [
        // 0 GB: nothing to price, no line.
        ("0", None),
        // 100 GB: all inside the free first 100 GB → 100 × 0.00 = 0.00 (a priced line of zero, not a missing price).
        ("100", Some("0")),
        // 100.5 GB: 0.5 × 0.09 = 0.045
        ("100.5", Some("0.045")),
        // 10240 GB (10 TB): (10240 − 100) × 0.09 = 10140 × 0.09 = 912.60
        ("10240", Some("912.60")),
        // 10241 GB: 912.60 + 1 × 0.085 = 912.685
        ("10241", Some("912.685")),
        // 51200 GB (50 TB): 912.60 + (51200 − 10240) × 0.085 = 912.60 + 40960 × 0.085 = 912.60 + 3481.60 = 4394.20
        ("51200", Some("4394.20")),
        // 153600 GB (150 TB): 4394.20 + (153600 − 51200) × 0.07 = 4394.20 + 102400 × 0.07 = 4394.20 + 7168 = 11562.20
        ("153600", Some("11562.20")),
        // 153601 GB: 11562.20 + 1 × 0.05 = 11562.25
        ("153601", Some("11562.25")),
        // 204800 GB (200 TB): 11562.20 + 51200 × 0.05 = 11562.20 + 2560 = 14122.20
        ("204800", Some("14122.20")),
    ];
    for (gb, want) in cases {
        let c = egress(gb);
        assert!(c.missing.is_empty(), "{gb}: {:?}", c.missing);
        match want {
            None => {
                assert!(c.lines.is_empty(), "{gb}: {:?}", c.lines);
                assert_eq!(c.total_usd_month, Decimal::ZERO);
            }
            Some(usd) => {
                assert_eq!(c.lines.len(), 1, "{gb}");
                let l = &c.lines[0];
                assert_eq!(l.item, "internet egress");
                assert_eq!(l.quantity, d(gb));
                assert_eq!(l.unit, "GB");
                assert_eq!(l.source, SOURCE_SNAPSHOT);
                assert_eq!(l.usd_month, Some(d(usd)), "{gb} GB: {}", l.detail);
                assert_eq!(c.total_usd_month, d(usd), "{gb}");
            }
        }
    }
}

#[test]
fn egress_tiered_breakdown_at_10241_gb() {
    let tiers = internet_out_tiers(&prices().rows).expect("tiers");
    let used = egress_tiered(d("10241"), &tiers);
    let got: Vec<(Decimal, Decimal)> = used.iter().map(|(_, q, u)| (*q, *u)).collect();
    // 100 GB free, 10140 GB × 0.09 = 912.60, 1 GB × 0.085 = 0.085; the higher tiers are not reached.
    assert_eq!(got, vec![(d("100"), d("0")), (d("10140"), d("912.60")), (d("1"), d("0.085"))]);
    assert_eq!(used[2].0.from_gb, d("10240"));
    assert!(egress_tiered(Decimal::ZERO, &tiers).is_empty());
    let c = egress("10241");
    assert_eq!(
        c.lines[0].detail,
        "account total, tiered: 100 GB × $0/GB (0–100 GB, free once per account) + 10140 GB × $0.09/GB (100–10240 GB) \
         + 1 GB × $0.085/GB (10240–51200 GB)"
    );
}

#[test]
fn free_100_gb_counts_once_for_the_account() {
    // Two servers of 60 GB each: priced alone each would be free, but the account total is 120 GB:
    // (120 − 100) × 0.09 = 20 × 0.09 = 1.80, not 0.
    let per_server = [d("60"), d("60")];
    let account: Decimal = per_server.iter().sum();
    let c = egress(&account.to_string());
    assert_eq!(c.total_usd_month, d("1.80"));
    for s in per_server {
        assert_eq!(egress(&s.to_string()).total_usd_month, Decimal::ZERO);
    }
}

#[test]
fn inter_az_nat_ipv4_vpn() {
    let inputs = NetworkInputs {
        egress_gib_month: d("120"),
        inter_az_gib_month: d("500"),
        nat_gateways: 2,
        nat_processed_gib_month: d("1000"),
        public_ipv4_hours_month: NetworkInputs::ipv4_hours_for(3),
        vpn_connections: 1,
    };
    let c = price_network(&inputs, &prices(), "us-east-1", &none()).expect("priced");
    assert!(c.missing.is_empty(), "{:?}", c.missing);
    let got: Vec<(&str, Decimal, &str, Option<Decimal>)> =
        c.lines.iter().map(|l| (l.item.as_str(), l.quantity, l.unit.as_str(), l.usd_month)).collect();
    assert_eq!(
        got,
        vec![
            // 20 × 0.09
            ("internet egress", d("120"), "GB", Some(d("1.80"))),
            // 500 GB crossing AZs, billed out of one and into the other: 2 × 500 × 0.01 = 10.00
            ("inter-AZ data transfer", d("1000"), "GB", Some(d("10.00"))),
            // 2 × 730 h = 1460 h × 0.045 = 65.70
            ("NAT gateway", d("1460"), "hour", Some(d("65.70"))),
            // 1000 GB × 0.045 = 45.00
            ("NAT gateway data processed", d("1000"), "GB", Some(d("45.00"))),
            // 3 × 730 = 2190 address-hours × 0.005 = 10.95
            ("public IPv4 address", d("2190"), "hour", Some(d("10.95"))),
            // 1 × 730 h × 0.05 = 36.50
            ("site-to-site VPN connection", d("730"), "hour", Some(d("36.50"))),
        ]
    );
    // 1.80 + 10.00 + 65.70 + 45.00 + 10.95 + 36.50 = 169.95
    assert_eq!(c.total_usd_month, d("169.95"));
    assert_eq!(
        c.lines[1].detail,
        "500 GB crossing AZs, billed out of one AZ and into the other: 2 × 500 GB × $0.01/GB"
    );
    assert_eq!(c.lines[2].detail, "2 gateways × 730 h × $0.045/h");
    assert_eq!(c.lines[5].detail, "1 connection × 730 h × $0.05/h");
    assert!(c.lines.iter().all(|l| l.source == SOURCE_SNAPSHOT));
}

#[test]
fn the_other_priced_regions_match() {
    let inputs = NetworkInputs { egress_gib_month: d("120"), vpn_connections: 1, ..Default::default() };
    for r in ["us-east-2", "us-west-2"] {
        let c = price_network(&inputs, &prices(), r, &none()).expect("priced");
        assert!(c.missing.is_empty(), "{r}");
        assert_eq!(c.total_usd_month, d("38.30"), "{r}"); // 1.80 + 36.50
    }
}

fn everything() -> NetworkInputs {
    NetworkInputs {
        egress_gib_month: d("120"),
        inter_az_gib_month: d("500"),
        nat_gateways: 2,
        nat_processed_gib_month: d("1000"),
        public_ipv4_hours_month: d("2190"),
        vpn_connections: 1,
    }
}

#[test]
fn region_without_service_prices_reports_every_line_missing() {
    let c = price_network(&everything(), &prices(), "eu-west-1", &none()).expect("priced");
    assert_eq!(c.lines.len(), 6);
    assert!(c.lines.iter().all(|l| l.usd_month.is_none() && l.source == SOURCE_MISSING), "{:?}", c.lines);
    // Quantities are still reported.
    assert_eq!(c.lines[1].quantity, d("1000"));
    assert_eq!(c.missing.len(), 6, "{:#?}", c.missing);
    for (m, name) in c.missing.iter().zip([
        "internet_out_gb",
        "inter_az_gb",
        "nat_gateway_hour",
        "nat_gateway_gb",
        "public_ipv4_hour",
        "vpn_connection_hour",
    ]) {
        assert!(m.contains("eu-west-1"), "{m}");
        assert!(m.contains("us-east-1, us-east-2, us-west-2"), "{m}");
        assert!(m.contains(&format!("[prices.\"eu-west-1\"] {name} = \"PRICE\" override in rocklift.toml")), "{m}");
    }
    assert!(c.missing[0].starts_with("internet egress tiers ($/GB) in eu-west-1 is not in the offline snapshot"));
    assert_eq!(c.total_usd_month, Decimal::ZERO);
}

#[test]
fn overrides_fill_a_region_without_prices() {
    // Only the NAT hourly price: that line is priced (2 × 730 × 0.048 = 70.08), the other five stay missing.
    let o = none().with("nat_gateway_hour", d("0.048"));
    let c = price_network(&everything(), &prices(), "eu-west-1", &o).expect("priced");
    assert_eq!(c.lines[2].usd_month, Some(d("70.08")));
    assert_eq!(c.lines[2].source, SOURCE_OVERRIDE);
    assert_eq!(c.missing.len(), 5);
    assert_eq!(c.total_usd_month, d("70.08"));

    // All of them (eu-west-1 style prices): egress flat 0.09 on every GB (the override replaces the tiers and the
    // free 100 GB): 120 × 0.09 = 10.80; inter-AZ 2 × 500 × 0.01 = 10.00; NAT 1460 × 0.048 = 70.08 and
    // 1000 × 0.048 = 48.00; IPv4 2190 × 0.005 = 10.95; VPN 730 × 0.05 = 36.50 → 186.33.
    let o = o
        .with("internet_out_gb", d("0.09"))
        .with("inter_az_gb", d("0.01"))
        .with("nat_gateway_gb", d("0.048"))
        .with("public_ipv4_hour", d("0.005"))
        .with("vpn_connection_hour", d("0.05"))
        .with("ebs_gp3_gib_month", d("0.088")); // not a network price: ignored
    let c = price_network(&everything(), &prices(), "eu-west-1", &o).expect("priced");
    assert!(c.missing.is_empty(), "{:?}", c.missing);
    assert!(c.lines.iter().all(|l| l.source == SOURCE_OVERRIDE));
    assert_eq!(c.lines[0].usd_month, Some(d("10.80")));
    assert_eq!(c.total_usd_month, d("186.33"));

    // An override beats the snapshot where it has a price too.
    let c = price_network(&everything(), &prices(), "us-east-1", &none().with("vpn_connection_hour", d("0.06")))
        .expect("priced");
    assert_eq!(c.lines[5].usd_month, Some(d("43.80"))); // 730 × 0.06
}

#[test]
fn move_duration_10_tib_over_1000_mbps() {
    // 10 TiB = 10240 GiB = 10240 × 2^30 bytes × 8 = 87 960 930 222 080 bits.
    // 1000 Mbps at 80% = 800 000 000 bit/s.
    // seconds = 87 960 930 222 080 / 800 000 000 = 109 951.1627776 (exact)
    // days = 109 951.1627776 / 86 400 = 67 108 864 / 52 734 375 = 1.2725829025185185185…
    // hours = 109 951.1627776 / 3 600 = 30.541989660444…
    let p = plan_move(&MoveInputs::new(d("10240"), d("1000")), &prices(), "us-east-1", &none()).expect("plan");
    assert_eq!(p.seconds, d("109951.1627776"));
    let exact_days = Decimal::from(67_108_864) / Decimal::from(52_734_375);
    assert!((p.days - exact_days).abs() < d("1e-24"), "{} vs {exact_days}", p.days);
    assert!(p.days.to_string().starts_with("1.27258290251851851851851"), "{}", p.days);
    assert!((p.hours - d("30.5419896604444444444444")).abs() < d("1e-20"), "{}", p.hours);
    assert!(!p.exceeds_threshold);
    assert_eq!(p.advice, None);
    // transfer,internet in = 0.00/GB: 10240 × 0 = 0 (priced, known to be free)
    assert_eq!(p.transfer_in_cost_usd, Some(Decimal::ZERO));
    assert!(p.missing.is_empty());
}

#[test]
fn move_above_the_threshold_advises_an_offline_device() {
    // Same 10 TiB over 100 Mbps at 80%: 1 099 511.627776 s = 12.7258… days > 10.
    let p = plan_move(&MoveInputs::new(d("10240"), d("100")), &prices(), "us-east-1", &none()).expect("plan");
    assert_eq!(p.seconds, d("1099511.627776"));
    assert!(p.exceeds_threshold);
    assert_eq!(
        p.advice.as_deref(),
        Some(
            "12.7 days at 100 Mbps (80% of the link) is more than the 10-day threshold: consider an offline transfer \
             device such as AWS Snowball; its price is not in the offline snapshot"
        )
    );
}

#[test]
fn move_exactly_at_the_threshold_does_not_advise() {
    // A link of 2^33 / 10^6 = 8589.934592 Mbps at 100% moves exactly 1 GiB a second: 864 000 GiB = 864 000 s = 10 days.
    let at = MoveInputs { utilisation: Decimal::ONE, ..MoveInputs::new(d("864000"), d("8589.934592")) };
    let p = plan_move(&at, &prices(), "us-east-1", &none()).expect("plan");
    assert_eq!(p.days, d("10"));
    assert_eq!(p.hours, d("240"));
    assert!(!p.exceeds_threshold);
    let above = MoveInputs { data_gib: d("864001"), ..at };
    assert!(plan_move(&above, &prices(), "us-east-1", &none()).expect("plan").exceeds_threshold);
}

#[test]
fn move_into_a_region_without_prices() {
    let i = MoveInputs::new(d("500"), d("1000"));
    let p = plan_move(&i, &prices(), "eu-west-1", &none()).expect("plan");
    assert_eq!(p.transfer_in_cost_usd, None);
    assert_eq!(p.missing.len(), 1);
    assert!(p.missing[0].contains("eu-west-1") && p.missing[0].contains("internet_in_gb"), "{}", p.missing[0]);
    let p = plan_move(&i, &prices(), "eu-west-1", &none().with("internet_in_gb", Decimal::ZERO)).expect("plan");
    assert_eq!(p.transfer_in_cost_usd, Some(Decimal::ZERO));
    assert!(p.missing.is_empty());
}

#[test]
fn move_rejects_bad_links() {
    let p = prices();
    let zero = MoveInputs::new(d("1"), Decimal::ZERO);
    assert!(plan_move(&zero, &p, "us-east-1", &none()).expect_err("zero").contains("link speed 0 Mbps"));
    let neg = MoveInputs::new(d("1"), d("-10"));
    assert!(plan_move(&neg, &p, "us-east-1", &none()).is_err());
    for u in ["0", "-0.5", "1.01"] {
        let i = MoveInputs { utilisation: d(u), ..MoveInputs::new(d("1"), d("100")) };
        assert!(plan_move(&i, &p, "us-east-1", &none()).expect_err(u).contains("utilisation"));
    }
}

/// GB a month as a Decimal with up to 2 places, 0 to 300 000 (past the last tier bound).
fn gb() -> impl Strategy<Value = Decimal> {
    (0u64..30_000_000).prop_map(|c| Decimal::new(c as i64, 2))
}

proptest! {
    #[test]
    fn egress_cost_never_falls_as_gb_rise(a in gb(), b in gb()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let p = prices();
        let cost = |g: Decimal| {
            let i = NetworkInputs { egress_gib_month: g, ..Default::default() };
            price_network(&i, &p, "us-east-1", &none()).expect("priced").total_usd_month
        };
        prop_assert!(cost(lo) <= cost(hi), "{lo} GB costs {} > {hi} GB costs {}", cost(lo), cost(hi));
    }

    #[test]
    fn tiers_split_the_whole_quantity(g in gb()) {
        let tiers = internet_out_tiers(&prices().rows).expect("tiers");
        let used = egress_tiered(g, &tiers);
        prop_assert_eq!(used.iter().map(|(_, q, _)| *q).sum::<Decimal>(), g);
        prop_assert!(used.iter().all(|(t, q, u)| *u == *q * t.usd_per_gb));
    }

    #[test]
    fn lines_sum_to_total(
        egress in gb(), inter_az in gb(), nat in 0u32..20, processed in gb(), ipv4 in 0u32..50, vpn in 0u32..10,
        region in prop::sample::select(vec!["us-east-1", "us-west-2", "eu-west-1"]),
        flat_egress in prop::option::of(0u32..200),
    ) {
        let inputs = NetworkInputs {
            egress_gib_month: egress,
            inter_az_gib_month: inter_az,
            nat_gateways: nat,
            nat_processed_gib_month: processed,
            public_ipv4_hours_month: NetworkInputs::ipv4_hours_for(ipv4),
            vpn_connections: vpn,
        };
        let o = match flat_egress {
            Some(c) => none().with("internet_out_gb", Decimal::new(i64::from(c), 3)),
            None => none(),
        };
        let c = price_network(&inputs, &prices(), region, &o).expect("priced");
        let sum: Decimal = c.lines.iter().filter_map(|l| l.usd_month).sum();
        prop_assert_eq!(sum, c.total_usd_month);
        let unpriced = c.lines.iter().filter(|l| l.usd_month.is_none()).count();
        prop_assert_eq!(unpriced, c.missing.len());
        prop_assert!(c.lines.iter().all(|l| l.quantity > Decimal::ZERO));
    }

    #[test]
    fn every_input_only_adds_cost(base in gb(), extra in gb(), nat in 0u32..5, vpn in 0u32..5) {
        let p = prices();
        let small = NetworkInputs {
            egress_gib_month: base,
            inter_az_gib_month: base,
            nat_gateways: nat,
            nat_processed_gib_month: base,
            public_ipv4_hours_month: base,
            vpn_connections: vpn,
        };
        let big = NetworkInputs {
            egress_gib_month: base + extra,
            inter_az_gib_month: base + extra,
            nat_gateways: nat + 1,
            nat_processed_gib_month: base + extra,
            public_ipv4_hours_month: base + extra,
            vpn_connections: vpn + 1,
        };
        let t = |i: &NetworkInputs| price_network(i, &p, "us-east-1", &none()).expect("priced").total_usd_month;
        prop_assert!(t(&small) < t(&big));
    }
}
