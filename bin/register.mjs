// Lets Node run the TypeScript sources as Vite does: TypeScript through tsx, and
// `import text from './x.wgsl?raw'` as the file's text.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./wgsl-loader.mjs', import.meta.url);
registerTsx();
