import type { ChatActivity } from '../../../bot/web-protocol.ts';
import type { AppContext, Screen } from '../context.ts';
import { formatUtc, formatWaiting } from '../format.ts';
import { appointmentSummary, channelLabel, lastReadableSeq, type HandoffRequest, type LiveConversation, type LiveState } from '../live.ts';
import { routes, type Route } from '../router.ts';
import { button, el, empty, heading, replaceChildren, uid } from '../ui/dom.ts';
import { confirmDialog } from '../ui/dialog.ts';
import { patchList, transcriptItems, type TranscriptLine } from '../ui/render/transcript.ts';

/**
 * Live chat: customers waiting for an agent (with a sound and a badge), the conversations this
 * agent joined, and the one on screen: transcript, typing indicator, read state, message box, "End chat".
 */
export function liveScreen(ctx: AppContext, initial: Extract<Route, { name: 'live' }>): Screen {
  let selected: string | null = initial.conversationId ?? null;
  const title = heading('Live chat');
  const banner = el('div', { class: 'banner', role: 'status' });
  const waitingList = el('div', {});
  const mineList = el('div', {});
  const teamList = el('div', {});
  const conversationPane = el('section', { class: 'live-conversation card', 'aria-label': 'Conversation' });
  const soundId = uid('sound');
  const sound = el('input', { type: 'checkbox', id: soundId, role: 'switch' });
  sound.checked = ctx.store.getState().soundOn;
  sound.addEventListener('change', () => ctx.store.setState({ soundOn: sound.checked }));
  const element = el('div', { class: 'screen screen-live' },
    el('header', { class: 'screen-header' },
      el('div', {}, title, el('p', { class: 'screen-intro' }, 'Customers who asked to talk to someone. Set yourself online in the header to receive them.')),
      el('div', { class: 'field-check switch' }, sound, el('label', { for: soundId }, 'Sound alerts'))),
    banner,
    el('div', { class: 'live-grid' },
      el('div', { class: 'live-side' },
        el('section', { class: 'card', 'aria-labelledby': 'waiting-title' }, el('h2', { id: 'waiting-title', class: 'card-title' }, 'Waiting customers'), waitingList),
        el('section', { class: 'card', 'aria-labelledby': 'mine-title' }, el('h2', { id: 'mine-title', class: 'card-title' }, 'Your conversations'), mineList),
        el('section', { class: 'card', 'aria-labelledby': 'team-title' }, el('h2', { id: 'team-title', class: 'card-title' }, 'Team'), teamList)),
      conversationPane));

  // The message box of the conversation on screen, kept across renders (focus, draft).
  let composerFor: string | null = null;
  let transcriptBox: HTMLElement | null = null;
  let transcriptList: HTMLElement | null = null;
  let placeholder: HTMLElement | null = null;
  let statusLine: HTMLElement | null = null;
  let headerBox: HTMLElement | null = null;
  let composerForm: HTMLFormElement | null = null;
  const drafts = new Map<string, string>();

  function renderBanner(live: LiveState) {
    const text = live.connection === 'online'
      ? ''
      : live.connection === 'unavailable'
        ? 'Live updates unavailable: waiting customers and chats cannot reach the console right now. Retrying in the background.'
        : live.connection === 'reconnecting' ? 'Connection lost. Reconnecting…' : 'Connecting…';
    banner.textContent = text;
    banner.hidden = !text;
    banner.className = `banner ${live.connection === 'unavailable' ? 'banner-warning' : 'banner-info'}`;
  }

  function renderWaiting(live: LiveState) {
    const now = Date.now();
    if (live.waiting.length === 0) {
      replaceChildren(waitingList, empty(live.presence === 'away' ? 'No one is waiting. You are away: you will not be offered new chats.' : 'No one is waiting.'));
      return;
    }
    replaceChildren(waitingList, el('ul', { class: 'queue' }, ...live.waiting.map((w) => {
      const summary = appointmentSummary(w.appointment);
      return el('li', { class: 'queue-item', 'data-conversation': w.conversationId },
        el('div', {},
          el('p', { class: 'queue-name' }, w.customerName, ' ', el('span', { class: `badge channel-${w.channel}` }, channelLabel(w.channel))),
          w.channelNotice ? el('p', { class: 'cell-sub channel-notice' }, w.channelNotice) : null,
          el('p', { class: 'cell-sub' }, w.kind === 'appointment' ? `Joined their appointment${summary ? `: ${summary}` : ''}` : `Asked for an advisor in the chat${w.position ? ` · #${w.position} in line` : ''}`),
          el('p', { class: 'cell-sub' }, 'Waiting ', el('time', { datetime: w.waitingSince, title: formatUtc(w.waitingSince) }, formatWaiting(w.waitingSince, now)),
            w.offeredTo.includes(ctx.session().staff.id) ? ' · offered to you' : '')),
        button({ class: 'btn btn-primary btn-small', 'aria-label': `Join the chat with ${w.customerName}`, disabled: live.connection !== 'online' }, 'Join', () => join(w)));
    })));
  }

  function renderMine(live: LiveState) {
    if (live.conversations.length === 0) {
      replaceChildren(mineList, empty('None yet: join a waiting customer.'));
      return;
    }
    replaceChildren(mineList, el('ul', { class: 'conversation-list' }, ...live.conversations.map((c) => {
      const a = el('a', {
        href: routes.live(c.conversationId), class: 'conversation-link', 'aria-current': c.conversationId === selected ? 'true' : undefined,
      }, el('span', {}, c.customerName), c.ended ? el('span', { class: 'badge badge-muted' }, 'Ended') : null,
      c.unread ? el('span', { class: 'count', 'aria-label': `${c.unread} unread` }, String(c.unread)) : null);
      return el('li', {}, a);
    })));
  }

  function lines(c: LiveConversation, agentName: string): TranscriptLine[] {
    const fromActivity = (a: ChatActivity): TranscriptLine => ({
      key: `a${a.seq}`, seq: a.seq, sender: a.from, name: a.name ?? null, text: a.text,
      content: { ...(a.attachments ? { attachments: a.attachments } : {}), ...(a.suggestedActions ? { suggestedActions: a.suggestedActions } : {}) },
      at: a.timestamp,
    });
    return [
      ...c.activities.map(fromActivity),
      ...c.pending.map((p, i): TranscriptLine => ({ key: `p${p.clientId}`, seq: Number.MAX_SAFE_INTEGER - c.pending.length + i, sender: 'agent', name: agentName, text: p.text, content: {}, at: '' })),
    ];
  }

  function renderConversation(live: LiveState) {
    const c = live.conversations.find((x) => x.conversationId === selected);
    if (!c) {
      composerFor = null;
      replaceChildren(conversationPane, el('div', { class: 'live-placeholder' },
        el('h2', { class: 'card-title' }, 'No conversation open'),
        el('p', { class: 'muted' }, selected ? 'This conversation is not open in this console. Join it from the waiting list.' : 'Join a waiting customer, or pick one of your conversations.')));
      return;
    }
    if (composerFor !== c.conversationId) buildConversation(c);
    const me = ctx.session().staff.name;
    const log = transcriptBox!;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    const lastAgent = [...c.activities].reverse().find((a) => a.from === 'agent');
    const all = lines(c, me);
    placeholder!.hidden = all.length > 0;
    patchList(transcriptList!, transcriptItems(all), (row, item) => {
      const line = item.line;
      if (!line) return;
      const pending = c.pending.find((p) => `p${p.clientId}` === line.key);
      const state = pending ? (pending.status === 'failed' ? 'failed' : 'sending')
        : lastAgent && line.seq === lastAgent.seq ? (c.customerReadSeq >= lastAgent.seq ? 'seen' : 'delivered') : '';
      setMessageState(row, state, pending && pending.status === 'failed'
        ? { error: pending.error, retry: () => ctx.connector.retry(c.conversationId, pending.clientId) } : undefined);
    });
    if (atBottom) log.scrollTop = log.scrollHeight;
    // Changed only when it changes: a live region says everything it is given again.
    const typing = c.customerTyping && !c.ended ? 'on' : '';
    if (statusLine!.dataset.typing !== typing) {
      statusLine!.dataset.typing = typing;
      replaceChildren(statusLine!, typing ? el('span', { class: 'typing' }, el('span', { class: 'dots', 'aria-hidden': 'true' }, '•••'), ` ${c.customerName} is typing…`) : '');
    }
    const ended = c.ended;
    composerForm!.hidden = ended;
    const endButton = headerBox!.querySelector<HTMLButtonElement>('.end-chat');
    if (endButton) endButton.hidden = ended;
    const closeButton = headerBox!.querySelector<HTMLButtonElement>('.close-chat');
    if (closeButton) closeButton.hidden = !ended;
    const note = headerBox!.querySelector<HTMLElement>('.ended-note');
    if (note) {
      note.hidden = !ended;
      note.textContent = c.takenBy ? `Taken by ${c.takenBy}.` : 'This chat has ended.';
    }
    const input = composerForm!.querySelector('textarea')!;
    input.disabled = live.connection !== 'online';
    input.placeholder = live.connection === 'online' ? `Message ${c.customerName}` : 'Not connected';
    // On screen and the window in front: what the customer wrote is read.
    if (document.visibilityState === 'visible' && document.hasFocus() && lastReadableSeq(c) > c.readSentSeq) ctx.connector.markRead(c.conversationId);
    else if (c.unread && document.visibilityState === 'visible') ctx.connector.markRead(c.conversationId);
  }

  /** Not about one appointment: what the customer booked in this chat, if anything. */
  function bookedInChat(c: LiveConversation): HTMLElement {
    if (c.appointments.length === 0) return el('p', { class: 'cell-sub' }, 'No appointment: a question in the chat.');
    return el('div', { class: 'cell-sub booked-in-chat' }, el('p', {}, 'Booked in this chat:'),
      el('ul', {}, ...c.appointments.map((a) => el('li', {}, appointmentSummary(a), ' · ', el('a', { href: routes.appointment(a.id) }, 'Open the appointment')))));
  }

  function buildConversation(c: LiveConversation) {
    if (composerFor) drafts.set(composerFor, composerForm?.querySelector('textarea')?.value ?? '');
    composerFor = c.conversationId;
    const summary = appointmentSummary(c.appointment);
    const h = el('h2', { class: 'card-title', tabindex: -1 }, c.customerName, ' ', el('span', { class: `badge channel-${c.channel}` }, channelLabel(c.channel)));
    headerBox = el('header', { class: 'conversation-header' },
      el('div', {}, h,
        summary ? el('p', { class: 'cell-sub' }, summary, ' · ', el('a', { href: routes.appointment(c.appointment!.id) }, 'Open the appointment')) : bookedInChat(c),
        c.appointment?.meetingUrl ? el('p', { class: 'cell-sub' }, el('a', { href: c.appointment.meetingUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open the video meeting')) : null,
        c.channelNotice ? el('p', { class: 'banner banner-warning channel-notice', role: 'status' }, c.channelNotice) : null,
        el('p', { class: 'ended-note muted', hidden: true })),
      el('div', { class: 'toolbar' },
        button({ class: 'btn btn-danger-outline end-chat' }, 'End chat', () => {
          void confirmDialog({
            title: 'End chat', message: `End the chat with ${c.customerName}? They are told the conversation is over.`, confirmLabel: 'End chat', danger: true,
          }).then((ok) => {
            if (!ok) return;
            ctx.connector.end(c.conversationId);
            ctx.announce(`Chat with ${c.customerName} ended.`);
          });
        }),
        button({ class: 'btn btn-secondary close-chat', hidden: true }, 'Close', () => {
          ctx.store.setState((s) => ({ live: { ...s.live, conversations: s.live.conversations.filter((x) => x.conversationId !== c.conversationId) } }));
          ctx.navigate(routes.live());
        })));
    transcriptList = el('ol', { class: 'transcript' });
    placeholder = el('p', { class: 'empty' }, 'Loading the conversation…');
    transcriptBox = el('div', { class: 'live-log', tabindex: 0, role: 'region', 'aria-label': `Messages with ${c.customerName}` },
      placeholder,
      // Only new messages are announced: the list is patched, never redrawn.
      el('div', { role: 'log', 'aria-live': 'polite' }, transcriptList));
    statusLine = el('div', { class: 'typing-line', 'aria-live': 'polite' });
    const textarea = el('textarea', { name: 'message', rows: 2, maxlength: 2000, 'aria-label': `Message to ${c.customerName}`, placeholder: `Message ${c.customerName}` });
    textarea.value = drafts.get(c.conversationId) ?? '';
    const send = () => {
      const text = textarea.value.trim();
      if (!text) return;
      ctx.connector.send(c.conversationId, text);
      textarea.value = '';
      drafts.delete(c.conversationId);
      if (transcriptBox) setTimeout(() => { transcriptBox!.scrollTop = transcriptBox!.scrollHeight; }, 0);
    };
    textarea.addEventListener('input', () => ctx.connector.typing(c.conversationId));
    textarea.addEventListener('keydown', (event) => {
      // Enter sends, Shift+Enter starts a new line.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    composerForm = el('form', { class: 'composer' }, textarea, el('button', { type: 'submit', class: 'btn btn-primary' }, 'Send'),
      el('p', { class: 'field-hint composer-hint' }, 'Enter to send, Shift+Enter for a new line.'));
    composerForm.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    replaceChildren(conversationPane, headerBox, transcriptBox, statusLine, composerForm);
  }

  function renderTeam(live: LiveState) {
    const people = Object.entries(live.presenceOf).filter(([id, p]) => id !== ctx.session().staff.id && p.status !== 'offline');
    if (people.length === 0) {
      replaceChildren(teamList, empty(live.connection === 'online' ? 'No colleague of your stores is connected.' : 'Unknown while not connected.'));
      return;
    }
    replaceChildren(teamList, el('ul', { class: 'plain-list team' }, ...people.sort((a, b) => a[1].name.localeCompare(b[1].name)).map(([, p]) =>
      el('li', { class: `team-member presence-${p.status}` }, el('span', { class: 'presence-dot', 'aria-hidden': 'true' }), p.name,
        el('span', { class: 'muted' }, p.status === 'online' ? ' · online' : ' · away')))));
  }

  function render() {
    const live = ctx.store.getState().live;
    renderBanner(live);
    renderWaiting(live);
    renderMine(live);
    renderTeam(live);
    renderConversation(live);
  }

  function join(w: HandoffRequest) {
    ctx.connector.join(w);
    select(w.conversationId, true);
  }

  function select(conversationId: string | null, focusComposer = false) {
    selected = conversationId;
    ctx.store.setState((s) => ({ live: { ...s.live, viewing: conversationId } }));
    history.replaceState(null, '', routes.live(conversationId ?? undefined));
    render();
    if (focusComposer) composerForm?.querySelector('textarea')?.focus();
  }

  let frame = 0;
  const unsubscribe = ctx.store.subscribe((state, previous) => {
    if (state.live === previous.live) return;
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
  });
  const clock = setInterval(() => renderWaiting(ctx.store.getState().live), 30_000);
  const onFocus = () => render();
  window.addEventListener('focus', onFocus);
  ctx.store.setState((s) => ({ live: { ...s.live, viewing: selected } }));
  render();

  return {
    element,
    title: 'Live chat',
    destroy() {
      unsubscribe();
      cancelAnimationFrame(frame);
      clearInterval(clock);
      window.removeEventListener('focus', onFocus);
      ctx.store.setState((s) => ({ live: { ...s.live, viewing: null } }));
    },
    update(route) {
      if (route.name !== 'live') return false;
      select(route.conversationId ?? null);
      headerBox?.querySelector<HTMLElement>('h2')?.focus();
      return true;
    },
  };
}


/** The delivery line under one of our messages: Sending…, Not sent (Retry), Delivered, Seen. */
function setMessageState(row: HTMLElement, state: string, failure?: { error: string | undefined; retry: () => void }): void {
  let line = row.querySelector<HTMLElement>(':scope > .msg-state');
  if ((line?.dataset.state ?? '') === state) return;
  if (!state) {
    line?.remove();
    return;
  }
  const fresh = state === 'failed'
    ? el('p', { class: 'msg-state msg-failed' }, `Not sent${failure?.error ? ` (${failure.error})` : ''}. `, button({ class: 'btn-link' }, 'Retry', () => failure?.retry()))
    : el('p', { class: 'msg-state' }, state === 'sending' ? 'Sending…' : state === 'seen' ? 'Seen' : 'Delivered');
  fresh.dataset.state = state;
  if (line) line.replaceWith(fresh);
  else row.append(fresh);
  line = fresh;
}
