//! `rocklift terraform PLAN.json --out DIR`: re-render `DIR/terraform/` from a saved plan (no recomputing); shared by `plan --out`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rocklift::outdir::{write_generated, WriteReport};
use rocklift::plan::{Plan, SCHEMA};
use rocklift::{terraform, Error, Result};

use super::{out, Ctx};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A plan.json written by `rocklift plan --out`.
    plan: PathBuf,
    /// Folder to write into; the files go to DIR/terraform/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    render: RenderArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct RenderArgs {
    /// Folder of templates (NAME.tf.j2) that replace the embedded ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Replace generated files even where they were changed since rocklift wrote them.
    #[arg(long)]
    pub force: bool,
}

pub fn run(_ctx: &Ctx, a: Args) -> Result<()> {
    let bytes = std::fs::read(&a.plan).map_err(|e| Error::io(&a.plan, e))?;
    let plan: Plan = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Invalid(vec![rocklift::error::Problem {
            file: a.plan.display().to_string(),
            sheet: None,
            line: e.line() as u64,
            column: None,
            message: format!("column {}: not a rocklift plan ({SCHEMA}): {e}", e.column()),
        }])
    })?;
    if plan.schema != SCHEMA {
        return Err(Error::Invalid(vec![rocklift::error::Problem {
            file: a.plan.display().to_string(),
            sheet: None,
            line: 1,
            column: None,
            message: format!("schema is '{}'; this rocklift reads '{SCHEMA}'", plan.schema),
        }]));
    }
    let files = render_files(&plan, &a.render)?;
    let report = write_files(&a.out, &files, a.render.force)?;
    out(&summary(&a.out.join("terraform"), &report))
}

/// Render the Terraform files of `plan` with the embedded templates and any overrides.
pub fn render_files(plan: &Plan, r: &RenderArgs) -> Result<BTreeMap<String, String>> {
    let mut templates = terraform::embedded_templates();
    if let Some(dir) = &r.templates {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
            if name.ends_with(".j2") {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                templates.insert(name, text);
            }
        }
    }
    terraform::render(plan, &templates)
}

pub fn write_files(out_dir: &Path, files: &BTreeMap<String, String>, force: bool) -> Result<WriteReport> {
    write_generated(&out_dir.join("terraform"), files, force)
}

pub fn summary(dir: &Path, r: &WriteReport) -> String {
    let mut s = format!("Terraform in {}: {} written, {} unchanged", dir.display(), r.written.len(), r.unchanged.len());
    if !r.overwritten.is_empty() {
        s.push_str(&format!("; replaced your changes to {} (--force)", r.overwritten.join(", ")));
    }
    if !r.removed.is_empty() {
        s.push_str(&format!("; removed {} (no longer generated)", r.removed.join(", ")));
    }
    if !r.kept_stale.is_empty() {
        s.push_str(&format!("; kept {} (no longer generated, but changed by you)", r.kept_stale.join(", ")));
    }
    s.push_str(".\n");
    s
}
