complete -c lm-parse -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-parse -l max-parse-size -d 'Do not parse files larger than this many bytes (a diagnostic says so)' -r
complete -c lm-parse -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-parse -s h -l help -d 'Print help'
complete -c lm-parse -s V -l version -d 'Print version'
