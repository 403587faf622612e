//! The JSON Schema of the record contract, generated from the Rust types.

use crate::record::Record;

/// The JSON Schema (draft 2020-12) that every record line satisfies.
pub fn record_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Record);
    let mut v = serde_json::to_value(schema).expect("schema serialises");
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "title".into(),
            serde_json::Value::String(format!("lm record, schema {}", crate::SCHEMA_VERSION)),
        );
    }
    v
}
