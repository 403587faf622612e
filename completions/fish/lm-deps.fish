complete -c lm-deps -s i -l input -d 'Read records from FILE instead of standard input ("-" means standard input)' -r -F
complete -c lm-deps -l db -d 'OSV database: a folder of OSV JSON files, or osv-scanner\'s offline layout (`<ecosystem>/all.zip`), or one such zip. Defaults to the LM_OSV_DB environment variable; without either (or with an empty one) known advisories are not checked' -r -F
complete -c lm-deps -l cache -d 'Cache file for `--online` answers' -r -F
complete -c lm-deps -l config -d 'Configuration file (default: `.lm.toml` at the scanned root)' -r -F
complete -c lm-deps -l lenient -d 'Skip malformed input lines instead of stopping; their count is reported on stderr and as a `diagnostic` record'
complete -c lm-deps -l online -d 'Ask the npm and PyPI registries whether dependency names exist (network; 5 s timeouts; answers cached; registry URLs from LM_NPM_REGISTRY and LM_PYPI_URL, default the public registries)'
complete -c lm-deps -s h -l help -d 'Print help'
complete -c lm-deps -s V -l version -d 'Print version'
