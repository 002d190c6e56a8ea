//! Offline check of Terraform files against the AWS provider schema 6.66.0, trimmed to the types
//! rocklift and its tests name: `tests/fixtures/tf-schema/aws-provider-6.66.0.json`, written by
//! `scripts/trim-provider-schema.py` from the project's full schema (see its PROVENANCE.md).
//!
//! `terraform validate` needs the provider plugin from the Terraform registry, which CI cannot
//! reach; this is the stand-in. It parses every `*.tf` with `hcl::parse` and reports, as
//! human-readable strings `FILE: ADDRESS: message`:
//! - `resource`/`data`/`ephemeral` types that the provider does not have (a data source used as a
//!   resource and the reverse are called out), `provider` blocks other than `aws`;
//! - attributes and nested blocks the schema does not have (with a "did you mean"), computed-only
//!   attributes that are set, blocks written as attributes and the reverse, more than one block
//!   where `max_items` is 1, missing `required` attributes and blocks — recursively, `dynamic "x"`
//!   blocks checked as block `x` through their `content`, blocks in `attribute_mode` accepted in
//!   either syntax, `opaque` (and recursion-truncated) blocks accepting anything;
//! - meta-arguments are allowed (`count`, `for_each`, `depends_on`, `provider`, `lifecycle`,
//!   `provisioner`, `connection`); `variable`, `output`, `locals`, `terraform`, `module`, `moved`,
//!   `import`, `removed`, `check` need no schema;
//! - references: `var.x`, `local.x`, `aws_x.n`, `data.aws_x.n`, `ephemeral.aws_x.n` must be
//!   declared (in the same file for [`check_body`], in the directory for [`check_dir`]), the first
//!   attribute read from a resource must exist in its schema, `[index]` only on resources with
//!   `count`/`for_each` and a bare `.attr` only on those without; duplicate declarations.
//!
//! Include it with `#[path = "common/tf_schema.rs"] mod tf_schema;`. [`tools`] finds `terraform`
//! and `checkov` (see scripts/setup-test-tools.sh) and runs `terraform fmt -check` and checkov.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hcl::expr::{Expression, ObjectKey, Operation, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::{Block, Body};
use serde::Deserialize;

/// The trimmed schema, in the repository.
pub const SCHEMA_FILE: &str = "tests/fixtures/tf-schema/aws-provider-6.66.0.json";

/// `<repo>/<SCHEMA_FILE>`.
pub fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE)
}

/// One attribute of a resource, data source, provider or nested block.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AttrSchema {
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub computed: bool,
    #[serde(default, rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub write_only: bool,
}

/// A resource / data source / provider (top level) or a nested block; the nesting fields are
/// only meaningful for nested blocks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BlockSchema {
    #[serde(default)]
    pub kind: Option<String>,
    /// Settable attributes (required or optional, possibly also computed).
    #[serde(default)]
    pub attributes: BTreeMap<String, AttrSchema>,
    /// Computed-only attributes: readable, never settable.
    #[serde(default)]
    pub computed: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(default)]
    pub blocks: BTreeMap<String, BlockSchema>,
    #[serde(default)]
    pub nesting: Option<String>,
    #[serde(default)]
    pub max_items: Option<u64>,
    #[serde(default)]
    pub required: bool,
    /// A list-of-object attribute that may also be written as blocks (`ingress { }`).
    #[serde(default)]
    pub attribute_mode: bool,
    /// Accepts anything inside.
    #[serde(default)]
    pub opaque: bool,
    /// The schema stops here (recursive structure): accept anything inside.
    #[serde(default)]
    pub recursion_truncated: Option<Vec<String>>,
}

impl BlockSchema {
    fn accepts_anything(&self) -> bool {
        self.opaque || self.recursion_truncated.is_some()
    }

    /// Can `name` be read from an instance of this (for references like `aws_x.n.name`)?
    pub fn has_readable(&self, name: &str) -> bool {
        self.attributes.contains_key(name) || self.computed.contains_key(name) || self.blocks.contains_key(name)
    }
}

/// The AWS provider schema: resources, data sources, ephemeral resources and the provider itself.
#[derive(Debug, Default)]
pub struct Schema {
    pub resources: HashMap<String, BlockSchema>,
    pub data_sources: HashMap<String, BlockSchema>,
    pub ephemeral: HashMap<String, BlockSchema>,
    pub provider: BlockSchema,
}

