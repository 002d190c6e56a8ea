//! Embedded template folders in, their `.j2` sources by name out; and minijinja errors in, one located message
//! (`template NAME:LINE: kind: detail`) out. Shared by the Terraform, burst and report renderers.

use std::collections::BTreeMap;

use include_dir::Dir;

use crate::error::Error;

/// The `.j2` files of an embedded folder: name (`main.tf.j2`) → source.
pub fn embedded(dir: &Dir<'_>) -> BTreeMap<String, String> {
    dir.files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?.to_owned();
            let text = f.contents_utf8()?.to_owned();
            name.ends_with(".j2").then_some((name, text))
        })
        .collect()
}

/// A template that does not parse or render, named with its line.
pub fn error(name: &str, e: &minijinja::Error) -> Error {
    let mut msg = format!("template {name}");
    if let Some(line) = e.line() {
        msg.push_str(&format!(":{line}"));
    }
    msg.push_str(&format!(": {}", e.kind()));
    if let Some(detail) = e.detail() {
        msg.push_str(&format!(": {detail}"));
    }
    Error::Template(msg)
}
