// The title and the GPU the run trains on.
import { useRun } from './StoreContext';

export function Header() {
  const adapter = useRun((s) => s.adapterName);
  const phase = useRun((s) => s.phase);
  const paths = useRun((s) => s.info?.paths);
  return (
    <header className="header">
      <div className="brand">
        <Logo />
        <div>
          <h1>GAT Lab</h1>
          <p className="tagline">Watch a graph attention network learn to recommend movies, epoch by epoch, and see why.</p>
        </div>
      </div>
      <div className="adapter" data-testid="adapter" title={adapter && paths ? `The WebGPU adapter the model trains on: ${adapter}. ${paths}` : 'The WebGPU adapter the model trains on'}>
        <span className={`dot ${adapter ? 'on' : phase === 'starting' ? 'wait' : 'off'}`} />
        <span className="adapter-label">{adapter ? 'Training on' : phase === 'starting' ? 'Opening WebGPU…' : 'No GPU'}</span>
        {adapter && <span className="adapter-name">{adapter}</span>}
      </div>
    </header>
  );
}

function Logo() {
  return (
    <svg className="logo" viewBox="0 0 40 40" aria-hidden="true">
      <path d="M10 11 C20 11 20 20 30 20 M10 29 C20 29 20 20 30 20 M10 11 C20 11 20 29 30 29" fill="none" stroke="#94a3b8" strokeWidth="2.2" />
      <circle cx="10" cy="11" r="5" fill="#4f46e5" />
      <circle cx="10" cy="29" r="5" fill="#4f46e5" />
      <rect x="25.5" y="15.5" width="9" height="9" rx="2.5" fill="#d97706" />
      <rect x="25.5" y="24.5" width="9" height="9" rx="2.5" fill="#d97706" opacity="0.55" />
    </svg>
  );
}