static SCHEMA: OnceLock<Schema> = OnceLock::new();

impl Schema {
    /// The schema from [`schema_path`], parsed once per test binary.
    pub fn load() -> &'static Schema {
        SCHEMA.get_or_init(|| Schema::from_path(&schema_path()).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Parse a schema file (gzip'd JSON, or plain JSON if the name does not end in `.gz`), uncached.
    pub fn from_path(path: &Path) -> Result<Schema, String> {
        use std::io::Read;
        let raw = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut json = String::new();
        if path.extension().is_some_and(|x| x == "gz") {
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_string(&mut json)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        } else {
            json = String::from_utf8(raw).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let entries: HashMap<String, BlockSchema> =
            serde_json::from_str(&json).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut schema = Schema::default();
        for (key, entry) in entries {
            if let Some(name) = key.strip_prefix("data.") {
                schema.data_sources.insert(name.to_string(), entry);
            } else if let Some(name) = key.strip_prefix("ephemeral.") {
                schema.ephemeral.insert(name.to_string(), entry);
            } else if key == "provider.aws" {
                schema.provider = entry;
            } else {
                schema.resources.insert(key, entry);
            }
        }
        if schema.resources.is_empty() || schema.data_sources.is_empty() || schema.provider.attributes.is_empty() {
            return Err(format!("{}: no resources, data sources or provider.aws in it", path.display()));
        }
        Ok(schema)
    }

    pub fn resource(&self, ty: &str) -> Option<&BlockSchema> {
        self.resources.get(ty)
    }

    pub fn data_source(&self, ty: &str) -> Option<&BlockSchema> {
        self.data_sources.get(ty)
    }

    fn by_mode(&self, mode: Mode) -> &HashMap<String, BlockSchema> {
        match mode {
            Mode::Managed => &self.resources,
            Mode::Data => &self.data_sources,
            Mode::Ephemeral => &self.ephemeral,
        }
    }

    /// Every problem in the `*.tf` files of `dir` (not recursive), files in name order.
    pub fn check_dir(&self, dir: &Path) -> Vec<String> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tf"))
                .collect(),
            Err(e) => return vec![format!("{}: {e}", dir.display())],
        };
        files.sort();
        if files.is_empty() {
            return vec![format!("{}: no .tf files", dir.display())];
        }
        let mut m = ModuleCheck::new(self);
        for path in &files {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match std::fs::read_to_string(path) {
                Ok(src) => match hcl::parse(&src) {
                    Ok(body) => m.add_body(&name, &body),
                    Err(e) => m.problems.push(format!("{name}: does not parse: {e}")),
                },
                Err(e) => m.problems.push(format!("{name}: {e}")),
            }
        }
        m.finish()
    }

    /// Every problem in one parsed file, references resolved within that file alone.
    pub fn check_body(&self, file_name: &str, body: &Body) -> Vec<String> {
        let mut m = ModuleCheck::new(self);
        m.add_body(file_name, body);
        m.finish()
    }

    /// [`Schema::check_body`] of `src` parsed (a parse error is the one problem).
    pub fn check_str(&self, file_name: &str, src: &str) -> Vec<String> {
        match hcl::parse(src) {
            Ok(body) => self.check_body(file_name, &body),
            Err(e) => vec![format!("{file_name}: does not parse: {e}")],
        }
    }
}

/// [`Schema::check_dir`] with the cached schema.
pub fn check_dir(dir: &Path) -> Vec<String> {
    Schema::load().check_dir(dir)
}

/// [`Schema::check_body`] with the cached schema.
pub fn check_body(file_name: &str, body: &Body) -> Vec<String> {
    Schema::load().check_body(file_name, body)
}

/// [`Schema::check_str`] with the cached schema.
pub fn check_str(file_name: &str, src: &str) -> Vec<String> {
    Schema::load().check_str(file_name, src)
}

/// Panic listing every problem of `dir`, if any.
pub fn assert_valid_dir(dir: &Path) {
    let problems = check_dir(dir);
    assert!(
        problems.is_empty(),
        "{} has {} Terraform schema problem(s):\n  {}",
        dir.display(),
        problems.len(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Mode {
    Managed,
    Data,
    Ephemeral,
}

impl Mode {
    fn address(self, ty: &str, name: &str) -> String {
        match self {
            Mode::Managed => format!("{ty}.{name}"),
            Mode::Data => format!("data.{ty}.{name}"),
            Mode::Ephemeral => format!("ephemeral.{ty}.{name}"),
        }
    }
}

/// What follows `TYPE.NAME` in a reference.
#[derive(Debug)]
enum After {
    Nothing,
    /// `[i]` or `["k"]`, then maybe `.attr`.
    Index(Option<String>),
    /// `[*]` / `.*`, then maybe `.attr`.
    Splat(Option<String>),
    /// `.attr` directly.
    Attr(String),
}

#[derive(Debug)]
enum Ref {
    Var(String),
    Local(String),
    Resource { mode: Mode, ty: String, name: String, after: After },
}

struct Declared {
    file: String,
    counted: bool,
}

struct ModuleCheck<'s> {
    schema: &'s Schema,
    problems: Vec<String>,
    resources: BTreeMap<(Mode, String, String), Declared>,
    variables: BTreeMap<String, String>,
    locals: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
    providers: BTreeMap<String, String>,
    /// (file, address of the referring block, reference)
    refs: Vec<(String, String, Ref)>,
}

const RESOURCE_META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider"];
const RESOURCE_META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
const DATA_META_BLOCKS: &[&str] = &["lifecycle"];
const PROVIDER_META_ATTRS: &[&str] = &["alias", "version"];
const FREE_TOP_LEVEL: &[&str] = &["terraform", "module", "moved", "import", "removed", "check"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Resource,
    Data,
    Provider,
    Nested,
}

impl<'s> ModuleCheck<'s> {
    fn new(schema: &'s Schema) -> Self {
        ModuleCheck {
            schema,
            problems: Vec::new(),
            resources: BTreeMap::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            outputs: BTreeMap::new(),
            providers: BTreeMap::new(),
            refs: Vec::new(),
        }
    }

    fn problem(&mut self, file: &str, addr: &str, msg: impl AsRef<str>) {
        self.problems.push(format!("{file}: {addr}: {}", msg.as_ref()));
    }

    fn add_body(&mut self, file: &str, body: &Body) {
        for attr in body.attributes() {
            self.problem(file, attr.key(), "attributes are not allowed at the top level of a file");
        }
        for block in body.blocks() {
            self.top_level_block(file, block);
        }
    }

    fn labels(block: &Block) -> Vec<&str> {
        block.labels().iter().map(|l| l.as_str()).collect()
    }

    fn top_level_block(&mut self, file: &str, block: &Block) {
        let id = block.identifier();
        let labels = Self::labels(block);
        match id {
            "resource" | "data" | "ephemeral" => {
                let mode = match id {
                    "resource" => Mode::Managed,
                    "data" => Mode::Data,
                    _ => Mode::Ephemeral,
                };
                let [ty, name] = labels[..] else {
                    let addr =
                        format!("{id} {}", labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(" "));
                    self.problem(file, addr.trim(), format!("a {id} block takes 2 labels (type and name)"));
                    return;
                };
                self.declare_resource(file, mode, ty, name, block.body());
                self.resource_block(file, mode, ty, name, block.body());
            }
            "provider" => {
                let [name] = labels[..] else {
                    self.problem(file, "provider", "a provider block takes 1 label");
                    return;
                };
                let alias = block
                    .body()
                    .attributes()
                    .find(|a| a.key() == "alias")
                    .map(|a| expr_literal(a.expr()).unwrap_or_else(|| "?".into()));
                let key = match &alias {
                    Some(a) => format!("{name}.{a}"),
                    None => name.to_string(),
                };
                let addr = format!("provider.{key}");
                if let Some(prev) = self.providers.insert(key.clone(), file.to_string()) {
                    self.problem(file, &addr, format!("duplicate provider configuration (also in {prev})"));
                }
                if name == "aws" {
                    let schema = self.schema;
                    self.check_body_against(file, &addr, &schema.provider, block.body(), Level::Provider);
                } else {
                    self.problem(file, &addr, format!("no schema for provider {name:?} (only aws is checked)"));
                    self.walk_body(file, &addr, block.body());
                }
            }
            "variable" | "output" => {
                let [name] = labels[..] else {
                    self.problem(file, id, format!("a {id} block takes 1 label"));
                    return;
                };
                let addr = format!("{}.{name}", if id == "variable" { "var" } else { "output" });
                let map = if id == "variable" { &mut self.variables } else { &mut self.outputs };
                if let Some(prev) = map.insert(name.to_string(), file.to_string()) {
                    self.problem(file, &addr, format!("duplicate {id} (also in {prev})"));
                }
                if id == "output" && !block.body().attributes().any(|a| a.key() == "value") {
                    self.problem(file, &addr, "missing required attribute \"value\"");
                }
                self.walk_body(file, &addr, block.body());
            }
            "locals" => {
                for attr in block.body().attributes() {
                    let addr = format!("local.{}", attr.key());
                    if let Some(prev) = self.locals.insert(attr.key().to_string(), file.to_string()) {
                        self.problem(file, &addr, format!("duplicate local value (also in {prev})"));
                    }
                    self.walk_expr(file, &addr, attr.expr());
                }
                for b in block.body().blocks() {
                    self.problem(file, "locals", format!("blocks are not allowed in locals: {:?}", b.identifier()));
                }
            }
            // `moved`/`removed` name addresses that are (by design) no longer declared.
            "moved" | "removed" => {}
            _ if FREE_TOP_LEVEL.contains(&id) => {
                let addr = std::iter::once(id).chain(labels.iter().copied()).collect::<Vec<_>>().join(".");
                self.walk_body(file, &addr, block.body());
            }
            _ => self.problem(file, id, format!("unknown top-level block type {id:?}")),
        }
    }

    fn declare_resource(&mut self, file: &str, mode: Mode, ty: &str, name: &str, body: &Body) {
        let counted = body.attributes().any(|a| a.key() == "count" || a.key() == "for_each");
        let key = (mode, ty.to_string(), name.to_string());
        if let Some(prev) = self.resources.get(&key) {
            let msg = format!("duplicate declaration (also in {})", prev.file);
            self.problem(file, &mode.address(ty, name), msg);
            return;
        }
        self.resources.insert(key, Declared { file: file.to_string(), counted });
    }

    fn resource_block(&mut self, file: &str, mode: Mode, ty: &str, name: &str, body: &Body) {
        let addr = mode.address(ty, name);
        let schema = self.schema;
        let (level, what) = match mode {
            Mode::Managed => (Level::Resource, "resource"),
            Mode::Data => (Level::Data, "data source"),
            Mode::Ephemeral => (Level::Data, "ephemeral resource"),
        };
        if let Some(s) = schema.by_mode(mode).get(ty) {
            self.check_body_against(file, &addr, s, body, level);
            return;
        }
        self.walk_body(file, &addr, body);
        let msg = if mode != Mode::Data && schema.data_sources.contains_key(ty) {
            format!("{ty:?} is a data source, not a {what}: write data \"{ty}\" \"{name}\"")
        } else if mode != Mode::Managed && schema.resources.contains_key(ty) {
            format!("{ty:?} is a resource, not a {what}: write resource \"{ty}\" \"{name}\"")
        } else if mode == Mode::Managed && schema.ephemeral.contains_key(ty) {
            format!("{ty:?} is an ephemeral resource: write ephemeral \"{ty}\" \"{name}\"")
        } else if !ty.starts_with("aws_") {
            format!("{ty:?} is not an AWS {what}; only the aws provider's schema is known here")
        } else {
            format!("unknown {what} type {ty:?}{}", did_you_mean(ty, schema.by_mode(mode).keys()))
        };
        self.problem(file, &addr, msg);
    }

    /// Check `body` against `schema` (attributes, nested blocks, required ones), recursively,
    /// and collect the references in its expressions.
    fn check_body_against(&mut self, file: &str, addr: &str, schema: &BlockSchema, body: &Body, level: Level) {
        let (meta_attrs, meta_blocks): (&[&str], &[&str]) = match level {
            Level::Resource => (RESOURCE_META_ATTRS, RESOURCE_META_BLOCKS),
            Level::Data => (RESOURCE_META_ATTRS, DATA_META_BLOCKS),
            Level::Provider => (PROVIDER_META_ATTRS, &[]),
            Level::Nested => (&[], &[]),
        };
        let mut set: BTreeSet<&str> = BTreeSet::new();
        for attr in body.attributes() {
            let key = attr.key();
            if !set.insert(key) {
                self.problem(file, addr, format!("attribute {key:?} is set more than once"));
            }
            if key != "provider" {
                self.walk_expr(file, addr, attr.expr());
            }
            if meta_attrs.contains(&key) || schema.attributes.contains_key(key) {
                continue;
            }
            match schema.blocks.get(key) {
                Some(b) if b.attribute_mode => continue,
                Some(_) => {
                    self.problem(file, addr, format!("{key:?} is a block, not an attribute: write {key} {{ ... }}"));
                    continue;
                }
                None => {}
            }
            if schema.computed.contains_key(key) {
                self.problem(file, addr, format!("{key:?} is computed (read-only) and cannot be set"));
                continue;
            }
            let candidates =
                schema.attributes.keys().chain(schema.blocks.iter().filter(|(_, b)| b.attribute_mode).map(|(k, _)| k));
            let mut hint = did_you_mean(key, candidates);
            if hint.is_empty() {
                hint = self.other_mode_hint(addr, key, level);
            }
            self.problem(file, addr, format!("unknown attribute {key:?}{hint}"));
        }

        // Nested blocks: static ones counted for max_items; dynamic ones make the count unknown.
        let mut static_count: BTreeMap<&str, usize> = BTreeMap::new();
        let mut dynamic: BTreeSet<String> = BTreeSet::new();
        for block in body.blocks() {
            let id = block.identifier();
            if meta_blocks.contains(&id) {
                self.walk_body(file, &format!("{addr}.{id}"), block.body());
                continue;
            }
            if id == "dynamic" {
                if let Some(name) = self.dynamic_block(file, addr, schema, block) {
                    dynamic.insert(name);
                }
                continue;
            }
            let baddr = format!("{addr}.{id}");
            if !block.labels().is_empty() {
                self.problem(file, &baddr, "a nested block takes no labels");
            }
            match schema.blocks.get(id) {
                Some(b) => {
                    *static_count.entry(id).or_default() += 1;
                    if b.accepts_anything() {
                        self.walk_body(file, &baddr, block.body());
                    } else {
                        self.check_body_against(file, &baddr, b, block.body(), Level::Nested);
                    }
                }
                None => {
                    self.walk_body(file, &baddr, block.body());
                    let msg = if schema.attributes.contains_key(id) {
                        format!("{id:?} is an attribute, not a block: write {id} = ...")
                    } else {
                        format!("unknown block {id:?}{}", did_you_mean(id, schema.blocks.keys()))
                    };
                    self.problem(file, addr, msg);
                }
            }
        }

        for (name, a) in &schema.attributes {
            if a.required && !set.contains(name.as_str()) {
                self.problem(file, addr, format!("missing required attribute {name:?}"));
            }
        }
        for (name, b) in &schema.blocks {
            let n = static_count.get(name.as_str()).copied().unwrap_or(0);
            let present = n > 0 || dynamic.contains(name) || set.contains(name.as_str());
            if b.required && !present {
                self.problem(file, addr, format!("missing required block {name:?}"));
            }
            let max = if b.nesting.as_deref() == Some("single") { Some(1) } else { b.max_items };
            if let Some(max) = max {
                if n as u64 > max {
                    self.problem(file, addr, format!("block {name:?} may appear at most {max} time(s), found {n}"));
                }
            }
        }
    }

    /// For `resource "aws_ami"` (both a resource and a data source) set with arguments of the
    /// data source, or the reverse: say so.
    fn other_mode_hint(&self, addr: &str, key: &str, level: Level) -> String {
        let (other, kw, what) = match level {
            Level::Resource => (&self.schema.data_sources, "data", "a data source"),
            Level::Data if addr.starts_with("data.") => (&self.schema.resources, "resource", "a resource"),
            _ => return String::new(),
        };
        let ty = addr.trim_start_matches("data.").split('.').next().unwrap_or_default();
        match other.get(ty) {
            Some(s) if s.attributes.contains_key(key) => {
                format!(" ({kw} \"{ty}\" has it: is this meant to be {what}?)")
            }
            _ => String::new(),
        }
    }

    /// `dynamic "x" { for_each = ...; iterator = ...; labels = ...; content { ... } }`: returns `x`
    /// if it is a block of `schema`.
    fn dynamic_block(&mut self, file: &str, addr: &str, schema: &BlockSchema, block: &Block) -> Option<String> {
        let [name] = Self::labels(block)[..] else {
            self.problem(file, addr, "a dynamic block takes 1 label (the block type)");
            return None;
        };
        let daddr = format!("{addr}.{name}");
        let body = block.body();
        let mut has_for_each = false;
        for attr in body.attributes() {
            match attr.key() {
                "for_each" => has_for_each = true,
                "iterator" | "labels" => {}
                other => self.problem(file, &daddr, format!("unknown attribute {other:?} in a dynamic block")),
            }
            if attr.key() != "iterator" {
                self.walk_expr(file, &daddr, attr.expr());
            }
        }
        if !has_for_each {
            self.problem(file, &daddr, "dynamic block without for_each");
        }
        let contents: Vec<&Block> = body.blocks().filter(|b| b.identifier() == "content").collect();
        for b in body.blocks().filter(|b| b.identifier() != "content") {
            self.problem(file, &daddr, format!("unknown block {:?} in a dynamic block", b.identifier()));
        }
        if contents.len() != 1 {
            self.problem(
                file,
                &daddr,
                format!("a dynamic block needs exactly 1 content block, found {}", contents.len()),
            );
        }
        let Some(b) = schema.blocks.get(name) else {
            let msg = if schema.attributes.contains_key(name) {
                format!("{name:?} is an attribute, not a block: it cannot be dynamic")
            } else {
                format!("unknown block {name:?}{}", did_you_mean(name, schema.blocks.keys()))
            };
            self.problem(file, addr, msg);
            for c in contents {
                self.walk_body(file, &daddr, c.body());
            }
            return None;
        };
        for c in contents {
            if b.accepts_anything() {
                self.walk_body(file, &daddr, c.body());
            } else {
                self.check_body_against(file, &daddr, b, c.body(), Level::Nested);
            }
        }
        Some(name.to_string())
    }

    // --- references -------------------------------------------------------------------------

    fn walk_body(&mut self, file: &str, addr: &str, body: &Body) {
        for attr in body.attributes() {
            self.walk_expr(file, addr, attr.expr());
        }
        for block in body.blocks() {
            self.walk_body(file, addr, block.body());
        }
    }

    fn walk_expr(&mut self, file: &str, addr: &str, expr: &Expression) {
        match expr {
            Expression::Array(items) => items.iter().for_each(|e| self.walk_expr(file, addr, e)),
            Expression::Object(obj) => {
                for (k, v) in obj.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        self.walk_expr(file, addr, ke);
                    }
                    self.walk_expr(file, addr, v);
                }
            }
            Expression::TemplateExpr(t) => match Template::from_expr(t) {
                Ok(tpl) => self.walk_template(file, addr, &tpl),
                Err(e) => self.problem(file, addr, format!("bad string template: {e}")),
            },
            Expression::Traversal(t) => {
                if let Some(r) = reference(t) {
                    self.refs.push((file.to_string(), addr.to_string(), r));
                }
                self.walk_expr(file, addr, &t.expr);
                for op in &t.operators {
                    if let TraversalOperator::Index(e) = op {
                        self.walk_expr(file, addr, e);
                    }
                }
            }
            Expression::FuncCall(f) => f.args.iter().for_each(|e| self.walk_expr(file, addr, e)),
            Expression::Parenthesis(e) => self.walk_expr(file, addr, e),
            Expression::Conditional(c) => {
                self.walk_expr(file, addr, &c.cond_expr);
                self.walk_expr(file, addr, &c.true_expr);
                self.walk_expr(file, addr, &c.false_expr);
            }
            Expression::Operation(op) => match op.as_ref() {
                Operation::Unary(u) => self.walk_expr(file, addr, &u.expr),
                Operation::Binary(b) => {
                    self.walk_expr(file, addr, &b.lhs_expr);
                    self.walk_expr(file, addr, &b.rhs_expr);
                }
            },
            Expression::ForExpr(f) => {
                self.walk_expr(file, addr, &f.collection_expr);
                if let Some(k) = &f.key_expr {
                    self.walk_expr(file, addr, k);
                }
                self.walk_expr(file, addr, &f.value_expr);
                if let Some(c) = &f.cond_expr {
                    self.walk_expr(file, addr, c);
                }
            }
            _ => {}
        }
    }

    fn walk_template(&mut self, file: &str, addr: &str, tpl: &Template) {
        for el in tpl.elements() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.walk_expr(file, addr, &i.expr),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(i) => {
                        self.walk_expr(file, addr, &i.cond_expr);
                        self.walk_template(file, addr, &i.true_template);
                        if let Some(f) = &i.false_template {
                            self.walk_template(file, addr, f);
                        }
                    }
                    Directive::For(f) => {
                        self.walk_expr(file, addr, &f.collection_expr);
                        self.walk_template(file, addr, &f.template);
                    }
                },
            }
        }
    }

    fn finish(mut self) -> Vec<String> {
        let refs = std::mem::take(&mut self.refs);
        for (file, addr, r) in refs {
            match r {
                Ref::Var(name) => {
                    if !self.variables.contains_key(&name) {
                        self.problem(&file, &addr, format!("reference to undeclared variable var.{name}"));
                    }
                }
                Ref::Local(name) => {
                    if !self.locals.contains_key(&name) {
                        self.problem(&file, &addr, format!("reference to undeclared local value local.{name}"));
                    }
                }
                Ref::Resource { mode, ty, name, after } => {
                    let target = mode.address(&ty, &name);
                    let Some(decl) = self.resources.get(&(mode, ty.clone(), name.clone())) else {
                        self.problem(&file, &addr, format!("reference to undeclared {target}"));
                        continue;
                    };
                    let counted = decl.counted;
                    let attr = match &after {
                        After::Nothing => None,
                        After::Attr(a) => {
                            if counted {
                                let msg = format!("{target} has count/for_each: index it ({target}[...].{a})");
                                self.problem(&file, &addr, msg);
                            }
                            Some(a.clone())
                        }
                        After::Index(a) => {
                            if !counted {
                                let msg = format!("{target} has no count/for_each and cannot be indexed");
                                self.problem(&file, &addr, msg);
                            }
                            a.clone()
                        }
                        After::Splat(a) => a.clone(),
                    };
                    let schema = self.schema;
                    if let (Some(a), Some(s)) = (attr, schema.by_mode(mode).get(&ty)) {
                        if !s.has_readable(&a) {
                            let names = s.attributes.keys().chain(s.computed.keys()).chain(s.blocks.keys());
                            let msg = format!("{ty} has no attribute {a:?}{}", did_you_mean(&a, names));
                            self.problem(&file, &addr, format!("{target}: {msg}"));
                        }
                    }
                }
            }
        }
        self.problems
    }
}

