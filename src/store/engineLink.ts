// How the store reaches the engine: a typed channel. In the page it is the engine worker; tests
// can hand the store any object with these two members.
import type { FromWorker, ToWorker } from '../worker/protocol';

export interface EngineLink {
  send(message: ToWorker): void;
  listen(onMessage: (message: FromWorker) => void, onCrash: (message: string) => void): void;
}

export function workerLink(): EngineLink {
  const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'gat-lab-engine' });
  return {
    send: (message) => worker.postMessage(message),
    listen(onMessage, onCrash) {
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => onMessage(e.data));
      worker.addEventListener('error', (e) => onCrash(e.message || 'the engine worker failed to start'));
      worker.addEventListener('messageerror', () => onCrash('a message from the engine could not be read'));
    },
  };
}
