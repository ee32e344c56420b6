// The attention paths that carry information into the pair's embeddings: paths that connect the
// user and the movie, split by what taking their ratings out does to the score (for it, against
// it), and the strongest walks into each end. Weights read as shares of the total attention.
import { memo, useState } from 'react';
import type { NamedConnectingPath, NamedPath } from '../explain/explain';
import type { NamedNode } from '../explain/names';
import type { Hop } from '../explain/paths';
import { formatShare, side, type Side } from '../explain/sentence';
import type { ExplanationData } from '../worker/protocol';
import { fmt } from './format';
import { Hint } from './Hint';

type Tab = 'connecting' | 'user' | 'item';

const GROUPS: { side: Side; title: string; note: string }[] = [
  { side: 'for', title: 'Raise the score', note: 'taking the path’s ratings out lowers it' },
  { side: 'against', title: 'Lower the score', note: 'taking the path’s ratings out raises it' },
  { side: 'neither', title: 'Hardly move it', note: 'taking the path’s ratings out moves it by less than 0.01' },
];

export const AttentionPaths = memo(function AttentionPaths({ e }: { e: ExplanationData }) {
  const [tab, setTab] = useState<Tab>('connecting');
  const walks = tab === 'user' ? e.pathsToUser : e.pathsToItem;
  return (
    <div className="panel paths" data-testid="explain-paths">
      <div className="panel-head">
        <h3>Attention paths</h3>
        <div className="seg-group small">
          <button className={`seg ${tab === 'connecting' ? 'on' : ''}`} onClick={() => setTab('connecting')}>{e.user.name} ↔ {short(e.item.name)}</button>
          <button className={`seg ${tab === 'user' ? 'on' : ''}`} onClick={() => setTab('user')}>into {e.user.name}</button>
          <button className={`seg ${tab === 'item' ? 'on' : ''}`} onClick={() => setTab('item')}>into {short(e.item.name)}</button>
        </div>
      </div>
      <p className="sub">
        {tab === 'connecting' ? (
          <>
            Chains of ratings whose messages reach both ends through the layers (outlined: where they meet). The % is the path’s share of the
            listed paths’ attention (the product of <Hint text={ALPHA_HELP}>α</Hint> along it); Δ is the score without the path’s ratings, minus the score.
            {e.brief && ' While training runs at full speed only the strongest few are measured.'}
          </>
        ) : (
          <>
            The strongest walks of messages into the final embedding, layer by layer ({e.head === 'mean' ? 'α averaged over heads' : `head ${Number(e.head) + 1}`}); the %
            is the walk’s share of all the attention that reaches it.
          </>
        )}{' '}
        <Hint text={NOTATION_HELP}>How to read a path</Hint>
      </p>
      {tab === 'connecting' ? <ConnectingPaths paths={e.connecting} /> : <PathList paths={walks} testId="explain-walk" />}
    </div>
  );
});

const ALPHA_HELP = 'α (attention): the share of a node’s incoming messages that came from one neighbour in one layer. The α into a node add up to 1.';

const NOTATION_HELP = (
  <>
    Each chip is a user or a movie; between two chips is the rating that links them. “←1.00 L3” means: in layer 3 (conv3), the right-hand node sent its
    message to the left-hand one, which gave it attention α = 1.00, all of its attention. “0.34 L2 →” means the left one sent to the right one in layer 2,
    with 34% of the right one’s attention. A path’s weight is the product of its α.
  </>
);

function ConnectingPaths({ paths }: { paths: NamedConnectingPath[] }) {
  if (paths.length === 0) return <p className="empty">No attention path links them in this graph.</p>;
  return (
    <>
      {GROUPS.map((g) => {
        const mine = paths.filter((p) => side(p) === g.side);
        if (mine.length === 0) return null;
        return (
          <div key={g.side} className={`path-group ${g.side}`} data-testid="path-group" data-side={g.side}>
            <h4>
              {g.title} <span className="muted">({mine.length}: {g.note})</span>
            </h4>
            <PathList paths={mine} testId="explain-path" />
          </div>
        );
      })}
    </>
  );
}

function PathList({ paths, testId }: { paths: (NamedPath | NamedConnectingPath)[]; testId: string }) {
  if (paths.length === 0) return <p className="empty">No attention path links them in this graph.</p>;
  const best = Math.max(1e-12, ...paths.map((p) => p.share));
  return (
    <ol className="path-list">
      {paths.map((p, k) => (
        <li key={k} className="path" data-testid={testId} data-share={p.share} data-delta={'delta' in p ? p.delta : undefined}>
          <div className="path-chain">
            {p.nodes.map((n, s) => (
              <span key={s} className="path-step">
                {s > 0 && <HopArrow hop={p.hops[s - 1]} left={p.nodes[s - 1]} />}
                <NodeChip node={n} meet={'meet' in p && p.meet === s} />
              </span>
            ))}
          </div>
          <div className="path-weight">
            <span className="bar">
              <span style={{ width: `${(p.share / best) * 100}%` }} />
            </span>
            <span className="num" title={`weight ${p.weight.toPrecision(3)} (product of α)`}>{formatShare(p.share)}</span>
            {'delta' in p && <span className={`num delta ${p.delta < 0 ? 'down' : 'up'}`} title={`Score without the path’s ratings: ${fmt.score(p.score)}`}>Δ {fmt.delta(p.delta)}</span>}
          </div>
        </li>
      ))}
    </ol>
  );
}

function NodeChip({ node, meet }: { node: NamedNode; meet: boolean }) {
  return (
    <span className={`node-chip ${node.type} ${meet ? 'meet' : ''}`} title={meet ? `${node.name}: the meeting point, whose information reaches both ends` : node.name}>
      {short(node.name, 36)}
    </span>
  );
}

/** The hop between two listed nodes: its arrow points the way the message went, in layer L. */
function HopArrow({ hop, left }: { hop: Hop; left: NamedNode }) {
  const rightward = hop.from === left.node;
  return (
    <span className="hop" title={`In conv${hop.layer}, ${rightward ? 'left' : 'right'} sends to ${rightward ? 'right' : 'left'} with α = ${hop.alpha.toFixed(4)}`}>
      {!rightward && <span className="hop-arrow">←</span>}
      <span className="hop-alpha">{hop.alpha.toFixed(2)}</span>
      <span className="hop-layer">L{hop.layer}</span>
      {rightward && <span className="hop-arrow">→</span>}
    </span>
  );
}

const short = (s: string, max = 22) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
