//! The cloud node types of a burst plan in, the Terraform that creates what Slurm's resume script needs out:
//! a launch template per type (official Rocky Linux 9 image, EFA interface where the type supports it, instance
//! profile), a cluster placement group, a security group open to the on-prem network, and an optional
//! site-to-site VPN. Rendered from the embedded templates in `templates/burst/` like the plan's Terraform.

use std::collections::BTreeMap;

use include_dir::{include_dir, Dir};
use serde::Serialize;

use super::slurm_conf::{node_prefix, CloudNodeType};
use crate::error::Result;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/burst");

#[derive(Serialize)]
struct TypeCtx {
    key: String,
    instance_type: String,
    efa: bool,
}

#[derive(Serialize)]
struct Ctx<'a> {
    generated_by: &'a str,
    data_date: &'a str,
    region: &'a str,
    rocky_owner: &'a str,
    types: Vec<TypeCtx>,
}

/// Render every `templates/burst/*.j2` (file `X.j2` gives `X`).
pub fn render(
    types: &[CloudNodeType],
    region: &str,
    data_date: &str,
    generated_by: &str,
) -> Result<BTreeMap<String, String>> {
    let ctx = Ctx {
        generated_by,
        data_date,
        region,
        rocky_owner: crate::terraform::context::ROCKY_OWNER,
        types: types
            .iter()
            .map(|t| TypeCtx {
                key: node_prefix(&t.instance_type).trim_start_matches("cloud-").to_owned(),
                instance_type: t.instance_type.clone(),
                efa: t.efa,
            })
            .collect(),
    };
    crate::terraform::render_context(&ctx, &crate::templates::embedded(&EMBEDDED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efa_types_get_an_efa_interface() {
        let t = |name: &str, efa| CloudNodeType {
            instance_type: name.into(),
            vcpus: 192,
            memory_mib: 786_432,
            real_memory_mib: 747_110,
            gpus: 0,
            gpu_model: None,
            max_nodes: 4,
            efa,
            weight: 10_001,
        };
        let out =
            render(&[t("hpc7a.96xlarge", true), t("c7a.large", false)], "us-east-1", "2026-05-12", "rocklift test")
                .expect("render");
        let main = &out["main.tf"];
        assert!(main.contains(
            "\"hpc7a-96xlarge\" = {\n      instance_type = \"hpc7a.96xlarge\"\n      efa           = true\n"
        ));
        assert!(main.contains("\"c7a-large\" = {\n      instance_type = \"c7a.large\"\n      efa           = false\n"));
        assert!(main.contains("interface_type              = each.value.efa ? \"efa\" : null"));
        assert_eq!(
            out.keys().cloned().collect::<Vec<_>>(),
            ["iam.tf", "main.tf", "outputs.tf", "variables.tf", "versions.tf", "vpn.tf"]
        );
    }
}
