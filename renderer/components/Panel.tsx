import type { ReactNode } from 'react';

/** A titled panel frame. `testId` names it for the e2e tests. */
export function Panel(props: { title: string; testId: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={props.testId} aria-label={props.title}>
      <header className="panel-header">
        <h2>{props.title}</h2>
        {props.actions ? <div className="panel-actions">{props.actions}</div> : null}
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}

/** What a panel says when its data does not exist (yet): plainly. */
export function Missing(props: { children: ReactNode }) {
  return <div className="missing">{props.children}</div>;
}
