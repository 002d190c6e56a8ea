//! A `[groups.NAME]` setting in, a scaling group's plan out: its instance-hours a month from the
//! demand profile (24 hourly instance counts for weekdays and for weekends, in a time zone), and
//! the scheduled actions that make an autoscaling group follow that profile.
//!
//! Hours: the weekday profile counts on the 261 weekdays and the weekend profile on the 104
//! weekend days of the reference year 2026, divided by 12. Each value is the instance count for
//! that local clock hour; on the two daylight-saving days the clock hour that is skipped or
//! repeated is counted once, as on any other day (at most one instance-hour per instance a year).

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::schedule::REFERENCE_YEAR;

/// `[groups.NAME]` in rocklift.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSettings {
    /// The inventory row whose placement (type, image, disks, role) the group's instances use.
    pub server: String,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    /// 24 hourly instance counts for every day (or give `weekday` and `weekend`).
    #[serde(default)]
    pub profile: Option<Vec<u32>>,
    #[serde(default)]
    pub weekday: Option<Vec<u32>>,
    #[serde(default)]
    pub weekend: Option<Vec<u32>>,
    /// IANA zone of the profile's hours (default: the settings' `time_zone`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// One `aws_autoscaling_schedule`: set the group's desired count at a time of the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingAction {
    /// `weekday-08`, `weekend-00`: unique within the group.
    pub name: String,
    /// Unix cron: `0 8 * * 1-5`.
    pub recurrence: String,
    pub desired: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPlan {
    pub name: String,
    pub server: String,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub weekday: Vec<u32>,
    pub weekend: Vec<u32>,
    pub time_zone: String,
    /// Instance-hours a month the profile gives.
    pub instance_hours_month: Decimal,
    pub actions: Vec<ScalingAction>,
}

fn days_of_reference_year() -> (u32, u32) {
    let (mut weekdays, mut weekend) = (0, 0);
    let mut d = NaiveDate::from_ymd_opt(REFERENCE_YEAR, 1, 1);
    while let Some(day) = d.filter(|x| x.year() == REFERENCE_YEAR) {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            weekend += 1;
        } else {
            weekdays += 1;
        }
        d = day.succ_opt();
    }
    (weekdays, weekend)
}

/// Check the settings and compute the group's hours and actions.
pub fn plan_group(name: &str, g: &GroupSettings, default_tz: &str) -> Result<GroupPlan, String> {
    let at = format!("[groups.{name}]");
    if g.min > g.max || g.desired < g.min || g.desired > g.max {
        return Err(format!(
            "{at}: expected min <= desired <= max, got min {} desired {} max {}",
            g.min, g.desired, g.max
        ));
    }
    let check = |label: &str, v: &Vec<u32>| -> Result<Vec<u32>, String> {
        if v.len() != 24 {
            return Err(format!("{at} {label}: {} values; expected 24 hourly instance counts", v.len()));
        }
        if let Some((h, x)) = v.iter().enumerate().find(|(_, x)| **x < g.min || **x > g.max) {
            return Err(format!(
                "{at} {label}: hour {h} asks for {x} instances, outside min {} .. max {}",
                g.min, g.max
            ));
        }
        Ok(v.clone())
    };
    let (weekday, weekend) = match (&g.profile, &g.weekday, &g.weekend) {
        (Some(p), None, None) => (check("profile", p)?, check("profile", p)?),
        (None, Some(wd), Some(we)) => (check("weekday", wd)?, check("weekend", we)?),
        (None, None, None) => (vec![g.desired; 24], vec![g.desired; 24]),
        _ => return Err(format!("{at}: give either `profile`, or both `weekday` and `weekend`")),
    };
    let time_zone = g.time_zone.clone().unwrap_or_else(|| default_tz.to_owned());
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(format!("{at} time_zone = \"{time_zone}\": not an IANA time zone such as \"Europe/Berlin\""));
    }
    let (wd_days, we_days) = days_of_reference_year();
    let sum = |v: &[u32]| Decimal::from(v.iter().map(|x| u64::from(*x)).sum::<u64>());
    let year = sum(&weekday) * Decimal::from(wd_days) + sum(&weekend) * Decimal::from(we_days);
    let instance_hours_month = (year / Decimal::from(12)).normalize();
    // An action at midnight of each day type, and wherever the count changes within the day.
    let mut actions = Vec::new();
    for (label, days, v) in [("weekday", "1-5", &weekday), ("weekend", "0,6", &weekend)] {
        for h in 0..24 {
            if h == 0 || v[h] != v[h - 1] {
                actions.push(ScalingAction {
                    name: format!("{label}-{h:02}"),
                    recurrence: format!("0 {h} * * {days}"),
                    desired: v[h],
                });
            }
        }
    }
    Ok(GroupPlan {
        name: name.to_owned(),
        server: g.server.clone(),
        min: g.min,
        max: g.max,
        desired: g.desired,
        weekday,
        weekend,
        time_zone,
        instance_hours_month,
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(profile: Option<Vec<u32>>) -> GroupSettings {
        GroupSettings {
            server: "web".into(),
            min: 2,
            max: 6,
            desired: 2,
            profile,
            weekday: None,
            weekend: None,
            time_zone: None,
        }
    }

    #[test]
    fn reference_year_days() {
        // 2026 starts on a Thursday: 52 weeks (260 weekdays, 104 weekend days) plus Thursday Dec 31.
        assert_eq!(days_of_reference_year(), (261, 104));
    }

    #[test]
    fn flat_group_is_desired_times_730() {
        let p = plan_group("web", &g(None), "UTC").expect("valid");
        // 2 instances x 24 h x 365 days / 12 = 1460.
        assert_eq!(p.instance_hours_month, Decimal::from(1460));
        assert_eq!(p.actions.len(), 2);
    }

    #[test]
    fn profile_hours_and_actions() {
        // 2 instances, 4 from 08:00 to 18:00 every day: (2 x 14 + 4 x 10) = 68 instance-hours a day;
        // 68 x 365 / 12 = 2068.333...
        let mut v = vec![2u32; 24];
        for x in v.iter_mut().take(18).skip(8) {
            *x = 4;
        }
        let p = plan_group("web", &g(Some(v)), "Europe/Berlin").expect("valid");
        assert_eq!(p.instance_hours_month, Decimal::from(68 * 365) / Decimal::from(12));
        let names: Vec<&str> = p.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["weekday-00", "weekday-08", "weekday-18", "weekend-00", "weekend-08", "weekend-18"]);
        assert_eq!(p.actions[1].recurrence, "0 8 * * 1-5");
        assert_eq!(p.actions[1].desired, 4);
    }

    #[test]
    fn bad_profiles_are_explained() {
        assert!(plan_group("web", &g(Some(vec![2; 23])), "UTC").expect_err("23").contains("23 values"));
        assert!(plan_group("web", &g(Some(vec![9; 24])), "UTC").expect_err("9").contains("outside min 2 .. max 6"));
        let mut bad = g(None);
        bad.desired = 7;
        assert!(plan_group("web", &bad, "UTC").expect_err("desired").contains("min <= desired <= max"));
    }
}
