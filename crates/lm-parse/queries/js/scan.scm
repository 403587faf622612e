; One pass over a JavaScript/TypeScript tree collects the nodes every extractor needs.
; Compiled once per grammar (JavaScript, TypeScript, TSX) and reused across threads.

; Every call and constructor call: routes, auth checks, database access, external calls,
; rate limits and CORS are all recognised from these.
(call_expression) @call
(new_expression) @new

; Object properties that set the CORS origin header:
;   { 'Access-Control-Allow-Origin': '*' }
(pair
  key: [(string (string_fragment) @_key) (property_identifier) @_key]
  (#match? @_key "^(?i)access-control-allow-origin$")) @cors.pair

; Comparisons (role checks, secret header checks, request method checks).
(binary_expression) @binary
