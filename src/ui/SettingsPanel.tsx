// Every setting of the run, one field per row of the settings table. A change starts a fresh run
// with it and goes into the URL, so a shared link reproduces the run.
import { useState } from 'react';
import { SEED_SETTINGS, SETTING_KEYS, settingRow, type RunSettings, type SettingKey } from '../train/settings';
import { DataPicker } from './DataPicker';
import { SettingField } from './SettingField';
import { useActions, useRunShallow } from './StoreContext';

/** A value as its field shows it: the link's text, with float noise (0.30000000000000004) rounded away. */
const show = <K extends SettingKey>(key: K, v: RunSettings[K]) => (typeof v === 'number' ? String(Number(v.toPrecision(12))) : settingRow(key).format(v));

export function SettingsPanel() {
  const a = useActions();
  const { settings, issues } = useRunShallow((s) => ({ settings: s.settings, issues: s.issues }));
  const [copied, setCopied] = useState(false);
  const issueOf = (key: SettingKey) => issues.filter((i) => i.key === key).map((i) => i.message).join('; ') || undefined;
  const differs = SETTING_KEYS.some((k) => show(k, settings[k]) !== show(k, SEED_SETTINGS[k]));
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
        {SETTING_KEYS.map((key) => (
          <SettingField
            key={key}
            settingKey={key}
            value={show(key, settings[key])}
            seed={show(key, SEED_SETTINGS[key])}
            issue={issueOf(key)}
            onCommit={(raw) => a.applySettings({ [key]: raw })}
          />
        ))}
      </div>
      <p className="settings-foot">A change starts a fresh run from the seed. Every setting lives in the page’s link.</p>
    </aside>
  );
}
