// A term with its plain-language explanation, shown on hover and on keyboard focus. The term is a
// focusable element described by the explanation (aria-describedby), so a screen reader reads
// both and a keyboard user reaches it with Tab; Escape hides it again.
import { useId, useState, type ReactNode } from 'react';

export function Hint({ children, text, className = '' }: { children: ReactNode; text: ReactNode; className?: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <span
      className={`hint ${open ? 'open' : ''} ${className}`}
      tabIndex={0}
      aria-describedby={id}
      data-testid="hint"
      onMouseEnter={() => setOpen(true)}
      onMouseLeave={() => setOpen(false)}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpen(false);
      }}
    >
      {children}
      <span role="tooltip" id={id} className="hint-text" hidden={!open}>
        {text}
      </span>
    </span>
  );
}
