// Each live release's own description of its commands (gen_markdown_doc_for_commands; `runtime`
// from 24.02: the commands the running node has, each in its newest definition) against the
// catalogue resolved for that release: the same commands, and for each the same arguments,
// result, tags and module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { typeToString } from '../dist/catalogue/types.js';
import { findEntry, resolveCommand } from '../dist/catalogue/resolve.js';
import { liveServers, root } from './helpers.mjs';
import { servedCommands } from './markdown-doc.mjs';

const { definitions } = JSON.parse(readFileSync(join(root, 'src', 'catalogue', 'definitions.json'), 'utf8'));
const field = (f) => `${f.name}::${typeToString(f.type)}`;

for (const s of liveServers()) {
  test(`${s.release}: the live server describes every command it has as the catalogue does for ${s.release}`, () => {
    const served = servedCommands(s);
    assert.ok(served.length >= 150, `the server described only ${served.length} commands`);
    for (const c of served) {
      const entry = findEntry(c.name);
      if (!entry) {
        // Not a subcommand: it must be internal or ejabberdctl-only in that release's definitions.
        const defs = definitions.filter((d) => d.name === c.name && d.releases.includes(s.release));
        assert.ok(defs.length && defs.every((d) => d.internal || d.ctlOnly), `${s.release} has '${c.name}', the catalogue does not`);
        continue;
      }
      const spec = resolveCommand(entry, s.release);
      assert.ok(!spec.missing, `${s.release} has '${c.name}', the catalogue says it came in ${spec.added}`);
      assert.deepEqual(spec.args.map(field), c.args.map(field), `${c.name} arguments`);
      assert.equal(field(spec.result), field(c.result), `${c.name} result`);
      assert.deepEqual([...spec.tags], c.tags, `${c.name} tags`);
      assert.equal(spec.module, c.module, `${c.name} module`);
    }
  });
}
