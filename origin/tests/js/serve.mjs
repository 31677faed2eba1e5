// `promo-origin serve` for the JS test suites (pkg-js, demo, demo/edge): one
// process per call, its stdout's "listening on URL" line awaited, stopped
// with a signal and killed if it lingers. Every wait is bounded.
import { spawn } from "node:child_process";

/**
 * Starts `bin serve ...args` (give `--listen 127.0.0.1:0` for a free port)
 * in the directory `cwd` (default: this process's).
 * Resolves to `{url, stop(signal = "SIGTERM"), stderr()}`; `url` has no
 * trailing slash, `stderr()` is everything the server logged so far (its
 * JSON log lines at the `PROMO_ORIGIN_LOG` filter `log`). Rejects if the
 * server exits or prints no URL within `startMs`.
 */
export function serveOrigin(bin, args, { log = "warn", startMs = 60_000, cwd } = {}) {
  const child = spawn(bin, ["serve", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PROMO_ORIGIN_LOG: log },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async (signal = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`promo-origin did not start within ${startMs} ms: ${stderr}`));
    }, startMs);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ url: m[1].replace(/\/$/, ""), stop, stderr: () => stderr });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`promo-origin exited (${code}): ${stderr}`));
    });
  });
}
