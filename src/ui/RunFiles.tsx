// Keeping the run and handing it on: save it in this browser (it is also kept while it trains and
// whenever it pauses or ends), restore a saved run (the current one, or one of the few earlier
// ones that a reset or new data or settings replaced, with what each takes in storage), export the weights (PyG-named JSON), the embeddings (CSV) and a
// PyG script, and import weights. KeepNotices says what came of it, and offers a saved run that
// a link passed over.
import { useRef, useState } from 'react';
import type { ExportedFile, ExportKind } from '../store/exportedFile';
import { formatBytes } from '../graph/gpuSize';
import { describeSaved } from '../store/savedRun';
import { fmt } from './format';
import { useActions, useRunShallow } from './StoreContext';

const EXPORTS: { what: ExportKind; label: string; title: string }[] = [
  { what: 'weights', label: 'Weights', title: 'The current weights as JSON under PyG’s state_dict names (load_state_dict takes them)' },
  { what: 'embeddings', label: 'Embeddings', title: 'Every user’s and movie’s embedding at the shown epoch, as CSV: type,id,name,e0…' },
  { what: 'script', label: 'PyG script', title: 'A Python script that rebuilds this model in PyTorch Geometric, loads the exported weights, checks its predictions against these and trains on' },
];

/** A downloaded file's link lives this long: some browsers read the blob after the click returns. */
const DOWNLOAD_URL_MS = 60_000;

export function RunFiles() {
  const a = useActions();
  const s = useRunShallow((s) => ({
    ready: s.info !== null,
    saved: s.savedRuns,
    lastSaved: s.lastSaved?.runId === s.runId ? s.lastSaved : null,
    importing: s.importing,
  }));
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const chosen = s.saved.find((r) => r.id === picked) ?? s.saved[0] ?? null;

  const exportFile = async (what: ExportKind, label: string) => {
    setBusy(what);
    setError(null);
    try {
      download(await a.exportFile(what));
    } catch (e) {
      setError(`The ${label.toLowerCase()} could not be exported: ${(e as Error).message}.`);
    } finally {
      setBusy(null);
    }
  };

  const importFile = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    setError(null);
    try {
      a.importWeights(file.name, await file.text());
    } catch (e) {
      setError(`${file.name} could not be read: ${(e as Error).message}.`);
    }
    // The same file can be picked again (after changing a setting, say).
    if (input.current) input.current.value = '';
  };

  return (
    <section className="run-files card" data-testid="run-files" aria-label="Keep and hand on">
      <div className="card-head">
        <h2>Keep and hand on</h2>
      </div>
      <div className="rf-group">
        <div className="rf-row">
          <button className="btn small" onClick={a.saveRun} disabled={!s.ready} data-testid="save-run" title="Keep the run (settings, data, weights, Adam’s state, metrics) in this browser">
            Save
          </button>
          <span className="rf-status" data-testid="saved-status" data-epoch={s.lastSaved?.epoch ?? ''}>
            {s.lastSaved ? `Saved epoch ${fmt.int(s.lastSaved.epoch)} at ${new Date(s.lastSaved.at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}` : 'Also kept while training and when it pauses'}
          </span>
        </div>
        <div className="rf-row">
          <select
            value={chosen?.id ?? ''}
            title={chosen ? describeSaved(chosen) : undefined}
            onChange={(e) => setPicked(e.target.value)}
            disabled={s.saved.length === 0}
            data-testid="saved-runs"
            aria-label="Saved runs: the current one and earlier ones"
          >
            {s.saved.length === 0 && <option value="">No saved run yet</option>}
            {s.saved.map((r) => (
              <option key={r.id} value={r.id}>
                {describeSaved(r)}
                {r.bytes > 0 && ` · ${formatBytes(r.bytes)}`}
              </option>
            ))}
          </select>
          <button className="btn small" onClick={() => chosen && a.restoreRun(chosen.id)} disabled={!chosen} data-testid="restore-run" title="Replace the current run by the saved one, where it stood">
            Restore
          </button>
        </div>
      </div>
      <div className="rf-group">
        <span className="label">Export</span>
        <div className="rf-row">
          {EXPORTS.map((x) => (
            <button key={x.what} className="btn small" onClick={() => void exportFile(x.what, x.label)} disabled={!s.ready || busy !== null} title={x.title} data-testid={`export-${x.what}`}>
              {busy === x.what ? '…' : x.label}
            </button>
          ))}
        </div>
        <span className="label">Import</span>
        <div className="rf-row">
          <button className="btn small" onClick={() => input.current?.click()} disabled={!s.ready || s.importing !== null} data-testid="import-weights" title="Start this run from a weights file (PyG-named JSON of the same model); Adam starts afresh">
            {s.importing ? `Importing ${s.importing}…` : 'Weights…'}
          </button>
        </div>
        <input ref={input} type="file" accept=".json,application/json" hidden onChange={(e) => void importFile(e.target.files)} data-testid="import-file" />
      </div>
      {error && <div className="field-issue rf-error" role="alert">{error}</div>}
      <p className="rf-foot">The PyG script rebuilds this model in PyTorch Geometric and loads the exported weights; the README shows how.</p>
    </section>
  );
}

/** What came of saving, restoring, importing or a lost GPU, and a saved run that the link passed over. */
export function KeepNotices() {
  const a = useActions();
  const s = useRunShallow((s) => ({ notice: s.keepNotice, offer: s.savedOffer }));
  if (!s.notice && !s.offer) return null;
  return (
    <div className="notices">
      {s.notice && (
        <div className={`notice rf-notice ${s.notice.tone}`} role={s.notice.tone === 'info' ? 'status' : 'alert'} data-testid="keep-notice" data-tone={s.notice.tone}>
          <span>{s.notice.text}</span>
          <span className="actions">
            <button className="btn small ghost" onClick={a.dismissKeepNotice}>Dismiss</button>
          </span>
        </div>
      )}
      {s.offer && (
        <div className="notice info rf-notice" role="status" data-testid="saved-offer">
          <span>
            This browser keeps a saved run ({describeSaved(s.offer)}). The link asks for other settings, so this is a fresh run.
          </span>
          <span className="actions">
            <button className="btn small" onClick={() => a.restoreRun(s.offer!.id)} data-testid="restore-offer">Restore it</button>
            <button className="btn small ghost" onClick={a.dismissSavedOffer}>Dismiss</button>
          </span>
        </div>
      )}
    </div>
  );
}

function download(file: ExportedFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_MS);
}
