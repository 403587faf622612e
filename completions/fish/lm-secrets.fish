complete -c lm-secrets -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-secrets -l config -d 'Read configuration from FILE instead of `<root>/.lm.toml`' -r -F
complete -c lm-secrets -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-secrets -l list-rules -d 'Print the rules in force (id, severity, provider, description) and exit'
complete -c lm-secrets -l list-keywords -d 'Print every prefilter keyword, one per line, and exit'
complete -c lm-secrets -s h -l help -d 'Print help'
complete -c lm-secrets -s V -l version -d 'Print version'
