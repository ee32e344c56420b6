// The attention paths that carry information into the pair's embeddings, ranked by the product of
// α along them: paths that connect the user and the movie, and the strongest walks into each.
import { memo, useState } from 'react';
import type { NamedNode } from '../explain/names';
import type { Hop } from '../explain/paths';
import type { ExplanationData } from '../worker/protocol';

type Tab = 'connecting' | 'user' | 'item';

export const AttentionPaths = memo(function AttentionPaths({ e }: { e: ExplanationData }) {
  const [tab, setTab] = useState<Tab>('connecting');
  const paths = tab === 'connecting' ? e.connecting : tab === 'user' ? e.pathsToUser : e.pathsToItem;
  const best = Math.max(1e-12, ...paths.map((p) => p.weight));
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
        {tab === 'connecting'
          ? 'Chains of ratings whose messages reach both ends through the layers (outlined: where they meet); weight = product of α along the path.'
          : `The strongest walks of messages into the final embedding, layer by layer (${e.head === 'mean' ? 'α averaged over heads' : `head ${Number(e.head) + 1}`}).`}
      </p>
      {paths.length === 0 ? (
        <p className="empty">No attention path links them in this graph.</p>
      ) : (
        <ol className="path-list">
          {paths.map((p, k) => (
            <li key={k} className="path" data-testid={tab === 'connecting' ? 'explain-path' : 'explain-walk'}>
              <div className="path-chain">
                {p.nodes.map((n, s) => (
                  <span key={s} className="path-step">
                    {s > 0 && <HopArrow hop={p.hops[s - 1]} left={p.nodes[s - 1]} />}
                    <NodeChip node={n} meet={'meet' in p && p.meet === s} />
                  </span>
                ))}
              </div>
              <div className="path-weight">
                <span className="bar"><span style={{ width: `${(p.weight / best) * 100}%` }} /></span>
                <span className="num">{p.weight.toPrecision(3)}</span>
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
});

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
