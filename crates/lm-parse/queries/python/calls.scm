; Every call: its callee (`f`, `obj.method`, `a.b.c`) and argument list.
(call
  function: (_) @callee
  arguments: (argument_list) @args) @call
