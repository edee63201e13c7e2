// netprobe's own version, from package.json. A JSON import (not a file read at run time) so that the
// bundle and the standalone executable carry it inside.
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
