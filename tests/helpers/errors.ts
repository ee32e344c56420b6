// The InputError a call throws: the test fails if it throws nothing or something else.
import { InputError } from '../../src/util/errors';

export function errorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError, nothing was thrown');
}
