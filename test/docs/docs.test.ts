/**
 * The Markdown the package ships or links to stays true: every link to a file of the repository in README.md,
 * CHANGELOG.md and docs/*.md points to a file that exists (and, for `#anchor`, to a heading of that page), and every
 * code block a page marks as a quote (`<!-- quote: path -->` right before it) is that file, verbatim. README.md and
 * CHANGELOG.md are shipped and shown on npm, where a relative link is dead: theirs are absolute, into the repository
 * on GitHub (`blob/main/...`), and checked against this checkout all the same.
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

/** Where the repository's files are read on the web: the links of the pages npm shows (README, CHANGELOG). */
const REPOSITORY_FILES = /^https:\/\/github\.com\/genauth-session-guard\/genauth-session-guard\/(?:blob|tree)\/main\//;

/**
 * The links to files of the repository: relative ones, and absolute ones into the repository on GitHub (whose
 * `target` is then a path from the root, prefixed `/`).
 */
function relativeLinks(file: string): Array<{ target: string; anchor: string | undefined; absolute: boolean }> {
  const links: Array<{ target: string; anchor: string | undefined; absolute: boolean }> = [];
  for (const [, href] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const absolute = REPOSITORY_FILES.test(href!);
    if (!absolute && /^[a-z][a-z0-9+.-]*:/i.test(href!)) continue; // https:, mailto:
    const [target, anchor] = href!.replace(REPOSITORY_FILES, '/').split('#', 2) as [string, string | undefined];
    links.push({ target, anchor, absolute });
  }
  return links;
}

describe.each(markdownFiles().map((file) => [relative(ROOT, file), file]))('%s', (_name, file) => {
  test('every relative link points to a file of the repository, and an anchor to a heading', () => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(file)) {
      const path = target === '' ? file : target.startsWith('/') ? join(ROOT, decodeURIComponent(target)) : resolve(dirname(file), decodeURIComponent(target));
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

test.each(['README.md', 'CHANGELOG.md'])(
  '%s, shipped in the package and shown on npm, links to the repository absolutely (a relative link is dead there)',
  (page) => {
    const relativeOnes = relativeLinks(join(ROOT, page)).filter(({ target, absolute }) => !absolute && target !== '');
    expect(relativeOnes.map(({ target }) => target)).toEqual([]);
  },
);

test('the link check sees links: the README links to docs pages', () => {
  const targets = relativeLinks(join(ROOT, 'README.md')).map(({ target }) => target);
  expect(targets).toEqual(expect.arrayContaining(['/docs/options.md', '/docs/testing.md']));
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

test('the code blocks docs/nestjs.md quotes are the files they name, verbatim', () => {
  const page = readFileSync(join(ROOT, 'docs/nestjs.md'), 'utf8');
  const quotes = [...page.matchAll(/<!-- quote: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)];
  expect(quotes.map(([, path]) => path)).toEqual(['examples/nestjs/app.module.ts', 'examples/nestjs/main.ts']);
  for (const [, path, block] of quotes) {
    expect({ path, block }).toEqual({ path, block: readFileSync(join(ROOT, path!), 'utf8') });
  }
});

test('every code block a page marks as a quote is the file it names, verbatim (README.md and docs/*.md)', () => {
  let seen = 0;
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const [, path, block] of text.matchAll(/<!-- quote: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)) {
      seen++;
      const page = relative(ROOT, file);
      expect({ page, path, exists: existsSync(join(ROOT, path!)) }).toEqual({ page, path, exists: true });
      expect({ page, path, block }).toEqual({ page, path, block: readFileSync(join(ROOT, path!), 'utf8') });
    }
  }
  expect(seen).toBeGreaterThanOrEqual(8);
  // A marker that is not right before a fenced block would quote nothing: a page that says it quotes, quotes.
  for (const file of markdownFiles()) {
    const markers = [...readFileSync(file, 'utf8').matchAll(/<!-- quote: (\S+) -->(?!\n```)/g)];
    expect({ page: relative(ROOT, file), stray: markers.map(([marker]) => marker) }).toEqual({ page: relative(ROOT, file), stray: [] });
  }
});

test('the code blocks the framework pages quote are the files they name, verbatim', () => {
  const expected: Record<string, string[]> = {
    'docs/hono.md': ['examples/hono/app.ts', 'examples/hono/server.ts', 'test/examples/hono.test.ts'],
    'docs/web.md': ['examples/web/guard.ts', 'examples/web/next-route.ts', 'examples/web/bun-server.ts', 'examples/web/deno-server.ts'],
  };
  for (const [page, paths] of Object.entries(expected)) {
    const quotes = [...readFileSync(join(ROOT, page), 'utf8').matchAll(/<!-- quote: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)];
    expect({ page, quoted: quotes.map(([, path]) => path) }).toEqual({ page, quoted: paths });
    for (const [, path, block] of quotes) {
      expect({ page, path, block }).toEqual({ page, path, block: readFileSync(join(ROOT, path!), 'utf8') });
    }
  }
});

test('docs/replicas.md quotes the Cluster and Sentinel examples that a test runs', () => {
  const page = readFileSync(join(ROOT, 'docs/replicas.md'), 'utf8');
  const quoted = [...page.matchAll(/<!-- quote: (\S+) -->\n```/g)].map(([, path]) => path);
  expect(quoted).toEqual(expect.arrayContaining(['examples/redis-topologies/cluster.ts', 'examples/redis-topologies/sentinel.ts']));
});
