// Every hyperparameter of the seed, plus layers and the message-passing switch. A change starts a
// fresh run with it and goes into the URL, so a shared link reproduces the run.
import { useState } from 'react';
import { SEED_SETTINGS, type RunSettings } from '../train/settings';
import { DataPicker } from './DataPicker';
import { SettingField } from './SettingField';
import { useActions, useRunShallow } from './StoreContext';

type FieldKey = Exclude<keyof RunSettings, 'messagePassing' | 'splitMode' | 'features'>;

const FIELDS: { key: FieldKey; name: string; hint: string; mode?: 'numeric' | 'decimal' | 'text' }[] = [
  { key: 'seed', name: 'SEED', hint: 'Fixes the features, the initial weights and every shuffle.', mode: 'numeric' },
  { key: 'split', name: 'SPLIT', hint: 'Share of the ratings that train (the rest test).' },
  { key: 'minRating', name: 'MIN_RATING', hint: 'Keep only ratings at or above this; “none” keeps all.', mode: 'text' },
  { key: 'batchSize', name: 'BATCH_SIZE', hint: 'Ratings per optimizer step, or “full”.', mode: 'text' },
  { key: 'neighbors', name: 'NEIGHBORS', hint: 'Neighbours sampled per hop, like “1” or “10,5”; −1 takes all.', mode: 'text' },
  { key: 'negRatio', name: 'NEG_SAMPLING', hint: 'Random unrated pairs (label 0) per rating.' },
  { key: 'epochs', name: 'EPOCHS', hint: 'Length of the run.', mode: 'numeric' },
  { key: 'lr', name: 'LR', hint: 'Adam’s learning rate.' },
  { key: 'hidden', name: 'LATENT_DIM', hint: 'Embedding size, and the width of the movies’ random features.', mode: 'numeric' },
  { key: 'heads', name: 'HEADS', hint: 'Attention heads per layer (averaged).', mode: 'numeric' },
  { key: 'layers', name: 'LAYERS', hint: 'GAT blocks, each relu(GAT(h) + Linear(h)).', mode: 'numeric' },
  { key: 'k', name: 'K', hint: 'Length of each user’s top list, and of Recall@K.', mode: 'numeric' },
  { key: 'evalEvery', name: 'EVAL_EVERY', hint: 'Recall@K every this many epochs (and at the end); larger trains big datasets faster, the weights stay the same.', mode: 'numeric' },
];

const show = (v: RunSettings[keyof RunSettings]) =>
  v === null ? 'none' : Array.isArray(v) ? v.join(',') : typeof v === 'number' ? String(Number(v.toPrecision(12))) : String(v);

interface Choice {
  key: 'splitMode' | 'features' | 'messagePassing';
  name: string;
  hint: string;
  options: [string, string][];
}

const CHOICES: Choice[] = [
  { key: 'splitMode', name: 'SPLIT BY', hint: 'Which ratings test: the newest (as the seed), each user’s newest, or a random draw from the seed.', options: [['time', 'Time: newest ratings test'], ['userTime', 'Time, per user: each user’s newest test'], ['random', 'Random draw']] },
  { key: 'features', name: 'ITEM FEATURES', hint: 'The movies’ input: the seed’s random vectors, or their genres (needs a movies file).', options: [['seed', 'Random normal (the seed’s)'], ['genres', 'Genres, multi-hot']] },
  { key: 'messagePassing', name: 'MESSAGE PASSING', hint: 'Which ratings carry messages between users and movies.', options: [['train', 'Training ratings only (honest)'], ['all', 'All ratings, test too (as the seed’s run)']] },
];

export function SettingsPanel() {
  const a = useActions();
  const { settings, issues } = useRunShallow((s) => ({ settings: s.settings, issues: s.issues }));
  const [copied, setCopied] = useState(false);
  const issueOf = (key: keyof RunSettings) => issues.filter((i) => i.key === key).map((i) => i.message).join('; ') || undefined;
  const differs = (Object.keys(SEED_SETTINGS) as (keyof RunSettings)[]).some((k) => show(settings[k]) !== show(SEED_SETTINGS[k]));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      window.prompt('Copy this link:', window.location.href);
    }
  };
  return (
    <aside className="settings card" data-testid="settings" aria-label="Settings">
      <div className="card-head">
        <h2>Settings</h2>
        <div className="head-actions">
          <button className="btn small ghost" onClick={copy} title="The settings are in the link: share it to reproduce this run">{copied ? 'Copied' : 'Copy link'}</button>
          <button className="btn small ghost" onClick={a.resetSettings} disabled={!differs} data-testid="seed-settings" title="Back to the seed’s hyperparameters">Seed</button>
        </div>
      </div>
      <DataPicker />
      <div className="fields">
        {FIELDS.map((f) => (
          <SettingField
            key={f.key}
            id={f.key}
            name={f.name}
            hint={f.hint}
            value={show(settings[f.key])}
            seed={show(SEED_SETTINGS[f.key])}
            issue={issueOf(f.key)}
            inputMode={f.mode}
            onCommit={(raw) => a.applySettings({ [f.key]: raw })}
          />
        ))}
        {CHOICES.map((c) => (
          <label key={c.key} className={`field ${issueOf(c.key) ? 'has-issue' : ''}`} htmlFor={`setting-${c.key}`}>
            <span className="field-head">
              <span className="field-name">{c.name}</span>
              {settings[c.key] !== SEED_SETTINGS[c.key] && <span className="changed">seed {SEED_SETTINGS[c.key]}</span>}
            </span>
            <select id={`setting-${c.key}`} data-testid={`setting-${c.key}`} value={settings[c.key]} onChange={(e) => a.applySettings({ [c.key]: e.target.value })}>
              {c.options.map(([value, label]) => (
                <option key={value} value={value}>{label}</option>
              ))}
            </select>
            <span className="field-hint">{c.hint}</span>
            {issueOf(c.key) && <span className="field-issue">{issueOf(c.key)}</span>}
          </label>
        ))}
      </div>
      <p className="settings-foot">A change starts a fresh run from the seed. Every setting lives in the page’s link.</p>
    </aside>
  );
}
