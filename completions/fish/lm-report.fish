complete -c lm-report -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-report -s f -l format -d 'Report format' -r -f -a "text\t'For people at a terminal: findings grouped by file with code frames, then totals'
markdown\t'A pull-request comment: a severity table and collapsible details per finding'
json\t'One JSON document: findings, counts and diagnostics'
jsonl\t'The shown findings only, one `finding` record per line'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers'"
complete -c lm-report -s o -l output -d 'Write the report to FILE instead of standard output' -r -F
complete -c lm-report -l fail-on -d 'Exit with status 1 when an unsuppressed, un-baselined finding is at or above this severity, counting findings hidden by --min-severity too; `none` never fails. [default: `fail_on` of [report] in .lm.toml, else high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
complete -c lm-report -l min-severity -d 'Show only findings at or above this severity (the rest are counted as hidden). [default: `min_severity` of [report] in .lm.toml, else info]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''"
complete -c lm-report -l baseline -d 'Hide findings whose fingerprint is in this baseline file (they do not fail the run). [default: `baseline` of [report] in .lm.toml, relative to that file]' -r -F
complete -c lm-report -l write-baseline -d 'Write every current unsuppressed finding (all severities, plus those already in --baseline) to this baseline file; this run then treats them as baselined' -r -F
complete -c lm-report -l root -d 'Directory that finding paths are relative to when the stream has no `file` record for them (used for code frames and inline suppressions), and where .lm.toml is looked for. [default: the `root` of the stream\'s first `file` record, else .]' -r -F
complete -c lm-report -l config -d 'Read configuration from FILE instead of `<root>/.lm.toml` (section [report])' -r -F
complete -c lm-report -l color -d 'When to colour the text report (`auto`: when writing to a terminal and NO_COLOR is unset)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is not set'
always\t'Always colour'
never\t'Never colour'"
complete -c lm-report -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-report -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lm-report -s V -l version -d 'Print version'
