//! A `Plan` in, the Terraform files that deploy it out (file name → text), rendered from the
//! minijinja templates in `templates/terraform/` (embedded; a folder of the user's can replace
//! any of them). Strict about undefined variables; all user text goes through the `hcl` filter.

pub mod context;
pub mod hcl;

use std::collections::BTreeMap;

use include_dir::{include_dir, Dir};
use minijinja::{Environment, UndefinedBehavior};

use crate::error::Result;
use crate::plan::Plan;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/terraform");

/// The embedded templates: name (`main.tf.j2`) → source.
pub fn embedded_templates() -> BTreeMap<String, String> {
    crate::templates::embedded(&EMBEDDED)
}

/// Render every template (`X.j2` gives file `X`) with the plan's context.
pub fn render(plan: &Plan, templates: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    render_context(&context::build(plan)?, templates)
}

/// Render every template with `ctx` (strict about undefined variables, the `hcl` filter for user text).
pub fn render_context<C: serde::Serialize>(
    ctx: &C,
    templates: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.add_filter("hcl", |s: String| hcl::quote(&s));
    for (name, source) in templates {
        env.add_template_owned(name.clone(), source.clone()).map_err(|e| crate::templates::error(name, &e))?;
    }
    // Converted once; every template renders from the same value.
    let value = minijinja::Value::from_serialize(ctx);
    let mut out = BTreeMap::new();
    for name in templates.keys() {
        let t = env.get_template(name).map_err(|e| crate::templates::error(name, &e))?;
        let text = t.render(&value).map_err(|e| crate::templates::error(name, &e))?;
        out.insert(name.trim_end_matches(".j2").to_owned(), text);
    }
    Ok(out)
}
