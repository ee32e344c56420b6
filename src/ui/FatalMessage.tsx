// What the page says instead of training: no WebGPU here (and where to get it), or a lost GPU.
import { useRun } from './StoreContext';

export function FatalMessage() {
  const phase = useRun((s) => s.phase);
  const message = useRun((s) => s.fatal);
  if (phase === 'noWebGPU') {
    return (
      <section className="fatal card" data-testid="no-webgpu" role="alert">
        <h2>WebGPU is not available here, so GAT Lab cannot train</h2>
        <p className="fatal-message">{message}</p>
        <ul>
          <li><strong>Chrome or Edge 113+</strong> on Windows, macOS and ChromeOS have WebGPU on by default; on Linux and Android, Chrome 121+ with a supported GPU.</li>
          <li><strong>Chromium on Linux</strong>: start it with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>, or turn on <code>chrome://flags/#enable-unsafe-webgpu</code>.</li>
          <li><strong>Safari 26+</strong> (macOS, iOS) has it on by default; older Safari: Develop › Feature Flags › WebGPU.</li>
          <li><strong>Firefox 141+</strong> on Windows has it on; elsewhere set <code>dom.webgpu.enabled</code> in <code>about:config</code> (Nightly).</li>
        </ul>
        <p>The page must be served over https or from localhost: WebGPU only exists in a secure context.</p>
      </section>
    );
  }
  return (
    <section className="fatal card" data-testid="fatal" role="alert">
      <h2>The training engine stopped</h2>
      <p className="fatal-message">{message}</p>
      <button className="btn" onClick={() => window.location.reload()}>Reload the page</button>
    </section>
  );
}
