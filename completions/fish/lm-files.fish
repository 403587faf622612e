complete -c lm-files -l max-filesize -d 'Skip files larger than SIZE (bytes, or with a unit: 512K, 10M, 1G), reporting each as a `too-large` diagnostic' -r
complete -c lm-files -l sniff -d 'When to read a file\'s first 8 KiB: `auto` reads only files whose record depends on their content (unknown names, directive-sensitive modules, client `.js` files, files not readable by everyone); `all` reads every file (exact binary flags)' -r -f -a "auto\t'Read only the files whose record depends on their content: names with no known language (binary check, shebang), modules whose role a `"use client"` / `"use server"` directive decides, client-side `.js` files (JSX), and files whose permission bits do not grant read access to everyone (the real readability check). Other files with a known text extension are reported as text, known binary formats as binary, without being opened'
all\t'Read the first block of every file: exact binary flags, JSX detection in every `.js` file, and every unreadable file reported here rather than by a later stage'"
complete -c lm-files -s j -l threads -d 'Worker threads (default: one per core)' -r
complete -c lm-files -s H -l hidden -d 'Also walk hidden files and directories (names starting with `.`)'
complete -c lm-files -l no-ignore -d 'Do not honour .gitignore, .ignore, .lmignore or git excludes'
complete -c lm-files -s L -l follow -d 'Follow symbolic links (loops are reported as `symlink-loop` diagnostics)'
complete -c lm-files -l sort -d 'Sort records by root (in the order given) then path bytes. Default: on when standard output is not a terminal'
complete -c lm-files -l no-sort -d 'Stream records in the order the parallel walk finds them'
complete -c lm-files -l stdin -d 'Read the paths to list from standard input (one per line) instead of walking; paths are relative to the current directory (root `.`)'
complete -c lm-files -s 0 -l null -d 'With --stdin: paths are separated by NUL bytes (`git ls-files -z`, `find -print0`)'
complete -c lm-files -l no-summary -d 'Do not write the final `summary` record'
complete -c lm-files -s h -l help -d 'Print help (see more with \'--help\')'
complete -c lm-files -s V -l version -d 'Print version'
