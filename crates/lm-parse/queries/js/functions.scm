; Top-level functions: declarations and `const name = (...) => ...` / `= function ...`,
; exported or not.
(program (function_declaration name: (identifier) @name) @function)
(program (generator_function_declaration name: (identifier) @name) @function)
(program (export_statement declaration: (function_declaration name: (identifier) @name) @function) @export)
(program (export_statement declaration: (generator_function_declaration name: (identifier) @name) @function) @export)
(program (lexical_declaration
  (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @function)))
(program (variable_declaration
  (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @function)))
(program (export_statement declaration: (lexical_declaration
  (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @function))) @export)
