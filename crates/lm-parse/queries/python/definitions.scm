; Every function definition, and the decorated ones with their wrapper (whose
; `decorator` children are read in order by the route extractors).
(decorated_definition
  definition: (function_definition) @decorated.function) @decorated

(function_definition) @function

; Decorated classes (Flask-RESTX `@ns.route("/x")` on a `Resource`).
(decorated_definition
  definition: (class_definition) @decorated_class.class) @decorated_class
