// Exact values under the pointer: an edge's rating and α per head in every layer (for the chosen
// direction), or a node's embedding and its norm.
import type { AttentionView } from '../store/shown';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import { EDGE_WORDS, edgeColor, fmt } from './format';
import { embeddingOf, headsOf, norm, slotFor, type DrawnEdge, type DrawnNode } from './graphModel';

export type HoverTarget = ({ kind: 'edge'; edge: DrawnEdge } | { kind: 'node'; node: DrawnNode }) & { x: number; y: number };

export function GraphTooltip({ target, info, snapshot, view }: { target: HoverTarget; info: RunInfo; snapshot: SnapshotData | null; view: AttentionView }) {
  const style = { left: target.x + 16, top: target.y + 12 };
  return (
    <div className="tooltip" style={style} role="tooltip" data-testid="tooltip">
      {target.kind === 'edge' ? <EdgeDetails edge={target.edge} info={info} snapshot={snapshot} view={view} /> : <NodeDetails node={target.node} info={info} snapshot={snapshot} />}
    </div>
  );
}

function EdgeDetails({ edge, info, snapshot, view }: { edge: DrawnEdge; info: RunInfo; snapshot: SnapshotData | null; view: AttentionView }) {
  const user = info.userNames[edge.user];
  const item = info.itemNames[edge.item];
  const slot = slotFor(edge, view);
  const heads = info.heads;
  const into = view.direction === 'rates' ? item : user;
  const from = view.direction === 'rates' ? user : item;
  return (
    <>
      <div className="tt-title">
        {user} <span className="muted">rated</span> {item}
      </div>
      <div className="tt-row">
        <span className="chip" style={{ background: edgeColor(edge.kind, edge.value) }}>{fmt.stars(edge.value)}★</span>
        {EDGE_WORDS[edge.kind]}
      </div>
      {slot < 0 ? (
        <p className="tt-note">Carries no messages: message passing uses training ratings only (switch MESSAGE PASSING to “all” to let it).</p>
      ) : (
        <>
          <div className="tt-sub">
            α of {from}’s message into {into}, on the full graph
          </div>
          <table className="tt-table">
            <thead>
              <tr>
                <th />
                {Array.from({ length: heads }, (_, h) => (
                  <th key={h}>head {h + 1}</th>
                ))}
                <th>mean</th>
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: info.layers }, (_, l) => {
                const hs = headsOf(snapshot, heads, slot, l + 1);
                const mean = hs.reduce((s, x) => s + x, 0) / Math.max(1, hs.length);
                return (
                  <tr key={l} className={l + 1 === view.layer ? 'current' : ''}>
                    <th>conv{l + 1}</th>
                    {hs.map((x, h) => (
                      <td key={h} className={view.head === h && l + 1 === view.layer ? 'pick' : ''}>{fmt.alpha(x)}</td>
                    ))}
                    <td className={view.head === 'mean' && l + 1 === view.layer ? 'pick' : ''}>{fmt.alpha(mean)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function NodeDetails({ node, info, snapshot }: { node: DrawnNode; info: RunInfo; snapshot: SnapshotData | null }) {
  const emb = embeddingOf(snapshot, node);
  const top =
    node.type === 'user' && snapshot
      ? Array.from(snapshot.topk.subarray(node.index * snapshot.k, (node.index + 1) * snapshot.k)).filter((i) => i >= 0)
      : [];
  return (
    <>
      <div className="tt-title">{node.name}</div>
      <div className="tt-row muted">
        {node.type === 'user' ? 'User' : 'Movie'} · {node.degree} training rating{node.degree === 1 ? '' : 's'}
      </div>
      {emb && (
        <>
          <div className="tt-row">
            Embedding norm ‖h‖ = <strong>{norm(emb).toFixed(3)}</strong> <span className="muted">({emb.length} dims, epoch {snapshot!.epoch}, full graph)</span>
          </div>
          <div className="tt-emb">
            {Array.from(emb.slice(0, 32), (v, c) => (
              <span key={c} title={`dim ${c}`}>{v.toFixed(2)}</span>
            ))}
          </div>
        </>
      )}
      {top.length > 0 && (
        <div className="tt-row">
          Top {snapshot!.k} on the full graph: {top.map((i) => info.itemNames[i]).join(', ')}
        </div>
      )}
      <div className="tt-note">Click to explain {node.type === 'user' ? 'this user’s' : 'this movie’s'} score.</div>
    </>
  );
}
