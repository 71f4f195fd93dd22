// The native addon, loaded through napi's generated loader (../index.js) with one change: when
// no addon for this platform is found, the error says which package to install instead of
// napi's generic "Cannot find native binding. npm has a bug…" (npm installs the platform
// package as an optional dependency, and nothing else tells a user who installed only the
// main tarball what is missing). index.js itself is generated and drift-checked, so the
// wording lives here.
import type * as Native from '../index.js'

/** napi's platform suffix of this process: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`… */
function platformSuffix(): string {
  const base = `${process.platform}-${process.arch}`
  if (process.platform === 'win32') return `${base}-msvc`
  if (process.platform !== 'linux') return base
  // As napi's loader decides: a glibc runtime version in the process report means gnu.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return `${base}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`
}

/** The error for an addon that did not load, naming the package that holds it. */
function missingAddonError(cause: unknown): Error {
  const pkg = require('../package.json') as { name: string; version: string }
  const platform = platformSuffix()
  const platformPackage = `${pkg.name}-${platform}`
  const notFound = cause instanceof Error && /Cannot find native binding/.test(cause.message)
  // `make node-packages` builds the linux-x64-gnu package only; other platforms build it themselves.
  const made = platform === 'linux-x64-gnu' ? 'made by `make node-packages`' : 'built on that platform, see docs/releasing.md'
  const error = new Error(
    `${pkg.name}: the native addon for ${platform} was ${notFound ? 'not found' : 'found but could not be loaded'}; ` +
      `install ${platformPackage} (${platformPackage}-${pkg.version}.tgz, ${made}) alongside ${pkg.name}, ` +
      `e.g. \`npm install ./${platformPackage}-${pkg.version}.tgz ./${pkg.name}-${pkg.version}.tgz\`, ` +
      `or build it from a checkout with \`make node\` (see the README, "Install")` +
      (notFound ? '' : `: ${cause instanceof Error ? cause.message : String(cause)}`),
  ) as Error & { code: string; cause: unknown }
  error.code = 'ERR_LIBSV2_NATIVE_ADDON'
  error.cause = cause
  return error
}

function load(): typeof Native {
  try {
    return require('../index.js') as typeof Native
  } catch (e) {
    throw missingAddonError(e)
  }
}

const native = load()
export = native
