// Where the shared data lives: ../shared next to the repository root.
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const ML_SMALL_DIR = `${SHARED_DIR}data/ml-latest-small/`;
