import { errorMessage } from '../api.ts';
import type { AppContext, Screen } from '../context.ts';
import { formatDateTime, formatUtc } from '../format.ts';
import { href, type Route } from '../router.ts';
import type { Task } from '../types.ts';
import { button, el, empty, errorBlock, heading, link, loading, replaceChildren } from '../ui/dom.ts';
import { busy } from '../ui/forms.ts';

type Filter = 'open' | 'done' | 'all';
const FILTERS: [Filter, string][] = [['open', 'To do'], ['done', 'Done'], ['all', 'All']];

/** Messages customers left when no agent could take their chat: call or write back, then mark done. */
export function tasksScreen(ctx: AppContext, initial: Extract<Route, { name: 'tasks' }>): Screen {
  let filter: Filter = (['open', 'done', 'all'] as const).find((f) => f === initial.query.get('status')) ?? 'open';
  const title = heading('Tasks');
  const tabs = el('nav', { class: 'tabs', 'aria-label': 'Task filter' });
  const status = el('p', { class: 'list-status', role: 'status' });
  const list = el('div', {}, loading());
  const element = el('div', { class: 'screen' },
    el('header', { class: 'screen-header' }, el('div', {}, title,
      el('p', { class: 'screen-intro' }, 'Messages customers left for your stores when nobody could chat: get back to them, then mark them done.'))),
    tabs, status, list);
  const storeName = new Map(ctx.session().staff.stores.map((s) => [s.id, s.name]));

  function renderTabs() {
    replaceChildren(tabs, ...FILTERS.map(([f, label]) =>
      link(href('/tasks', f === 'open' ? undefined : { status: f }), label, { class: 'tab', 'aria-current': f === filter ? 'page' : undefined })));
  }

  async function load() {
    replaceChildren(list, loading());
    try {
      const reply = await ctx.api.get<{ tasks: Task[]; total: number }>('/tasks', { status: filter, limit: 100 });
      status.textContent = `${reply.total} task${reply.total === 1 ? '' : 's'}`;
      if (reply.tasks.length === 0) {
        replaceChildren(list, empty(filter === 'open' ? 'Nothing to do: every message has been answered.' : 'No tasks.'));
        return;
      }
      replaceChildren(list, el('ul', { class: 'task-list' }, ...reply.tasks.map(renderTask)));
    } catch (error) {
      replaceChildren(list, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function contactLink(contact: string | null): HTMLElement | string {
    if (!contact) return 'No contact given';
    if (/^\+?[\d\s.-]{6,}$/.test(contact)) return el('a', { href: `tel:${contact.replace(/[\s.-]/g, '')}` }, contact);
    if (/^[^\s@]+@[^\s@]+$/.test(contact)) return el('a', { href: `mailto:${contact}` }, contact);
    return contact;
  }

  function renderTask(task: Task): HTMLElement {
    const item = el('li', { class: `task card${task.status === 'done' ? ' task-done' : ''}`, 'data-id': task.id });
    const fill = (t: Task) => {
      replaceChildren(item,
        el('div', { class: 'task-head' },
          el('h2', { class: 'task-name' }, t.customerName ?? 'Unknown customer'),
          el('span', { class: `badge ${t.status === 'done' ? 'badge-ok' : 'badge-warn'}` }, t.status === 'done' ? 'Done' : 'To do')),
        el('p', { class: 'task-meta' },
          contactLink(t.contact), ' · ',
          el('time', { datetime: t.createdAt, title: formatUtc(t.createdAt) }, formatDateTime(t.createdAt)),
          ' · ', t.storeId ? storeName.get(t.storeId) ?? 'Another store' : 'Any store'),
        el('p', { class: 'task-message pre' }, t.message),
        t.status === 'done'
          ? el('p', { class: 'muted small' }, `Done by ${t.doneBy?.name ?? 'someone'}${t.doneAt ? `, ${formatDateTime(t.doneAt)}` : ''}.`)
          : button({ class: 'btn btn-secondary btn-small', 'aria-label': `Mark the task of ${t.customerName ?? 'this customer'} done` }, 'Mark done', (event) => {
            const b = event.currentTarget as HTMLButtonElement;
            void busy(b, 'Saving…', async () => {
              try {
                const reply = await ctx.api.post<{ task: Task }>(`/tasks/${t.id}/done`);
                ctx.toast('success', `Done: ${t.customerName ?? 'task'}.`);
                ctx.refreshCounts();
                if (filter === 'open') {
                  item.remove();
                  void load();
                } else {
                  fill(reply.task);
                }
              } catch (error) {
                ctx.toast('error', errorMessage(error));
              }
            });
          }));
    };
    fill(task);
    return item;
  }

  renderTabs();
  void load();
  return {
    element,
    title: 'Tasks',
    onTaskCreated: () => void load(),
    update(route) {
      if (route.name !== 'tasks') return false;
      filter = (['open', 'done', 'all'] as const).find((f) => f === route.query.get('status')) ?? 'open';
      renderTabs();
      void load();
      return true;
    },
  };
}
