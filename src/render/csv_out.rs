//! A `Plan` in, `plan.csv` text out: one row per inventory row, amounts at full precision, text cells neutralised.

use crate::matching::MatchOutcome;
use crate::money::display_rate;
use crate::plan::Plan;

use super::neutralise;

pub const COLUMNS: [&str; 24] = [
    "name",
    "line",
    "count",
    "role",
    "os",
    "target_os",
    "price_os",
    "need_vcpus",
    "need_memory_gib",
    "need_gpus",
    "arch",
    "instance_type",
    "vcpus",
    "memory_gib",
    "hourly_usd",
    "storage_gib",
    "public",
    "monthly_usd",
    "rhel_monthly_usd",
    "runner_up",
    "status",
    "target_image",
    "os_action",
    "os_note",
];

pub fn plan(plan: &Plan) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_plan(plan, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Write the plan as CSV to `w`, row by row.
pub fn write_plan<W: std::io::Write>(plan: &Plan, out: W) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    w.write_record(COLUMNS)?;
    for s in &plan.servers {
        let storage: rust_decimal::Decimal = s.volumes.iter().map(|v| v.size_gib).sum();
        let (itype, vcpus, mem, hourly, runner, status) = match &s.placement {
            MatchOutcome::Placed(p) => (
                p.instance_type.clone(),
                p.vcpus.to_string(),
                p.memory_gib.to_string(),
                display_rate(p.hourly_usd),
                p.runner_up.as_ref().map(|r| r.instance_type.clone()).unwrap_or_default(),
                "placed".to_owned(),
            ),
            MatchOutcome::Unplaced { reason } => (
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("not placed: {reason}"),
            ),
        };
        let row = [
            neutralise(&s.name),
            s.line.to_string(),
            s.count.to_string(),
            neutralise(&s.role),
            neutralise(&s.os.text),
            s.os.target.clone(),
            s.os.price_os.to_string(),
            s.requirement.vcpus.to_string(),
            s.requirement.memory_gib.normalize().to_string(),
            s.requirement.gpus.to_string(),
            s.requirement.arch.as_str().to_owned(),
            itype,
            vcpus,
            mem,
            hourly,
            storage.normalize().to_string(),
            if s.public { "yes" } else { "no" }.to_owned(),
            s.monthly_usd.normalize().to_string(),
            s.rhel_comparison.as_ref().map(|r| r.monthly_usd.normalize().to_string()).unwrap_or_default(),
            runner,
            status,
            s.os.image.as_ref().map(|i| i.key.clone()).unwrap_or_default(),
            s.os.image.as_ref().map(|i| i.action.as_str().to_owned()).unwrap_or_default(),
            s.os.note.as_deref().map(neutralise).unwrap_or_default(),
        ];
        w.write_record(&row)?;
    }
    w.flush()
}
