complete -c lm-authz -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-authz -l config -d 'Read configuration from FILE instead of `<root>/.lm.toml`' -r -F
complete -c lm-authz -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-authz -l explain -d 'Print, on standard error, how each route was judged: its authentication, role check, rate limit and public-by-design reason'
complete -c lm-authz -s h -l help -d 'Print help'
complete -c lm-authz -s V -l version -d 'Print version'
