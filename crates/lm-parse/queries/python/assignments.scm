; `name = value` and `name: T = value` bindings (targets read in Rust: plain names,
; `self.x` attributes and tuples are told apart there).
(assignment
  left: (_) @left
  right: (_) @right) @assignment
