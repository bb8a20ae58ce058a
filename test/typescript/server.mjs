// Starts a real `registrar serve` on a loopback port with a fresh data
// directory, reads the first-start banner for the account ID and API
// token, and waits for /healthz. The binary is $REGISTRAR_BIN, or one
// built from this checkout with `go build` when that is unset.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const startLimitMs = 60_000;

// Flags that keep the scenarios short: slow-, pending- and outage- names
// take --sandbox-delay, longer than --sync-wait so that they answer 202.
const serveFlags = [
  '--rate-limit', '-1',
  '--sync-wait', '1s',
  '--sandbox-delay', '3s',
  '--poll-interval', '200ms',
  '--pending-recheck', '1s',
  '--retry-min', '200ms',
  '--retry-max', '1s',
];

function registrarBinary(workDir) {
  if (process.env.REGISTRAR_BIN) return process.env.REGISTRAR_BIN;
  const bin = join(workDir, 'registrar');
  execFileSync('go', ['build', '-o', bin, './cmd/registrar'], { cwd: repoRoot, stdio: 'inherit', timeout: 300_000 });
  return bin;
}

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// watchdog runs "$0" "$@" (the server) until it exits or stdin closes.
const watchdog = `
exec 3<&0
"$0" "$@" </dev/null &
srv=$!
{ cat >/dev/null; kill -TERM $srv 2>/dev/null; sleep 5; kill -KILL $srv 2>/dev/null; } <&3 >/dev/null 2>&1 &
w=$!
exec 3<&-
wait $srv
st=$?
kill $w 2>/dev/null
exit $st
`;

/**
 * startServer runs the registrar and resolves to
 * {origin, baseURL, accountId, token, stop}. stop() kills it (SIGKILL
 * after 5 s of SIGTERM) and removes its data directory; it also runs if
 * this process exits first.
 */
export async function startServer() {
  const workDir = mkdtempSync(join(tmpdir(), 'registrar-ts-'));
  const bin = registrarBinary(workDir);
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryStart(bin, workDir);
    } catch (err) {
      if (!err.portTaken || attempt === 3) {
        rmSync(workDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

async function tryStart(bin, workDir) {
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(workDir, 'data-'));
  // The server runs under a small sh watchdog that holds a pipe from this
  // process: when the pipe closes (stop(), or this process dying in any
  // way, SIGKILL included) it sends the server SIGTERM, and SIGKILL 5 s
  // later. So no run of the suite leaves a server behind.
  const child = spawn('/bin/sh', ['-c', watchdog, bin, 'serve', '--listen', addr, '--data-dir', dataDir, ...serveFlags], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-64 << 10); });
  let exited = false;
  const done = new Promise((r) => child.on('exit', () => { exited = true; r(); }));
  child.stdin.on('error', () => {}); // the watchdog may be gone already

  const stop = async () => {
    child.stdin.end(); // the watchdog stops the server
    await done;
    rmSync(workDir, { recursive: true, force: true });
  };

  const origin = `http://${addr}`;
  const deadline = Date.now() + startLimitMs;
  for (;;) {
    if (exited) {
      const err = new Error(`registrar serve exited before it was healthy\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      err.portTaken = stderr.includes('address already in use');
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    const healthy = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok, () => false);
    // The ready line follows the first-start banner.
    if (healthy && stdout.includes('registrar is serving the API at ')) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`registrar serve on ${addr} not healthy within ${startLimitMs / 1000}s\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await sleep(50);
  }
  const account = /account ID: (\S+)/.exec(stdout);
  const token = /API token:\s+(\S+)/.exec(stdout);
  if (!account || !token) {
    await stop();
    throw new Error(`no account ID and API token in the first start's banner:\n${stdout}`);
  }
  return {
    origin,
    baseURL: `${origin}/client/v4`,
    accountId: account[1],
    token: token[1],
    stderr: () => stderr,
    stop,
  };
}
