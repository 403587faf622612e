; Environment variable reads.

; process.env.NAME
(member_expression
  object: (member_expression
    object: (identifier) @_obj
    property: (property_identifier) @_env)
  property: (property_identifier) @name
  (#eq? @_obj "process")
  (#eq? @_env "env")) @process_env

; process.env['NAME']
(subscript_expression
  object: (member_expression
    object: (identifier) @_obj
    property: (property_identifier) @_env)
  index: (string (string_fragment) @name)
  (#eq? @_obj "process")
  (#eq? @_env "env")) @process_env

; import.meta.env.NAME
(member_expression
  object: (member_expression
    object: (meta_property)
    property: (property_identifier) @_env)
  property: (property_identifier) @name
  (#eq? @_env "env")) @import_meta_env

; Deno.env.get('NAME')
(call_expression
  function: (member_expression
    object: (member_expression
      object: (identifier) @_deno
      property: (property_identifier) @_env)
    property: (property_identifier) @_get)
  arguments: (arguments . (string (string_fragment) @name))
  (#eq? @_deno "Deno")
  (#eq? @_env "env")
  (#eq? @_get "get")) @deno_env
