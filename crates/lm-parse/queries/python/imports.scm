; `import a.b [as c]` and `from a.b import c [as d]`.
(import_statement) @import
(import_from_statement) @import_from
