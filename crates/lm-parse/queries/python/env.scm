; Environment reads: `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`,
; and the bare `environ[...]` / `environ.get(...)` / `getenv(...)` after
; `from os import environ, getenv`.
(subscript
  value: [
    (attribute object: (identifier) @_os attribute: (identifier) @_environ)
    (identifier) @_environ
  ]
  subscript: (string) @name
  (#eq? @_environ "environ")) @subscript_read

(call
  function: [
    (attribute
      object: (attribute object: (identifier) @_os2 attribute: (identifier) @_environ2)
      attribute: (identifier) @_get)
    (attribute object: (identifier) @_environ2 attribute: (identifier) @_get)
  ]
  arguments: (argument_list . (string) @name)
  (#eq? @_environ2 "environ")
  (#eq? @_get "get")) @get_read

(call
  function: [
    (attribute object: (identifier) @_os3 attribute: (identifier) @_getenv)
    (identifier) @_getenv
  ]
  arguments: (argument_list . (string) @name)
  (#eq? @_getenv "getenv")) @getenv_read