/// `var.x`, `local.x`, `aws_x.n...`, `data.aws_x.n...`, `ephemeral.aws_x.n...`; other roots
/// (`each`, `count`, `path`, `self`, iterators, `module`, ...) are not checked.
fn reference(t: &hcl::expr::Traversal) -> Option<Ref> {
    let Expression::Variable(root) = &t.expr else { return None };
    let root = root.as_str();
    let mut ops = t.operators.iter();
    let get_attr = |op: Option<&TraversalOperator>| match op {
        Some(TraversalOperator::GetAttr(id)) => Some(id.as_str().to_string()),
        _ => None,
    };
    let (mode, ty) = match root {
        "var" => return get_attr(ops.next()).map(Ref::Var),
        "local" => return get_attr(ops.next()).map(Ref::Local),
        "data" => (Mode::Data, get_attr(ops.next())?),
        "ephemeral" => (Mode::Ephemeral, get_attr(ops.next())?),
        _ if root.starts_with("aws_") => (Mode::Managed, root.to_string()),
        _ => return None,
    };
    let name = get_attr(ops.next())?;
    let after = match ops.next() {
        None => After::Nothing,
        Some(TraversalOperator::GetAttr(a)) => After::Attr(a.as_str().to_string()),
        Some(TraversalOperator::Index(_)) | Some(TraversalOperator::LegacyIndex(_)) => {
            After::Index(get_attr(ops.next()))
        }
        Some(TraversalOperator::AttrSplat) | Some(TraversalOperator::FullSplat) => After::Splat(get_attr(ops.next())),
    };
    Some(Ref::Resource { mode, ty, name, after })
}

