complete -c lm-inject -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-inject -l config -d 'Configuration file (default: `.lm.toml` at the scan root named by the file records)' -r -F
complete -c lm-inject -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-inject -l include-tests -d 'Report in test files too (as `info`)'
complete -c lm-inject -l audit -d 'Also report SQL text and HTML built from values of untraced origin (as `info`)'
complete -c lm-inject -s h -l help -d 'Print help'
complete -c lm-inject -s V -l version -d 'Print version'
