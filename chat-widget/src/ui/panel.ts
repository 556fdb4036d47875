import type { HandoffStatusEvent } from '../../../bot/web-protocol.ts';
import type { Labels } from '../i18n.ts';
import type { ConnectionStatus } from '../store.ts';
import { button, el } from './dom.ts';
import { icon } from './icons.ts';

export interface Panel {
  element: HTMLElement;
  log: HTMLElement;
  closeButton: HTMLButtonElement;
  setLabels(t: Labels, title: string): void;
  /** The subtitle says a connection problem first, else who the customer is talking to. */
  setConnection(connection: ConnectionStatus, t: Labels, handoff: HandoffStatusEvent | null): void;
}

/** The dialog's frame: header, connection banner and the conversation log; the composer goes last. */
export function createPanel(id: string, t: Labels, title: string, handlers: { close(): void; reconnectNow(): void }): Panel {
  const heading = el('h2', { class: 'rdv-title' }, title);
  const subtitle = el('p', { class: 'rdv-subtitle' }, t.subtitle);
  const closeButton = button({ class: 'rdv-icon-button', 'aria-label': t.close }, [icon('close', 22)], handlers.close);
  const statusText = el('span', {});
  const retry = button({ class: 'rdv-inline-button rdv-status-retry' }, [t.retryNow], handlers.reconnectNow);
  const spinner = el('span', { class: 'rdv-spinner', 'aria-hidden': 'true' });
  const status = el('div', { class: 'rdv-status', role: 'status', hidden: true }, spinner, statusText, retry);
  const log = el('div', { class: 'rdv-log', role: 'log', 'aria-live': 'polite', 'aria-label': t.conversation, tabindex: 0 });
  const element = el('div', { class: 'rdv-panel', id, role: 'dialog', 'aria-label': title, tabindex: -1, hidden: true },
    el('div', { class: 'rdv-header' }, el('span', { class: 'rdv-avatar', 'aria-hidden': 'true' }, icon('calendar', 22)),
      el('div', { class: 'rdv-heading' }, heading, subtitle), closeButton),
    status, log);

  return {
    element,
    log,
    closeButton,
    setLabels(next, nextTitle) {
      heading.textContent = nextTitle;
      element.setAttribute('aria-label', nextTitle);
      closeButton.setAttribute('aria-label', next.close);
      log.setAttribute('aria-label', next.conversation);
      retry.textContent = next.retryNow;
    },
    setConnection(connection, next, handoff) {
      const problem = connection === 'reconnecting' || connection === 'offline' || connection === 'unavailable' ? next[connection] : null;
      const talkingTo = handoff?.agent ? next.chattingWith(handoff.agent.name) : handoff ? next.waitingForAdvisor : next.subtitle;
      subtitle.textContent = problem ?? (connection === 'connecting' ? next.connecting : talkingTo);
      element.className = `rdv-panel rdv-connection-${connection}`;
      // The first connection shows in the subtitle only; losing an established one deserves a banner.
      status.hidden = problem === null;
      statusText.textContent = problem ?? '';
      spinner.hidden = connection === 'unavailable';
      retry.hidden = connection === 'reconnecting';
    },
  };
}
