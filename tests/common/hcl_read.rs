//! Reading generated Terraform back in tests: a parsed `hcl::Body` in, the literal values of its `locals` objects
//! out (keys and string or number literals, evaluated with no variables).

use hcl::eval::{Context, Evaluate};
use hcl::{Body, Expression, ObjectKey};

/// The literal string of a string (or number) expression.
pub fn literal(e: &Expression) -> String {
    match e.evaluate(&Context::new()).unwrap_or_else(|err| panic!("not a literal: {e:?}: {err}")) {
        hcl::Value::String(s) => s,
        hcl::Value::Number(n) => n.to_string(),
        other => panic!("not a string: {other:?}"),
    }
}

/// The literal of an object key.
pub fn key_literal(k: &ObjectKey) -> String {
    match k {
        ObjectKey::Identifier(i) => i.to_string(),
        ObjectKey::Expression(e) => literal(e),
        _ => panic!("unexpected key {k:?}"),
    }
}

/// `locals { NAME = { ... } }` of a body, as (key literal → value expression), in file order.
pub fn local_object(body: &Body, name: &str) -> Vec<(String, Expression)> {
    for block in body.blocks().filter(|b| b.identifier() == "locals") {
        for attr in block.body().attributes() {
            if attr.key() == name {
                let Expression::Object(obj) = attr.expr() else { panic!("locals.{name} is not an object") };
                return obj.iter().map(|(k, v)| (key_literal(k), v.clone())).collect();
            }
        }
    }
    panic!("no locals.{name}")
}

/// The value of `field` in an object expression.
pub fn object_field(e: &Expression, field: &str) -> Expression {
    let Expression::Object(obj) = e else { panic!("not an object: {e:?}") };
    obj.iter()
        .find(|(k, _)| key_literal(k) == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no field {field}"))
}
