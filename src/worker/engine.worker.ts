// The engine worker: WebGPU training off the page's main thread. All logic is in EngineHost.
import { EngineHost } from './host';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = new EngineHost((message: FromWorker) => scope.postMessage(message));
scope.addEventListener('message', (e: MessageEvent<ToWorker>) => host.handle(e.data));
