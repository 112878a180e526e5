// What `ectl batch --help` and `ectl help batch` add to the option list: how lines are read and run.

export const BATCH_HELP = `Input, one command per line (a file, or standard input with none or '-'):
  - words as a shell splits them (quotes, backslashes, # comments; no expansion):
      register bob example.com 's3cret pw'
      create_room_with_opts team conference.example.com example.com 'members_only:true,persistent:true'
  - or JSON Lines, one object a line, arguments by name or in order:
      {"command":"set_vcard","args":{"user":"bob","host":"example.com","name":"FN","content":"Bob"}}
      {"command":"get_vcard","args":["bob","example.com","FN"]}
  Words fill the command's arguments as on the command line; there are no options on a line.
  '@path' reads a local file only with --allow-files (a batch file is data: without it such a
  line is an error and is not sent); '@-' is never read in a batch; '@@x' is the literal '@x'.
  Blank lines and lines starting with # are skipped.

Running: -j N lines are in flight at once (default 4). Lines that name the same account (user
and host), the same room (room and service) or the same shared roster group run one after
another in input order, whatever -j is; other lines run concurrently. Output comes in input
order: each result line is prefixed 'N: ' (N the line number), errors go to standard error as
'line N: Error: ...', and a yes/no command's "no" (check_account...) as 'line N: check_account
answered no: ...', counted apart from failures. With -o json each line gives one JSON record
{line, command, ok, result, error}. --stop-on-error sends no new line after a failure (a "no" is
an answer, not a failure). The exit status is 0 when every line succeeded, else that of the first
failure or "no" (1; 2 for a line that does not parse).

Example:
  printf '%s\\n' 'register ann example.com @ann-pw.txt' 'set_vcard ann example.com FN Ann' \\
    'get_vcard ann example.com FN' | ectl batch --allow-files -j 8
`;

