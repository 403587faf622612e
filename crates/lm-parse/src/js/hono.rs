//! Hono: `app.get(path, ...middleware, handler)`, `app.on(methods, path, handler)`,
//! `app.use('/api/*', jwt(...))`, `new Hono().basePath('/api')`, `app.route('/x', sub)`.

use super::express::{self, Flavor};
use super::model::JsFile;

/// Runs the Hono extractor.
pub fn extract(file: &mut JsFile<'_>) {
    if !file.imports_from("hono") && !file.imports.iter().any(|i| i.source.contains("/hono")) {
        return;
    }
    express::run(file, Flavor::Hono);
}
