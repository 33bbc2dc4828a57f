#!/usr/bin/env node
// npm's `prepare` script. npm runs it (1) on `npm install` / `npm ci` in this checkout, (2) on `npm pack` and
// `npm publish` after `prepack`, and (3) when another project installs this package from a git URL (or links a
// folder with `npm install <folder>`), after installing its devDependencies in npm's clone.
//
// It builds only in case 3: there nothing else would, and the installed package would have no dist/ (npm runs
// `prepare`, not `prepack`, for git dependencies). Case 3 is told apart by INIT_CWD, the directory npm was invoked
// in (npm docs, "scripts"): the installing project, not this package. In this checkout, `npm ci` does not build
// (the CI pack step proves that `npm pack` alone gives a complete package) and `npm pack` builds once, in `prepack`.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const invokedIn = process.env.INIT_CWD;
const real = (path) => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

if (invokedIn && real(invokedIn) !== real(root)) {
  console.log(`genauth-session-guard: installed from source for ${invokedIn}; building dist/`);
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
