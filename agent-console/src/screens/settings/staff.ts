import { errorMessage } from '../../api.ts';
import { isAdmin, type AppContext } from '../../context.ts';
import { ROLE_LABELS, formatDateTime } from '../../format.ts';
import { routes } from '../../router.ts';
import type { Role, StaffMember } from '../../types.ts';
import { button, el, errorBlock, loading, replaceChildren } from '../../ui/dom.ts';
import { confirmDialog, formDialog, openDialog } from '../../ui/dialog.ts';
import { checkboxField, checked, radioGroup, textField, valueOf } from '../../ui/forms.ts';
import { menuButton, type MenuItem } from '../../ui/menu.ts';
import type { SectionView } from './index.ts';

const ROLES: Role[] = ['agent', 'store_manager', 'admin'];
const ROLE_HINTS: Record<Role, string> = {
  agent: 'Appointments, requests, live chat and tasks of their stores.',
  store_manager: 'Also status workflows, opening hours and staff hours of their stores.',
  admin: 'Everything, for every store: services, templates, staff accounts.',
};

/** Staff accounts: admins invite (the link is shown once), disable, enable, change access; managers see their people. */
export function staffSection(ctx: AppContext): SectionView {
  const admin = isAdmin(ctx.session().staff.role);
  const me = ctx.session().staff.id;
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'staff-title' },
    el('div', { class: 'card-head' },
      el('h2', { id: 'staff-title', class: 'card-title' }, 'Staff accounts'),
      admin ? button({ class: 'btn btn-primary' }, '+ Invite a colleague', () => void invite()) : null),
    admin ? null : el('p', { class: 'muted' }, 'The people of your stores. Administrators invite colleagues and change access.'),
    body);

  async function load() {
    try {
      const { staff } = await ctx.api.get<{ staff: StaffMember[] }>('/staff');
      replaceChildren(body, el('table', { class: 'data-table' },
        el('caption', { class: 'sr-only' }, 'Staff accounts'),
        el('thead', {}, el('tr', {}, ...['Name', 'Role', 'Stores', 'Account', 'Last seen', 'Actions'].map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', {}, ...staff.map((s) => el('tr', { 'data-id': s.id },
          el('td', { 'data-label': 'Name' }, el('strong', {}, s.name), el('span', { class: 'cell-sub' }, s.account?.email ?? s.email ?? '')),
          el('td', { 'data-label': 'Role' }, s.account ? ROLE_LABELS[s.account.role] : el('span', { class: 'muted' }, 'No console account')),
          el('td', { 'data-label': 'Stores' }, s.stores.map((x) => x.name).join(', ') || (s.account?.role === 'admin' ? 'All stores' : '—')),
          el('td', { 'data-label': 'Account' }, accountBadge(s)),
          el('td', { 'data-label': 'Last seen' }, s.account?.lastSeenAt ? formatDateTime(s.account.lastSeenAt) : '—'),
          el('td', { 'data-label': 'Actions', class: 'col-actions' }, menuButton(`Actions for ${s.name}`, () => items(s))))))));
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function accountBadge(s: StaffMember): HTMLElement {
    const a = s.account;
    if (!a) return el('span', { class: 'muted' }, '—');
    const status = a.status === 'active' ? el('span', { class: 'badge badge-ok' }, 'Active')
      : a.status === 'invited' ? el('span', { class: 'badge badge-warn', title: a.inviteExpiresAt ? `Invite valid until ${formatDateTime(a.inviteExpiresAt)}` : undefined }, 'Invited')
        : el('span', { class: 'badge badge-danger' }, 'Disabled');
    return el('span', {}, status, a.locked ? el('span', { class: 'badge badge-danger' }, 'Locked') : null);
  }

  function items(s: StaffMember): MenuItem[] {
    const list: MenuItem[] = [{ label: 'Hours and time off', onSelect: () => ctx.navigate(routes.settings('staff-hours', s.id)) }];
    if (!admin || !s.account) return list;
    const a = s.account;
    list.push({ label: 'Change role and stores…', onSelect: () => void access(s), disabled: a.status === 'disabled' });
    list.push({ label: a.status === 'invited' ? 'New invite link…' : 'Send a password reset link…', onSelect: () => void reinvite(s), disabled: a.status === 'disabled' });
    if (a.status === 'disabled') list.push({ label: 'Enable account', onSelect: () => void toggle(s, true) });
    else list.push({ label: 'Disable account…', onSelect: () => void toggle(s, false), danger: true, disabled: s.id === me });
    return list;
  }

  function storeChecks(selected: string[]) {
    return el('fieldset', { class: 'checkbox-group', 'data-field': 'stores', tabindex: -1, 'aria-describedby': 'stores-error' },
      el('legend', {}, 'Stores'),
      ...ctx.session().staff.stores.map((st) => checkboxField({ label: st.name, name: `store-${st.id}`, checked: selected.includes(st.id) })),
      el('p', { id: 'stores-error', class: 'field-error', hidden: true }));
  }
  const selectedStores = (form: HTMLFormElement) => ctx.session().staff.stores.filter((st) => checked(form, `store-${st.id}`)).map((st) => st.id);
  const roleRadios = (value: Role) => radioGroup({ legend: 'Role', name: 'role', value, required: true, options: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], hint: ROLE_HINTS[r] })) });
  const needsStore = (form: HTMLFormElement) =>
    valueOf(form, 'role') !== 'admin' && selectedStores(form).length === 0 ? { field: 'stores', message: 'Agents and store managers need at least one store.' } : null;

  async function invite() {
    let link: { url: string; expires: string; name: string } | null = null;
    const ok = await formDialog({
      title: 'Invite a colleague',
      description: 'They receive a link to choose their password. The link works once, for 72 hours.',
      submitLabel: 'Create invite',
      fields: [
        textField({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 120, autocomplete: 'off' } }),
        textField({ label: 'Email', name: 'email', type: 'email', required: true, attrs: { maxlength: 254, autocomplete: 'off' } }),
        roleRadios('agent'),
        storeChecks([]),
      ],
      validate: (form) => {
        if (!valueOf(form, 'name').trim()) return { field: 'name', message: 'Enter their name.' };
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(valueOf(form, 'email').trim())) return { field: 'email', message: 'Enter a valid email address.' };
        return needsStore(form);
      },
      onSubmit: async (form) => {
        const reply = await ctx.api.post<{ staff: StaffMember; inviteUrl: string; inviteExpiresAt: string }>('/staff/invite', {
          name: valueOf(form, 'name').trim(), email: valueOf(form, 'email').trim(), role: valueOf(form, 'role'), stores: selectedStores(form),
        });
        link = { url: reply.inviteUrl, expires: reply.inviteExpiresAt, name: reply.staff.name };
      },
    });
    if (ok && link) {
      ctx.catalog.invalidate();
      showLink(link);
      void load();
    }
  }

  function showLink(l: { url: string; expires: string; name: string }) {
    const input = el('input', { type: 'text', readonly: true, value: l.url, class: 'invite-link', 'aria-label': 'Invite link' });
    const copy = button({ class: 'btn btn-primary' }, 'Copy link', () => {
      input.select();
      void navigator.clipboard?.writeText(l.url).then(() => ctx.toast('success', 'Link copied.'), () => ctx.toast('info', 'Select the link and copy it.'));
    });
    openDialog({
      title: 'Invite link',
      description: `Send this link to ${l.name}. It is shown only now and works once, until ${formatDateTime(l.expires)}.`,
      body: [input],
      footer: [copy, button({ class: 'btn btn-secondary' }, 'Done', (e) => (e.currentTarget as HTMLElement).closest('dialog')?.close())],
    });
    input.select();
  }

  async function reinvite(s: StaffMember) {
    try {
      const reply = await ctx.api.post<{ inviteUrl: string; inviteExpiresAt: string }>(`/staff/${s.id}/reinvite`);
      showLink({ url: reply.inviteUrl, expires: reply.inviteExpiresAt, name: s.name });
      void load();
    } catch (error) {
      ctx.toast('error', errorMessage(error));
    }
  }

  async function access(s: StaffMember) {
    const ok = await formDialog({
      title: `Access of ${s.name}`,
      submitLabel: 'Save access',
      fields: [roleRadios(s.account!.role), storeChecks(s.stores.map((x) => x.id))],
      validate: needsStore,
      onSubmit: async (form) => {
        await ctx.api.patch(`/staff/${s.id}/access`, { role: valueOf(form, 'role'), stores: selectedStores(form) });
        ctx.toast('success', `Saved the access of ${s.name}.`);
      },
    });
    if (ok) void load();
  }

  async function toggle(s: StaffMember, enable: boolean) {
    if (!enable && !(await confirmDialog({
      title: 'Disable account', message: `Disable ${s.name}'s account? They are signed out at once and cannot sign in until enabled again.`, confirmLabel: 'Disable', danger: true,
    }))) return;
    try {
      await ctx.api.post(`/staff/${s.id}/${enable ? 'enable' : 'disable'}`);
      ctx.toast('success', `${s.name}'s account is ${enable ? 'enabled' : 'disabled'}.`);
      void load();
    } catch (error) {
      ctx.toast('error', errorMessage(error));
    }
  }

  void load();
  return { element };
}
