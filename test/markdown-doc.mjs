// A server's own description of its commands (`ejabberdctl gen_markdown_doc_for_commands`),
// rewritten into the API reference's plain layout for src/gen/reference.ts's parser. Handles the
// markdown of 23.01 (*`tag`*) and of 24.02 and later (_`tag`_, backquoted words in descriptions).
import { readFileSync, rmSync } from 'node:fs';
import { parseReference } from '../dist/gen/reference.js';
import { atLeast } from './helpers.mjs';

export function markdownToReference(md) {
  const out = [];
  let inTags = false;
  let inModule = false;
  let tags = [];
  const words = (line) => line.match(/`[^`]+`/g).map((t) => t.slice(1, -1));
  for (const line of md.split('\n')) {
    let m;
    if ((m = /^## (\S+)( .*)?$/.exec(line))) out.push(m[1]); // 24.02+ marks a command new in its release
    else if (line === '__Arguments:__') out.push('Arguments:');
    else if (line === '__Result:__') out.push('Result:');
    else if (line === '__Tags:__') { inTags = true; tags = []; }
    else if (line === '__Module:__') { inModule = true; }
    else if (line === '__Examples:__') {
      if (inTags) out.push(`Tags: ${tags.join(' ')}`);
      inTags = false;
      inModule = false;
      out.push('Examples:');
    } else if (/^[*_]`[^`]+`[*_]/.test(line)) {
      if (inModule) { out.push(`Tags: ${tags.join(' ')}`, `Module: ${words(line)[0]}`); inTags = false; inModule = false; }
      else if (inTags) tags.push(...words(line));
    } else if ((m = /^- \*(\w+)\* :: (.*)$/.exec(line))) out.push(`- ${m[1]} :: ${m[2].replaceAll('`', '')}`);
  }
  return out.join('\n');
}

/**
 * Asks a live server (an entry of liveServers()) to describe its commands, and parses that:
 * [{ name, args, result, tags, module }]. From 24.02 `runtime` makes it describe the commands the
 * running node has, each in its newest definition.
 */
export function servedCommands(s) {
  const file = `${s.dir}/doc-${process.pid}.md`;
  const r = s.ejabberdctl('gen_markdown_doc_for_commands', file, atLeast(s.release, '24.02') ? 'runtime' : '.', 'json');
  if (r.code !== 0) throw new Error(`gen_markdown_doc_for_commands on ${s.release} failed: ${r.stdout}${r.stderr}`);
  const md = readFileSync(s.hostPath(file), 'utf8');
  rmSync(s.hostPath(file), { force: true });
  return parseReference(markdownToReference(md));
}