/// The value of a literal string expression.
fn expr_literal(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// ` (did you mean "x"?)` for the closest candidate, if close enough.
fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    let limit = 2.max(name.len() / 4);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------------------

/// Find and run `terraform` and `checkov` (installed by scripts/setup-test-tools.sh).
pub mod tools {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    const SETUP_HINT: &str =
        "run scripts/setup-test-tools.sh (it installs checkov, and terraform if none is on PATH, into .venv/)";

    /// `ROCKLIFT_<NAME>` if set, else `.venv/bin/<name>` in the repo, else `<name>` on PATH;
    /// panics (never skips) with a hint to run scripts/setup-test-tools.sh.
    pub fn find(name: &str) -> PathBuf {
        let env = format!("ROCKLIFT_{}", name.to_uppercase());
        if let Some(p) = std::env::var_os(&env) {
            return PathBuf::from(p);
        }
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv").join("bin").join(name);
        if is_executable(&venv) {
            return venv;
        }
        if let Some(paths) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&paths) {
                let p = dir.join(name);
                if is_executable(&p) {
                    return p;
                }
            }
        }
        panic!("`{name}` not found in .venv/bin or on PATH (nor ${env}): {SETUP_HINT}");
    }

    fn is_executable(p: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }

    pub fn terraform() -> PathBuf {
        find("terraform")
    }

    pub fn checkov() -> PathBuf {
        find("checkov")
    }

    fn run(cmd: &mut Command) -> Output {
        // A TF_CLI_CONFIG_FILE naming a missing file only makes terraform print a warning.
        if std::env::var_os("TF_CLI_CONFIG_FILE").is_some_and(|f| !Path::new(&f).exists()) {
            cmd.env_remove("TF_CLI_CONFIG_FILE");
        }
        cmd.env("CHECKPOINT_DISABLE", "1"); // terraform: no version check over the network
        cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}; {SETUP_HINT}"))
    }

    /// `terraform version`'s first line.
    pub fn terraform_version() -> String {
        let out = run(Command::new(terraform()).arg("version"));
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string()
    }

    /// `terraform fmt -check -diff -recursive DIR`: Err(diff and stderr) if any file is not formatted.
    pub fn terraform_fmt_check(dir: &Path) -> Result<(), String> {
        let out = run(Command::new(terraform()).args(["fmt", "-check", "-diff", "-recursive", "-no-color"]).arg(dir));
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "terraform fmt -check failed ({}) in {}:\n{}{}",
                out.status,
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// A failed checkov check.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Finding {
        pub check_id: String,
        pub check_name: String,
        pub resource: String,
        pub file: String,
        pub lines: String,
    }

    impl std::fmt::Display for Finding {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{} {} ({}:{}): {}", self.check_id, self.resource, self.file, self.lines, self.check_name)
        }
    }

    /// Result of [`checkov_dir`].
    #[derive(Debug, Clone, Default)]
    pub struct CheckovReport {
        pub passed: u64,
        pub failed: Vec<Finding>,
        /// (check id, resource, reason) of the checks skipped with `#checkov:skip=ID: reason`.
        pub skipped: Vec<(String, String, String)>,
    }

    /// `checkov -d DIR --framework terraform -o json --compact --skip-download` (offline; not
    /// `--quiet`, which drops the skipped checks from the JSON),
    /// parsed. `extra` is appended to the arguments (e.g. `["--skip-check", "CKV_AWS_1"]`).
    pub fn checkov_dir(dir: &Path, extra: &[&str]) -> CheckovReport {
        let mut cmd = Command::new(checkov());
        cmd.arg("-d")
            .arg(dir)
            .args(["--framework", "terraform", "-o", "json", "--compact", "--skip-download"])
            .args(extra)
            .env("BC_SKIP_MAPPING", "TRUE") // no attempt to fetch guideline mappings
            .env("LOG_LEVEL", "ERROR");
        let out = run(&mut cmd);
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Exit code: 0 = no failed check, 1 = failed checks; anything else is checkov's own failure.
        if !matches!(out.status.code(), Some(0) | Some(1)) {
            panic!("{cmd:?} failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
        }
        let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!("checkov output is not JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
        });
        // One framework gives an object, several a list of objects; no resource at all gives a bare summary.
        let reports: Vec<&serde_json::Value> = match &json {
            serde_json::Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        let mut report = CheckovReport::default();
        let s = |v: &serde_json::Value, k: &str| match &v[k] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        for r in reports {
            report.passed += r["summary"]["passed"].as_u64().or_else(|| r["passed"].as_u64()).unwrap_or(0);
            for f in r["results"]["failed_checks"].as_array().into_iter().flatten() {
                report.failed.push(Finding {
                    check_id: s(f, "check_id"),
                    check_name: s(f, "check_name"),
                    resource: s(f, "resource"),
                    file: s(f, "file_path"),
                    lines: f["file_line_range"]
                        .as_array()
                        .map(|a| a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("-"))
                        .unwrap_or_default(),
                });
            }
            for f in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
                let reason = f["check_result"]["suppress_comment"].as_str().unwrap_or_default().to_string();
                report.skipped.push((s(f, "check_id"), s(f, "resource"), reason));
            }
        }
        if out.status.code() == Some(1) && report.failed.is_empty() {
            panic!("checkov exited 1 but no failed check was parsed:\n{stdout}");
        }
        report
    }
}
