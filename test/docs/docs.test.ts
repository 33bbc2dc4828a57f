/**
 * The Markdown the package ships or links to stays true: every relative link in README.md, CHANGELOG.md and
 * docs/*.md points to a file of the repository (and, for `#anchor`, to a heading of that page), and every code block
 * the README marks as a quote (`<!-- quote: path -->` right before it) is that file, verbatim. On npm, relative
 * links resolve against `repository` in package.json, so a file missing here is a dead link there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), join(ROOT, 'CHANGELOG.md'), ...docs];
}

/** The text outside fenced code blocks and inline code spans, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+)$/gm)) {
    found.add(heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return found;
}

function relativeLinks(file: string): Array<{ target: string; anchor: string | undefined }> {
  const links: Array<{ target: string; anchor: string | undefined }> = [];
  for (const [, href] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href!)) continue; // https:, mailto:
    const [target, anchor] = href!.split('#', 2) as [string, string | undefined];
    links.push({ target, anchor });
  }
  return links;
}

describe.each(markdownFiles().map((file) => [relative(ROOT, file), file]))('%s', (_name, file) => {
  test('every relative link points to a file of the repository, and an anchor to a heading', () => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(file)) {
      const path = target === '' ? file : resolve(dirname(file), decodeURIComponent(target));
      if (!path.startsWith(ROOT + '/') || !existsSync(path)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && path.endsWith('.md') && statSync(path).isFile() && !anchors(readFileSync(path, 'utf8')).has(anchor)) {
        broken.push(`${target}#${anchor}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });
});

test('the link check sees links: the README links to docs pages', () => {
  const targets = relativeLinks(join(ROOT, 'README.md')).map(({ target }) => target);
  expect(targets).toEqual(expect.arrayContaining(['docs/options.md', 'docs/testing.md']));
  expect(anchors('## `onUpstreamError: \'allow-stale\'`\n### Your own extractor')).toEqual(
    new Set(['onupstreamerror-allow-stale', 'your-own-extractor']),
  );
});

test('the code blocks the docs pages quote (`<!-- quote: path -->`) are the files they name, verbatim', () => {
  const quoted: string[] = [];
  for (const file of markdownFiles().filter((path) => path.startsWith(join(ROOT, 'docs')))) {
    for (const [, path, block] of readFileSync(file, 'utf8').matchAll(/<!-- quote: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)) {
      quoted.push(path!);
      expect({ file: relative(ROOT, file), path, block }).toEqual({ file: relative(ROOT, file), path, block: readFileSync(join(ROOT, path!), 'utf8') });
    }
  }
  expect(quoted).toEqual(expect.arrayContaining(['examples/fastify/app.ts', 'examples/fastify/server.ts', 'examples/egg/app/middleware/session_guard.js']));
});

test('the code blocks the README quotes are the files they name, verbatim', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const quotes = [...readme.matchAll(/<!-- quote: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)];
  expect(quotes.map(([, path]) => path)).toEqual(
    expect.arrayContaining(['examples/quick-start/app.ts', 'examples/quick-start/server.ts', 'examples/quick-start/koa.ts', 'test/examples/quick-start.test.ts']),
  );
  for (const [, path, block] of quotes) {
    expect({ path, block }).toEqual({ path, block: readFileSync(join(ROOT, path!), 'utf8') });
  }
});
