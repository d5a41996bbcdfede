// Which Node.js runs ChargeOps. Plain JavaScript with no imports, loaded before anything else, so that
// an unsupported Node gets this message instead of a syntax or module error from deep inside a
// dependency. Keep SUPPORTED equal to package.json "engines.node" (a test compares them).

/** The support matrix, as an npm semver range. */
export const SUPPORTED = '^20.19.0 || ^22.12.0 || >=24';
/** The Node.js line we recommend and tune for (LTS). */
export const RECOMMENDED = 24;
/** Release lines past their end of life that still work (no more security fixes). */
const END_OF_LIFE = { 20: 'April 2026' };

const WANTED = 'Node.js 24 LTS (recommended), 22.12 or later 22.x, or 20.19 or later 20.x';

/**
 * Says whether a Node.js version (as in process.versions.node, e.g. "20.19.0" or "v24.1.0") can run
 * ChargeOps: { ok: false, message } when it cannot; { ok: true, warning? } when it can, with a
 * warning for a line past its end of life.
 */
export function nodeSupport(version) {
  var m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version));
  if (!m) return { ok: false, message: 'ChargeOps cannot tell which Node.js this is ("' + version + '"); it needs ' + WANTED + '.' };
  var major = Number(m[1]);
  var minor = Number(m[2]);
  var ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 24;
  if (!ok)
    return {
      ok: false,
      message:
        'ChargeOps needs ' + WANTED + '; this is Node.js v' + m[1] + '.' + m[2] + '.' + m[3] + '.\n' +
        'Install Node.js ' + RECOMMENDED + ' (the repository\'s .nvmrc names it: "nvm install" in the checkout) and run again.',
    };
  var eol = END_OF_LIFE[major];
  return eol
    ? { ok: true, warning: 'Node.js ' + major + ' reached its end of life in ' + eol + ' (no more security fixes); ChargeOps still runs on it, but Node.js ' + RECOMMENDED + ' LTS is recommended.' }
    : { ok: true };
}
