// npm postinstall: copy the browser files listed in vendor.json from node_modules into
// static/vendor/ (git-ignored). Plain node, no bundler: the files are served as they are.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
// `files`: the scanner's (precached by the service worker); `pages`: the bureau pages' (maps).
const { files, pages = {} } = JSON.parse(readFileSync(join(here, "vendor.json"), "utf8"));
const copies = { ...files, ...pages };
const target = join(root, "static", "vendor");

rmSync(target, { recursive: true, force: true });
for (const [source, destination] of Object.entries(copies)) {
  const to = join(target, destination);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, "node_modules", source), to);
}
console.log(`lwpwa: copied ${Object.keys(copies).length} vendor files to static/vendor/`);
