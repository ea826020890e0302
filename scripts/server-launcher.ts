// The entry point of a built server (`node dist/index.js`), bundled by build-server.ts next to the
// server's bundle. Node 20 keeps no compile cache, so every start would parse and compile the whole
// bundle again; this runs it through a V8 code cache instead. The cache is written once, after the
// server has answered its first HTTP request, so the functions that start-up and the first request
// compiled lazily are in it too. It lives next to the bundle and is named by the bundle's hash: a
// rebuilt bundle never meets an old cache (V8 itself checks only its version, flags and the source's
// length). The cache is only ever an optimisation: one that is missing, unreadable or rejected by V8
// means a normal compile (and a new cache), and one that cannot be written (a read-only install)
// means none.
import { isAscii } from 'node:buffer';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants, Script } from 'node:vm';

// Set by build-server.ts for each server.
declare const SERVER_BUNDLE: string;
declare const SERVER_BUNDLE_HASH: string;

const bundleFile = join(__dirname, SERVER_BUNDLE);
const cacheFile = `${bundleFile}.${SERVER_BUNDLE_HASH}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** esbuild writes ASCII unless the code has a non-ASCII regular expression: read as such, it is a string of one byte a character, and decoding it costs a fifth of UTF-8's. */
function readSource(): string {
  const bytes = readFileSync(bundleFile);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

type ServerBundle = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string, importMetaUrl: string) => void;

function loadThroughCodeCache(): ServerBundle {
  const cachedData = readCache();
  // The bundle is a CommonJS module that exports the server as one function (build-server.ts wraps
  // it); `module` is given here as the CommonJS loader would. On its own line: the bundle's lines
  // and columns stay as its source map says.
  const script = new Script(`(function (module) {\n${readSource()}\n})`, {
    filename: bundleFile,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!cachedData || script.cachedDataRejected) writeCacheAfterFirstResponse(script);
  const bundle = { exports: {} as ServerBundle };
  (script.runInThisContext() as (module: object) => void)(bundle);
  return bundle.exports;
}

function writeCacheAfterFirstResponse(script: Script): void {
  const FIRST_RESPONSE = 'http.server.response.finish';
  let writing = false;
  const writeCache = () => {
    unsubscribe(FIRST_RESPONSE, onFirstResponse);
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {
      rmSync(temporary, { force: true });
    }
  };
  // After the response is sent, so that writing the cache never delays it.
  const onFirstResponse = () => {
    if (writing) return;
    writing = true;
    setImmediate(writeCache);
  };
  subscribe(FIRST_RESPONSE, onFirstResponse);
}

// Node 20 applies source maps (--enable-source-maps) only to modules its own loader compiled, which
// takes no code cache: then the bundle is required as it is.
const runServer = process.sourceMapsEnabled ? (require(bundleFile) as ServerBundle) : loadThroughCodeCache();
const serverModule = { exports: {} };
// import.meta.url of the server's code: this file, the one that was run, as before it was bundled.
runServer(serverModule.exports, createRequire(bundleFile), serverModule, bundleFile, __dirname, pathToFileURL(__filename).href);
